"""Writing the index: batches, the helper processes that analyse articles, and the merge policy."""

from __future__ import annotations

import math
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from typing import Any, Protocol, TypeVar

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh.index import Index
from whoosh.reading import SegmentReader

from newscli.engine import Writer
from newscli.engine.whoosh.schema import document
from newscli.errors import IndexError_
from newscli.models import Article

WRITER_MB = 32  # memory for sorting postings, per writing process (a few run at once; more saved no time)
PARALLEL_BYTES = 1024 * 1024  # less text than this is written by one process (helpers take time to start)
MERGE_BELOW = 2000  # live articles: segments this small are merged, larger ones are left alone
MERGE_FACTOR = 10  # small segments of about the same size merged at a time
RETRY_HINT = "what was committed before still answers; run `newscli index` again"


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
    procs = processes(expected_bytes)
    if procs > 1:
        _prepare_helpers()
        # The helpers analyse the added articles while this process goes on reading the archive.
        options.update(procs=procs, batchsize=200, multisegment=True)
    w = ix.writer(**options)
    committing = False
    try:
        yield WhooshWriter(w)
        committing = True
        if procs > 1:
            if w.docbuffer:  # the last articles, handed over here, so that every helper is started by now
                w._enqueue()
            w.resultqueue = _Results(w.resultqueue, w.tasks)
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


@cache
def _prepare_helpers() -> None:
    """Has multi-process writers start their helpers from a clean process.

    Done once, when such a writer is first made: a search need not load multiprocessing.
    A helper forked from this process would start with what it holds (the scan of the
    archive, which grows with the archive, among it) and copy part of it as it runs. Helpers
    are forked instead from a server process started once, with Whoosh loaded ("forkserver",
    the default from Python 3.14).
    """
    import multiprocessing

    from whoosh import multiproc

    multiprocessing.set_forkserver_preload([__name__])
    # After a kill -9, Python's resource tracker removes the helpers' semaphores and says so
    # in a two-line warning on the terminal: they are cleaned up, so it need not.
    sys.warnoptions.append("ignore::UserWarning:multiprocessing.resource_tracker")
    multiprocessing.set_start_method("forkserver", force=True)
    multiproc.SubWriterTask = _helper_class()


def __getattr__(name: str) -> Any:
    # A helper finds its class here by name when it starts.
    if name == "Helper":
        return _helper_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _helper_class() -> type:
    from whoosh.multiproc import SubWriterTask

    class Helper(SubWriterTask):  # type: ignore[misc]
        """Analyses articles for a multi-process writer; safe to interrupt."""

        def run(self) -> None:
            # Ctrl-C is for the main process to handle (it stops the helpers), and a
            # helper must not outlive it (kill -9).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _die_with(self._parent_pid)
            self.jobqueue = jobs = _Jobs(self.jobqueue)  # type: ignore[has-type]
            try:
                super().run()
            except Exception as e:  # a full disk, most likely: the main process says so, in one line
                failed = e.errno if isinstance(e, OSError) and e.errno and 0 < e.errno < FAILED else FAILED
                # Jobs go on being taken (and dropped) until the last, so that the main process never
                # waits on a full queue; it learns of the failure from the exit status, at commit.
                while not jobs.ended:
                    if job := jobs.get():
                        with suppress(Exception):
                            self.storage.temp_storage(f"{self.indexname}.tmp").delete_file(job[0])
                raise SystemExit(failed) from None

    Helper.__qualname__ = "Helper"  # where a helper finds it (above)
    return Helper


def _die_with(parent: int) -> None:
    """Ends this helper as soon as the main process ends, however it ends (kill -9 too)."""

    def watch() -> None:
        try:
            select.select([os.pidfd_open(parent)], [], [])  # readable once it has ended
        except (AttributeError, OSError):  # ended already, or no pidfd_open (not Linux 5.3+)
            with suppress(OSError):
                while True:  # until it is gone: look twice a second
                    os.kill(parent, 0)
                    time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


FAILED = 125  # a helper's exit status for a failure other than an OSError (whose errno it is, else)


class _Jobs:
    """A helper's queue of jobs, which knows whether it has handed out the last (None)."""

    def __init__(self, jobs: Any) -> None:
        self._jobs, self.ended = jobs, False

    def get(self) -> Any:
        job = self._jobs.get()
        self.ended = job is None
        return job


class _Results:
    """The helpers' results queue, as a commit reads it once they have ended: one that failed fails the commit.

    Whoosh skips the results it does not find, and commits without their articles.
    """

    def __init__(self, results: Any, helpers: list[Any]) -> None:
        self._results, self._helpers = results, helpers

    def get(self, timeout: float | None = None) -> Any:
        for helper in self._helpers:
            if helper.exitcode:  # they have been joined
                code = helper.exitcode
                if 0 < code < FAILED:
                    raise OSError(code, os.strerror(code))
                raise IndexError_(f"a process writing the index failed (exit status {code})", hint=RETRY_HINT)
        return self._results.get(timeout=timeout)


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
