"""An archive built to break an indexer: every bad item is named, every good article found."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscli import archive

from .conftest import Run, bump, write

BILLION_LAUGHS = (
    "---\n"
    + "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "title: *i\n---\nbody\n"
)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Good articles (each with a word of its own) among bad files; returns the bad names and reasons.

    A file whose name is not UTF-8 counts as bad: it cannot be stored or shown faithfully.
    """
    root = tmp_path / "hostile"
    for i, word in enumerate(["alpha", "bravo", "charlie"]):
        write(root / f"good{i}.txt", f"Good story {word}\n\nThe {word} text is fine.\n")
    write(root / "latin1.txt", "Caf\xe9 story\n\nThe delta text costs \xa35.\n".encode("latin-1"))
    write(root / "utf16.txt", codecs.BOM_UTF16_LE + "Echo story\n\nThe echo text.\n".encode("utf-16-le"))
    write(root / "utf16nobom.txt", "Foxtrot story\n\nThe foxtrot text.\n".encode("utf-16-le"))
    write(
        root / "lines.jsonl",
        '{"title": "Golf line", "body": "golf"}\n{"title": \n{"title": "Hotel", "body": "hotel"}\n',
    )
    bad = {
        "binary.txt": "binary file",
        "nul.md": "binary file",
        "empty.txt": "no title and no text",
        "blank.txt": "no title and no text",
        "unclosed.md": "never closed",
        "badyaml.md": "invalid YAML",
        "bomb.md": "aliases (*name) are not allowed",
        "title-list.md": "field 'title' must be text, not a list",
        "date.md": "field 'date'",
        "tags.md": "field 'tags'",
        "source.md": "field 'source'",
        "deep.json": "nested too deeply",
        "truncated.json": "invalid JSON",
        "huge.txt": "too large for an article file",
        "fifo.txt": "not a regular file",
        "dangling.txt": "broken symbolic link",
        "loop": "symbolic link loop",
        "lines.jsonl:2": "invalid JSON",
        "raw\ufffd": "its name is not valid UTF-8",
    }
    write(root / "binary.txt", bytes(range(256)) * 4)
    write(root / "nul.md", b"---\ntitle: x\x00\x01\x02\n---\n\x00\x00body")
    write(root / "empty.txt", b"")
    write(root / "blank.txt", "  \n\t\n   \n")
    write(root / "unclosed.md", "---\ntitle: never\n\nbody\n")
    write(root / "badyaml.md", "---\ntitle: [unclosed\n---\nbody\n")
    write(root / "bomb.md", BILLION_LAUGHS)
    write(root / "title-list.md", "---\ntitle: [1, 2]\n---\nbody\n")
    write(root / "date.md", "---\ntitle: t\ndate: yesterday-ish\n---\nbody\n")
    write(root / "tags.md", "---\ntitle: t\ntags: 5\n---\nbody\n")
    write(root / "source.md", "---\ntitle: t\nsource: {a: b}\n---\nbody\n")
    write(root / "deep.json", "[" * 200_000 + "]" * 200_000)
    write(root / "truncated.json", '{"title": "cut", "body": "off')
    write(root / "huge.txt", "x" * (30 * 1024 * 1024))
    write(root / "x.txt" / "inside.txt", "India story\n\nThe india text.\n")
    os.mkfifo(root / "fifo.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "sub").mkdir()
    (root / "sub" / "loop").symlink_to(root)
    write(root / "new\nline.txt", "Juliet story\n\nThe juliet text.\n")
    os.makedirs(os.fsencode(root) + b"/raw\xff", exist_ok=True)
    with open(os.fsencode(root) + b"/raw\xff/kilo\xfe.txt", "wb") as f:
        f.write(b"Kilo story\n\nThe kilo text.\n")
    return root, bad


@pytest.mark.slow
def test_hostile_archive_indexes_every_good_article(tmp_path: Path, hostile: tuple[Path, dict[str, str]]) -> None:
    root, bad = hostile
    env = {**os.environ, "NEWSCLI_INDEX_DIR": str(tmp_path / "ix")}
    cmd = [sys.executable, "-m", "newscli", "index", str(root)]
    result = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    for name, reason in bad.items():
        assert any(
            name in line and reason in line for line in stderr.splitlines() if line.startswith("newscli: skipped")
        ), (
            name,
            stderr,
        )
    for word in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"):
        found = subprocess.run(
            [sys.executable, "-m", "newscli", "search", word, "--json"], env=env, capture_output=True, timeout=60
        )
        assert found.returncode == 0, (word, found.stderr.decode("utf-8", "replace"))
        assert json.loads(found.stdout)["total"] == 1, word
    again = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
    assert again.returncode == 0 and b"0 added, 0 updated, 0 removed" in again.stderr


def test_files_that_vanish_or_change_while_being_indexed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "n"
    for word in ("lima", "mike", "november"):
        write(root / f"{word}.txt", f"{word.title()} story\n\nThe {word} text.\n")
    read = archive.read

    def meddling(entry: archive.FileEntry, *args: Any) -> Iterator[Any]:
        path = Path(entry.path)
        if path.name == "lima.txt":  # gone between finding it and reading it
            path.unlink()
        yield from read(entry, *args)
        if path.name == "mike.txt":  # changed just after it was read
            path.write_text("Mike story\n\nThe mike text, now with oscar.\n")
            bump(path)

    monkeypatch.setattr(archive, "read", meddling)
    first = run("index", str(root))
    assert first.exit_code == 0
    assert f"skipped {root / 'lima.txt'}: disappeared while being indexed" in first.stderr
    monkeypatch.setattr(archive, "read", read)
    again = run("index")
    assert "0 added, 1 updated, 0 removed" in again.stderr  # the change is noticed on the next run
    assert run("search", "oscar").exit_code == 0 and run("search", "november").exit_code == 0
    assert run("search", "lima").exit_code == 1
