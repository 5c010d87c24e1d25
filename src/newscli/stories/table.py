"""Stories as the catalog keeps them: each dated article's features and story, and the decisions.

In catalog.db beside the articles (not in the search index), so that stories can be made again
without reading the archive. An article indexed is written here unplaced (story NULL); `place`,
run after each index run, decides the stories of every article from the earliest one that is new,
changed or removed, taking up the work where the last run left it (placing.py: from the articles
of the weeks before), so that the stories are those a rebuild would make. What was decided before
that time stands: a story once merged stays merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from newscli.models import Article
from newscli.stories import features as featuring
from newscli.stories.placing import Placer, Row, Vote

if TYPE_CHECKING:
    import sqlite3

VERSION = 1  # of the features and of how they are placed: a catalog of another is told again

TABLES = (
    """CREATE TABLE IF NOT EXISTS told (
        id TEXT PRIMARY KEY, ts REAL NOT NULL, language TEXT NOT NULL, features TEXT NOT NULL,
        title TEXT NOT NULL, source TEXT, story TEXT, score REAL, near TEXT
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS told_by_time ON told (ts, id)",
    "CREATE INDEX IF NOT EXISTS told_by_story ON told (story, ts)",
    "CREATE TABLE IF NOT EXISTS told_votes (id TEXT NOT NULL, ts REAL NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS told_votes_by_time ON told_votes (ts)",
    """CREATE TABLE IF NOT EXISTS told_merges (
        story TEXT PRIMARY KEY, into_ TEXT NOT NULL, by TEXT NOT NULL, score REAL NOT NULL, ts REAL NOT NULL
    ) WITHOUT ROWID""",
    # When an article that was placed goes: the stories from its time on are decided again.
    "CREATE TABLE IF NOT EXISTS told_from (ts REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS told_settings (window REAL NOT NULL, version INTEGER NOT NULL)",
    """CREATE TRIGGER IF NOT EXISTS untold AFTER DELETE ON articles BEGIN
        INSERT INTO told_from SELECT ts FROM told WHERE id = old.id AND story IS NOT NULL;
        DELETE FROM told WHERE id = old.id;
    END""",
)


def create(db: sqlite3.Connection) -> None:
    for statement in TABLES:
        db.execute(statement)


def placed(db: sqlite3.Connection) -> bool:
    """Whether stories were placed here, by this version (not in a catalog made before stories, nor
    since they were turned off: then every article is told again)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'told_settings'").fetchone() is None:
        return False
    return db.execute("SELECT 1 FROM told_settings WHERE version = ?", (VERSION,)).fetchone() is not None


def reset(db: sqlite3.Connection) -> None:
    """Stories made anew, by this version's tables (before every article is told again)."""
    db.execute("DROP TRIGGER IF EXISTS untold")
    for table in ("told", "told_votes", "told_merges", "told_from", "told_settings"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    create(db)


def forget(db: sqlite3.Connection) -> None:
    """Stories are turned off: once on again, every article is told anew."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'told'").fetchone() is not None:
        db.execute("DELETE FROM told_settings")
        db.execute("DELETE FROM told")


def record(db: sqlite3.Connection, article: Article, when: float | None) -> None:
    """Keeps a dated article's features, to be placed in a story (an undated one has none)."""
    if when is None:
        return
    found = featuring.features(article.title, article.body, article.language)
    db.execute(
        "INSERT OR REPLACE INTO told (id, ts, language, features, title, source) VALUES (?, ?, ?, ?, ?, ?)",
        (article.id, when, article.language or "", featuring.encode(found), article.title, article.source),
    )


def place(db: sqlite3.Connection, window_days: float) -> int:
    """Decides the stories of what changed since the last time; returns how many articles were placed."""
    settings = db.execute("SELECT window, version FROM told_settings").fetchone()
    start: float | None
    if settings != (window_days, VERSION):
        start = -float("inf")
        db.execute("DELETE FROM told_settings")
        db.execute("INSERT INTO told_settings VALUES (?, ?)", (window_days, VERSION))
    else:
        start = db.execute(
            "SELECT min(ts) FROM (SELECT min(ts) AS ts FROM told WHERE story IS NULL UNION ALL"
            " SELECT min(ts) FROM told_from)"
        ).fetchone()[0]
        if start is None:
            return 0
    placer = Placer(window_days)
    window = placer.window
    votes: defaultdict[str, list[Vote]] = defaultdict(list)
    cast = db.execute("SELECT id, ts, a, b FROM told_votes WHERE ts >= ? AND ts < ?", (start - window, start))
    for id_, ts, a, b in cast:
        votes[id_].append(Vote(ts, a, b))
    first: dict[str, float] = {}
    for row, story in _rows(db, start - placer.memory, start):
        if story not in first:
            found = db.execute("SELECT ts FROM told WHERE id = ?", (story,)).fetchone()
            first[story] = found[0] if found else row.ts
        if row.ts >= start - window:
            placer.follow(row, story, first[story], tuple(votes.pop(row.id, ())))
        else:
            placer.follow(row, story, first[story])
    for table in ("told_votes", "told_merges"):
        db.execute(f"DELETE FROM {table} WHERE ts >= ?", (start,))
    decided = [placer.place(row) for row, _ in _rows(db, start, None)]
    for merge in placer.merges:
        db.execute("UPDATE told SET story = ? WHERE story = ?", (merge.into, merge.story))
        ts = db.execute("SELECT ts FROM told WHERE id = ?", (merge.by,)).fetchone()
        db.execute("INSERT OR REPLACE INTO told_merges VALUES (?, ?, ?, ?, ?)", (*merge, ts[0] if ts else start))
    db.executemany(
        "UPDATE told SET story = ?, score = ?, near = ? WHERE id = ?",
        [(placer.story_of(d.story), d.score, d.near, d.id) for d in decided],
    )
    db.executemany("INSERT INTO told_votes VALUES (?, ?, ?, ?)", [(i, *v) for i, v in placer.votes])
    db.execute("DELETE FROM told_from")
    return len(decided)


def _rows(db: sqlite3.Connection, start: float, end: float | None) -> Iterator[tuple[Row, str]]:
    """The articles from `start` (inclusive) to `end` (exclusive; None: all), in date order, with their story."""
    sql = (
        "SELECT t.id, t.ts, t.language, t.features, a.story, t.story FROM told t JOIN articles a ON a.id = t.id"
        " WHERE t.ts >= ?" + (" AND t.ts < ?" if end is not None else "") + " ORDER BY t.ts, t.id"
    )
    for id_, ts, language, features, copies, story in db.execute(sql, (start,) if end is None else (start, end)):
        yield Row(id_, ts, language, featuring.decode(features), copies), story
