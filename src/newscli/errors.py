"""The errors newscli reports to its user, each a one-line message."""

from __future__ import annotations


class NewscliError(Exception):
    """Base class: a problem newscli can explain without a traceback."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(NewscliError):
    """Nothing matched: an unknown ID, a query without hits."""

    exit_code = 1


class ConfigError(NewscliError):
    """A config file or folder defaults file that cannot be used."""


class ArticleError(NewscliError):
    """An article that cannot be read; the indexer skips it with this reason."""


class QueryError(NewscliError):
    """A query or filter that cannot be understood."""


class IndexError_(NewscliError):
    """A missing, locked or damaged index."""
