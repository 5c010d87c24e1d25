"""Article files in every format newscli reads, turned into Articles.

Each format is a `Reader` (base.py) in a module of its own; `READERS` below
registers them, and everything else (the archive's walk, its size limits,
`show --raw`) asks this registry. `parse` yields the raw fields of each article
in a file; `to_article` (fields.py) checks and normalises them, after folder
defaults are merged in, into an Article.

Adding a format: a module defining its Reader, and one entry in `READERS`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from newscli.formats import documents, records
from newscli.formats.base import Names, Parsed, Reader
from newscli.formats.decode import decode
from newscli.formats.fields import DEFAULT_NAMES, to_article

READERS: tuple[Reader, ...] = (documents.TEXT, documents.MARKDOWN, records.JSON, records.JSONL)
# Bumped when any reader's parsing changes, so that every file is read again.
PARSER_VERSION = "1"

_BY_SUFFIX = {suffix: reader for reader in READERS for suffix in reader.suffixes}
SUFFIXES = frozenset(_BY_SUFFIX)

__all__ = [
    "DEFAULT_NAMES",
    "PARSER_VERSION",
    "READERS",
    "SUFFIXES",
    "Parsed",
    "Reader",
    "parse",
    "reader_for",
    "to_article",
]


def reader_for(path: str) -> Reader | None:
    """The reader of a file, by its suffix; None if newscli reads no such file."""
    return _BY_SUFFIX.get(os.path.splitext(path)[1].lower())


def parse(data: bytes, suffix: str, names: Names) -> Iterator[Parsed]:
    """Every article in one file. Raises ArticleError when the whole file is unreadable."""
    return _BY_SUFFIX[suffix].parse(decode(data), names)
