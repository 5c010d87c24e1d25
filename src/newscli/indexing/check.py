"""`newscli index --check`: reading the whole index and comparing it with its record and the archive."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import closing

from newscli.config import Config
from newscli.errors import IndexError_
from newscli.indexing.catalog import Catalog
from newscli.indexing.changes import changes
from newscli.indexing.manifest import Manifest, engine_of
from newscli.indexing.roots import roots_for
from newscli.models import CheckReport


def check(config: Config) -> CheckReport:
    """Reads the whole index and compares it with its manifest, its catalog and the archive."""
    folder = config.index_dir
    manifest = Manifest.load(folder)
    if manifest is None or not manifest.usable(config, folder):
        raise IndexError_(f"no index of this version in {folder}", hint="run `newscli index` to build it")
    contents = engine_of(config).open(str(folder)).contents()
    report = CheckReport(sum(contents.per_file.values()), len(contents.per_file), contents.entries, contents.problems)
    with closing(Catalog.open(str(folder))) as catalog:
        recorded = {os.fsdecode(path): record.articles for path, record in catalog.records()}
        report.problems += _disagreements(contents.per_file, recorded, "recorded")
        report.problems += _disagreements(contents.per_file, catalog.per_file(), "in its catalog")
        todo = changes(config, catalog, manifest, roots_for(config, manifest.roots, None))
    report.problems += [f"ID {i} is in the index {n} times" for i, n in sorted(contents.per_id.items()) if n > 1]
    report.new, report.changed, report.removed = todo.new, len(todo.changed), len(todo.removed)
    return report


def _disagreements(held: Mapping[str, int], listed: Mapping[str, int], where: str) -> list[str]:
    """Each file whose count of articles in the index differs from that listed elsewhere."""
    return [
        f"{path}: {held.get(path, 0):,} articles in the index, {listed.get(path, 0):,} {where}"
        for path in sorted(set(held) | set(listed))
        if held.get(path, 0) != listed.get(path, 0)
    ]
