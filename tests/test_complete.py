"""Shell completion, as bash asks for it: outlets, saved searches, labels, article IDs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import Run, index


def asked(shell: str, *words: str) -> str:
    """What newscli answers when `shell` asks it to complete the last of `words`."""
    env = {**os.environ, "_NEWSCLI_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(("newscli", *words))}
    env["COMP_CWORD"] = str(len(words))
    done = subprocess.run([sys.executable, "-m", "newscli"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def complete(*words: str) -> list[str]:
    """What newscli offers bash (one `type,value` a line)."""
    return [line.split(",", 1)[1] for line in asked("bash", *words).splitlines()]


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
