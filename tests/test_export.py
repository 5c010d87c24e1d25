"""`newscli export`: every match, in each format, read back by the parser its users' tools use."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from .conftest import Run, doc, index, write

HOSTILE = "Quotes \"like this\", commas, a\nnewline, =cmd|' /C calc'!A0, {braces} and 100% } {"
TITLE = " ".join(HOSTILE.split())  # a title is one line


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """Articles that test a format: a hostile title, no date, no author, names beyond ASCII."""
    root = tmp_path / "odd"
    write(
        root / "hostile.jsonl",
        json.dumps(
            {
                "title": HOSTILE,
                "source": "Le Monde",
                "date": "2024-03-05T09:30:00Z",
                "authors": ["Zoë Çelik", "José María Aznar-López", "Smith and Sons"],
                "url": "https://example.org/a?b=1&c={x}",
                "body": "-1 vote counted. Tabs\tand\r\nline ends, and \x1b[31mred\x1b[0m.",
                "tags": ["politics", "élection"],
            }
        )
        + "\n"
        + json.dumps({"title": "@everyone: budget vote", "body": "A budget vote with no date, no author, no outlet."})
        + "\n"
        + json.dumps({"title": "+10% budget", "source": "Reuters", "date": "2023-11-20", "body": "Budget up."})
        + "\n",
    )
    return root


def exported(run: Run, *args: str) -> str:
    result = run("export", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_csv_is_rfc_4180_and_safe_in_a_spreadsheet(run: Run, odd: Path) -> None:
    index(run, odd)
    text = exported(run, "--format", "csv", "--sort", "newest")
    assert "\r\n" in text and "\x1b" not in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["title"] for r in rows] == [TITLE, "'+10% budget", "'@everyone: budget vote"]
    first = rows[0]
    assert "=cmd|" in first["title"]  # within a cell, not at its start: kept as it is
    assert first["text"].startswith("'-1 vote counted.")  # a formula's first character, made text
    assert "\t" in first["text"] and "\r" not in first["text"] and "[31mred" in first["text"]
    assert first["authors"] == "Zoë Çelik; José María Aznar-López; Smith and Sons"
    assert first["outlets"] == "Le Monde" and first["tags"] == "politics; élection"
    assert (first["read"], first["starred"], first["labels"]) == ("false", "false", "")
    assert rows[2]["date"] == "" and rows[2]["source"] == "" and rows[2]["authors"] == ""
    assert list(rows[0]) == [
        "id", "date", "source", "outlets", "title", "authors", "url", "language", "tags", "labels",
        "read", "starred", "path", "text",
    ]  # fmt: skip
    raw = list(csv.DictReader(io.StringIO(exported(run, "-f", "csv", "--raw", "--no-text"), newline="")))
    assert {"+10% budget", "@everyone: budget vote"} <= {r["title"] for r in raw} and "text" not in raw[0]


def test_json_lines_are_the_json_contracts_articles_with_marks(run: Run, odd: Path) -> None:
    index(run, odd)
    ids = [json.loads(line)["id"] for line in exported(run, "-f", "jsonl").splitlines()]
    assert run("mark", ids[0], "--star", "--label", "thesis").exit_code == 0
    lines = [json.loads(line) for line in exported(run, "-f", "jsonl").splitlines()]
    assert len(lines) == 3 and all(
        {"id", "title", "outlets", "read", "starred", "labels", "body"} <= set(x) for x in lines
    )
    marked = next(x for x in lines if x["id"] == ids[0])
    assert marked["starred"] is True and marked["labels"] == ["thesis"]
    raw = exported(run, "-f", "jsonl", "--no-text")
    assert "\\u001b" not in raw and "body" not in json.loads(raw.splitlines()[0])
    assert "\\u001b[31mred" in exported(run, "counted", "-f", "jsonl")  # escaped, as JSON keeps it


def test_ris_read_back_by_rispy(run: Run, odd: Path) -> None:
    index(run, odd)
    entries = rispy.loads(exported(run, "-f", "ris"))
    assert len(entries) == 3
    hostile = entries[0]
    assert hostile["type_of_reference"] == "NEWS"
    assert hostile["title"] == TITLE
    assert hostile["authors"] == ["Çelik, Zoë", "Aznar-López, José María", "Smith and Sons"]
    assert hostile["secondary_title"] == "Le Monde"
    assert hostile["date"] == "2024/03/05/" and hostile["year"] == "2024"
    assert hostile["urls"] == ["https://example.org/a?b=1&c={x}"]
    assert hostile["keywords"] == ["politics", "élection"]
    assert hostile["access_date"] == date.today().strftime("%Y/%m/%d")  # the day of the export
    assert entries[1]["date"] == "2023/11/20/"
    undated = entries[2]
    assert "authors" not in undated and "date" not in undated and undated["title"] == "@everyone: budget vote"


def test_bibtex_read_back_by_bibtexparser(run: Run, odd: Path) -> None:
    index(run, odd)
    library = bibtexparser.parse_string(exported(run, "-f", "bibtex", "--sort", "newest"))
    assert not library.failed_blocks, library.failed_blocks
    entries = library.entries
    assert len(entries) == 3 and len({e.key for e in entries}) == 3
    hostile = entries[0]
    assert hostile.entry_type == "article" and hostile["entrysubtype"] == "newspaper"
    title = hostile["title"]
    assert title.startswith("{") and title.count("{") - title.count("\\{") == title.count("}") - title.count("\\}")
    assert "100\\% \\}" in title and "\\{braces\\}" in title
    assert hostile["author"] == "Çelik, Zoë and Aznar-López, José María and {Smith and Sons}"
    assert hostile["journal"] == "Le Monde" and hostile["date"] == "2024-03-05" and hostile["month"] == "mar"
    assert hostile["url"] == "https://example.org/a?b=1&c=%7Bx%7D" and hostile["urldate"] == date.today().isoformat()
    assert {"author", "date", "journal"}.isdisjoint(entries[2].fields_dict)


def test_csl_json_rendered_by_citeproc(run: Run, odd: Path) -> None:
    index(run, odd)
    items = json.loads(exported(run, "-f", "csl-json", "--sort", "newest"))
    assert [i["type"] for i in items] == ["article-newspaper"] * 3
    assert items[0]["author"][0] == {"family": "Çelik", "given": "Zoë"}
    assert items[0]["issued"] == {"date-parts": [[2024, 3, 5]]} and items[1]["issued"] == {
        "date-parts": [[2023, 11, 20]]
    }
    assert "issued" not in items[2] and "author" not in items[2]
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 3
    assert any("Le Monde" in r and "Çelik" in r and "2024" in r for r in rendered), rendered
    assert any("@everyone: budget vote" in r for r in rendered), rendered
    assert json.loads(exported(run, "nothingmatchesthis", "-f", "csl-json")) == []


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (apt-get install pandoc)")
def test_pandoc_makes_a_bibliography_of_the_bibtex_and_of_the_csl_json(run: Run, odd: Path, tmp_path: Path) -> None:
    index(run, odd)
    assert run("export", "-o", "refs.bib").exit_code == 0 and run("export", "-o", "refs.json").exit_code == 0
    keys = [item["id"] for item in json.loads((tmp_path / "refs.json").read_text())]
    write(tmp_path / "paper.md", " ".join(f"[@{key}]" for key in keys) + "\n\n# References\n")
    for refs in ("refs.bib", "refs.json"):
        done = subprocess.run(
            ["pandoc", "paper.md", "--citeproc", "--bibliography", refs, "-t", "plain"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert done.returncode == 0 and "warning" not in done.stderr.lower(), done.stderr
        made = " ".join(done.stdout.split()).lower()  # (the style sets titles in title case)
        assert "le monde, march 5, 2024" in made and "“@everyone: budget vote.” n.d." in made, made
        assert "(çelik, aznar-lópez, and smith and sons 2024)" in made, made  # a firm's name is one name
        assert "{braces} and 100% } {" in made and "reuters. 2023." in made, made  # TeX's specials as written


def test_every_match_not_a_page_in_rank_or_date_order(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "many"
    for i in range(25):
        date = f"2024-01-{i + 1:02d}"
        write(root / f"{i:02d}.md", doc(f"Harbour report {i}", "harbour " * (i % 5 + 1), date=date, source="Port"))
    write(root / "other.md", doc("Nothing here", "other words", date="2024-02-01"))
    index(run, root)
    newest = [json.loads(x)["date"] for x in exported(run, "harbour", "-f", "jsonl", "--sort", "newest").splitlines()]
    assert len(newest) == 25 and newest == sorted(newest, reverse=True)
    oldest = [json.loads(x)["date"] for x in exported(run, "-f", "jsonl", "--sort", "oldest").splitlines()]
    assert len(oldest) == 26 and oldest == sorted(oldest)
    everything = [json.loads(x)["date"] for x in exported(run, "-f", "jsonl").splitlines()]
    assert everything == sorted(everything, reverse=True)  # no query: newest first
    ranked = [json.loads(x)["id"] for x in exported(run, "harbour", "-f", "jsonl").splitlines()]
    searched = json.loads(run("search", "harbour", "--all", "--limit", "0", "--json").stdout)["hits"]
    assert ranked == [h["id"] for h in searched]
    since = exported(run, "harbour", "-f", "csv", "--since", "2024-01-20", "--source", "Port", "--no-text")
    assert len(list(csv.DictReader(io.StringIO(since, newline="")))) == 6


def test_the_format_follows_the_files_suffix_and_the_file_is_whole(run: Run, odd: Path, tmp_path: Path) -> None:
    from newscli.commands.export import BY_SUFFIX, FORMATS
    from newscli.exporting import formats

    assert set(FORMATS) == set(formats()) == set(BY_SUFFIX.values())
    index(run, odd)
    result = run("export", "-o", "out.bib")
    assert result.exit_code == 0 and "exported 3 articles to out.bib" in result.stderr
    assert bibtexparser.parse_string((tmp_path / "out.bib").read_text()).entries
    assert run("export", "-o", "out.json").exit_code == 0
    assert len(json.loads((tmp_path / "out.json").read_text())) == 3
    unknown = run("export", "-o", "out.txt")
    assert unknown.exit_code == 2 and "say which format" in unknown.stderr and not (tmp_path / "out.txt").exists()
    missing = run("export", "-o", "no/such/folder/x.csv")
    assert missing.exit_code == 2 and "no folder" in missing.stderr
    assert run("export", "-f", "xml").exit_code == 2
    assert not list(tmp_path.glob(".out.*.tmp"))


@pytest.mark.slow
@pytest.mark.terminal
def test_a_progress_bar_counts_the_articles_on_a_terminal_only(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "wire"
    lines = (json.dumps({"title": f"Wire {i}", "body": "report " * 300}) + "\n" for i in range(3000))
    write(root / "w.jsonl", "".join(lines))  # a second or two of export: the bar is drawn 10 times a second
    index(run, root)
    assert "exporting" not in run("export", "-o", "piped.csv").stderr  # to a pipe: no bar
    main, side = pty.openpty()
    command = [sys.executable, "-m", "newscli", "--no-server", "export", "-o", "shown.csv"]
    env = {**os.environ, "TERM": "xterm-256color"}
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=side, env=env, timeout=60, cwd=tmp_path)
    os.close(side)
    shown = b""
    with contextlib.suppress(OSError):  # (EIO once the terminal's other end is closed and read)
        while chunk := os.read(main, 65536):
            shown += chunk
    os.close(main)
    assert done.returncode == 0 and "exporting" in shown.decode() and "/3000" in shown.decode(), shown
    assert len((tmp_path / "shown.csv").read_text().splitlines()) == 3001


@pytest.mark.slow
def test_an_interrupted_export_leaves_no_file(tmp_path: Path) -> None:
    """Killed with SIGINT or SIGTERM halfway through a large export, the file is as it was: absent."""
    root = tmp_path / "big"
    lines = [json.dumps({"title": f"Wire {i}", "body": "report " * 400, "date": "2024-01-01"}) for i in range(6000)]
    write(root / "wire.jsonl", "\n".join(lines) + "\n")
    env = {**os.environ, "NEWSCLI_SERVER": "off"}
    cli = [sys.executable, "-m", "newscli"]
    subprocess.run([*cli, "index", str(root)], env=env, check=True, capture_output=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        target = tmp_path / "wire.csv"
        process = subprocess.Popen([*cli, "export", "-o", str(target)], env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".wire.csv.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, "the export ended before it could be interrupted"
        process.send_signal(sig)
        process.wait(30)
        assert process.returncode != 0
        assert not target.exists() and not list(tmp_path.glob(".wire.csv.*")), sig
    done = subprocess.run([*cli, "export", "-o", str(tmp_path / "wire.csv")], env=env, capture_output=True)
    assert done.returncode == 0 and len((tmp_path / "wire.csv").read_text().splitlines()) > 6000
