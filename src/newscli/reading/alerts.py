"""What is new for each saved search: the matches that came into the index after its point.

Each article's arrival is kept in the index's catalog (indexing/catalog.py), and each
saved search's point in marks.db: the arrival up to which its matches have been seen.
Looking at a saved search (`saved new NAME`, `search @NAME`, `read @NAME`, opening it in
the reader) moves its point to the latest arrival read before the search ran, so an
article that comes in meanwhile is new the next time rather than never.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace

from newscli.engine import Engine
from newscli.errors import QueryError
from newscli.indexing.catalog import Catalog
from newscli.models import Article, Filters, SearchRequest, Sort
from newscli.reading import queries
from newscli.reading.marks import Marks

_ALONE = re.compile(r"\s*@(?P<name>[A-Za-z0-9][\w.-]*)\s*")


@dataclass(frozen=True, slots=True)
class New:
    """A saved search and its matches that came in after its point."""

    name: str
    query: str
    count: int = 0
    articles: tuple[Article, ...] = ()  # the newest first, as many as were asked for
    error: str | None = None  # why it cannot run (saved by an older newscli, naming a search removed since)


class Points:
    """The saved searches' points, and the articles that came in after the earliest of them.

    `after`: count only what came in after this too (a fetch's new items: those that came in
    after it began). `up_to`: the latest arrival the engine searched holds, when it was opened
    before now (the reader's): a look sees no further.
    """

    def __init__(self, marks: Marks, folder: str, after: float | None = None, up_to: float | None = None) -> None:
        self.marks, self.after = marks, after
        self.saved = marks.points()
        self._sets: dict[float, frozenset[str]] = {}
        floor = min((seen for _, seen in self.saved.values() if seen is not None), default=None)
        if after is not None:
            floor = after if floor is None else max(floor, after)
        latest, self.arrived = Catalog.arrivals(folder, floor)
        self.latest = latest if up_to is None else min(latest, up_to)
        for name, (query, seen) in self.saved.items():
            if seen is None:  # saved before points were kept: it starts from now
                marks.see(name, self.start)
                self.saved[name] = (query, self.start)

    @property
    def start(self) -> float:
        """The point of a search saved now: the latest arrival (now, for an index not made yet)."""
        return self.latest or time.time()

    def arrived_since(self, name: str) -> frozenset[str]:
        """The articles that came in after a saved search's point (one set for each point: saved searches
        share them)."""
        point = self.point(name)
        if point not in self._sets:
            self._sets[point] = frozenset(i for i, at in self.arrived.items() if at > point)
        return self._sets[point]

    def point(self, name: str) -> float:
        seen = self.saved[name][1] or 0.0
        return seen if self.after is None else max(seen, self.after)

    def new(self, engine: Engine, name: str, limit: int = 0) -> New:
        """What came in for one saved search after its point: how many, and the newest `limit` (0: all)."""
        query = self.saved[name][0]
        if not (ids := self.arrived_since(name)):
            return New(name, query)
        try:
            text, filters = queries.plain(query, Filters(), self.marks)
            filters = replace(filters, only_ids=ids if filters.only_ids is None else filters.only_ids & ids)
            request = SearchRequest(text, filters, Sort.NEWEST, limit=limit, fold_copies=False)
            count = engine.tally(request)[0]  # (most saved searches have nothing new: counted, not searched)
            if not count:
                return New(name, query, count)
            if text:
                return New(name, query, count, tuple(h.article for h in engine.search(request).hits))
            return New(name, query, count, engine.browse(filters, Sort.NEWEST, limit).articles)
        except QueryError as e:
            return New(name, query, error=e.message)

    def every(self, engine: Engine, limit: int = 0) -> list[New]:
        return [self.new(engine, name, limit) for name in self.saved]

    def look(self, name: str) -> None:
        """The saved search has been looked at: what came in up to now is seen."""
        if name in self.saved:
            self.marks.see(name, self.start)


def start(folder: str) -> float:
    """The point of a search saved now: the latest arrival in the index (now, for an index not made yet)."""
    return Catalog.arrivals(folder)[0] or time.time()


def looked_at(text: str) -> str | None:
    """The saved search a query is, when it is one alone (`@NAME`): looking at it moves its point."""
    found = _ALONE.fullmatch(text)
    return found["name"] if found else None


@dataclass(frozen=True, slots=True)
class Command:
    """An alert command to run for one saved search: its arguments, and the JSON it reads on stdin."""

    name: str  # the saved search's
    argv: tuple[str, ...]
    stdin: bytes
    count: int


def notify(commands: list[Command], deadline: float, environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """Runs the alert commands side by side, each with the deadline; what went wrong, by saved search.

    No shell runs them (unless one is the command). A command that outlives the deadline is
    killed with what it started (its own process group); one that fails is reported with the
    last line it wrote on stderr. None of this fails the caller.
    """
    problems: dict[str, str] = {}

    def run(command: Command) -> None:
        env = {**environ, "NEWSCLI_SAVED": command.name, "NEWSCLI_NEW": str(command.count)}
        with tempfile.TemporaryFile() as said:
            try:
                process = subprocess.Popen(
                    command.argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=said,
                    env=env,
                    start_new_session=True,
                )
            except OSError as e:
                problems[command.name] = f"cannot run {command.argv[0]}: {e.strerror or e}"
                return
            try:
                process.communicate(command.stdin, timeout=deadline)
            except subprocess.TimeoutExpired:
                with suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                with suppress(OSError):
                    process.stdin.close()  # type: ignore[union-attr]
                problems[command.name] = f"{command.argv[0]} was stopped after {deadline:g} s"
                return
            if process.returncode:
                said.seek(max(0, said.seek(0, os.SEEK_END) - 4096))
                last = said.read().decode("utf-8", "replace").strip().splitlines()
                why = f": {last[-1]}" if last else ""
                status = f"exit status {process.returncode}" if process.returncode > 0 else "killed"
                problems[command.name] = f"{command.argv[0]} failed ({status}){why}"

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in commands]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [(c.name, problems[c.name]) for c in commands if c.name in problems]
