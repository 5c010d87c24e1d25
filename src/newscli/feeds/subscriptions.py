"""The subscriptions: feeds.yaml in the config folder, a list the user may edit by hand.

Changes newscli makes to it are edits of its text, so that the user's comments and
layout stay as they were.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli.config import config_dir
from newscli.errors import ConfigError

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


def load(file: Path | None = None) -> list[Feed]:
    """The feeds in feeds.yaml (none if there is no such file); a broken file is an error naming its line."""
    file = file or path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {file}: {e}") from None
    return _parse(text, file)


def add(feed: Feed, file: Path | None = None) -> None:
    """Appends a feed to feeds.yaml, keeping all that is there."""
    append([feed], file)


def append(feeds: list[Feed], file: Path | None = None) -> None:
    file = file or path()
    text = file.read_text(encoding="utf-8") if file.exists() else HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    if not _parse(text, file):
        text = re.sub(r"(?m)^\s*\[\s*\]\s*$\n?", "", text)  # an empty list written as []
    _write(file, text + "".join(f.block() for f in feeds))


def remove(feed: Feed, file: Path | None = None) -> None:
    """Takes a feed's lines out of feeds.yaml, and only those: comments around it stay."""
    file = file or path()
    text = file.read_text(encoding="utf-8")
    node = _nodes(text, file).get(feed.line)
    if node is None:
        return
    end = node.end_mark if not node.value else node.value[-1][1].end_mark
    last = end.line if end.column > 0 else end.line - 1  # 0-based: the line its last value ends on
    lines = text.splitlines(keepends=True)
    while last >= feed.line and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1  # a comment after its last value is about what follows
    _write(file, "".join(lines[: feed.line - 1] + lines[last + 1 :]))


def move(feed: Feed, url: str, file: Path | None = None) -> None:
    """Changes a feed's URL in feeds.yaml (a permanent redirect), in place."""
    file = file or path()
    text = file.read_text(encoding="utf-8")
    node = _nodes(text, file).get(feed.line)
    if node is None:
        return
    for key, value in node.value:
        if key.value == "url":
            _write(file, text[: value.start_mark.index] + _scalar(url) + text[value.end_mark.index :])
            return


def find(feeds: list[Feed], name_or_url: str) -> Feed | None:
    return next((f for f in feeds if name_or_url in (f.name, f.url)), None)


def _scalar(value: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9][\w ./:?=&%~+@#-]*", value) and not re.search(r": | #|:$", value)
    return value if plain and value.strip() == value else json.dumps(value, ensure_ascii=False)


def _text(value: object) -> object:
    """A name, tag or source written as a number (`name: 404`) is its text."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, file)


def _nodes(text: str, file: Path) -> dict[int, Any]:
    """Each feed's YAML node by its first line."""
    import yaml

    from newscli.formats.frontmatter import yaml_problem

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        line, problem = yaml_problem(e)
        raise ConfigError(f"{file}:{line or 1}: invalid YAML: {problem}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.SequenceNode):
        raise ConfigError(f"{file}:{root.start_mark.line + 1}: feeds.yaml must be a list of feeds")
    nodes = {}
    for item in root.value:
        if not isinstance(item, yaml.MappingNode):
            raise ConfigError(f"{file}:{item.start_mark.line + 1}: a feed must be a mapping with a url")
        nodes[item.start_mark.line + 1] = item
    return nodes


def _parse(text: str, file: Path) -> list[Feed]:
    import yaml

    feeds: list[Feed] = []
    for line, node in _nodes(text, file).items():
        values = yaml.SafeLoader(text).construct_object(node, deep=True)
        where = f"{file}:{line}"
        unknown = [k for k in values if k not in KEYS]
        if unknown:
            raise ConfigError(f"{where}: unknown key '{unknown[0]}' (a feed has {', '.join(KEYS)})")
        url = values.get("url")
        if not isinstance(url, str) or not re.match(r"https?://[^/\s]+", url):
            raise ConfigError(f"{where}: a feed needs a url starting with http:// or https://")
        name = _text(values.get("name")) or url
        tags = values.get("tags") or []
        tags = [_text(t) for t in (tags if isinstance(tags, list) else [tags])]
        if not isinstance(name, str) or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ConfigError(f"{where}: a feed's name is text and its tags a list of text")
        source = _text(values.get("source")) or name
        if not isinstance(source, str) or not isinstance(values.get("full_text", False), bool):
            raise ConfigError(f"{where}: a feed's source is text and full_text true or false")
        for other in feeds:
            if url == other.url or name == other.name:
                same = "URL" if url == other.url else "name"
                raise ConfigError(f"{where}: the same {same} as the feed at line {other.line}")
        feeds.append(Feed(name, url, source, tags, bool(values.get("full_text", False)), line))
    return feeds
