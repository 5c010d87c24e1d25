"""Marks (read, starred, labels) and saved searches, by article ID, in marks.db of the data folder.

Every change is committed when made, so a crash loses none. The index may be
rebuilt or moved and files re-indexed: IDs stay, and so do their marks.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from newscli.config import data_dir
from newscli.errors import NewscliError
from newscli.folders import private
from newscli.safe import CONTROLS, control

SCHEMA = """
CREATE TABLE IF NOT EXISTS marks (
    id TEXT PRIMARY KEY, read INTEGER NOT NULL DEFAULT 0, starred INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '[]', changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS saved (name TEXT PRIMARY KEY, query TEXT NOT NULL, seen REAL);
"""
# A saved search's point: the arrival in the index up to which its matches have been seen
# (reading/alerts.py). NULL in a marks.db of before points were kept: it starts from the next look.
_SEEN = "ALTER TABLE saved ADD COLUMN seen REAL"
LABEL = re.compile(f'[^\\s,()"{CONTROLS}]+')
# A row's labels as SQL reads them: a row whose labels are not JSON (a damaged file) has none.
_LABELS = "json_each(CASE WHEN json_valid(marks.labels) THEN marks.labels ELSE '[]' END)"
NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(slots=True)
class Mark:
    read: bool = False
    starred: bool = False
    labels: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {"read": self.read, "starred": self.starred, "labels": self.labels}


def path() -> Path:
    return data_dir() / "marks.db"


P = ParamSpec("P")
R = TypeVar("R")


def _named(method: Callable[Concatenate[Marks, P], R]) -> Callable[Concatenate[Marks, P], R]:
    """A failure of marks.db (locked too long, damaged, of another schema) as one line naming the file."""

    def named(self: Marks, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            raise NewscliError(f"cannot use the marks in {self.file} ({e})") from None

    named.__doc__ = method.__doc__
    return named


class Marks:
    def __init__(self, file: Path | None = None) -> None:
        self.file = file or path()
        try:
            private(str(self.file.parent))
            self.db = sqlite3.connect(self.file, timeout=30, isolation_level=None)
            os.chmod(self.file, 0o600)  # what a person read and starred is theirs alone
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
            if "seen" not in {row[1] for row in self.db.execute("PRAGMA table_info(saved)")}:
                self.db.execute(_SEEN)
        except (OSError, sqlite3.DatabaseError) as e:
            raise NewscliError(f"cannot use the marks in {self.file} ({e})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Marks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_named
    def get(self, ids: Iterable[str]) -> dict[str, Mark]:
        """The marks of these articles (those without any are left out)."""
        wanted = list(ids)
        found = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows = self.db.execute(
                f"SELECT id, read, starred, labels FROM marks WHERE id IN ({','.join('?' * len(part))})", part
            )
            found.update({row[0]: Mark(bool(row[1]), bool(row[2]), _labels(row[3])) for row in rows})
        return found

    @_named
    def mark(
        self,
        ids: Iterable[str],
        *,
        read: bool | None = None,
        starred: bool | None = None,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> int:
        """Changes the marks of these articles, in one transaction; how many there were."""
        ids = list(dict.fromkeys(ids))
        add, remove = [check_label(x) for x in add], set(remove)
        now = time.time()
        current = self.get(ids)
        with self._transaction():
            for article in ids:
                mark = current.get(article, Mark())
                mark.read = mark.read if read is None else read
                mark.starred = mark.starred if starred is None else starred
                mark.labels = [x for x in dict.fromkeys(mark.labels + add) if x not in remove]
                self._put(article, mark, now)
        return len(ids)

    def _put(self, article: str, mark: Mark, now: float) -> None:
        if not (mark.read or mark.starred or mark.labels):
            self.db.execute("DELETE FROM marks WHERE id = ?", (article,))
            return
        self.db.execute(
            "INSERT OR REPLACE INTO marks (id, read, starred, labels, changed) VALUES (?, ?, ?, ?, ?)",
            (article, int(mark.read), int(mark.starred), json.dumps(mark.labels, ensure_ascii=False), now),
        )

    @_named
    def ids(self, *, read: bool | None = None, starred: bool | None = None, label: str | None = None) -> set[str]:
        """The IDs of the articles marked so."""
        if label is not None:
            labelled = f"SELECT marks.id FROM marks, {_LABELS} WHERE json_each.value = ?"
            rows = self.db.execute(labelled, (label,))
        elif read is not None:
            rows = self.db.execute("SELECT id FROM marks WHERE read = ?", (int(read),))
        else:
            rows = self.db.execute("SELECT id FROM marks WHERE starred = ?", (int(bool(starred)),))
        return {row[0] for row in rows}

    @_named
    def labels(self) -> dict[str, int]:
        """Every label, with how many articles carry it."""
        rows = self.db.execute(f"SELECT json_each.value, count(*) FROM marks, {_LABELS} GROUP BY 1 ORDER BY 1")
        return dict(rows.fetchall())

    def every(self) -> Iterator[tuple[str, Mark]]:
        try:
            for row in self.db.execute("SELECT id, read, starred, labels FROM marks ORDER BY id"):
                yield row[0], Mark(bool(row[1]), bool(row[2]), _labels(row[3]))
        except sqlite3.DatabaseError as e:
            raise NewscliError(f"cannot use the marks in {self.file} ({e})") from None

    @_named
    def replace(self, marks: Iterable[tuple[str, Mark]]) -> int:
        """Sets these articles' marks as given (an import), in one transaction."""
        now, n = time.time(), 0
        with self._transaction():
            for article, mark in marks:
                self._put(article, mark, now)
                n += 1
        return n

    @_named
    def forget(self, ids: Iterable[str]) -> None:
        with self._transaction():
            for article in ids:
                self.db.execute("DELETE FROM marks WHERE id = ?", (article,))

    @_named
    def saved(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT name, query FROM saved ORDER BY name").fetchall())

    @_named
    def points(self) -> dict[str, tuple[str, float | None]]:
        """Each saved search's query and point (None: none yet)."""
        rows = self.db.execute("SELECT name, query, seen FROM saved ORDER BY name")
        return {name: (query, seen) for name, query, seen in rows}

    @_named
    def save(self, name: str, query: str, seen: float) -> None:
        """Saves a search; a new one, or one whose query changes, has seen up to `seen`."""
        if not NAME.fullmatch(name):
            raise NewscliError(f"a saved search's name is letters, digits, '.', '_' and '-' (not {name!r})")
        if (found := control(query)) is not None:
            raise NewscliError(f"a saved search's query holds a control character ({found})")
        self.db.execute(
            "INSERT INTO saved (name, query, seen) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET query ="
            " excluded.query, seen = CASE WHEN saved.query = excluded.query THEN saved.seen ELSE excluded.seen END",
            (name, query, seen),
        )

    @_named
    def see(self, name: str, seen: float) -> None:
        """Moves a saved search's point forward to `seen` (never back)."""
        self.db.execute("UPDATE saved SET seen = ? WHERE name = ? AND (seen IS NULL OR seen < ?)", (seen, name, seen))

    @_named
    def unsave(self, name: str) -> bool:
        return self.db.execute("DELETE FROM saved WHERE name = ?", (name,)).rowcount > 0

    def _transaction(self) -> Any:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def _labels(raw: object) -> list[str]:
    """A row's labels; a row damaged outside newscli (not JSON, not a list of text) keeps what is text."""
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return []
    return [x for x in value if isinstance(x, str)] if isinstance(value, list) else []


def check_label(label: str) -> str:
    if not LABEL.fullmatch(label):
        raise NewscliError(
            f"a label is one word without commas, quotes, parentheses or control characters (not {label!r})"
        )
    return label
