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


def test_a_query_that_cannot_run_is_refused_when_saved(run: Run, news: Path) -> None:
    index(run, news)
    for query in ("*", "((((((", "x~3", "date:2024-02-30", "auther:x"):
        result = run("saved", "add", "bad", query)
        assert result.exit_code == 2 and "newscli: error: " in result.stderr, (query, result.stderr)
    assert run("saved", "--json").exit_code == 0
    assert json.loads(run("saved", "--json").stdout)["saved"] == []


def test_a_saved_search_that_cannot_run_is_listed_with_its_error(run: Run, news: Path) -> None:
    import os
    import sqlite3

    index(run, news)
    assert run("saved", "add", "good", "budget").exit_code == 0
    db = sqlite3.connect(os.path.join(os.environ["XDG_DATA_HOME"], "newscli", "marks.db"))
    db.execute("INSERT INTO saved (name, query) VALUES ('old', 'auther:x')")  # as an older newscli kept it
    db.commit()
    db.close()
    result = run("saved", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)["saved"]}
    assert rows["good"]["total"] == 1 and rows["good"]["error"] is None
    assert rows["old"]["total"] is None and "unknown field 'auther:'" in rows["old"]["error"]
    shown = run("saved")
    assert shown.exit_code == 0 and "cannot run: unknown field" in shown.stdout
    assert "1 saved search cannot run" in shown.stderr


def test_saved_searches_naming_each_other_are_bounded_before_they_are_built(run: Run, news: Path) -> None:
    """Kept as an older newscli kept them (saving them now is refused): expanded, they are bounded."""
    import os
    import sqlite3
    import time

    index(run, news)
    run("saved", "add", "s0", "budget")
    db = sqlite3.connect(os.path.join(os.environ["XDG_DATA_HOME"], "newscli", "marks.db"))
    for n in range(1, 7):  # each names the one before 40 times: 40**6 copies of s0, expanded
        db.execute("INSERT INTO saved (name, query) VALUES (?, ?)", (f"s{n}", " OR ".join([f"@s{n - 1}"] * 40)))
    for n in range(1, 1001):  # a chain 1,000 deep
        db.execute("INSERT INTO saved (name, query) VALUES (?, ?)", (f"c{n}", f"@c{n - 1}" if n > 1 else "budget"))
    db.commit()
    db.close()
    started = time.monotonic()
    result = run("search", "@s6")
    assert time.monotonic() - started < 10  # 40 times ran for ever
    assert result.exit_code == 2 and "too long with @s" in result.stderr, result.stderr
    result = run("search", "@c1000")
    assert result.exit_code == 2 and "nested more than 20 deep" in result.stderr, result.stderr  # not "a loop"
    assert run("search", "@c20").exit_code == 0
    refused = run("saved", "add", "s7", "@s6")
    assert refused.exit_code == 2 and "too long" in refused.stderr
