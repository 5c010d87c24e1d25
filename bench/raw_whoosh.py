"""The engine's own limit: Whoosh indexing prepared documents, with no application around it.

    python bench/raw_whoosh.py export ARCHIVE DOCS    # once: the documents newscli would write
    python bench/raw_whoosh.py index DOCS INDEX_DIR  # timed by bench/run.py
    python bench/raw_whoosh.py plain DOCS INDEX_DIR  # the same with a plain schema

`export` reads the archive with newscli's parsers (not timed) and stores each
document exactly as newscli hands it to Whoosh. `index` writes them into a new
index with newscli's schema, using every core (Whoosh's multi-process writer)
and one commit at the end: the fastest way Whoosh offers to build this index.
`plain` does the same with the schema a plain full-text index would have: title
and text stored and stemmed, source, date and path; nothing for sorting, facets,
stories or anything else newscli does.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from typing import Any


def export(archive_root: str, docs_path: str) -> None:
    from newscli import archive, config
    from newscli.engine.whoosh.schema import document
    from newscli.formats import DEFAULT_NAMES
    from newscli.indexing.catalog import Catalog
    from newscli.indexing.update import record_article

    catalog = Catalog.in_memory()
    n = 0
    with open(docs_path, "wb") as out:
        # As newscli reads it: the config says whether links are followed (bench/run.py's archive is links).
        follow = bool(config.load().follow_links)
        scan = archive.Scan([os.path.abspath(archive_root)], DEFAULT_NAMES, follow_links=follow)
        for entry in scan.files():
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


def build(docs_path: str, folder: str, plain: bool = False) -> None:
    from whoosh import analysis, fields, index

    from newscli.engine.whoosh.schema import SCHEMA  # Whoosh is then used directly
    from newscli.engine.whoosh.writing import WRITER_MB

    schema = SCHEMA
    if plain:
        stem = analysis.StemmingAnalyzer()
        schema = fields.Schema(
            path=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=stem, stored=True),
            body=fields.TEXT(analyzer=stem, stored=True),
            source=fields.TEXT(stored=True),
            date=fields.STORED,
        )
    os.makedirs(folder, exist_ok=True)
    ix = index.create_in(folder, schema)
    procs = len(os.sched_getaffinity(0))
    w = ix.writer(procs=procs, batchsize=200, multisegment=True, limitmb=WRITER_MB, compound=False)
    names = set(schema.names())
    for doc in _documents(docs_path):
        # (Each text field's `_stored_` twin too: the text kept, while the Written one is indexed.)
        w.add_document(**{k: v for k, v in doc.items() if k.removeprefix("_stored_") in names})
    w.commit()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"export": export, "index": build, "plain": lambda docs, folder: build(docs, folder, plain=True)}[command](*args)
