"""Reading stories from the catalog: which stories, their articles, their first report and title."""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newscli.errors import REBUILD_HINT, IndexError_, converting
from newscli.stories.features import decode

if TYPE_CHECKING:
    import sqlite3

_COLUMNS = "t.id, t.ts, t.title, t.source, t.story, t.score, t.near, t.features, a.story"
_FROM = "FROM told t JOIN articles a ON a.id = t.id"
_MANY = 500  # IDs asked for in one statement


@dataclass(frozen=True, slots=True)
class Told:
    """An article of a story, as the catalog keeps it."""

    id: str
    ts: float
    title: str
    source: str | None
    story: str
    score: float | None  # its similarity with the article it was most like; None: it began the story, or is a copy
    near: str | None  # that article; for a copy, the ID its copies share; None: it began the story
    features: str
    copies: str  # the ID its copies share (its own if none)

    @property
    def outlet(self) -> str:
        return (self.source or "").strip() or "unknown outlet"


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    articles: tuple[Told, ...]  # in time order

    @property
    def first(self) -> Told:
        return self.articles[0]

    @property
    def latest(self) -> Told:
        return self.articles[-1]

    @property
    def outlets(self) -> list[str]:
        """Its outlets, in the order they first reported it (spellings differing in case are one)."""
        seen: dict[str, str] = {}
        for a in self.articles:
            seen.setdefault(a.outlet.casefold(), a.outlet)
        return list(seen.values())

    @property
    def central(self) -> Told:
        """The article most like the story as a whole (cosine of its features with their sum): its title
        is the story's."""
        features = [decode(a.features) for a in self.articles]
        total: Counter[str] = Counter()
        for f in features:
            total.update(f)
        norm = math.sqrt(sum(v * v for v in total.values())) or 1.0

        def likeness(pair: tuple[Told, dict[str, int]]) -> float:
            own = pair[1]
            size = math.sqrt(sum(v * v for v in own.values())) or 1.0
            return sum(v * total[f] for f, v in own.items()) / (size * norm)

        return max(zip(self.articles, features, strict=True), key=likeness)[0]

    @property
    def title(self) -> str:
        return self.central.title

    def rank(self) -> tuple[int, int, float, str]:
        """Most outlets first, then most articles, then the newest."""
        return -len(self.outlets), -len(self.articles), -self.latest.ts, self.id


def connect(folder: str) -> sqlite3.Connection:
    """The catalog, read-only; IndexError_ if it cannot be read or was made before stories were kept."""
    import sqlite3

    path = os.path.join(folder, "catalog.db")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'told'").fetchone() is None:
            db.close()
            raise IndexError_(f"the index in {folder} has no stories yet", hint="run `newscli index`")
    except sqlite3.Error as e:
        raise IndexError_(f"cannot read the index's catalog {path} ({e})", hint=REBUILD_HINT) from None
    return db


def _trouble(db: sqlite3.Connection, e: Exception) -> IndexError_ | None:
    import sqlite3

    if not isinstance(e, sqlite3.Error):
        return None
    return IndexError_(f"cannot read the stories in the index's catalog ({e})", hint=REBUILD_HINT)


_reading = converting(_trouble)  # SQLite's errors (a damaged catalog) as newscli's


@_reading
def stories(
    db: sqlite3.Connection,
    *,
    since: float | None = None,
    until: float | None = None,
    ids: Iterable[str] | None = None,
    limit: int = 0,
) -> list[Story]:
    """The stories told between `since` and `until` (None: no bound), as told then, ranked; with `ids`,
    by those articles alone. limit 0: all."""
    bounds, values = _between(since, until)
    if ids is None:
        sql = (
            f"SELECT story FROM told t WHERE story IS NOT NULL AND {bounds} GROUP BY story ORDER BY"
            " count(DISTINCT lower(trim(coalesce(source, '')))) DESC, count(*) DESC, max(ts) DESC, story"
        )
        chosen = [s for (s,) in db.execute(sql + (f" LIMIT {int(limit)}" if limit else ""), values)]
        found = _members(db, f"t.story IN ({{}}) AND {bounds}", chosen, values)
    else:
        found = _members(db, f"t.story IS NOT NULL AND t.id IN ({{}}) AND {bounds}", list(ids), values)
    ranked = sorted(found, key=Story.rank)
    return ranked[:limit] if limit else ranked


@_reading
def whole(db: sqlite3.Connection, ids: Collection[str]) -> list[Story]:
    """The stories of these articles, each whole."""
    return _members(db, "t.story IN ({})", sorted(set(story_of(db, ids).values())))


@_reading
def merges(db: sqlite3.Connection, story: str) -> list[tuple[str, str, str, float]]:
    """The merges that made a story: (story, into, by which article, its similarity)."""
    sql = "SELECT story, into_, by, score FROM told_merges WHERE into_ = ? OR story = ? ORDER BY ts"
    return list(db.execute(sql, (story, story)))


@_reading
def story(db: sqlite3.Connection, ref: str) -> Story | None:
    """The story with this ID, or that holds the article with this ID."""
    row = db.execute("SELECT story FROM told WHERE id = ? AND story IS NOT NULL", (ref,)).fetchone()
    if row is None:
        row = db.execute("SELECT story FROM told WHERE story = ? LIMIT 1", (ref,)).fetchone()
    if row is None:
        return None
    found = _members(db, "t.story IN ({})", [row[0]])
    return found[0] if found else None


@_reading
def story_of(db: sqlite3.Connection, ids: Collection[str]) -> dict[str, str]:
    """The story of each of these articles that has one."""
    return dict(_each(db, "SELECT id, story FROM told WHERE story IS NOT NULL AND id IN ({})", list(ids)))


def _members(db: sqlite3.Connection, where: str, values: list[str], more: tuple[Any, ...] = ()) -> list[Story]:
    """The stories of the articles `where` finds (`{}` in it stands for `values`, asked in parts)."""
    by_story: dict[str, list[Told]] = {}
    for row in _each(db, f"SELECT {_COLUMNS} {_FROM} WHERE {where}", values, more):
        told = Told(*row)
        by_story.setdefault(told.story, []).append(told)
    return [Story(s, tuple(sorted(members, key=lambda a: (a.ts, a.id)))) for s, members in by_story.items()]


def _each(db: sqlite3.Connection, sql: str, values: list[str], more: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), _MANY):
        part = values[start : start + _MANY]
        found.extend(db.execute(sql.format(", ".join("?" * len(part))), (*part, *more)))
    return found


def _between(since: float | None, until: float | None) -> tuple[str, tuple[float, ...]]:
    bounds, values = ["1"], []
    if since is not None:
        bounds.append("t.ts >= ?")
        values.append(since)
    if until is not None:
        bounds.append("t.ts <= ?")
        values.append(until)
    return " AND ".join(bounds), tuple(values)
