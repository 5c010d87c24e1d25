"""The processes that analyse articles for a multi-process writer, made safe to interrupt.

Whoosh's MpWriter starts a helper (multiproc.SubWriterTask) for each process it is
given. newscli's helpers (a subclass put in SubWriterTask's place) are forked from a
clean server process, ignore Ctrl-C (the main process stops them), end with the
main process however it ends (kill -9 too), and on a failure (a full disk) take and
drop the jobs left, so that the main process never waits on a full queue and learns
of it at commit, from their exit status, rather than committing without their
articles.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from contextlib import suppress
from functools import cache
from typing import Any

from newscli.errors import IndexError_

RETRY_HINT = "what was committed before still answers; run `newscli index` again"


def before_commit(w: Any) -> None:
    """Readies a multi-process writer to commit: the last articles handed over (so that every
    helper is started by now), and its results read so that a helper that failed fails the commit."""
    if w.docbuffer:
        w._enqueue()
    w.resultqueue = _Results(w.resultqueue, w.tasks)


@cache
def prepare() -> None:
    """Has multi-process writers start their helpers from a clean process.

    Done once, when such a writer is first made: a search need not load multiprocessing.
    A helper forked from this process would start with what it holds (the scan of the
    archive, which grows with the archive, among it) and copy part of it as it runs. Helpers
    are forked instead from a server process started once, with Whoosh loaded ("forkserver",
    the default from Python 3.14).
    """
    import multiprocessing

    from whoosh import multiproc

    multiprocessing.set_forkserver_preload(["newscli.engine.whoosh.writing", __name__])  # Whoosh, the schema
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
