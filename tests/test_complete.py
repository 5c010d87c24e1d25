"""Shell completion, as bash asks for it: outlets, saved searches, labels, article IDs."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import Run, index, write


def asked(shell: str, *words: str, program: str | None = None, importtime: bool = False) -> str:
    """What newscli answers when `shell` asks it to complete the last of `words` (or `program`, given).

    importtime: the modules it loaded are added after a line of dashes.
    """
    line = " ".join(shlex.quote(w) if w else "''" for w in ("newscli", *words))
    if shell == "fish" and not words[-1]:  # fish sends the line up to the cursor: an empty word is not there
        line = " ".join(shlex.quote(w) for w in ("newscli", *words[:-1])) + " "
    env = {**os.environ, "_NEWSCLI_COMPLETE": f"{shell}_complete", "COMP_WORDS": line}
    env["COMP_CWORD"] = shlex.quote(words[-1]) if shell == "fish" else str(len(words))
    command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", program or _NEWSCLI]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout + (f"-----\n{done.stderr}" if importtime else "")


_NEWSCLI = "from newscli.main import main; main()"  # as the `newscli` script starts
BY_CLICK = "import newscli.shells; from newscli.cli import cli; cli(prog_name='newscli')"  # click's own answer


def complete(*words: str) -> list[str]:
    """What newscli offers bash (one `type,value` a line)."""
    return [line.split(",", 1)[1] for line in asked("bash", *words).splitlines()]


@pytest.mark.slow
def test_outlets_saved_searches_labels_and_ids(run: Run, news: Path) -> None:
    index(run, news)
    run("saved", "add", "morning", "talks")
    run("saved", "add", "money", "budget")
    ids = {a["title"]: a["id"] for a in json.loads(run("list", "--json").stdout)["articles"]}
    run("mark", ids["Cocoa prices rise"], "--label", "later")

    assert complete("list", "--source", "Al") == ["Al Jazeera"]
    assert complete("search", "--source", "re") == ["Reuters"]
    assert complete("search", "@") == ["@money", "@morning"]
    assert complete("search", "@mo") == ["@money", "@morning"]
    assert complete("list", "--label", "") == ["later"]
    assert complete("search", "label:l") == ["label:later"]
    assert complete("saved", "remove", "mor") == ["morning"]
    newest_first = [ids["Peace talks resume in Geneva"], ids["Leap day budget vote"]]
    assert complete("show", "")[:2] == newest_first
    peace = ids["Peace talks resume in Geneva"]
    assert complete("related", peace[:3]) == [i for i in ids.values() if i.startswith(peace[:3])]
    assert "search" in complete("se")
    assert "Al Jazeera" in asked("zsh", "list", "--source", "Al").splitlines()  # zsh: type, value, help


@pytest.mark.slow
def test_the_quick_answers_are_clicks_own(run: Run, news: Path) -> None:
    """Where newscli answers the shell without loading click, it answers as click would, for each shell."""
    from newscli.cli import cli
    from newscli.complete import shape
    from newscli.complete_shape import GLOBAL, SHAPE

    assert shape(cli) == (GLOBAL, SHAPE), "complete_shape.py is out of step with the commands: see its docstring"
    index(run, news)
    run("saved", "add", "morning", "talks")
    ids = {a["title"]: a["id"] for a in json.loads(run("list", "--json").stdout)["articles"]}
    run("mark", ids["Cocoa prices rise"], "--label", "later")
    quick = [
        ("list", "--source", "Al"),
        ("list", "--unread", "--source", ""),
        ("--no-server", "search", "--source", "re"),
        ("search", "--limit", "5", "@mo"),
        ("search", "label:"),
        ("timeline", "--by", "month", "@"),
        ("mark", ids["Cocoa prices rise"], "--label", ""),
        ("mark", "--all", "@"),
        ("show", ""),
        ("related", "--json", ids["Cocoa prices rise"][:2]),
        ("read", "--source", "A"),
    ]
    left_to_click = [
        ("search", "talks", ""),  # no second argument
        ("search", "--sort", ""),  # its choices
        ("search", "--", "@"),
        ("mark", "-x", "@"),  # an option the map does not know
        ("se",),
        ("list", "--so"),
        ("saved", "remove", "mor"),
    ]
    for shell in ("bash", "zsh", "fish"):
        for words in quick + left_to_click:
            answer, _, imported = asked(shell, *words, importtime=True).partition("-----\n")
            by_click = asked(shell, *words, program=BY_CLICK)
            assert answer == by_click, (shell, words)
            assert (" click\n" not in imported) == (words in quick), (shell, words)  # answered without click?


@pytest.mark.terminal
@pytest.mark.skipif(shutil.which("tmux") is None or shutil.which("bash") is None, reason="needs tmux and bash")
def test_bash_puts_an_outlets_name_on_the_line_quoted(run: Run, tmp_path: Path) -> None:
    """In a real bash in tmux: a completed outlet never runs as a command, nor expands as a glob."""
    archive = tmp_path / "archive"
    for n, outlet in enumerate(["Gazette$(touch MARKER)", "Evil*"]):
        write(archive / f"{n}.md", f"---\ntitle: Story {n}\nsource: '{outlet}'\n---\n\nText.\n")
    write(tmp_path / "Evil-file", "a file a glob would find")
    index(run, archive)
    session = f"newscli-complete-{os.getpid()}"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PS1": "$ ", "TERM": "xterm"}
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "20", "-c", str(tmp_path)]
        + ["bash", "--norc", "--noprofile"],
        env=env,
        check=True,
    )

    def keys(*typed: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", session, *typed], check=True)

    def screen_shows(text: str) -> str:
        deadline = time.monotonic() + 20
        while True:
            shown = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            if text in shown or time.monotonic() > deadline:
                return shown
            time.sleep(0.1)

    try:
        keys('eval "$(_NEWSCLI_COMPLETE=bash_source newscli)"; echo ready', "Enter")
        assert "ready" in screen_shows("\nready")
        keys("newscli --no-server list --source Gaz", "Tab")
        shown = screen_shows(r"Gazette\$\(touch\ MARKER\)")
        assert r"--source Gazette\$\(touch\ MARKER\)" in shown, shown
        keys("Enter")
        assert "Story 0" in screen_shows("Story 0")
        keys("newscli --no-server list --source Evi", "Tab")
        shown = screen_shows(r"Evil\*")
        assert r"--source Evil\*" in shown, shown
        keys("Enter")
        assert "Story 1" in screen_shows("Story 1")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    assert not (tmp_path / "MARKER").exists()


def test_one_character_finds_the_newest_ids_by_the_catalogs_time_index_or_without_it(run: Run, tmp_path: Path) -> None:
    import sqlite3

    for day in range(1, 29):
        write(tmp_path / "news" / f"{day}.md", f"---\ntitle: Day {day}\ndate: 2024-02-{day:02}\n---\nText {day}.\n")
    index(run, tmp_path / "news")
    newest_first = [a["id"] for a in json.loads(run("list", "--limit", "0", "--json").stdout)["articles"]]
    first = newest_first[5][0]
    expected = [i for i in newest_first if i.startswith(first)]
    catalog = tmp_path / "data" / "newscli" / "index" / "catalog.db"
    with sqlite3.connect(catalog) as db:
        assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_by_time'").fetchone()
    assert complete("show", first) == expected
    with sqlite3.connect(catalog) as db:  # a catalog of an earlier version, not written since
        db.execute("DROP INDEX articles_by_time")
    assert complete("show", first) == expected
