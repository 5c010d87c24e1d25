"""Seeing a story whole: facets, timelines and related articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscli.models import Bucket
from newscli.render import bar
from newscli.stats import Period, per_period

from .conftest import Run, write


def test_periods_fill_the_gaps_and_cross_year_ends() -> None:
    days = {"2023-12-30": 1, "2024-01-02": 2, "2024-03-15": 4}
    assert per_period(days, Period.MONTH) == [
        Bucket("2023-12", 1),
        Bucket("2024-01", 2),
        Bucket("2024-02", 0),
        Bucket("2024-03", 4),
    ]
    assert per_period(days, Period.YEAR) == [Bucket("2023", 1), Bucket("2024", 6)]
    assert per_period({"2024-12-30": 1, "2025-01-06": 1}, Period.WEEK) == [Bucket("2025-W01", 1), Bucket("2025-W02", 1)]
    assert per_period({"2024-02-28": 1, "2024-03-01": 1}, Period.DAY) == [
        Bucket("2024-02-28", 1),
        Bucket("2024-02-29", 0),
        Bucket("2024-03-01", 1),
    ]
    assert per_period({}, Period.DAY) == []


def test_too_many_periods_are_not_filled() -> None:
    assert per_period({"1900-01-01": 1, "2024-01-01": 1}, Period.DAY) == [
        Bucket("1900-01-01", 1),
        Bucket("2024-01-01", 1),
    ]


@pytest.mark.parametrize(
    ("count", "largest", "drawn"), [(0, 10, ""), (10, 10, "█" * 8), (5, 10, "█" * 4), (1, 1000, "▏")]
)
def test_bars(count: int, largest: int, drawn: str) -> None:
    assert bar(count, largest, width=8) == drawn


@pytest.fixture
def desk(tmp_path: Path, run: Run) -> Path:
    root = tmp_path / "desk"
    rows = [
        ("Reuters", "2024-01-05", "Grain exports", "Ukraine grain exports rose through the Black Sea corridor ports."),
        ("Reuters", "2024-01-20", "Corridor strain", "Shipping insurers eye the Black Sea grain corridor warily."),
        ("AP + agencies", "2024-03-02", "Port attack", "Drones struck Odesa port, hitting grain silos by the sea."),
        ("AP", "2024-03-09", "Harvest outlook", "Farmers expect a smaller grain harvest after a dry spring."),
        ("BBC", None, "Grain explained", "What the grain deal means for bread prices."),
        ("BBC", "2024-02-11", "Chess final", "A grandmaster won the final in twelve moves."),
    ]
    for i, (source, day, title, body) in enumerate(rows):
        meta = f"source: {source}\n" + (f"date: {day}\n" if day else "")
        write(root / f"{i}.md", f"---\ntitle: {title}\n{meta}---\n{body}\n")
    assert run("index", str(root)).exit_code == 0
    return root


def test_facets_count_every_match_by_outlet_and_month(run: Run, desk: Path) -> None:
    data = json.loads(run("search", "grain", "--facets", "--json", "--limit", "1").stdout)
    assert data["total"] == 5 and len(data["hits"]) == 1
    assert data["facets"]["languages"] == [{"name": "en", "count": 5}]  # detected: none gives its own
    del data["facets"]["languages"]
    assert data["facets"] == {
        "outlets": [
            {"name": "AP", "count": 2},
            {"name": "Reuters", "count": 2},
            {"name": "agencies", "count": 1},
            {"name": "BBC", "count": 1},
        ],
        "months": [{"name": "2024-01", "count": 2}, {"name": "2024-02", "count": 0}, {"name": "2024-03", "count": 2}],
        "undated": 1,
    }
    shown = run("search", "grain", "--facets").stdout
    assert "By outlet" in shown and "By month" in shown and "1 undated" in shown
    assert [line.split()[:2] for line in shown.splitlines() if line.startswith("2024-")] == [
        ["2024-01", "2"],
        ["2024-02", "0"],
        ["2024-03", "2"],
    ]


def test_timeline(run: Run, desk: Path) -> None:
    data = json.loads(run("timeline", "grain", "--json").stdout)
    assert (data["version"], data["by"], data["total"], data["undated"]) == (1, "month", 5, 1)
    assert data["periods"] == [
        {"name": "2024-01", "count": 2},
        {"name": "2024-02", "count": 0},
        {"name": "2024-03", "count": 2},
    ]
    weekly = json.loads(run("timeline", "grain", "--by", "week", "--source", "reuters", "--json").stdout)
    assert weekly["periods"] == [
        {"name": "2024-W01", "count": 1},
        {"name": "2024-W02", "count": 0},
        {"name": "2024-W03", "count": 1},
    ]
    chart = run("timeline", "grain", "--by", "year")
    assert chart.exit_code == 0
    assert "'grain' by year: 5 matches, 1 of them undated and not shown" in chart.stdout
    assert "2024 4 ████████████████████████████████████████" in chart.stdout
    assert run("timeline", "chess", "--since", "2024-03").exit_code == 1


def test_related_finds_the_same_story_and_names_its_words(run: Run, desk: Path) -> None:
    first = json.loads(run("search", "title:exports", "--json").stdout)["hits"][0]
    data = json.loads(run("related", first["id"], "--json").stdout)
    assert data["article"]["id"] == first["id"]
    titles = [h["title"] for h in data["related"]]
    assert titles[0] == "Corridor strain" and "Chess final" not in titles and "Grain exports" not in titles
    assert {"grain", "corridor", "sea"} <= set(data["terms"])
    assert "export" not in data["terms"]  # as written in the article, not stemmed
    shown = run("related", first["id"][:6]).stdout
    assert shown.startswith("Related to Grain exports") and "corridor" in shown
