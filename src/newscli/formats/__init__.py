"""Article files in every format newscli reads, turned into Articles.

`parse` yields the raw fields of each article in a file; `to_article` checks
and normalises them (after folder defaults are merged in) into an Article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from newscli import dates
from newscli.errors import ArticleError
from newscli.formats.decode import decode
from newscli.formats.structured import (
    json_records,
    jsonl_records,
    kind,
    markdown_title,
    pick,
    split_front_matter,
)
from newscli.formats.text import parse_text
from newscli.models import Article, Format

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
SUFFIXES = frozenset({".txt", ".json", ".jsonl"} | MARKDOWN_SUFFIXES)

# Field names recognised in front matter, JSON records and folder defaults, in
# order of preference; a config file's `fields:` can change them.
DEFAULT_NAMES: dict[str, list[str]] = {
    "id": ["id", "ID", "guid", "uuid"],
    "title": ["title", "headline"],
    "source": ["source", "publisher", "outlet", "site_name"],
    "date": ["date", "published", "published_at", "publishedAt", "pubDate", "datePublished"],
    "authors": ["authors", "author", "byline"],
    "url": ["url", "link"],
    "tags": ["tags", "keywords", "topic", "topics", "category", "categories"],
    "language": ["language", "lang"],
    "caption": ["caption"],
    "body": ["content_original", "body", "text", "content", "article"],
}


@dataclass(frozen=True, slots=True)
class Parsed:
    """One article's raw fields, or why that article of the file could not be read."""

    fields: dict[str, Any] = field(default_factory=dict)
    record: int | None = None
    format: Format = Format.TEXT
    error: ArticleError | None = None


def parse(data: bytes, suffix: str, names: Mapping[str, list[str]]) -> Iterator[Parsed]:
    """Every article in one file. Raises ArticleError when the whole file is unreadable."""
    text = decode(data)
    if suffix == ".jsonl":
        records = jsonl_records(text)
    elif suffix == ".json":
        records = json_records(text)
    else:
        yield _document(text, suffix in MARKDOWN_SUFFIXES, names)
        return
    for position, record in records:
        if isinstance(record, ArticleError):
            yield Parsed(record=position, error=record)
        elif not isinstance(record, dict):
            error = ArticleError(f"a record must be a JSON object, not {kind(record)}")
            yield Parsed(record=position, error=error)
        else:
            yield Parsed(pick(record, names), record=position)


def _document(text: str, markdown: bool, names: Mapping[str, list[str]]) -> Parsed:
    meta, body = split_front_matter(text)
    fields = pick(meta, names) if meta else {}
    if markdown:
        title, rest = markdown_title(body)
        if "title" in fields:
            derived: dict[str, Any] = {"body": body}
        elif title is not None:
            derived = {"title": title, "body": rest}
        else:
            derived = parse_text(body, titled="title" in fields)
    else:
        derived = parse_text(body, titled="title" in fields)
    return Parsed({**derived, **fields}, format=Format.MARKDOWN if markdown else Format.TEXT)


_OUTLET_SPLIT = re.compile(r"\s*[+;]\s*")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;]|\band\b|&)\s*")


def to_article(fields: Mapping[str, Any], *, id: str, path: str, record: int | None, format: Format) -> Article:
    """Checks each field's type and normalises it; ArticleError names the bad field."""
    title = _text(fields, "title") or ""
    body = _text(fields, "body") or ""
    if not title.strip() and not body.strip():
        raise ArticleError("no title and no text")
    source = _source(fields.get("source"))
    try:
        date = dates.normalize(fields.get("date"))
    except ValueError as e:
        raise ArticleError(f"field 'date': cannot read {fields.get('date')!r} as a date ({e})") from None
    return Article(
        id=id,
        title=" ".join(title.split()) if title.strip() else _untitled(body),
        body=body,
        path=path,
        source=source,
        outlets=tuple(o for o in _OUTLET_SPLIT.split(source) if o) if source else (),
        date=date,
        authors=_names(fields, "authors", _AUTHOR_SPLIT),
        url=_text(fields, "url"),
        tags=_names(fields, "tags", re.compile(r"\s*,\s*")),
        language=_text(fields, "language"),
        caption=_text(fields, "caption"),
        record=record,
        format=format,
    )


def _untitled(body: str) -> str:
    first = body.strip().splitlines()[0]
    return first if len(first) <= 110 else first[:109].rsplit(" ", 1)[0] + "…"


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleError(f"field '{name}' must be text, not {kind(value)}")
    return str(value).strip() or None


def _source(value: object) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        value = value["name"]  # {"id": ..., "name": ...} as news APIs give it
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleError(f"field 'source' must be text, not {kind(value)}")
    return " ".join(value.split()) or None


def _names(fields: Mapping[str, Any], name: str, separator: re.Pattern[str]) -> tuple[str, ...]:
    value = fields.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        items = separator.split(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise ArticleError(f"field '{name}' must be text or a list of text, not {kind(value)}")
    cleaned = (re.sub(r"^by\s+", "", " ".join(i.split()), flags=re.I) for i in items)
    return tuple(dict.fromkeys(i for i in cleaned if i))
