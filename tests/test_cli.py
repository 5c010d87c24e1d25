"""newscli as a person uses it: commands, output, exit codes and errors."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from newscli.indexing.lock import locked

from .conftest import SEED, Run, bump, write

SEED_ID = "5d7943d0b4e4"
SEED_TITLE = "Kremlin spokesman Dmitry Peskov warned that sending troops to Ukraine would not be in the West's interest"


def doc(title: str, body: str, **meta: str) -> str:
    front = "".join(f"{k}: {v}\n" for k, v in {"title": title, **meta}.items())
    return f"---\n{front}---\n{body}\n"


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """A small archive with several outlets, dates and formats."""
    root = tmp_path / "news"
    write(
        root / "a.md",
        doc(
            "Troop build-up on the border",
            "Soldiers massed near the border.",
            source="Reuters",
            date="2024-02-10",
            tags="war, europe",
            author="Ann Lee",
        ),
    )
    write(
        root / "b.md",
        doc(
            "Peace talks resume in Geneva",
            "Diplomats met for ground forces talks.",
            source="AP",
            date="2024-03-01",
            language="en",
        ),
    )
    write(
        root / "c.txt",
        "Cocoa prices rise\n\nCocoa rose sharply as the drought hit the crop.\n\nSource: Reuters\n",
    )
    write(
        root / "feed.jsonl",
        json.dumps(
            {
                "title": "Leap day budget vote",
                "source": "Al Jazeera",
                "date": "2024-02-29T18:00:00Z",
                "body": "Parliament voted on the budget on the leap day.",
            }
        )
        + "\n"
        + json.dumps(
            {
                "title": "Election night",
                "source": "Fox News",
                "date": "2020-11-03",
                "body": "Votes were counted all night.",
            }
        )
        + "\n",
    )
    return root


def index(run: Run, *paths: Path) -> None:
    result = run("index", *map(str, paths))
    assert result.exit_code == 0, result.stderr


# First run and the quick start


def test_first_search_builds_the_index_from_articles(run: Run, archive: Path) -> None:
    result = run("search", "Ukraine")
    assert result.exit_code == 0
    assert "building the index" in result.stderr
    assert "1 added" in result.stderr
    assert result.stdout.splitlines()[0] == f"{SEED_ID}  Al Jazeera + agencies  undated"
    assert SEED_TITLE in " ".join(result.stdout.split())
    assert "1 match for 'Ukraine'" in result.stderr


def test_second_search_says_nothing_about_indexing(run: Run, archive: Path) -> None:
    run("search", "Ukraine")
    result = run("search", "Ukraine")
    assert result.exit_code == 0
    assert result.stderr == "newscli: 1 match for 'Ukraine'\n"


def test_no_archive_at_all_is_a_clear_error(run: Run) -> None:
    result = run("search", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("newscli: error: no archive to index")
    assert len(result.stderr.splitlines()) == 1


# Search


def test_stemming_finds_other_forms(run: Run, news: Path) -> None:
    index(run, news)
    result = run("search", "troops", "--json")
    assert [h["title"] for h in json.loads(result.stdout)["hits"]] == ["Troop build-up on the border"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("cocoa drought", ["Cocoa prices rise"]),
        ("cocoa budget", []),
        ("cocoa OR budget", ["Cocoa prices rise", "Leap day budget vote"]),
        ("border NOT soldiers", []),
        ('"ground forces"', ["Peace talks resume in Geneva"]),
        ('"forces ground"', []),
        ("title:cocoa", ["Cocoa prices rise"]),
        ("title:drought", []),
        ("source:reuters", ["Cocoa prices rise", "Troop build-up on the border"]),
        ("author:lee", ["Troop build-up on the border"]),
        ("tag:europe", ["Troop build-up on the border"]),
        ("vot*", ["Election night", "Leap day budget vote"]),
        ("(cocoa OR peace) rise", ["Cocoa prices rise"]),
        ("lang:en", ["Peace talks resume in Geneva"]),
    ],
)
def test_query_syntax(run: Run, news: Path, query: str, titles: list[str]) -> None:
    index(run, news)
    result = run("search", query, "--json", "--limit", "0")
    assert sorted(h["title"] for h in json.loads(result.stdout)["hits"]) == titles
    assert result.exit_code == (0 if titles else 1)


def test_title_matches_rank_above_body_matches(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "1.txt",
        "Markets calm\n\nThe election was mentioned once here among many other words.\n",
    )
    write(tmp_path / "n" / "2.txt", "Election results\n\nCounting went on into the night.\n")
    index(run, tmp_path / "n")
    hits = json.loads(run("search", "election", "--json").stdout)["hits"]
    assert [h["title"] for h in hits] == ["Election results", "Markets calm"]
    assert hits[0]["score"] > hits[1]["score"]


def test_snippet_highlights_the_matched_words(run: Run, news: Path) -> None:
    index(run, news)
    [hit] = json.loads(run("search", "drought", "--json").stdout)["hits"]
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["drought"]


def test_filters_and_sorting(run: Run, news: Path) -> None:
    index(run, news)

    def titles(*args: str) -> list[str]:
        return [h["title"] for h in json.loads(run("search", *args, "--json").stdout)["hits"]]

    assert titles("vote OR votes", "--sort", "newest") == ["Leap day budget vote", "Election night"]
    assert titles("vote OR votes", "--sort", "oldest") == ["Election night", "Leap day budget vote"]
    assert titles("vote OR votes", "--source", "al jazeera") == ["Leap day budget vote"]
    assert titles("vote OR votes", "--since", "2021") == ["Leap day budget vote"]
    assert titles("vote OR votes", "--until", "2024-02") == ["Leap day budget vote", "Election night"]
    assert titles("vote OR votes", "--until", "2024-02-28") == ["Election night"]


def test_limit_and_page(run: Run, tmp_path: Path) -> None:
    for i in range(25):
        write(tmp_path / "n" / f"{i:02}.txt", f"Story {i}\n\nThe harbour story number {i}.\n")
    index(run, tmp_path / "n")
    first = json.loads(run("search", "harbour", "--json").stdout)
    assert (first["total"], len(first["hits"])) == (25, 10)
    third = json.loads(run("search", "harbour", "--json", "--page", "3").stdout)
    assert len(third["hits"]) == 5
    every = json.loads(run("search", "harbour", "--json", "--limit", "0").stdout)
    assert len(every["hits"]) == 25
    assert len({h["id"] for h in first["hits"] + third["hits"]}) == 15
    assert "1-10 of 25 matches for 'harbour'; more with --page 2" in run("search", "harbour").stderr


def test_no_match_exits_1_and_suggests_a_spelling(run: Run, archive: Path) -> None:
    result = run("search", "ukriane")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "did you mean: ukraine" in result.stderr


def test_search_json_schema(run: Run, archive: Path) -> None:
    data = json.loads(run("search", "Peskov", "--json").stdout)
    assert data["version"] == 1 and data["total"] == 1 and data["query"] == "Peskov"
    hit = data["hits"][0]
    assert hit["id"] == SEED_ID
    assert hit["title"] == SEED_TITLE
    assert hit["source"] == "Al Jazeera + agencies"
    assert hit["outlets"] == ["Al Jazeera", "agencies"]
    assert hit["date"] is None and hit["authors"] == [] and hit["url"] is None and hit["record"] is None
    assert hit["path"] == str(archive / SEED.name)
    assert isinstance(hit["score"], float) and "Peskov" in hit["snippet"]
    assert "body" not in hit


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "last tuesday"],
        ["--until", "2024-13"],
        ["--limit", "-1"],
        ["--sort", "best"],
        ["--page", "0"],
        ["--nope"],
    ],
)
def test_bad_options_are_one_line_usage_errors(run: Run, archive: Path, args: list[str]) -> None:
    result = run("search", "x", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("newscli: error: newscli search: ")


# Show


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


# List and sources


def test_list_newest_first_with_undated_last(run: Run, news: Path, archive: Path) -> None:
    index(run, news, archive)
    result = run("list", "--json", "--limit", "0")
    dates = [a["date"] for a in json.loads(result.stdout)["articles"]]
    assert dates == ["2024-03-01", "2024-02-29T18:00:00+00:00", "2024-02-10", "2020-11-03", None, None]


def test_list_by_source_matches_any_outlet_case_insensitively(run: Run, news: Path, archive: Path) -> None:
    index(run, news, archive)
    result = run("list", "--source", "AL JAZEERA", "--json")
    assert sorted(a["title"] for a in json.loads(result.stdout)["articles"]) == [
        SEED_TITLE,
        "Leap day budget vote",
    ]
    assert run("list", "--source", "agencies", "--json").exit_code == 0
    table = run("list", "--source", "Al Jazeera")
    assert table.exit_code == 0 and SEED_ID in table.stdout and "Leap day budget vote" in table.stdout
    assert run("list", "--source", "Nobody").exit_code == 1


def test_sources_counts_each_outlet(run: Run, news: Path, archive: Path) -> None:
    index(run, news, archive)
    data = json.loads(run("sources", "--json").stdout)
    assert data["sources"] == [
        {"name": "Al Jazeera", "count": 2},
        {"name": "Reuters", "count": 2},
        {"name": "agencies", "count": 1},
        {"name": "AP", "count": 1},
        {"name": "Fox News", "count": 1},
    ]
    table = run("sources").stdout
    assert [line.split()[-1] for line in table.splitlines() if "Reuters" in line] == ["2"]
    (news / "c.txt").unlink()  # a Reuters story: its article is deleted from the index, not yet purged
    write(news / "b.md", doc("Peace talks resume", "Talks went on.", source="Reuters"))  # was AP's
    index(run, news, archive)
    counts = {s["name"]: s["count"] for s in json.loads(run("sources", "--json").stdout)["sources"]}
    assert counts == {"Al Jazeera": 2, "Reuters": 2, "agencies": 1, "Fox News": 1}


# Indexing


def test_index_reports_skipped_files_and_indexes_the_rest(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / "good.txt", "Good story\n\nFine text.\n")
    write(root / "bad.md", "---\ntitle: [1, 2]\n---\nx\n")
    write(root / "broken.json", "{not json")
    write(root / "mixed.jsonl", '{"title": "Line one", "body": "ok"}\n{broken\n')
    write(root / ".hidden.txt", "Hidden\n\nNot indexed.\n")
    write(root / "photo.jpg", b"\xff\xd8")
    result = run("index", str(root))
    assert result.exit_code == 0
    assert f"skipped {root / 'bad.md'}: field 'title' must be text, not a list" in result.stderr
    assert f"skipped {root / 'broken.json'}: invalid JSON at line 1 column 2" in result.stderr
    assert f"skipped {root / 'mixed.jsonl'}:2: invalid JSON" in result.stderr
    assert "2 added, 0 updated, 0 removed, 0 unchanged, 3 skipped" in result.stderr
    assert "1 files of other kinds ignored" in result.stderr
    assert run("search", "hidden").exit_code == 1
    assert run("search", "fine").exit_code == 0


@pytest.fixture(params=["kept", "walked again"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways a run finds the files to read: kept from its first walk while few, else walked again."""
    if request.param == "walked again":
        monkeypatch.setattr("newscli.indexing.changes.HELD", 0)


def test_incremental_index_counts_added_updated_removed(run: Run, tmp_path: Path, reading: None) -> None:
    root = tmp_path / "n"
    write(root / "1.txt", "One\n\nFirst.\n")
    write(root / "2.txt", "Two\n\nSecond.\n")
    assert "2 added, 0 updated, 0 removed, 0 unchanged" in run("index", str(root)).stderr
    write(root / "3.txt", "Three\n\nThird.\n")
    write(root / "1.txt", "One again\n\nFirst, edited: zebra.\n")
    bump(root / "1.txt")
    (root / "2.txt").unlink()
    assert "1 added, 1 updated, 1 removed, 0 unchanged" in run("index").stderr
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in run("index").stderr
    assert run("search", "zebra").exit_code == 0
    assert run("search", "second").exit_code == 1
    assert "2 added, 0 updated, 0 removed, 0 unchanged" in run("index", "--rebuild", str(root)).stderr
    assert "2 added, 0 updated, 0 removed, 0 unchanged" in run("index", "--rebuild").stderr  # same archive


def test_an_article_keeps_its_id_when_its_file_is_renamed_or_it_moves_file(
    run: Run, tmp_path: Path, reading: None
) -> None:
    root = tmp_path / "n"
    write(root / "m.jsonl", '{"id": "x1", "title": "Harbour strike", "source": "S"}\n')
    write(root / "z.jsonl", '{"id": "x2", "title": "Cocoa prices", "source": "S"}\n')
    run("index", str(root))
    ids = {a["title"]: a["id"] for a in json.loads(run("list", "--json").stdout)["articles"]}

    def titles_by_id() -> dict[str, str]:
        return {a["id"]: a["title"] for a in json.loads(run("list", "--json").stdout)["articles"]}

    # Renamed to names read before and after others: the old file's articles go before the new one is read.
    (root / "m.jsonl").rename(root / "a.jsonl")
    (root / "z.jsonl").rename(root / "zz.jsonl")
    result = run("index")
    assert "2 added, 0 updated, 2 removed, 0 unchanged, 0 skipped" in result.stderr
    assert titles_by_id() == {ids["Harbour strike"]: "Harbour strike", ids["Cocoa prices"]: "Cocoa prices"}
    # An article moves to a file read before the one it leaves, which changed in the same run.
    write(root / "0.jsonl", '{"id": "x2", "title": "Cocoa prices", "source": "S"}\n')
    write(root / "zz.jsonl", '{"id": "x3", "title": "Tin mine", "source": "S"}\n')
    bump(root / "zz.jsonl")
    result = run("index")
    assert "1 added, 1 updated, 0 removed, 1 unchanged, 0 skipped" in result.stderr
    assert set(titles_by_id().values()) == {"Harbour strike", "Cocoa prices", "Tin mine"}
    assert titles_by_id()[ids["Cocoa prices"]] == "Cocoa prices"


def test_nothing_is_read_again_whatever_the_files_are_named(run: Run, tmp_path: Path, reading: None) -> None:
    # Files are matched with the index's records in order of path, in which a folder's
    # files come after names such as "b.txt" and "b-c" (as if its name ended in "/").
    root = tmp_path / "n"
    for n, name in enumerate(("b/x.txt", "b.txt", "b-c/y.txt", "B.txt", "é.txt", "b0/z.txt")):
        write(root / name, f"Story {n}\n\nSome text.\n")
    run("index", str(root))
    assert "0 added, 0 updated, 0 removed, 6 unchanged" in run("index").stderr
    result = run("search", "text")
    assert result.exit_code == 0 and "index updated" not in result.stderr


def test_a_root_that_is_gone_keeps_its_articles(run: Run, tmp_path: Path, reading: None) -> None:
    # An archive on a disk that is not mounted today is not an archive that was deleted.
    write(tmp_path / "a" / "1.txt", "Harbour strike\n\nDock workers walked out.\n")
    write(tmp_path / "b" / "2.txt", "Cocoa prices\n\nCocoa rose sharply.\n")
    write(tmp_path / "c" / "3.txt", "Tin mine\n\nThe mine reopened.\n")
    run("index", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "c"))
    (tmp_path / "b").rename(tmp_path / "b-away")
    (tmp_path / "c" / "3.txt").unlink()
    gone = run("index")
    assert "0 added, 0 updated, 1 removed, 1 unchanged" in gone.stderr
    assert f"not found {tmp_path / 'b'}: its articles are kept until it is back" in gone.stderr
    assert json.loads(run("index", "--json").stdout)["missing"] == [str(tmp_path / "b")]
    assert run("search", "cocoa").exit_code == 0 and run("search", "mine").exit_code == 1
    (tmp_path / "b-away").rename(tmp_path / "b")
    back = run("index")
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in back.stderr and "not found" not in back.stderr


def test_files_whose_times_alone_changed_are_not_indexed_again(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "n"
    write(root / "1.txt", "One\n\nFirst.\n")
    write(root / "2.txt", "Two\n\nSecond.\n")
    run("index", str(root))
    for path in root.iterdir():  # the same bytes, newer times: what a copy or a checkout leaves
        bump(path)
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in run("index").stderr
    write(root / "2.txt", "Two\n\nSecund.\n")  # other bytes, the same size
    bump(root / "2.txt")
    assert "0 added, 1 updated, 0 removed, 1 unchanged" in run("index").stderr
    assert run("search", "secund").exit_code == 0 and run("search", "second").exit_code == 1

    bump(root / "1.txt")
    first = run("search", "first")
    assert first.exit_code == 0 and "index updated" not in first.stderr
    # That search recorded the new time: the next one does not read the file again.
    monkeypatch.setattr("newscli.archive.file_digest", lambda path: pytest.fail(f"{path} read again"))
    assert run("search", "first").exit_code == 0


def test_small_updates_do_not_pile_up_in_the_index(run: Run, tmp_path: Path) -> None:
    # Each update writes its articles as a new part ("segment") of the index, which every
    # search then reads: parts whose articles are all removed are dropped, and small
    # parts are merged as they accumulate.
    root = tmp_path / "n"
    write(root / "base.txt", "Base\n\nThe first article.\n")
    run("index", str(root))
    parts = tmp_path / "data" / "newscli" / "index"

    def add_day(day: int) -> None:
        items = ({"title": f"Day {day} item {i}", "body": f"Report {i} mentions zebra{day}."} for i in range(100))
        lines = (json.dumps(item) for item in items)
        write(root / f"day{day}.jsonl", "\n".join(lines) + "\n")
        run("index")

    for day in range(3):
        add_day(day)
    assert len(list(parts.glob("*.trm"))) == 4
    for day in range(3):
        (root / f"day{day}.jsonl").unlink()
    assert "0 added, 0 updated, 300 removed, 1 unchanged" in run("index").stderr
    assert len(list(parts.glob("*.trm"))) == 1
    assert run("search", "zebra1").exit_code == 1 and run("search", "first").exit_code == 0

    for day in range(12):
        add_day(day)
    assert len(list(parts.glob("*.trm"))) <= 3  # one per update, without merging: 13
    for day in (0, 11):
        hits = json.loads(run("search", f"zebra{day}", "--json", "--limit", "0").stdout)["hits"]
        assert sorted(h["title"] for h in hits) == sorted(f"Day {day} item {i}" for i in range(100))


def test_search_picks_up_changes_to_the_archive(run: Run, archive: Path) -> None:
    run("search", "Ukraine")
    write(archive / "new.txt", "Harbour strike\n\nDock workers walked out.\n")
    result = run("search", "dock")
    assert result.exit_code == 0
    assert "index updated: 1 added, 0 updated, 0 removed" in result.stderr
    (archive / "new.txt").unlink()
    assert run("search", "dock").exit_code == 1


def test_without_auto_refresh_a_change_is_reported(run: Run, archive: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "config.yaml", "auto_refresh: false\n")
    run("--config", str(config), "search", "Ukraine")
    write(archive / "new.txt", "Harbour strike\n\nDock workers walked out.\n")
    result = run("--config", str(config), "search", "dock")
    assert result.exit_code == 1
    assert "the archive changed since the last index (1 new file); run `newscli index`" in result.stderr


def test_folder_defaults_apply_below_and_files_win(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / ".newscli.yaml", "source: BBC News\ntags: [uk]\nlanguage: en\n")
    write(root / "sport" / ".newscli.yaml", "tags: [sport]\n")
    write(root / "a.txt", "Budget day\n\nThe chancellor spoke.\n")
    write(root / "sport" / "b.txt", "Cup final\n\nA late goal.\n")
    write(root / "sport" / "c.md", doc("Transfer news", "A signing.", source="Sky"))
    index(run, root)
    articles = {a["title"]: a for a in json.loads(run("list", "--json").stdout)["articles"]}
    assert (articles["Budget day"]["source"], articles["Budget day"]["tags"]) == ("BBC News", ["uk"])
    assert (articles["Cup final"]["source"], articles["Cup final"]["tags"]) == ("BBC News", ["sport"])
    assert articles["Transfer news"]["source"] == "Sky"
    assert articles["Cup final"]["language"] == "en"
    write(root / "sport" / ".newscli.yaml", "tags: [football]\n")
    assert "2 updated" in run("index").stderr
    assert run("search", "tag:football").exit_code == 0


def test_ids_are_stable_across_locations_and_other_content(run: Run, tmp_path: Path) -> None:
    for place in ("one", "two"):
        write(tmp_path / place / "articles" / SEED.name, SEED.read_bytes())
    write(tmp_path / "two" / "articles" / "other.txt", "Other\n\nMore.\n")
    ids = []
    for place in ("one", "two"):
        result = run("--index-dir", str(tmp_path / place / "ix"), "index", str(tmp_path / place / "articles"))
        assert result.exit_code == 0
        data = run("--index-dir", str(tmp_path / place / "ix"), "search", "Peskov", "--json").stdout
        ids.append(json.loads(data)["hits"][0]["id"])
    assert ids == [SEED_ID, SEED_ID]


def test_index_missing_path_is_an_error(run: Run) -> None:
    result = run("index", "no/such/folder")
    assert (result.exit_code, result.stderr) == (
        2,
        "newscli: error: no such file or folder: no/such/folder\n",
    )


def test_concurrent_index_waits_then_fails_clearly(run: Run, archive: Path, tmp_path: Path) -> None:
    import fcntl

    from newscli.indexing.lock import LOCK

    run("index")
    config = write(tmp_path / "c.yaml", "lock_timeout: 0.3\n")
    lock = tmp_path / "data" / "newscli" / "index" / LOCK
    with open(lock) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run("--config", str(config), "index")
    assert result.exit_code == 2
    assert "waiting for another newscli to finish updating the index" in result.stderr
    assert "another newscli is still updating the index" in result.stderr.splitlines()[-1]
    assert run("search", "Ukraine").exit_code == 0


# Global options, config and errors


def test_a_search_goes_on_while_the_catalog_is_locked_by_another_process(
    run: Run, archive: Path, tmp_path: Path
) -> None:
    run("index")
    catalog = tmp_path / "data" / "newscli" / "index" / "catalog.db"
    write(archive / "new.txt", "Harbour strike\n\nDock workers walked out.\n")
    with closing(sqlite3.connect(catalog, isolation_level=None)) as db:
        db.execute("BEGIN EXCLUSIVE")  # as a run writing out a large batch would, for a while
        found = run("search", "Ukraine")
        db.execute("ROLLBACK")
    assert found.exit_code == 0 and SEED_ID in found.stdout
    assert "cannot tell whether the archive changed" in found.stderr and "locked" in found.stderr
    assert "1 added" in run("search", "dock").stderr


def test_a_search_during_an_index_run_says_so_and_searches_what_is_there(
    run: Run, archive: Path, tmp_path: Path
) -> None:
    run("index")
    folder = tmp_path / "data" / "newscli" / "index"
    write(archive / "new.txt", "Harbour strike\n\nDock workers walked out.\n")
    with locked(folder, timeout=0):  # as a run under way holds it
        found = run("search", "Ukraine")
    assert found.exit_code == 0 and SEED_ID in found.stdout
    assert f"another newscli is updating the index in {folder}" in found.stderr
    assert "1 added" in run("search", "dock").stderr


def test_index_dir_option_and_environment(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("--index-dir", str(tmp_path / "flag"), "index")
    assert (tmp_path / "flag" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "env"))
    run("index")
    assert (tmp_path / "env" / "manifest.json").is_file()
    assert not (tmp_path / "data" / "newscli" / "index").exists()


def test_config_sets_archive_and_index(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "elsewhere" / "s.txt", "Tram strike\n\nNo trams ran.\n")
    config = write(
        tmp_path / "config" / "newscli" / "config.yaml",
        f"archive: {tmp_path / 'elsewhere'}\nindex_dir: {tmp_path / 'ix'}\n",
    )
    assert run("search", "tram").exit_code == 0
    assert (tmp_path / "ix" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "ix2"))
    assert run("--config", str(config), "search", "tram").exit_code == 0
    assert (tmp_path / "ix2" / "manifest.json").is_file()


def test_config_field_names_map_json(run: Run, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "fields:\n  title: [name]\n  body: story\n")
    write(tmp_path / "n" / "x.json", json.dumps({"name": "Mapped title", "story": "Mapped body."}))
    assert run("--config", str(config), "index", str(tmp_path / "n")).exit_code == 0
    found = run("--config", str(config), "search", "mapped", "--json")
    assert json.loads(found.stdout)["hits"][0]["title"] == "Mapped title"
    # Without that mapping the record has no title or text: it leaves the index, with its reason.
    assert "x.json: no title and no text" in run("index").stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("color: [always\n", "c.yaml:1: invalid YAML"),
        ("archive: x\nindex_dir: 5\n", "c.yaml:2: 'index_dir' must be a folder"),
        ("colour: never\n", "c.yaml:1: unknown setting 'colour'"),
        ("- a list\n", "a config file must be a mapping"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_line(run: Run, tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path / "c.yaml", text)
    result = run("--config", str(config), "sources")
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_missing_config_file(run: Run) -> None:
    result = run("--config", "nope.yaml", "sources")
    assert (result.exit_code, result.stderr) == (2, "newscli: error: config file nope.yaml does not exist\n")


def test_verbose_adds_a_traceback(run: Run) -> None:
    assert "Traceback" not in run("--config", "nope.yaml", "sources").stderr
    assert "Traceback" in run("-v", "--config", "nope.yaml", "sources").stderr


def test_damaged_index_names_the_fix(run: Run, archive: Path, tmp_path: Path) -> None:
    run("index")
    folder = tmp_path / "data" / "newscli" / "index"
    (folder / "manifest.json").write_text("{garbled")
    result = run("search", "Ukraine")
    assert result.exit_code == 2
    assert "newscli index --rebuild" in result.stderr
    assert run("index", "--rebuild").exit_code == 0
    assert run("search", "Ukraine").exit_code == 0


def test_an_index_made_by_an_earlier_version_is_built_again_from_the_same_archive(run: Run, news: Path) -> None:
    index(run, news)
    manifest = next(Path(os.environ["XDG_DATA_HOME"]).rglob("manifest.json"))
    # As version 4 left it: an older schema, and every file's record in the manifest.
    old = {**json.loads(manifest.read_text()), "schema": 4, "files": {str(news / "a.md"): [1, 2, "x", 1, [], None]}}
    manifest.write_text(json.dumps(old))
    result = run("search", "cocoa")
    assert result.exit_code == 0, result.stderr
    assert f"building the index of {news}" in result.stderr and "another version of newscli" in result.stderr
    assert "Cocoa prices rise" in result.stdout
    assert run("search", "cocoa").stderr == "newscli: 1 match for 'cocoa'\n"


def test_markup_in_articles_is_printed_literally(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "x.txt",
        "[bold red]Breaking[/] \x1b]52;c;ZXZpbA==\x07news\n\nBody [link=http://x]here[/link].\n",
    )
    index(run, tmp_path / "n")
    out = run("--color", "always", "search", "breaking").stdout
    assert "[bold red]Breaking[/]" in out
    assert "\x1b]52" not in out and "^[]52;c;ZXZpbA==^G" in out
    shown = run("show", json.loads(run("search", "breaking", "--json").stdout)["hits"][0]["id"])
    assert "[link=http://x]here[/link]" in shown.stdout


HOSTILE_TITLE = (
    "Alarm \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ bell\x07 back\x08 cr\r end"
)


def test_escape_sequences_in_articles_never_reach_the_terminal(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "x.md",
        f"---\ntitle: {json.dumps(HOSTILE_TITLE)}\n"
        'source: "[link=http://evil.test]Wire[/link] \\e]52;c;ZXZpbA==\\a"\n'
        "date: 2024-03-01\n---\nBody with \x1b]52;c;ZXZpbA==\x07 a clipboard write and \x1b[2J a screen clear.\n",
    )
    index(run, tmp_path / "n")
    article = json.loads(run("search", "alarm", "--json").stdout)["hits"][0]
    assert "\x1b[31mred" in article["title"]  # JSON keeps the text as written, escaped by JSON itself
    for command in (
        ["search", "alarm"],
        ["search", "alarm", "--explain", "--facets"],
        ["list"],
        ["sources"],
        ["show", article["id"], "--no-pager"],
        ["timeline", "alarm"],
    ):
        out = run("--color", "always", *command).stdout
        assert "\x1b]" not in out and not any(c in out for c in "\x07\x08\r"), command
        assert not re.search(r"\x1b\[(31|0|2J)m?(red|\s*a screen)", out), command
    shown = run("--color", "always", "show", article["id"], "--no-pager").stdout
    assert "^[[31mred" in shown and "[link=http://evil.test]Wire[/link]" in shown


def test_paths_in_an_article_do_not_decide_what_is_read(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "n" / "x.md", doc("Decoy", "The decoy text.", path="/etc/passwd", record="3", id="../../etc"))
    index(run, tmp_path / "n")
    found = json.loads(run("search", "decoy", "--json").stdout)["hits"][0]
    assert found["path"] == str(tmp_path / "n" / "x.md")
    raw = run("show", found["id"], "--raw").stdout
    assert raw.rstrip("\n") == (tmp_path / "n" / "x.md").read_text().rstrip("\n") and "root:" not in raw


def test_color_never_and_always(run: Run, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run("--color", "never", "search", "Ukraine").stdout
    assert "\x1b[33m" in run("--color", "always", "search", "Ukraine").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[33m" in run("--color", "always", "search", "Ukraine").stdout


def test_version_and_help(run: Run) -> None:
    from newscli import __version__

    assert run("--version").stdout == f"newscli, version {__version__}\n"
    for args in ([], ["-h"], ["search", "-h"], ["show", "--help"], ["list", "-h"], ["index", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Examples:" in result.stdout


# Modules a command loads only when it needs them: each costs start-up time.
LATE = ("traceback", "multiprocessing", "whoosh.lang.morph_en", "urllib.request", "asyncio", "sqlite3")


@pytest.mark.parametrize(
    ("args", "also_late"),
    [(["--help"], ("dataclasses", "whoosh", "rich")), (["search", "Ukraine"], ())],
)
def test_commands_load_only_what_they_need(
    run: Run, archive: Path, args: list[str], also_late: tuple[str, ...]
) -> None:
    assert run("index").exit_code == 0
    script = (
        "import sys\n"
        "from newscli.cli import cli\n"
        f"try: cli({args!r})\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        f"print([m for m in {LATE + also_late!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stderr.splitlines()[-1] == "[]", done.stderr


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


def test_search_sees_a_changed_file(run: Run, archive: Path) -> None:
    run("index")
    story = write(archive / "s.txt", "Ferry news\n\nThe ferry sailed.\n")
    assert run("search", "ferry").exit_code == 0
    write(story, "Ferry news\n\nThe boat sank.\n")
    bump(story)
    result = run("search", "sank")
    assert result.exit_code == 0
    assert "index updated: 0 added, 1 updated, 0 removed" in result.stderr
    assert run("search", "sailed").exit_code == 1


def test_show_finds_a_file_added_since_the_last_index(run: Run, archive: Path) -> None:
    run("index")
    story = write(archive / "pier.txt", "Pier reopens\n\nThe pier reopened today.\n")
    shown = run("show", str(story), "--no-pager")  # not in the index yet: found once it is updated
    assert shown.exit_code == 0, shown.stderr
    assert "Pier reopens" in shown.stdout and "index updated: 1 added" in shown.stderr


def children() -> list[str]:
    """The processes this one started that have not been waited for (zombies included)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    return [pid for task in tasks.iterdir() for pid in (task / "children").read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_a_search_leaves_no_process_behind(run: Run, archive: Path) -> None:
    run("index")
    before = children()
    assert run("search", "Ukraine").exit_code == 0  # the archive as indexed
    write(archive / "pier.txt", "Pier reopens\n\nThe pier reopened today.\n")
    assert run("search", "pier").exit_code == 0  # the archive changed
    assert run("show", "ffff", "--no-pager").exit_code == 1  # a query that fails
    assert children() == before


def test_a_search_that_finds_nothing_changed_does_not_read_the_manifest(
    run: Run, archive: Path, tmp_path: Path
) -> None:
    run("index")
    folder = tmp_path / "data" / "newscli" / "index"
    (folder / "summary.json").unlink()  # as an index made by an earlier version has none
    assert run("search", "Ukraine").exit_code == 0
    assert (folder / "summary.json").is_file()  # that search wrote one
    manifest = folder / "manifest.json"
    before = manifest.stat()
    manifest.write_bytes(b"x" * before.st_size)  # unreadable, but of the size and time it had
    os.utime(manifest, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert run("search", "Ukraine").exit_code == 0
    write(archive / "new.txt", "Harbour strike\n\nDock workers walked out.\n")
    changed = run("search", "dock")  # now it must read the manifest, and finds it damaged
    assert changed.exit_code == 2 and "manifest" in changed.stderr


def test_a_search_sees_changed_folder_defaults(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = write(tmp_path / "n" / ".newscli.yaml", "tags: [uk]\n")
    write(tmp_path / "n" / "a.txt", "Budget day\n\nThe chancellor spoke.\n")
    index(run, tmp_path / "n")
    assert run("search", "tag:uk").exit_code == 0
    write(defaults, "tags: [economy]\n")
    assert run("search", "tag:economy").exit_code == 0
    bump(defaults)
    assert run("search", "tag:economy").exit_code == 0
    # That search recorded the new time: the next one does not read the file again.
    monkeypatch.setattr("newscli.archive._read_defaults", lambda path, names: pytest.fail(f"{path} read again"))
    assert run("search", "tag:economy").exit_code == 0


def test_a_search_sees_changed_field_names(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "n" / "b.json", json.dumps({"title": "Cup final", "text": "A late goal.", "name": "Fiscal"}))
    index(run, tmp_path / "n")
    config = write(tmp_path / "c.yaml", "fields:\n  title: [name]\n")
    found = run("--config", str(config), "search", "fiscal", "--json")
    assert json.loads(found.stdout)["hits"][0]["title"] == "Fiscal"


def test_no_progress_bar_on_a_pipe(run: Run, archive: Path) -> None:
    result = run("index")
    assert "━" not in result.stderr and "\x1b" not in result.stderr


def test_flags_beat_environment_beat_config(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "c.yaml", f"index_dir: {tmp_path / 'from-config'}\n")
    monkeypatch.setenv("NEWSCLI_CONFIG", str(config))
    run("index")
    assert (tmp_path / "from-config" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "from-env"))
    run("index")
    assert (tmp_path / "from-env" / "manifest.json").is_file()
    run("--index-dir", str(tmp_path / "from-flag"), "index")
    assert (tmp_path / "from-flag" / "manifest.json").is_file()


def test_index_json_report(run: Run, archive: Path) -> None:
    write(archive / "bad.json", "[1")
    data = json.loads(run("index", "--json").stdout)
    assert (data["version"], data["added"], data["interrupted"]) == (1, 1, False)
    assert data["skipped"] == [
        {"where": str(archive / "bad.json"), "reason": "invalid JSON at line 1 column 3: Expecting ',' delimiter"}
    ]


def test_repeated_ids_are_skipped_not_duplicated(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "n" / "feed.jsonl"
    write(feed, '{"id": "a1", "title": "First"}\n{"id": "a1", "title": "Again"}\n')
    write(tmp_path / "n" / "other.jsonl", '{"id": "a1", "title": "Elsewhere"}\n')
    result = run("index", str(tmp_path / "n"))
    assert f"skipped {feed}:2: same ID " in result.stderr
    assert f"as an article in {feed}:1" in result.stderr
    assert "1 added, 0 updated, 0 removed, 0 unchanged, 2 skipped" in result.stderr
    assert json.loads(run("list", "--json").stdout)["total"] == 1


def test_an_index_folder_that_cannot_be_written_is_one_line(run: Run, archive: Path, tmp_path: Path) -> None:
    blocker = write(tmp_path / "not-a-folder", "x")
    result = run("--index-dir", str(blocker / "ix"), "index")
    assert result.exit_code == 2
    assert result.stderr.startswith("newscli: error: ") and len(result.stderr.splitlines()) == 1
    assert str(blocker) in result.stderr
