"""What the indexer looks up while it writes: each file it read, each article's file and story, and its copy keys.

Kept in SQLite beside the Whoosh index (`catalog.db`), because asking
Whoosh costs a term lookup in every segment, and a large index has dozens of
segments: at 300,000 articles these lookups took longer than the writing. And
because the signatures of 300,000 files, held in memory, would make an index run
need more memory the larger the archive. The catalog is committed right after
each Whoosh commit; a run stopped between the two leaves articles of files the
catalog does not know, which the next run reads again, replacing their articles
in the index.
"""

from __future__ import annotations

import json
import os
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from typing import TYPE_CHECKING, Any, NamedTuple

from newscli.archive import Scope, Signature
from newscli.errors import REBUILD_HINT, IndexError_, converting
from newscli.models import Article, Skipped
from newscli.stories import table as told

if TYPE_CHECKING:
    import sqlite3  # imported when first used: a search that finds the index up to date never needs it

FILE = "catalog.db"
_TABLES = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, path BLOB NOT NULL, record INTEGER, story TEXT NOT NULL, sketch BLOB, ts REAL
);
CREATE INDEX articles_by_path ON articles (path);
CREATE TABLE keys (key INTEGER NOT NULL, article INTEGER NOT NULL);
CREATE INDEX keys_by_key ON keys (key, article);
CREATE INDEX keys_by_article ON keys (article);
CREATE TRIGGER forget_keys AFTER DELETE ON articles BEGIN DELETE FROM keys WHERE article = old.rowid; END;
CREATE TABLE arrivals (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX arrivals_by_time ON arrivals (at);
CREATE TABLE files (
    path BLOB PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, context TEXT NOT NULL,
    articles INTEGER NOT NULL, skipped TEXT, digest TEXT
) WITHOUT ROWID;
"""
# Made when first written, as earlier catalogs lack them: the archive's roots, and the articles
# newest first (for completing an ID from its first character: `complete.article_ids`).
_LATER = (
    "CREATE TABLE IF NOT EXISTS roots (path TEXT PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS articles_by_time ON articles (ts IS NULL, ts DESC, id)",
)
# When each article first came into the index (its arrival: what is new for a saved search). Kept
# when its file is read again and when the index is rebuilt; a catalog made before arrivals were
# kept counts its articles as arrived at the epoch, long seen.
_ARRIVALS = (
    "CREATE TABLE arrivals (id TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID",
    "CREATE INDEX arrivals_by_time ON arrivals (at)",
    "INSERT INTO arrivals SELECT id, 0 FROM articles",
)
_RECORD = "size, mtime_ns, context, articles, skipped, digest"  # a FileRecord's columns
PER_KEY = 50  # articles under one key that are considered
CANDIDATES = 20  # of those, the ones sharing the most keys with a new article


class FileRecord(NamedTuple):
    """What the index holds of one file: the signature it was read with, and what came of it."""

    size: int
    mtime_ns: int
    context: str
    articles: int
    skipped: list[Skipped]  # what of the file was not indexed, and why
    digest: str | None  # of the bytes read

    @property
    def signature(self) -> Signature:
        return Signature(self.size, self.mtime_ns, self.context)

    @property
    def passing(self) -> bool:
        """Whether something was skipped for a reason that can pass: then `newscli index` reads the file again."""
        return any(s.passing for s in self.skipped)


class Candidate(NamedTuple):
    """An article that may tell the same story as a new one."""

    story: str
    sketch: array[int]
    when: float | None


def _sqlite(catalog: Catalog, error: Exception) -> IndexError_ | None:
    """SQLite's errors as newscli's: a damaged file, or one that cannot be written."""
    import sqlite3

    return catalog._trouble(error) if isinstance(error, sqlite3.DatabaseError) else None


_reported = converting(_sqlite)


class Catalog:
    """An open catalog; changes are made inside `batch()` blocks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.telling = True  # whether articles are kept for stories (story_window_days: 0 turns them off)
        self._db: sqlite3.Connection | None = None

    @classmethod
    def open(cls, folder: str) -> Catalog:
        catalog = cls(os.path.join(folder, FILE))
        catalog._connect()
        return catalog

    @classmethod
    def create(cls, folder: str) -> Catalog:
        """A new empty catalog, replacing any the folder held; made aside and moved in whole."""
        path = os.path.join(folder, FILE)
        made = cls(f"{path}.{os.getpid()}")
        made._connect(empty=True)
        made._create()
        made.close()
        with suppress(FileNotFoundError):
            os.remove(path + "-journal")  # else SQLite would apply an old run's journal to the new file
        made._keep_arrivals(path)
        os.replace(made.path, path)
        return cls.open(folder)

    def _keep_arrivals(self, earlier: str) -> None:
        """Copies the arrivals of the catalog this one replaces (a rebuilt index keeps what was new)."""
        import sqlite3

        if not os.path.exists(earlier):
            return
        with closing(sqlite3.connect(self.path, isolation_level=None)) as db:
            try:
                db.execute("ATTACH ? AS earlier", (earlier,))
            except sqlite3.Error:
                return
            with suppress(sqlite3.Error):  # a damaged catalog, or one of before arrivals: nothing to keep
                db.execute("INSERT OR IGNORE INTO arrivals SELECT id, at FROM earlier.arrivals")

    @staticmethod
    def exists(folder: str) -> bool:
        return os.path.exists(os.path.join(folder, FILE))

    @classmethod
    def recorded_roots(cls, folder: str) -> list[str]:
        """The archive's roots as the catalog keeps them, beside the manifest; none if it cannot say."""
        import sqlite3

        if not cls.exists(folder):
            return []
        try:
            uri = f"file:{os.path.join(folder, FILE)}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as db:
                return [str(path) for (path,) in db.execute("SELECT path FROM roots ORDER BY rowid")]
        except sqlite3.Error:
            return []

    @classmethod
    def arrivals(cls, folder: str, after: float | None = None) -> tuple[float, dict[str, float]]:
        """When the latest article came into the index (0: none known), and when each that came after
        `after` did (None: none asked for); read alone, beside an index that may be being written."""
        import sqlite3

        if not cls.exists(folder):
            return 0.0, {}
        try:
            uri = f"file:{os.path.join(folder, FILE)}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True, timeout=30)) as db:
                latest = db.execute("SELECT max(at) FROM arrivals").fetchone()[0] or 0.0
                if after is None:
                    return float(latest), {}
                return float(latest), dict(db.execute("SELECT id, at FROM arrivals WHERE at > ?", (after,)))
        except sqlite3.Error:  # a catalog made before arrivals were kept, or damaged (a search says so)
            return 0.0, {}

    @_reported
    def record_roots(self, roots: list[str]) -> None:
        for statement in _LATER:
            self.db.execute(statement)
        told.create(self.db)
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'arrivals'").fetchone():
            for statement in _ARRIVALS:
                self.db.execute(statement)
        self.db.execute("DELETE FROM roots")
        self.db.executemany("INSERT INTO roots VALUES (?)", [(root,) for root in roots])

    @classmethod
    def in_memory(cls) -> Catalog:
        catalog = cls(":memory:")
        catalog._connect(empty=True)
        catalog._create()
        return catalog

    @_reported
    def _connect(self, empty: bool = False) -> None:
        import sqlite3

        self._db = sqlite3.connect(self.path, isolation_level=None)
        # Reads the header and the schema: a garbled or truncated file fails here.
        tables = self._db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
        if not tables and not empty:
            raise sqlite3.DatabaseError("it has no tables")

    def _trouble(self, e: sqlite3.DatabaseError) -> IndexError_:
        """SQLite's error as newscli's: a damaged file, or one that cannot be written."""
        import sqlite3

        if isinstance(e, sqlite3.OperationalError):  # read-only, full disk, locked
            return IndexError_(f"cannot use the index's catalog {self.path} ({e})")
        return IndexError_(f"the index's catalog {self.path} is damaged ({e})", hint=REBUILD_HINT)

    def _each(self, sql: str) -> Iterator[tuple[Any, ...]]:
        """The rows a query finds, read one at a time."""
        import sqlite3

        try:
            yield from self.db.execute(sql)
        except sqlite3.DatabaseError as e:
            raise self._trouble(e) from e

    def _record(self, row: tuple[Any, ...]) -> FileRecord:
        import sqlite3

        size, mtime_ns, context, articles, skipped, digest = row
        try:
            # Each as [where, reason], and 1 after them if the reason can pass.
            skips = [Skipped(s[0], s[1], passing=len(s) > 2 and bool(s[2])) for s in json.loads(skipped or "[]")]
            return FileRecord(size, mtime_ns, context, articles, skips, digest)
        except (ValueError, IndexError, TypeError, KeyError) as e:
            raise self._trouble(sqlite3.DatabaseError(f"a file's record is garbled: {e}")) from e

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @_reported
    def _create(self) -> None:
        with self.batch():
            for statement in _TABLES.split(";\n"):
                if statement.strip():
                    self.db.execute(statement)
            told.create(self.db)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Changes committed together on leaving the block, and dropped if it raises."""
        self._run("BEGIN")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite ends it itself on some errors (a full disk)
                self._run("ROLLBACK")
            raise
        self._run("COMMIT")

    @_reported
    def _run(self, statement: str) -> None:
        self.db.execute(statement)

    @_reported
    def owner(self, article_id: str) -> Article | None:
        """Where the article with this ID is: an Article with only its ID, path and record."""
        row = self.db.execute("SELECT path, record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return (
            None if row is None else Article(id=article_id, title="", body="", path=os.fsdecode(row[0]), record=row[1])
        )

    @_reported
    def candidates(self, keys: Sequence[int]) -> list[Candidate]:
        """The articles sharing the most of these copy keys, most first (see dupes.py)."""
        # The earliest articles under each key: a key that thousands share (boilerplate, a
        # story copied thousands of times) costs no more than a rare one.
        per_key = " UNION ALL ".join(
            ["SELECT * FROM (SELECT article FROM keys WHERE key = ? ORDER BY article LIMIT ?)"] * len(keys)
        )
        rows = self.db.execute(
            f"SELECT a.story, a.sketch, a.ts FROM ({per_key}) JOIN articles a ON a.rowid = article"
            " GROUP BY article ORDER BY count(*) DESC, article LIMIT ?",
            (*[v for k in keys for v in (k, PER_KEY)], CANDIDATES),
        )
        found = []
        for story, stored, ts in rows:
            sketch = array("I")
            sketch.frombytes(stored)
            found.append(Candidate(str(story), sketch, ts))
        return found

    @_reported
    def add(
        self, article: Article, story: str, sketch: array[int] | None, keys: Sequence[int], when: float | None
    ) -> None:
        """Records an article with its copy keys; one with the same ID (of a file being replaced) makes way."""
        import sqlite3

        row = (
            article.id,
            os.fsencode(article.path),
            article.record,
            story,
            None if sketch is None else sketch.tobytes(),
            when,
        )
        insert = "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)"
        try:
            rowid = self.db.execute(insert, row).lastrowid
        except sqlite3.IntegrityError:
            self.db.execute("DELETE FROM articles WHERE id = ?", (article.id,))
            rowid = self.db.execute(insert, row).lastrowid
        self.db.executemany("INSERT INTO keys VALUES (?, ?)", [(k, rowid) for k in keys])
        self.db.execute("INSERT OR IGNORE INTO arrivals VALUES (?, ?)", (article.id, time.time()))
        if self.telling:
            told.record(self.db, article, when)

    @_reported
    def tells(self) -> bool:
        """Whether the catalog keeps stories (one made before them does not, nor one while they were off)."""
        return told.placed(self.db)

    @_reported
    def retell(self) -> None:
        """Stories made anew: every article is to be told again (`tell`) and placed."""
        told.reset(self.db)

    @_reported
    def tell(self, article: Article, when: float | None) -> None:
        """Keeps an article's features for its story, as `add` does (for an article indexed before stories were)."""
        told.record(self.db, article, when)

    @_reported
    def place_stories(self, window_days: float) -> int:
        """Places in stories the articles added, changed or removed since the last time (stories/table.py);
        with a window of 0 (stories off), forgets them."""
        if window_days <= 0:
            told.forget(self.db)
            return 0
        return told.place(self.db, window_days)

    @_reported
    def delete_file(self, path: str) -> None:
        """Forgets a file and its articles."""
        self.db.execute("DELETE FROM articles WHERE path = ?", (os.fsencode(path),))
        self.db.execute("DELETE FROM files WHERE path = ?", (os.fsencode(path),))

    @_reported
    def record_file(self, path: str, record: FileRecord) -> None:
        skips = [[s.where, s.reason, 1] if s.passing else [s.where, s.reason] for s in record.skipped]
        skipped = json.dumps(skips, ensure_ascii=False) if skips else None
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            (os.fsencode(path), *record[:4], skipped, record.digest),
        )

    @_reported
    def retime(self, path: str, mtime_ns: int) -> None:
        self.db.execute("UPDATE files SET mtime_ns = ? WHERE path = ?", (mtime_ns, os.fsencode(path)))

    def records(self) -> Iterator[tuple[bytes, FileRecord]]:
        """Every file's record, with its path as stored, in order of path.

        Read 500 at a time, so that the records before those read may be written meanwhile.
        """
        after = b""
        while True:
            rows = self._records_after(after)
            for row in rows:
                yield row[0], self._record(row[1:])
            if len(rows) < 500:
                return
            after = rows[-1][0]

    def records_in(self, scope: Scope) -> list[tuple[bytes, FileRecord]]:
        """The records of the files a walk with this scope looks at, in order of path."""
        found = {}
        for folder, whole in scope.items():
            low = os.fsencode(folder.rstrip(os.sep) + os.sep)
            for row in self._records_below(low, low[:-1] + bytes([low[-1] + 1]), whole):
                found[row[0]] = self._record(row[1:])
        return sorted(found.items())

    def signatures_in(self, scope: Scope) -> list[tuple[str, int, int, str]]:
        """The path, size, time and context of each file a walk with this scope looks at."""
        return [(os.fsdecode(p), r.size, r.mtime_ns, r.context) for p, r in self.records_in(scope)]

    @_reported
    def _records_below(self, low: bytes, high: bytes, whole: bool) -> list[tuple[Any, ...]]:
        """The records of the files below a folder (`low`: its path and a separator); not whole: in it alone."""
        # A folder's own files only: the rest of the path holds no separator. SQLite tells, not Python:
        # an archive's top folder, whose files alone a change in it concerns, holds every file below.
        alone = "" if whole else "AND instr(substr(path, ?), ?) = 0"
        return self.db.execute(
            f"SELECT path, {_RECORD} FROM files WHERE path >= ? AND path < ? {alone} ORDER BY path",
            (low, high) if whole else (low, high, len(low) + 1, os.sep.encode()),
        ).fetchall()

    @_reported
    def _records_after(self, after: bytes) -> list[tuple[Any, ...]]:
        return self.db.execute(
            f"SELECT path, {_RECORD} FROM files WHERE path > ? ORDER BY path LIMIT 500", (after,)
        ).fetchall()

    def signatures(self) -> Iterator[tuple[str, int, int, str]]:
        """The path, size, time and context of every file the index holds, in order of path."""
        for path, size, mtime_ns, context in self._each(
            "SELECT path, size, mtime_ns, context FROM files ORDER BY path"
        ):
            yield os.fsdecode(path), size, mtime_ns, context

    @_reported
    def per_file(self) -> dict[str, int]:
        """Articles per file, counted one by one."""
        return {os.fsdecode(p): n for p, n in self.db.execute("SELECT path, count(*) FROM articles GROUP BY path")}
