"""`newscli search` as a person uses it: the first run, the query language, ranking, output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import SEED, SEED_ID, SEED_TITLE, Run, doc, index, write


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
        ("lang:en drought", ["Cocoa prices rise"]),  # its language detected (b.md gives its own)
        ("lang:de", []),
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


def test_a_fuzzy_word_finds_the_words_it_is_near_and_no_others(run: Run, archive: Path) -> None:
    write(archive / "train.md", doc("Rail news", "A train left the station in the rain."))
    near = json.loads(run("search", "ukraine~2", "--json", "--limit", "0").stdout)
    assert [h["id"] for h in near["hits"]] == [SEED_ID]  # not `train` or `rain`, a stem's neighbours
    assert json.loads(run("search", "ukriane~1", "--json").stdout)["total"] == 1  # letters swapped
