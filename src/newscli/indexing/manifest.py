"""What the index folder says of itself: `manifest.json` and `summary.json`.

The manifest holds the archive's roots, the folder defaults files as read and
the index's backend and version; each file's record is in the catalog. The
summary holds one digest of every file's signature, written once a run has
committed all it read: a search compares the archive with it, and reads the
catalog only when something changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli import archive
from newscli.archive import FolderDefaults
from newscli.config import Config
from newscli.engine import Engine, backend
from newscli.errors import REBUILD_HINT, IndexError_
from newscli.folders import private
from newscli.indexing.catalog import FILE as CATALOG
from newscli.indexing.catalog import Catalog
from newscli.indexing.lock import LOCK
from newscli.indexing.roots import roots_for

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
MARK = ".newscli-index"  # made first in a new index folder: what else is there is newscli's to replace
MANIFEST_VERSION = 1
FINGERPRINT = 2  # how summary.json's fingerprint is made: a summary made otherwise is not used
EARLIER_BACKEND = "whoosh"  # that of indexes whose manifests name none


@dataclass
class Manifest:
    """What is indexed, in outline: each file is recorded in the catalog."""

    schema: int  # the version of the index it describes
    backend: str
    roots: list[str] = field(default_factory=list)
    defaults: dict[str, FolderDefaults] = field(default_factory=dict)  # by the path of each folder defaults file
    follow_links: bool = False  # out of the archive; indexes made before there was a choice followed them all

    @classmethod
    def new(cls, config: Config) -> Manifest:
        return cls(engine_of(config).version, config.backend, follow_links=bool(config.follow_links))

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return None
            defaults = _defaults(data.get("defaults", {}))
            if defaults is None:
                raise ValueError("a folder defaults entry is garbled")
            backend = str(data.get("backend", EARLIER_BACKEND))
            follow = bool(data.get("follow_links", True))
            return cls(int(data.get("schema", 0)), backend, list(data["roots"]), defaults, follow)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexError_(f"the index's manifest {folder / MANIFEST} is damaged ({e})", hint=REBUILD_HINT) from None

    def save(self, folder: Path) -> None:
        _write_json(folder / MANIFEST, self._head())

    def summarise(self, folder: Path, catalog: Catalog, files: str | None = None) -> None:
        """Writes the summary, once the catalog holds all this run commits (`files`: its fingerprint, if known)."""
        saved = os.stat(folder / MANIFEST)
        files = files or fingerprint(catalog.signatures())
        stamp = {"manifest": [saved.st_size, saved.st_mtime_ns], "files": files, "fingerprint": FINGERPRINT}
        _write_json(folder / SUMMARY, self._head() | stamp)

    def current(self, config: Config) -> bool:
        """Whether it describes an index of the configured backend, in the version this newscli writes."""
        return (self.backend, self.schema) == (config.backend, engine_of(config).version)

    def usable(self, config: Config, folder: Path) -> bool:
        """Whether it describes an index this version can update, with its files there."""
        return self.current(config) and built(config, folder)

    def _head(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "backend": self.backend,
            "schema": self.schema,
            "roots": self.roots,
            "defaults": self.defaults,
            "follow_links": self.follow_links,
        }


def claim(folder: Path) -> None:
    """Marks the folder as an index's, unless it holds files of someone else's, which building an index would delete."""
    try:
        names = set(os.listdir(folder))
    except FileNotFoundError:
        names = set()
    ours = {MARK, MANIFEST, CATALOG}  # an index of an earlier version has no mark
    if names & ours:
        return
    if others := sorted(names - {LOCK}):
        raise IndexError_(
            f"the index folder {folder} holds files that are not an index's, such as {others[0]!r}",
            hint="give --index-dir (or index_dir:) an empty or new folder",
        )
    private(str(folder))
    (folder / MARK).touch()


def known_roots(folder: Path, manifest: Manifest | None) -> list[str]:
    """The archive's roots: the manifest's, else, if it is gone or damaged, the copy in the catalog."""
    return manifest.roots if manifest is not None else Catalog.recorded_roots(str(folder))


def following(config: Config, recorded: bool) -> bool:
    """Whether to follow links out of the archive: as the config says, else as the index was made."""
    return recorded if config.follow_links is None else config.follow_links


def engine_of(config: Config) -> type[Engine]:
    return backend(config.backend, plain=config.whoosh_plain)


def built(config: Config, folder: Path) -> bool:
    """Whether the folder holds the index's files (readable or not: opening them tells)."""
    return engine_of(config).exists(str(folder)) and Catalog.exists(str(folder))


def _defaults(data: object) -> dict[str, FolderDefaults] | None:
    if not isinstance(data, dict):
        return None
    defaults = {}
    for path, value in data.items():
        if (read := FolderDefaults.from_json(value)) is None:
            return None
        defaults[path] = read
    return defaults


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Writes a file whole or not at all, even if the machine stops."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def fingerprint(
    signatures: Iterable[Sequence[Any]], start: str | None = None, less: Iterable[Sequence[Any]] = ()
) -> str:
    """One digest of the signatures (path, size, time, context) of many files.

    The sum of each file's digest: so a run that changed a few files finds the new one
    from the old (`start`), without the signatures (`less`) it changed and with the new.
    """
    total = int(start, 16) if start else 0
    for signature in less:
        total -= _digest(signature)
    for signature in signatures:
        total += _digest(signature)
    return f"{total % FINGERPRINT_MODULUS:032x}"


FINGERPRINT_MODULUS = 1 << 128


def _digest(signature: Sequence[Any]) -> int:
    path, size, mtime, context = signature
    line = f"{path}\0{size}\0{mtime}\0{context}".encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")


@dataclass(frozen=True, slots=True)
class Summary:
    """What `summary.json` holds: enough to tell that the archive is as the manifest records it."""

    roots: list[str]
    defaults: dict[str, FolderDefaults]
    files: str  # the fingerprint of every file's signature
    follow_links: bool

    @classmethod
    def load(cls, config: Config, folder: Path) -> Summary | None:
        """The summary, if there is one, made by this version, of the manifest beside it."""
        try:
            data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
            saved = os.stat(folder / MANIFEST)
            made = (data["version"], data["schema"], data.get("backend", EARLIER_BACKEND), data.get("fingerprint"))
            if made != (MANIFEST_VERSION, engine_of(config).version, config.backend, FINGERPRINT):
                return None
            if data["manifest"] != [saved.st_size, saved.st_mtime_ns]:
                return None
            roots, defaults = list(data["roots"]), _defaults(data["defaults"])
            follow = bool(data.get("follow_links", True))
            summary = cls(roots, defaults, str(data["files"]), follow) if defaults is not None else None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return summary if summary and all(isinstance(root, str) for root in summary.roots) else None

    def unchanged(self, config: Config, folder: Path) -> bool:
        """Whether the archive is as summarised: one scan, without reading the manifest."""
        if roots_for(config, self.roots, None) != self.roots:
            return False
        if not built(config, folder):
            return False
        found = archive.Scan(self.roots, config.field_names, self.defaults, following(config, self.follow_links))
        same = fingerprint(found.signatures()) == self.files and found.defaults == self.defaults
        return same and not found.missing_roots
