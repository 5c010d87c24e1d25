"""Writing the index: batches (with helper processes where the internals are in use), and the merge policy."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Protocol, TypeVar

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh.index import Index
from whoosh.reading import SegmentReader

from newscli.engine import Writer
from newscli.engine.whoosh.schema import document
from newscli.models import Article

WRITER_MB = 32  # memory for sorting postings, per writing process (a few run at once; more saved no time)
PARALLEL_BYTES = 1024 * 1024  # less text than this is written by one process (helpers take time to start)
MERGE_BELOW = 2000  # live articles: segments this small are merged, larger ones are left alone
MERGE_FACTOR = 10  # small segments of about the same size merged at a time


class WhooshWriter(Writer):
    def __init__(self, writer: Any) -> None:
        self._w = writer

    def add(self, article: Article, story: str) -> None:
        self._w.add_document(**document(article, story))

    def delete_file(self, path: str) -> None:
        self._w.delete_by_term("path", path)


@contextmanager
def batch(ix: Index, expected_bytes: int) -> Iterator[Writer]:
    """A batch of changes to `ix`: see `Engine.writer`."""
    # Separate segment files: a compound one is copied whole into memory by every
    # searcher that reads stored fields (about 0.2 s per search on 30,000 articles).
    options: dict[str, Any] = {"limitmb": WRITER_MB, "compound": False}
    # Helper processes analyse the added articles while this process goes on reading the archive:
    # only with the internals (their helpers stop cleanly on Ctrl-C and kill -9, and fail a commit).
    procs = processes(expected_bytes) if internals.active() else 1
    if procs > 1:
        internals.helpers.prepare()
        options.update(procs=procs, batchsize=200, multisegment=True)
    w = ix.writer(**options)
    committing = False
    try:
        yield WhooshWriter(w)
        committing = True
        if procs > 1:
            internals.helpers.before_commit(w)
        w.commit(mergetype=_merge_small_segments)
    except BaseException as e:
        # Stopped, even mid-commit: helpers still waiting for work would keep this
        # process from ending (it waits for them at exit).
        for helper in getattr(w, "tasks", ()):
            helper.terminate()
            helper.join()
        # A commit stopped part way by Ctrl-C is not undone: the last complete one answers.
        if not committing or not isinstance(e, KeyboardInterrupt):
            with suppress(Exception):
                w.cancel()
        raise


def processes(expected_bytes: int) -> int:
    """Processes to write with: every core (up to 4) for a large amount of text, else just this one."""
    if expected_bytes < PARALLEL_BYTES:
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class _Counted(Protocol):
    def doc_count(self) -> int: ...


S = TypeVar("S", bound=_Counted)


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's merge policy for newscli's commits: the segments to keep as they are."""
    keep, merge = merge_plan(segments)
    for segment in merge:  # into the segment this commit writes
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return keep


def merge_plan(segments: Iterable[S]) -> tuple[list[S], list[S]]:
    """Which segments of the index to keep and which to merge; those in neither are dropped.

    Merging a segment in Whoosh costs about as much as indexing its articles again, so
    segments written by a batch of a full index (a few thousand articles each) are never
    merged, and each costs a search about a millisecond. Segments left by small updates
    (or thinned by deletions) are merged ten of about the same size at a time, so an
    article is rewritten once per power of ten at most and daily updates do not pile up. Segments
    whose articles are all deleted are dropped. (Whoosh's own policy keeps those, and once
    there are enough segments merges all of them at once: 40 minutes for 155,000 articles.)
    """
    keep: list[S] = []
    tiers: dict[int, list[S]] = {}
    for segment in segments:
        live = segment.doc_count()
        if live >= MERGE_BELOW:
            keep.append(segment)
        elif live > 0:
            tiers.setdefault(int(math.log10(live)), []).append(segment)
    merge: list[S] = []
    for tier in tiers.values():
        (merge if len(tier) >= MERGE_FACTOR else keep).extend(tier)
    return keep, merge
