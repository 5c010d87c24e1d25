"""What every article reader is, and what it gives: plain data, no parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from newscli.errors import ArticleError
from newscli.models import Markup

Names = Mapping[str, list[str]]  # each canonical field with the names it is found under, in order


@dataclass(frozen=True, slots=True)
class Parsed:
    """One article's raw fields, or why that article of the file could not be read."""

    fields: dict[str, Any] = field(default_factory=dict)
    record: int | None = None  # its place in a file of many articles, as the reader counts it
    markup: Markup = Markup.TEXT
    error: ArticleError | None = None


@dataclass(frozen=True, slots=True)
class Reader:
    """One article format: the files it reads and how.

    `parse` yields every article of a file's text, and raises ArticleError when the
    whole file is unreadable. A reader of files that hold many articles (`many`)
    numbers each as `place` says, and `raw` gives one of them as the file has it.
    """

    name: str
    suffixes: frozenset[str]  # lower case, with the dot
    parse: Callable[[str, Names], Iterator[Parsed]]
    many: bool = False
    place: str = ""  # what a record's number is: "line", "position"
    raw: Callable[[str, int], str | None] | None = None  # None: the record is no longer there
