"""The errors newscli reports to its user, each a one-line message, and its exit statuses."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from functools import wraps
from typing import Any, NoReturn, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


class ExitStatus(IntEnum):
    """How a newscli process ends, as grep and ripgrep end."""

    SUCCESS = 0
    NO_MATCH = 1  # nothing matched, nothing found; `index --check`: the index disagrees with the archive
    SOME_FAILED = 1  # `fetch`: a feed failed (the others were fetched)
    ERROR = 2  # a usage error, or any failure
    INTERRUPTED = 130  # Ctrl-C, as a shell reports it (128 + SIGINT)


REBUILD_HINT = "run `newscli index --rebuild` to build the index again"


class NewscliError(Exception):
    """Base class: a problem newscli can explain without a traceback."""

    exit_code = ExitStatus.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(NewscliError):
    """Nothing matched: an unknown ID, a query without hits."""

    exit_code = ExitStatus.NO_MATCH


class ConfigError(NewscliError):
    """A config file or folder defaults file that cannot be used."""


class ArticleError(NewscliError):
    """An article that cannot be read; the indexer skips it with this reason."""


class QueryError(NewscliError):
    """A query or filter that cannot be understood."""


class IndexError_(NewscliError):
    """A missing, locked or damaged index."""


_GENERATOR = 0x20  # inspect.CO_GENERATOR, without importing inspect at start-up


def converting(convert: Callable[[Any, Exception], NewscliError | None]) -> Callable[[F], F]:
    """A method's failures as newscli's: `convert(self, error)` gives the error to raise, or None to let it be.

    For the stores newscli reads (the index, its catalog), whose libraries raise
    whatever their files' bytes lead to.
    """

    def decorate(method: F) -> F:
        def raised(self: Any, e: Exception) -> NoReturn:
            if isinstance(e, NewscliError) or (error := convert(self, e)) is None:
                raise e
            raise error from e

        @wraps(method)
        def converted(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as e:
                raised(self, e)

        @wraps(method)
        def converted_each(self: Any, /, *args: Any, **kwargs: Any) -> Any:  # a generator's, as it is read
            try:
                yield from method(self, *args, **kwargs)
            except Exception as e:
                raised(self, e)

        return cast(F, converted_each if method.__code__.co_flags & _GENERATOR else converted)

    return decorate
