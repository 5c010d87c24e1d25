"""The subscriptions: feeds.yaml in the config folder, a list the user may edit by hand.

Changes newscli makes to it are edits of its text, so that the user's comments and
layout stay as they were. Each is made under a lock, on the file as it is at that
moment, finding a feed by its URL; what is written is valid YAML that reads back the same.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli.config import config_dir
from newscli.errors import ConfigError
from newscli.safe import CONTROLS

HEADER = "# The feeds newscli fetches (`newscli feeds add URL`). Edit freely: each needs a url.\n"
KEYS = ("name", "url", "source", "tags", "full_text")


@dataclass(slots=True)
class Feed:
    name: str
    url: str
    source: str  # the outlet its articles are filed under, fixed when it was added
    tags: list[str] = field(default_factory=list)
    full_text: bool = False
    line: int = 0  # where it starts in feeds.yaml (1-based); 0 for one not written yet

    def block(self) -> str:
        """The feed as feeds.yaml writes it."""
        lines = [f"- name: {_scalar(self.name)}", f"  url: {_scalar(self.url)}", f"  source: {_scalar(self.source)}"]
        if self.tags:
            lines.append(f"  tags: [{', '.join(_scalar(t) for t in self.tags)}]")
        if self.full_text:
            lines.append("  full_text: true")
        return "\n".join(lines) + "\n"


def path() -> Path:
    return config_dir() / "feeds.yaml"


def check_url(url: str) -> str:
    """A feed's URL as newscli keeps it (the scheme in lower case); ValueError saying why it cannot be one."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https") or not re.match(r"[^/?#\s]+", rest):
        raise ValueError("a feed's URL starts with http:// or https:// and a host")
    if (found := re.search(f"[\\s{CONTROLS}]", url)) is not None:
        shown = "a space" if found.group() == " " else f"U+{ord(found.group()):04X}"
        raise ValueError(f"a URL holds no spaces or control characters (this one has {shown})")
    return scheme.lower() + sep + rest


def load(file: Path | None = None) -> list[Feed]:
    """The feeds in feeds.yaml (none if there is no such file); a broken file is an error naming its line."""
    file = file or path()
    text = _read(file)
    return [] if text is None else _parse(text, file)


def add(feed: Feed, file: Path | None = None) -> None:
    """Appends a feed to feeds.yaml, keeping all that is there; an error if its URL or name is taken meanwhile."""
    append([feed], file, strict=True)


def append(feeds: list[Feed], file: Path | None = None, *, strict: bool = False) -> list[Feed]:
    """Appends the feeds whose URL feeds.yaml lacks, as it is now; those it appended."""
    file = file or path()
    with _locked(file):
        text = _read(file)
        listed = [] if text is None else _parse(text, file)
        text = HEADER if text is None else text
        urls, names = {f.url for f in listed}, {f.name for f in listed}
        new = []
        for feed in feeds:
            if feed.url in urls or feed.name in names:
                if strict:
                    taken = "URL" if feed.url in urls else "name"
                    raise ConfigError(f"{file}: a feed with the {taken} of {feed.name!r} was added meanwhile")
                continue
            urls.add(feed.url)
            names.add(feed.name)
            new.append(feed)
        if not new:
            return []
        if text and not text.endswith("\n"):
            text += "\n"
        if not listed:
            text = re.sub(r"(?m)^\s*\[\s*\]\s*$\n?", "", text)  # an empty list written as []
        _write(file, text + "".join(f.block() for f in new))
        return new


def remove(url: str, file: Path | None = None) -> bool:
    """Takes the lines of the feed with this URL out of feeds.yaml, and only those: comments around it stay."""
    file = file or path()
    with _locked(file):
        text = _read(file) or ""
        node = _by_url(text, file).get(url)
        if node is None:
            return False
        first = node.start_mark.line
        end = node.end_mark if not node.value else node.value[-1][1].end_mark
        last = end.line if end.column > 0 else end.line - 1  # 0-based: the line its last value ends on
        lines = text.splitlines(keepends=True)
        while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
            last -= 1  # a comment after its last value is about what follows
        _write(file, "".join(lines[:first] + lines[last + 1 :]))
        return True


def move(url: str, to: str, file: Path | None = None) -> bool:
    """Changes a feed's URL in feeds.yaml (a permanent redirect), in place; False if it is gone or `to` is taken."""
    file = file or path()
    with _locked(file):
        text = _read(file) or ""
        nodes = _by_url(text, file)
        node = nodes.get(url)
        if node is None or to in nodes:
            return False
        value = next(value for key, value in node.value if key.value == "url")
        _write(file, text[: value.start_mark.index] + _scalar(to) + text[value.end_mark.index :])
        return True


def find(feeds: list[Feed], name_or_url: str) -> Feed | None:
    return next((f for f in feeds if name_or_url in (f.name, f.url)), None)


# What YAML cannot hold as it is (C0 but tab and newline, DEL, C1 with NEL, U+FFFE/U+FFFF, lone
# surrogates) and what it reads as a line break (U+2028, U+2029): escaped, so feeds.yaml stays readable.
_UNPRINTABLE = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _scalar(value: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9][\w ./:?=&%~+@#-]*", value) and not re.search(r": | #|:$", value)
    if plain and value.strip() == value and value.isascii():
        return value
    quoted = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _text(value: object) -> object:
    """A name, tag or source written as a number (`name: 404`) is its text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _read(file: Path) -> str | None:
    """feeds.yaml's text; None if there is none. A FIFO or a device in its place is an error, not a wait."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f"cannot read {file}: {e.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(f"cannot read {file}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read()
    except OSError as e:
        raise ConfigError(f"cannot read {file}: {e.strerror}") from None
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: not UTF-8 text") from None


@contextmanager
def _locked(file: Path) -> Iterator[None]:
    """Every change to feeds.yaml is made holding this lock, on the file as it is then."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file.with_name(f".{file.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write(file: Path, text: str) -> None:
    temporary = file.with_name(f".{file.name}.{os.getpid()}")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, file)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _nodes(text: str, file: Path) -> list[Any]:
    """Each feed's YAML node, in order."""
    import yaml

    from newscli.formats.frontmatter import yaml_problem

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        line, problem = yaml_problem(e)
        raise ConfigError(f"{file}:{line or 1}: invalid YAML: {problem}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise ConfigError(f"{file}:{root.start_mark.line + 1}: feeds.yaml must be a list of feeds")
    for item in root.value:
        if not isinstance(item, yaml.MappingNode):
            raise ConfigError(f"{file}:{item.start_mark.line + 1}: a feed must be a mapping with a url")
    return list(root.value)


def _by_url(text: str, file: Path) -> dict[str, Any]:
    """Each feed's node by its URL: what newscli's own changes find a feed by."""
    return {feed.url: node for feed, node in _parsed(text, file)}


def _parse(text: str, file: Path) -> list[Feed]:
    return [feed for feed, _ in _parsed(text, file)]


def _parsed(text: str, file: Path) -> list[tuple[Feed, Any]]:
    """Each feed with its node; in time linear in the file's length."""
    import yaml

    feeds: list[tuple[Feed, Any]] = []
    urls: dict[str, int] = {}
    names: dict[str, int] = {}
    loader = yaml.SafeLoader("")  # one constructor for every node: a loader per node reads the whole text again
    for node in _nodes(text, file):
        line = node.start_mark.line + 1
        where = f"{file}:{line}"
        try:
            values = loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f"{file}:{mark.line + 1}" if mark is not None else where
            raise ConfigError(f"{where}: {getattr(e, 'problem', None) or 'cannot be read'}") from None
        unknown = [k for k in values if k not in KEYS]
        if unknown:
            raise ConfigError(f"{where}: unknown key '{unknown[0]}' (a feed has {', '.join(KEYS)})")
        url = values.get("url")
        if not isinstance(url, str) or not url:
            raise ConfigError(f"{where}: a feed needs a url starting with http:// or https://")
        try:
            url = check_url(url)
        except ValueError as e:
            raise ConfigError(f"{where}: {e}") from None
        name = _text(values.get("name")) or url
        tags = values.get("tags") or []
        tags = [_text(t) for t in (tags if isinstance(tags, list) else [tags])]
        if not isinstance(name, str) or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ConfigError(f"{where}: a feed's name is text and its tags a list of text")
        source = _text(values.get("source")) or name
        if not isinstance(source, str) or not isinstance(values.get("full_text", False), bool):
            raise ConfigError(f"{where}: a feed's source is text and full_text true or false")
        for seen, value, what in ((urls, url, "URL"), (names, name, "name")):
            if value in seen:
                raise ConfigError(f"{where}: the same {what} as the feed at line {seen[value]}")
            seen[value] = line
        feeds.append((Feed(name, url, source, tags, bool(values.get("full_text", False)), line), node))
    return feeds
