"""The three shared corpora, indexed whole, as a person would: counts and known articles."""

from __future__ import annotations

import glob
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .conftest import CORPORA, Run, in_process

# One worker builds the corpora's index for all of them (a module's fixture is made in each worker).
pytestmark = [pytest.mark.corpora, pytest.mark.slow, pytest.mark.xdist_group("corpora")]

TOPICS = ("business", "entertainment", "politics", "sport", "tech")


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """An archive of links to the corpora (BBC's folder given its source) and its index."""
    if not CORPORA.is_dir():
        pytest.skip(f"the shared corpora are not at {CORPORA}")
    root = tmp_path_factory.mktemp("corpora") / "news"
    (root / "bbc").mkdir(parents=True)
    (root / "bbc" / ".newscli.yaml").write_text("source: BBC News\n")
    for topic in TOPICS:
        (root / "bbc" / topic).symlink_to(CORPORA / "bbc" / topic)
    (root / "allsides").symlink_to(CORPORA / "allsides")
    (root / "reuters21578.jsonl").symlink_to(CORPORA / "reuters21578.jsonl")
    index_dir = root.parent / "index"
    (root.parent / "config.yaml").write_text("follow_links: true  # the corpora are linked into the archive\n")
    result = in_process(*options(index_dir), "index", str(root))
    assert result.exit_code == 0, result.stderr
    return root, index_dir, result.stderr


def options(index_dir: Path) -> list[str]:
    return ["--index-dir", str(index_dir), "--config", str(index_dir.parent / "config.yaml")]


def query(run: Run, index_dir: Path, *args: str) -> dict[str, Any]:
    result = run(*options(index_dir), *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def allsides_records() -> dict[str, dict[str, Any]]:
    records = {}
    for path in glob.glob(str(CORPORA / "allsides" / "*.json")):
        with open(path, encoding="utf-8") as f:
            records[os.path.basename(path)] = json.load(f)
    return records


def test_every_article_indexes_and_nothing_is_skipped(corpus_index: tuple[Path, Path, str]) -> None:
    _, _, summary = corpus_index
    assert "30,061 added, 0 updated, 0 removed, 0 unchanged, 0 skipped" in summary


def test_counts_per_source(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    _, index_dir, _ = corpus_index
    # Outlet names are compared with their whitespace tidied ("NPR Editorial " is "NPR Editorial").
    expected = Counter(" ".join(r["source"].split()) for r in allsides_records().values())
    expected["BBC News"] += 2225
    with open(CORPORA / "reuters21578.jsonl", encoding="utf-8") as f:
        expected["Reuters"] += sum(1 for line in f if line.strip())
    got = {s["name"]: s["count"] for s in query(run, index_dir, "sources")["sources"]}
    assert got == dict(expected)


def test_reuters_bahia_cocoa_review(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    root, index_dir, _ = corpus_index
    data = query(
        run,
        index_dir,
        "search",
        'title:"Bahia Cocoa Review"',
        "--since",
        "1987-02-26",
        "--until",
        "1987-02-26",
    )
    first = data["hits"][0]
    assert (first["title"], first["source"], first["date"]) == (
        "Bahia Cocoa Review",
        "Reuters",
        "1987-02-26T15:01:01",
    )
    assert (first["path"], first["record"]) == (str(root / "reuters21578.jsonl"), 1)
    shown = run(*options(index_dir), "show", first["id"], "--no-pager").stdout
    # Hard line wraps are undone when shown.
    assert "Showers continued throughout the week in the Bahia cocoa zone" in shown


def test_bbc_story_with_a_latin1_byte(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    root, index_dir, _ = corpus_index
    article = query(run, index_dir, "show", str(root / "bbc" / "sport" / "199.txt"))["article"]
    assert (article["title"], article["source"], article["date"]) == ("Chelsea sack Mutu", "BBC News", None)
    assert "a £15.8m signing from Parma" in article["body"]


def test_allsides_story_with_a_short_us_date(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    root, index_dir, _ = corpus_index
    article = query(run, index_dir, "show", str(root / "allsides" / "YfRBarrj1bzMVOSd.json"))["article"]
    assert article["date"] == "2019-08-19"
    assert article["source"] == "USA TODAY"
    assert article["title"].startswith("How college students can bridge American divides")
    found = query(
        run,
        index_dir,
        "list",
        "--source",
        "usa today",
        "--since",
        "2019-08-19",
        "--until",
        "2019-08-19",
        "--limit",
        "0",
    )
    assert article["id"] in [a["id"] for a in found["articles"]]


def test_every_allsides_and_reuters_article_keeps_its_metadata(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    root, index_dir, _ = corpus_index
    articles = query(run, index_dir, "list", "--limit", "0")["articles"]
    assert len(articles) == 30061
    by_path = {a["path"]: a for a in articles if a["record"] is None}
    for name, raw in allsides_records().items():
        a = by_path[str(root / "allsides" / name)]
        assert a["title"] == " ".join(raw["title"].split())
        assert a["source"] == " ".join(raw["source"].split()) and a["url"] == raw["url"]
        if raw["date"][:4].isdigit():
            assert a["date"] == raw["date"]
        elif raw["date"]:
            month, day, year = raw["date"].split("/")
            assert a["date"] == f"20{year}-{int(month):02}-{int(day):02}"
        else:
            assert a["date"] is None
        assert all(author in raw["authors"] for author in a["authors"])
        assert bool(a["authors"]) == bool(raw["authors"].strip())
    reuters = {a["record"]: a for a in articles if a["source"] == "Reuters"}
    with open(CORPORA / "reuters21578.jsonl", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            raw = json.loads(line)
            a = reuters[number]
            assert (a["title"], a["date"]) == (" ".join(raw["title"].split()), raw["date"])


def test_reindexing_the_corpora_changes_nothing(run: Run, corpus_index: tuple[Path, Path, str]) -> None:
    root, index_dir, _ = corpus_index
    result = run(*options(index_dir), "index")
    assert "0 added, 0 updated, 0 removed, 30,061 unchanged, 0 skipped" in result.stderr


def test_the_corpora_articles_are_found_in_their_languages(
    run: Run, corpus_index: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """None of them gives its language: English (BBC, AllSides, Reuters) and German (10kGNAD), detected."""
    _, index_dir, _ = corpus_index
    english = {(b["name"]): b["count"] for b in query(run, index_dir, "sources", "--by", "language")["languages"]}
    total = sum(english.values())
    # The rest: too terse to tell (Reuters' briefs of figures: 15% of its 20,841, the others' none).
    assert english["en"] >= 0.88 * total
    assert sum(n for name, n in english.items() if name not in ("en", None)) <= 0.002 * total
    german = tmp_path / "german"
    german.mkdir()
    (german / "10kgnad-half.jsonl").symlink_to(CORPORA / "10kgnad-half.jsonl")
    index_of_german = tmp_path / "german-index"
    (tmp_path / "config.yaml").write_text("follow_links: true\n")
    assert run(*options(index_of_german), "index", str(german)).exit_code == 0
    counts = {b["name"]: b["count"] for b in query(run, index_of_german, "sources", "--by", "language")["languages"]}
    assert counts["de"] >= 0.97 * 504 and sum(counts.values()) == 504
