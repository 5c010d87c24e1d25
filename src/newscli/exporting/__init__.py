"""Articles taken out of newscli for other tools: `newscli export` and `newscli saved feed`.

A format is a function from rows (an article with its marks) to a stream, written as
they come: `export` reads one article at a time from the engine, so a million take
no more memory than a thousand, but for their order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, TextIO

from newscli.models import Article
from newscli.safe import OBEYED

MarksOf = Callable[[list[str]], dict[str, dict[str, Any]]]  # IDs -> their marks as --json gives them


@dataclass(frozen=True, slots=True)
class Row:
    article: Article
    mark: dict[str, Any]  # read, starred, labels


@dataclass(frozen=True, slots=True)
class Options:
    text: bool = True  # the article's whole text, in the formats that carry it (CSV, JSON Lines)
    raw: bool = False  # CSV cells as they are, not made safe to open in a spreadsheet
    accessed: date = field(default_factory=date.today)  # the access date of a citation


Format = Callable[[Iterable[Row], TextIO, Options], int]  # writes the rows; how many


def formats() -> dict[str, Format]:
    from newscli.exporting import citations, tables

    return {
        "csv": tables.csv_rows,
        "jsonl": tables.json_lines,
        "ris": citations.ris,
        "bibtex": citations.bibtex,
        "csl-json": citations.csl_json,
    }


def rows(articles: Iterable[Article], marks_of: MarksOf, every: Callable[[int], None] | None = None) -> Iterator[Row]:
    """The articles with their marks, looked up 500 at a time; `every(n)` after each article."""
    from newscli.render import UNMARKED

    done = 0
    source = iter(articles)
    while chunk := list(islice(source, 500)):
        found = marks_of([a.id for a in chunk])
        for article in chunk:
            yield Row(article, found.get(article.id, UNMARKED))
            done += 1
            if every is not None:
                every(done)


# Characters no format written here carries: those a terminal obeys and those XML 1.0 forbids (C0 but
# tab and line ends, lone surrogates, U+FFFE and U+FFFF). JSON Lines escapes them instead.
_UNWRITTEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{OBEYED}\ud800-\udfff\ufffe\uffff]")


def plain(text: str) -> str:
    """Text from outside as an exported file carries it: line ends as \\n, without control characters."""
    return _UNWRITTEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    return " ".join(plain(text).split())


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def date_parts(article: Article) -> list[int]:
    """The article's date as [year, month, day], as precise as it is known; [] for none."""
    found = _DATE.match(article.date or "")
    return [int(part) for part in found.groups() if part is not None] if found else []
