"""Bringing the index up to date with the archive, safely: the work of `newscli index`.

A run that is killed leaves an index that answers queries and a record that
makes the next run redo whatever was not committed (see catalog.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from newscli import archive, dates, dupes
from newscli.config import Config
from newscli.engine import Engine
from newscli.errors import IndexError_
from newscli.indexing import outlets
from newscli.indexing.catalog import Catalog, FileRecord
from newscli.indexing.changes import Changes, changes
from newscli.indexing.lock import locked
from newscli.indexing.manifest import (
    MANIFEST,
    SUMMARY,
    Manifest,
    Summary,
    claim,
    engine_of,
    fingerprint,
    known_roots,
)
from newscli.indexing.roots import roots_for
from newscli.models import Article, Filters, IndexReport, SearchRequest, Skipped, Sort

BATCH = 5000  # articles per commit: what an interrupted run can lose

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


def update(
    config: Config,
    given: list[str] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
    timeout: float | None = None,
    paths: Collection[str] | None = None,
) -> IndexReport:
    """Brings the index up to date with the archive: the work of `newscli index`.

    Given the `paths` that changed (as a watcher sees them), only their folders are looked at.
    """
    folder = config.index_dir
    started = time.monotonic()
    claim(folder)
    with locked(folder, config.lock_timeout if timeout is None else timeout, on_wait):
        try:
            manifest = Manifest.load(folder)
        except IndexError_:
            if not rebuild:
                raise
            manifest = None  # a damaged manifest is what --rebuild is for
        roots = roots_for(config, known_roots(folder, manifest), given)
        usable = not rebuild and manifest is not None and manifest.usable(config, folder)
        scope = archive.scope_of(paths) if usable and paths is not None and given is None else None
        summary = Summary.load(config, folder) if scope is not None else None
        # The summary goes before anything changes, and comes back once all is committed:
        # so one left behind always describes the catalog beside it.
        (folder / SUMMARY).unlink(missing_ok=True)
        if manifest is None or not usable:
            # The manifest too: a run stopped while the new index and catalog are made
            # must not leave one that calls them complete.
            (folder / MANIFEST).unlink(missing_ok=True)
            engine = engine_of(config).create(str(folder))
            catalog = Catalog.create(str(folder))
            manifest = Manifest.new(config)
        else:
            engine = engine_of(config).open(str(folder))
            catalog = Catalog.open(str(folder))
        catalog.telling = config.story_window_days > 0
        try:
            before = catalog.signatures_in(scope) if scope is not None and summary is not None else None
            untold = usable and catalog.telling and not catalog.tells()
            with catalog.batch():
                catalog.record_roots(roots)
                if untold:  # an index made before stories (or by another version of them): told now
                    catalog.retell()
                    for article in engine.every(SearchRequest("", Filters(), Sort.OLDEST, limit=0)):
                        catalog.tell(article, dates.timestamp_of(article))
                todo = changes(config, catalog, manifest, roots, update=True, scope=scope)
            defaults = todo.scan.defaults
            if scope is not None:  # those of the folders not looked at are as they were
                defaults = {p: d for p, d in manifest.defaults.items() if not archive.in_scope(p, scope)} | defaults
            manifest.roots, manifest.defaults, manifest.follow_links = roots, defaults, todo.scan.follow_links
            manifest.save(folder)
            report = _apply(engine, catalog, todo, config, progress)
            if not report.interrupted:
                with catalog.batch():
                    catalog.place_stories(config.story_window_days)
            files = None
            if scope is not None and summary is not None and before is not None:  # those outside are as they were
                files = fingerprint(catalog.signatures_in(scope), start=summary.files, less=before)
            manifest.summarise(folder, catalog, files)
            outlets.keep(folder, report.outlets, not usable, lambda: (b.name for b in engine.sources()))
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
    more = todo.any
    total_bytes = todo.size or 1
    done_bytes = 0
    index_was_empty = engine.count() == 0
    replacing = todo.changed  # files whose articles may give up their IDs to others, until read
    to_read = todo.to_read(catalog)
    try:
        while more:
            # One commit per batch: the articles are written while the next files are read.
            # The catalog, with each file's record, commits after the index (see catalog.py).
            # The report counts a batch once it is committed.
            count = 0
            batch = IndexReport(removed=sum(todo.removed.values()))
            with catalog.batch(), engine.writer(todo.size) as w:
                for path in todo.removed:
                    w.delete_file(path)
                    catalog.delete_file(path)
                for file in to_read:
                    entry = file.entry
                    catalog.delete_file(entry.path)
                    replacing.discard(entry.path)
                    articles, skipped = _read(entry, config, catalog, replacing)
                    # A run stopped between the two commits leaves articles of files the
                    # catalog does not know: clear those too, so that none is there twice.
                    if file.previous is not None or not index_was_empty:
                        w.delete_file(entry.path)
                    for article, story in articles:
                        w.add(article, story)
                        report.outlets.update(article.outlets)
                    catalog.record_file(
                        entry.path,
                        FileRecord(entry.size, entry.mtime_ns, entry.context, len(articles), skipped, entry.digest),
                    )
                    _count(batch, file.previous, len(articles), skipped)
                    count += len(articles)
                    done_bytes += entry.size
                    if progress:
                        progress(done_bytes, total_bytes)
                    if count >= BATCH:
                        break
                else:
                    more = False
            report.add(batch)
            todo.removed.clear()
    except KeyboardInterrupt:
        report.interrupted = True
    return report


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
        articles.append((item, record_article(item, catalog)))
    return articles, skipped


def record_article(article: Article, catalog: Catalog) -> str:
    """Records an article in the catalog; returns its story: that of an earlier copy of its text, else its ID."""
    when = dates.timestamp_of(article)
    sketch = dupes.sketch(article.body)
    if sketch is None:
        catalog.add(article, article.id, None, (), when)
        return article.id
    keys = dupes.keys(sketch)
    story = dupes.story_among(sketch, when, catalog.candidates(keys)) or article.id
    catalog.add(article, story, sketch, keys, when)
    return story


def _count(report: IndexReport, previous: int | None, n: int, skipped: list[Skipped]) -> None:
    if previous is None:
        report.added += n
    else:
        report.updated += min(previous, n)
        report.added += max(0, n - previous)
        report.removed += max(0, previous - n)
    report.skipped.extend(skipped)
