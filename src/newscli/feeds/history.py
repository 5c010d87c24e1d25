"""What was fetched: each feed's last answer and failures, and each item's file, in a SQLite database.

It lives in the data folder beside the feeds folder, outside the index, so that
`index --rebuild` keeps it. An item whose file the user deleted stays as a tombstone,
so that it is not fetched again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from newscli.errors import NewscliError
from newscli.folders import private

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, modified TEXT, status TEXT, failures INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0, fetched_at REAL, error TEXT, new INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    source TEXT NOT NULL, key TEXT NOT NULL, feed TEXT NOT NULL, path TEXT NOT NULL, hash TEXT NOT NULL,
    gone INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (source, key)
);
"""
BACKOFF = 600.0  # seconds after a first failure; doubled for each more, up to a day
MAX_BACKOFF = 86400.0


@dataclass(slots=True)
class FeedState:
    url: str
    etag: str | None = None
    modified: str | None = None
    status: str | None = None  # "ok", "not modified", "error"
    failures: int = 0
    next_at: float = 0.0
    fetched_at: float | None = None
    error: str | None = None
    new: int = 0


@dataclass(slots=True)
class Known:
    feed: str
    path: str
    hash: str
    gone: bool


class History:
    def __init__(self, file: Path) -> None:
        self.file = file
        private(str(file.parent))
        try:
            self.db = sqlite3.connect(file, timeout=30, isolation_level=None, check_same_thread=False)
            os.chmod(file, 0o600)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as e:
            raise NewscliError(f"cannot use the feeds' state in {file} ({e})") from None

    def close(self) -> None:
        self.db.close()

    def feed(self, url: str) -> FeedState:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedState(*row) if row else FeedState(url)

    def save(self, s: FeedState) -> None:
        self.db.execute(
            f"INSERT OR REPLACE INTO feeds ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (s.url, s.etag, s.modified, s.status, s.failures, s.next_at, s.fetched_at, s.error, s.new),
        )

    def failed(self, s: FeedState, error: str, retry_at: float | None = None) -> None:
        s.failures += 1
        s.status, s.error, s.new, s.fetched_at = "error", error, 0, time.time()
        s.next_at = retry_at or time.time() + min(MAX_BACKOFF, BACKOFF * 2 ** (s.failures - 1))
        self.save(s)

    def moved(self, old: str, new: str) -> None:
        self.db.execute("UPDATE OR REPLACE feeds SET url = ? WHERE url = ?", (new, old))
        self.db.execute("UPDATE items SET feed = ? WHERE feed = ?", (new, old))

    def forget(self, url: str) -> list[str]:
        """Drops a feed; the paths of the files its items were written to."""
        paths = [row[0] for row in self.db.execute("SELECT path FROM items WHERE feed = ? AND gone = 0", (url,))]
        self.db.execute("DELETE FROM items WHERE feed = ?", (url,))
        self.db.execute("DELETE FROM feeds WHERE url = ?", (url,))
        return paths

    def item(self, source: str, key: str) -> Known | None:
        row = self.db.execute(
            "SELECT feed, path, hash, gone FROM items WHERE source = ? AND key = ?", (source, key)
        ).fetchone()
        return Known(row[0], row[1], row[2], bool(row[3])) if row else None

    def record(self, source: str, key: str, feed: str, path: str, digest: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO items (source, key, feed, path, hash, gone) VALUES (?, ?, ?, ?, ?, 0)",
            (source, key, feed, path, digest),
        )

    def bury(self, source: str, key: str) -> None:
        self.db.execute("UPDATE items SET gone = 1 WHERE source = ? AND key = ?", (source, key))


_COLUMNS = "url, etag, modified, status, failures, next_at, fetched_at, error, new"
