"""A segment's columns read whole: dates and times as arrays, stories as a list, and whether lengths are kept.

Whoosh reads a column's value with a seek and a read for each article. A segment's
files never change, so what a search reads of every article is read once, from
the column's file as its reader lays it out, and kept with the reader (which
`patches` keeps for as long as the segment is open).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def values(leaf: Any, name: str) -> Sequence[Any] | None:
    """A numeric column of a segment, whole (patches.py reads it into an array at its first value);
    None if it cannot be read so (a segment without the column, or a number an array cannot hold)."""
    reader = leaf.column_reader(name, translate=False)
    count = leaf.doc_count_all()
    if count:
        reader[0]
    found = getattr(reader, "_values", None)
    if found is None:
        return None
    if len(found) < count:  # a column leaves out the default values at its end
        found.extend([reader._default] * (count - len(found)))
    return found  # type: ignore[no-any-return]


def story_column(leaf: Any) -> Sequence[bytes]:
    """The story of each article of a segment (by its number there), from its story column read whole once."""
    column = leaf.column_reader("story", translate=False)  # kept per segment (patches.py)
    if not hasattr(column, "_newscli_stories"):
        if hasattr(column, "_offsets") and hasattr(column, "_lengths"):  # Whoosh's column of varied lengths
            data = column._dbfile.get(column._basepos, sum(column._lengths))
            stories = [data[o : o + n] for o, n in zip(column._offsets, column._lengths, strict=True)]
        else:
            stories = [bytes(column[d]) for d in range(leaf.doc_count_all())]
        column._newscli_stories = stories
    return column._newscli_stories  # type: ignore[no-any-return]


def keeps_lengths(leaf: Any, fieldname: str) -> bool:
    """Whether a segment has its column of a field's lengths (Whoosh reads a missing one as zeros)."""
    return bool(leaf._perdoc.has_column(f"_{fieldname}_len"))
