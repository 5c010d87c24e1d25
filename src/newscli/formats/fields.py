"""An article's fields: the names they are found under, and their checks into an Article."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from newscli import dates, languages
from newscli.errors import ArticleError
from newscli.formats.text import TITLE_MAX
from newscli.models import Article, Markup

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
_OUTLET_SPLIT = re.compile(r"\s*[+;]\s*")
_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;]|\band\b|&)\s*")
_TAG_SPLIT = re.compile(r"\s*,\s*")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # alone: a JSON escape of half a character


def pick(record: Mapping[str, Any], names: Mapping[str, list[str]]) -> dict[str, Any]:
    """Canonical fields from a record, each taken from the first of its names present."""
    fields: dict[str, Any] = {}
    for canonical, candidates in names.items():
        for name in candidates:
            value = record.get(name)
            if value is not None and value != "" and value != []:
                fields[canonical] = _whole(value)
                break
    return fields


def _whole(value: Any) -> Any:
    """The value with each lone surrogate (which no output could encode) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


def kind(value: object) -> str:
    """How a value's type is named in a message."""
    names = {list: "a list", dict: "a mapping", str: "text", bool: "true/false"}
    return names.get(type(value), type(value).__name__)


def to_article(fields: Mapping[str, Any], *, id: str, path: str, record: int | None, markup: Markup) -> Article:
    """Checks each field's type and normalises it; ArticleError names the bad field."""
    title = _text(fields, "title") or ""
    body = _text(fields, "body") or ""
    if not title.strip() and not body.strip():
        raise ArticleError("no title and no text")
    about = described(fields)
    about["language"] = languages.of(about["language"], title, body)  # the one given (made regular), or detected
    return Article(
        id=id,
        title=" ".join(title.split()) if title.strip() else _untitled(body),
        body=body,
        path=path,
        caption=_text(fields, "caption"),
        record=record,
        markup=markup,
        **about,
    )


def described(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that describe an article (not its title, text or place), checked and normalised.

    ArticleError names the first that no article could take: folder defaults are checked with it too.
    """
    source = _source(fields.get("source"))
    return {
        "source": source,
        "outlets": tuple(o for o in _OUTLET_SPLIT.split(source) if o) if source else (),
        "date": _date(fields.get("date")),
        "authors": _names(fields, "authors", _AUTHOR_SPLIT),
        "url": _text(fields, "url"),
        "tags": _names(fields, "tags", _TAG_SPLIT),
        "language": _text(fields, "language"),
    }


def _date(value: object) -> str | None:
    try:
        date = dates.normalize(value)
        if date is not None:
            dates.timestamp(date)  # what sorting and filtering will ask of it
        return date
    except (ValueError, OverflowError) as e:
        raise ArticleError(f"field 'date': cannot read {value!r} as a date ({e})") from None


def _untitled(body: str) -> str:
    first = body.strip().splitlines()[0]
    return first if len(first) <= TITLE_MAX else first[: TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"


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
