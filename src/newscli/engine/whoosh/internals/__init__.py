"""Every use of Whoosh's private corners, in one guarded package, and the plain way beside it.

newscli's searches are several times quicker than Whoosh's own because some of
Whoosh is read below its public API: postings a block at a time from its W3
codec, columns read whole, term look-ups remembered, a safer helper
process for multi-process writing, a lighter start-up. All of that is here:

- `patches`: class attributes of Whoosh replaced (column readers, lengths, hash
  look-ups), applied and undone as a whole;
- `postings`: searches scored a block of postings at a time, and a segment's words
  and postings read from the codec;
- `columns`: a segment's columns (dates, stories, lengths) read whole;
- `queries`: fuzzy words matched against the index's words;
- `helpers`: the processes that analyse articles for a multi-process writer.

Each was written against, and is tested on, the Whoosh versions in VERIFIED.
Another version (or NEWSCLI_WHOOSH_PLAIN=1, or `whoosh_plain: true` in the config)
is the plain mode: the rest of the backend uses Whoosh's public API alone, with
the same results, more slowly (bench/compare.py --plain measures how much). An
unverified version says so once, on stderr, and runs plain.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import types
from typing import Any

VERIFIED = frozenset({(2, 7, 5)})  # whoosh-reloaded's versions these internals were written and tested against
PLAIN = "NEWSCLI_WHOOSH_PLAIN"  # set (not 0): Whoosh's public API alone


def asked_plain(environ: Any = os.environ) -> bool:
    return environ.get(PLAIN, "") not in ("", "0")


def _deferred(module: str, name: str) -> types.ModuleType:
    """A stand-in for `module` whose function `name` imports the real module when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    stand_in = types.ModuleType(module)
    setattr(stand_in, name, call)
    return stand_in


def _load_lightly() -> None:
    """Whoosh's modules loaded without what it never uses here.

    Whoosh's start-up loads `urllib.request` (for a download helper), through the
    `cached_property` package `asyncio`, and an English word-forms table of a few
    hundred regular expressions (for a query type newscli does not use): together
    about 70 ms of every command's 0.1-0.2 s. While Whoosh's modules load, they are
    stood in for by light versions (the helper and the word-forms function import the
    real module if they are ever called); afterwards `sys.modules` is as it was, so any
    later import gets the real modules.
    """
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
        for name in ("whoosh.index", "whoosh.reading", "whoosh.query"):
            importlib.import_module(name)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _installed() -> tuple[int, ...]:
    """Whoosh's version, from its package's own start (which loads nothing else)."""
    import whoosh

    version = getattr(whoosh, "__version__", ())
    return tuple(version) if isinstance(version, tuple) else ()


VERSION = _installed()
KNOWN = VERSION in VERIFIED
_active = False


def active() -> bool:
    """Whether the internals are in use (else: the plain mode)."""
    return _active


def use(plain: bool) -> None:
    """The internals in use (their patches applied), or the plain mode (the patches undone).

    A Whoosh version not in VERIFIED is always plain."""
    global _active
    wanted = KNOWN and not plain
    if wanted == _active:
        return
    # Loaded only for a verified Whoosh: they import its private names.
    from newscli.engine.whoosh.internals import columns, helpers, patches, postings, queries  # noqa: F401

    patches.apply() if wanted else patches.undo()
    _active = wanted


def _start() -> None:
    plain = asked_plain()
    if KNOWN and not plain and "whoosh.index" not in sys.modules:
        _load_lightly()
    if not KNOWN and not plain:
        shown = ".".join(map(str, VERSION)) or "of unknown version"
        verified = ", ".join(".".join(map(str, v)) for v in sorted(VERIFIED))
        sys.stderr.write(
            f"newscli: note: Whoosh {shown} is not a version newscli was verified with ({verified}): "
            f"searching with its public API alone, more slowly (set {PLAIN}=1 to say nothing)\n"
        )
    use(plain)


_start()
