"""The archive's roots: the folders and files it is made of."""

from __future__ import annotations

import os

from newscli.archive import absolute, within
from newscli.config import DEFAULT_ARCHIVE, Config
from newscli.errors import NewscliError


def roots_for(config: Config, indexed: list[str], given: list[str] | None) -> list[str]:
    """The archive roots: those given, else the index's and the config's, else ./articles."""
    known = indexed + [str(p) for p in config.archive]
    if given:
        missing = [p for p in given if not os.path.exists(p)]
        if missing:
            raise NewscliError(f"no such file or folder: {missing[0]}")
        return _merge(known, [absolute(p) for p in given])
    if known:
        return _merge([], known)
    if DEFAULT_ARCHIVE.is_dir():
        return [absolute(str(DEFAULT_ARCHIVE))]
    raise NewscliError(
        "no archive to index",
        hint="give its folder (`newscli index PATH`) or set `archive:` in the config file",
    )


def _merge(roots: list[str], more: list[str]) -> list[str]:
    """Roots without repeats; a root inside another is covered by it."""
    merged: list[str] = []
    for root in dict.fromkeys(roots + more):
        if any(within(root, r) for r in merged):
            continue
        merged = [r for r in merged if not within(r, root)] + [root]
    return merged
