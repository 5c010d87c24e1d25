"""A search's matches, sorted and grouped by story: Whoosh's own search, or the internals' quicker one.

A search sorted by newscli's orders (`ordering.Order`) and grouped by story at most
is scored and sorted a block of postings at a time by `internals.postings`, with
Whoosh's own results, scores and story counts (a test compares them), in a third of
the time. Other searches, and every search in the plain mode, are Whoosh's.
"""

from __future__ import annotations

from array import array
from typing import Any

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh.searching import Results, Searcher

from newscli.engine.whoosh.internals.kept import Kept
from newscli.engine.whoosh.ordering import Order

__all__ = ["Kept", "every", "keep", "matched", "more", "search"]


def search(
    s: Searcher,
    q: Any,
    limit: int | None,
    kept: set[int] | None,
    left_out: set[int] | None,
    sortedby: Any,
    groupedby: dict[str, Any] | None,
    keeping: Kept,
) -> Results:
    """Whoosh's `s.search(q, limit=, filter=kept, mask=left_out, sortedby=, groupedby=)`; `keeping`: the
    engine's postings kept for the next search."""
    if internals.active() and isinstance(sortedby, Order) and set(groupedby or ()) <= {"story"}:
        return internals.postings.search(s, q, limit, kept, left_out, sortedby, bool(groupedby), keeping)
    return s.search(q, limit=limit, filter=kept, mask=left_out, sortedby=sortedby, groupedby=groupedby)


def every(
    s: Searcher, q: Any, kept: set[int] | None, left_out: set[int] | None, sortedby: Any, keeping: Kept
) -> array[int]:
    """The document number of every match, in order: four bytes each, their hits let go."""
    return array("i", (hit.docnum for hit in search(s, q, None, kept, left_out, sortedby, None, keeping)))


def matched(s: Searcher, q: Any, kept: set[int] | None, left_out: set[int] | None, keeping: Kept) -> set[int]:
    """The documents that match, for a count: neither scored nor ordered, by the internals; in the plain
    mode, by Whoosh's own search for the first match in date order, which finds them all."""
    if internals.active():
        return internals.postings.matched(s, q, kept, left_out, keeping)
    return set(search(s, q, 1, kept, left_out, Order(scored=False, newest=True), None, keeping).docs())


def more(results: Results, limit: int | None) -> Results | None:
    """The same search with more of its results ranked, without searching again where it can; else None."""
    return internals.postings.more(results, limit) if internals.active() else None


def keep(keeping: Kept, leaf: Any, term: tuple[str, bytes], shape: tuple[float, float, float]) -> None:
    """Reads and keeps a word's postings in a segment, as a search of the word would (none in the plain mode)."""
    if internals.active():
        internals.postings.keep(keeping, leaf, term, shape)
