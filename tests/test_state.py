"""`newscli state`: marks exported, imported and pruned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Run, index, peak_of, write
from .test_mark import ids_of


def test_export_import_round_trip(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    first, second = ids_of(run)[:2]
    run("mark", first, "--read", "--label", "later")
    run("mark", second, "--star")
    exported = run("state", "export", "-").stdout
    lines = [json.loads(line) for line in exported.splitlines()]
    assert {x["id"]: (x["read"], x["starred"], x["labels"]) for x in lines} == {
        first: (True, False, ["later"]),
        second: (False, True, []),
    }
    run("mark", "--all", "--unread", "--unstar", "--unlabel", "later")
    assert run("state", "export", "-").stdout == ""
    assert run("state", "import", "-", input=exported).exit_code == 0
    assert run("state", "export", "-").stdout == exported


def test_a_bad_import_changes_nothing(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    some = ids_of(run)[0]
    bad = write(tmp_path / "marks.jsonl", json.dumps({"id": some, "read": True}) + "\n{not json\n")
    result = run("state", "import", str(bad))
    assert result.exit_code == 2 and f"{bad}:2: not a mark" in result.stderr
    assert ids_of(run, "--unread") == ids_of(run)


def test_prune_forgets_only_articles_gone_from_the_index(run: Run, news: Path) -> None:
    index(run, news)
    titles = {a["title"]: a["id"] for a in json.loads(run("list", "--json").stdout)["articles"]}
    run("mark", "--all", "--star")
    (news / "c.txt").unlink()
    run("index")
    assert "would forget the marks of 1 articles" in run("state", "prune", "--dry-run").stderr
    assert len(run("state", "export", "-").stdout.splitlines()) == 5  # kept until pruned
    assert run("state", "prune").exit_code == 0
    kept = {json.loads(line)["id"] for line in run("state", "export", "-").stdout.splitlines()}
    assert kept == set(titles.values()) - {titles["Cocoa prices rise"]}


BAD_LINES = {
    '{"id": "x", "labels": "later"}': 'labels is a list of text, such as ["later"]',
    '{"id": "x", "labels": {"a": 1}}': "labels is a list of text",
    '{"id": "x", "read": "yes"}': "read and starred are true or false",
    '["x"]': "a line is an object",
    '{"id": "\\ud800"}': "a lone surrogate",
    '{"id": "a\\u001b[2J"}': "an id holds no control characters",
    "[" * 100_000 + "]" * 100_000: "nested too deep",
    '{"id": "x", "labels": ["a\\u001bb"]}': "control characters",
}


def test_every_bad_line_is_one_error_naming_its_line_and_changes_nothing(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    first = ids_of(run)[0]
    run("mark", first, "--star")
    before = run("state", "export", "-").stdout
    for line, why in BAD_LINES.items():
        bad = write(tmp_path / "marks.jsonl", json.dumps({"id": first, "read": True}) + "\n" + line + "\n")
        result = run("state", "import", str(bad))
        assert result.exit_code == 2 and result.stderr.startswith(f"newscli: error: {bad}:2: "), result.stderr
        assert why in result.stderr and "unexpected" not in result.stderr, result.stderr
        assert run("state", "export", "-").stdout == before
    binary = write(tmp_path / "binary.jsonl", b'{"id": "x"}\n\xff\xfe\x00\x01garbage\n')
    result = run("state", "import", str(binary))
    assert result.exit_code == 2 and f"{binary}:2: not UTF-8 text" in result.stderr


@pytest.mark.slow
def test_a_large_import_is_read_as_it_comes(run: Run, tmp_path: Path) -> None:
    """300,000 lines: the import's memory stays that of a few lines (all of them were held before)."""
    big = tmp_path / "big.jsonl"
    with open(big, "w") as f:
        for n in range(300_000):
            f.write(json.dumps({"id": f"{n:012x}", "read": True, "starred": False, "labels": ["bulk"]}) + "\n")
    done, peak = peak_of("state", "import", str(big))
    assert done.returncode == 0, done.stderr
    assert peak < 64 * 1024, f"{peak} kB"  # 128 MB when every line was held; 23 MB now
    exported = run("state", "export", "-").stdout
    assert exported.count("\n") == 300_000


def test_export_writes_a_device_a_folder_a_link_and_a_missing_folder_as_a_person_expects(
    run: Run, news: Path, tmp_path: Path
) -> None:
    import os
    import stat

    index(run, news)
    run("mark", ids_of(run)[0], "--star")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # /dev/null, in a folder the test owns
    assert run("state", "export", str(device)).exit_code == 0
    assert stat.S_ISCHR(device.stat().st_mode)  # written to, not replaced by a regular file
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # /dev/full
    result = run("state", "export", str(full))
    assert result.exit_code == 2 and result.stderr == f"newscli: error: cannot write {full}: No space left on device\n"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run("state", "export", str(folder))
    assert result.exit_code == 2 and result.stderr == f"newscli: error: cannot write {folder}: it is a folder\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind
    missing = tmp_path / "nowhere" / "marks.jsonl"
    result = run("state", "export", str(missing))
    assert result.exit_code == 2 and f"cannot write {missing}: no folder" in result.stderr
    real = write(tmp_path / "real.jsonl", "old\n")
    (tmp_path / "link.jsonl").symlink_to(real)
    assert run("state", "export", str(tmp_path / "link.jsonl")).exit_code == 0
    assert (tmp_path / "link.jsonl").is_symlink() and '"starred": true' in real.read_text()


def test_a_damaged_marks_row_breaks_nothing_else(run: Run, news: Path) -> None:
    import os
    import sqlite3

    index(run, news)
    first, second = ids_of(run)[:2]
    run("mark", first, "--label", "keep")
    run("mark", second, "--star")
    db = sqlite3.connect(os.path.join(os.environ["XDG_DATA_HOME"], "newscli", "marks.db"))
    db.execute("UPDATE marks SET labels = '{not json' WHERE id = ?", (second,))
    db.commit()
    db.close()
    for args in (["list", "--label", "keep"], ["state", "export", "-"], ["mark", "--all", "--read"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)


def test_a_marks_db_of_another_schema_is_one_line_naming_it(run: Run, news: Path) -> None:
    import os
    import sqlite3

    index(run, news)
    marks = os.path.join(os.environ["XDG_DATA_HOME"], "newscli", "marks.db")
    run("mark", ids_of(run)[0], "--star")
    db = sqlite3.connect(marks)
    db.execute("ALTER TABLE marks ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'")  # a newer newscli's table
    db.execute("CREATE TABLE marks2 AS SELECT * FROM marks")
    db.execute("DROP TABLE marks")
    db.execute(
        "CREATE TABLE marks (id TEXT PRIMARY KEY, read INTEGER NOT NULL DEFAULT 0, starred INTEGER NOT NULL "
        "DEFAULT 0, labels TEXT NOT NULL DEFAULT '[]', changed REAL NOT NULL, extra TEXT NOT NULL)"
    )
    db.commit()
    db.close()
    result = run("mark", ids_of(run)[1], "--read")
    assert result.exit_code == 2 and result.stderr.startswith(f"newscli: error: cannot use the marks in {marks} (")
    assert "unexpected" not in result.stderr
