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
story counts are Whoosh's own (a test compares them); the time is a third. A
word's postings, once read and scored, are kept for its next search (`Kept`).
Other queries (phrases, ORs of many words) are stepped as Whoosh steps them,
and other searches (facets, Whoosh's plain order by score) go to Whoosh.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, OrderedDict, deque
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
from whoosh.system import _INT_SIZE
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
    if known is None or not m.is_active():
        return dict(_stepped(m))
    idf: float = scorer.idf
    shape = (scorer.avgfl, scorer.B, scorer.K1)
    key = _key(part, term)
    if (kept := KEPT.get(key, shape)) is None:
        kept = KEPT.keep(key, _read(m, shape, *known))
        KEPT.read.append((*key, shape))
    # From the first posting, wherever the matcher stands: a matcher above it moves it on only past
    # articles it would leave out anyway (deleted ones, or those another word of an AND lacks).
    return dict(zip(kept.ids, [idf * p for p in kept.parts], strict=True))


def _key(part: Any, term: tuple[str, bytes]) -> tuple[str, str, bytes]:
    """Where a word's postings in a part are kept: a segment's ID names postings that never change."""
    return (part.segment().segment_id(), *term)


def _read(m: W3LeafMatcher, shape: tuple[float, float, float], lengths: Any, length_of: list[int]) -> Postings:
    """All of a word's postings in a segment, read with its matcher from the first block."""
    avgfl, B, K1 = shape
    found = Postings(shape)
    if m._nextoffset != m._baseoffset + _INT_SIZE + abs(m._postfile.get_int(m._baseoffset)):
        m.reset()  # back to the first block (unless it stands there: reset() would read that block again)
    while m.is_active():
        m._read_weights()  # as Whoosh reads them: 32-bit numbers
        ids = m._data[0] if m._byteids else tuple(delta_decode(m._data[0]))
        found.parts.extend(  # Whoosh's scoring.bm25 is idf * this, term for term
            [
                (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length_of[lengths[d]] / avgfl))
                for d, tf in zip(ids, m._weights, strict=True)
            ]
        )
        found.ids.extend(ids)
        m._next_block()
    return found


class Postings:
    """A word's postings in a segment, all of them (deleted articles' too): the documents, and
    the part of each one's score that does not depend on the query, for the index's average
    field length and BM25's B and K1 then (`shape`)."""

    __slots__ = ("ids", "shape", "parts")

    def __init__(self, shape: tuple[float, float, float]) -> None:
        self.ids, self.shape, self.parts = array("I"), shape, array("d")


class Kept:
    """Words' postings as read from their blocks and scored, kept for the word's next search.

    Whoosh keeps a block of postings as a zlib'd pickle of its documents, weights and
    positions, unpacks it for every search of the word, and scores each posting from
    its weight and its article's length: most of the time of ranking a common word.
    A segment's postings never change, so the resident process keeps those of the
    words searched last (`limit` postings in all, 12 bytes each) with their scores but
    for the word's weight in the query, and ranks them again from memory.
    """

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self._kept: OrderedDict[tuple[str, str, bytes], Postings] = OrderedDict()
        # What this process read and kept, the latest (for Engine.learned)
        self.read: deque[tuple[str, str, bytes, tuple[float, float, float]]] = deque(maxlen=10_000)

    def get(self, key: tuple[str, str, bytes], shape: tuple[float, float, float]) -> Postings | None:
        if (found := self._kept.get(key)) is None:
            return None
        self._kept.move_to_end(key)
        if found.shape != shape:  # the index's average lengths changed as articles were added
            return None
        return found

    def keep(self, key: tuple[str, str, bytes], postings: Postings) -> Postings:
        if (old := self._kept.pop(key, None)) is not None:
            self.size -= len(old.ids)
        self._kept[key] = postings
        self.size += len(postings.ids)
        while self.size > self.limit:
            self.size -= len(self._kept.popitem(last=False)[1].ids)
        return postings


KEPT = Kept(4_000_000)


def keep(part: Any, term: tuple[str, bytes], shape: tuple[float, float, float]) -> None:
    """Reads and keeps a word's postings in a part, as a search of the word would."""
    key = _key(part, term)
    known = startup.field_lengths(part, term[0])
    if known is None or KEPT.get(key, shape) is not None or term not in part:
        return
    m = part._terms.matcher(*term, part.schema[term[0]].format)
    if type(m) is W3LeafMatcher:  # (a word of few postings keeps them in the term index: nothing to unpack)
        KEPT.keep(key, _read(m, shape, *known))
