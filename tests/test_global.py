"""What every command shares: options, config, errors, colour, help, start-up and safe output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run, doc, index, write


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "last tuesday"],
        ["--until", "2024-13"],
        ["--limit", "-1"],
        ["--sort", "best"],
        ["--page", "0"],
        ["--nope"],
    ],
)
def test_bad_options_are_one_line_usage_errors(run: Run, archive: Path, args: list[str]) -> None:
    result = run("search", "x", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("newscli: error: newscli search: ")


def test_index_dir_option_and_environment(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("--index-dir", str(tmp_path / "flag"), "index")
    assert (tmp_path / "flag" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "env"))
    run("index")
    assert (tmp_path / "env" / "manifest.json").is_file()
    assert not (tmp_path / "data" / "newscli" / "index").exists()


def test_config_sets_archive_and_index(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "elsewhere" / "s.txt", "Tram strike\n\nNo trams ran.\n")
    config = write(
        tmp_path / "config" / "newscli" / "config.yaml",
        f"archive: {tmp_path / 'elsewhere'}\nindex_dir: {tmp_path / 'ix'}\n",
    )
    assert run("search", "tram").exit_code == 0
    assert (tmp_path / "ix" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "ix2"))
    assert run("--config", str(config), "search", "tram").exit_code == 0
    assert (tmp_path / "ix2" / "manifest.json").is_file()


def test_config_field_names_map_json(run: Run, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "fields:\n  title: [name]\n  body: story\n")
    write(tmp_path / "n" / "x.json", json.dumps({"name": "Mapped title", "story": "Mapped body."}))
    assert run("--config", str(config), "index", str(tmp_path / "n")).exit_code == 0
    found = run("--config", str(config), "search", "mapped", "--json")
    assert json.loads(found.stdout)["hits"][0]["title"] == "Mapped title"
    # Without that mapping the record has no title or text: it leaves the index, with its reason.
    assert "x.json: no title and no text" in run("index").stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("color: [always\n", "c.yaml:1: invalid YAML"),
        ("archive: x\nindex_dir: 5\n", "c.yaml:2: 'index_dir' must be a folder"),
        ("colour: never\n", "c.yaml:1: unknown setting 'colour'"),
        ("color: never\nbackend: lucene\n", "c.yaml:2: 'backend' must be one of whoosh"),
        ("- a list\n", "a config file must be a mapping"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_line(run: Run, tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path / "c.yaml", text)
    result = run("--config", str(config), "sources")
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_missing_config_file(run: Run) -> None:
    result = run("--config", "nope.yaml", "sources")
    assert (result.exit_code, result.stderr) == (2, "newscli: error: config file nope.yaml does not exist\n")


def test_verbose_adds_a_traceback(run: Run) -> None:
    assert "Traceback" not in run("--config", "nope.yaml", "sources").stderr
    assert "Traceback" in run("-v", "--config", "nope.yaml", "sources").stderr


def test_markup_in_articles_is_printed_literally(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "x.txt",
        "[bold red]Breaking[/] \x1b]52;c;ZXZpbA==\x07news\n\nBody [link=http://x]here[/link].\n",
    )
    index(run, tmp_path / "n")
    out = run("--color", "always", "search", "breaking").stdout
    assert "[bold red]Breaking[/]" in out
    assert "\x1b]52" not in out and "^[]52;c;ZXZpbA==^G" in out
    shown = run("show", json.loads(run("search", "breaking", "--json").stdout)["hits"][0]["id"])
    assert "[link=http://x]here[/link]" in shown.stdout


HOSTILE_TITLE = (
    "Alarm \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ bell\x07 back\x08 cr\r end"
)


def test_escape_sequences_in_articles_never_reach_the_terminal(run: Run, tmp_path: Path) -> None:
    write(
        tmp_path / "n" / "x.md",
        f"---\ntitle: {json.dumps(HOSTILE_TITLE)}\n"
        'source: "[link=http://evil.test]Wire[/link] \\e]52;c;ZXZpbA==\\a"\n'
        "date: 2024-03-01\n---\nBody with \x1b]52;c;ZXZpbA==\x07 a clipboard write and \x1b[2J a screen clear.\n",
    )
    index(run, tmp_path / "n")
    article = json.loads(run("search", "alarm", "--json").stdout)["hits"][0]
    assert "\x1b[31mred" in article["title"]  # JSON keeps the text as written, escaped by JSON itself
    for command in (
        ["search", "alarm"],
        ["search", "alarm", "--explain", "--facets"],
        ["list"],
        ["sources"],
        ["show", article["id"], "--no-pager"],
        ["timeline", "alarm"],
    ):
        out = run("--color", "always", *command).stdout
        assert "\x1b]" not in out and not any(c in out for c in "\x07\x08\r"), command
        assert not re.search(r"\x1b\[(31|0|2J)m?(red|\s*a screen)", out), command
    shown = run("--color", "always", "show", article["id"], "--no-pager").stdout
    assert "^[[31mred" in shown and "[link=http://evil.test]Wire[/link]" in shown


def test_paths_in_an_article_do_not_decide_what_is_read(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "n" / "x.md", doc("Decoy", "The decoy text.", path="/etc/passwd", record="3", id="../../etc"))
    index(run, tmp_path / "n")
    found = json.loads(run("search", "decoy", "--json").stdout)["hits"][0]
    assert found["path"] == str(tmp_path / "n" / "x.md")
    raw = run("show", found["id"], "--raw").stdout
    assert raw.rstrip("\n") == (tmp_path / "n" / "x.md").read_text().rstrip("\n") and "root:" not in raw


def test_color_never_and_always(run: Run, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run("--color", "never", "search", "Ukraine").stdout
    assert "\x1b[33m" in run("--color", "always", "search", "Ukraine").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[33m" in run("--color", "always", "search", "Ukraine").stdout


def test_version_and_help(run: Run) -> None:
    from newscli import __version__

    assert run("--version").stdout == f"newscli, version {__version__}\n"
    for args in ([], ["-h"], ["search", "-h"], ["show", "--help"], ["list", "-h"], ["index", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Examples:" in result.stdout


# Modules a command loads only when it needs them: each costs start-up time.
LATE = (
    "traceback",
    "multiprocessing",
    "whoosh.lang.morph_en",
    "urllib.request",
    "asyncio",
    "sqlite3",
    "textual",
    "httpx",
)


@pytest.mark.parametrize(
    ("args", "also_late"),
    [(["--help"], ("dataclasses", "whoosh", "rich")), (["search", "Ukraine"], ())],
)
def test_commands_load_only_what_they_need(
    run: Run, archive: Path, args: list[str], also_late: tuple[str, ...]
) -> None:
    assert run("index").exit_code == 0
    script = (
        "import sys\n"
        "from newscli.core import Environment, run\n"
        f"code = run({args!r}, Environment.of_process())\n"
        "assert code == 0, code\n"
        f"print([m for m in {LATE + also_late!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stderr.splitlines()[-1] == "[]", done.stderr


def test_no_progress_bar_on_a_pipe(run: Run, archive: Path) -> None:
    result = run("index")
    assert "━" not in result.stderr and "\x1b" not in result.stderr


def test_flags_beat_environment_beat_config(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "c.yaml", f"index_dir: {tmp_path / 'from-config'}\n")
    monkeypatch.setenv("NEWSCLI_CONFIG", str(config))
    run("index")
    assert (tmp_path / "from-config" / "manifest.json").is_file()
    monkeypatch.setenv("NEWSCLI_INDEX_DIR", str(tmp_path / "from-env"))
    run("index")
    assert (tmp_path / "from-env" / "manifest.json").is_file()
    run("--index-dir", str(tmp_path / "from-flag"), "index")
    assert (tmp_path / "from-flag" / "manifest.json").is_file()
