"""A part's columns read whole: dates and times as arrays, stories as a list, and whether lengths are kept.

Whoosh reads a column's value with a seek and a read for each article. A part's
files never change, so what a search reads of every article is read once, from
the column's file as its reader lays it out, and kept with the reader (which
`patches` keeps for as long as the part is open).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def values(part: Any, name: str) -> Sequence[Any] | None:
    """A numeric column of a part, whole (patches.py reads it into an array at its first value);
    None if it cannot be read so (a part without the column, or a number an array cannot hold)."""
    reader = part.column_reader(name, translate=False)
    count = part.doc_count_all()
    if count:
        reader[0]
    found = getattr(reader, "_values", None)
    if found is None:
        return None
    if len(found) < count:  # a column leaves out the default values at its end
        found.extend([reader._default] * (count - len(found)))
    return found  # type: ignore[no-any-return]


def story_column(part: Any) -> Sequence[bytes]:
    """The story of each article of a part (by its number there), from its story column read whole once."""
    column = part.column_reader("story", translate=False)  # kept per part (patches.py)
    if not hasattr(column, "_newscli_stories"):
        if hasattr(column, "_offsets") and hasattr(column, "_lengths"):  # Whoosh's column of varied lengths
            data = column._dbfile.get(column._basepos, sum(column._lengths))
            stories = [data[o : o + n] for o, n in zip(column._offsets, column._lengths, strict=True)]
        else:
            stories = [bytes(column[d]) for d in range(part.doc_count_all())]
        column._newscli_stories = stories
    return column._newscli_stories  # type: ignore[no-any-return]


def keeps_lengths(part: Any, fieldname: str) -> bool:
    """Whether a part has its column of a field's lengths (Whoosh reads a missing one as zeros)."""
    return bool(part._perdoc.has_column(f"_{fieldname}_len"))
