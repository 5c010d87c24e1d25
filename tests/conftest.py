from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newscli.core import Environment
from newscli.core import run as run_command
from newscli.server.reach import request
from newscli.server.resident import Resident

PROJECT = Path(__file__).resolve().parents[1]
SEED = PROJECT / "articles" / "000_1affae172cd90381.txt"
CORPORA = PROJECT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole run: what it holds (the language detector's model, unpacked, 69 MB)
    is made again alike, and made once rather than by every test's processes."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> Iterator[Path]:
    """Every path newscli would touch points into tmp_path; the working folder is tmp_path.

    A resident process that a test's commands started is stopped when the test ends.
    """
    for name in (
        "NEWSCLI_CONFIG",
        "NEWSCLI_INDEX_DIR",
        "NO_COLOR",
        "FORCE_COLOR",
        "PAGER",
        "LINES",
    ):  # pytest-xdist sets LINES
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    # A short folder: a socket's path must fit in 107 bytes, and pytest's own (longer still with
    # pytest-xdist's worker folders) do not, which would put the socket in /tmp/newscli-UID,
    # where the end of the test would not look for its resident process.
    runtime = Path(tempfile.mkdtemp(prefix="run", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    stop_servers(runtime)
    shutil.rmtree(runtime, ignore_errors=True)


def stop_servers(runtime: Path) -> None:
    """Ends every resident process whose socket is below `runtime` (killed if it does not answer in 10 s)."""
    for lock in runtime.glob("newscli/*.lock"):
        resident = Resident.of_lock(str(lock))
        pid = resident.holder()
        if pid is None:
            continue
        request(resident, {"stop": True})
        deadline = time.monotonic() + 10
        while resident.holder() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        if resident.holder() is not None and pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    # One started by the test's last command may not hold its lock yet (it starts after the command's
    # answer): any process still running with this runtime folder is ended too.
    mark = f"XDG_RUNTIME_DIR={runtime}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if mark in (proc / "environ").read_bytes().split(b"\0") and b"server" in (proc / "cmdline").read_bytes():
                os.kill(int(proc.name), signal.SIGKILL)


class Result:
    """What a command said, on each stream, and its exit status."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def __repr__(self) -> str:
        return f"<Result {self.exit_code}: {self.stderr.strip()[-300:]!r}>"


Run = Callable[..., Result]


def in_process(*args: str, input: str | None = None) -> Result:
    """Runs newscli as a person would type it, in this process (`core.run`): stdout and stderr kept apart."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_command(list(args), Environment(io.StringIO(input or ""), stdout, stderr, os.environ))
    return Result(code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def run() -> Run:
    return in_process


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """./articles holding the seed article, as in a fresh clone."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def bump(path: Path) -> None:
    """Makes a change visible even on file systems with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


SEED_ID = "5d7943d0b4e4"


SEED_TITLE = "Kremlin spokesman Dmitry Peskov warned that sending troops to Ukraine would not be in the West's interest"


def doc(title: str, body: str, **meta: str) -> str:
    front = "".join(f"{k}: {v}\n" for k, v in {"title": title, **meta}.items())
    return f"---\n{front}---\n{body}\n"


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """A small archive with several outlets, dates and formats."""
    root = tmp_path / "news"
    write(
        root / "a.md",
        doc(
            "Troop build-up on the border",
            "Soldiers massed near the border.",
            source="Reuters",
            date="2024-02-10",
            tags="war, europe",
            author="Ann Lee",
        ),
    )
    write(
        root / "b.md",
        doc(
            "Peace talks resume in Geneva",
            "Diplomats met for ground forces talks.",
            source="AP",
            date="2024-03-01",
            language="en",
        ),
    )
    write(
        root / "c.txt",
        "Cocoa prices rise\n\nCocoa rose sharply as the drought hit the crop.\n\nSource: Reuters\n",
    )
    write(
        root / "feed.jsonl",
        json.dumps(
            {
                "title": "Leap day budget vote",
                "source": "Al Jazeera",
                "date": "2024-02-29T18:00:00Z",
                "body": "Parliament voted on the budget on the leap day.",
            }
        )
        + "\n"
        + json.dumps(
            {
                "title": "Election night",
                "source": "Fox News",
                "date": "2020-11-03",
                "body": "Votes were counted all night.",
            }
        )
        + "\n",
    )
    return root


def index(run: Run, *paths: Path) -> None:
    result = run("index", *map(str, paths))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def httpserver() -> Iterator[HTTPServer]:
    """A real HTTP server on 127.0.0.1 (pytest-httpserver's), one thread per request as a real site has."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


RawServer = Callable[..., str]  # (answer for a path, seconds between bytes=0) -> base URL


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    """An HTTP server on 127.0.0.1 that answers with the very bytes a test gives for a path, as slowly as
    it likes (a callable answer is written a byte at a time with its pause): for what no well-behaved
    server library would send. Gives the base URL; stops, with its connections, when the test ends."""
    import socket
    import threading

    servers: list[socket.socket] = []
    done = threading.Event()

    def start(answer: Callable[[str], bytes], trickle: float = 0.0) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.2)
        servers.append(listener)

        def serve(conn: socket.socket) -> None:
            with conn:
                request = b""
                while b"\r\n\r\n" not in request and not done.is_set():
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode("latin-1")
                data = answer(path)
                try:
                    if not trickle:
                        conn.sendall(data)
                    for i in range(len(data) if trickle else 0):
                        if done.wait(trickle):
                            return
                        conn.sendall(data[i : i + 1])
                except OSError:
                    return

        def accept() -> None:
            while not done.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start  # type: ignore[misc]
    done.set()
    for listener in servers:
        listener.close()


def peak_of(*args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """newscli run in a process of its own, and the peak of its memory in kB (VmHWM, which begins
    with the process; ru_maxrss would count the test process it was forked from)."""
    program = (
        "import sys\nfrom newscli.core import Environment, run\n"
        "try:\n    sys.exit(run(sys.argv[1:], Environment.of_process()))\nfinally:\n"
        "    print(next(x for x in open('/proc/self/status') if x.startswith('VmHWM')), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", program, "--no-server", *args], capture_output=True, text=True)
    return done, int(done.stderr.split("VmHWM:")[1].split()[0])
