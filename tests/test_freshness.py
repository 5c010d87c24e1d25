"""Every read command sees the archive as it is now: changes picked up, other runs respected."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from newscli.indexing.lock import locked

from .conftest import SEED_ID, Result, Run, bump, doc, index, write


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


@pytest.mark.slow
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


def test_up_to_date_gives_an_engine_in_step_with_the_archive(archive: Path) -> None:
    from newscli import config
    from newscli.indexing.fresh import up_to_date

    said: list[str] = []
    settings = config.load()
    assert up_to_date(settings, None, said.append).count() == 1
    assert "(first run)" in said[0]
    write(archive / "new.md", doc("Fresh news", "Something new happened."))
    engine = up_to_date(settings, None, said.append)
    assert engine.count() == 2 and said[-1] == "index updated: 1 added, 0 updated, 0 removed"
    said.clear()
    assert up_to_date(settings, None, said.append).count() == 2
    assert said == []


def test_an_update_told_what_changed_looks_only_at_those_folders(run: Run, tmp_path: Path) -> None:
    """What the resident process runs when its watcher saw changes: the folders they were in, no others."""
    from newscli import config
    from newscli.indexing.update import update

    root = tmp_path / "news"
    write(root / "wire" / ".newscli.yaml", "source: Wire\n")
    write(root / "wire" / "a.md", doc("Alpha", "Alpha text."))
    write(root / "wire" / "deep" / "b.md", doc("Beta", "Beta text."))
    write(root / "other" / "c.md", doc("Gamma", "Gamma text."))
    index(run, root)
    settings = config.load()
    unrefreshed = write(tmp_path / "config.yaml", "auto_refresh: false\n")

    def search(query: str) -> Result:  # the index as the update left it
        return run("--config", str(unrefreshed), "search", query)

    write(root / "wire" / "new.md", doc("Delta", "Delta text."))
    write(root / "other" / "d.md", doc("Epsilon", "Epsilon text."))  # not told: left for a later run
    report = update(settings, paths=[str(root / "wire" / "new.md")])
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert "Wire" in search("delta").stdout  # the folder's defaults, read on the way
    assert search("epsilon").exit_code == 1

    write(root / "wire" / ".newscli.yaml", "source: Newswire\n")  # every file below it changes
    report = update(settings, paths=[str(root / "wire" / ".newscli.yaml")])
    assert (report.added, report.updated) == (0, 3)
    assert "Newswire" in search("beta").stdout

    (root / "wire" / "deep" / "b.md").rename(root / "beta.md")  # a file moved out, to the root folder
    shutil.rmtree(root / "wire" / "deep")
    report = update(settings, paths=[str(root / "wire" / "deep"), str(root / "beta.md")])
    assert (report.added, report.removed) == (1, 1)

    # Nothing was lost or mistaken: a whole run finds only the file it was not told of.
    assert run("index", "--json").exit_code == 0
    assert json.loads(run("index", "--json").stdout)["added"] == 0
    report = update(settings)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert search("epsilon").exit_code == 0

    # The summary a told update leaves is the one a whole run makes: commands that walk trust it.
    (root / "wire" / "a.md").unlink()
    write(root / "wire" / "z.md", doc("Zeta", "Zeta text."))
    update(settings, paths=[str(root / "wire" / "a.md"), str(root / "wire" / "z.md")])
    summary = settings.index_dir / "summary.json"
    told = json.loads(summary.read_text())["files"]
    assert run("index").exit_code == 0
    assert json.loads(summary.read_text())["files"] == told
