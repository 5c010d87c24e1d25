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
word's postings, once read and scored, are kept for its next search (`Kept`,
one an engine). Other queries (phrases, ORs of many words) are stepped as
Whoosh steps them.

A segment's words and postings are read from the codec's term index and blocks
too, for the filters (`words`, `blocks`).
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from typing import Any, Protocol

from whoosh import collectors, scoring, sorting
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo, W3TermsReader
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

from newscli.engine.whoosh.internals.columns import story_column
from newscli.engine.whoosh.internals.kept import Kept, Postings
from newscli.engine.whoosh.internals.patches import field_lengths

SKIPPING = 10_000  # a filter keeping up to this many articles skips the segments that hold none of them


class Order(Protocol):
    """A sort of results, as ordering.Order is."""

    scored: bool  # the higher score first: only the best scores can reach the page

    def key(self, leaf: Any) -> Callable[[int, float], tuple[float, ...]]:
        """The key of an article of a segment, by its number there and its score."""
        ...


class _Unordered:
    """No order: documents matched for a count."""

    scored = False

    def key(self, leaf: Any) -> Callable[[int, float], tuple[float, ...]]:
        return lambda docnum, score: ()


_UNORDERED = _Unordered()


def search(
    s: Searcher,
    q: Any,
    limit: int | None,
    kept: set[int] | None,
    left_out: set[int] | None,
    order: Order,
    stories: bool,
    keeping: Kept,
) -> Results:
    """Whoosh's `s.search(q, limit=, filter=kept, mask=left_out, sortedby=, groupedby=story)`, for a sort
    by `order`: for a segment, the key of an article by its number there and its score (ordering.py's).
    `scored` orders put the higher scores first, so that only they can reach the page."""
    collector = _Gathered(order, limit, kept, left_out, stories, keeping)
    s.search_with_collector(q, collector)
    return collector.results()


def matched(s: Searcher, q: Any, kept: set[int] | None, left_out: set[int] | None, keeping: Kept) -> set[int]:
    """The documents a query matches, neither scored nor ordered: for a count."""
    collector = _Gathered(_UNORDERED, None, kept, left_out, False, keeping, scored=False)
    s.search_with_collector(q, collector)
    return collector.all_ids()


def more(results: Results, limit: int | None) -> Results | None:
    """The same search with more of its results ranked, without searching again where it can; else None."""
    return results.collector.results(limit) if isinstance(results.collector, _Gathered) else None


class _Gathered(collectors.Collector):  # type: ignore[misc]
    def __init__(
        self,
        order: Order,
        limit: int | None,
        kept: set[int] | None,
        left_out: set[int] | None,
        stories: bool,
        keeping: Kept,
        scored: bool = True,
    ) -> None:
        self._order, self._keeping, self._scored = order, keeping, scored
        self._limit, self._kept, self._left_out = limit, kept, left_out
        self._sorted: list[int] | None = None  # the documents kept, in order (see _any_kept)
        self.skipped = False  # the segment at hand holds none of the documents kept
        self._groups: Counter[bytes] | None = Counter() if stories else None
        self._parts: list[tuple[int, dict[int, float], Any]] = []  # offset, matches and scores, sort key
        self._matched: list[int] = []

    def prepare(self, top_searcher: Searcher, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context.set(needs_current=True))  # Whoosh's ORs as trees of pairs
        self._parts, self._matched = [], []

    def set_subsearcher(self, subsearcher: Searcher, offset: int) -> None:
        # A segment holding none of the documents kept is not read: not even its words looked up.
        self.skipped = not self._any_kept(offset, subsearcher.reader().doc_count_all())
        if self.skipped:  # (new articles: in the newest segments alone)
            self.subsearcher, self.offset = subsearcher, offset
        else:
            super().set_subsearcher(subsearcher, offset)

    def collect_matches(self) -> None:
        leaf, offset, kept, left_out = self.subsearcher.reader(), self.offset, self._kept, self._left_out
        if self.skipped:
            self._parts.append((offset, {}, self._order.key(leaf)))
            return
        if not self._scored:  # the documents alone (matched)
            ids = _ids(self.matcher, leaf, self._keeping) if _whole(self.matcher) else set(self.matcher.all_ids())
            self._matched += [
                offset + d
                for d in ids
                if (kept is None or offset + d in kept) and (left_out is None or offset + d not in left_out)
            ]
            return
        found = _scored(self.matcher, leaf, self._keeping)
        if kept is not None or left_out is not None:
            found = {
                d: score
                for d, score in found.items()
                if (kept is None or offset + d in kept) and (left_out is None or offset + d not in left_out)
            }
        self._matched += map(offset.__add__, found)
        self._parts.append((offset, found, self._order.key(leaf)))
        if self._groups is not None:
            self._groups.update(map(story_column(leaf).__getitem__, found))

    def _any_kept(self, offset: int, size: int) -> bool:
        """Whether the filter keeps any of a segment's documents: a segment that has none is not read, when
        the filter keeps few (up to SKIPPING; more are all but sure to be in every segment)."""
        if self._kept is None or len(self._kept) > SKIPPING:
            return True
        if self._sorted is None:
            self._sorted = sorted(self._kept)
        i = bisect.bisect_left(self._sorted, offset)
        return i < len(self._sorted) and self._sorted[i] < offset + size

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


def _scored(m: Any, leaf: Any, keeping: Kept) -> dict[int, float]:
    """Each document a matcher matches, with its score: read whole where the matcher is made of
    words, ANDs, ORs and NOTs, else as Whoosh steps it."""
    return _scores(m, leaf, keeping) if _whole(m) else dict(_stepped(m))


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


def _scores(m: Any, leaf: Any, keeping: Kept) -> dict[int, float]:
    """The documents of a fresh matcher and their scores as its own score() would give them
    (each sum in its order), read a block of postings at a time."""
    kind = type(m)
    if kind is W3LeafMatcher:
        return _leaf(m, leaf, keeping)
    if kind in _WORDS:
        return dict(_stepped(m))
    if kind in _WRAPPERS:
        child = _scores(m.child, leaf, keeping)
        if kind is FilterMatcher:
            ids = m._ids
            child = {d: s for d, s in child.items() if (d in ids) != m._exclude}
        boost = m.boost
        return {d: s * boost for d, s in child.items()}
    a, b = _scores(m.a, leaf, keeping), _scores(m.b, leaf, keeping)
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


def _leaf(m: W3LeafMatcher, leaf: Any, keeping: Kept) -> dict[int, float]:
    """A word's postings and their scores, from whole blocks (Whoosh reads and scores one at a time)."""
    if (kept := _postings(m, leaf, keeping)) is None:
        return dict(_stepped(m))
    idf: float = m.scorer.idf
    return dict(zip(kept.ids, [idf * p for p in kept.parts], strict=True))


def _postings(m: W3LeafMatcher, leaf: Any, keeping: Kept) -> Postings | None:
    """A word's postings in a segment, kept (read whole the first time); None where they cannot be."""
    scorer, term = m.scorer, m._term
    known = field_lengths(leaf, term[0]) if type(scorer) is scoring.BM25FScorer and term else None
    if known is None or not m.is_active():
        return None
    shape = (scorer.avgfl, scorer.B, scorer.K1)
    key = _key(leaf, term)
    if (kept := keeping.get(key, shape)) is None:
        kept = keeping.keep(key, _read(m, shape, *known))
        keeping.read.append((*key, shape))
    # From the first posting, wherever the matcher stands: a matcher above it moves it on only past
    # articles it would leave out anyway (deleted ones, or those another word of an AND lacks).
    return kept


def _ids(m: Any, leaf: Any, keeping: Kept) -> set[int]:
    """The documents of a fresh matcher, as `_scores` finds them, without their scores."""
    kind = type(m)
    if kind is W3LeafMatcher:
        kept = _postings(m, leaf, keeping)
        return set(m.all_ids()) if kept is None else set(kept.ids)
    if kind in _WORDS:
        return set(m.all_ids())
    if kind in _WRAPPERS:
        child = _ids(m.child, leaf, keeping)
        return {d for d in child if (d in m._ids) != m._exclude} if kind is FilterMatcher else child
    a, b = _ids(m.a, leaf, keeping), _ids(m.b, leaf, keeping)
    if kind is UnionMatcher:
        return a | b
    if kind is IntersectionMatcher:
        return a & b
    return a - b if kind is AndNotMatcher else a  # AndMaybeMatcher: the optional words add scores alone


def _key(leaf: Any, term: tuple[str, bytes]) -> tuple[str, str, bytes]:
    """Where a word's postings in a segment are kept: a segment's ID names postings that never change."""
    return (leaf.segment().segment_id(), *term)


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


def keep(keeping: Kept, leaf: Any, term: tuple[str, bytes], shape: tuple[float, float, float]) -> None:
    """Reads and keeps a word's postings in a segment, as a search of the word would."""
    key = _key(leaf, term)
    known = field_lengths(leaf, term[0])
    if known is None or keeping.get(key, shape) is not None or term not in leaf:
        return
    m = leaf._terms.matcher(*term, leaf.schema[term[0]].format)
    if type(m) is W3LeafMatcher:  # (a word of few postings keeps them in the term index: nothing to unpack)
        keeping.keep(key, _read(m, shape, *known))


def words(leaf: Any, fieldname: str) -> dict[str, int | None] | None:
    """Each word of a field in a segment: the one document that holds it, or None when more do;
    None for a segment of another codec."""
    terms = leaf._terms
    if not isinstance(terms, W3TermsReader):
        return None
    prefix = terms._keycoder(fieldname, b"")
    unpack = W3TermInfo._struct.unpack_from
    words: dict[str, int | None] = {}
    for key, info in terms._tindex.items_from(prefix):  # in order: the field's words are together
        if not key.startswith(prefix):
            break
        _, _, count, _, _, _, first, _ = unpack(info)
        words[key[len(prefix) :].decode("utf-8")] = first if count == 1 else None
    return words


def blocks(matcher: Any) -> Iterable[int] | None:
    """The documents of a word's matcher (deleted ones included), read a block at a time; None
    for a matcher of another codec. Whoosh's all_ids() steps one posting at a time (0.18 s
    for 210,000)."""
    if isinstance(matcher, FilterMatcher):  # leaving out deleted documents one at a time
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return None
    return _blocks(matcher)


def _blocks(m: W3LeafMatcher) -> Iterator[int]:
    read: Callable[[Any], Iterable[int]] = (lambda ids: ids) if m._byteids else accumulate  # IDs as deltas
    while True:
        if m._data is None:
            m._read_data()
        yield from read(m._data[0])
        if m._lastblock:
            return
        m._goto(m._nextoffset)
