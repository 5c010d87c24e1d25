"""Words' postings kept by an engine for their next search: plain data, made by engines in either mode."""

from __future__ import annotations

from array import array
from collections import OrderedDict, deque


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
    A segment's postings never change, so an engine (the resident process's above all)
    keeps those of the words searched last (`limit` postings in all, 12 bytes each) with their scores but
    for the word's weight in the query, and ranks them again from memory.
    """

    def __init__(self, limit: int = 4_000_000) -> None:
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
