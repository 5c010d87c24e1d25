"""Whoosh's classes with some of their methods replaced: applied, and undone, as a whole.

Columns a segment of the index lacks are remembered as lacking, a segment's field
lengths, column readers and numeric columns are read once, the whole index's
field lengths are added up once, a word looked up in a segment's term index is
remembered. `apply` replaces the methods and
`undo` puts Whoosh's own back (the plain mode; tests switch between the two).
"""

from __future__ import annotations

import array
import sys
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.columns import NumericColumn
from whoosh.filedb.filetables import HashReader
from whoosh.reading import MultiReader, SegmentReader
from whoosh.util.numeric import byte_to_length


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    # Whoosh 2.7 remembers only the length columns it found, so every posting of a field
    # without one (keywords, IDs, spelling) costs a stat() of the missing file: commits
    # take twice as long. A segment's files never change, so remembering the absence is safe.
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


_LENGTH_OF_BYTE: list[int] = []  # a field's length as Whoosh keeps it in one byte, for each byte


def _doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
    # Scoring asks a document's field length of every article it scores, and Whoosh
    # reads it from the file each time (a seek and a read): read each segment's column once.
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    try:
        lengths = self._lengths[fieldname]
    except AttributeError:
        self._lengths = {}
        return _doc_field_length(self, docnum, fieldname, default)
    except KeyError:
        reader = self._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if reader is None:
            return default
        lengths = self._lengths[fieldname] = reader._dbfile.get(reader._basepos, reader._count)
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return _LENGTH_OF_BYTE[lbyte] if lbyte else None  # as Whoosh answers a length of 0


def field_lengths(leaf: Any, fieldname: str) -> tuple[Any, list[int]] | None:  # (see postings.py)
    """A segment's lengths of a field, a byte an article as Whoosh keeps them, and the length each byte
    stands for (read once, as scoring reads them); None if the segment keeps none."""
    per_doc = getattr(leaf, "_perdoc", None)
    if not isinstance(per_doc, W3PerDocReader):
        return None
    if leaf.doc_count_all():
        per_doc.doc_field_length(0, fieldname)
    lengths = getattr(per_doc, "_lengths", {}).get(fieldname)
    return None if lengths is None else (lengths, _LENGTH_OF_BYTE)


def _column_reader(self: Any, fieldname: str, column: Any = None, reverse: bool = False, translate: bool = True) -> Any:
    # Sorting and grouping ask a segment for a column reader at every search, and a reader
    # of a column of text reads where each value starts for the whole segment (17 ms a
    # search at 30,000 articles): keep each, per segment, for as long as the segment is open.
    if column is not None:
        return _segment_column_reader(self, fieldname, column, reverse, translate)
    readers = self.__dict__.setdefault("_column_readers", {})
    key = (fieldname, reverse, translate)
    if key not in readers:
        readers[key] = _segment_column_reader(self, fieldname, None, reverse, translate)
    return readers[key]


def _numeric(self: Any, docnum: int) -> Any:
    # Sorting by date reads two numbers of every match, each with a seek and a read:
    # read a segment's whole column (8 bytes an article) into an array once instead.
    try:
        values = self._values
    except AttributeError:
        values = array.array(self._typecode)
        if values.itemsize != self._fixedlen:  # a code whose size differs between struct and array
            self._values = None
            return _numeric_item(self, docnum)
        values.frombytes(self._dbfile.get(self._basepos, self._count * self._fixedlen))
        if sys.byteorder == "little":  # Whoosh writes them big-endian
            values.byteswap()
        self._values = values
    if values is None:
        return _numeric_item(self, docnum)
    return values[docnum] if docnum < self._count else self._default


def _field_length(self: Any, fieldname: str) -> Any:
    # Scoring asks the whole index's length of a field once for each segment it searches, and
    # Whoosh adds up every segment's each time (1,600 sums a query at 40 segments): the segments of an
    # open reader never change, so add them up once.
    lengths = self.__dict__.setdefault("_field_lengths", {})
    if fieldname not in lengths:
        lengths[fieldname] = _multi_field_length(self, fieldname)
    return lengths[fieldname]


_UNSEEN = object()
REMEMBERED = 10_000  # keys a hash file remembers where it found, at most


def _first_range(self: Any, key: bytes) -> tuple[int, int] | None:
    # A search looks each word up in each segment's term index three times (is it there, in how
    # many articles, where are its postings), each a hash and several reads in Python: 360
    # look-ups for a word in three fields at 40 segments. A segment's files never change: remember
    # where each key was found (or that it was not), as Whoosh's look-ups take it: the first.
    try:
        found = self._newscli_ranges
    except AttributeError:
        found = self._newscli_ranges = {}
    where = found.get(key, _UNSEEN)
    if where is _UNSEEN:
        where = next(_ranges_for_key(self, key), None)
        if len(found) >= REMEMBERED:
            found.clear()
        found[key] = where
    return where  # type: ignore[no-any-return]


def _range_for_key(self: Any, key: bytes) -> tuple[int, int]:
    if (where := _first_range(self, key)) is None:
        raise KeyError(key)
    return where


def _contains(self: Any, key: bytes) -> bool:
    return _first_range(self, key) is not None


def _getitem(self: Any, key: bytes) -> bytes:
    return self.dbfile.get(*_range_for_key(self, key))  # type: ignore[no-any-return]


_LENGTH_OF_BYTE.extend(byte_to_length(b) for b in range(256))

# Whoosh's own, kept to be called by the replacements and put back by `undo`.
_segment_column_reader = SegmentReader.column_reader
_numeric_item = NumericColumn.Reader.__getitem__
_multi_field_length = MultiReader.field_length
_ranges_for_key = HashReader.ranges_for_key

# (class, attribute, replacement): what `apply` sets.
_REPLACED: list[tuple[type, str, Any]] = [
    (SegmentReader, "column_reader", _column_reader),
    (NumericColumn.Reader, "__getitem__", _numeric),
    (W3PerDocReader, "_cached_reader", _cached_reader),
    (W3PerDocReader, "doc_field_length", _doc_field_length),
    (MultiReader, "field_length", _field_length),
    (HashReader, "range_for_key", _range_for_key),
    (HashReader, "__contains__", _contains),
    (HashReader, "__getitem__", _getitem),
]
_ORIGINAL = [(cls, name, cls.__dict__.get(name)) for cls, name, _ in _REPLACED]


def apply() -> None:
    for cls, name, replacement in _REPLACED:
        setattr(cls, name, replacement)


def undo() -> None:
    for cls, name, original in _ORIGINAL:
        if original is None:  # inherited: Whoosh's own is the base class's
            delattr(cls, name)
        else:
            setattr(cls, name, original)
