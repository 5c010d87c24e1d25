"""Finding article files in an archive and reading the articles they hold."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from newscli.errors import ArticleError
from newscli.formats import SUFFIXES, parse, to_article
from newscli.models import Article, Skipped

DEFAULTS_FILE = ".newscli.yaml"
# Bumped when parsing changes, so that every file is read again.
PARSER_VERSION = "1"
# Fields a folder's defaults may give; an article's own identity and text are its own.
DEFAULTABLE = ("source", "date", "authors", "url", "tags", "language")
STRUCTURED = (".json", ".jsonl")
MB = 1024 * 1024


@dataclass(slots=True)
class FileEntry:
    path: str  # absolute
    key: str  # the root folder's name and the path below it: the base of article IDs
    size: int
    mtime_ns: int
    context: str  # digest of everything besides the file that shapes its articles
    defaults: Mapping[str, Any] = field(default_factory=dict)
    digest: str | None = None  # of the bytes read, once `read` has read them

    @property
    def suffix(self) -> str:
        return os.path.splitext(self.path)[1].lower()

    @property
    def signature(self) -> list[Any]:
        return [self.size, self.mtime_ns, self.context]


@dataclass(slots=True)
class Scan:
    entries: list[FileEntry] = field(default_factory=list)
    # With `scan(..., signatures_only=True)`, (path, size, mtime_ns, context) of each file instead
    signatures: list[tuple[str, int, int, str]] | None = None
    skipped: list[Skipped] = field(default_factory=list)
    ignored: int = 0
    missing_roots: list[str] = field(default_factory=list)
    # path of each folder defaults file -> [size, mtime_ns, field names digest, fields, problem]
    defaults: dict[str, list[Any]] = field(default_factory=dict)


def scan(
    roots: list[str],
    names: Mapping[str, list[str]],
    known: Mapping[str, list[Any]] | None = None,
    signatures_only: bool = False,
) -> Scan:
    """Every article file below the roots, with what decides whether it changed.

    `known` is the `defaults` of an earlier scan: a defaults file that has not
    changed since is not read again. `signatures_only` is for telling quickly
    whether anything changed: what `FileEntry.signature` holds, and no entries.
    """
    result = Scan(signatures=[] if signatures_only else None)
    names_digest = _digest(names)
    for root in roots:
        try:
            top = os.stat(root)
        except OSError:
            result.missing_roots.append(root)
            continue
        base = os.path.basename(root.rstrip(os.sep)) or root
        if stat.S_ISDIR(top.st_mode):
            _walk(root, base, {}, names, names_digest, {(top.st_dev, top.st_ino)}, known or {}, result)
        else:
            _add_file(root, base, top, {}, _digest([PARSER_VERSION, {}, names_digest]), result)
    return result


def _walk(
    folder: str,
    key: str,
    inherited: Mapping[str, Any],
    names: Mapping[str, list[str]],
    names_digest: str,
    visited: set[tuple[int, int]],
    known: Mapping[str, list[Any]],
    result: Scan,
) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        result.skipped.append(Skipped(folder, f"cannot read folder: {e.strerror}"))
        return
    defaults = dict(inherited)
    if any(e.name == DEFAULTS_FILE for e in entries):
        path = os.path.join(folder, DEFAULTS_FILE)
        defaults.update(_folder_defaults(path, names, names_digest, known.get(path), result))
    context = _digest([PARSER_VERSION, defaults, names_digest])
    for entry in entries:  # the loop a search's freshness check runs for every file: kept lean
        name = entry.name
        if name[0] == ".":
            continue
        path = entry.path
        if not name.isascii() and not _valid_name(name):
            if entry.is_dir() or _has_suffix(name):
                result.skipped.append(Skipped(_shown(path), "its name is not valid UTF-8: rename it to index it"))
            continue
        try:
            info = entry.stat()
        except OSError as e:
            if _has_suffix(name) or entry.is_symlink():
                reason = "broken symbolic link" if entry.is_symlink() else e.strerror
                result.skipped.append(Skipped(path, str(reason)))
            continue
        if stat.S_ISDIR(info.st_mode):
            inode = (info.st_dev, info.st_ino)
            if inode in visited:
                result.skipped.append(Skipped(path, "symbolic link loop (folder already visited)"))
                continue
            _walk(path, f"{key}/{name}", defaults, names, names_digest, visited | {inode}, known, result)
        else:
            _add_file(path, f"{key}/{name}", info, defaults, context, result)


def _add_file(
    path: str,
    key: str,
    info: os.stat_result,
    defaults: Mapping[str, Any],
    context: str,
    result: Scan,
) -> None:
    if not _has_suffix(path):
        result.ignored += 1
        return
    if not stat.S_ISREG(info.st_mode):
        result.skipped.append(Skipped(path, "not a regular file"))
        return
    if result.signatures is not None:
        result.signatures.append((path, info.st_size, info.st_mtime_ns, context))
    else:
        result.entries.append(FileEntry(path, key, info.st_size, info.st_mtime_ns, context, defaults))


def _valid_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
        return False
    return True


def _shown(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _has_suffix(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in SUFFIXES


def _folder_defaults(
    path: str, names: Mapping[str, list[str]], names_digest: str, known: list[Any] | None, result: Scan
) -> dict[str, Any]:
    try:
        info = os.stat(path)
    except OSError as e:
        result.skipped.append(Skipped(path, f"{e.strerror}; files below it are indexed without it"))
        return {}
    signature: list[Any] = [info.st_size, info.st_mtime_ns, names_digest]
    if known is None or known[:3] != signature:
        known = [*signature, *_read_defaults(path, names)]
    result.defaults[path] = known
    fields, problem = known[3:]
    if problem:
        result.skipped.append(Skipped(path, f"{problem}; files below it are indexed without it"))
    return dict(fields)


def _read_defaults(path: str, names: Mapping[str, list[str]]) -> tuple[dict[str, Any], str | None]:
    from newscli.formats.structured import load_yaml_mapping, pick

    try:
        with open(path, "rb") as f:
            text = f.read(MB + 1).decode("utf-8")
        if len(text) > MB:
            raise ArticleError("too large for a defaults file")
        fields = pick(load_yaml_mapping(text, what="folder defaults"), names)
    except (OSError, UnicodeDecodeError, ArticleError) as e:
        return {}, e.message if isinstance(e, ArticleError) else str(e)
    kept = {k: v for k, v in fields.items() if k in DEFAULTABLE}
    return json.loads(json.dumps(kept, default=str)), None  # as the manifest keeps it


def file_digest(path: str) -> str | None:
    """The digest of a file's bytes, as `read` records it; None if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, _content_hash).hexdigest()
    except OSError:
        return None


def _content_hash(data: bytes = b"") -> hashlib.blake2b:
    return hashlib.blake2b(data, digest_size=8)


def _digest(value: object) -> str:
    encoded = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha1(encoded).hexdigest()[:16]


def article_id(entry: FileEntry, fields: Mapping[str, Any], record: int | None) -> str:
    """A short ID that stays the same wherever the archive lives and whatever else it holds.

    An article's own `id` field (with its source) names it; otherwise its file's path
    below the archive root, and its place in that file.
    """
    own = fields.get("id")
    if isinstance(own, str | int) and not isinstance(own, bool) and str(own).strip():
        basis = f"id\0{fields.get('source') or ''}\0{own}"
    else:
        basis = f"path\0{entry.key}" + (f"\0{record}" if record is not None else "")
    return hashlib.sha1(basis.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def read(entry: FileEntry, names: Mapping[str, list[str]], max_mb: float) -> Iterator[Article | Skipped]:
    """Each article of one file, or a Skipped naming what could not be read and why."""
    limit = max_mb * MB * (100 if entry.suffix in STRUCTURED else 1)
    if entry.size > limit:
        yield Skipped(
            entry.path,
            f"too large for an article file ({entry.size / MB:.1f} MB; "
            f"the limit is {limit / MB:g} MB, set by max_file_mb)",
        )
        return
    try:
        with open(entry.path, "rb") as f:
            data = f.read(int(limit) + 1)
    except FileNotFoundError:
        yield Skipped(entry.path, "disappeared while being indexed")
        return
    except OSError as e:
        yield Skipped(entry.path, f"cannot read: {e.strerror}")
        return
    if len(data) > limit:
        yield Skipped(entry.path, "grew too large while being indexed")
        return
    entry.digest = _content_hash(data).hexdigest()
    try:
        for parsed in parse(data, entry.suffix, names):
            where = entry.path if parsed.record is None else f"{entry.path}:{parsed.record}"
            if parsed.error is not None:
                yield Skipped(where, parsed.error.message)
                continue
            fields = {**entry.defaults, **parsed.fields}
            try:
                yield to_article(
                    fields,
                    id=article_id(entry, fields, parsed.record),
                    path=entry.path,
                    record=parsed.record,
                    format=parsed.format,
                )
            except ArticleError as e:
                yield Skipped(where, e.message)
    except ArticleError as e:
        yield Skipped(entry.path, e.message)
