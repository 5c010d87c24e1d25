"""`newscli saved`: searches kept under a name, run as `@NAME` wherever a query goes."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, index


def test_saved_searches_run_as_at_names(run: Run, news: Path) -> None:
    index(run, news)
    assert run("saved", "add", "money", "budget OR cocoa", "--source", "Reuters").exit_code == 0
    assert run("saved", "add", "votes", "votes OR budget", "--since", "2024", "--unread").exit_code == 0
    hits = json.loads(run("search", "--json", "@money").stdout)["hits"]
    assert [h["title"] for h in hits] == ["Cocoa prices rise"]
    found = json.loads(run("search", "--json", "@votes").stdout)["hits"]
    assert [h["title"] for h in found] == ["Leap day budget vote"]
    assert json.loads(run("timeline", "--json", "@money OR talks").stdout)["total"] == 2
    listed = {s["name"]: s for s in json.loads(run("saved", "--json").stdout)["saved"]}
    assert listed["votes"]["query"] == "votes OR budget date:2024.. is:unread"
    assert (listed["money"]["total"], listed["money"]["unread"]) == (1, 1)
    run("mark", "--all", "@money", "--read")
    assert json.loads(run("saved", "--json").stdout)["saved"][0]["unread"] == 0
    assert "@money" in run("saved").stdout


def test_an_unknown_saved_search_is_a_usage_error_naming_the_others(run: Run, news: Path) -> None:
    index(run, news)
    run("saved", "add", "morning", "talks")
    result = run("search", "@evening")
    assert result.exit_code == 2
    assert "no saved search called @evening (saved: @morning)" in result.stderr
    assert run("saved", "add", "loop", "@nothing").exit_code == 2  # refused when saved, not when used
    assert run("saved", "remove", "morning").exit_code == 0
    assert run("saved", "remove", "morning").exit_code == 2
    assert run("saved", "add", "bad name", "talks").exit_code == 2
