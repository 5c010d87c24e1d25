"""newscli on a real terminal (tmux): colour, NO_COLOR and the pager, as a person sees them."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import SEED

pytestmark = [
    pytest.mark.terminal,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"),
]


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    (tmp_path / "articles").mkdir()
    shutil.copy(SEED, tmp_path / "articles")
    session = f"newscli-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "NEWSCLI_INDEX_DIR": str(tmp_path / "ix"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env.pop("COLUMNS", None)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "12", "-c", str(tmp_path)], env=env, check=True
    )
    yield session, env
    subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def type_line(session: str, line: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, line, "Enter"], check=True)


def screen(session: str, *, escapes: bool = False) -> str:
    args = ["tmux", "capture-pane", "-p", "-t", session] + (["-e"] if escapes else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def wait_for(session: str, text: str, *, escapes: bool = False, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen(session, escapes=escapes)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared on the screen:\n{screen(session)}")


def newscli(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in [sys.executable, "-m", "newscli", *args])


def test_colour_on_a_terminal_and_none_with_no_color(terminal: tuple[str, dict[str, str]]) -> None:
    session, _ = terminal
    type_line(session, "clear; " + newscli("search", "Ukraine"))
    shown = wait_for(session, "1 match for", escapes=True)
    assert re.search(r"\x1b\[33m(\x1b\[\d+m)*5d7943d0b4e4", shown)  # the ID in yellow
    type_line(session, "clear; NO_COLOR=1 " + newscli("search", "Ukraine") + "; echo END-$((40+2))")
    shown = wait_for(session, "END-42", escapes=True)
    assert "5d7943d0b4e4" in shown and "\x1b[33m" not in shown


@pytest.mark.slow
def test_long_article_opens_in_the_pager_and_no_pager_prints(terminal: tuple[str, dict[str, str]]) -> None:
    session, _ = terminal
    type_line(session, newscli("index"))
    wait_for(session, "1 added")
    type_line(session, "clear; PAGER=less " + newscli("show", "5d79"))
    shown = wait_for(session, "Kremlin spokesman")
    assert shown.rstrip().endswith(":")  # less waits for a key, the article is not all printed
    type_line(session, "q")
    type_line(session, "clear; " + newscli("show", "5d79", "--no-pager") + " | tail -n 3; echo END-$((40+2))")
    assert "also participated in the conference." in wait_for(session, "END-42")
