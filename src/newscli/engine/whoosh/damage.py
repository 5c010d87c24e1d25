"""Telling a damaged index from other failures: Whoosh raises whatever its files' bytes lead to."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from newscli.errors import REBUILD_HINT, IndexError_, NewscliError, QueryError


class _InFolder(Protocol):
    folder: str


E = TypeVar("E", bound=_InFolder)
P = ParamSpec("P")
T = TypeVar("T")


def readable(method: Callable[Concatenate[E, P], T]) -> Callable[Concatenate[E, P], T]:
    """Reports a failure to read the index's files (missing, truncated, garbled) as a damaged index."""

    @wraps(method)
    def reading(self: E, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except NewscliError:
            raise
        except RecursionError:  # in matching a query nested too deep: the index is fine
            raise QueryError("the query is too complex", hint="use fewer words or parentheses") from None
        except Exception as e:
            if not _from_storage(e):
                raise
            detail = (
                f"{e.strerror}: {e.filename}" if isinstance(e, OSError) and e.filename else f"{type(e).__name__}: {e}"
            )
            raise IndexError_(f"the index in {self.folder} cannot be read ({detail})", hint=REBUILD_HINT) from e

    return reading


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
