"""The index's fields, and how an Article becomes a Whoosh document and comes back."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh import analysis, fields

from newscli import dates
from newscli.models import Article, Markup

SCHEMA_VERSION = 8  # 8: a language for each article, given or detected, kept as a column
_LINES = analysis.RegexTokenizer(r"[^\n]+")  # one term per line: outlet and tag names stay whole
TEXT_FIELDS = ("title", "caption", "body")


class StemmedText(fields.TEXT):  # type: ignore[misc]
    """A text field of Whoosh's stemming analyzer, whose words are indexed in one pass
    (internals/analysis.py) where the internals are in use: the same terms, frequencies,
    weights and positions as Whoosh's own (tests/test_whoosh_own.py compares them)."""

    def __init__(self, analyzer: Any) -> None:  # Whoosh's StemmingAnalyzer
        super().__init__(analyzer=analyzer, stored=True)

    def index(self, value: Any, **kwargs: Any) -> Any:
        if internals.active() and not kwargs and (found := internals.analysis.in_one_pass(self, value)) is not None:
            return found
        return super().index(value, **kwargs)


def _schema() -> fields.Schema:
    stem = analysis.StemmingAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        record=fields.STORED,
        title=StemmedText(stem),
        caption=StemmedText(stem),
        body=StemmedText(stem),
        source=fields.TEXT(stored=True),
        outlet=fields.KEYWORD(stored=True, scorable=False, sortable=True),
        author=fields.TEXT(),
        authors=fields.STORED,
        tag=fields.KEYWORD(lowercase=True, scorable=False),
        tags=fields.STORED,
        lang=fields.KEYWORD(lowercase=True, stored=True, sortable=True),  # ISO 639-1 (languages.py); counted by facet
        url=fields.TEXT(analyzer=analysis.RegexTokenizer(r"[^\W_]+") | analysis.LowercaseFilter(), stored=True),
        date=fields.STORED,
        ts=fields.NUMERIC(int, bits=64, sortable=True),
        dated=fields.NUMERIC(int, sortable=True),
        day=fields.ID(sortable=True),  # the UTC day, for counts per period
        story=fields.ID(stored=True, sortable=True),  # the ID of the first copy of a republished story
        format=fields.STORED,  # the body's markup
        schema_version=fields.STORED,
    )
    schema["outlet"].analyzer = _LINES
    schema["tag"].analyzer = _LINES | analysis.LowercaseFilter()
    return schema


SCHEMA = _schema()
_STEM = SCHEMA["body"].analyzer


def stems(text: str) -> list[str]:
    """The words of a text as the index keeps them: lower case, stemmed, common words left out."""
    return [t.text for t in _STEM(text)]


def written(text: str) -> dict[str, Counter[str]]:
    """Each stem of a text, with how often each way of writing it (lower case) stands for it there."""
    forms: dict[str, Counter[str]] = {}
    for token in _STEM(text, mode="index", chars=True, keeporiginal=True):
        forms.setdefault(token.text, Counter())[token.original.lower()] += 1
    return forms


def document(a: Article, story: str) -> dict[str, Any]:
    """The fields Whoosh indexes and stores for an article."""
    doc: dict[str, Any] = {
        "id": a.id,
        "path": a.path,
        "record": a.record,
        "title": a.title,
        "body": a.body,
        "authors": list(a.authors),
        "tags": list(a.tags),
        "date": a.date,
        "dated": 1 if a.date else 0,
        "format": a.markup.value,
        "story": story,
        "schema_version": SCHEMA_VERSION,
    }
    when = dates.timestamp_of(a)
    optional = {
        "caption": a.caption,
        "source": a.source,
        "outlet": "\n".join(a.outlets),
        "author": "\n".join(a.authors),
        "tag": "\n".join(a.tags),
        "lang": a.language,
        "url": a.url,
        "ts": None if when is None else int(when),
        "day": None if when is None else datetime.fromtimestamp(when, UTC).date().isoformat(),
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


def article(stored: dict[str, Any]) -> Article:
    """The Article a stored document holds."""
    return Article(
        id=stored["id"],
        title=stored["title"],
        body=stored.get("body", ""),
        path=stored["path"],
        source=stored.get("source"),
        outlets=tuple(filter(None, stored.get("outlet", "").split("\n"))),
        date=stored.get("date"),
        authors=tuple(stored.get("authors", ())),
        url=stored.get("url"),
        tags=tuple(stored.get("tags", ())),
        language=stored.get("lang"),
        caption=stored.get("caption"),
        record=stored.get("record"),
        markup=Markup(stored.get("format", "text")),
    )
