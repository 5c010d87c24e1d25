"""`newscli show`: one article by ID, prefix or path."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import SEED, SEED_ID, SEED_TITLE, Run, doc, index, write


def test_show_by_id_prefix_and_path(run: Run, archive: Path) -> None:
    by_id = run("show", SEED_ID, "--no-pager")
    assert by_id.exit_code == 0
    lines = by_id.stdout.splitlines()
    assert " ".join(" ".join(lines[:2]).split()) == SEED_TITLE
    assert "French President Emmanuel Macron (right)" in by_id.stdout
    assert f"ID: {SEED_ID}" in by_id.stdout
    assert "British Foreign Minister David Cameron" in by_id.stdout
    assert run("show", SEED_ID[:4], "--no-pager").stdout == by_id.stdout
    assert run("show", str(archive / SEED.name), "--no-pager").stdout == by_id.stdout
    assert run("show", f"articles/{SEED.name}", "--no-pager").stdout == by_id.stdout


def test_show_raw_prints_the_file(run: Run, archive: Path) -> None:
    assert run("show", SEED_ID, "--raw").stdout == SEED.read_text(encoding="utf-8") + "\n"


def test_show_json_carries_the_body(run: Run, archive: Path) -> None:
    data = json.loads(run("show", SEED_ID, "--json").stdout)
    assert data["version"] == 1
    assert data["article"]["caption"].startswith("French President")
    assert data["article"]["body"].endswith("also participated in the conference.")


def test_show_a_record_of_a_jsonl_file(run: Run, news: Path) -> None:
    index(run, news)
    whole = run("show", str(news / "feed.jsonl"))
    assert whole.exit_code == 2 and "holds 2 articles" in whole.stderr
    data = json.loads(run("show", f"{news / 'feed.jsonl'}:2", "--json").stdout)["article"]
    assert (data["title"], data["record"]) == ("Election night", 2)
    raw = run("show", f"{news / 'feed.jsonl'}:2", "--raw").stdout
    assert json.loads(raw)["title"] == "Election night"


def test_show_unknown_and_too_short_ids(run: Run, archive: Path) -> None:
    run("index")
    unknown = run("show", "ffffffffffff")
    assert (unknown.exit_code, unknown.stdout, unknown.stderr) == (
        1,
        "",
        "newscli: error: no article with ID 'ffffffffffff'\n",
    )
    short = run("show", SEED_ID[:3])
    assert short.exit_code == 2 and "at least 4 characters" in short.stderr
    assert run("show", "nothex!").exit_code == 1


def test_ambiguous_prefix_lists_the_candidates(run: Run, tmp_path: Path) -> None:
    from newscli.archive import FileEntry, article_id

    # Find two file names whose IDs share a 4-character prefix, then make those files.
    seen: dict[str, str] = {}
    pair = None
    for i in range(100_000):
        key = f"n/{i}.txt"
        prefix = article_id(FileEntry("", key, 0, 0, ""), {}, None)[:4]
        if prefix in seen:
            pair = (seen[prefix], key)
            break
        seen[prefix] = key
    assert pair is not None
    for key in pair:
        write(tmp_path / key, f"{key}\n\ntext\n")
    index(run, tmp_path / "n")
    result = run("show", prefix)
    assert result.exit_code == 2
    assert f"the ID prefix '{prefix}' matches 2 articles" in result.stderr
    assert sum(1 for line in result.stderr.splitlines() if line.startswith(f"newscli:   {prefix}")) == 2


def test_show_prints_every_field(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "a.md",
        doc(
            "Full story",
            "Some **bold** words.\n\n- item one",
            source="Wire + agencies",
            date="2024-02-27",
            authors="[Ann Lee, Bo Chen]",
            url="https://example.com/a",
            tags="[war, europe]",
            language="en",
            caption="A photo (AFP)",
        ),
    )
    index(run, tmp_path / "n")
    out = run("show", str(tmp_path / "n" / "a.md"), "--no-pager").stdout
    for expected in (
        "Full story",
        "A photo (AFP)",
        "Wire + agencies  2024-02-27",
        "By: Ann Lee, Bo Chen",
        "URL: https://example.com/a",
        "Tags: war, europe",
        "Language: en",
        "ID: ",
        f"Path: {tmp_path / 'n' / 'a.md'}",
        "Some bold words.",
        "• item one",
    ):
        assert expected in out
    assert "**" not in out
