"""How the archive differs from the index: new, changed and removed files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from newscli import archive
from newscli.archive import within
from newscli.config import Config
from newscli.indexing.catalog import Catalog, FileRecord
from newscli.indexing.manifest import Manifest, following
from newscli.models import Skipped

HELD = 10_000  # files to read that a run keeps from its first walk (4 MB); it walks again for more


@dataclass(slots=True)
class ToRead:
    """A new or changed file, with its count of articles in the index if it had any."""

    entry: archive.FileEntry
    previous: int | None


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
    held: list[ToRead] | None = field(default_factory=list)  # the files to read; None when too many to keep

    @property
    def any(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    def describe(self) -> str:
        parts = [(self.new, "new"), (len(self.changed), "changed"), (len(self.removed), "removed")]
        return ", ".join(f"{n} {what} file{'s' * (n != 1)}" for n, what in parts if n) or "new roots"

    def to_read(self, catalog: Catalog) -> Iterator[ToRead]:
        """Each new or changed file: those the walk kept, if it kept them all; else the archive is walked again.

        Holding every new file would make a run need more memory the larger the archive.
        """
        if self.held is not None:
            self.held.reverse()
            while self.held:  # each let go of once taken
                yield self.held.pop()
            return
        scan = self.scan
        found = archive.Scan(scan.roots, scan.names, scan.defaults, scan.follow_links, scan.scope)
        for entry, _, record in _matched(found, catalog):
            if entry is not None and (record is None or entry.path in self.changed or not _same(record, entry)):
                yield ToRead(entry, None if record is None else record.articles)

    def hold(self, entry: archive.FileEntry, previous: int | None) -> None:
        self.size += entry.size
        if self.held is not None:
            self.held.append(ToRead(entry, previous))
            if len(self.held) > HELD:
                self.held = None


def changes(
    config: Config,
    catalog: Catalog,
    manifest: Manifest,
    roots: list[str],
    update: bool = False,
    scope: archive.Scope | None = None,
) -> Changes:
    """What differs between the archive and the index (in the scope's folders, if one is given).

    With `update` (for a run that writes), files whose time alone moved are recorded
    anew, and files with something skipped for a reason that can pass count as changed.
    """
    follow = following(config, manifest.follow_links)
    todo = Changes(archive.Scan(roots, config.field_names, manifest.defaults, follow, scope))
    for entry, path, record in _matched(todo.scan, catalog):
        if entry is None:
            assert record is not None
            if not any(within(path, root) for root in todo.scan.missing_roots):
                todo.removed[path] = record.articles
        elif record is None:
            todo.new += 1
            todo.hold(entry, None)
        elif not (update and record.passing) and _same(record, entry):
            todo.unchanged += record.articles
            todo.kept.extend(record.skipped)
            if record.mtime_ns != entry.mtime_ns:
                todo.touched += 1
                if update:
                    catalog.retime(entry.path, entry.mtime_ns)
        else:
            todo.changed.add(entry.path)
            todo.hold(entry, record.articles)
    return todo


def _matched(scan: archive.Scan, catalog: Catalog) -> Iterator[tuple[archive.FileEntry | None, str, FileRecord | None]]:
    """Each file walked with the index's record of it, and each record of a file not walked.

    Both come in order of path, so they are read side by side. Were the archive to
    change during the walk and the order slip, a file would at worst be read again.
    """
    entries = scan.files()
    records = catalog.records() if scan.scope is None else iter(catalog.records_in(scan.scope))
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


def _same(record: FileRecord, entry: archive.FileEntry) -> bool:
    """Whether a file is as indexed: its signature, or, if its time alone moved, its bytes (as git checks)."""
    if record.signature == entry.signature:
        return True
    same_apart_from_time = record.digest is not None and record.size == entry.size and record.context == entry.context
    return same_apart_from_time and record.digest == archive.file_digest(entry.path)
