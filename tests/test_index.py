"""`newscli index`: incremental runs, IDs, skipped files, locking and its report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import SEED, SEED_ID, Run, bump, doc, index, write


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


@pytest.mark.slow
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
    for resident in ("one", "two"):
        write(tmp_path / resident / "articles" / SEED.name, SEED.read_bytes())
    write(tmp_path / "two" / "articles" / "other.txt", "Other\n\nMore.\n")
    ids = []
    for resident in ("one", "two"):
        result = run("--index-dir", str(tmp_path / resident / "ix"), "index", str(tmp_path / resident / "articles"))
        assert result.exit_code == 0
        data = run("--index-dir", str(tmp_path / resident / "ix"), "search", "Peskov", "--json").stdout
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


def test_a_file_skipped_for_a_reason_that_passed_is_read_again(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    big = write(root / "big.txt", "Big story\n\n" + "Many words here. " * 80_000)  # 1.3 MB
    write(root / "small.txt", "Small story\n\nFew words.\n")
    config = write(tmp_path / "c.yaml", "max_file_mb: 1\n")
    first = run("--config", str(config), "index", str(root))
    assert f"skipped {big}: too large" in first.stderr
    assert run("--config", str(config), "search", "many").exit_code == 1
    write(config, "max_file_mb: 2\n")
    again = run("--config", str(config), "index")
    assert again.exit_code == 0 and "1 added" in again.stderr and "newscli: skipped" not in again.stderr
    assert run("--config", str(config), "search", "many").exit_code == 0
    assert "0 added" in run("--config", str(config), "index").stderr  # read once, not at every run


def test_an_interrupted_run_reports_what_it_committed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newscli import archive

    root = tmp_path / "n"
    for i in range(30):
        write(root / f"{i:02}.txt", f"Story {i}\n\nWords of story {i}.\n")
    reading = archive.read
    seen = []

    def stopped(*args: object, **kwargs: object) -> object:
        seen.append(1)
        if len(seen) == 25:  # in the third batch of 10
            raise KeyboardInterrupt
        return reading(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("newscli.indexing.update.BATCH", 10)
    monkeypatch.setattr(archive, "read", stopped)
    result = run("index", str(root), "--json")
    assert result.exit_code == 130
    assert json.loads(result.stdout)["added"] == 20
    assert "20 added" in result.stderr
    monkeypatch.setattr(archive, "read", reading)
    assert "10 added" in run("index").stderr
