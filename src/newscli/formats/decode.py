"""Turning an article file's bytes into text, whatever encoding it was saved in."""

from __future__ import annotations

import codecs

from newscli.errors import ArticleError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes) -> str:
    """UTF-8 first, then a byte-order mark, UTF-16 without one, then Windows-1252.

    Windows-1252 (a superset of Latin-1's printable range) is what old news
    files that are not UTF-8 are nearly always in: BBC's 0xA3 is a pound sign.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ArticleError(f"invalid {encoding.upper()} text after its byte-order mark") from None
    if b"\0" in data:
        return _utf16_without_bom(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str:
    """Text where every other byte is NUL is UTF-16; other NULs mean a binary file."""
    even, odd = data[0::2], data[1::2]
    if len(data) % 2 == 0:
        for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
            if zeros.count(0) >= len(zeros) * 0.4:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    break
                if "\0" not in text:
                    return text
    raise ArticleError("binary file (it holds NUL bytes)")
