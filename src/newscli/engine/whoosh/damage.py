"""Telling a damaged index from other failures: Whoosh raises whatever its files' bytes lead to; and what
reading a segment's columns whole finds wrong with them (`index --check`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from newscli.engine.whoosh import internals
from newscli.engine.whoosh.schema import SCHEMA
from newscli.errors import REBUILD_HINT, IndexError_, NewscliError, QueryError, converting


def _damage(engine: Any, error: Exception) -> NewscliError | None:
    """A failure to read the index's files (missing, truncated, garbled) as a damaged index."""
    if isinstance(error, RecursionError):  # in matching a query nested too deep: the index is fine
        return QueryError("the query is too complex", hint="use fewer words or parentheses")
    if not _from_storage(error):
        return None
    if isinstance(error, OSError) and error.filename:
        detail = f"{error.strerror}: {error.filename}"
    else:
        detail = f"{type(error).__name__}: {error}"
    return IndexError_(f"the index in {engine.folder} cannot be read ({detail})", hint=REBUILD_HINT)


readable = converting(_damage)


# Where Whoosh reads its files: an error raised there comes of what the files hold.
_STORAGE = tuple(os.path.join("whoosh", part) for part in ("filedb", "codec", "columns.py", "reading.py", "matching"))
_HERE = os.path.dirname(__file__)  # newscli's own package of the same name is not Whoosh


def _from_storage(error: Exception) -> bool:
    """Whether an error arose reading index files (rather than, say, in a query or in newscli itself)."""
    if isinstance(error, OSError) and error.filename:
        return True
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return any(part in frame.filename and not frame.filename.startswith(_HERE) for frame in frames for part in _STORAGE)


_SORTED = [name for name, field in SCHEMA.items() if field.column_type is not None]
_SCORED = [name for name, field in SCHEMA.items() if field.scorable]


def column_problems(leaf: Any) -> Iterator[str]:
    """What is wrong with a segment's columns: each read whole, none missing that its words call for.

    Whoosh reads a missing column as one of default values, without a word: sorting,
    folding copies and scoring would go silently wrong.
    """
    segment = leaf.segment()
    if segment is None:  # an index with no articles has a stand-in segment
        return
    missing = f"segment {segment.segment_id()} of the index lacks its column of"
    for field in _SORTED:
        if next(iter(leaf.lexicon(field)), None) is None:  # no article of this segment has a value
            continue
        if not leaf.has_column(field):
            yield f"{missing} {field}"
            continue
        values = leaf.column_reader(field)
        for docnum in range(len(values)):
            values[docnum]
    for field in _SCORED:
        if not leaf.field_length(field):
            continue
        if internals.active() and not internals.columns.keeps_lengths(leaf, field):  # (the plain mode cannot tell)
            yield f"{missing} lengths of '{field}'"
            continue
        for docnum in range(leaf.doc_count_all()):
            leaf.doc_field_length(docnum, field)
