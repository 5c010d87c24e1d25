"""The engine's own limit: Whoosh indexing prepared documents, with no application around it.

    python bench/raw_whoosh.py export ARCHIVE DOCS    # once: the documents newscli would write
    python bench/raw_whoosh.py index DOCS INDEX_DIR  # timed by bench/run.py

`export` reads the archive with newscli's parsers (not timed) and stores each
document exactly as newscli hands it to Whoosh. `index` writes them into a new
index with newscli's schema, using every core (Whoosh's multi-process writer)
and one commit at the end: the fastest way Whoosh offers to build this index.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from typing import Any


def export(archive_root: str, docs_path: str) -> None:
    from newscli import archive
    from newscli.engine.whoosh.schema import document
    from newscli.formats import DEFAULT_NAMES
    from newscli.indexing.catalog import Catalog
    from newscli.indexing.update import record_article

    catalog = Catalog.in_memory()
    n = 0
    with open(docs_path, "wb") as out:
        for entry in archive.Scan([os.path.abspath(archive_root)], DEFAULT_NAMES).files():
            for item in archive.read(entry, DEFAULT_NAMES, 10):
                if isinstance(item, archive.Article):
                    pickle.dump(document(item, record_article(item, catalog)), out, pickle.HIGHEST_PROTOCOL)
                    n += 1
    print(f"{n} documents", file=sys.stderr)


def _documents(docs_path: str) -> Iterator[dict[str, Any]]:
    with open(docs_path, "rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def build(docs_path: str, folder: str) -> None:
    from whoosh import index

    from newscli.engine.whoosh.schema import SCHEMA  # Whoosh is then used directly
    from newscli.engine.whoosh.writing import WRITER_MB

    os.makedirs(folder, exist_ok=True)
    ix = index.create_in(folder, SCHEMA)
    procs = len(os.sched_getaffinity(0))
    w = ix.writer(procs=procs, batchsize=200, multisegment=True, limitmb=WRITER_MB, compound=False)
    for doc in _documents(docs_path):
        w.add_document(**doc)
    w.commit()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"export": export, "index": build}[command](*args)
