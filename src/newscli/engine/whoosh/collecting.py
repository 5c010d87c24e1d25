"""A search's matches scored, sorted and counted by story a block of postings at a time.

Whoosh steps its matchers one match at a time (five or more calls in Python for
a match of a word in three fields, and as many again to score it) through a
chain of collectors (the filter's, the facets', the sort's) and sorts every
match to keep the first page: 0.39 s for the 33,000 matches of a word in
300,000 articles. Here a query made of words, ANDs, ORs and NOTs is read the
way its matcher would read it, but a block of postings at a time: each word's
postings are scored in one expression (Whoosh's BM25F, term for term, on the
same 32-bit weights and one-byte lengths), the scores are summed as the
matcher sums them, and only the matches whose score can reach the page are
sorted, by the same keys as `ordering`'s. The results, their scores and the
story counts are Whoosh's own (a test compares them); the time is a third.
Other queries (phrases, ORs of many words) are stepped as Whoosh steps them,
and other searches (facets, Whoosh's plain order by score) go to Whoosh.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh import collectors, scoring, sorting
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import (
    AndMaybeMatcher,
    AndNotMatcher,
    FilterMatcher,
    IntersectionMatcher,
    ListMatcher,
    NullMatcherClass,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.searching import Results, Searcher
from whoosh.util.numlists import delta_decode

from newscli.engine.whoosh.ordering import Order, sort_key, story_column


def search(
    s: Searcher,
    q: Any,
    limit: int | None,
    kept: set[int] | None,
    left_out: set[int] | None,
    sortedby: Any,
    groupedby: dict[str, Any] | None,
) -> Results:
    """Whoosh's `s.search(q, limit=, filter=kept, mask=left_out, sortedby=, groupedby=)`."""
    if not isinstance(sortedby, Order) or not set(groupedby or ()) <= {"story"}:
        return s.search(q, limit=limit, filter=kept, mask=left_out, sortedby=sortedby, groupedby=groupedby)
    collector = _Gathered(sortedby, limit, kept, left_out, stories=bool(groupedby))
    s.search_with_collector(q, collector)
    return collector.results()


class _Gathered(collectors.Collector):  # type: ignore[misc]
    def __init__(
        self, order: Order, limit: int | None, kept: set[int] | None, left_out: set[int] | None, stories: bool
    ) -> None:
        self._order = order
        self._limit, self._kept, self._left_out = limit, kept, left_out
        self._groups: Counter[bytes] | None = Counter() if stories else None
        self._parts: list[tuple[int, dict[int, float], Any]] = []  # offset, matches and scores, sort key
        self._matched: list[int] = []

    def prepare(self, top_searcher: Searcher, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context.set(needs_current=True))  # Whoosh's ORs as trees of pairs
        self._parts, self._matched = [], []

    def collect_matches(self) -> None:
        part, offset, kept, left_out = self.subsearcher.reader(), self.offset, self._kept, self._left_out
        found = _scored(self.matcher, part)
        if kept is not None or left_out is not None:
            found = {
                d: score
                for d, score in found.items()
                if (kept is None or offset + d in kept) and (left_out is None or offset + d not in left_out)
            }
        self._matched += map(offset.__add__, found)
        self._parts.append((offset, found, sort_key(part, self._order)))
        if self._groups is not None:
            self._groups.update(map(story_column(part).__getitem__, found))

    def collect(self, sub_docnum: int) -> None:  # Whoosh's abstract method: collect_matches does it all
        raise NotImplementedError

    def sort_key(self, sub_docnum: int) -> None:
        raise NotImplementedError

    def count(self) -> int:
        return len(self._matched)

    def all_ids(self) -> set[int]:
        return set(self._matched)

    def results(self, limit: int | None = None) -> Results:
        """The results, the first `limit` of them ranked (the search's own limit if not given)."""
        limit = limit or self._limit
        items: list[tuple[tuple[float, ...], int]] = []
        for offset, found, key in self._parts:
            pairs: Iterable[tuple[int, float]] = found.items()
            if self._order.scored and limit and len(found) > limit:  # only the best scores can reach the page
                least = heapq.nlargest(limit, found.values())[-1]
                pairs = [(d, score) for d, score in pairs if score >= least]  # (ties all kept: newer first)
            items += [(key(d, score), offset + d) for d, score in pairs]
        top = heapq.nsmallest(limit, items) if limit else sorted(items)
        facets = {}
        if self._groups is not None:
            facets["story"] = sorting.Count()
            facets["story"].dict.update(self._groups)
        found = Results(self.top_searcher, self.q, top, None, facets, self.runtime)
        found.collector = self
        return found


def more(results: Results, limit: int | None) -> Results | None:
    """The same search with more of its results ranked, without searching again where it can; else None."""
    return results.collector.results(limit) if isinstance(results.collector, _Gathered) else None


def _scored(m: Any, part: Any) -> dict[int, float]:
    """Each document a matcher matches, with its score: read whole where the matcher is made of
    words, ANDs, ORs and NOTs, else as Whoosh steps it."""
    return _scores(m, part) if _whole(m) else dict(_stepped(m))


def _stepped(m: Any) -> Iterator[tuple[int, float]]:
    while m.is_active():
        yield m.id(), m.score()
        m.next()


_WORDS = (W3LeafMatcher, ListMatcher, NullMatcherClass)
_WRAPPERS = (WrappingMatcher, FilterMatcher)
_PAIRS = (UnionMatcher, IntersectionMatcher, AndNotMatcher, AndMaybeMatcher)


def _whole(m: Any) -> bool:
    """Whether `_scores` can read a matcher: made of these kinds alone (not their subclasses)."""
    kind = type(m)
    if kind in _WORDS:
        return True
    if kind in _WRAPPERS:
        return _whole(m.child)
    return kind in _PAIRS and _whole(m.a) and _whole(m.b)


def _scores(m: Any, part: Any) -> dict[int, float]:
    """The documents of a fresh matcher and their scores as its own score() would give them
    (each sum in its order), read a block of postings at a time."""
    kind = type(m)
    if kind is W3LeafMatcher:
        return _leaf(m, part)
    if kind in _WORDS:
        return dict(_stepped(m))
    if kind in _WRAPPERS:
        child = _scores(m.child, part)
        if kind is FilterMatcher:
            ids = m._ids
            child = {d: s for d, s in child.items() if (d in ids) != m._exclude}
        boost = m.boost
        return {d: s * boost for d, s in child.items()}
    a, b = _scores(m.a, part), _scores(m.b, part)
    if kind is UnionMatcher:
        both = dict(a)
        for d, s in b.items():
            both[d] = both[d] + s if d in both else s
        return both
    if kind is IntersectionMatcher:
        return {d: s + b[d] for d, s in a.items() if d in b}
    if kind is AndNotMatcher:
        return {d: s for d, s in a.items() if d not in b}
    return {d: s + b[d] if d in b else s for d, s in a.items()}  # AndMaybeMatcher


def _leaf(m: W3LeafMatcher, part: Any) -> dict[int, float]:
    """A word's postings and their scores, from whole blocks (Whoosh reads and scores one at a time)."""
    scorer, term = m.scorer, m._term
    known = startup.field_lengths(part, term[0]) if type(scorer) is scoring.BM25FScorer and term else None
    if known is None:
        return dict(_stepped(m))
    lengths, length_of = known
    idf: float = scorer.idf
    avgfl: float = scorer.avgfl
    B: float = scorer.B
    K1: float = scorer.K1
    found: dict[int, float] = {}
    while m.is_active():  # from where the matcher stands: a matcher above it may have moved it on
        if m._data is None:
            m._read_data()
        ids = (m._data[0] if m._byteids else tuple(delta_decode(m._data[0])))[m._i :]
        m._read_weights()  # as Whoosh reads them: 32-bit numbers
        scores = [  # Whoosh's scoring.bm25, term for term
            idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length_of[lengths[d]] / avgfl)))
            for d, tf in zip(ids, m._weights[m._i :], strict=True)
        ]
        found.update(zip(ids, scores, strict=True))
        m._next_block()
    return found
