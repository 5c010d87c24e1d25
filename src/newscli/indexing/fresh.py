"""An engine up to date with the archive, for anything that reads the index.

The CLI's read commands call `read_fresh`; a caller that keeps an engine for
longer (an interactive reader, a resident process) calls `up_to_date` when it
wants the archive's latest.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from typing import TYPE_CHECKING, TypeVar

from newscli.config import Config
from newscli.engine import Engine
from newscli.errors import IndexError_
from newscli.indexing.manifest import Manifest, Summary, engine_of, known_roots
from newscli.indexing.roots import roots_for

if TYPE_CHECKING:  # the rest is loaded only when the archive changed: a search that finds none needs less
    from newscli.indexing.update import Progress
    from newscli.models import IndexReport

T = TypeVar("T")
Warn = Callable[[str], None]


def read_fresh(config: Config, query: Callable[[Engine], T], progress: Progress | None, warn: Warn) -> T:
    """What `query` finds in the index, built on first use and brought up to date when the archive changed.

    The archive is compared with the summary in a forked process while `query` runs on
    the index as it is: the two halves of a search, each on a core of its own. Only if
    the archive changed is the index brought up to date and `query` run again.
    """
    folder = config.index_dir
    summary = Summary.load(config, folder)
    if summary is not None:
        with _aside(lambda: summary.unchanged(config, folder)) as unchanged:
            try:
                found = query(engine_of(config).open(str(folder)))
            except Exception:  # what a query fails on in an index behind the archive is no answer
                if unchanged():
                    raise
            else:
                if unchanged():
                    return found
    return query(_brought_up_to_date(config, progress, warn, summary))


def up_to_date(config: Config, progress: Progress | None, warn: Warn) -> Engine:
    """The index, built on first use and brought up to date if the archive changed since the last look."""
    folder = config.index_dir
    summary = Summary.load(config, folder)
    if summary is not None and summary.unchanged(config, folder):
        return engine_of(config).open(str(folder))
    return _brought_up_to_date(config, progress, warn, summary)


@contextmanager
def _aside(check: Callable[[], bool]) -> Iterator[Callable[[], bool]]:
    """`check` run in a forked process; what it returns, when asked: False if it failed."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked process: it answers, then ends without running anything of its parent's
        try:
            os.close(read)
            os.write(write, b"1" if check() else b"0")
        finally:
            os._exit(0)
    os.close(write)
    try:
        yield lambda: os.read(read, 1) == b"1"
    finally:
        os.close(read)
        os.kill(pid, signal.SIGKILL)  # it has ended, unless the caller stopped before asking
        os.waitpid(pid, 0)


def _brought_up_to_date(config: Config, progress: Progress | None, warn: Warn, summary: Summary | None) -> Engine:
    """The index, built if there is none, and updated from the archive, which differs from the summary."""
    from newscli.indexing.catalog import Catalog
    from newscli.indexing.changes import changes
    from newscli.indexing.lock import in_use
    from newscli.indexing.update import update

    folder = config.index_dir
    opened = engine_of(config).open
    manifest = Manifest.load(folder)
    roots = roots_for(config, known_roots(folder, manifest), None)
    if manifest is None or not manifest.usable(config, folder):
        if manifest is None:
            why = "first run"
        elif manifest.current(config):
            why = "the index's files were missing"
        else:
            why = "the index was made by another version of newscli"
        warn(f"building the index of {', '.join(roots)} in {folder} ({why})")
        _tell(update(config, progress=progress), warn)
        return opened(str(folder))
    if in_use(folder):  # its catalog is being written: search what is there
        warn(f"another newscli is updating the index in {folder}; results may miss the latest changes")
        return opened(str(folder))
    try:
        with closing(Catalog.open(str(folder))) as catalog:
            todo = changes(config, catalog, manifest, roots)
    except IndexError_ as e:  # a damaged catalog, or one locked too long: search what is there
        warn(f"cannot tell whether the archive changed: {e.message}" + (f"; {e.hint}" if e.hint else ""))
        return opened(str(folder))
    if todo.any or roots != manifest.roots:
        described = todo.describe()
        if not config.auto_refresh:
            warn(f"the archive changed since the last index ({described}); run `newscli index`")
        else:
            try:
                report = update(config, progress=progress, timeout=0)
            except IndexError_ as e:
                warn(f"the archive changed ({described}) but {e.message}; results may miss it")
            except OSError as e:  # a read-only or full index folder: search what is there
                warn(
                    f"the archive changed ({described}) but the index cannot be updated ({e.strerror}); "
                    "results may miss it"
                )
            else:
                _tell(report, warn)
    elif (todo.touched or todo.scan.defaults != manifest.defaults or summary is None) and config.auto_refresh:
        # Files (or folder defaults) whose times alone changed, or no summary (an index of an
        # earlier version): recording them spares the next searches reading so much again.
        with suppress(IndexError_, OSError):
            update(config, timeout=0)
    return opened(str(folder))


def _tell(report: IndexReport, warn: Warn) -> None:
    if report.interrupted:
        raise KeyboardInterrupt
    warn(
        f"index updated: {report.added} added, {report.updated} updated, {report.removed} removed"
        + (f", {len(report.skipped)} skipped (see `newscli index`)" if report.skipped else "")
    )
