"""A damaged index: named as such, with the command that repairs it, and that command works."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from .conftest import Run, write

WORDS = ["amber", "basalt", "cobalt", "dolomite", "emerald", "feldspar"]


@pytest.fixture
def built(run: Run, tmp_path: Path) -> Path:
    """An index of six small articles, each with a word of its own; returns the index folder."""
    for word in WORDS:
        write(tmp_path / "articles" / f"{word}.txt", f"The {word} story\n\nA text about {word} and more.\n")
    assert run("index").exit_code == 0
    return tmp_path / "data" / "newscli" / "index"


def segment_file(folder: Path, suffix: str) -> Path:
    return next(p for p in folder.iterdir() if p.name.startswith("MAIN_") and p.name.endswith(suffix))


def delete(path: Path) -> None:
    path.unlink()


def truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(min(path.stat().st_size // 2, 40))


DAMAGE: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None]]] = {
    "deleted postings": (lambda ix: segment_file(ix, ".pst"), delete),
    "deleted terms": (lambda ix: segment_file(ix, ".trm"), delete),
    "deleted stored fields": (lambda ix: segment_file(ix, "._stored.col"), delete),
    "truncated postings": (lambda ix: segment_file(ix, ".pst"), truncate),
    "truncated terms": (lambda ix: segment_file(ix, ".trm"), truncate),
    "truncated stored fields": (lambda ix: segment_file(ix, "._stored.col"), truncate),
    "truncated table of contents": (lambda ix: next(ix.glob("_MAIN_*.toc")), truncate),
    "garbled manifest": (lambda ix: ix / "manifest.json", truncate),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_is_reported_with_the_fix_and_the_fix_works(run: Run, built: Path, damage: str) -> None:
    which, how = DAMAGE[damage]
    how(which(built))
    failed = run("search", WORDS[0])
    assert failed.exit_code == 2
    message = failed.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "newscli index --rebuild" in message and str(built) in message
    repaired = run("index", "--rebuild")
    assert repaired.exit_code == 0, repaired.stderr
    for word in WORDS:
        assert run("search", word, "--json").exit_code == 0


GONE: dict[str, Callable[[str], bool]] = {
    "all but the manifest": lambda name: name != "manifest.json",
    "the catalog": lambda name: name == "catalog.db",
}


@pytest.mark.parametrize("gone", GONE)
def test_an_index_whose_files_are_gone_is_rebuilt_on_first_use(run: Run, built: Path, gone: str) -> None:
    for path in built.iterdir():
        if GONE[gone](path.name):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    found = run("search", WORDS[1])
    assert found.exit_code == 0
    assert "the index's files were missing" in found.stderr
    assert WORDS[1] in found.stdout


def _summary_with(built: Path, **changed: object) -> str:
    summary = json.loads((built / "summary.json").read_text())
    return json.dumps({**summary, **changed})


SUMMARIES: dict[str, Callable[[Path], str]] = {
    "garbled": lambda built: "{garbled",
    "roots not names": lambda built: _summary_with(built, roots=[5]),
    "defaults not lists": lambda built: _summary_with(
        built, defaults={k: 7 for k in json.loads((built / "summary.json").read_text())["defaults"]}
    ),
}


@pytest.mark.parametrize("damage", SUMMARIES)
def test_a_damaged_summary_is_written_again(run: Run, built: Path, damage: str) -> None:
    write(built.parents[2] / "articles" / ".newscli.yaml", "tags: [rock]\n")
    assert run("index").exit_code == 0
    (built / "summary.json").write_text(SUMMARIES[damage](built))
    found = run("search", WORDS[3])
    assert found.exit_code == 0 and WORDS[3] in found.stdout
    assert found.stderr.splitlines() == [f"newscli: 1 match for '{WORDS[3]}'"]
    assert isinstance(json.loads((built / "summary.json").read_text())["files"], str)


def test_garbled_lock_files_do_not_stop_anything(run: Run, built: Path) -> None:
    for name in ("newscli.lock", "MAIN_WRITELOCK"):
        (built / name).write_bytes(b"\x00garbage\xff" * 100)
    assert run("search", WORDS[2]).exit_code == 0
    write(built.parents[2] / "articles" / "new.txt", "Gneiss story\n\nAbout gneiss.\n")
    assert "1 added" in run("index").stderr
    assert run("search", "gneiss").exit_code == 0


def test_check_reads_the_whole_index_and_compares_it_with_the_archive(run: Run, built: Path) -> None:
    agreed = run("index", "--check")
    assert agreed.exit_code == 0
    assert f"{len(WORDS)} articles of {len(WORDS)} files, all readable" in agreed.stdout
    assert "agree" in agreed.stdout
    write(built.parents[2] / "articles" / "late.txt", "Late story\n\nAbout jasper.\n")
    (built.parents[2] / "articles" / f"{WORDS[0]}.txt").unlink()
    pending = json.loads(run("index", "--check", "--json").stdout)
    assert (pending["new"], pending["changed"], pending["removed"], pending["agrees"]) == (1, 0, 1, False)
    assert run("index", "--check").exit_code == 1
    assert run("index").exit_code == 0
    assert run("index", "--check").exit_code == 0


def test_check_finds_an_index_that_disagrees_with_its_record(run: Run, built: Path) -> None:
    with closing(sqlite3.connect(built / "catalog.db")) as db, db:
        path = os.fsdecode(db.execute("SELECT min(path) FROM files").fetchone()[0])
        db.execute("UPDATE files SET articles = 2 WHERE path = ?", (os.fsencode(path),))  # as if one was lost
    found = run("index", "--check")
    assert found.exit_code == 1
    assert f"{path}: 1 articles in the index, 2 recorded" in found.stdout
    assert "newscli index --rebuild" in found.stdout


def test_a_garbled_record_in_the_catalog_is_reported_with_the_fix(run: Run, built: Path) -> None:
    with closing(sqlite3.connect(built / "catalog.db")) as db, db:
        db.execute("UPDATE files SET skipped = '[garbled' WHERE path = (SELECT min(path) FROM files)")
    failed = run("index")
    assert failed.exit_code == 2
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert str(built / "catalog.db") in failed.stderr and "newscli index --rebuild" in failed.stderr
    assert run("index", "--rebuild").exit_code == 0


def test_check_reports_a_damaged_index(run: Run, built: Path) -> None:
    truncate(segment_file(built, ".pst"))
    found = run("index", "--check")
    assert found.exit_code == 2 and "newscli index --rebuild" in found.stderr


def test_a_damaged_catalog_is_reported_by_index_runs_while_searches_go_on(run: Run, built: Path) -> None:
    with open(built / "catalog.db", "r+b") as f:
        f.write(b"\x00garbage\xff" * 20)
    assert WORDS[3] in run("search", WORDS[3]).stdout  # a search does not need it
    write(built.parents[2] / "articles" / "late.txt", "Late story\n\nAbout jasper.\n")
    found = run("search", WORDS[3])  # now it does: it says so, and searches what is there
    assert found.exit_code == 0 and WORDS[3] in found.stdout
    assert "cannot tell whether the archive changed" in found.stderr and "--rebuild" in found.stderr
    failed = run("index")
    assert failed.exit_code == 2
    message = failed.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert str(built / "catalog.db") in message and "newscli index --rebuild" in message
    assert run("index", "--rebuild").exit_code == 0
    assert run("index", "--check").exit_code == 0


def test_check_finds_a_catalog_that_disagrees_with_the_index(run: Run, built: Path) -> None:
    with sqlite3.connect(built / "catalog.db") as db:
        (path,) = db.execute("SELECT path FROM articles ORDER BY path LIMIT 1").fetchone()
        db.execute("DELETE FROM articles WHERE path = ?", (path,))
    found = run("index", "--check")
    assert found.exit_code == 1
    assert f"{os.fsdecode(path)}: 1 articles in the index, 0 in its catalog" in found.stdout


def test_check_finds_a_missing_column(run: Run, built: Path) -> None:
    segment_file(built, ".story.col").unlink()
    result = run("index", "--check")
    assert result.exit_code == 1
    assert "lacks its column of story" in result.stdout and "newscli index --rebuild" in result.stdout
    assert run("index", "--rebuild").exit_code == 0
    assert run("index", "--check").exit_code == 0


@pytest.mark.parametrize("manifest", ["damaged", "gone", "all that is left"])
def test_the_archive_is_found_again_without_its_manifest(run: Run, tmp_path: Path, manifest: str) -> None:
    root = tmp_path / "elsewhere"
    write(root / "a.txt", "The amber story\n\nA text about amber.\n")
    assert run("index", str(root)).exit_code == 0
    index_dir = tmp_path / "data" / "newscli" / "index"
    if manifest == "damaged":
        (index_dir / "manifest.json").write_text("{garbled")
        failed = run("search", "amber")
        assert failed.exit_code == 2 and "newscli index --rebuild" in failed.stderr
        assert run("index", "--rebuild").exit_code == 0  # the fix it names works
    elif manifest == "gone":
        (index_dir / "manifest.json").unlink()
    else:  # every other file of the index is gone
        for path in index_dir.iterdir():
            if path.name != "manifest.json":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert json.loads(run("search", "amber", "--json").stdout)["total"] == 1
