"""Articles as tables: CSV (RFC 4180, safe to open in a spreadsheet) and JSON Lines."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from newscli.exporting import Options, Row, plain

COLUMNS = (
    "id",
    "date",
    "source",
    "outlets",
    "title",
    "authors",
    "url",
    "language",
    "tags",
    "labels",
    "read",
    "starred",
    "path",
    "text",
)
LIST = "; "  # between the items of a list in one cell
# What a spreadsheet takes a cell to be a formula by (OWASP, "CSV Injection"): such a cell gets a ' first.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_rows(rows: Iterable[Row], out: TextIO, options: Options) -> int:
    """A header, then one line per article; `out` opened with newline=''."""
    writer = csv.writer(out, lineterminator="\r\n")
    columns = COLUMNS if options.text else COLUMNS[:-1]
    writer.writerow(columns)
    n = 0
    for row in rows:
        cells = [_cell(value) for value in _values(row, options.text).values()]
        writer.writerow(cells if options.raw else [_safe(c) for c in cells])
        n += 1
    return n


def json_lines(rows: Iterable[Row], out: TextIO, options: Options) -> int:
    """One JSON object per line: `--json`'s article object, its marks, and (but for --no-text) its body."""
    from newscli.render import article_json, json_text

    n = 0
    for row in rows:
        data = article_json(row.article, body=options.text, marks={row.article.id: row.mark})
        out.write(json_text(data) + "\n")
        n += 1
    return n


def _values(row: Row, text: bool) -> dict[str, Any]:
    a, mark = row.article, row.mark
    values = {
        "id": a.id,
        "date": a.date,
        "source": a.source,
        "outlets": a.outlets,
        "title": a.title,
        "authors": a.authors,
        "url": a.url,
        "language": a.language,
        "tags": a.tags,
        "labels": tuple(mark["labels"]),
        "read": mark["read"],
        "starred": mark["starred"],
        "path": a.path,
    }
    if text:
        values["text"] = a.body
    return values


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return LIST.join(plain(v) for v in value)
    return plain(str(value))


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA) else cell
