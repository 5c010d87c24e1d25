"""The manual: docs/commands.md and the man pages are the commands' own --help and docs/'s pages, and stay so.

Run `NEWSCLI_WRITE_DOCS=1 pytest tests/test_docs.py` to write them again after changing help text or a page.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from newscli import manual
from newscli.cli import cli

from .conftest import PROJECT, Run, in_process

README = PROJECT / "README.md"
DOCS = PROJECT / "docs"
MAN = DOCS / "man"


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


def generated() -> dict[Path, str]:
    """What docs/ holds that is made from the commands and the pages."""
    root = click.Context(cli, info_name="newscli")
    files = {
        DOCS / "commands.md": f"# Every command's --help\n\n{COMMANDS_INTRO}\n\n{reference()}",
        MAN / "newscli.1": manual.command_to_roff(cli, root, "newscli", whole=False),
        MAN / "newscli-query.7": manual.markdown_to_roff(manual.page("query"), "newscli-query", 7),
    }
    for name, command in cli.commands.items():
        ctx = click.Context(command, parent=root, info_name=name)
        files[MAN / f"newscli-{name}.1"] = manual.command_to_roff(command, ctx, f"newscli-{name}")
    return files


COMMANDS_INTRO = "Made from the commands themselves (`NEWSCLI_WRITE_DOCS=1 pytest tests/test_docs.py`)."


def test_commands_page_and_man_pages_are_current() -> None:
    files = generated()
    if os.environ.get("NEWSCLI_WRITE_DOCS"):
        MAN.mkdir(exist_ok=True)
        for stale in set(MAN.iterdir()) - set(files):
            stale.unlink()
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    stale = [str(p.relative_to(PROJECT)) for p, text in files.items() if not p.is_file() or p.read_text() != text]
    assert stale == [], "out of date: see this file's docstring"
    assert set(MAN.iterdir()) == {p for p in files if p.parent == MAN}, "a man page of no command"


def test_man_pages_render_without_warnings() -> None:
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed (apt-get install groff-base)")
    for page in sorted(MAN.iterdir()):
        done = subprocess.run(
            ["groff", "-man", "-Tutf8", "-ww", "-z", str(page)], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stderr) == (0, ""), page.name
    shown = subprocess.run(["groff", "-man", "-Tutf8", str(MAN / "newscli-query.7")], capture_output=True, text=True)
    assert "ground forces" in re.sub(r".\x08", "", shown.stdout)


def test_help_lists_the_topics_and_each_opens(run: Run) -> None:
    listed = run("help")
    assert listed.exit_code == 0
    for topic in manual.TOPICS:
        assert topic in listed.stdout and manual.summary(topic) in listed.stdout
        shown = run("help", topic)
        assert shown.exit_code == 0 and shown.stdout.strip(), topic
        assert manual.summary(topic) in shown.stdout, topic
    assert run("help", "search").stdout == run("search", "--help").stdout
    unknown = run("help", "nonsense")
    assert unknown.exit_code == 1 and "no help topic or command 'nonsense'" in unknown.stderr
    assert Path(run("help", "--man-path").stdout.strip()).resolve() == MAN


def test_every_page_of_docs_is_a_topic_and_the_readme_links_each() -> None:
    pages = {p.stem for p in DOCS.glob("*.md")}
    assert pages == set(manual.TOPICS)
    readme = README.read_text(encoding="utf-8")
    assert all(f"(docs/{topic}.md)" in readme for topic in manual.TOPICS)
    assert len(readme.splitlines()) <= 300


def test_readme_quick_start_has_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = [line for block in re.findall(r"```sh\n(.*?)```", quick, flags=re.S) for line in block.splitlines()]
    assert len([line for line in lines if line.strip() and not line.startswith("#")]) == 2


def test_every_link_between_pages_leads_to_a_file() -> None:
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)\)", page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), (page.name, target)
