"""`newscli list`: articles by date, filtered by outlet."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import SEED_ID, SEED_TITLE, Run, index


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
