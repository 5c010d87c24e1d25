"""Placing articles in stories, one at a time in date order: online clustering of news.

Each article is compared with the stories told in its window (the WINDOW days before it) in its
own language. Both are TF-IDF vectors of the article's features (features.py), weighted by how
many of the window's articles (in any language) have each feature, leaving out those too common to tell one event
(COMMON); a story is the sum of the unit vectors of its articles in the window. The article joins
the story it is most like, if its cosine similarity reaches JOIN and they share at least two rare
features (a name, a number: RARE); else it starts a story of its own, named by its ID. A story is
only compared while one of its articles is in the window.

The thresholds were chosen on the judged set of bench/stories (B-cubed precision 0.96, recall
0.83 at 0.35; bench/RESULTS.md), preferring precision: a wrong merge misleads more than a missed one.

When an article is also like a second story (MERGE), that is a vote for the two being one; at
two votes in the window, from two articles, the later story is merged into the earlier one.
Stories are merged, never split. A copy of an article (dupes.py) joins its original's story.

Given the same articles, the same decisions follow, whatever order they were indexed in: the
state at any time is made only from the articles of the two windows before it and their stories,
which is how `Placer.follow` takes up the work where an earlier run left it.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import NamedTuple

WINDOW_DAYS = 3.0
JOIN = 0.35  # cosine similarity from which an article joins a story
MERGE = 0.35  # from which an article's likeness to a second story is a vote to merge the two
VOTES = 2  # articles needed to merge two stories
COMMON = 0.05  # a feature in more of the window's articles than this share tells no event apart
FEW = 50  # articles a window needs before features are judged common
RARE = 0.005  # a feature in at most this share of the window's articles is rare
RARE_SHARED = 2  # rare features an article must share with a story to join it (in a window of FEW or more)
CROWD = 100  # a feature more stories of the window hold is not used to compare them
_PLACES = 9  # (digits a similarity is rounded to: decisions do not hang on the order of additions)


class Row(NamedTuple):
    """An article as stories see it."""

    id: str
    ts: float
    language: str
    features: dict[str, int]
    copies: str  # the ID its copies share (dupes.py): its own unless it is a copy


class Decision(NamedTuple):
    id: str
    story: str
    score: float | None  # its similarity with the story it joined; None: it started it, or is a copy
    copy_of: str | None  # the copy's original, when it joined as a copy


class Merge(NamedTuple):
    story: str  # merged into `into`
    into: str
    by: str  # the article whose vote merged them
    score: float


class Vote(NamedTuple):
    ts: float
    a: str
    b: str


@dataclass
class _Story:
    id: str
    first: float  # when its first article was published
    features: set[str] = field(default_factory=set)  # of its window articles (their sum is in the postings)
    norm2: float = 0.0
    latest: float = 0.0


@dataclass
class _Window:
    """The articles of the window, in every language: how common each feature is."""

    # (ts, language, features, vector, story) of each article; a copy has no features or vector
    seen: deque[tuple[float, str, dict[str, int], dict[str, float] | None, str]] = field(default_factory=deque)
    counted: int = 0  # articles in `df` (copies are not)
    df: Counter[str] = field(default_factory=Counter)


@dataclass
class _Language:
    """The stories of the window in one language."""

    stories: dict[str, _Story] = field(default_factory=dict)
    postings: dict[str, dict[str, float]] = field(default_factory=dict)  # feature -> story -> its sum
    votes: deque[Vote] = field(default_factory=deque)
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)


class Placer:
    """Places articles given in date order; `merged` maps each merged story to the one it went into."""

    def __init__(self, window_days: float = WINDOW_DAYS) -> None:
        self.window = window_days * 86400
        self._languages: dict[str, _Language] = {}
        self._window = _Window()
        self._copies: dict[str, tuple[str, float]] = {}  # copy group -> (story, when its latest copy was)
        self.merged: dict[str, str] = {}
        self.merges: list[Merge] = []
        self.votes: list[tuple[str, Vote]] = []  # (article, vote) cast by the articles placed

    def story_of(self, story: str) -> str:
        while story in self.merged:
            story = self.merged[story]
        return story

    def place(self, row: Row) -> Decision:
        """Decides the story of the next article."""
        state = self._advance(row)
        original = self._original(row)
        if original is not None:
            self._remember(state, row, None, original, row.ts)
            return Decision(row.id, original, None, row.copies)
        vector = self._vector(state, row)
        scores = self._scores(state, vector)
        best = scores[0] if scores and scores[0][0] >= JOIN else None
        story = best[1] if best else row.id
        self._remember(state, row, vector, story, row.ts)
        if best is not None:
            for score, other in scores[1:]:
                if score < MERGE:
                    break
                vote = Vote(row.ts, *sorted((story, other)))
                self.votes.append((row.id, vote))
                if self._vote(state, vote) >= VOTES:
                    self._merge(state, story, other, row.id, score)
        return Decision(row.id, self.story_of(story), best[0] if best else None, None)

    def follow(self, row: Row, story: str, first: float, votes: tuple[Vote, ...] = ()) -> None:
        """Takes in an article placed before (in `story`, begun at `first`) and the votes it cast."""
        state = self._advance(row)
        vector = None if self._original(row) is not None else self._vector(state, row)
        self._remember(state, row, vector, story, first)
        for vote in votes:
            self._vote(state, vote)

    def _original(self, row: Row) -> str | None:
        """The story of an earlier copy of the article in the window, if any."""
        known = self._copies.get(row.copies)
        if known is None or known[1] < row.ts - self.window:
            return None
        return self.story_of(known[0])

    def _advance(self, row: Row) -> _Language:
        """The state of the article's language, with what left the window before it forgotten."""
        start = row.ts - self.window
        window = self._window
        while window.seen and window.seen[0][0] < start:
            _, language, features, vector, story = window.seen.popleft()
            if vector is None:
                continue
            window.counted -= 1
            for feature in features:
                window.df[feature] -= 1
                if not window.df[feature]:
                    del window.df[feature]
            self._take(self._languages[language], self.story_of(story), vector, -1.0)
        state = self._languages.setdefault(row.language, _Language())
        while state.votes and state.votes[0].ts < start:
            vote = state.votes.popleft()
            state.tally[vote.a, vote.b] -= 1
        return state

    def _vector(self, state: _Language, row: Row) -> dict[str, float]:
        """The article's TF-IDF unit vector, without the features too common in the window to tell an event."""
        window = self._window
        window.counted += 1
        df = window.df
        for feature in row.features:
            df[feature] += 1
        n = window.counted
        common = COMMON * n if n >= FEW else math.inf
        weights = {f: w * (math.log((n + 1) / (df[f] + 1)) + 1) for f, w in row.features.items() if df[f] <= common}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}

    def _scores(self, state: _Language, vector: dict[str, float]) -> list[tuple[float, str]]:
        """The stories of the window at least MERGE like the vector (cosine similarity) that share RARE_SHARED
        of its rare features, most like first.

        Features held by more than CROWD stories are passed over: too common to tell one event. Rare
        features keep a story of routine reports (each company's quarterly results) from taking every
        report of the kind."""
        dots: dict[str, float] = {}
        shared: Counter[str] = Counter()
        postings, df, counted = state.postings, self._window.df, self._window.counted
        rare = RARE * counted if counted >= FEW else math.inf
        for feature, weight in vector.items():
            holders = postings.get(feature)
            if holders is None or len(holders) > CROWD:
                continue
            if df[feature] <= rare:
                shared.update(holders.keys())
            for story, value in holders.items():
                dots[story] = dots.get(story, 0.0) + weight * value
        floor = min(JOIN, MERGE)
        scores = []
        stories = state.stories
        for story, dot in dots.items():
            if dot < floor or shared[story] < RARE_SHARED:  # (a story's norm is at least 1: no lower dot will do)
                continue
            score = round(dot / math.sqrt(stories[story].norm2), _PLACES)
            if score >= floor:
                scores.append((score, story))
        scores.sort(key=lambda x: (-x[0], x[1]))
        return scores

    def _remember(self, state: _Language, row: Row, vector: dict[str, float] | None, story: str, first: float) -> None:
        story = self.story_of(story)
        self._window.seen.append((row.ts, row.language, row.features if vector is not None else {}, vector, story))
        self._copies[row.copies] = (story, row.ts)
        if story not in state.stories:
            state.stories[story] = _Story(story, first)
        s = state.stories[story]
        s.latest = max(s.latest, row.ts)
        if vector is not None:
            self._take(state, story, vector, 1.0)

    def _take(self, state: _Language, story: str, vector: dict[str, float], sign: float) -> None:
        """Adds a unit vector to a story's sum (sign 1), or takes it away (-1): a story is compared
        while it holds an article of the window."""
        s = state.stories.get(story)
        if s is None:  # (one whose every feature is common)
            return
        postings = state.postings
        dot = 0.0
        for f, w in vector.items():
            holders = postings.get(f)
            if holders is None:
                holders = postings[f] = {}
            value = holders.get(story, 0.0)
            dot += w * value
            value += sign * w
            if sign < 0 and abs(value) < 1e-9:
                del holders[story]
                s.features.discard(f)
                if not holders:
                    del postings[f]
            else:
                holders[story] = value
                s.features.add(f)
        s.norm2 = max(0.0, s.norm2 + 2 * sign * dot + 1.0)
        if not s.features:
            del state.stories[story]

    def _vote(self, state: _Language, vote: Vote) -> int:
        if self.story_of(vote.a) == self.story_of(vote.b):
            return 0
        state.votes.append(vote)
        state.tally[vote.a, vote.b] += 1
        return state.tally[vote.a, vote.b]

    def _merge(self, state: _Language, a: str, b: str, by: str, score: float) -> None:
        """Merges two stories: the one that began later goes into the other."""
        a, b = self.story_of(a), self.story_of(b)
        first, second = state.stories[a], state.stories[b]
        into, gone = (first, second) if (first.first, first.id) <= (second.first, second.id) else (second, first)
        self.merged[gone.id] = into.id
        self.merges.append(Merge(gone.id, into.id, by, score))
        del state.stories[gone.id]
        norm2 = 0.0
        for f in gone.features | into.features:
            holders = state.postings[f]
            value = holders.pop(gone.id, 0.0) + holders.get(into.id, 0.0)
            holders[into.id] = value
            norm2 += value * value
        into.features |= gone.features
        into.norm2 = norm2
        into.latest = max(into.latest, gone.latest)
