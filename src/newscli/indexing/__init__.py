"""Keeping the index in step with the archive.

The index folder holds the engine's index; the catalog (catalog.py), with the
signature of every file the index holds articles of, committed with those
articles, and the IDs and copies the indexer looks up; and the manifest and
summary (manifest.py). One module a job: `roots` (what the archive is made of),
`changes` (how it differs from the index), `lock`, `update` (the write loop),
`check` (`index --check`) and `fresh` (an engine up to date with the archive,
for every command that reads).
"""
