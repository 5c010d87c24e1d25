"""Outside text on every surface: one hostile article, feed, label and saved search, shown by every
command and by the reader on a real terminal (a pty), must reach it as text: no escape sequence,
no markup, no markup action."""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newscli.reading.app import Reader
from newscli.safe import clean

from .conftest import Run, write
from .test_read import drive, reader

# What an attacker would put in a title, an outlet, an author, a tag: a clipboard write (OSC 52), a
# window title (OSC 0), a link (OSC 8), blinking text, a C1 CSI that clears the screen, a bidi override,
# and Rich/Textual markup (a closing tag that breaks parsing, a link, and an action).
PAYLOAD = (
    "Evil \x1b]52;c;SElKQUNL\x07\x1b]0;PWNED\x07\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"
    "\x1b[5mBLINK\x9b2J\u202eDESREVER[/dim][link=https://evil.example]L[/link]"
    "[@click=app.screenshot('x.svg','{shots}')]Shot[/]"
)
# Each is what a terminal would obey, as the bytes that would carry it.
OBEYED = [
    b"\x1b]52;",
    b"\x1b]0;PWNED",
    b"\x1b]8;;https://evil",
    b"\x1b[5m",
    "\x9b".encode(),
    "\u202e".encode(),
]
LABEL = "[@click=app.all_read]x[/]"


def hostile(shots: Path) -> str:
    return PAYLOAD.format(shots=shots)


def obeyed(output: bytes) -> list[bytes]:
    return [sequence for sequence in OBEYED if sequence in output]


def on_a_terminal(args: list[str], keys: list[tuple[float, bytes]] = (), timeout: float = 30) -> bytes:  # type: ignore[assignment]
    """Runs newscli on a pty (stdout and stderr both) and returns every byte it wrote to the terminal."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: newscli on the terminal
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.execv(sys.executable, [sys.executable, "-m", "newscli", "--no-server", *args])
    out = bytearray()
    started, pending = time.monotonic(), list(keys)
    try:
        while time.monotonic() - started < timeout:
            if pending and time.monotonic() - started >= pending[0][0]:
                os.write(fd, pending.pop(0)[1])
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child has gone: EIO
                    break
                if not chunk:
                    break
                out += chunk
        else:
            pytest.fail(f"newscli {' '.join(args)} did not end within {timeout} s")
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return bytes(out)


@pytest.fixture
def poisoned(tmp_path: Path, run: Run, httpserver: HTTPServer) -> Iterator[dict[str, str]]:
    """An archive, a feed, a label and a saved search, each carrying the payload."""
    shots = tmp_path / "shots"
    shots.mkdir()
    evil = hostile(shots)
    front = {"title": evil, "source": evil, "authors": [evil], "tags": [evil], "date": "2024-05-01"}
    write(
        tmp_path / "articles" / "evil.md",
        "---\n" + "\n".join(f"{k}: {json.dumps(v)}" for k, v in front.items()) + f"\n---\n\nBody {evil} words\n",
    )
    write(tmp_path / "articles" / "plain.md", "---\ntitle: Plain words\nsource: Calm\n---\n\nNothing here.\n")
    assert run("index", "articles").exit_code == 0
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": evil,
        "items": [{"id": "1", "title": evil, "content_text": f"Item {evil}", "authors": [{"name": evil}]}],
    }
    httpserver.expect_request("/feed.json").respond_with_data(json.dumps(feed), content_type="application/feed+json")
    added = run("feeds", "add", httpserver.url_for("/feed.json"), "--tag", evil)
    assert added.exit_code == 0, added.stderr
    fetched = run("fetch")
    assert fetched.exit_code == 0, fetched.stderr
    listed = json.loads(run("list", "--json").stdout)["articles"]
    article = next(a["id"] for a in listed if a["title"] == evil and a["path"].endswith("evil.md"))
    assert run("mark", article, "--label", LABEL).exit_code == 0
    assert run("saved", "add", "evil", f'"{evil[:4]}" OR "[/dim]"').exit_code == 0
    yield {"id": article, "shots": str(shots), "evil": evil}


COMMANDS = [
    ["list"],
    ["list", "--label", LABEL],
    ["search", "Evil"],
    ["search", "Evil", "--facets", "--explain"],
    ["show", "{id}", "--no-pager"],
    ["related", "{id}"],
    ["sources"],
    ["timeline", "Evil"],
    ["feeds"],
    ["feeds", "export"],
    ["feeds", "export", "--format", "urls"],
    ["saved"],
    ["fetch", "--force"],
    ["list", "--json"],
    ["show", "{id}", "--json"],
    ["feeds", "--json"],
    ["state", "export", "-"],
    ["search", "@evil"],
]


@pytest.mark.slow
@pytest.mark.terminal
def test_every_command_shows_outside_text_as_text_on_a_terminal(poisoned: dict[str, str]) -> None:
    for command in COMMANDS:
        args = [a.format(**poisoned) for a in command]
        output = on_a_terminal(args)
        assert not obeyed(output), (args, obeyed(output), output[:2000])
        assert b"Traceback" not in output and b"MarkupError" not in output, (args, output[-2000:])
    assert not os.listdir(poisoned["shots"])


@pytest.mark.slow
@pytest.mark.terminal
def test_the_reader_on_a_terminal_writes_none_of_it(poisoned: dict[str, str]) -> None:
    # Open the list, read the article, move to the side list and down its outlets, then quit.
    keys = [(3.0, b"\r"), (4.0, b"\t"), (4.5, b"\t"), (5.0, b"j"), (5.2, b"j"), (5.4, b"\r"), (6.0, b"q"), (6.5, b"q")]
    output = on_a_terminal(["read"], keys)
    assert not obeyed(output), obeyed(output)
    assert b"Traceback" not in output and b"MarkupError" not in output
    assert b"SElKQUNL" in output  # it was shown, as text
    assert not os.listdir(poisoned["shots"])


@pytest.mark.slow
def test_the_readers_panes_hold_outside_text_as_text_and_its_actions_never_run(
    poisoned: dict[str, str], run: Run
) -> None:
    # The outlet (split into outlets at its semicolons): its markup shown as written, controls made visible.
    shown = clean(poisoned["evil"].split(";")[-1])

    async def steps(pilot: object, app: Reader) -> None:
        side = app.query_one("#side")
        prompts = [str(o.prompt) for o in side.options]  # type: ignore[attr-defined]
        assert any(p.startswith(shown) for p in prompts), prompts
        outlet = next(i for i, p in enumerate(prompts) if p.startswith(shown))
        side.highlighted = outlet  # type: ignore[attr-defined]
        side.focus()
        await pilot.press("enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        # A click on each line of the side list: an action in an outlet's name would run here.
        for row in range(len(prompts)):
            await pilot.click("#side", offset=(2, row))  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press("q")  # type: ignore[attr-defined]

    drive(reader(), steps)
    marks = {x["id"]: x for x in map(json.loads, run("state", "export", "-").stdout.splitlines())}
    assert not any(m["read"] for m in marks.values() if m["id"] != poisoned["id"])  # no app.all_read
    assert not os.listdir(poisoned["shots"])  # no app.screenshot


def test_labels_and_saved_searches_refuse_control_characters(run: Run) -> None:
    write(Path("articles/a.md"), "---\ntitle: A\n---\n\nText.\n")
    (article,) = json.loads(run("list", "--json").stdout)["articles"]
    for label in ("a\x1b[2Jb", "x\x7f", "y\x9b", "z\u202e"):
        result = run("mark", article["id"], "--label", label)
        assert result.exit_code == 2 and "control characters" in result.stderr, result.stderr
    saved = run("saved", "add", "bad", "news \x1b]52;c;eA==\x07")
    assert saved.exit_code == 2 and "control character (^[)" in saved.stderr
    assert run("saved", "--json").exit_code == 0 and "bad" not in run("saved", "--json").stdout


def test_hostile_names_keep_feeds_yaml_readable_and_opml_well_formed(run: Run) -> None:
    from xml.etree import ElementTree

    from .test_feeds import feeds_file

    names = ["Del\x7f", "Csi\x9b", "Nel\x85", "Nonchar\ufffe", "Max\uffff", "Esc\x1b[2J", "Bidi\u202e", "Ls\u2028"]
    urls = "".join(f'https://x{i}.example/f "~{name}"\n' for i, name in enumerate(names))
    imported = run("feeds", "import", "-", input=urls)
    assert imported.exit_code == 0, imported.stderr
    listed = json.loads(run("feeds", "--json").stdout)["feeds"]
    assert [f["name"] for f in listed] == names  # read back the same
    exported = run("feeds", "export")
    assert exported.exit_code == 0, exported.stderr
    ElementTree.fromstring(exported.stdout)  # well-formed
    feeds_file().unlink()
    again = run("feeds", "import", "-", input=exported.stdout)
    assert again.exit_code == 0, again.stderr
    assert len(json.loads(run("feeds", "--json").stdout)["feeds"]) == len(names)
