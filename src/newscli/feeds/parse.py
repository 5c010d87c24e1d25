"""A feed's bytes as items: RSS and Atom through feedparser, JSON Feed through a reader of ours.

Before feedparser sees a document, its internal DTD subset is cut out: the entities
declared there are what entity-expansion attacks are made of, and feeds have no use
for them. Every text is capped.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

MAX_TITLE = 1000
MAX_BODY = 2 * 1024 * 1024  # characters of one item's body
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding=", re.I)
_TRUNCATED = ("no element found", "unclosed token")


class FeedError(Exception):
    """Bytes that are not a feed."""


@dataclass(slots=True)
class Item:
    guid: str | None
    link: str | None
    title: str
    body: str  # Markdown
    date: str | None  # ISO 8601
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None


@dataclass(slots=True)
class Parsed:
    title: str | None
    link: str | None
    items: list[Item]
    notes: list[str] = field(default_factory=list)  # what was kept in another form than sent


def _dated(items: list[Item], notes: list[str]) -> list[Item]:
    """Items whose date the index can read, or none: a bad date is kept as no date, and said."""
    from newscli import dates

    for item in items:
        if item.date is None:
            continue
        try:
            normal = dates.normalize(item.date)
            if normal is not None:
                dates.timestamp(normal)  # what the index will ask of it
        except (ValueError, OverflowError):
            notes.append(f"{item.title[:60]!r}: kept undated, {item.date[:40]!r} is not a date")
            item.date = None
    return items


def parse(data: bytes, content_type: str | None = None) -> Parsed:
    """The items of a feed; FeedError if the bytes are not one."""
    if not data.strip():
        raise FeedError("empty document")
    if _looks_like_json(data, content_type):
        return _json_feed(data)
    import feedparser

    data = without_dtd(data)
    headers = {} if content_type is None or _DECLARED.match(data) else {"content-type": content_type}
    doc = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    problem = doc.get("bozo_exception")
    message = problem.getMessage() if hasattr(problem, "getMessage") else ""
    if not doc.get("version"):
        if b"<html" in data[:2048].lower():
            raise FeedError("an HTML page, not a feed")
        raise FeedError(f"not a feed ({message or 'no RSS, Atom or JSON Feed found'})")
    if message in _TRUNCATED:
        raise FeedError(f"truncated XML ({message} at line {problem.getLineNumber()})")
    feed = doc.get("feed", {})
    language = feed.get("language")
    items = [_entry(e, language, _names(feed.get("authors"))) for e in doc.get("entries", [])]
    notes: list[str] = []
    return Parsed(_text(feed.get("title")), _text(feed.get("link")) or None, _dated(items, notes), notes)


def without_dtd(data: bytes) -> bytes:
    """The document less its first <!DOCTYPE ...> and the internal subset in it, found in linear time
    (a regular expression with a lazy `.*?` took quadratic time on `<!DOCTYPE x [` repeated)."""
    start = data.lower().find(b"<!doctype")
    if start < 0:
        return data
    close = data.find(b">", start)
    bracket = data.find(b"[", start, close if close >= 0 else len(data))
    if bracket >= 0:
        subset_end = data.find(b"]", bracket)
        close = data.find(b">", subset_end) if subset_end >= 0 else -1
    return data[:start] if close < 0 else data[:start] + data[close + 1 :]


def _names(authors: Any) -> list[str]:
    return [a["name"].strip() for a in authors or [] if isinstance(a, dict) and (a.get("name") or "").strip()]


def _entry(e: Any, language: str | None, feed_authors: list[str]) -> Item:
    html = ""
    if e.get("content"):
        html = max((c.get("value", "") for c in e["content"]), key=len)
    html = html or e.get("summary", "") or e.get("description", "")
    # Its own authors, else those of the feed it was taken from (Atom's <source>), else the feed's.
    authors = _names(e.get("authors")) or _names(e.get("source", {}).get("authors")) or feed_authors
    parsed = e.get("published_parsed") or e.get("updated_parsed")
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None
    tags = [t.get("term") for t in e.get("tags", []) if t.get("term")]
    return Item(
        guid=e.get("id") or None,
        link=e.get("link") or None,
        title=_text(e.get("title")) or "",
        body=markdown(html),
        date=date,
        authors=[a[:200] for a in authors][:20],
        tags=[t[:100] for t in tags][:50],
        language=e.get("language") or language,
    )


def _looks_like_json(data: bytes, content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().endswith("json") or data.lstrip()[:1] == b"{"


def _json_feed(data: bytes) -> Parsed:
    """A JSON Feed (1.0 or 1.1: https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise FeedError(f"not valid JSON ({e})") from None
    except RecursionError:
        raise FeedError("JSON nested too deep to be a feed") from None
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = []
    for raw in _list(doc.get("items")):
        if not isinstance(raw, dict):
            continue
        authors = _json_authors(raw) or _json_authors(doc)
        html = raw.get("content_html")
        body = markdown(html) if isinstance(html, str) else _text(raw.get("content_text") or raw.get("summary"))
        items.append(
            Item(
                guid=str(raw["id"])[:1000] if isinstance(raw.get("id"), str | int) and raw["id"] != "" else None,
                link=_text(raw.get("url")) or None,
                title=_text(raw.get("title")) or "",
                body=(body or "")[:MAX_BODY],
                date=_text(raw.get("date_published") or raw.get("date_modified")) or None,
                authors=authors,
                tags=[str(t)[:100] for t in _list(raw.get("tags")) if isinstance(t, str | int)][:50],
                language=_text(raw.get("language") or doc.get("language")) or None,
            )
        )
    notes: list[str] = []
    return Parsed(_text(doc.get("title")), _text(doc.get("home_page_url")) or None, _dated(items, notes), notes)


def _list(value: object) -> list[Any]:
    """A JSON Feed's array, or none: `"items": 5` is a feed without items, not a crash."""
    return value if isinstance(value, list) else []


def _json_authors(raw: dict[str, Any]) -> list[str]:
    """JSON Feed 1.1's `authors`, or 1.0's `author`."""
    given = _list(raw.get("authors")) or ([raw["author"]] if isinstance(raw.get("author"), dict) else [])
    return [_text(a["name"])[:200] for a in given if isinstance(a, dict) and _text(a.get("name"))][:20]


def _text(value: object) -> str:
    return " ".join(value.split())[:MAX_TITLE] if isinstance(value, str) else ""


def markdown(html: str) -> str:
    """An item's HTML as Markdown, without scripts, styles or tracking pixels."""
    if "<" not in html:
        return html.strip()[:MAX_BODY]
    from bs4 import BeautifulSoup
    from markdownify import MarkdownConverter

    soup = BeautifulSoup(html[: MAX_BODY * 2], "html.parser")
    for tag in soup(["script", "style", "noscript", "iframe", "object", "embed", "form"]):
        tag.decompose()
    for img in soup("img"):
        if img.get("width") in ("0", "1") or img.get("height") in ("0", "1") or not img.get("src"):
            img.decompose()
    text = MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(soup)
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:MAX_BODY]
