"""The search engine: the interface every backend implements, and a factory that picks one.

The rest of newscli knows only this module. A backend is a subclass of `Engine`
in a package of its own below this one (`engine/whoosh/` today), the only code
that imports the library it wraps; `backend()` finds it by the name the config
file's `backend:` gives. The contract tests (tests/test_engine_contract.py) run
against every name in `BACKENDS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from newscli.errors import ConfigError

if TYPE_CHECKING:
    from newscli.models import (
        Article,
        Bucket,
        Filters,
        ListResult,
        Related,
        SearchRequest,
        SearchResult,
        Sort,
        Timeline,
    )
    from newscli.stats import Period

BACKENDS = ("whoosh",)


class Contents(NamedTuple):
    """What reading a whole index found: articles per file and per ID, and how many entries were read."""

    per_file: Counter[str]
    per_id: Counter[str]
    entries: int  # of the inverted index (postings), read to prove it readable
    problems: list[str]  # parts of the index found missing or inconsistent


class Writer(ABC):
    """A batch of changes to an index (see `Engine.writer`)."""

    @abstractmethod
    def add(self, article: Article, story: str) -> None:
        """Adds an article; `story` is the ID of the first copy of the story it tells (its own if none)."""

    @abstractmethod
    def delete_file(self, path: str) -> None:
        """Deletes every article of one file."""


class Engine(ABC):
    """An open index. Reading methods raise IndexError_ for an index that cannot be read."""

    name: ClassVar[str]
    # Of what the backend writes: an index made with another version is built again.
    version: ClassVar[int]
    folder: str  # where the index is

    @classmethod
    @abstractmethod
    def open(cls, folder: str) -> Engine:
        """The index kept in `folder`; IndexError_ if there is none, or it is damaged."""

    @classmethod
    @abstractmethod
    def create(cls, folder: str) -> Engine:
        """A new empty index in `folder`, replacing any it held."""

    @staticmethod
    @abstractmethod
    def exists(folder: str) -> bool:
        """Whether `folder` holds an index, readable or not (`open` says which)."""

    @abstractmethod
    def writer(self, expected_bytes: int = 0) -> AbstractContextManager[Writer]:
        """A batch of changes, committed on leaving the block and cancelled by an exception.

        `expected_bytes` is how much text the whole run will add: a backend may
        use more processes for a lot of it. A Ctrl-C in the block cancels the batch;
        one during the commit leaves the index as of the last complete commit.
        """

    @abstractmethod
    def count(self) -> int:
        """How many articles the index holds."""

    @abstractmethod
    def get(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def with_prefix(self, prefix: str, limit: int = 10) -> list[Article]:
        """Articles whose ID starts with `prefix`, at most `limit`."""

    @abstractmethod
    def in_file(self, path: str) -> list[Article]:
        """The articles of one file, in the order of their records."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def every(self, request: SearchRequest) -> Iterator[Article]:
        """Every article the request finds (its limit and page aside; copies not folded), in its order,
        read one at a time: as much memory for a million as for ten, but for their order.

        No text and no marks: every article the filters let through, newest (or oldest) first.
        """

    @abstractmethod
    def tally(self, request: SearchRequest, parts: Sequence[Filters] = ()) -> tuple[int, ...]:
        """How many articles the request finds, copies counted (`search`'s total with fold_copies=False),
        without ranking them; then how many of those each of `parts` lets through (`saved`: the unread
        ones, the new ones), from the same matches."""

    @abstractmethod
    def timeline(self, request: SearchRequest, by: Period) -> Timeline:
        """How many articles match the request in each period."""

    @abstractmethod
    def related(self, article: Article, limit: int) -> Related:
        """The articles most like one, and the words that make them so."""

    @abstractmethod
    def browse(self, filters: Filters, sort: Sort, limit: int) -> ListResult:
        """The articles that pass the filters, by date (newest first for RELEVANCE); limit 0: all."""

    @abstractmethod
    def stories(self) -> dict[str, list[Article]]:
        """Every story that more than one article tells, by its story ID."""

    @abstractmethod
    def sources(self, without: frozenset[str] = frozenset()) -> list[Bucket]:
        """Each outlet with its article count (not counting the articles `without`), most first.

        Spellings that differ only in case are one.
        """

    @abstractmethod
    def languages(self) -> list[Bucket]:
        """Each language (ISO 639-1) with its article count, most first; last, as "", the articles of no
        known language, if any."""

    @abstractmethod
    def contents(self) -> Contents:
        """Reads every stored article and every entry of the index, to prove all of it readable."""

    def close(self) -> None:  # noqa: B027  (most engines hold nothing to let go)
        """Lets go of what the engine holds open; it is not used afterwards."""

    def reopened(self) -> Engine:
        """The index as last committed, in an engine that keeps what this one kept for its searches
        (this one is closed)."""
        self.close()
        return type(self).open(self.folder)

    def warm(self) -> None:  # noqa: B027  (an engine may have nothing to read ahead)
        """Reads ahead what searches read of every article, for an engine kept open for many of them."""

    def learned(self) -> list[Any]:
        """What this process read for its searches that an engine kept open for many could keep
        for the next ones: JSON values, for `learn` in that engine's process."""
        return []

    def learn(self, learned: list[Any]) -> None:  # noqa: B027  (an engine may keep nothing)
        """Reads again and keeps what another process of this index's engine read (its `learned`)."""


def backend(name: str, *, plain: bool = False) -> type[Engine]:
    """The engine class of a backend, by the name the config file gives; `plain`: the backend uses its
    library's public API alone (slower), as for a library version newscli was not verified with."""
    if name == "whoosh":
        from newscli.engine.whoosh import WhooshEngine

        WhooshEngine.set_plain(plain)
        return WhooshEngine
    raise ConfigError(f"unknown search backend {name!r} (known: {', '.join(BACKENDS)})")
