"""`newscli read`: the reader driven headless with Textual's Pilot, as snapshots, and in a real terminal (tmux)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from newscli import config
from newscli.indexing.fresh import up_to_date
from newscli.reading.app import Reader, View
from newscli.reading.marks import Marks

from .conftest import Run, index
from .conftest import write as conftest_write

Drive = Callable[[Any, Reader], Awaitable[None]]


def reader(view: View | None = None) -> Reader:
    settings = config.load()
    return Reader(up_to_date(settings, None, lambda _: None), Marks(), settings, view or View())


def drive(app: Reader, steps: Drive, size: tuple[int, int] = (120, 30)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot, app)

    asyncio.run(main())


def titles(app: Reader) -> list[str]:
    return [a.title for a in app.rows]


def marks_of(run: Run) -> dict[str, dict[str, Any]]:
    return {x["id"]: x for x in map(json.loads, run("state", "export", "-").stdout.splitlines())}


def text_of(app: Reader, widget: str) -> str:
    """What a Static shows, as plain text."""
    from rich.console import Console

    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(app.query_one(widget).content)  # type: ignore[attr-defined]
    return console.export_text()


def status(app: Reader) -> str:
    return text_of(app, "#status")


def test_reading_moving_opening_starring_labelling(run: Run, news: Path) -> None:
    index(run, news)

    async def steps(pilot: Any, app: Reader) -> None:
        assert titles(app) == [  # the unread articles, newest first; the undated last
            "Peace talks resume in Geneva",
            "Leap day budget vote",
            "Troop build-up on the border",
            "Election night",
            "Cocoa prices rise",
        ]
        await pilot.press("j", "j", "k")
        assert app.query_one("DataTable").cursor_row == 1
        await pilot.press("enter")  # opened: shown, and marked read at once
        assert "Parliament voted on the budget" in text_of(app, "#text")
        assert marks_of(run)[app.rows[1].id]["read"] is True
        await pilot.press("s", "l", *"later", "enter")
        mark = marks_of(run)[app.rows[1].id]
        assert (mark["starred"], mark["labels"]) == (True, ["later"])
        await pilot.press("n")  # the next unread: opened
        assert app.query_one("DataTable").cursor_row == 2
        assert marks_of(run)[app.rows[2].id]["read"] is True
        await pilot.press("N")  # and unread again
        assert app.rows[2].id not in marks_of(run)  # no mark left at all
        await pilot.press("q")
        assert not app.is_running

    drive(reader(), steps)


@pytest.mark.slow
def test_searching_in_place_and_a_bad_query_said_there(run: Run, news: Path) -> None:
    index(run, news)

    async def steps(pilot: Any, app: Reader) -> None:
        await pilot.press("slash", *"cocoa OR votes", "enter")
        assert sorted(titles(app)) == ["Cocoa prices rise", "Election night", "Leap day budget vote"]
        await pilot.press("slash", "ctrl+u", "asterisk", "enter")
        assert "error:" in status(app) and app.query_one("#ask").has_class("shown")
        assert sorted(titles(app)) == ["Cocoa prices rise", "Election night", "Leap day budget vote"]  # kept
        await pilot.press("ctrl+u", *"@nothing", "enter")
        assert "no saved search called @nothing" in status(app)
        await pilot.press("ctrl+u", *"is:starred", "enter")
        assert titles(app) == []
        await pilot.press("q")

    drive(reader(), steps)


def test_mark_all_read_and_the_side_list(run: Run, news: Path) -> None:
    index(run, news)
    run("saved", "add", "money", "budget OR cocoa")

    async def steps(pilot: Any, app: Reader) -> None:
        side = [str(o.prompt) for o in app.query_one("#side").options]  # type: ignore[attr-defined]
        assert side[:4] == ["Unread", "Starred", "Stories", "@money"] and "Reuters (2)" in side
        await pilot.press("A")
        assert all(m["read"] for m in marks_of(run).values()) and len(marks_of(run)) == 5
        app.action_refresh()
        await pilot.pause()
        assert titles(app) == []  # nothing unread
        assert "Reuters (0)" in [str(o.prompt) for o in app.query_one("#side").options]  # type: ignore[attr-defined]
        await pilot.press("q")

    drive(reader(), steps)


def test_the_stories_of_the_last_day_in_the_side_list(run: Run, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from .test_stories import FLOODS, LATER, RATES, put, wire

    now = datetime.now(UTC)
    rows = [(n, s, (now - timedelta(hours=10) + timedelta(minutes=5 * i)).isoformat(), t, b) for i, (n, s, _, t, b) in
            enumerate(FLOODS + RATES)]  # fmt: skip
    put(tmp_path / "today", rows)
    put(tmp_path / "today", [("old", "AP", (now - timedelta(days=3)).isoformat(), "Old news", LATER[0][4])])
    wire(tmp_path / "today", now - timedelta(days=6))  # the news of the days before
    index(run, tmp_path / "today")

    async def steps(pilot: Any, app: Reader) -> None:
        side = app.query_one("#side")
        side.focus()
        side.highlighted = [str(o.prompt) for o in side.options].index("Stories")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert titles(app) == [
            "Deadly flash floods hit Spain's east coast",
            "European Central Bank lowers interest rates again",  # the story's most central article
            "Bank of England holds interest rates as inflation lingers",
        ]
        assert status(app).startswith("stories of the last 24 hours: 3")
        table = app.query_one("#list")
        assert "4 outlets" in str(table.get_row_at(0)[2]) and "(4 articles)" in str(table.get_row_at(0)[3])  # type: ignore[attr-defined]
        await pilot.press("enter")  # the story: its articles, in time order
        await pilot.pause()
        assert [a.source for a in app.rows] == ["Reuters", "Yahoo News", "BBC News", "Al Jazeera"]
        assert status(app).startswith("story ") and "4 articles" in status(app)
        await pilot.press("enter")  # the first article, read
        await pilot.pause()
        assert "Flash floods swept through the Valencia region" in text_of(app, "#text")
        await pilot.press("q", "q")

    drive(reader(), steps, size=(160, 40))


def test_it_opens_on_a_query_and_long_lists_load_as_they_scroll(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    (root / "wire.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Wire story {n}",
                    "body": "Markets moved.",
                    "date": f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}Z",
                }
            )
            + "\n"
            for n in range(450)
        )
    )
    index(run, root)

    async def steps(pilot: Any, app: Reader) -> None:
        assert len(app.rows) == 200 and app.more
        app.query_one("DataTable").move_cursor(row=190)
        await pilot.pause()
        assert len(app.rows) == 400
        app.query_one("DataTable").move_cursor(row=395)
        await pilot.pause()
        assert len(app.rows) == 450 and not app.more
        await pilot.press("q")

    drive(reader(View("markets")), steps)


def test_snapshots_at_80x24_and_160x48(run: Run, news: Path, snap_compare: Any) -> None:
    fixed = Path(tempfile.gettempdir()) / "newscli-snapshots" / "news"  # the article pane shows its path
    shutil.rmtree(fixed, ignore_errors=True)
    shutil.copytree(news, fixed)
    index(run, fixed)
    run("mark", "--all", "votes", "--star", "--read")
    for size in ((80, 24), (160, 48)):
        assert snap_compare(reader(), terminal_size=size, press=["j", "enter"])


@pytest.mark.slow
@pytest.mark.terminal
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")
def test_read_in_a_real_terminal(run: Run, news: Path, tmp_path: Path) -> None:
    index(run, news)
    session = f"newscli-read-{os.getpid()}"
    command = f"{sys.executable} -m newscli --no-server read; echo exited $? > {tmp_path / 'done'}; sleep 60"
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "30", command], env=env, check=True)

    def screen() -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 20
        while text not in (shown := screen()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert text in shown, shown
        return shown

    try:
        wait_for("Peace talks")
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for("Diplomats met for ground")
        subprocess.run(["tmux", "send-keys", "-t", session, "s"], check=True)
        time.sleep(0.5)
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while not (tmp_path / "done").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "done").read_text().strip() == "exited 0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    (mark,) = marks_of(run).values()
    assert (mark["read"], mark["starred"]) == (True, True)


def test_help_open_url_and_fetch_from_the_reader(
    run: Run, news: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newscli.feeds.fetch import everything

    index(run, news)
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><guid>w1</guid>'
    feed += "<title>Zeppelin lands in the reader</title><link>https://example.org/z</link></item></channel></rss>"
    httpserver.expect_request("/rss").respond_with_data(feed, content_type="application/rss+xml")
    assert run("feeds", "add", httpserver.url_for("/rss")).exit_code == 0
    settings = config.load()
    app = Reader(
        up_to_date(settings, None, lambda _: None),
        Marks(),
        settings,
        reopen=lambda: up_to_date(settings, None, lambda _: None),
        fetch=lambda: everything(settings),
    )

    async def steps(pilot: Any, app: Reader) -> None:
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "Help"
        await pilot.press("escape")
        assert "Zeppelin lands in the reader" not in titles(app)
        await pilot.press("R")
        for _ in range(100):  # the fetch runs in a thread
            await pilot.pause(0.05)
            if "1 feed" in status(app):
                break
        assert "Zeppelin lands in the reader" in titles(app) and "1 feed: 1 new" in status(app)
        app.query_one("DataTable").move_cursor(row=titles(app).index("Zeppelin lands in the reader"))
        await pilot.press("o")
        assert opened == ["https://example.org/z"]
        await pilot.press("q")

    drive(app, steps)


def test_read_needs_a_terminal_and_a_known_saved_search(run: Run, news: Path) -> None:
    index(run, news)
    result = run("read")
    assert result.exit_code == 2 and "`newscli read` needs a terminal" in result.stderr
    unknown = run("read", "@nowhere")
    assert unknown.exit_code == 2 and "no saved search called @nowhere" in unknown.stderr


@pytest.mark.parametrize("damage", ["- url: [broken\n", "- url: !!python/name:os.system\n"])
def test_r_with_a_broken_feeds_file_is_said_in_the_status_line(run: Run, news: Path, damage: str) -> None:
    from newscli.feeds.fetch import everything

    from .test_feeds import feeds_file

    index(run, news)
    conftest_write(feeds_file(), damage)
    settings = config.load()
    app = Reader(up_to_date(settings, None, lambda _: None), Marks(), settings, fetch=lambda: everything(settings))

    async def steps(pilot: Any, app: Reader) -> None:
        await pilot.press("R")
        for _ in range(100):  # the fetch runs in a thread
            await pilot.pause(0.05)
            if "error" in status(app):
                break
        said = status(app).replace("\n", "")  # a long path wraps the status line
        assert said.startswith(f"error: {feeds_file()}:"), said
        assert app.is_running
        await pilot.press("q")

    drive(app, steps)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_reader_and_gives_the_terminal_back(run: Run, news: Path, signum: int) -> None:
    """On a real terminal (a pty): what the reader turned on (alternate screen, mouse) is turned off at the end."""
    import pty
    import select

    index(run, news)
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "newscli", "--no-server", "read"])
    seen = bytearray()

    def take(seconds: float, until: bytes | None = None) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until and until in seen):
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(fd, 1 << 16)
                except OSError:
                    return
                if not chunk:
                    return
                seen.extend(chunk)

    try:
        take(30, until=b"Peace talks")
        assert b"Peace talks" in seen and b"\x1b[?1049h" in seen  # up, on the alternate screen
        shown = len(seen)
        os.kill(pid, signum)
        take(15)
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    after = bytes(seen[shown:])
    assert b"\x1b[?1049l" in after and b"\x1b[?1000l" in after, after[-300:]  # the screen and the mouse given back
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signum


def test_q_quits_at_once_while_r_still_fetches(run: Run, news: Path) -> None:
    import threading

    index(run, news)
    settings = config.load()
    hanging = threading.Event()  # a fetch that does not end (a feed trickling its headers), for 20 s

    def fetch() -> str:
        hanging.wait(20)
        return "done"

    app = Reader(up_to_date(settings, None, lambda _: None), Marks(), settings, fetch=fetch)

    async def steps(pilot: Any, app: Reader) -> None:
        await pilot.press("R")
        await pilot.pause(0.2)
        assert "fetching the feeds" in status(app)
        await pilot.press("R")
        assert "still fetching" in status(app)
        await pilot.press("q")

    started = time.monotonic()
    drive(app, steps)
    took = time.monotonic() - started
    hanging.set()
    assert took < 10, took  # it waited for the fetch to end before
