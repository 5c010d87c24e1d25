"""Finding article files: what is read, what is skipped and why. No CLI here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from newscli import archive
from newscli.formats import DEFAULT_NAMES
from newscli.models import Article, Skipped

from .conftest import bump, write


def scan(root: Path, known: dict[str, Any] | None = None) -> tuple[list[archive.FileEntry], archive.Scan]:
    """The files found below a root, and the walk that found them (with what it skipped)."""
    found = archive.Scan([str(root)], DEFAULT_NAMES, known)
    return list(found.files()), found


def read_all(root: Path, max_mb: float = 10) -> tuple[list[Article], list[Skipped]]:
    entries, found = scan(root)
    articles, skipped = [], list(found.skipped)
    for entry in entries:
        for item in archive.read(entry, DEFAULT_NAMES, max_mb):
            (skipped if isinstance(item, Skipped) else articles).append(item)  # type: ignore[arg-type]
    return articles, skipped


def test_hidden_files_and_folders_and_other_kinds_are_left_out(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "A\n\nText.\n")
    write(tmp_path / ".b.txt", "B\n\nText.\n")
    write(tmp_path / ".git" / "c.txt", "C\n\nText.\n")
    write(tmp_path / "image.png", b"\x89PNG")
    entries, found = scan(tmp_path)
    assert [os.path.basename(e.path) for e in entries] == ["a.txt"]
    assert (found.ignored, found.skipped) == (1, [])


def test_fifo_is_skipped_with_its_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path / "a.txt", "A\n\nText.\n")
    entries, found = scan(tmp_path)
    assert len(entries) == 1
    assert found.skipped == [Skipped(str(tmp_path / "pipe.txt"), "not a regular file")]


def test_symlink_loop_and_dangling_link_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "a.txt", "A\n\nText.\n")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    entries, found = scan(tmp_path)
    assert [e.key for e in entries] == [f"{tmp_path.name}/sub/a.txt"]
    reasons = {Path(s.where).name: s.reason for s in found.skipped}
    assert reasons == {"loop": "symbolic link loop (folder already visited)", "gone.txt": "broken symbolic link"}


def test_files_come_in_the_order_of_their_paths_bytes(tmp_path: Path) -> None:
    # The order the catalog keeps its records in: a folder's files sort as if its name ended in "/".
    for name in ("b/x.txt", "b.txt", "b-c/y.txt", "b0.txt", "B.txt", "é.txt", "a/b/c.txt", "a.json"):
        write(tmp_path / "root" / name, "T\n\nText.\n")
    write(tmp_path / "other.txt", "T\n\nText.\n")
    walk = archive.Scan([str(tmp_path / "root"), str(tmp_path / "other.txt")], DEFAULT_NAMES)
    paths = [os.fsencode(e.path) for e in walk.files()]
    assert len(paths) == 9 and paths == sorted(paths)
    assert [os.fsencode(path) for path, *_ in walk.signatures()] == paths


def test_linked_folders_are_followed_within_the_archive_or_when_asked(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "a.txt", "A\n\nText.\n")
    write(tmp_path / "root" / "own" / "b.txt", "B\n\nText.\n")
    (tmp_path / "root" / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "root" / "mine").symlink_to(tmp_path / "root" / "own")
    entries, walk = scan(tmp_path / "root")
    assert [e.key for e in entries] == ["root/mine/b.txt", "root/own/b.txt"]
    assert [s.where for s in walk.skipped] == [str(tmp_path / "root" / "linked")]
    every = archive.Scan([str(tmp_path / "root")], DEFAULT_NAMES, follow_links=True)
    assert [e.key for e in every.files()] == ["root/linked/a.txt", "root/mine/b.txt", "root/own/b.txt"]


def test_a_folder_named_like_an_article_is_a_folder(tmp_path: Path) -> None:
    write(tmp_path / "x.txt" / "inner.txt", "Inner\n\nText.\n")
    articles, skipped = read_all(tmp_path)
    assert [a.title for a in articles] == ["Inner"] and skipped == []


def test_too_large_file_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    write(tmp_path / "big.txt", "Big\n\n" + "word " * 300_000)
    write(tmp_path / "small.txt", "Small\n\nText.\n")
    articles, skipped = read_all(tmp_path, max_mb=1)
    assert [a.title for a in articles] == ["Small"]
    assert [(Path(s.where).name, s.reason.split(" (")[0]) for s in skipped] == [
        ("big.txt", "too large for an article file")
    ]


def test_empty_and_binary_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.md", "  \n\n \n")
    write(tmp_path / "binary.txt", b"\x00\x01\x02\xff\x00\x10binary")
    write(tmp_path / "good.txt", "Good\n\nText.\n")
    articles, skipped = read_all(tmp_path)
    assert [a.title for a in articles] == ["Good"]
    assert {Path(s.where).name: s.reason for s in skipped} == {
        "binary.txt": "binary file (it holds NUL bytes)",
        "blank.md": "no title and no text",
        "empty.txt": "no title and no text",
    }


def test_folder_defaults_nearer_wins_and_bad_defaults_are_reported(tmp_path: Path) -> None:
    write(tmp_path / ".newscli.yaml", "source: Outer\nlanguage: en\n")
    write(tmp_path / "in" / ".newscli.yaml", "source: Inner\n")
    write(tmp_path / "bad" / ".newscli.yaml", "source: [unclosed\n")
    write(tmp_path / "in" / "a.txt", "A\n\nText.\n")
    write(tmp_path / "bad" / "b.txt", "B\n\nText.\n")
    articles, skipped = read_all(tmp_path)
    by_title = {a.title: a for a in articles}
    assert (by_title["A"].source, by_title["A"].language) == ("Inner", "en")
    assert (by_title["B"].source, by_title["B"].language) == ("Outer", "en")
    assert len(skipped) == 1 and skipped[0].where.endswith("bad/.newscli.yaml")
    assert "invalid YAML" in skipped[0].reason and "indexed without it" in skipped[0].reason


def test_changing_defaults_changes_the_signature(tmp_path: Path) -> None:
    write(tmp_path / ".newscli.yaml", "source: One\n")
    write(tmp_path / "a.txt", "A\n\nText.\n")
    before = scan(tmp_path)[0][0].signature
    write(tmp_path / ".newscli.yaml", "source: Two\n")
    assert scan(tmp_path)[0][0].signature != before


def test_ids_depend_on_the_article_not_on_where_the_archive_lives(tmp_path: Path) -> None:
    for place in ("x", "y"):
        write(tmp_path / place / "news" / "a.txt", "A\n\nText.\n")
        write(tmp_path / place / "news" / "feed.jsonl", '{"title": "T", "id": "r-1", "source": "S"}\n{"title": "U"}\n')
    write(tmp_path / "y" / "news" / "extra.txt", "Extra\n\nText.\n")
    ids = [
        sorted((a.title, a.id) for a in read_all(tmp_path / place / "news")[0] if a.title != "Extra")
        for place in ("x", "y")
    ]
    assert ids[0] == ids[1]
    assert len({i for _, i in ids[0]}) == 3


def test_a_defaults_file_is_read_again_only_when_it_changed(tmp_path: Path) -> None:
    defaults = write(tmp_path / ".newscli.yaml", "source: One\n")
    write(tmp_path / "a.txt", "A\n\nText.\n")
    [before], first = scan(tmp_path)
    assert list(first.defaults.values())[0].fields == {"source": "One"}
    # Unchanged on disk: what the earlier scan read is used (a stand-in value shows it was not re-read).
    known = {path: state._replace(fields={"source": "Remembered"}) for path, state in first.defaults.items()}
    [again], _ = scan(tmp_path, known)
    assert again.defaults == {"source": "Remembered"}
    # Changed, even to text of the same size: read again.
    defaults.write_text("source: Two\n")
    bump(defaults)
    [changed], _ = scan(tmp_path, first.defaults)
    assert changed.defaults == {"source": "Two"}
    assert changed.signature != before.signature
