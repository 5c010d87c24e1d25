"""The index's files read through memory maps.

Whoosh reads a file by seeking and reading, and processes forked from one that
holds the index open share each open file's position: two of them searching at
once would read each other's bytes. Read through a memory map, a file's
position is the map object's own, in each process's memory, so a resident
process's forked helpers search side by side.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedStorage(FileStorage):  # type: ignore[misc]
    """A folder of index files, each opened for reading as a memory map."""

    def open_file(self, name: str, **kwargs: Any) -> Any:
        with open(os.path.join(self.folder, name), "rb") as f:
            try:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return StructFile(mapped, name=name, **kwargs)  # a map reads, seeks and tells as a file does
