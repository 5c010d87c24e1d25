"""`newscli state`: marks exported, imported and pruned."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, index, write
from .test_mark import ids_of


def test_export_import_round_trip(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    first, second = ids_of(run)[:2]
    run("mark", first, "--read", "--label", "later")
    run("mark", second, "--star")
    exported = run("state", "export", "-").stdout
    lines = [json.loads(line) for line in exported.splitlines()]
    assert {x["id"]: (x["read"], x["starred"], x["labels"]) for x in lines} == {
        first: (True, False, ["later"]),
        second: (False, True, []),
    }
    run("mark", "--all", "--unread", "--unstar", "--unlabel", "later")
    assert run("state", "export", "-").stdout == ""
    assert run("state", "import", "-", input=exported).exit_code == 0
    assert run("state", "export", "-").stdout == exported


def test_a_bad_import_changes_nothing(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    some = ids_of(run)[0]
    bad = write(tmp_path / "marks.jsonl", json.dumps({"id": some, "read": True}) + "\n{not json\n")
    result = run("state", "import", str(bad))
    assert result.exit_code == 2 and f"{bad}:2: not a mark" in result.stderr
    assert ids_of(run, "--unread") == ids_of(run)


def test_prune_forgets_only_articles_gone_from_the_index(run: Run, news: Path) -> None:
    index(run, news)
    titles = {a["title"]: a["id"] for a in json.loads(run("list", "--json").stdout)["articles"]}
    run("mark", "--all", "--star")
    (news / "c.txt").unlink()
    run("index")
    assert "would forget the marks of 1 articles" in run("state", "prune", "--dry-run").stderr
    assert len(run("state", "export", "-").stdout.splitlines()) == 5  # kept until pruned
    assert run("state", "prune").exit_code == 0
    kept = {json.loads(line)["id"] for line in run("state", "export", "-").stdout.splitlines()}
    assert kept == set(titles.values()) - {titles["Cocoa prices rise"]}
