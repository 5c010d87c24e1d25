"""The outlets' names, kept beside the index (`outlets.json`) so that completion need not open the engine.

Each update adds the outlets of the articles it indexed; a rebuild starts the list again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FILE = "outlets.json"


def read(folder: str | Path) -> list[str] | None:
    """The names kept; None if there is no list (an index made before it was kept)."""
    try:
        with open(os.path.join(folder, FILE), encoding="utf-8") as f:
            names = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def keep(folder: Path, added: Iterable[str], fresh: bool, every: Callable[[], Iterable[str]]) -> None:
    """Adds the names of the outlets indexed to the list (a fresh index: starts it); `every` gives
    all the index's outlets, for an index that has no list yet. The file is written only if it changes."""
    known = None if fresh else read(folder)
    if known is None:
        names = set(added) | (set() if fresh else set(every()))
    elif (names := set(known) | set(added)) == set(known):
        return
    temporary = folder / f".{FILE}.tmp"
    temporary.write_text(json.dumps(sorted(names, key=str.casefold), ensure_ascii=False), encoding="utf-8")
    temporary.replace(folder / FILE)
