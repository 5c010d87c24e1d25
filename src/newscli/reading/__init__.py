"""The reading side: read and starred marks, labels, saved searches, and the interactive reader.

marks.py keeps marks and saved searches in a SQLite database of the data folder,
outside the index and the archive; queries.py turns `@NAME`, `is:` and `label:` into
a plain query and filters; app.py is the reader (Textual, imported by `read` alone).
"""
