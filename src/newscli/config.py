"""Settings: flags > environment > YAML config file > defaults."""

from __future__ import annotations

import functools
import math
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli import folders
from newscli.errors import ConfigError

COLORS = ("auto", "always", "never")
SERVER_MODES = ("auto", "off")
DEFAULT_ARCHIVE = Path("articles")


def data_dir() -> Path:
    """newscli's data folder: the index, marks.db, the feeds and their state."""
    return Path(folders.data_dir())


def config_dir() -> Path:
    """newscli's config folder: config.yaml, feeds.yaml."""
    return Path(folders.config_dir())


@dataclass(frozen=True, slots=True)
class Config:
    index_dir: Path
    archive: tuple[Path, ...] = ()
    color: str = "auto"
    field_names: Mapping[str, list[str]] = field(default_factory=dict)
    auto_refresh: bool = True
    max_file_mb: float = 10.0
    lock_timeout: float = 30.0
    variants: tuple[tuple[str, ...], ...] = ()
    backend: str = "whoosh"  # the search engine, by its name in newscli.engine.BACKENDS
    follow_links: bool | None = None  # symbolic links out of the archive too; None: as the index was made
    server: str = "auto"  # "auto": read commands ask a resident process, started on first use; "off": never
    server_idle: float = 30.0  # minutes a resident process waits for a command before it ends
    max_feed_mb: float = 10.0  # a feed (or a page, for full text) larger than this is not read
    whoosh_plain: bool = False  # Whoosh's public API alone (slower): see engine/whoosh/internals
    alerts: Alerts = field(default_factory=lambda: Alerts())
    story_window_days: float = 3.0  # how far apart articles of one story may be (stories/placing.py); 0: no stories


@dataclass(frozen=True, slots=True)
class Alerts:
    """What `newscli fetch` runs when a saved search has new matches (`alerts:` in the config file)."""

    command: tuple[str, ...] = ()  # for every saved search; () for none
    deadline: float = 30.0  # seconds a command may run before it is killed
    saved: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # a saved search's own; () for none

    def command_of(self, name: str) -> tuple[str, ...]:
        return self.saved.get(name, self.command)


def load(
    *,
    config_file: str | None = None,
    index_dir: str | None = None,
    color: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Config:
    """The settings in force: flags (config_file, index_dir, color) first, then NEWSCLI_CONFIG and
    NEWSCLI_INDEX_DIR in `environ`, then the config file."""
    from newscli.formats import DEFAULT_NAMES
    from newscli.query import VARIANTS

    path = _config_path(config_file or environ.get("NEWSCLI_CONFIG"))
    values = _read(path) if path else {}
    names = {k: list(v) for k, v in DEFAULT_NAMES.items()}
    names.update((k, list(v)) for k, v in values.get("fields", {}).items())
    chosen_index = index_dir or environ.get("NEWSCLI_INDEX_DIR") or values.get("index_dir")
    index = Path(chosen_index).expanduser().absolute() if chosen_index else data_dir() / "index"
    if index.exists() and not index.is_dir():
        raise ConfigError(f"the index folder {index} is a file", hint="index_dir and --index-dir name a folder")
    return Config(
        index_dir=index,
        archive=tuple(values.get("archive", ())),
        color=color or values.get("color", "auto"),
        field_names=names,
        auto_refresh=values.get("auto_refresh", True),
        max_file_mb=values.get("max_file_mb", 10.0),
        lock_timeout=values.get("lock_timeout", 30.0),
        variants=VARIANTS + tuple(values.get("variants", ())),
        backend=values.get("backend", "whoosh"),
        follow_links=values.get("follow_links"),
        server=values.get("server", "auto"),
        server_idle=values.get("server_idle", 30.0),
        max_feed_mb=values.get("max_feed_mb", 10.0),
        whoosh_plain=values.get("whoosh_plain", False),
        alerts=values.get("alerts", Alerts()),
        story_window_days=values.get("story_window_days", 3.0),
    )


def _config_path(flag: str | None) -> Path | None:
    given = flag
    if given:
        path = Path(given).expanduser()
        try:
            mode = path.stat().st_mode
        except OSError:
            raise ConfigError(f"config file {path} does not exist") from None
        if path == Path(os.devnull):  # no config file at all, as git takes GIT_CONFIG=/dev/null
            return None
        if not stat.S_ISREG(mode):
            raise ConfigError(f"config file {path} is not a regular file")
        return path
    default = config_dir() / "config.yaml"
    return default if default.is_file() else None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    return dict(_parsed(path, text))


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, text: str) -> dict[str, Any]:
    """A config file's settings, checked; the same text is parsed once (the resident process's commands
    each read the file, and find it parsed already)."""
    import yaml

    from newscli.formats.frontmatter import loader as yaml_loader
    from newscli.formats.frontmatter import yaml_problem

    loader = yaml_loader()(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as e:
        line, problem = yaml_problem(e)
        raise ConfigError(f"{path}:{line or 1}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a config file must be a mapping of settings")
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if node is not None else {}
    return {key: _check(key, value, path, lines.get(key, 1)) for key, value in data.items()}


def _check(key: object, value: Any, path: Path, line: int) -> Any:
    from newscli.formats import DEFAULT_NAMES

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{path}:{line}: '{key}' must be {expected}")

    if key == "archive":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise bad("a folder or a list of folders")
        return [(path.parent / Path(i).expanduser()).absolute() for i in items]
    if key == "index_dir":
        if not isinstance(value, str):
            raise bad("a folder")
        return str(path.parent / Path(value).expanduser())
    if key == "color":
        if value not in COLORS:
            raise bad("one of " + ", ".join(COLORS))
        return value
    if key == "backend":
        from newscli.engine import BACKENDS

        if value not in BACKENDS:
            raise bad("one of " + ", ".join(BACKENDS))
        return value
    if key in ("auto_refresh", "follow_links", "whoosh_plain"):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key == "server":
        value = {False: "off", True: "auto"}.get(value, value)  # YAML reads a bare off as false
        if value not in SERVER_MODES:
            raise bad("one of " + ", ".join(SERVER_MODES))
        return value
    if key == "story_window_days":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            raise bad("a number of days, 0 or more (0: no stories)")
        return float(value)
    if key in ("max_file_mb", "lock_timeout", "server_idle", "max_feed_mb"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
            raise bad("a positive number")  # .nan and .inf are YAML floats too
        return float(value)
    if key == "variants":
        if not isinstance(value, list) or not all(
            isinstance(g, list) and len(g) > 1 and all(isinstance(v, str) and len(v.split()) == 1 for v in g)
            for g in value
        ):
            raise bad("a list of groups of single-word spellings, e.g. [[Kyiv, Kiev]]")
        return [tuple(g) for g in value]
    if key == "fields":
        if not isinstance(value, dict):
            raise bad("a mapping from a field to the names it is found under")
        fields = {}
        for name, aliases in value.items():
            if name not in DEFAULT_NAMES:
                raise bad("a mapping with keys among " + ", ".join(DEFAULT_NAMES))
            aliases = [aliases] if isinstance(aliases, str) else aliases
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise bad(f"a mapping whose '{name}' is a name or a list of names")
            fields[name] = aliases
        return fields
    if key == "alerts":
        return _alerts(value, bad)
    known = (
        "archive, index_dir, color, backend, auto_refresh, follow_links, max_file_mb, lock_timeout, variants, fields,"
        " server, server_idle, max_feed_mb, whoosh_plain, alerts, story_window_days"
    )
    raise ConfigError(f"{path}:{line}: unknown setting '{key}' (known: {known})")


def _alerts(value: Any, bad: Callable[[str], ConfigError]) -> Alerts:
    """`alerts: {command: CMD, deadline: SECONDS, saved: {NAME: CMD}}`; a CMD is a list of arguments, or
    a line split as a shell splits words (no shell runs it: write `sh -c '...'` for one), or null."""
    if not isinstance(value, dict) or not set(value) <= {"command", "deadline", "saved"}:
        raise bad("a mapping with command, deadline and saved (see `newscli help configuration`)")
    deadline = value.get("deadline", 30.0)
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or not 0 < deadline < math.inf:
        raise bad("a mapping whose deadline is a positive number of seconds")
    saved = value.get("saved") or {}
    if not isinstance(saved, dict) or not all(isinstance(name, str) for name in saved):
        raise bad("a mapping whose saved maps a saved search's name to its command")
    return Alerts(
        _command(value.get("command"), bad),
        float(deadline),
        {name.lstrip("@"): _command(command, bad) for name, command in saved.items()},
    )


def _command(value: Any, bad: Callable[[str], ConfigError]) -> tuple[str, ...]:
    import shlex

    if value is None:
        return ()
    if isinstance(value, str):
        try:
            value = shlex.split(value)
        except ValueError as e:
            raise bad(f"a command a shell could split ({e}: {value!r})") from None
    if not isinstance(value, list) or not value or not all(isinstance(a, str) and "\0" not in a for a in value):
        raise bad("a mapping whose commands are a line or a list of arguments")
    return (os.path.expanduser(value[0]), *value[1:])
