"""Finding article files in an archive and reading the articles they hold."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from newscli.errors import ArticleError
from newscli.formats import PARSER_VERSION, SUFFIXES, parse, reader_for, to_article
from newscli.models import Article, Skipped

DEFAULTS_FILE = ".newscli.yaml"
# Fields a folder's defaults may give; an article's own identity and text are its own.
DEFAULTABLE = ("source", "date", "authors", "url", "tags", "language")
MB = 1024 * 1024
MANY_FACTOR = 100  # a file of many articles may be this many times max_file_mb
T = TypeVar("T")


class Signature(NamedTuple):
    """What tells that a file changed: its size, its time, and what else shapes its articles."""

    size: int
    mtime_ns: int
    context: str  # digest of the folder defaults, field names and parser version it was read with


class FolderDefaults(NamedTuple):
    """A folder defaults file as read: its signature, and the fields it gives or why it gives none."""

    size: int
    mtime_ns: int
    names: str  # digest of the field names it was read with
    fields: dict[str, Any]
    problem: str | None

    @classmethod
    def from_json(cls, value: object) -> FolderDefaults | None:
        """One as the manifest keeps it (a list); None if it is not one."""
        if not (isinstance(value, list) and len(value) == 5 and isinstance(value[3], dict)):
            return None
        return cls(*value)


def absolute(path: str) -> str:
    """A path as the index records it: absolute, without `..` or a trailing separator."""
    return os.path.normpath(os.path.abspath(path))


def within(path: str, root: str) -> bool:
    """Whether the path is the root or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


Scope = Mapping[str, bool]  # folders to look at, each with whether the folders below it are looked at too


def scope_of(paths: Iterable[str]) -> dict[str, bool]:
    """The folders whose files may have changed when the given paths did (files or folders, present or gone).

    A folder that appeared or went, or whose defaults file changed, is looked at whole; a file's folder
    for its own files only.
    """
    scope: dict[str, bool] = {}
    for path in paths:
        path = os.path.normpath(path)
        folder, name = os.path.split(path)
        if name == DEFAULTS_FILE:
            scope[folder] = True
        elif os.path.isdir(path) or not os.path.lexists(path):
            scope[path] = True
        scope.setdefault(folder, False)
    return scope


def in_scope(path: str, scope: Scope) -> bool:
    """Whether a file is one a walk with this scope looks at."""
    folder = os.path.dirname(path)
    return folder in scope or any(whole and within(path, s) for s, whole in scope.items())


def aliased(roots: list[str], follow_links: bool) -> set[str]:
    """The real paths of the folders a walk reaches by more than one path (through symbolic links)."""
    real_roots = [os.path.realpath(root) for root in roots]
    seen: set[str] = set()
    twice: set[str] = set()
    folders = [root for root in roots if os.path.isdir(root)]
    while folders:
        folder = folders.pop()
        real = os.path.realpath(folder)
        (twice if real in seen else seen).add(real)
        try:
            with os.scandir(folder) as it:
                entries = [e for e in it if e.name[0] != "." and e.is_dir()]
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if within(real, target) or not (follow_links or any(within(target, r) for r in real_roots)):
                    continue  # a loop, or a link the walk does not follow
            folders.append(entry.path)
    return twice


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
    def signature(self) -> Signature:
        return Signature(self.size, self.mtime_ns, self.context)


class Scan:
    """A walk of the archive's roots: `files()` yields each article file in order of path.

    The order is that of the paths' bytes, which is the catalog's: the two are
    read side by side, so that neither has to be held whole. What the walk
    skips or ignores, the roots it did not find and the folder defaults it read
    are filled in as it goes.
    """

    def __init__(
        self,
        roots: list[str],
        names: Mapping[str, list[str]],
        known: Mapping[str, FolderDefaults] | None = None,
        follow_links: bool = False,
        scope: Scope | None = None,
    ) -> None:
        self.roots = roots
        self.names = names
        self.known = known or {}  # the `defaults` of an earlier scan: unchanged defaults files are not read again
        # Else only symbolic links whose targets are inside the roots are followed, as ripgrep follows none
        # without -L: a link in a downloaded archive must not bring ~/.ssh or /etc into the index.
        self.follow_links = follow_links
        self.scope = scope  # None: everything below the roots
        self.skipped: list[Skipped] = []
        self.ignored = 0
        self.missing_roots: list[str] = []
        self.defaults: dict[str, FolderDefaults] = {}  # by the path of each folder defaults file

    def files(self) -> Iterator[FileEntry]:
        return self._files(FileEntry)

    def signatures(self) -> Iterator[tuple[str, int, int, str]]:
        """Each file's path and signature, flat: for telling quickly whether anything changed."""
        return self._files(_flat_signature)

    def _files(self, make: Callable[[str, str, int, int, str, Mapping[str, Any]], T]) -> Iterator[T]:
        """`make(path, key, size, mtime_ns, context, defaults)` of each article file, in order of path."""
        self.skipped, self.ignored, self.missing_roots, self.defaults = [], 0, [], {}
        self._real_roots = [os.path.realpath(root) for root in self.roots]
        names_digest = _digest(self.names)
        found = []
        for root in self.roots:
            try:
                found.append((root, os.stat(root)))
            except OSError:
                self.missing_roots.append(root)
        for root, top in sorted(found, key=lambda r: os.fsencode(r[0] + "/" if stat.S_ISDIR(r[1].st_mode) else r[0])):
            base = os.path.basename(root.rstrip(os.sep)) or root
            if stat.S_ISDIR(top.st_mode):
                if self.scope is not None and not any(within(s, root) or within(root, s) for s in self.scope):
                    continue
                yield from self._walk(root, base, {}, names_digest, {(top.st_dev, top.st_ino)}, make)
            else:
                item = self._file(root, base, top, {}, _digest([PARSER_VERSION, {}, names_digest]), make)
                if item is not None and (self.scope is None or in_scope(root, self.scope)):
                    yield item

    def _walk(
        self,
        folder: str,
        key: str,
        inherited: Mapping[str, Any],
        names_digest: str,
        visited: set[tuple[int, int]],
        make: Callable[[str, str, int, int, str, Mapping[str, Any]], T],
    ) -> Iterator[T]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=_order)
        except OSError as e:
            self.skipped.append(Skipped(folder, f"cannot read folder: {e.strerror}"))
            return
        defaults = dict(inherited)
        if any(e.name == DEFAULTS_FILE for e in entries):
            path = os.path.join(folder, DEFAULTS_FILE)
            defaults.update(self._folder_defaults(path, names_digest))
        context = _digest([PARSER_VERSION, defaults, names_digest])
        files_here, on_the_way = True, None
        if self.scope is not None:
            files_here, on_the_way = self._narrowed(folder)
        for entry in entries:  # the loop a search's freshness check runs for every file: kept lean
            name = entry.name
            if name[0] == ".":
                continue
            if not files_here and on_the_way is not None and name not in on_the_way:
                continue
            path = entry.path
            if not self.follow_links and entry.is_symlink() and not self._inside(path, name):
                continue
            if not name.isascii() and not _valid_name(name):
                if entry.is_dir() or _has_suffix(name):
                    self.skipped.append(Skipped(_shown(path), "its name is not valid UTF-8: rename it to index it"))
                continue
            try:
                info = entry.stat()
            except OSError as e:
                if _has_suffix(name) or entry.is_symlink():
                    reason = "broken symbolic link" if entry.is_symlink() else e.strerror
                    self.skipped.append(Skipped(path, str(reason)))
                continue
            if stat.S_ISDIR(info.st_mode):
                inode = (info.st_dev, info.st_ino)
                if inode in visited:
                    self.skipped.append(Skipped(path, "symbolic link loop (folder already visited)"))
                    continue
                if on_the_way is not None and name not in on_the_way:
                    continue
                yield from self._walk(path, f"{key}/{name}", defaults, names_digest, visited | {inode}, make)
            else:
                item = self._file(path, f"{key}/{name}", info, defaults, context, make)
                if item is not None:
                    yield item

    def _narrowed(self, folder: str) -> tuple[bool, set[str] | None]:
        """Under a scope: whether this folder's files are looked at, and the names of its folders to enter.

        None for those folders means all of them.
        """
        assert self.scope is not None
        if any(whole and within(folder, s) for s, whole in self.scope.items()):
            return True, None
        prefix = folder.rstrip(os.sep) + os.sep
        return folder in self.scope, {s[len(prefix) :].split(os.sep)[0] for s in self.scope if s.startswith(prefix)}

    def _file(
        self,
        path: str,
        key: str,
        info: os.stat_result,
        defaults: Mapping[str, Any],
        context: str,
        make: Callable[[str, str, int, int, str, Mapping[str, Any]], T],
    ) -> T | None:
        if not _has_suffix(path):
            self.ignored += 1
            return None
        if not stat.S_ISREG(info.st_mode):
            self.skipped.append(Skipped(path, "not a regular file"))
            return None
        return make(path, key, info.st_size, info.st_mtime_ns, context, defaults)

    def _inside(self, link: str, name: str) -> bool:
        """Whether a link's target is inside the archive; a link out of it that would be read is skipped."""
        target = os.path.realpath(link)
        if any(within(target, root) for root in self._real_roots):
            return True
        if os.path.isdir(target) or _has_suffix(name):
            reason = f"a symbolic link out of the archive, to {target} (`follow_links: true` follows it)"
            self.skipped.append(Skipped(_shown(link), reason))
        return False

    def _folder_defaults(self, path: str, names_digest: str) -> dict[str, Any]:
        try:
            info = os.stat(path)
        except OSError as e:
            self.skipped.append(Skipped(path, f"{e.strerror}; files below it are indexed without it"))
            return {}
        known = self.known.get(path)
        if known is None or (known.size, known.mtime_ns, known.names) != (info.st_size, info.st_mtime_ns, names_digest):
            known = FolderDefaults(info.st_size, info.st_mtime_ns, names_digest, *_read_defaults(path, self.names))
        self.defaults[path] = known
        if known.problem:
            self.skipped.append(Skipped(path, f"{known.problem}; files below it are indexed without it"))
        return dict(known.fields)


def _flat_signature(
    path: str, key: str, size: int, mtime_ns: int, context: str, defaults: Mapping[str, Any]
) -> tuple[str, int, int, str]:
    return path, size, mtime_ns, context


def _order(entry: os.DirEntry[str]) -> str:
    """A name as its paths sort: a folder's as if it ended in a separator, which sorts after `.` and `-`."""
    try:
        return entry.name + "/" if entry.is_dir() else entry.name
    except OSError:
        return entry.name


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


def _read_defaults(path: str, names: Mapping[str, list[str]]) -> tuple[dict[str, Any], str | None]:
    from newscli.formats.fields import described, pick
    from newscli.formats.frontmatter import load_yaml_mapping

    try:
        with open(path, "rb") as f:
            text = f.read(MB + 1).decode("utf-8")
        if len(text) > MB:
            raise ArticleError("too large for a defaults file")
        fields = pick(load_yaml_mapping(text, what="folder defaults"), names)
        kept = {k: v for k, v in fields.items() if k in DEFAULTABLE}
        described(kept)  # a value no article could take is the file's problem, not each article's
    except (OSError, UnicodeDecodeError, ArticleError) as e:
        return {}, e.message if isinstance(e, ArticleError) else str(e)
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
    reader = reader_for(entry.path)
    limit = max_mb * MB * (MANY_FACTOR if reader is not None and reader.many else 1)
    if entry.size > limit:
        yield Skipped(
            entry.path,
            f"too large for an article file ({entry.size / MB:.1f} MB; "
            f"the limit is {limit / MB:g} MB, set by max_file_mb)",
            passing=True,
        )
        return
    try:
        with open(entry.path, "rb") as f:
            data = f.read(int(limit) + 1)
    except FileNotFoundError:
        yield Skipped(entry.path, "disappeared while being indexed", passing=True)
        return
    except OSError as e:
        yield Skipped(entry.path, f"cannot read: {e.strerror}", passing=True)
        return
    if len(data) > limit:
        yield Skipped(entry.path, "grew too large while being indexed", passing=True)
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
                    markup=parsed.markup,
                )
            except ArticleError as e:
                yield Skipped(where, e.message)
    except ArticleError as e:
        yield Skipped(entry.path, e.message)
