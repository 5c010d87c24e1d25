"""Telling a damaged index from other failures: Whoosh raises whatever its files' bytes lead to."""

from __future__ import annotations

import os
from typing import Any

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
