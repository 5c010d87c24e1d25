"""What is new for each saved search: `saved`'s new count, `saved new`, `alerts`, and what `fetch` says
and runs; with feeds served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .conftest import Run, doc, index, write
from .test_fetch import follow, item, rss, serve


def new_counts(run: Run) -> dict[str, int]:
    result = run("saved", "--json")
    assert result.exit_code == 0, result.stderr
    return {s["name"]: s["new"] for s in json.loads(result.stdout)["saved"]}


def add(root: Path, name: str, title: str) -> None:
    write(root / f"{name}.md", doc(title, f"{title}. More about it.", date="2024-05-01", source="Wire"))


@pytest.fixture
def root(run: Run, tmp_path: Path) -> Path:
    """An archive of one article, indexed."""
    folder = tmp_path / "news"
    add(folder, "a", "Harbour strike begins")
    index(run, folder)
    return folder


def test_new_matches_are_counted_until_looked_at(run: Run, root: Path) -> None:
    assert run("saved", "add", "harbour", "harbour").exit_code == 0
    assert run("saved", "add", "rail", "rail").exit_code == 0
    assert new_counts(run) == {"harbour": 0, "rail": 0}  # what was there when it was saved is not new
    add(root, "b", "Harbour strike spreads")
    add(root, "c", "Harbour cranes idle")
    add(root, "d", "Rail fares rise")
    assert new_counts(run) == {"harbour": 2, "rail": 1}
    shown = run("saved", "new", "harbour", "--json")
    assert shown.exit_code == 0, shown.stderr
    listed = json.loads(shown.stdout)
    assert listed["new"] == 2 and {a["title"] for a in listed["articles"]} == {
        "Harbour strike spreads",
        "Harbour cranes idle",
    }
    assert new_counts(run) == {"harbour": 0, "rail": 1}
    again = run("saved", "new", "harbour")
    assert again.exit_code == 1 and "nothing new for @harbour" in again.stderr
    table = run("saved")
    assert "New" in table.stdout and table.exit_code == 0


def test_each_way_of_looking_moves_the_point(run: Run, root: Path) -> None:
    run("saved", "add", "harbour", "harbour")
    add(root, "b", "Harbour strike spreads")
    assert run("search", "@harbour", "--source", "Wire").exit_code == 0  # narrowed: not all of it seen
    assert new_counts(run)["harbour"] == 1
    assert run("search", "@harbour sanctions OR strike").exit_code == 0  # more than the saved search
    assert new_counts(run)["harbour"] == 1
    assert run("search", "@harbour", "--json").exit_code == 0
    assert new_counts(run)["harbour"] == 0
    add(root, "c", "Harbour cranes idle")
    assert new_counts(run)["harbour"] == 1
    alerts = run("alerts")
    assert alerts.exit_code == 0 and "@harbour: 1 new" in alerts.stdout and "Harbour cranes idle" in alerts.stdout
    assert new_counts(run)["harbour"] == 1  # alerts lists and leaves them new
    assert run("alerts", "--seen").exit_code == 0
    assert new_counts(run)["harbour"] == 0
    nothing = run("alerts")
    assert nothing.exit_code == 1 and nothing.stdout == "" and "nothing new" in nothing.stderr
    assert json.loads(run("alerts", "--json").stdout)["alerts"] == []


def test_an_edited_query_starts_from_now_and_an_unchanged_one_keeps_its_point(run: Run, root: Path) -> None:
    run("saved", "add", "watch", "harbour")
    add(root, "b", "Harbour strike spreads")
    add(root, "c", "Rail strike called")
    assert new_counts(run)["watch"] == 1
    assert run("saved", "add", "watch", "harbour").exit_code == 0  # saved again as it was
    assert new_counts(run)["watch"] == 1
    assert run("saved", "add", "watch", "strike").exit_code == 0  # edited: from now on
    assert new_counts(run)["watch"] == 0
    add(root, "d", "Bus strike ends")
    assert new_counts(run)["watch"] == 1


def test_a_rebuilt_index_keeps_what_was_seen_and_an_edited_article_is_not_new(run: Run, root: Path) -> None:
    run("saved", "add", "harbour", "harbour")
    add(root, "b", "Harbour strike spreads")
    assert run("index", "--rebuild").exit_code == 0
    assert new_counts(run)["harbour"] == 1  # new before the rebuild, new after it
    run("saved", "new", "harbour")
    write(root / "a.md", doc("Harbour strike begins", "Edited text about the harbour.", date="2024-05-01"))
    assert run("index", "--rebuild").exit_code == 0
    assert new_counts(run)["harbour"] == 0


def test_saved_searches_of_an_older_marks_db_start_from_now(run: Run, root: Path) -> None:
    db_path = Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "marks.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(db_path)
    db.executescript("CREATE TABLE saved (name TEXT PRIMARY KEY, query TEXT NOT NULL);")
    db.execute("INSERT INTO saved VALUES ('old', 'harbour')")
    db.commit()
    db.close()
    assert new_counts(run) == {"old": 0}
    add(root, "b", "Harbour strike spreads")
    assert new_counts(run) == {"old": 1}


def test_the_reader_and_read_at_name_move_the_point(run: Run, root: Path) -> None:
    """Opening a saved search in the reader (as `read @NAME` does) counts what it finds seen."""
    import asyncio

    from newscli import config
    from newscli.indexing import fresh
    from newscli.reading.app import Reader, View
    from newscli.reading.marks import Marks

    run("saved", "add", "harbour", "harbour")
    add(root, "b", "Harbour strike spreads")
    add(root, "c", "Harbour cranes idle")
    assert new_counts(run)["harbour"] == 2
    settings = config.load()

    async def open_reader(view: View) -> None:
        engine = fresh.up_to_date(settings, None, lambda message: None)
        with Marks() as marks:
            app = Reader(engine, marks, settings, view)
            async with app.run_test() as pilot:
                await pilot.pause()
        engine.close()

    asyncio.run(open_reader(View("is:unread")))
    assert new_counts(run)["harbour"] == 2
    asyncio.run(open_reader(View("@harbour")))
    assert new_counts(run)["harbour"] == 0


# What `fetch` says and runs, against a real HTTP server.

RECORDER = """
import json, os, sys
data = json.load(sys.stdin)
with open(sys.argv[1], "a") as f:
    f.write(json.dumps({"env": os.environ["NEWSCLI_SAVED"], "count": os.environ["NEWSCLI_NEW"], "data": data}) + "\\n")
"""


def configure(alerts: str) -> None:
    write(Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "config.yaml", f"alerts:\n{alerts}")


@pytest.fixture
def wire(run: Run, httpserver: HTTPServer) -> HTTPServer:
    serve(httpserver, "/wire", rss(item("w1", "Harbour strike begins", "Dockers walked out.")))
    follow(run, httpserver, "/wire")
    assert run("fetch").exit_code == 0
    assert run("saved", "add", "harbour", "harbour").exit_code == 0
    assert run("saved", "add", "rail", "rail").exit_code == 0
    httpserver.clear()
    more = [item(f"w{i}", f"Harbour strike day {i}", "Dockers stayed out.") for i in range(2, 6)]
    serve(httpserver, "/wire", rss(item("w1", "Harbour strike begins", "Dockers walked out."), *more))
    return httpserver


def test_fetch_says_what_it_brought_for_each_saved_search_and_runs_the_alert_command(
    run: Run, wire: HTTPServer, tmp_path: Path
) -> None:
    script = write(tmp_path / "record.py", RECORDER)
    got = tmp_path / "got.jsonl"
    configure(f"  command: [{sys.executable}, {script}, {got}]\n")
    assert new_counts(run) == {"harbour": 0, "rail": 0}
    result = run("fetch", "--json")
    assert result.exit_code == 0, result.stderr
    assert "newscli: @harbour: 4 new" in result.stderr and "@rail" not in result.stderr
    assert json.loads(result.stdout)["alerts"] == [{"name": "harbour", "new": 4}]
    (call,) = [json.loads(line) for line in got.read_text().splitlines()]
    assert (call["env"], call["count"]) == ("harbour", "4")
    assert call["data"]["version"] == 1 and call["data"]["name"] == "harbour" and call["data"]["new"] == 4
    assert sorted(a["title"] for a in call["data"]["articles"]) == [f"Harbour strike day {i}" for i in range(2, 6)]
    assert new_counts(run) == {"harbour": 4, "rail": 0}  # told, not seen
    again = run("fetch")  # nothing more: no line, no command
    assert "@harbour" not in again.stderr and len(got.read_text().splitlines()) == 1
    assert run("saved", "new", "harbour").exit_code == 0
    assert new_counts(run)["harbour"] == 0


def test_a_hanging_a_failing_and_a_missing_alert_command_never_fail_the_fetch(
    run: Run, wire: HTTPServer, tmp_path: Path
) -> None:
    marker = tmp_path / "grandchild-lived"
    hang = f"[sh, -c, 'sleep 30 && touch {marker}']"
    configure(f"  deadline: 1\n  command: {hang}\n  saved:\n    rail: [{sys.executable}, -c, 'exit(3)']\n")
    run("saved", "add", "rail", "harbour OR rail")  # edited: starts from now
    started = time.monotonic()
    result = run("fetch")
    took = time.monotonic() - started
    assert result.exit_code == 0, result.stderr
    assert took < 15, took
    assert "@harbour: alert command: sh was stopped after 1 s" in result.stderr
    assert f"@rail: alert command: {sys.executable} failed (exit status 3)" in result.stderr
    time.sleep(0.2)
    assert not marker.exists()
    configure("  command: /no/such/notifier --now\n")
    run("saved", "add", "harbour", "harbour OR dockers")
    wire.clear()
    serve(wire, "/wire", rss(item("w9", "Harbour strike day 9", "Dockers.")))
    result = run("fetch")
    assert result.exit_code == 0
    assert "@harbour: alert command: cannot run /no/such/notifier: No such file or directory" in result.stderr


def test_an_alert_command_written_as_a_line_runs_without_a_shell(run: Run, wire: HTTPServer, tmp_path: Path) -> None:
    script = write(tmp_path / "record.py", RECORDER)
    got = tmp_path / "got.jsonl"
    configure(f"  command: {sys.executable} {script} {got} ; touch {tmp_path / 'injected'}\n")
    result = run("fetch")
    assert result.exit_code == 0 and "@harbour: 4 new" in result.stderr, result.stderr
    assert got.exists() and not (tmp_path / "injected").exists()


def test_without_an_alert_command_fetch_only_says(run: Run, wire: HTTPServer) -> None:
    result = run("fetch")
    assert result.exit_code == 0 and "@harbour: 4 new" in result.stderr and "alert command" not in result.stderr


@pytest.mark.parametrize(
    ("alerts", "says"),
    [
        ('  command: "notify-send \'unclosed"\n', "a command a shell could split"),
        ("  command: []\n", "commands are a line or a list"),
        ("  deadline: -1\n", "deadline is a positive number"),
        ("  when: now\n", "a mapping with command, deadline and saved"),
    ],
)
def test_a_bad_alerts_setting_is_one_line_naming_the_file(run: Run, alerts: str, says: str) -> None:
    configure(alerts)
    result = run("saved")
    assert result.exit_code == 2 and says in result.stderr and "config.yaml:1:" in result.stderr
    assert "Traceback" not in result.stderr
