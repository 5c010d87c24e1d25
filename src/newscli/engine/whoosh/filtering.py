"""The filters as sets of document numbers, segment by segment: outlets, IDs, dates and deletions.

Whoosh takes filters as queries and finds their documents a posting at a time.
An `is:unread` filter is every article read, which after a month of reading is
tens of thousands of IDs, each looked up in every segment of the index: 150,000 of
them took seconds at 300,000 articles. Here the IDs of a segment are read once, in
order, when more than half its size are asked for, and (but in the plain mode)
each segment's postings are read a block at a time (internals/postings.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from newscli.engine.whoosh.compile import dates_query, outlets_named
from newscli.models import Filters


def leaves(s: Searcher, filters: Filters) -> Iterator[tuple[Any, int, set[int] | None, set[int]]]:
    """Each segment of the index, its first document's number, and its documents the filters keep and leave out.

    Kept: None when the filters keep every article but those left out; left out: the
    deleted ones too.
    """
    outlets = set(outlets_named(s, filters.sources)) if filters.sources else None
    languages = set(filters.languages) if filters.languages else None
    when = dates_query(filters)
    only = None if filters.only_ids is None else set(filters.only_ids)
    without = set(filters.without_ids)
    for sub, offset in s.leaf_searchers():
        leaf = sub.reader()
        if leaf.segment() is None:  # an empty index's stand-in segment
            continue
        kept: set[int] | None = None
        if outlets is not None:
            kept = holding(leaf, "outlet", outlets)
        if languages is not None:
            kept = _both(kept, holding(leaf, "lang", languages))
        if only is not None:
            kept = _both(kept, holding(leaf, "id", only))
        if when is not None:
            kept = _both(kept, set(when.docs(sub)))
        left_out = leaf.deleted_docs_set | holding(leaf, "id", without) if without else leaf.deleted_docs_set
        yield leaf, offset, None if kept is None else kept - left_out, left_out


def documents(s: Searcher, filters: Filters) -> tuple[set[int] | None, set[int] | None]:
    """The filters as Whoosh's search takes them: the documents kept (None: any) and those left out (None: none)."""
    if filters == Filters(marked=filters.marked):  # none (Whoosh leaves deleted documents out itself)
        return None, None
    kept: set[int] | None = None
    left_out: set[int] = set()
    for _, offset, part_kept, part_left_out in leaves(s, filters):
        if part_kept is None:
            left_out.update(offset + d for d in part_left_out)
        else:
            kept = kept or set()
            kept.update(offset + d for d in part_kept)
    if kept is not None and not kept:
        kept = {-1}  # no document: Whoosh takes an empty set for no filter at all
    return kept, left_out or None


def within(docs: set[int], where: tuple[set[int] | None, set[int] | None]) -> set[int]:
    """Those of `docs` that filters' documents (as `documents` gives them) let through."""
    kept, left_out = where
    return (docs if kept is None else docs & kept) - (left_out or set())


def _both(kept: set[int] | None, docs: set[int]) -> set[int]:
    return docs if kept is None else kept & docs


def holding(leaf: Any, fieldname: str, texts: set[str]) -> set[int]:
    """The documents of a segment that hold any of these words of a field (deleted ones included).

    Looking a word up costs as much as reading two or three of a segment's words in
    order, and most of many IDs (every article read) are in other segments: past half
    the segment's size, its words are read once, and kept while the segment is open.
    """
    words = leaf.__dict__.get(_WORDS, {}).get(fieldname)
    if words is None and len(texts) * 2 > leaf.doc_count_all():
        words = leaf.__dict__.setdefault(_WORDS, {})[fieldname] = _words(leaf, fieldname)
    if words is None:
        return set().union(*(postings(leaf, fieldname, text) for text in texts))
    if len(texts) > len(words):
        texts = texts & words.keys()
    docs = {one for text in texts if (one := words.get(text)) is not None}
    for text in texts:
        if text in words and words[text] is None:  # a word of more than one document
            docs.update(postings(leaf, fieldname, text))
    return docs


_WORDS = "_newscli_words"  # where a segment keeps its words read in order (see `holding`)


def _words(leaf: Any, fieldname: str) -> dict[str, int | None]:
    """Each word of a field in a segment: the one document that holds it, or None when more do."""
    if internals.active() and (found := internals.postings.words(leaf, fieldname)) is not None:
        return found
    return {
        text.decode("utf-8"): info.min_id() if info.doc_frequency() == 1 else None
        for text, info in leaf.iter_field(fieldname)
    }


def postings(leaf: Any, fieldname: str, text: str) -> Iterable[int]:
    """The documents of a segment holding a word (deleted ones too, unless in the plain mode)."""
    try:
        info = leaf.term_info(fieldname, text)
    except TermNotFound:
        return ()
    if info.doc_frequency() == 1:  # an article's ID: the term's information names its one document
        return (info.min_id(),)
    matcher = leaf.postings(fieldname, text)
    if internals.active() and (found := internals.postings.blocks(matcher)) is not None:
        return found
    return matcher.all_ids()  # type: ignore[no-any-return]


def counted(s: Searcher, fieldname: str, without: frozenset[str]) -> Counter[str]:
    """The articles holding each word of a field (each article once a word, not counting those `without`).

    Counted from the term index, not article by article: at 300,000 articles that took seconds."""
    counts: Counter[str] = Counter()
    for leaf, _, _, left_out in leaves(s, Filters(without_ids=without)):
        for name in leaf.field_terms(fieldname):
            if left_out:  # the term's count includes them
                counts[name] += len(set(postings(leaf, fieldname, name)) - left_out)
            else:
                counts[name] += leaf.doc_frequency(fieldname, name)
    return +counts
