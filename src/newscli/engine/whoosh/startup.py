"""Whoosh loaded for newscli: without the modules it never uses here, and with two repairs.

Whoosh's start-up loads `urllib.request` (for a download helper), through the
`cached_property` package `asyncio`, and an English word-forms table of a few
hundred regular expressions (for a query type newscli does not use): together
about 70 ms of every command's 0.1-0.2 s. While Whoosh's modules load, they are
stood in for by light versions (the helper and the word-forms function import
the real module if they are ever called); afterwards `sys.modules` is as it
was, so any later import gets the real modules. Two repairs follow: columns a
segment lacks are remembered as lacking, and stems are cached by functools.
Imported by every module of this package before Whoosh.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any


def _deferred(module: str, name: str) -> types.ModuleType:
    """A stand-in for `module` whose function `name` imports the real module when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    stand_in = types.ModuleType(module)
    setattr(stand_in, name, call)
    return stand_in


def _load() -> None:
    if "whoosh" in sys.modules:
        return
    cached = types.ModuleType("cached_property")
    cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
    stand_ins = {
        "urllib.request": _deferred("urllib.request", "urlretrieve"),
        "whoosh.lang.morph_en": _deferred("whoosh.lang.morph_en", "variations"),
        "cached_property": cached,
    }
    saved: dict[str, types.ModuleType | None] = {name: sys.modules.get(name) for name in stand_ins}
    for name, stand_in in stand_ins.items():
        sys.modules.setdefault(name, stand_in)
    try:
        importlib.import_module("whoosh.index")
        importlib.import_module("whoosh.reading")
        importlib.import_module("whoosh.query")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


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


def _clear(self: Any) -> None:
    # Whoosh remembers stems in its own least-frequently-used cache, which counts every
    # call in Python: most of the time of stemming. functools' cache gives the same stems.
    stemfn = self.stemfn
    if self.lang:
        from whoosh.lang import stemmer_for_language

        stemfn = stemmer_for_language(self.lang)
    size = self.cachesize
    self._stem = functools.lru_cache(maxsize=None if size < 0 else size)(stemfn) if size else stemfn


_load()

from whoosh.analysis.morph import StemFilter  # noqa: E402  (after the light start-up above)
from whoosh.codec.whoosh3 import W3PerDocReader  # noqa: E402

W3PerDocReader._cached_reader = _cached_reader
StemFilter.clear = _clear
