"""The index's fields, and how an Article becomes a Whoosh document and comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh import fields
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from newscli import dates
from newscli.engine.whoosh.analysis import Typed, Written, analysis
from newscli.models import Article, Markup

SCHEMA_VERSION = 9  # 9: each article analysed in its language (Snowball stemmers); 8: a language for each
_LINES = RegexTokenizer(r"[^\n]+")  # one term per line: outlet and tag names stay whole
TEXT_FIELDS = ("title", "caption", "body")


class LanguageText(fields.TEXT):  # type: ignore[misc]
    """A text field analysed in the language of its article (analysis.py): `document` gives its
    value as a `Written`, which says the language. Its analyzer is the query parser's."""

    def __init__(self) -> None:
        super().__init__(analyzer=Typed(), stored=True)

    def index(self, value: Any, **kwargs: Any) -> Any:
        language = value.language if isinstance(value, Written) else None
        boost = self.format.field_boost
        encode = self.format.encode
        return [
            (term.encode(), len(spots), len(spots) * boost, encode(spots))
            for term, spots in analysis(language).positions(value).items()
        ]


def _schema() -> fields.Schema:
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        record=fields.STORED,
        title=LanguageText(),
        caption=LanguageText(),
        body=LanguageText(),
        source=fields.TEXT(stored=True),
        outlet=fields.KEYWORD(stored=True, scorable=False, sortable=True),
        author=fields.TEXT(),
        authors=fields.STORED,
        tag=fields.KEYWORD(lowercase=True, scorable=False),
        tags=fields.STORED,
        lang=fields.KEYWORD(lowercase=True, stored=True, sortable=True),  # ISO 639-1 (languages.py); counted by facet
        url=fields.TEXT(analyzer=RegexTokenizer(r"[^\W_]+") | LowercaseFilter(), stored=True),
        date=fields.STORED,
        ts=fields.NUMERIC(int, bits=64, sortable=True),
        dated=fields.NUMERIC(int, sortable=True),
        day=fields.ID(sortable=True),  # the UTC day, for counts per period
        story=fields.ID(stored=True, sortable=True),  # the ID of the first copy of a republished story
        format=fields.STORED,  # the body's markup
        schema_version=fields.STORED,
    )
    schema["outlet"].analyzer = _LINES
    schema["tag"].analyzer = _LINES | LowercaseFilter()
    return schema


SCHEMA = _schema()


def document(a: Article, story: str) -> dict[str, Any]:
    """The fields Whoosh indexes and stores for an article."""
    doc: dict[str, Any] = {
        "id": a.id,
        "path": a.path,
        "record": a.record,
        "title": Written(a.title, a.language),
        "body": Written(a.body, a.language),
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
        "caption": a.caption and Written(a.caption, a.language),
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
    # (What is indexed is the Written text; what is kept, the text alone.)
    doc.update({f"_stored_{name}": str(doc[name]) for name in TEXT_FIELDS if name in doc})
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
