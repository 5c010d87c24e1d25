"""Importing Whoosh without the modules it loads and never uses here.

Whoosh's start-up loads `urllib.request` (for a download helper) and, through the
`cached_property` package, `asyncio`: together about 60 ms of every command's
0.1-0.2 s. While Whoosh's modules load, both are stood in for by light versions
(the download helper imports the real module if it is ever called); afterwards
`sys.modules` is as it was, so any later import gets the real modules.
Imported by `engine` just before Whoosh.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)


def _load() -> None:
    if "whoosh" in sys.modules:
        return
    request = types.ModuleType("urllib.request")
    request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    cached = types.ModuleType("cached_property")
    cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
    stand_ins: dict[str, types.ModuleType] = {"urllib.request": request, "cached_property": cached}
    saved: dict[str, types.ModuleType | None] = {name: sys.modules.get(name) for name in stand_ins}
    for name, stand_in in stand_ins.items():
        sys.modules.setdefault(name, stand_in)
    try:
        importlib.import_module("whoosh.index")
        importlib.import_module("whoosh.reading")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


_load()
