"""Wire copy republished by several outlets: one search entry, every copy on request."""

from __future__ import annotations

import json
from pathlib import Path

from newscli import dupes
from newscli.indexing import catalog

from .conftest import SEED, Run, write

STORY = " ".join(SEED.read_text(encoding="utf-8").split()[15:215])


def test_sketches_tell_copies_from_other_stories() -> None:
    original = dupes.sketch(STORY)
    edited = dupes.sketch(STORY.replace("Macron", "President Macron", 1) + " Additional reporting by staff.")
    other = dupes.sketch(" ".join(reversed(STORY.split())))
    assert original is not None and edited is not None and other is not None
    assert dupes.similarity(original, edited) >= dupes.SAME_STORY
    assert dupes.similarity(original, other) < 0.1
    assert dupes.sketch("Too short to say.") is None


def story(source: str, day: str, title: str, body: str) -> str:
    return f"---\ntitle: {title}\nsource: {source}\ndate: {day}\n---\n{body}\n"


def test_copies_are_folded_into_one_hit(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / "ap.md", story("AP", "2024-02-27", "Kremlin warns West", STORY))
    write(root / "fox.md", story("Fox News", "2024-02-27", "Kremlin warns the West", STORY + " Fox News contributed."))
    write(root / "reu.md", story("Reuters", "2024-02-28", "Peskov warning", "Updated: " + STORY))
    write(root / "own.md", story("BBC", "2024-02-27", "Macron speech", "Macron spoke about troops. " * 12))
    run("index", str(root))
    result = run("search", "macron troops", "--json")
    data = json.loads(result.stdout)
    assert (data["total"], data["folded"]) == (2, 2)
    assert len(data["hits"]) == 2  # one for each story
    folded = next(h for h in data["hits"] if h["copies"])
    assert len(folded["copies"]) == 2
    assert {folded["source"]} | {c["source"] for c in folded["copies"]} == {"AP", "Fox News", "Reuters"}
    shown = run("search", "macron troops")
    others = sorted(c["source"] for c in folded["copies"])
    assert f"also in 2 outlets: {', '.join(others)}" in shown.stdout
    assert "(2 republished copies folded in; --all shows them)" in shown.stderr
    every = json.loads(run("search", "macron troops", "--all", "--json").stdout)
    assert (every["total"], every["folded"]) == (4, 0)


def test_a_copy_added_later_joins_the_story(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / "ap.md", story("AP", "2024-02-27", "Kremlin warns West", STORY))
    run("index", str(root))
    write(root / "later.md", story("Al Jazeera", "2024-02-29", "Kremlin warning", STORY + " (Al Jazeera)"))
    run("index")
    data = json.loads(run("search", "peskov", "--json").stdout)
    assert data["total"] == 1
    assert [c["source"] for c in data["hits"][0]["copies"]] in (["Al Jazeera"], ["AP"])


def test_stories_lists_each_story_told_more_than_once(run: Run, tmp_path: Path) -> None:
    from newscli.engine import backend

    root = tmp_path / "n"
    write(root / "ap.md", story("AP", "2024-02-27", "Kremlin warns West", STORY))
    write(root / "fox.md", story("Fox News", "2024-02-27", "Kremlin warns the West", STORY + " More later."))
    write(root / "own.md", story("BBC", "2024-02-27", "Macron speech", "Macron spoke about troops. " * 12))
    run("index", str(root))
    stories = backend("whoosh").open(str(tmp_path / "data" / "newscli" / "index")).stories()
    assert [sorted(a.source for a in members) for members in stories.values()] == [["AP", "Fox News"]]


def test_recurring_reports_weeks_apart_are_not_folded(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / "mar.md", story("Reuters", "1987-03-02", "Fed adds reserves", STORY))
    write(root / "apr.md", story("Reuters", "1987-04-02", "Fed adds reserves", STORY))
    write(root / "next.md", story("AP", "1987-04-03", "Fed adds reserves", STORY))
    run("index", str(root))
    data = json.loads(run("search", "peskov", "--json").stdout)
    assert (data["total"], data["folded"]) == (2, 1)


def test_a_story_copied_more_often_than_a_lookup_reads_still_folds(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    copies = catalog.PER_KEY + 10
    for i in range(copies):
        write(root / f"c{i:03}.md", story(f"Outlet {i}", "2024-02-27", "Kremlin warns West", f"Copy {i}. {STORY}"))
    run("index", str(root))
    write(root / "late.md", story("Late Edition", "2024-02-28", "Kremlin warns", f"{STORY} Late."))
    run("index")
    data = json.loads(run("search", "peskov", "--json").stdout)
    assert (data["total"], data["folded"]) == (1, copies)
    assert len(data["hits"][0]["copies"]) == copies
