"""Hostile and careless input, round two: one bad file, value, argument or query never breaks the rest."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscli.query import MAX_WORDS

from .conftest import Run, doc, write

# Nine levels of nine: a few hundred bytes that stand for 387,420,489 items once expanded.
ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    + "tags: *i\n"
)


def ok(result: object) -> None:
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]


def listed(run: Run, *args: str) -> list[dict[str, object]]:
    result = run("list", "--limit", "0", "--json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["articles"]  # type: ignore[no-any-return]


# Impossible dates, wherever a date is read


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("front.md", doc("Leap", "Text.", date="2024-02-30")),
        ("front.txt", doc("Leap", "Text.", date="2023-02-29T10:00:00Z")),
        ("record.json", json.dumps({"title": "Leap", "body": "Text.", "date": "2024-02-30"})),
        ("line.jsonl", json.dumps({"title": "Leap", "body": "Text.", "date": "2024-13-01"}) + "\n"),
    ],
)
def test_an_impossible_date_skips_its_article_and_every_command_works(
    run: Run, tmp_path: Path, name: str, text: str
) -> None:
    root = tmp_path / "n"
    write(root / name, text)
    write(root / "fine.md", doc("Fine", "Text.", date="2024-02-29"))
    indexed = run("index", str(root))
    ok(indexed)
    assert f"skipped {root / name}" in indexed.stderr and "cannot read" in indexed.stderr
    for command in (["search", "text"], ["list"], ["sources"], ["timeline", "text"], ["index"]):
        ok(run(*command))
    assert [a["title"] for a in listed(run)] == ["Fine"]


def test_an_impossible_date_in_folder_defaults_is_reported_and_the_articles_kept(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(root / ".newscli.yaml", "date: 2024-02-30\nsource: Wire\n")
    write(root / "a.md", doc("Below", "Text."))
    indexed = run("index", str(root))
    ok(indexed)
    assert f"skipped {root / '.newscli.yaml'}: field 'date'" in indexed.stderr
    assert "files below it are indexed without it" in indexed.stderr
    assert [(a["title"], a["date"]) for a in listed(run)] == [("Below", None)]


@pytest.mark.parametrize("args", [["search", "x date:99999999999d.."], ["search", "x", "--since", "99999999999d"]])
def test_a_date_past_the_calendar_is_a_usage_error(run: Run, tmp_path: Path, args: list[str]) -> None:
    write(tmp_path / "articles" / "a.md", doc("A", "x"))
    failed = run(*args)
    assert failed.exit_code == 2 and "cannot read the date '99999999999d'" in failed.stderr
    assert "unexpected" not in failed.stderr


# Lone surrogates, in every field


def test_lone_surrogates_in_any_field_are_replaced(run: Run, tmp_path: Path) -> None:
    broken = "S\\ud83d"  # half of an emoji's escape, as a truncated feed has it
    fields = ["id", "title", "source", "body", "authors", "tags", "url", "language", "caption"]
    record = "{" + ", ".join(f'"{f}": "{broken} {f}"' for f in fields) + "}"
    write(tmp_path / "n" / "feed.jsonl", record + "\n")
    ok(run("index", str(tmp_path / "n")))
    [article] = listed(run)
    assert article["title"] == "S\ufffd title" and article["source"] == "S\ufffd source"
    for command in (["search", "body"], ["search", "body", "--json"], ["list"], ["sources"], ["sources", "--json"]):
        ok(run(*command))
    shown = run("show", str(article["id"]), "--no-pager")
    ok(shown)
    assert "S\ufffd body" in shown.stdout
    ok(run("show", str(article["id"]), "--json"))


# Folder defaults that no article could take


@pytest.mark.parametrize("defaults", ["tags: 5\n", "authors: [[x]]\n", "source: {a: 1}\n", ALIAS_BOMB])
def test_a_bad_defaults_file_is_reported_and_its_articles_are_kept(run: Run, tmp_path: Path, defaults: str) -> None:
    root = tmp_path / "n"
    for i in range(3):
        write(root / "sub" / f"{i}.md", doc(f"Story {i}", "Words."))
    ok(run("index", str(root)))
    write(root / "sub" / ".newscli.yaml", defaults)
    started = time.monotonic()
    searched = run("search", "words")
    assert time.monotonic() - started < 10
    ok(searched)
    assert len(listed(run)) == 3
    indexed = run("index")
    assert f"skipped {root / 'sub' / '.newscli.yaml'}" in indexed.stderr
    assert "files below it are indexed without it" in indexed.stderr


# YAML alias bombs in every YAML file newscli reads


def test_an_alias_bomb_in_front_matter_is_refused(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "n" / "bomb.md", f"---\ntitle: Bomb\n{ALIAS_BOMB}---\nbody\n")
    indexed = run("index", str(tmp_path / "n"))
    ok(indexed)
    assert "aliases (*name) are not allowed" in indexed.stderr


def test_an_alias_bomb_in_the_config_file_is_refused(run: Run, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", ALIAS_BOMB.replace("tags:", "variants:"))
    failed = run("--config", str(config), "list")
    assert failed.exit_code == 2 and "aliases (*name) are not allowed" in failed.stderr


# Queries that would run for minutes


@pytest.fixture
def vocabulary(run: Run, tmp_path: Path) -> None:
    """An archive of 10,000 distinct made-up words: spelling suggestions and patterns have much to go through."""
    syllables = ["ka", "ke", "ki", "ko", "ku", "la", "le", "li", "lo", "lu"]
    words = [a + b + c + d for a in syllables for b in syllables for c in syllables for d in syllables]
    for n in range(0, len(words), 500):
        write(tmp_path / "articles" / f"{n}.txt", f"Words {n}\n\n{' '.join(words[n : n + 500])}\n")
    ok(run("index"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kalokelu~5", "at most 2 letters off"),
        ("*", "'*' alone matches every article"),
        ("k*", "stands for more than 1,000 words"),
        ("x" * 100_000, "the query is too long"),
        (" OR ".join(f"absent{i}" for i in range(10_000)), "the query is too long"),
        (" ".join("x" * 1600), "too many words"),
    ],
    ids=["fuzzy", "star", "prefix", "100 KB", "10,000 ORs", "1,600 ANDs"],
)
def test_a_query_too_costly_is_refused_at_once(run: Run, vocabulary: None, query: str, message: str) -> None:
    started = time.monotonic()
    failed = run("search", query)
    assert time.monotonic() - started < 5
    assert failed.exit_code == 2 and message in failed.stderr
    assert "rebuild" not in failed.stderr


@pytest.mark.slow
def test_spelling_suggestions_take_a_few_seconds_at_most(run: Run, vocabulary: None) -> None:
    query = " ".join(f"kalokelz{i}" for i in range(MAX_WORDS - 50))
    started = time.monotonic()
    result = run("search", query)
    assert time.monotonic() - started < 5
    assert result.exit_code == 1


def test_a_query_nested_too_deep_is_a_query_error(run: Run, vocabulary: None) -> None:
    result = run("search", "(" * 1000 + "kalokelu" + ")" * 1000)
    assert result.exit_code in (0, 2) and "rebuild" not in result.stderr and "unexpected" not in result.stderr


# Config values that pass a type check and then fail


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_file_mb: .nan\n", "'max_file_mb' must be a positive number"),
        ("lock_timeout: .inf\n", "'lock_timeout' must be a positive number"),
        ("index_dir: not-a-folder.txt\n", "is a file"),
    ],
)
def test_config_values_that_cannot_work_are_refused(run: Run, tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "not-a-folder.txt", "x")
    failed = run("--config", str(write(tmp_path / "c.yaml", text)), "list")
    assert failed.exit_code == 2 and message in failed.stderr


def test_a_config_of_dev_null_is_no_config_and_a_fifo_is_refused(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCLI_CONFIG", os.devnull)
    ok(run("list"))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    monkeypatch.setenv("NEWSCLI_CONFIG", str(fifo))
    failed = run("list")
    assert failed.exit_code == 2 and "is not a regular file" in failed.stderr


# What a person typed, echoed back


@pytest.mark.parametrize(
    "args",
    [
        ["show", "abc\x1b]52;c;aGk=\x07"],
        ["index", "/no/such\x1b[2J"],
        ["--config", "/no/such\x1b[31m.yaml", "list"],
        ["search", "ukrane\x1b[31m"],
    ],
)
def test_escape_sequences_in_arguments_never_reach_the_terminal(run: Run, archive: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code in (1, 2)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "^[" in result.stderr


@pytest.mark.terminal
def test_show_raw_makes_control_characters_visible_on_a_terminal_only(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path / "n" / "a.txt", "Title\n\nBody with \x1b[2J an escape.\n")
    ok(run("index", str(tmp_path / "n")))
    assert "\x1b[2J" in run("show", "--raw", str(path)).stdout  # to a pipe: the bytes as they are
    main, side = pty.openpty()
    command = [sys.executable, "-m", "newscli", "show", "--raw", str(path)]
    done = subprocess.run(command, stdout=side, stderr=subprocess.PIPE, env=os.environ, timeout=60)
    os.close(side)
    shown = os.read(main, 65536).decode()
    os.close(main)
    assert done.returncode == 0
    assert "\x1b[2J" not in shown and "^[[2J" in shown


# An index folder that holds someone else's files


def test_a_folder_of_someone_elses_is_not_made_an_index(run: Run, archive: Path, tmp_path: Path) -> None:
    theirs = tmp_path / "mine"
    write(theirs / "MAIN_notes.txt", "my notes")
    failed = run("--index-dir", str(theirs), "index")
    assert failed.exit_code == 2 and "holds files that are not an index's" in failed.stderr
    assert [p.name for p in theirs.iterdir()] == ["MAIN_notes.txt"]
    ok(run("--index-dir", str(tmp_path / "new"), "index"))
    ok(run("--index-dir", str(tmp_path / "new"), "index"))  # its own files are no obstacle


# The command line's own words


def test_a_query_that_starts_with_a_dash(run: Run, archive: Path) -> None:
    failed = run("search", "-ukraine")
    assert failed.exit_code == 2 and "put -- before the query" in failed.stderr
    assert run("search", "--", "-ukraine macron").exit_code == 1  # the one article names both
    assert run("search", "--", "-zebra macron").exit_code == 0


def test_an_unknown_command_is_named_once(run: Run) -> None:
    failed = run("frob")
    assert failed.exit_code == 2
    assert failed.stderr.startswith("newscli: error: No such command 'frob'")


def test_every_line_of_an_index_summary_says_newscli(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "n" / "bad.json", "{")
    write(tmp_path / "n" / "good.md", doc("Good", "Text."))
    indexed = run("index", str(tmp_path / "n"))
    lines = indexed.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("newscli: ") for line in lines)


# Symbolic links


def test_links_out_of_the_archive_are_skipped_unless_asked_for(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    secret = write(tmp_path / "outside" / "secret.txt", "Secret\n\nPrivate words.\n")
    write(tmp_path / "outside" / "more" / "other.txt", "Other\n\nPrivate words.\n")
    write(root / "inside" / "a.txt", "Inside\n\nPublic words.\n")
    (root / "passwd.txt").symlink_to(secret)
    (root / "elsewhere").symlink_to(tmp_path / "outside" / "more")
    (root / "again.txt").symlink_to(root / "inside" / "a.txt")
    indexed = run("index", str(root))
    ok(indexed)
    assert f"skipped {root / 'passwd.txt'}: a symbolic link out of the archive, to {secret}" in indexed.stderr
    assert f"skipped {root / 'elsewhere'}: a symbolic link out of the archive" in indexed.stderr
    assert sorted(a["title"] for a in listed(run)) == ["Inside", "Inside"]
    config = write(tmp_path / "c.yaml", "follow_links: true\n")
    ok(run("--config", str(config), "index"))
    assert sorted(a["title"] for a in listed_with(run, config)) == ["Inside", "Inside", "Other", "Secret"]


def listed_with(run: Run, config: Path) -> list[dict[str, object]]:
    result = run("--config", str(config), "list", "--limit", "0", "--json")
    ok(result)
    return json.loads(result.stdout)["articles"]  # type: ignore[no-any-return]


def test_an_index_made_when_every_link_was_followed_goes_on_following_them(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "n"
    write(tmp_path / "outside" / "a.txt", "Linked\n\nLinked words.\n")
    write(root / "own.txt", "Own\n\nOwn words.\n")
    (root / "linked").symlink_to(tmp_path / "outside")
    config = write(tmp_path / "c.yaml", "follow_links: true\n")
    ok(run("--config", str(config), "index", str(root)))
    manifest = tmp_path / "data" / "newscli" / "index" / "manifest.json"
    made_before = {k: v for k, v in json.loads(manifest.read_text()).items() if k != "follow_links"}
    manifest.write_text(json.dumps(made_before))  # as a version that followed every link wrote it
    searched = run("search", "words")
    ok(searched)
    assert "removed" not in searched.stderr
    assert sorted(a["title"] for a in listed(run)) == ["Linked", "Own"]
