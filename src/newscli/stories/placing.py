"""Placing articles in stories, one at a time in date order: online clustering of news.

Each article is compared with the articles of the WINDOW days before it in its own language, as
TF-IDF vectors of their features (features.py): each feature weighed by how few of the articles of
the IDF_DAYS before it (in any language) have it, leaving out those too common to tell one event
(COMMON). The article joins the story of the article it is most like, if their cosine similarity
reaches JOIN and they share at least two rare features (RARE: a name, a figure); else it starts a
story of its own, named by its ID. A story is thus compared while one of its articles is in the
window, by the article of it that is most like the new one: a story that goes on for weeks is
followed one step at a time.

When an article is also like a second story (MERGE), that is a vote for the two being one; at two
votes in the window, from two articles, the story that began later is merged into the other.
Stories are merged, never split. A copy of an article (dupes.py) joins its original's story.

The thresholds were chosen on the judged set of bench/stories, preferring precision (a wrong
merge misleads more than a missed one): bench/RESULTS.md has the figures, beside those of a
story as the sum of its articles (a centroid), which were worse.

Given the same articles, the same decisions follow, whatever order they were indexed in: the
state at any time is made only from the articles of the WINDOW + IDF_DAYS before it and their
stories, which is how `Placer.follow` takes up the work where an earlier run left it.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import NamedTuple

WINDOW_DAYS = 3.0
IDF_DAYS = 10.0  # days of articles before one that weigh its features (how common each is)
JOIN = 0.45  # cosine similarity from which an article joins a story
MERGE = 0.45  # from which an article's likeness to a second story is a vote to merge the two
VOTES = 2  # articles needed to merge two stories
COMMON = 0.05  # a feature in more of the window's articles than this share tells no event apart
FEW = 50  # articles a window needs before features are judged common
RARE = 0.005  # a feature in at most this share of the window's articles is rare
RARE_LEAST = 5  # or in at most this many (the article itself among them)
RARE_SHARED = 2  # rare features an article must share with a story to join it (in a window of FEW or more)
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
    score: float | None  # its similarity with the article it is most like; None: it began the story, or is a copy
    near: str | None  # that article; for a copy, the ID its copies share


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
class _Window:
    """The articles of the window, in every language: how common each feature is."""

    seen: deque[tuple[float, str, str, dict[str, float] | None]] = field(default_factory=deque)  # (ts, language,
    # ID, vector) of each article of the window; a copy has no vector
    known: deque[tuple[float, dict[str, int]]] = field(default_factory=deque)  # (ts, features) of the IDF window
    counted: int = 0  # articles in `df` (copies are not)
    df: Counter[str] = field(default_factory=Counter)


@dataclass
class _Language:
    """The articles of the window in one language, by their features, and the votes they cast."""

    postings: dict[str, set[str]] = field(default_factory=dict)  # feature -> the articles that have it
    vectors: dict[str, dict[str, float]] = field(default_factory=dict)  # article -> its vector
    votes: deque[Vote] = field(default_factory=deque)
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)


class Placer:
    """Places articles given in date order; `merged` maps each merged story to the one it went into."""

    def __init__(self, window_days: float = WINDOW_DAYS) -> None:
        self.window = window_days * 86400
        self.idf_window = max(IDF_DAYS * 86400, self.window)
        self.memory = self.window + self.idf_window  # how far back the state at any time reaches
        self._languages: dict[str, _Language] = {}
        self._window = _Window()
        self._copies: dict[str, tuple[str, float]] = {}  # copy group -> (story, when its latest copy was)
        self.merged: dict[str, str] = {}
        self._owner: dict[str, str] = {}  # each article of the window with a vector -> its story (as placed)
        self._first: dict[str, float] = {}  # each story of the window -> when its first article was
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
            for score, other, _ in scores[1:]:
                if score < MERGE:
                    break
                vote = Vote(row.ts, *sorted((story, other)))
                self.votes.append((row.id, vote))
                if self._vote(state, vote) >= VOTES:
                    self._merge(story, other, row.id, score)
        return Decision(row.id, self.story_of(story), best[0] if best else None, best[2] if best else None)

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
        while window.known and window.known[0][0] < row.ts - self.idf_window:
            _, features = window.known.popleft()
            window.counted -= 1
            for feature in features:
                window.df[feature] -= 1
                if not window.df[feature]:
                    del window.df[feature]
        while window.seen and window.seen[0][0] < start:
            _, language, article, vector = window.seen.popleft()
            if vector is None:
                continue
            state = self._languages[language]
            postings = state.postings
            del state.vectors[article]
            for feature in vector:
                holders = postings[feature]
                holders.discard(article)
                if not holders:
                    del postings[feature]
            del self._owner[article]
        state = self._languages.setdefault(row.language, _Language())
        while state.votes and state.votes[0].ts < start:
            vote = state.votes.popleft()
            state.tally[vote.a, vote.b] -= 1
        return state

    def _vector(self, state: _Language, row: Row) -> dict[str, float]:
        """The article's TF-IDF unit vector, without the features too common in the window to tell an event."""
        window = self._window
        window.counted += 1
        window.known.append((row.ts, row.features))
        df = window.df
        for feature in row.features:
            df[feature] += 1
        n = window.counted
        common = COMMON * n if n >= FEW else math.inf
        weights = {f: w * (math.log((n + 1) / (df[f] + 1)) + 1) for f, w in row.features.items() if df[f] <= common}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}

    def _scores(self, state: _Language, vector: dict[str, float]) -> list[tuple[float, str, str]]:
        """The stories of the window with an article at least MERGE like the vector (cosine similarity of
        the two) and sharing RARE_SHARED of its rare features, each by its most alike article (score,
        story, article), most like first.

        Only articles sharing rare features are compared: rare features keep routine reports (each
        company's quarterly results) from making one story, and their lists of articles are short,
        however many articles the window holds."""
        postings, df, counted = state.postings, self._window.df, self._window.counted
        rare = max(RARE_LEAST, RARE * counted) if counted >= FEW else math.inf
        shared: Counter[str] = Counter()
        for feature in vector:
            if df[feature] <= rare and (holders := postings.get(feature)):
                shared.update(holders)
        floor = min(JOIN, MERGE)
        best: dict[str, tuple[float, str]] = {}
        for article, n in shared.items():
            if n < RARE_SHARED:
                continue
            other = state.vectors[article]
            score = round(sum(w * other.get(f, 0.0) for f, w in vector.items()), _PLACES)
            if score >= floor:
                story = self.story_of(self._owner[article])
                if (score, article) > best.get(story, (0.0, "")):
                    best[story] = (score, article)
        ranked = ((score, story, article) for story, (score, article) in best.items())
        return sorted(ranked, key=lambda x: (-x[0], x[1]))

    def _remember(self, state: _Language, row: Row, vector: dict[str, float] | None, story: str, first: float) -> None:
        story = self.story_of(story)
        self._window.seen.append((row.ts, row.language, row.id, vector))
        self._copies[row.copies] = (story, row.ts)
        self._first.setdefault(story, first)
        if vector is not None:
            self._owner[row.id] = story
            state.vectors[row.id] = vector
            for feature in vector:
                state.postings.setdefault(feature, set()).add(row.id)

    def _vote(self, state: _Language, vote: Vote) -> int:
        if self.story_of(vote.a) == self.story_of(vote.b):
            return 0
        state.votes.append(vote)
        state.tally[vote.a, vote.b] += 1
        return state.tally[vote.a, vote.b]

    def _merge(self, a: str, b: str, by: str, score: float) -> None:
        """Merges two stories: the one that began later goes into the other."""
        a, b = self.story_of(a), self.story_of(b)
        into, gone = (a, b) if (self._first[a], a) <= (self._first[b], b) else (b, a)
        self.merged[gone] = into
        self.merges.append(Merge(gone, into, by, score))
