"""How `newscli search` ranks: a short page filled with articles holding most of the words,
strict operators kept strict, and the words added from the first results shown by --explain."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from newscli.engine.whoosh.compile import MAX_FILL_WORDS

from .conftest import Result, Run, doc, index, write

FULL = "Tanker attacked in the Gulf"
MOST = "Tanker fleet sails the Gulf"
ONE = "Gulf gulf gulf"


@pytest.fixture
def shipping(run: Run, tmp_path: Path) -> Path:
    """One article with every word of 'tanker gulf attack', one with two, one with one, one with none."""
    root = tmp_path / "shipping"
    write(root / "full.md", doc(FULL, "An oil tanker came under attack in the Gulf.", source="Reuters"))
    write(root / "most.md", doc(MOST, "An oil tanker fleet sailed the Gulf in calm weather.", source="AP"))
    # Its one word many times over: it outscores the article above on that word alone.
    write(root / "one.md", doc(ONE, "The Gulf, the Gulf, the Gulf: gulf states meet.", source="Reuters"))
    write(root / "none.md", doc("Cocoa prices rise", "Cocoa rose as the drought hit the crop.", source="Reuters"))
    index(run, root)
    return root


def titles(result: Result) -> list[str]:
    return [h["title"] for h in json.loads(result.stdout)["hits"]]


def test_a_short_page_is_filled_with_the_articles_holding_most_of_the_words(run: Run, shipping: Path) -> None:
    result = run("search", "tanker gulf attack")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert flat.index(FULL) < flat.index("lacking some of the words") < flat.index(MOST) < flat.index(ONE)
    assert "Cocoa" not in flat
    assert result.stderr == (
        "newscli: 1 match with every word for 'tanker gulf attack'; "
        "the 2 below it hold only some of the words, most first\n"
    )


def test_json_counts_only_full_matches_and_marks_each_hit(run: Run, shipping: Path) -> None:
    data = json.loads(run("search", "tanker gulf attack", "--json").stdout)
    assert data["total"] == 1
    assert data["partial"] == 2
    assert [(h["title"], h["every_word"]) for h in data["hits"]] == [(FULL, True), (MOST, False), (ONE, False)]


def test_a_full_page_is_not_filled(run: Run, shipping: Path) -> None:
    data = json.loads(run("search", "tanker gulf attack", "--json", "--limit", "1").stdout)
    assert [(h["title"], h["every_word"]) for h in data["hits"]] == [(FULL, True)]
    assert data["partial"] == 0


def test_the_next_page_goes_on_with_partial_matches(run: Run, shipping: Path) -> None:
    result = run("search", "tanker gulf attack", "--limit", "2", "--page", "2", "--json")
    assert titles(result) == [ONE]


def test_no_full_match_shows_partial_ones_and_still_exits_1(run: Run, shipping: Path) -> None:
    result = run("search", "tanker gulf cocoa")
    assert result.exit_code == 1
    assert "these 4 hold only some of the words" in result.stderr
    assert json.loads(run("search", "tanker gulf cocoa", "--json").stdout)["total"] == 0


@pytest.mark.parametrize(
    ("query", "args", "expected"),
    [
        ("tanker AND gulf AND attack", [], [FULL]),  # an explicit AND
        ('"oil tanker" gulf attack', [], [FULL, MOST]),  # the phrase required of every article
        ("+tanker gulf attack", [], [FULL, MOST]),  # so is a +word
        ("tanker gulf attack", ["--source", "Reuters"], [FULL, ONE]),  # and a filter
        ("tanker gulf attack NOT fleet", [], [FULL, ONE]),  # and a NOT
        ("title:tanker gulf attack", [], [FULL, MOST]),  # and a field
        ("tanker gulf attack", ["--sort", "newest"], [FULL]),  # by date, matches only
        ("tanker gulf attack", ["--limit", "0"], [FULL]),  # every match, and only them
    ],
)
def test_strict_parts_stay_strict(run: Run, shipping: Path, query: str, args: list[str], expected: list[str]) -> None:
    assert titles(run("search", query, "--json", *args)) == expected


def test_explain_shows_the_query_that_fills_the_page(run: Run, shipping: Path) -> None:
    out = run("search", "tanker gulf attack", "--explain").stdout
    assert "fill:" in out and "title:tanker" in out
    data = json.loads(run("search", "tanker gulf attack", "--explain", "--json").stdout)
    assert "body:gulf" in data["explain"]["fill"]
    assert json.loads(run("search", "tanker AND gulf", "--explain", "--json").stdout)["explain"]["fill"] is None


@pytest.fixture
def cocoa(run: Run, tmp_path: Path) -> Path:
    """Three stories on the cocoa harvest in Ghana, and one that says cocoa more often and nothing else."""
    root = tmp_path / "cocoa"
    stories = [
        "Cocoa farmers in Ghana said early rains helped the harvest in the west.",
        "The Ghana harvest of cocoa beat forecasts, farmers said, as rains came on time.",
        "Rains lifted the cocoa harvest across Ghana this week, and farmers expect more.",
    ]
    for n, story in enumerate(stories):
        write(root / f"harvest{n}.md", doc(f"Harvest report {n}", story))
    write(root / "often.md", doc("Desserts", "Cocoa, cocoa and again cocoa: a list of desserts."))
    index(run, root)
    return root


def test_expand_reranks_by_the_words_the_first_results_share(run: Run, cocoa: Path) -> None:
    plain = titles(run("search", "cocoa", "--json"))
    assert plain[0] == "Desserts"
    expanded = titles(run("search", "cocoa", "--json", "--expand"))
    assert expanded[-1] == "Desserts"
    assert sorted(expanded) == sorted(plain)  # the same matches, in another order


def test_explain_shows_the_added_words_and_their_weights(run: Run, cocoa: Path) -> None:
    out = " ".join(run("search", "cocoa", "--expand", "--explain").stdout.split())
    assert "reranked: the first results, adding body:harvest^0.5, body:" in out
    explained = json.loads(run("search", "cocoa", "--expand", "--explain", "--json").stdout)["explain"]
    words = {e["word"]: e["weight"] for e in explained["expansion"]}
    assert {"ghana", "harvest", "farmer", "rain"} <= set(words)
    assert max(words.values()) == 0.5 and min(words.values()) > 0
    assert "cocoa" not in words  # the query's own word is not added again
    assert json.loads(run("search", "cocoa", "--explain", "--json").stdout)["explain"]["expansion"] == []


def test_a_query_of_many_words_is_not_filled(run: Run, shipping: Path) -> None:
    typed = "tanker gulf " + " ".join(f"word{n}" for n in range(MAX_FILL_WORDS - 2))
    assert set(titles(run("search", typed, "--json"))) == {FULL, MOST, ONE}  # each holds some of the words
    pasted = typed + " word99"  # one word more than a page is filled for
    started = time.monotonic()
    data = json.loads(run("search", pasted, "--json").stdout)
    assert time.monotonic() - started < 5
    assert data["total"] == 0 and data["hits"] == []
