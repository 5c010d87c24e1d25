"""Articles in date order without sorting all the filters let through: `list` and the reader's pages.

Whoosh sorts a browse by visiting every article its filter matches, reading two
numbers of each and sorting them all: 1.1 s for the 210,000 Reuters articles of a
300,000-article index, when the page shows 20. A part of the index never changes
once written (deletions only hide articles), so the date order of its articles is
worked out once and kept by the part's ID, for as long as the process lives: the
resident process works it out before it answers, and a part it saw before costs
nothing when the index is opened again. A browse then walks each part's order,
taking the first articles the filters let through, and merges the parts.

The order is the one Whoosh's sort gives (`compile.order`): dated articles first,
then by time, then by document number.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from itertools import accumulate, filterfalse, islice
from typing import Any

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo, W3TermsReader
from whoosh.matching import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from newscli.engine.whoosh.compile import dates_query, outlets_named
from newscli.models import Filters

_ORDERS: dict[tuple[str, bool], array[int]] = {}  # (part ID, newest first): its document numbers in date order


def top(s: Searcher, filters: Filters, newest: bool, limit: int | None) -> tuple[int, list[int]]:
    """How many articles the filters let through, and the first `limit` (all: None) in date order."""
    outlets = set(outlets_named(s, filters.sources)) if filters.sources else None
    when = dates_query(filters)
    only = None if filters.only_ids is None else set(filters.only_ids)
    without = set(filters.without_ids)
    total = 0
    found: list[tuple[int, int, int]] = []
    sign = -1 if newest else 1
    for sub, offset in s.leaf_searchers():
        part = sub.reader()
        if part.segment() is None:  # an empty index's stand-in part
            continue
        kept: set[int] | None = None  # None: every article of the part
        if outlets is not None:
            kept = holding(part, "outlet", outlets)
        if only is not None:
            kept = _both(kept, holding(part, "id", only))
        if when is not None:
            kept = _both(kept, set(when.docs(sub)))
        left_out = part.deleted_docs_set | holding(part, "id", without) if without else part.deleted_docs_set
        if kept is None:
            total += part.doc_count_all() - len(left_out)
            taken: Iterable[int] = filterfalse(left_out.__contains__, date_order(part, newest))
        else:
            kept -= left_out
            total += len(kept)
            taken = filter(kept.__contains__, date_order(part, newest))
        dated, ts = _values(part, "dated"), _values(part, "ts")
        found.extend((-dated[d], sign * ts[d], offset + d) for d in islice(taken, limit))
    found.sort()
    return total, [docnum for _, _, docnum in found[:limit]]


def _both(kept: set[int] | None, docs: set[int]) -> set[int]:
    return docs if kept is None else kept & docs


def date_order(part: Any, newest: bool) -> array[int]:
    """A part's document numbers, dated first, then newest (or oldest) first, then by number."""
    key = (part.segment().segment_id(), newest)
    if key not in _ORDERS:
        dated, ts = _values(part, "dated"), _values(part, "ts")
        order = sorted(range(part.doc_count_all()), key=ts.__getitem__, reverse=newest)  # keeps ties in order
        order.sort(key=dated.__getitem__, reverse=True)
        _ORDERS[key] = array("i", order)
    return _ORDERS[key]


def keep_only(parts: Iterable[Any]) -> None:
    """Forgets the orders of parts no longer in the index."""
    ids = {part.segment().segment_id() for part in parts if part.segment() is not None}
    for key in [key for key in _ORDERS if key[0] not in ids]:
        del _ORDERS[key]


def _values(part: Any, name: str) -> Any:
    """A numeric column of a part, whole (startup.py reads it into an array once per part)."""
    reader = part.column_reader(name, translate=False)
    count = part.doc_count_all()
    if count:
        reader[0]
    values = getattr(reader, "_values", None)
    if values is None:  # a part without the column, or a number array cannot hold
        return [reader[d] for d in range(count)]
    if len(values) < count:  # a column leaves out the default values at its end
        values.extend([reader._default] * (count - len(values)))
    return values


def holding(part: Any, fieldname: str, texts: set[str]) -> set[int]:
    """The documents of a part that hold any of these words of a field (deleted ones included).

    Looking a word up costs as much as reading two or three of a part's words in
    order, and most of many IDs (every article read) are in other parts: past half
    the part's size, its words are read once, and kept while the part is open.
    """
    words = part.__dict__.get(_WORDS, {}).get(fieldname)
    if words is None and len(texts) * 2 > part.doc_count_all():
        words = part.__dict__.setdefault(_WORDS, {})[fieldname] = _words(part, fieldname)
    if words is None:
        return set().union(*(postings(part, fieldname, text) for text in texts))
    if len(texts) > len(words):
        texts = texts & words.keys()
    docs = {one for text in texts if (one := words.get(text)) is not None}
    for text in texts:
        if text in words and words[text] is None:  # a word of more than one document
            docs.update(postings(part, fieldname, text))
    return docs


_WORDS = "_newscli_words"  # where a part keeps its words read in order (see `holding`)


def _words(part: Any, fieldname: str) -> dict[str, int | None]:
    """Each word of a field in a part: the one document that holds it, or None when more do."""
    terms = part._terms
    if not isinstance(terms, W3TermsReader):
        return {word.decode("utf-8"): None for word in part.lexicon(fieldname)}
    prefix = terms._keycoder(fieldname, b"")
    unpack = W3TermInfo._struct.unpack_from
    words: dict[str, int | None] = {}
    for key, info in terms._tindex.items_from(prefix):  # in order: the field's words are together
        if not key.startswith(prefix):
            break
        _, _, count, _, _, _, first, _ = unpack(info)
        words[key[len(prefix) :].decode("utf-8")] = first if count == 1 else None
    return words


def postings(part: Any, fieldname: str, text: str) -> Iterable[int]:
    """The documents of a part holding a word (deleted ones included)."""
    try:
        info = part.term_info(fieldname, text)
    except TermNotFound:
        return ()
    if info.doc_frequency() == 1:  # an article's ID: the term's information names its one document
        return (info.min_id(),)
    matcher = part.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # leaving out deleted documents one at a time
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return matcher.all_ids()  # type: ignore[no-any-return]
    return _blocks(matcher)


def _blocks(m: W3LeafMatcher) -> Iterable[int]:
    # Whoosh's all_ids() steps one posting at a time (0.18 s for 210,000): read whole blocks.
    read: Callable[[Any], Iterable[int]] = (lambda ids: ids) if m._byteids else accumulate  # IDs as deltas
    while True:
        if m._data is None:
            m._read_data()
        yield from read(m._data[0])
        if m._lastblock:
            return
        m._goto(m._nextoffset)
