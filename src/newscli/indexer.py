"""Keeping the index in step with the archive: what changed, and writing it safely.

The index folder holds the Whoosh index; the catalog (catalog.py), with the
signature of every file the index holds articles of, committed with those
articles, and the IDs and copies the indexer looks up; and `manifest.json`, the
archive's roots and the index's version. So a run that is killed leaves an index
that answers queries and a record that makes the next run redo whatever was not
committed. Beside them, `summary.json` holds one digest of all the signatures:
a search compares the archive with it, and reads the catalog only when
something changed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import signal
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from newscli import archive, dates, dupes
from newscli.catalog import Catalog, FileRecord
from newscli.config import DEFAULT_ARCHIVE, Config
from newscli.engine import SCHEMA_VERSION, Engine
from newscli.errors import IndexError_, NewscliError
from newscli.models import Article, CheckReport, IndexReport, Skipped

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
LOCK = "newscli.lock"
MANIFEST_VERSION = 1
BATCH = 5000  # articles per commit: what an interrupted run can lose
HELD = 10_000  # files to read that a run keeps from its first walk (4 MB); it walks again for more
PARALLEL_BYTES = archive.MB  # less text than this is written by one process (helpers take time to start)

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)
T = TypeVar("T")


@dataclass
class Manifest:
    """What is indexed, in outline: each file is recorded in the catalog."""

    roots: list[str] = field(default_factory=list)
    schema: int = SCHEMA_VERSION  # of the index it describes
    defaults: dict[str, list[Any]] = field(default_factory=dict)  # folder defaults files, as read

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return None
            return cls(list(data["roots"]), int(data.get("schema", 0)), dict(data.get("defaults", {})))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexError_(
                f"the index's manifest {folder / MANIFEST} is damaged ({e})",
                hint="run `newscli index --rebuild` to build the index again",
            ) from None

    def save(self, folder: Path) -> None:
        _write_json(folder / MANIFEST, self._head())

    def summarise(self, folder: Path, catalog: Catalog) -> None:
        """Writes the summary, once the catalog holds all this run commits."""
        saved = os.stat(folder / MANIFEST)
        files = _fingerprint(catalog.signatures())
        _write_json(folder / SUMMARY, {**self._head(), "manifest": [saved.st_size, saved.st_mtime_ns], "files": files})

    def _head(self) -> dict[str, Any]:
        return {"version": MANIFEST_VERSION, "schema": self.schema, "roots": self.roots, "defaults": self.defaults}


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Writes a file whole or not at all, even if the machine stops."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def _fingerprint(signatures: Iterable[Sequence[Any]]) -> str:
    """One digest of the signatures (path, size, time, context) of many files, given in order of path."""
    digest = hashlib.blake2b(digest_size=16)
    for path, size, mtime, context in signatures:
        digest.update(f"{path}\0{size}\0{mtime}\0{context}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Summary:
    """What `summary.json` holds: enough to tell that the archive is as the manifest records it."""

    roots: list[str]
    defaults: dict[str, list[Any]]
    files: str  # the fingerprint of every file's signature

    @classmethod
    def load(cls, folder: Path) -> Summary | None:
        """The summary, if there is one, made by this version, of the manifest beside it."""
        try:
            data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
            saved = os.stat(folder / MANIFEST)
            if (data["version"], data["schema"]) != (MANIFEST_VERSION, SCHEMA_VERSION):
                return None
            if data["manifest"] != [saved.st_size, saved.st_mtime_ns]:
                return None
            summary = cls(list(data["roots"]), dict(data["defaults"]), str(data["files"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        sound = all(isinstance(root, str) for root in summary.roots) and all(
            isinstance(known, list) and len(known) == 5 and isinstance(known[3], dict)
            for known in summary.defaults.values()
        )
        return summary if sound else None

    def unchanged(self, config: Config, folder: Path) -> bool:
        """Whether the archive is as summarised: one scan, without reading the manifest."""
        if roots_for(config, self.roots, None) != self.roots:
            return False
        if not _built(folder):
            return False
        found = archive.Scan(self.roots, config.field_names, self.defaults)
        same = _fingerprint(found.signatures()) == self.files and found.defaults == self.defaults
        return same and not found.missing_roots


@dataclass(slots=True)
class Changes:
    """How the archive differs from the index."""

    scan: archive.Scan
    new: int = 0
    changed: set[str] = field(default_factory=set)  # paths
    removed: dict[str, int] = field(default_factory=dict)  # path -> articles in the index
    touched: int = 0  # files unchanged but for their times: a copy, a checkout, a `touch`
    unchanged: int = 0  # articles in unchanged files
    kept: list[Skipped] = field(default_factory=list)  # what unchanged files could not give
    size: int = 0  # bytes of the new and changed files
    # Those files, each with its count of articles in the index if it had any; None when too many to keep
    held: list[tuple[archive.FileEntry, int | None]] | None = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed)


def roots_for(config: Config, indexed: list[str], given: list[str] | None) -> list[str]:
    """The archive roots: those given, else the index's and the config's, else ./articles."""
    known = indexed + [str(p) for p in config.archive]
    if given:
        missing = [p for p in given if not os.path.exists(p)]
        if missing:
            raise NewscliError(f"no such file or folder: {missing[0]}")
        return _merge(known, [_normal(p) for p in given])
    if known:
        return _merge([], known)
    if DEFAULT_ARCHIVE.is_dir():
        return [_normal(str(DEFAULT_ARCHIVE))]
    raise NewscliError(
        "no archive to index",
        hint="give its folder (`newscli index PATH`) or set `archive:` in the config file",
    )


def _normal(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _merge(roots: list[str], more: list[str]) -> list[str]:
    """Roots without repeats; a root inside another is covered by it."""
    merged: list[str] = []
    for root in dict.fromkeys(roots + more):
        if any(_within(root, r) for r in merged):
            continue
        merged = [r for r in merged if not _within(r, root)] + [root]
    return merged


def _within(path: str, root: str) -> bool:
    """Whether the path is the root or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def changes(config: Config, catalog: Catalog, manifest: Manifest, roots: list[str], retime: bool = False) -> Changes:
    """What differs between the archive and the index; with `retime`, files whose time alone moved are recorded anew."""
    todo = Changes(archive.Scan(roots, config.field_names, manifest.defaults))
    for entry, path, record in _matched(todo.scan.files(), catalog):
        if entry is None:
            assert record is not None
            if not any(_within(path, root) for root in todo.scan.missing_roots):
                todo.removed[path] = record.articles
        elif record is None:
            todo.new += 1
            _hold(todo, entry, None)
        elif record.signature == entry.signature or _same_bytes(record, entry):
            todo.unchanged += record.articles
            todo.kept.extend(Skipped(where, reason) for where, reason in record.skipped)
            if record.mtime_ns != entry.mtime_ns:
                todo.touched += 1
                if retime:
                    catalog.retime(entry.path, entry.mtime_ns)
        else:
            todo.changed.add(entry.path)
            _hold(todo, entry, record.articles)
    return todo


def _hold(todo: Changes, entry: archive.FileEntry, previous: int | None) -> None:
    todo.size += entry.size
    if todo.held is not None:
        todo.held.append((entry, previous))
        if len(todo.held) > HELD:
            todo.held = None


def _matched(
    entries: Iterator[archive.FileEntry], catalog: Catalog
) -> Iterator[tuple[archive.FileEntry | None, str, FileRecord | None]]:
    """Each file walked with the index's record of it, and each record of a file not walked.

    Both come in order of path, so they are read side by side. Were the archive to
    change during the walk and the order slip, a file would at worst be read again.
    """
    records = catalog.records()
    recorded = next(records, None)
    for entry in entries:
        path = os.fsencode(entry.path)
        while recorded is not None and recorded[0] < path:
            yield None, os.fsdecode(recorded[0]), recorded[1]
            recorded = next(records, None)
        if recorded is not None and recorded[0] == path:
            yield entry, entry.path, recorded[1]
            recorded = next(records, None)
        else:
            yield entry, entry.path, None
    while recorded is not None:
        yield None, os.fsdecode(recorded[0]), recorded[1]
        recorded = next(records, None)


def _same_bytes(record: FileRecord, entry: archive.FileEntry) -> bool:
    """Whether a file whose time alone moved still holds the bytes that were indexed (as git checks)."""
    same_apart_from_time = record.digest is not None and record.size == entry.size and record.context == entry.context
    return same_apart_from_time and record.digest == archive.file_digest(entry.path)


@contextmanager
def locked(folder: Path, timeout: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Holds the index's write lock; waits up to `timeout` seconds for another run to finish."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise IndexError_(
                    f"another newscli is still updating the index in {folder}",
                    hint="wait for it to finish, then try again",
                )
            if not told and on_wait:
                on_wait()
                told = True
            time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def _in_use(folder: Path) -> bool:
    """Whether another run holds the index's write lock."""
    try:
        with locked(folder, timeout=0):
            return False
    except IndexError_:
        return True
    except OSError:  # a folder this user cannot write: nobody can update it
        return False


def update(
    config: Config,
    given: list[str] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
    timeout: float | None = None,
) -> IndexReport:
    """Brings the index up to date with the archive: the work of `newscli index`."""
    folder = config.index_dir
    started = time.monotonic()
    with locked(folder, config.lock_timeout if timeout is None else timeout, on_wait):
        try:
            manifest = Manifest.load(folder)
        except IndexError_:
            if not rebuild:
                raise
            manifest = None  # a damaged manifest is what --rebuild is for
        roots = roots_for(config, manifest.roots if manifest else [], given)
        current = None if rebuild else _usable(manifest, folder)
        # The summary goes before anything changes, and comes back once all is committed:
        # so one left behind always describes the catalog beside it.
        (folder / SUMMARY).unlink(missing_ok=True)
        if current is None:
            # The manifest too: a run stopped while the new index and catalog are made
            # must not leave one that calls them complete.
            (folder / MANIFEST).unlink(missing_ok=True)
            engine = Engine.create(str(folder))
            catalog = Catalog.create(str(folder))
            current = Manifest()
        else:
            engine = Engine.open(str(folder))
            catalog = Catalog.open(str(folder))
        try:
            with catalog.batch():
                todo = changes(config, catalog, current, roots, retime=True)
            current.roots, current.defaults = roots, todo.scan.defaults
            current.save(folder)
            report = _apply(engine, catalog, todo, config, progress)
            current.summarise(folder, catalog)
        except OSError as e:  # a full disk, a folder made read-only
            raise IndexError_(
                f"cannot write the index in {folder} ({e.strerror or e})",
                hint="what was committed before still answers; make room, then run `newscli index`",
            ) from e
        finally:
            catalog.close()
    report.seconds = time.monotonic() - started
    return report


def _apply(engine: Engine, catalog: Catalog, todo: Changes, config: Config, progress: Progress | None) -> IndexReport:
    report = IndexReport(
        skipped=todo.scan.skipped + todo.kept,
        ignored=todo.scan.ignored,
        missing=todo.scan.missing_roots,
        unchanged=todo.unchanged,
    )
    report.removed += sum(todo.removed.values())
    more = todo.any
    total_bytes = todo.size or 1
    done_bytes = 0
    index_was_empty = engine.doc_count() == 0
    replacing = todo.changed  # files whose articles may give up their IDs to others, until read
    to_read = _to_read(todo, catalog)
    procs = _procs(total_bytes)
    try:
        while more:
            # One commit per batch: the articles are written while the next files are read.
            # The catalog, with each file's record, commits after the index (see catalog.py).
            count = 0
            with catalog.batch(), engine.writer(procs) as w:
                for path in todo.removed:
                    w.delete_file(path)
                    catalog.delete_file(path)
                for entry, previous in to_read:
                    catalog.delete_file(entry.path)
                    replacing.discard(entry.path)
                    articles, skipped = _read(entry, config, catalog, replacing)
                    # A run stopped between the two commits leaves articles of files the
                    # catalog does not know: clear those too, so that none is there twice.
                    if previous is not None or not index_was_empty:
                        w.delete_file(entry.path)
                    for article, story in articles:
                        w.add(article, story)
                    reasons = [[s.where, s.reason] for s in skipped]
                    catalog.record_file(
                        entry.path,
                        FileRecord(entry.size, entry.mtime_ns, entry.context, len(articles), reasons, entry.digest),
                    )
                    _count(report, previous, len(articles), skipped)
                    count += len(articles)
                    done_bytes += entry.size
                    if progress:
                        progress(done_bytes, total_bytes)
                    if count >= BATCH:
                        break
                else:
                    more = False
            todo.removed.clear()
    except KeyboardInterrupt:
        report.interrupted = True
    return report


def _procs(total_bytes: int) -> int:
    """Processes to write with: every core for a large amount of text, else just this one."""
    if total_bytes < PARALLEL_BYTES:
        return 1
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _read(
    entry: archive.FileEntry, config: Config, catalog: Catalog, replacing: set[str]
) -> tuple[list[tuple[Article, str]], list[Skipped]]:
    """The articles of one file, with their stories, and what was skipped; each is recorded in the catalog."""
    articles: list[tuple[Article, str]] = []
    skipped: list[Skipped] = []
    for item in archive.read(entry, config.field_names, config.max_file_mb):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        # An ID belongs to one file; another file may take it only if that file is being re-read now.
        owner = catalog.owner(item.id)
        if owner is not None and owner.path not in replacing:
            skipped.append(Skipped(item.location, f"same ID {item.id} as an article in {owner.location}"))
            continue
        story, sketch, when = story_of(item, catalog)
        catalog.add(item, story, sketch, when)
        articles.append((item, story))
    return articles, skipped


def _to_read(todo: Changes, catalog: Catalog) -> Iterator[tuple[archive.FileEntry, int | None]]:
    """Each new or changed file, with its count of articles in the index if it had any.

    Those the first walk kept, if it kept them all; else the archive is walked again:
    holding every new file would make a run need more memory the larger the archive.
    """
    if todo.held is not None:
        todo.held.reverse()
        while todo.held:  # each let go of once taken
            yield todo.held.pop()
        return
    found = archive.Scan(todo.scan.roots, todo.scan.names, todo.scan.defaults)
    for entry, _, record in _matched(found.files(), catalog):
        if entry is not None and (record is None or record.signature != entry.signature):
            yield entry, None if record is None else record.articles


def _count(report: IndexReport, previous: int | None, n: int, skipped: list[Skipped]) -> None:
    if previous is None:
        report.added += n
    else:
        report.updated += min(previous, n)
        report.added += max(0, n - previous)
        report.removed += max(0, previous - n)
    report.skipped.extend(skipped)


def story_of(article: Article, catalog: Catalog) -> tuple[str, array[int] | None, float | None]:
    """The story an article belongs to (that of an earlier copy of its text, else its own ID), its sketch and time."""
    when = dates.timestamp(article.date) if article.date else None
    sketch = dupes.sketch(article.body)
    if sketch is None:
        return article.id, None, when
    return catalog.story_of(sketch, when) or article.id, sketch, when


def _usable(manifest: Manifest | None, folder: Path) -> Manifest | None:
    """The manifest, if it describes an index this version can update; None when one must be built."""
    if manifest is None or manifest.schema != SCHEMA_VERSION:
        return None
    return manifest if _built(folder) else None


def _built(folder: Path) -> bool:
    """Whether the folder holds the index's files (readable or not: opening them tells)."""
    return Engine.exists(str(folder)) and Catalog.exists(str(folder))


def read_fresh(
    config: Config, query: Callable[[Engine], T], progress: Progress | None, warn: Callable[[str], None]
) -> T:
    """What `query` finds in the index, built on first use and brought up to date when the archive changed.

    The archive is compared with the summary in a forked process while `query` runs on
    the index as it is: the two halves of a search, each on a core of its own. Only if
    the archive changed is the index brought up to date and `query` run again.
    """
    folder = config.index_dir
    summary = Summary.load(folder)
    if summary is not None:
        with _aside(lambda: summary.unchanged(config, folder)) as unchanged:
            try:
                found = query(Engine.open(str(folder)))
            except Exception:  # what a query fails on in an index behind the archive is no answer
                if unchanged():
                    raise
            else:
                if unchanged():
                    return found
    return query(_brought_up_to_date(config, progress, warn, summary))


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


def _brought_up_to_date(
    config: Config, progress: Progress | None, warn: Callable[[str], None], summary: Summary | None
) -> Engine:
    """The index, built if there is none, and updated from the archive, which differs from the summary."""
    folder = config.index_dir
    manifest = Manifest.load(folder)
    roots = roots_for(config, manifest.roots if manifest else [], None)
    current = _usable(manifest, folder)
    if current is None:
        if manifest is None:
            why = "first run"
        elif manifest.schema == SCHEMA_VERSION:
            why = "the index's files were missing"
        else:
            why = "the index was made by another version of newscli"
        warn(f"building the index of {', '.join(roots)} in {folder} ({why})")
        _tell(update(config, progress=progress), warn)
        return Engine.open(str(folder))
    if _in_use(folder):  # its catalog is being written: search what is there
        warn(f"another newscli is updating the index in {folder}; results may miss the latest changes")
        return Engine.open(str(folder))
    try:
        with closing(Catalog.open(str(folder))) as catalog:
            todo = changes(config, catalog, current, roots)
    except IndexError_ as e:  # a damaged catalog, or one locked too long: search what is there
        warn(f"cannot tell whether the archive changed: {e.message}" + (f"; {e.hint}" if e.hint else ""))
        return Engine.open(str(folder))
    if todo.any or roots != current.roots:
        described = _describe(todo)
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
    elif (todo.touched or todo.scan.defaults != current.defaults or summary is None) and config.auto_refresh:
        # Files (or folder defaults) whose times alone changed, or no summary (an index of an
        # earlier version): recording them spares the next searches reading so much again.
        with suppress(IndexError_, OSError):
            update(config, timeout=0)
    return Engine.open(str(folder))


def check(config: Config) -> CheckReport:
    """Reads the whole index and compares it with its manifest, its catalog and the archive."""
    folder = config.index_dir
    manifest = _usable(Manifest.load(folder), folder)
    if manifest is None:
        raise IndexError_(f"no index of this version in {folder}", hint="run `newscli index` to build it")
    per_file, per_id, postings = Engine.open(str(folder)).read_all()
    report = CheckReport(sum(per_file.values()), len(per_file), postings)
    with closing(Catalog.open(str(folder))) as catalog:
        recorded = {os.fsdecode(path): record.articles for path, record in catalog.records()}
        report.problems += _disagreements(per_file, recorded, "recorded")
        report.problems += _disagreements(per_file, catalog.per_file(), "in its catalog")
        todo = changes(config, catalog, manifest, roots_for(config, manifest.roots, None))
    report.problems += [f"ID {i} is in the index {n} times" for i, n in sorted(per_id.items()) if n > 1]
    report.new, report.changed, report.removed = todo.new, len(todo.changed), len(todo.removed)
    return report


def _disagreements(held: Mapping[str, int], listed: Mapping[str, int], where: str) -> list[str]:
    """Each file whose count of articles in the index differs from that listed elsewhere."""
    return [
        f"{path}: {held.get(path, 0):,} articles in the index, {listed.get(path, 0):,} {where}"
        for path in sorted(set(held) | set(listed))
        if held.get(path, 0) != listed.get(path, 0)
    ]


def _describe(todo: Changes) -> str:
    parts = [(todo.new, "new"), (len(todo.changed), "changed"), (len(todo.removed), "removed")]
    return ", ".join(f"{n} {what} file{'s' * (n != 1)}" for n, what in parts if n) or "new roots"


def _tell(report: IndexReport, warn: Callable[[str], None]) -> None:
    if report.interrupted:
        raise KeyboardInterrupt
    warn(
        f"index updated: {report.added} added, {report.updated} updated, {report.removed} removed"
        + (f", {len(report.skipped)} skipped (see `newscli index`)" if report.skipped else "")
    )
