"""The orders of results (by score with the newer first among equals, or by date), and their stories.

Whoosh sorts by a MultiFacet of a score facet and two column facets, which
costs it five calls and two column reads for every match; here one call reads
a segment's `dated` and `ts` columns, kept whole in arrays (internals/columns.py),
for the same keys: a third of a search over thousands of matches. Dated articles
come before undated ones in each order; ties keep document order. Grouping
matches by story reads a segment's story column whole in the same way. In the plain
mode the columns are read through Whoosh's column readers, a value at a time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh import sorting

from newscli.models import Ranking, Sort


def order(sort: Sort, ranking: Ranking = Ranking.BM25) -> sorting.FacetType | None:
    """The sort of a search; None where Whoosh's own order by score is the one (BM25 ranking)."""
    if sort == Sort.RELEVANCE:
        return Order(scored=True, newest=True) if ranking == Ranking.NEWS else None
    return Order(scored=False, newest=sort == Sort.NEWEST)


def stories() -> sorting.FacetType:
    """Matches grouped by story, as `FieldFacet("story", maptype=Count)` groups them (names left as bytes)."""
    return _Stories("story", maptype=sorting.Count)


def values(leaf: Any, name: str) -> Sequence[Any]:
    """A numeric column of a segment, whole."""
    if internals.active() and (found := internals.columns.values(leaf, name)) is not None:
        return found
    reader = leaf.column_reader(name, translate=False)
    return [reader[d] for d in range(leaf.doc_count_all())]


class Order(sorting.FacetType):  # type: ignore[misc]
    """The key of `MultiFacet([ScoreFacet(), FieldFacet("dated", reverse=True), FieldFacet("ts", reverse=newest)])`,
    or of the same without the score facet."""

    def __init__(self, scored: bool, newest: bool) -> None:
        self.scored, self.newest = scored, newest

    def categorizer(self, global_searcher: Any) -> sorting.Categorizer:
        return _Key(self)

    def key(self, leaf: Any) -> Callable[[int, float], tuple[float, ...]]:
        return sort_key(leaf, self)


def sort_key(leaf: Any, order: Order) -> Callable[[int, float], tuple[float, ...]]:
    """The key of an article of a segment (by its number there) with its score: the higher score first where
    the order is scored, then dated before undated, then the newer (or the older) first."""
    dated, ts = values(leaf, "dated"), values(leaf, "ts")
    sign = -1 if order.newest else 1
    if order.scored:
        return lambda docnum, score: (0 - score, -dated[docnum], sign * ts[docnum])
    return lambda docnum, score: (-dated[docnum], sign * ts[docnum])


class _Key(sorting.Categorizer):  # type: ignore[misc]
    def __init__(self, order: Order) -> None:
        self.needs_current = order.scored  # the matcher's score is read at each match
        self._order = order
        self._key: Callable[[int, float], tuple[float, ...]] = lambda docnum, score: ()  # set_searcher's segment's

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        self._key = sort_key(segment_searcher.reader(), self._order)

    def key_for(self, matcher: Any, segment_docnum: int) -> tuple[float, ...]:
        return self._key(segment_docnum, matcher.score() if self.needs_current else 0.0)


class _Stories(sorting.FieldFacet):  # type: ignore[misc]
    def categorizer(self, global_searcher: Any) -> sorting.Categorizer:
        return _Story()


class _Story(sorting.Categorizer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.key_for: Any = None

    def set_searcher(self, segment_searcher: Any, docoffset: int) -> None:
        story = story_column(segment_searcher.reader())
        self.key_for = lambda matcher, segment_docnum: story[segment_docnum]

    def key_to_name(self, key: bytes) -> bytes:
        return key


def story_column(leaf: Any) -> Sequence[bytes]:
    """The story of each article of a segment (by its number there)."""
    if internals.active():
        return internals.columns.story_column(leaf)
    column = leaf.column_reader("story", translate=False)
    return [bytes(column[d]) for d in range(leaf.doc_count_all())]


def story_of(s: Any) -> Callable[[int], str]:
    """The story of each article of a searcher's index (by its number there)."""
    leaves = s.reader().leaf_readers()
    starts = [offset for _, offset in leaves]
    each = [story_column(leaf) for leaf, _ in leaves]

    def story(docnum: int) -> str:
        i = bisect_right(starts, docnum) - 1
        return str(each[i][docnum - starts[i]].decode("utf-8"))

    return story
