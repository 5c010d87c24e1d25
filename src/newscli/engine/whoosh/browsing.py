"""Articles in date order without sorting all the filters let through: `list` and the reader's pages.

Whoosh sorts a browse by visiting every article its filter matches, reading two
numbers of each and sorting them all: 1.1 s for the 210,000 Reuters articles of a
300,000-article index, when the page shows 20. A segment of the index never changes
once written (deletions only hide articles), so the date order of its articles is
worked out once and kept by the segment's ID, for as long as the process lives: the
resident process works it out before it answers, and a segment it saw before costs
nothing when the index is opened again. A browse then walks each segment's order,
taking the first articles the filters let through, and merges the segments.

The order is the one a sorted search gives (`ordering.order`): dated articles first,
then by time, then by document number. The orders are the engine's (`Orders`): an
engine opened again on the index takes those of the one before.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator
from itertools import chain, filterfalse, islice
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh.searching import Searcher

from newscli.engine.whoosh import filtering
from newscli.engine.whoosh.ordering import Order, sort_key, values
from newscli.models import Filters

Orders = dict[tuple[str, bool], "array[int]"]  # (segment ID, newest first): its document numbers in date order


def top(s: Searcher, filters: Filters, newest: bool, limit: int | None, orders: Orders) -> tuple[int, list[int]]:
    """How many articles the filters let through, and the first `limit` (all: None) in date order."""
    total, walks = _walks(s, filters, newest, orders)
    found = sorted(chain.from_iterable(islice(walk, limit) for walk in walks))
    return total, [docnum for _, docnum in found[:limit]]


def each(s: Searcher, filters: Filters, newest: bool, orders: Orders) -> Iterator[int]:
    """Every article the filters let through, in date order, one at a time: the segments' orders merged."""
    for _, docnum in heapq.merge(*_walks(s, filters, newest, orders)[1]):
        yield docnum


Walk = Iterator[tuple[tuple[float, ...], int]]  # a segment's articles in date order, with their keys


def _walks(s: Searcher, filters: Filters, newest: bool, orders: Orders) -> tuple[int, list[Walk]]:
    """How many articles the filters let through, and a walk of each segment's of them."""
    total, walks = 0, []
    order = Order(scored=False, newest=newest)
    for leaf, offset, kept, left_out in filtering.leaves(s, filters):
        if kept is None:
            total += leaf.doc_count_all() - len(left_out)
            taken: Iterable[int] = filterfalse(left_out.__contains__, date_order(leaf, newest, orders))
        else:
            total += len(kept)
            taken = filter(kept.__contains__, date_order(leaf, newest, orders))
        walks.append(_keyed(taken, sort_key(leaf, order), offset))
    return total, walks


def _keyed(docs: Iterable[int], key: Any, offset: int) -> Walk:
    """A segment's documents with their keys (a function of its own: each walk keeps its segment's key)."""
    for d in docs:
        yield key(d, 0.0), offset + d


def date_order(leaf: Any, newest: bool, orders: Orders) -> array[int]:
    """A segment's document numbers, dated first, then newest (or oldest) first, then by number."""
    key = (leaf.segment().segment_id(), newest)
    if key not in orders:
        dated, ts = values(leaf, "dated"), values(leaf, "ts")
        order = sorted(range(leaf.doc_count_all()), key=ts.__getitem__, reverse=newest)  # keeps ties in order
        order.sort(key=dated.__getitem__, reverse=True)
        orders[key] = array("i", order)
    return orders[key]


def keep_only(leaves: Iterable[Any], orders: Orders) -> None:
    """Forgets the orders of segments no longer in the index."""
    ids = {leaf.segment().segment_id() for leaf in leaves if leaf.segment() is not None}
    for key in [key for key in orders if key[0] not in ids]:
        del orders[key]
