"""`newscli mark`, and the marks it leaves seen by `search`, `list`, `timeline` and `--json`."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, index


def ids_of(run: Run, *args: str) -> list[str]:
    result = run("list", "--json", "--limit", "0", *args)
    return [a["id"] for a in json.loads(result.stdout)["articles"]] if result.exit_code == 0 else []


def by_title(run: Run) -> dict[str, str]:
    return {a["title"]: a["id"] for a in json.loads(run("list", "--json", "--limit", "0").stdout)["articles"]}


def test_marks_filter_search_list_and_timeline(run: Run, news: Path) -> None:
    index(run, news)
    titles = by_title(run)
    talks, cocoa = titles["Peace talks resume in Geneva"], titles["Cocoa prices rise"]
    assert run("mark", talks[:6], "--read", "--star").exit_code == 0
    assert run("mark", cocoa, "--label", "later", "--label", "food").exit_code == 0

    assert talks not in ids_of(run, "--unread") and cocoa in ids_of(run, "--unread")
    assert ids_of(run, "--starred") == [talks]
    assert ids_of(run, "--label", "later") == [cocoa]
    assert ids_of(run, "--label", "later", "--starred") == []
    hits = json.loads(run("search", "--json", "talks OR cocoa").stdout)["hits"]
    marks = {h["id"]: (h["read"], h["starred"], h["labels"]) for h in hits}
    assert marks == {talks: (True, True, []), cocoa: (False, False, ["later", "food"])}
    assert run("search", "talks", "--unread").exit_code == 1
    assert run("search", "talks is:unread").exit_code == 1
    assert [h["id"] for h in json.loads(run("search", "--json", "is:starred").stdout)["hits"]] == [talks]
    assert [h["id"] for h in json.loads(run("search", "--json", "label:food").stdout)["hits"]] == [cocoa]
    assert json.loads(run("timeline", "--json", "is:read").stdout)["total"] == 1
    assert json.loads(run("timeline", "--json", "talks OR cocoa", "--label", "later").stdout)["total"] == 1
    shown = json.loads(run("show", "--json", cocoa).stdout)["article"]
    assert (shown["read"], shown["starred"], shown["labels"]) == (False, False, ["later", "food"])

    assert run("mark", talks, "--unread", "--unstar").exit_code == 0
    assert run("mark", cocoa, "--unlabel", "later").exit_code == 0
    assert ids_of(run, "--starred") == [] and ids_of(run, "--label", "food") == [cocoa]
    bad = run("search", "is:purple")
    assert bad.exit_code == 2 and "is:purple is not a mark" in bad.stderr


def test_mark_all_by_query_and_filters(run: Run, news: Path) -> None:
    index(run, news)
    result = run("mark", "--all", "votes OR budget", "--read")
    assert result.exit_code == 0 and "marked 2 articles" in result.stderr
    assert len(ids_of(run, "--unread")) == 3
    assert "marked 4 articles" in run("mark", "--all", "--until", "2030", "--read").stderr  # the dated ones
    assert len(ids_of(run, "--unread")) == 1  # the undated one
    assert "marked 5 articles" in run("mark", "--all", "--unread").stderr  # no query, no filter: all
    assert len(ids_of(run, "--unread")) == 5


def test_mark_needs_what_and_which(run: Run, news: Path) -> None:
    index(run, news)
    assert run("mark", "--read").exit_code == 2
    some = ids_of(run)[0]
    assert run("mark", some).exit_code == 2
    missing = run("mark", some, "zzzzzzzz", "--read")
    assert missing.exit_code == 1 and ids_of(run, "--unread") == ids_of(run)  # nothing marked
    assert run("mark", some, "--label", "two words").exit_code == 2


def test_marks_survive_a_rebuilt_index(run: Run, news: Path) -> None:
    index(run, news)
    some = ids_of(run)[0]
    run("mark", some, "--star")
    assert run("index", "--rebuild").exit_code == 0
    assert ids_of(run, "--starred") == [some]
