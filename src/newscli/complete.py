"""Shell completion (click's own protocol: bash, zsh, fish): outlets, saved searches, labels and article IDs.

Each answer comes from a small file beside the index or from SQLite, never from the
search engine, so it takes a few milliseconds; loading click and newscli's commands
takes 100 more. So `newscli` answers the shell itself (`quick`) when the words are
plain enough to tell what is being completed, from a map of the commands' options
and arguments (`SHAPE`: made from the click commands by `shape`, and checked
against them by the tests), and leaves everything else to click, whose callbacks
(`context.completing`) call the same functions. Nothing here loads click.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # typing, sqlite3 and pathlib are loaded only when needed: the shell waits
if TYPE_CHECKING:
    from typing import Any

MANY = 100  # article IDs offered at most
SHELLS = ("bash", "zsh", "fish")


def outlets(index_dir: str, incomplete: str) -> list[str]:
    """`--source`: the outlets of the index, those starting with what was typed (in any case) first."""
    from newscli.indexing import outlets as kept

    names = kept.read(index_dir) or []
    typed = incomplete.casefold()
    first = [n for n in names if n.casefold().startswith(typed)]
    return first + [n for n in names if typed in n.casefold() and n not in first]


def labels(index_dir: str, incomplete: str) -> list[str]:
    found = _marks("SELECT DISTINCT json_each.value FROM marks, json_each(marks.labels) ORDER BY 1")
    return [x for x in found if x.startswith(incomplete)]


def saved_names(index_dir: str, incomplete: str) -> list[str]:
    return [n for n in _marks("SELECT name FROM saved ORDER BY name") if n.startswith(incomplete.lstrip("@"))]


def queries(index_dir: str, incomplete: str) -> list[str]:
    """A query: after `@`, the saved searches; after `label:`, the labels."""
    if incomplete.startswith("@"):
        return [f"@{n}" for n in saved_names(index_dir, incomplete)]
    if incomplete.startswith("label:"):
        return [f"label:{x}" for x in labels(index_dir, incomplete.removeprefix("label:"))]
    return []


def article_ids(index_dir: str, incomplete: str) -> list[str]:
    """Article IDs starting with what was typed, the newest first, from the index's catalog."""
    import sqlite3
    from contextlib import closing

    try:
        catalog = os.path.join(index_dir, "catalog.db")
        with closing(sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)) as db:
            # One character matches a sixteenth of the archive: walking it newest first finds the
            # first hundred soonest (0.3 ms at 300,000 articles, against 34 ms sorting them). Longer
            # prefixes match few enough that the ID's own index is quicker.
            for by_time in ("INDEXED BY articles_by_time", "") if len(incomplete) <= 1 else ("",):
                try:
                    rows = db.execute(
                        f"SELECT id FROM articles {by_time} WHERE id >= ? AND id < ? "
                        "ORDER BY ts IS NULL, ts DESC LIMIT ?",
                        (incomplete, incomplete + "\uffff", MANY),
                    ).fetchall()
                    break
                except sqlite3.OperationalError:  # a catalog not written since it gained the index
                    continue
            else:
                return []
    except sqlite3.Error:
        return []
    return [row[0] for row in rows]


def articles_or_queries(index_dir: str, incomplete: str) -> list[str]:
    """`mark`'s arguments: article IDs, or with --all a query."""
    if incomplete.startswith(("@", "label:")):
        return queries(index_dir, incomplete)
    return article_ids(index_dir, incomplete)


COMPLETERS: dict[str, Callable[[str, str], list[str]]] = {
    f.__name__: f for f in (outlets, labels, saved_names, queries, article_ids, articles_or_queries)
}


def _marks(sql: str) -> list[str]:
    """A column of marks.db, read only (the tables of reading/marks.py); none if there is no such file."""
    import sqlite3
    from contextlib import closing

    from newscli import folders

    try:
        file = os.path.join(folders.data_dir(), "marks.db")
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as db:
            return [row[0] for row in db.execute(sql)]
    except sqlite3.Error:
        return []


# The quick way.


def quick(environ: Mapping[str, str], index_dir: Callable[[dict[str, str]], str | None]) -> str | None:
    """What to print for the shell's request in `environ`; None to leave it to click.

    `index_dir` gives the index folder for the global options given (None: cannot tell).
    """
    from newscli.complete_shape import GLOBAL, SHAPE

    shell = environ.get("_NEWSCLI_COMPLETE", "").removesuffix("_complete")
    asked = _asked(shell, environ) if shell in SHELLS else None
    if asked is None:
        return None
    args, incomplete = asked
    given: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):  # the global options
        name, eq, value = args[i].partition("=")
        if GLOBAL.get(name) is None:
            return None
        if GLOBAL[name] and not eq:
            i += 1
            if i == len(args):
                return None
            value = args[i]
        given[name] = value
        i += 1
    if i == len(args) or args[i] not in SHAPE or incomplete.startswith("-") or "--" in args:
        return None
    completer = _completer(SHAPE[args[i]], args[i + 1 :])
    folder = index_dir(given) if completer else None
    if folder is None:
        return None
    return "\n".join(_formatted(shell, v) for v in COMPLETERS[str(completer)](folder, incomplete))


def _asked(shell: str, environ: Mapping[str, str]) -> tuple[list[str], str] | None:
    """The words before the one being completed (the command's name left out), and that one, as click reads them."""
    import shlex

    try:
        words = shlex.split(environ["COMP_WORDS"])
        if shell == "fish":
            incomplete = shlex.split(environ["COMP_CWORD"])[0] if environ["COMP_CWORD"] else ""
            args = words[1:]
            if incomplete and args and args[-1] == incomplete:
                args.pop()
            return args, incomplete
        cword = int(environ["COMP_CWORD"])
    except (KeyError, ValueError, IndexError):  # an unclosed quote among them: click copes
        return None
    return words[1:cword], words[cword] if cword < len(words) else ""


def _completer(shape: Mapping[str, Any], words: list[str]) -> str | None:
    """Which completer answers for the word after `words` (a command's own), if the map can tell."""
    options, flags, arguments = shape["options"], shape["flags"], shape["arguments"]
    pending: str | None = None
    given = 0
    for word in words:
        if pending is not None:
            pending = None
        elif word.startswith("-"):
            name, eq, _ = word.partition("=")
            if name in flags and not eq:
                continue
            if name not in options:
                return None
            pending = None if eq else name
        else:
            given += 1
    if pending is not None:
        return options[pending] or None
    if given >= len(arguments) and not shape["more"]:
        return None
    return arguments[min(given, len(arguments) - 1)] or None


def _formatted(shell: str, value: str) -> str:
    """A completion as click writes it for the shell (a plain value, without help)."""
    return f"plain\n{value}\n_" if shell == "zsh" else f"plain,{value}"


def shape(group: Any) -> tuple[dict[str, bool], dict[str, dict[str, Any]]]:
    """From the click commands: the global options (whether each takes a value), and the commands whose words
    a completer answers: each one's options (their completer's name, or ""), flags and arguments."""
    import click

    def names(param: click.Parameter) -> list[str]:
        return [*param.opts, *param.secondary_opts]

    def completer(param: click.Parameter) -> str:
        return str(getattr(param._custom_shell_complete, "completer", ""))

    global_options = {name: not p.is_flag and not p.count for p in group.params for name in names(p)}
    commands: dict[str, dict[str, Any]] = {}
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group) or not any(completer(p) for p in command.params):
            continue
        options = [p for p in command.params if isinstance(p, click.Option)]
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        commands[name] = {
            "options": {n: completer(p) for p in options if not (p.is_flag or p.count) for n in names(p)},
            "flags": sorted(n for p in options if p.is_flag or p.count for n in names(p)) + ["--help"],
            "arguments": [completer(p) for p in arguments],
            "more": bool(arguments) and arguments[-1].nargs == -1,
        }
    return global_options | {"--help": False}, commands
