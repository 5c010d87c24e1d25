"""The README's command reference is the commands' own --help, and stays so.

Run `NEWSCLI_WRITE_README=1 pytest tests/test_docs.py` to regenerate it after changing help text.
"""

from __future__ import annotations

import os
import re

import click

from newscli.cli import cli

from .conftest import PROJECT, in_process

README = PROJECT / "README.md"
START, END = "<!-- help:start -->", "<!-- help:end -->"


def reference() -> str:
    parts = []
    names: list[list[str]] = [[]]
    for name, command in sorted(cli.commands.items()):
        names.append([name])
        if isinstance(command, click.Group):
            names += [[name, sub] for sub, c in sorted(command.commands.items()) if not c.hidden]
    for path in names:
        text = in_process(*path, "--help").stdout
        parts.append(f"### `{' '.join(['newscli', *path])}`\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert isinstance(command, click.Command)
        assert command.help and "Example" in command.help, name


def test_readme_reference_matches_help() -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n{reference()}{END}"
    if os.environ.get("NEWSCLI_WRITE_README"):
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        README.write_text(text, encoding="utf-8")
    assert block in text, "README's command reference is stale: see this file's docstring"


def test_readme_quick_start_has_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", quick, flags=re.S) for line in block.splitlines()]
    assert len([line for line in lines if line.strip() and not line.startswith("#")]) == 2
