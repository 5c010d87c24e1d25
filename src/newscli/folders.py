"""newscli's folders by the XDG rules, as plain strings.

Loaded by the quick paths too (the client, completion), which cannot wait for
pathlib and the config module; `config` gives the same folders as Paths.
"""

from __future__ import annotations

import os


def data_dir() -> str:
    """newscli's data folder: the index, marks.db, the feeds and their state."""
    return os.path.join(_xdg("XDG_DATA_HOME", ".local/share"), "newscli")


def config_dir() -> str:
    """newscli's config folder: config.yaml, feeds.yaml."""
    return os.path.join(_xdg("XDG_CONFIG_HOME", ".config"), "newscli")


def cache_dir() -> str:
    """newscli's cache folder: what can be made again (the language detector's model, unpacked)."""
    return os.path.join(_xdg("XDG_CACHE_HOME", ".cache"), "newscli")


def _xdg(variable: str, fallback: str) -> str:
    value = os.environ.get(variable, "")
    return value if os.path.isabs(value) else os.path.join(os.path.expanduser("~"), fallback)


def private(folder: str) -> str:
    """Makes `folder` (and its parents) if need be, and keeps it this user's alone: it holds what a
    person reads (the index, marks, feeds). A folder of another user's is left as it is."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    info = os.stat(folder)
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder
