"""The query language beyond plain words: dates, variants, proximity, --explain."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscli import dates
from newscli.errors import QueryError
from newscli.query import date_range, prepare

from .conftest import Run, write

NOW = datetime(2024, 3, 31, 15, 0, tzinfo=UTC)


def iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2024", "2024-01-01T00:00:00+00:00", "2024-12-31T23:59:59+00:00"),
        ("2024-02", "2024-02-01T00:00:00+00:00", "2024-02-29T23:59:59+00:00"),
        ("2023-12", "2023-12-01T00:00:00+00:00", "2023-12-31T23:59:59+00:00"),
        ("2024-02-27", "2024-02-27T00:00:00+00:00", "2024-02-27T23:59:59+00:00"),
        ("2024-02..2024-03", "2024-02-01T00:00:00+00:00", "2024-03-31T23:59:59+00:00"),
        ("..2020", None, "2020-12-31T23:59:59+00:00"),
        ("2019-12..", "2019-12-01T00:00:00+00:00", None),
        ("7d..", "2024-03-24T00:00:00+00:00", None),
        ("today", "2024-03-31T00:00:00+00:00", "2024-03-31T23:59:59+00:00"),
        ("yesterday", "2024-03-30T00:00:00+00:00", "2024-03-30T23:59:59+00:00"),
        ("2w..", "2024-03-17T00:00:00+00:00", None),
        ("1m..", "2024-02-29T00:00:00+00:00", None),  # 31 March minus a month: the end of February
        ("1y..", "2023-03-31T00:00:00+00:00", None),
        ("2024-03-01T01:00:00+02:00", "2024-02-29T23:00:00+00:00", "2024-02-29T23:00:00+00:00"),
    ],
)
def test_date_ranges(value: str, start: str | None, end: str | None) -> None:
    span = date_range(value, NOW)
    assert (iso(span.start), iso(span.end)) == (start, end)


@pytest.mark.parametrize("value", ["2024-13", "last week", "..", "2024-02-30", "5x"])
def test_bad_dates_are_errors(value: str) -> None:
    with pytest.raises(QueryError):
        date_range(value, NOW)


def test_year_boundary_of_relative_months() -> None:
    jan = datetime(2024, 1, 15, tzinfo=UTC)
    assert iso(dates.bound("2m", end=False, now=jan)) == "2023-11-15T00:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "engine_text"),
    [
        ("ukraine -russia", "ukraine NOT russia"),
        ('"ground forces" -"air force"', '"ground forces" NOT "air force"'),
        ("well-known -x", "well-known NOT x"),
        ("peace date:2024 talks", "peace talks"),
        ('"date:2024 in a phrase"', '"date:2024 in a phrase"'),
    ],
)
def test_prepare_rewrites(text: str, engine_text: str) -> None:
    assert prepare(text, NOW).text == engine_text


def test_prepare_repairs_and_says_so() -> None:
    quote = prepare('peace "talks', NOW)
    assert (quote.text, quote.notes) == ("peace talks", ("unbalanced quote at column 7: it was left out",))
    group = prepare("(kyiv OR kiev talks", NOW)
    assert group.notes == ("unbalanced parentheses: searched without grouping",)


def test_unknown_field_names_its_column() -> None:
    with pytest.raises(QueryError, match="unknown field 'auther:' at column 7"):
        prepare("peace auther:smith", NOW)


# Through the CLI


@pytest.fixture
def wires(tmp_path: Path, run: Run) -> Path:
    today = datetime.now(UTC).date()
    root = tmp_path / "wires"
    stories = [
        ("near.md", "Geneva round", "Envoys said the peace talks would resume on Monday.", "2024-01-10"),
        ("far.md", "Border update", "Peace returned to the valley. Elsewhere, talks stalled.", "2024-01-11"),
        (
            "apart.md",
            "Market report",
            "Peace came at a price: grain, fuel and steel rose while trade talks dragged.",
            "2024-01-12",
        ),
        ("kiev.md", "Kiev blackout", "Power cuts hit Kiev overnight.", "2022-10-20"),
        ("kyiv.md", "Kyiv blackout", "Power cuts hit Kyiv again.", "2023-01-05"),
        ("zel.md", "Speech", "President Zelenskyy spoke to parliament.", "2024-02-29"),
        ("recent.md", "Harbour fire", "A fire broke out at the harbour.", (today - timedelta(days=2)).isoformat()),
        (
            "older.md",
            "Harbour reopens",
            "The harbour reopened after repairs.",
            (today - timedelta(days=40)).isoformat(),
        ),
    ]
    for name, title, body, day in stories:
        write(root / name, f"---\ntitle: {title}\nsource: Wire\ndate: {day}\n---\n{body}\n")
    assert run("index", str(root)).exit_code == 0
    return root


def titles(run: Run, *args: str) -> list[str]:
    result = run("search", *args, "--json", "--limit", "0")
    assert result.exit_code in (0, 1), result.stderr
    return [h["title"] for h in json.loads(result.stdout)["hits"]]


def test_proximity(run: Run, wires: Path) -> None:
    assert titles(run, '"peace talks"~2') == ["Geneva round"]
    assert sorted(titles(run, '"peace talks"~5')) == ["Border update", "Geneva round"]


def test_fuzzy_and_prefix_and_grouping(run: Run, wires: Path) -> None:
    assert titles(run, "parliment~") == ["Speech"]
    assert titles(run, "harb*", "--sort", "newest") == ["Harbour fire", "Harbour reopens"]
    assert sorted(titles(run, "(fire OR repairs) harbour")) == ["Harbour fire", "Harbour reopens"]
    assert titles(run, "harbour -fire") == ["Harbour reopens"]


def test_dates_in_the_query_and_relative_dates(run: Run, wires: Path) -> None:
    assert titles(run, "power date:2023") == ["Kyiv blackout"]
    assert titles(run, "power date:..2022") == ["Kiev blackout"]
    assert titles(run, "harbour date:7d..") == ["Harbour fire"]
    assert titles(run, "harbour", "--since", "1m") == ["Harbour fire"]
    assert titles(run, "parliament", "--until", "2024-02") == ["Speech"]
    assert titles(run, "parliament date:2024-03..") == []


def test_name_variants_are_searched_as_one(run: Run, wires: Path, tmp_path: Path) -> None:
    assert sorted(titles(run, "kyiv")) == ["Kiev blackout", "Kyiv blackout"]
    assert sorted(titles(run, "title:kiev")) == ["Kiev blackout", "Kyiv blackout"]
    assert titles(run, "zelensky") == ["Speech"]
    config = write(tmp_path / "c.yaml", "variants:\n  - [harbour, harbor]\n")
    assert titles(run, "harbor") == []
    result = run("--config", str(config), "search", "harbor", "--json")
    assert len(json.loads(result.stdout)["hits"]) == 2


def test_every_stored_field_can_be_searched(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "f" / "a.md",
        "---\ntitle: Dam report\nsource: Rivers Weekly\nauthor: Ana Ruiz\n"
        "tags: [water, energy]\nlanguage: es\nurl: https://www.example.org/news/dam-report\n"
        "caption: The dam at dusk (AFP)\n---\nThe reservoir is low.\n",
    )
    write(tmp_path / "f" / "b.md", "---\ntitle: Other\nsource: Daily\n---\nNothing about it.\n")
    run("index", str(tmp_path / "f"))
    for q in (
        "title:dam",
        "body:reservoir",
        "caption:dusk",
        "source:rivers",
        'source:"rivers weekly"',
        "author:ruiz",
        "tag:energy",
        "lang:es",
        "url:example",
        'url:"example.org"',
    ):
        assert titles(run, q) == ["Dam report"], q


def test_explain_shows_terms_fields_filters_and_variants(run: Run, wires: Path) -> None:
    result = run("search", "kiev troops", "--since", "2022", "--source", "Wire", "--explain")
    out = result.stdout
    assert out.startswith("query:")
    assert "title:kiev" in out and "body:troop" in out
    assert "variants: kiev -> kyiv | kiev" in out
    assert "filter:   source is Wire" in out
    assert "filter:   date from 2022-01-01T00:00:00+00:00 to any time (UTC)" in out
    data = json.loads(run("search", "kiev", "--explain", "--json").stdout)
    assert data["explain"]["variants"] == ["kiev -> kyiv | kiev"]


def test_query_repairs_are_told_and_errors_are_one_line(run: Run, wires: Path) -> None:
    repaired = run("search", 'power "cuts')
    assert repaired.exit_code == 0
    assert "newscli: note: unbalanced quote at column 7: it was left out" in repaired.stderr
    bad = run("search", "auther:smith")
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
    assert "unknown field 'auther:' at column 1" in bad.stderr
    bad_date = run("search", "x date:2024-13")
    assert bad_date.exit_code == 2 and "cannot read the date '2024-13'" in bad_date.stderr


def test_ties_go_to_the_newer_article(run: Run, tmp_path: Path) -> None:
    for name, day in (("a.md", "2020-01-01"), ("b.md", "2023-01-01"), ("c.md", "2021-06-01")):
        write(tmp_path / "t" / name, f"---\ntitle: Same\ndate: {day}\n---\nIdentical text about tides.\n")
    run("index", str(tmp_path / "t"))
    hits = json.loads(run("search", "tides", "--json").stdout)["hits"]
    assert [h["date"] for h in hits] == ["2023-01-01", "2021-06-01", "2020-01-01"]
    assert len({h["score"] for h in hits}) == 1


def test_empty_query_is_an_error(run: Run, wires: Path) -> None:
    result = run("search", "  ")
    assert result.exit_code == 2 and "the query is empty" in result.stderr


def test_dates_are_compared_in_utc(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "z" / "late.md", "---\ntitle: Late\ndate: 2024-03-01T01:00:00+02:00\n---\nLeap night vote.\n")
    run("index", str(tmp_path / "z"))
    assert titles(run, "vote", "--until", "2024-02") == ["Late"]
    assert titles(run, "vote", "--since", "2024-03") == []
    assert json.loads(run("list", "--json").stdout)["articles"][0]["date"] == "2024-03-01T01:00:00+02:00"
