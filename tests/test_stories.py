"""`newscli stories`, `newscli story` and `search --stories`: one event across outlets."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newscli.stories import placing
from newscli.stories.placing import Placer, Row
from newscli.stories.render import delay

from .conftest import CORPORA, Run, write

REUTERS = (
    "reuters",
    "Reuters",
    "2024-10-29T08:10:00Z",
    "Deadly flash floods hit Spain's east coast",
    "Flash floods swept through the Valencia region of eastern Spain on Tuesday, killing at least 51 people "
    "after a year's worth of rain fell in eight hours. Emergency services in Valencia said rescuers were "
    "searching for drivers trapped in their cars in Paiporta and Chiva, where the Poyo ravine burst its "
    "banks. Prime Minister Pedro Sanchez urged residents to stay at home and follow the advice of the "
    "emergency services while soldiers joined the rescue.",
)
FLOODS = [
    REUTERS,
    ("yahoo", "Yahoo News", "2024-10-29T08:40:00Z", *REUTERS[3:]),  # a copy of it
    (
        "bbc",
        "BBC News",
        "2024-10-29T09:45:00Z",
        "Valencia counts the cost as waters recede",
        "Residents of Paiporta and Chiva, near Valencia in eastern Spain, returned on Wednesday to streets "
        "buried in mud after the flash floods of Tuesday, when the Poyo ravine burst its banks. At least 51 "
        "people died, the regional emergency services said, and rescuers were still searching for drivers "
        "missing in their cars. Pedro Sanchez promised the towns every help they needed.",
    ),
    (
        "aljazeera",
        "Al Jazeera",
        "2024-10-29T12:00:00Z",
        "Spain mourns the victims of flash floods around Valencia",
        "Spain declared three days of national mourning after flash floods killed at least 51 people in the "
        "Valencia region of eastern Spain, where a year's rain fell in hours. In Paiporta and Chiva, where the "
        "Poyo ravine overflowed, neighbours dug through the mud beside soldiers and rescuers searching for "
        "the missing, and Pedro Sanchez visited the emergency services' crisis centre in Valencia.",
    ),
]
RATES = [
    (
        "ecb",
        "Reuters",
        "2024-10-29T13:15:00Z",
        "ECB cuts rates by a quarter point as inflation eases",
        "The European Central Bank cut its deposit rate to 3.25 percent on Tuesday as inflation in the euro "
        "zone eased. Christine Lagarde told reporters in Frankfurt that the governing council would decide "
        "meeting by meeting whether interest rates should fall further.",
    ),
    (
        "ecb-ap",
        "AP",
        "2024-10-29T14:30:00Z",
        "European Central Bank lowers interest rates again",
        "The European Central Bank cut interest rates by a quarter point on Tuesday, lowering its deposit "
        "rate to 3.25 percent as inflation in the euro zone eased. Speaking in Frankfurt, Christine Lagarde "
        "said the governing council saw inflation falling back toward its goal and would decide meeting by "
        "meeting.",
    ),
    (
        "boe",
        "Reuters",
        "2024-10-29T15:00:00Z",
        "Bank of England holds interest rates as inflation lingers",
        "The Bank of England kept its interest rate at 5 percent on Tuesday, Governor Andrew Bailey said in "
        "London, as inflation in Britain stayed above the central bank's goal. The Monetary Policy Committee "
        "voted by seven to two to wait for more evidence on wages in Britain.",
    ),
]
LATER = [
    (
        "italy",
        "Reuters",
        "2024-11-05T07:00:00Z",
        "Deadly flash floods hit northern Italy",
        "Flash floods swept through the Emilia-Romagna region of northern Italy on Tuesday, killing at least "
        "3 people after days of rain. Emergency services in Bologna said rescuers were searching for drivers "
        "trapped in their cars in Faenza, where the Lamone river burst its banks. Giorgia Meloni urged "
        "residents to stay at home.",
    ),
]


def wire(root: Path, middle: datetime = datetime(2024, 10, 29, tzinfo=UTC)) -> None:
    """The news around the hand-made stories: one in ten of Reuters' stories of 9 to 20 March 1987,
    moved to the days around `middle` (507 articles), so that words are as common as in an archive."""
    if not CORPORA.is_dir():
        pytest.skip(f"the shared corpora are not at {CORPORA}")
    shift = middle - datetime(1987, 3, 16, tzinfo=UTC)
    lines = []
    with open(CORPORA / "reuters21578.jsonl", encoding="utf-8") as corpus:
        for n, line in enumerate(corpus):
            record = json.loads(line)
            if n % 10 or not record["date"] or not "1987-03-09" <= record["date"][:10] <= "1987-03-20":
                continue
            when = datetime.fromisoformat(record["date"]).replace(tzinfo=UTC) + shift
            lines.append(json.dumps({**record, "date": when.isoformat()}))
    write(root / "wire.jsonl", "\n".join(lines) + "\n")


def put(root: Path, rows: list[tuple[str, str, str, str, str]]) -> None:
    for name, source, date, title, body in rows:
        write(root / f"{name}.md", f"---\ntitle: {json.dumps(title)}\nsource: {source}\ndate: {date}\n---\n{body}\n")


@pytest.fixture
def news(tmp_path: Path, run: Run) -> Path:
    root = tmp_path / "news"
    put(root, FLOODS + RATES + LATER)
    wire(root)
    assert run("index", str(root)).exit_code == 0
    return root


def told(run: Run, *args: str) -> dict[str, Any]:
    result = run("stories", "--limit", "0", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def mine(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The stories with a hand-made article (not only the wire's)."""
    return [s for s in data["stories"] if any(a["path"].endswith(".md") for a in s["articles"])]


def by_title(data: dict[str, Any]) -> dict[str, set[str]]:
    """Each hand-made story as the set of its articles' outlets and titles, by the title of its first article."""
    return {s["first"]["title"]: {f"{a['source']}: {a['title']}" for a in s["articles"]} for s in mine(data)}


def test_one_event_told_in_other_words_by_three_outlets_is_one_story(run: Run, news: Path) -> None:
    data = told(run)
    floods = data["stories"][0]  # the most outlets first (the wire's stories have one)
    assert floods["outlets"] == ["Reuters", "Yahoo News", "BBC News", "Al Jazeera"]
    assert [a["source"] for a in floods["articles"]] == ["Reuters", "Yahoo News", "BBC News", "Al Jazeera"]
    assert floods["first"]["source"] == "Reuters" and floods["first"]["date"].startswith("2024-10-29T08:10")
    assert floods["latest"]["source"] == "Al Jazeera"
    assert floods["id"] == floods["first"]["id"]


def test_a_same_day_event_of_another_kind_and_the_same_kind_elsewhere_stay_apart(run: Run, news: Path) -> None:
    stories = by_title(told(run))
    assert stories["ECB cuts rates by a quarter point as inflation eases"] == {
        "Reuters: ECB cuts rates by a quarter point as inflation eases",
        "AP: European Central Bank lowers interest rates again",
    }
    assert stories["Bank of England holds interest rates as inflation lingers"] == {
        "Reuters: Bank of England holds interest rates as inflation lingers"
    }
    assert stories["Deadly flash floods hit northern Italy"] == {"Reuters: Deadly flash floods hit northern Italy"}
    assert len(stories) == 4


def test_a_story_whole_first_report_delays_and_copies_folded(run: Run, news: Path) -> None:
    first = told(run)["stories"][0]["first"]["id"]
    bbc = next(a["id"] for a in told(run)["stories"][0]["articles"] if a["source"] == "BBC News")
    shown = run("story", bbc[:6])  # an article's ID prefix finds its story
    assert shown.exit_code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Deadly flash floods hit Spain's east coast"  # its most central article's title
    assert lines[1] == f"story {first}: 4 outlets, 4 articles, 2024-10-29 08:10 to 12:00 UTC"
    text = shown.stdout
    assert text.index("Reuters") < text.index("BBC News") < text.index("Al Jazeera")
    assert "first" in text and "+1 h 35 min" in text and "+3 h 50 min" in text
    assert "= Yahoo News, +30 min" in text  # the copy folded under its original, not a row of its own
    data = json.loads(run("story", first, "--json").stdout)["story"]
    assert data["first"]["id"] == first and data["first"]["source"] == "Reuters"
    rows = {a["source"]: a for a in data["articles"]}
    assert set(rows) == {"Reuters", "BBC News", "Al Jazeera"}
    assert rows["BBC News"]["delay"] == 95 * 60 and rows["Reuters"]["delay"] == 0
    assert len(rows["Reuters"]["copies"]) == 1
    assert rows["BBC News"]["score"] > placing.JOIN and rows["Reuters"]["score"] is None
    explained = run("story", first, "--explain").stdout
    assert "began it" in explained and "a copy" in explained
    assert re.search(rf"BBC News\n.*joined 0\.\d\d {first}", explained)  # (by the Reuters article it is like)
    assert rows["BBC News"]["near"] == first and rows["Reuters"]["near"] is None


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "+0 min"), (25 * 60, "+25 min"), (95 * 60, "+1 h 35 min"), (3600, "+1 h"), (2 * 86400 + 3 * 3600, "+2 d 3 h")],
)
def test_delays(seconds: int, said: str) -> None:
    assert delay(seconds) == said


WORDING = {
    "Left Daily": "Asylum seekers and migrants, many of them families, waited at the crossing at Eagle Pass in "
    "the heat as humanitarian groups handed out water and asked for compassion and due process for the asylum "
    "seekers. Migrants said they fled violence. ",
    "Right Times": "Illegal aliens poured across the border at Eagle Pass as the border crisis deepened and "
    "agents were overwhelmed by the invasion. Sheriffs demanded the wall be finished to stop the illegal "
    "crossings and the cartels behind the invasion. ",
}


def test_the_words_that_set_each_outlet_apart(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "border"
    start = datetime(2024, 6, 3, 9, tzinfo=UTC)
    rows = []
    for n in range(2):
        for k, (outlet, text) in enumerate(WORDING.items()):
            when = (start + timedelta(hours=n * 3 + k)).isoformat()
            shared = "Thousands crossed the Rio Grande at Eagle Pass, Texas, on Monday, officials in Eagle Pass said. "
            rows.append((f"{k}{n}", outlet, when, f"Crossings at Eagle Pass ({outlet}, {n})", shared + text * 3))
    put(root, rows)
    assert run("index", str(root)).exit_code == 0
    story = told(run)["stories"][0]
    assert story["outlets"] == ["Left Daily", "Right Times"] and len(story["articles"]) == 4
    data = json.loads(run("story", story["id"], "--json").stdout)["story"]
    left = [w["word"] for w in data["words"]["Left Daily"]]
    right = [w["word"] for w in data["words"]["Right Times"]]
    assert {"asylum", "migrants"} <= set(left) and not {"illegal", "invasion", "border"} & set(left)
    assert {"illegal", "invasion"} <= set(right) and not {"asylum", "migrants"} & set(right)
    assert all(w["z"] >= 1.96 for w in data["words"]["Left Daily"] + data["words"]["Right Times"])
    assert "eagle" in data["shared"] and "pass" in data["shared"]
    text = run("story", story["id"]).stdout
    assert "How each outlet told it" in text and "Shared by all: " in text


def stories_of(run: Run) -> dict[str, str]:
    """Each article's story, by article ID (the wire's too)."""
    return {a["id"]: s["id"] for s in told(run)["stories"] for a in s["articles"]}


def test_a_rebuild_gives_the_stories_the_runs_made_one_by_one(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "news"
    wire(root)
    assert run("index", str(root)).exit_code == 0
    every = sorted(FLOODS + RATES + LATER, key=lambda r: r[2])
    for n in range(0, len(every), 2):  # as feeds bring them in, a few at a time, in date order
        put(root, every[n : n + 2])
        assert run("index", str(root)).exit_code == 0
    incremental = stories_of(run)
    assert run("index", "--rebuild").exit_code == 0
    assert stories_of(run) == incremental
    assert len(by_title(told(run))) == 4


def test_an_article_that_arrives_late_is_placed_as_a_rebuild_would(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "news"
    put(root, FLOODS[2:] + RATES + LATER)
    wire(root)
    assert run("index", str(root)).exit_code == 0
    put(root, FLOODS[:2])  # the first report, indexed last
    assert run("index", str(root)).exit_code == 0
    late = stories_of(run)
    assert run("index", "--rebuild").exit_code == 0
    assert stories_of(run) == late
    assert told(run)["stories"][0]["first"]["source"] == "Reuters"


def test_a_changed_article_is_placed_again_and_a_removed_one_leaves_its_story(run: Run, news: Path) -> None:
    before = told(run)["stories"][0]
    assert len(before["articles"]) == 4
    (news / "aljazeera.md").unlink()
    after = told(run)["stories"][0]
    assert [a["source"] for a in after["articles"]] == ["Reuters", "Yahoo News", "BBC News"]
    bbc = news / "bbc.md"
    name, source, date, _, _ = FLOODS[2]
    put(news, [(name, source, date, RATES[2][3], RATES[2][4])])  # now about the Bank of England
    stories = by_title(told(run))
    assert (
        "BBC News: Bank of England holds interest rates as inflation lingers"
        in stories["Bank of England holds interest rates as inflation lingers"]
    )
    assert "BBC News: Valencia counts the cost as waters recede" not in {t for s in stories.values() for t in s}
    assert bbc.exists()


def row(name: str, hours: float, *features: str) -> Row:
    return Row(name, hours * 3600, "en", dict.fromkeys(features, 1), name)


def test_two_later_articles_like_two_stories_merge_them_and_nothing_splits() -> None:
    placer = Placer()
    a = placer.place(row("a", 0, "quake", "turkey", "gaziantep", "rescue", "rubble"))
    b = placer.place(row("b", 1, "quake", "syria", "aleppo", "rescue", "aid"))
    assert (a.story, b.story) == ("a", "b")  # two stories at first
    bridge = ("quake", "turkey", "gaziantep", "syria", "aleppo", "rescue")
    first = placer.place(row("c", 2, *bridge))
    assert placer.merges == []  # one article like both: a vote, not yet a merge
    second = placer.place(row("d", 3, *bridge))
    assert [(m.story, m.into, m.by) for m in placer.merges] == [("b", "a", "d")]
    assert {placer.story_of(s) for s in ("a", "b", first.story, second.story)} == {"a"}


def test_merges_are_kept_in_the_catalog_and_shown(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "quake"
    base = datetime(2023, 2, 6, 4, tzinfo=UTC)
    words = {
        "t": "Rescuers in Gaziantep pulled survivors from the rubble after the earthquake struck Turkey at dawn.",
        "s": "In Aleppo, Syria, families searched the rubble by hand after the earthquake, and aid was slow.",
    }
    rows = [("t", "Reuters", 0, "Earthquake strikes Turkey", words["t"]), ("s", "AP", 1, "Aleppo digs out", words["s"])]
    rows += [(f"b{n}", "BBC", 2 + n, "Quake in Turkey and Syria", words["t"] + " " + words["s"]) for n in range(2)]
    put(
        root,
        [(name, source, (base + timedelta(hours=h)).isoformat(), title, body) for name, source, h, title, body in rows],
    )
    assert run("index", str(root)).exit_code == 0
    data = told(run)
    assert len(data["stories"]) == 1 and len(data["stories"][0]["articles"]) == 4
    assert "merged into" in run("story", data["stories"][0]["id"], "--explain").stdout


def test_since_filters_and_the_json_contract(run: Run, news: Path) -> None:
    data = told(run, "--since", "2024-11-01")
    assert [s["title"] for s in mine(data)] == ["Deadly flash floods hit northern Italy"]
    assert all(a["date"] >= "2024-11-01" for s in data["stories"] for a in s["articles"])
    assert data["version"] == 1
    story = data["stories"][0]
    assert set(story) == {"id", "title", "outlets", "articles", "first", "latest"}
    assert {"id", "title", "source", "date", "path", "read", "starred", "labels"} <= set(story["first"])
    assert by_title(told(run, "--source", "AP")) == {
        "European Central Bank lowers interest rates again": {"AP: European Central Bank lowers interest rates again"}
    }
    assert by_title(told(run, "lagarde")) == {
        "ECB cuts rates by a quarter point as inflation eases": {
            "Reuters: ECB cuts rates by a quarter point as inflation eases",
            "AP: European Central Bank lowers interest rates again",
        }
    }
    assert told(run, "--limit", "1", "--since", "2024-10-29", "--until", "2024-10-29")["stories"][0]["outlets"] == [
        "Reuters",
        "Yahoo News",
        "BBC News",
        "Al Jazeera",
    ]
    text = run("stories", "--since", "2024-10-29", "--until", "2024-10-29").stdout
    assert text.splitlines()[1] == "Deadly flash floods hit Spain's east coast"
    assert "first: Reuters 2024-10-29 08:10; then Yahoo News, BBC News, Al Jazeera" in text
    none = run("stories", "--since", "24h")
    assert none.exit_code == 1 and "no stories" in none.stderr
    bad = run("stories", "--since", "soon")
    assert bad.exit_code == 2 and "cannot read the date" in bad.stderr


def test_search_by_story(run: Run, news: Path) -> None:
    result = run("search", "valencia OR lagarde", "--stories")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # two stories, two lines each: the title, then the outlets, articles and span
    assert lines[0].split()[1:] == ["Deadly", "flash", "floods", "hit", "Spain's", "east", "coast"]
    outlets = "Reuters, Yahoo News, BBC News, Al Jazeera"
    assert lines[1].split() == f"{outlets}; 4 articles; 2024-10-29 08:10 to 12:00".split()
    assert "European Central Bank" in lines[2] and lines[3].split()[:3] == ["Reuters,", "AP;", "2"]
    assert "2 stories shown, of 6 matches" in result.stderr  # (the wire's articles have neither word)
    data = json.loads(run("search", "lagarde", "--stories", "--json").stdout)
    assert data["query"] == "lagarde" and [s["outlets"] for s in data["stories"]] == [["Reuters", "AP"]]
    assert data["stories"][0]["first"]["title"] == "ECB cuts rates by a quarter point as inflation eases"
    mixed = run("search", "lagarde", "--stories", "--facets")
    assert mixed.exit_code == 2 and "--stories does not go with --facets" in mixed.stderr


def test_an_undated_article_is_in_no_story(run: Run, news: Path) -> None:
    write(news / "undated.md", "---\ntitle: Floods in Valencia\nsource: Blog\n---\nValencia floods, Paiporta.\n")
    result = run("story", str(news / "undated.md"))
    assert result.exit_code == 2 and "in no story: it has no date" in result.stderr


def test_an_index_made_before_stories_gets_them(run: Run, news: Path, tmp_path: Path) -> None:
    import sqlite3

    before = stories_of(run)
    catalog = tmp_path / "data" / "newscli" / "index" / "catalog.db"
    with sqlite3.connect(catalog) as db:
        db.execute("DROP TRIGGER untold")
        for name in ("told", "told_votes", "told_merges", "told_from", "told_settings"):
            db.execute(f"DROP TABLE {name}")
    assert run("stories").exit_code == 2  # told so, not a traceback
    assert run("index").exit_code == 0  # its articles told, from the index (not the archive), and placed
    assert stories_of(run) == before


@pytest.mark.parametrize("window", [1, 10])
def test_the_window_is_a_setting_and_a_new_one_places_every_article_again(
    run: Run, news: Path, tmp_path: Path, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "config.yaml", f"story_window_days: {window}\n")
    monkeypatch.setenv("NEWSCLI_CONFIG", str(config))
    later = datetime(2024, 10, 29, 12, tzinfo=UTC) + timedelta(days=2)  # two days after the floods
    put(news, [("ruins", "BBC News", later.isoformat(), "Valencia mud", FLOODS[2][4])])
    assert run("index").exit_code == 0
    stories = by_title(told(run))
    assert ("BBC News: Valencia mud" in stories["Deadly flash floods hit Spain's east coast"]) is (window > 2)


def test_stories_can_be_turned_off_and_on_again(
    run: Run, news: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCLI_CONFIG", str(write(tmp_path / "off.yaml", "story_window_days: 0\n")))
    put(news, [("later", "AP", "2024-10-29T16:00:00Z", "Valencia floods", FLOODS[2][4])])
    assert run("index").exit_code == 0
    off = run("stories")
    assert off.exit_code == 2 and "stories are turned off" in off.stderr
    monkeypatch.setenv("NEWSCLI_CONFIG", str(write(tmp_path / "on.yaml", "story_window_days: 3\n")))
    assert run("index").exit_code == 0  # every article told anew, the one indexed while off too
    assert "AP: Valencia floods" in by_title(told(run))["Deadly flash floods hit Spain's east coast"]
    bad = run("--config", str(write(tmp_path / "bad.yaml", "story_window_days: -1\n")), "stories")
    assert bad.exit_code == 2 and "bad.yaml:1" in bad.stderr and "0 or more" in bad.stderr


def test_a_damaged_catalog_is_said_in_one_line(run: Run, news: Path, tmp_path: Path) -> None:
    import sqlite3

    first = told(run)["stories"][0]["id"]
    with sqlite3.connect(tmp_path / "data" / "newscli" / "index" / "catalog.db") as db:
        db.execute("DROP TABLE told_merges")
    result = run("story", first, "--explain")
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("newscli: error: cannot read the stories in the index's catalog (no such table")
    assert len(result.stderr.strip().splitlines()) == 1
