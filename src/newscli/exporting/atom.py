"""A saved search as an Atom 1.0 feed (RFC 4287): `newscli saved feed NAME`.

IDs are stable across runs (`urn:newscli:article:ID`, of the article's own ID), so a
feed reader following the file sees each article once. An entry's `updated` is the
article's date; an undated one's is the epoch, which changes no more than it does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from newscli import __version__, dates
from newscli.exporting import one_line, plain
from newscli.models import Article

SUMMARY = 600  # characters of an article's text in its entry's summary


def feed(name: str, query: str, articles: Iterable[Article], out: TextIO) -> int:
    """Writes the feed of one saved search, its entries newest first; how many."""
    entries = [_entry(a) for a in articles]
    newest = max((updated for updated, _ in entries), default=None)
    updated = newest or _stamp(datetime.now(UTC).timestamp())
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n')
    out.write(f"  <id>urn:newscli:saved:{escape(name)}</id>\n")
    out.write(f"  <title>{_text(f'newscli: @{name}')}</title>\n")
    out.write(f"  <subtitle>{_text(query)}</subtitle>\n")
    out.write(f"  <updated>{updated}</updated>\n")
    out.write("  <author><name>newscli</name></author>\n")
    out.write(f'  <generator version="{__version__}">newscli</generator>\n')
    for _, entry in entries:
        out.write(entry)
    out.write("</feed>\n")
    return len(entries)


def _entry(a: Article) -> tuple[str, str]:
    when = dates.timestamp_of(a)
    updated = _stamp(when if when is not None else 0.0)
    link = a.url if a.url else Path(a.path).as_uri()
    lines = [
        "  <entry>",
        f"    <id>urn:newscli:article:{escape(a.id)}</id>",
        f"    <title>{_text(one_line(a.title) or a.id)}</title>",
        f'    <link rel="alternate" href={quoteattr(one_line(link))}/>',
        f"    <updated>{updated}</updated>",
    ]
    if when is not None:
        lines.append(f"    <published>{updated}</published>")
    lines += [f"    <author><name>{_text(one_line(n))}</name></author>" for n in a.authors if one_line(n)]
    outlet = one_line(a.source or "")
    if outlet:
        lines.append(f"    <category term={quoteattr(outlet)} label={quoteattr(outlet)}/>")
        lines.append(f"    <source><title>{_text(outlet)}</title></source>")
    text = plain(a.body).strip()
    if text:
        summary = text if len(text) <= SUMMARY else text[:SUMMARY].rsplit(" ", 1)[0] + " …"
        lines.append(f'    <summary type="text">{_text(summary)}</summary>')
    return updated, "\n".join([*lines, "  </entry>\n"])


def _text(text: str) -> str:
    return escape(plain(text))


def _stamp(when: float) -> str:
    """A time as RFC 3339 in UTC (one beyond what it can say, the epoch)."""
    try:
        return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return "1970-01-01T00:00:00Z"
