"""The resident index process, run for real: started by a search, answering as a command would, kept current.

Every command here is a real `newscli` process; the resident process is a real
background process with a real socket.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from newscli import __version__
from newscli.main import _settings, _wanted
from newscli.server import wire
from newscli.server.reach import request
from newscli.server.resident import Resident
from newscli.server.watch import Watcher, file_system

from .conftest import doc, write

NEWSCLI = [sys.executable, "-m", "newscli"]


def newscli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSCLI, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def resident(isolated: Path) -> Resident:
    return Resident(str(isolated / "data" / "newscli" / "index"))


@pytest.fixture
def served(news: Path, resident: Resident) -> dict[str, object]:
    """The `news` archive indexed, and a resident process for it started by a first search."""
    assert newscli("index", str(news)).returncode == 0
    assert newscli("search", "talks").returncode == 0
    return up(resident)


def up(resident: Resident, timeout: float = 30, other_than: object = None) -> dict[str, object]:
    """The status of the resident process once it answers (another than `other_than`, if given)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = request(resident, {"status": True})
        if status is not None and status["pid"] != other_than:
            return status
        time.sleep(0.05)
    log = Path(resident.log).read_text() if os.path.exists(resident.log) else "(no log)"
    raise AssertionError(f"no resident process answered; its log:\n{log}")


def answered(resident: Resident) -> int:
    status = request(resident, {"status": True})
    assert status is not None
    return int(status["answered"])  # type: ignore[call-overload]


def gone(resident: Resident, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while resident.holder() is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def on_terminal(*args: str, env: dict[str, str] | None = None, rows: int = 24, cols: int = 80) -> tuple[int, bytes]:
    """Runs newscli with a real terminal (a pty) as its stdin, stdout and stderr; what the terminal received."""
    env = dict(env or os.environ)
    env.pop("COLUMNS", None)
    env["TERM"] = "xterm-256color"
    master, slave = os.openpty()
    fcntl.ioctl(slave, __import__("termios").TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    process = subprocess.Popen([*NEWSCLI, *args], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    received = b""
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: the terminal's last user ended
            break
        if not data:
            break
        received += data
    os.close(master)
    return process.wait(timeout=60), received


CASES = [
    ("search", "talks"),
    ("search", "--json", "--explain", "talks"),
    ("search", "zzzz"),
    ("search", "title:("),
    ("search", "--facets", "budget OR votes"),
    ("list", "--json"),
    ("list", "--source", "nowhere"),
    ("sources",),
    ("timeline", "talks", "--by", "year"),
    ("show", "nosuchid"),
    ("--color", "always", "search", "cocoa"),
]


@pytest.mark.slow
def test_answers_exactly_as_in_process_through_a_pipe(served: dict[str, object], resident: Resident) -> None:
    before = answered(resident)
    ids = json.loads(newscli("--no-server", "list", "--json").stdout)["articles"]
    cases = [*CASES, ("show", ids[0]["id"]), ("show", "--json", ids[1]["id"]), ("related", ids[0]["id"])]
    for args in cases:
        through = newscli(*args)
        alone = newscli("--no-server", *args)
        assert (through.returncode, through.stdout, through.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert answered(resident) == before + len(cases)  # each went through the resident process


@pytest.mark.slow
@pytest.mark.terminal
def test_answers_exactly_as_in_process_on_a_terminal(served: dict[str, object], resident: Resident) -> None:
    before = answered(resident)
    for args in [("search", "talks"), ("list",), ("search", "--json", "cocoa"), ("sources",)]:
        for rows, cols in [(24, 80), (50, 132)]:
            through = on_terminal(*args, rows=rows, cols=cols)
            alone = on_terminal("--no-server", *args, rows=rows, cols=cols)
            assert through == alone
            assert b"\x1b[" in through[1] or args[1] == "--json"  # coloured for a terminal
    plain = on_terminal("search", "talks", env={**os.environ, "NO_COLOR": "1"})
    assert b"\x1b[3" not in plain[1] and plain == on_terminal(
        "--no-server", "search", "talks", env={**os.environ, "NO_COLOR": "1"}
    )
    assert answered(resident) == before + 9


@pytest.mark.terminal
def test_the_pager_runs_in_the_callers_process(served: dict[str, object], resident: Resident, tmp_path: Path) -> None:
    ids = json.loads(newscli("--no-server", "list", "--json").stdout)["articles"]
    before = answered(resident)
    paged = {}
    for how in ("through", "alone"):
        target = tmp_path / f"paged-{how}.txt"
        env = {**os.environ, "PAGER": f"cat > {target}"}
        args = ("show", ids[0]["id"]) if how == "through" else ("--no-server", "show", ids[0]["id"])
        code, _ = on_terminal(*args, env=env, rows=3)
        assert code == 0
        paged[how] = target.read_text()
    assert "Source:" in paged["through"] or ids[0]["title"] in paged["through"]
    assert paged["through"] == paged["alone"]
    assert answered(resident) == before + 1


@pytest.mark.terminal
def test_the_pager_may_take_its_time(served: dict[str, object], resident: Resident, tmp_path: Path) -> None:
    ids = json.loads(newscli("--no-server", "list", "--json").stdout)["articles"]
    target = tmp_path / "paged.txt"
    before = answered(resident)
    code, screen = on_terminal("show", ids[0]["id"], env={**os.environ, "PAGER": f"sleep 6; cat > {target}"}, rows=3)
    assert (code, screen) == (0, b"") and ids[0]["title"] in target.read_text()  # read for longer than the 5 s to ask
    assert answered(resident) == before + 1


@pytest.mark.slow
def test_a_file_added_changed_and_removed_is_seen_within_a_second(
    served: dict[str, object], resident: Resident, news: Path
) -> None:
    before = answered(resident)
    story = write(news / "new.md", "---\ntitle: Zebrafinch census\nsource: Reuters\n---\nCounting zebrafinches.\n")
    time.sleep(1)
    found = newscli("search", "zebrafinch")
    assert found.returncode == 0 and "Zebrafinch census" in found.stdout
    assert "index updated" not in found.stderr  # the resident process had indexed it; the command did not need to
    write(story, "---\ntitle: Okapi census\nsource: Reuters\n---\nCounting okapis.\n")
    time.sleep(1)
    assert newscli("search", "zebrafinch").returncode == 1
    assert "Okapi census" in newscli("search", "okapi").stdout
    story.unlink()
    time.sleep(1)
    assert newscli("search", "okapi").returncode == 1
    assert answered(resident) == before + 4
    assert newscli("index", "--check").returncode == 0


@pytest.mark.slow
def test_a_change_in_a_folder_reached_by_two_paths_is_seen_by_both(
    served: dict[str, object], resident: Resident, news: Path
) -> None:
    """Only the folders that changed are looked at, unless a symbolic link makes one folder two."""
    write(news / "real" / "old.md", "---\ntitle: Aardvark\n---\nAn aardvark.\n")
    (news / "alias").symlink_to(news / "real")  # inside the archive: followed
    time.sleep(1)
    assert len(json.loads(newscli("search", "--all", "--json", "aardvark").stdout)["hits"]) == 2
    write(news / "real" / "new.md", "---\ntitle: Bandicoot\n---\nA bandicoot.\n")
    time.sleep(1)
    found = newscli("search", "--all", "--json", "bandicoot")
    assert sorted(hit["path"] for hit in json.loads(found.stdout)["hits"]) == [
        str(news / "alias" / "new.md"),
        str(news / "real" / "new.md"),
    ]
    assert "index updated" not in found.stderr
    assert newscli("index", "--check").returncode == 0


@pytest.mark.slow
def test_kill_9_mid_query_still_answers_and_loses_nothing(served: dict[str, object], resident: Resident) -> None:
    expected = newscli("--no-server", "search", "--json", "talks OR cocoa OR budget")
    status = served
    for delay in (0, 0.005, 0.02, 0.05, 0.1):
        command = subprocess.Popen(
            [*NEWSCLI, "search", "--json", "talks OR cocoa OR budget"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        os.kill(int(status["pid"]), signal.SIGKILL)  # type: ignore[call-overload]
        out, err = command.communicate(timeout=60)
        assert command.returncode == 0, err
        assert json.loads(out) == json.loads(expected.stdout)
        assert newscli("search", "talks").returncode == 0  # answered in-process; starts another
        status = up(resident, other_than=status["pid"])
    assert newscli("index", "--check").returncode == 0


@pytest.mark.slow
def test_kill_9_while_indexing_loses_nothing(served: dict[str, object], resident: Resident, news: Path) -> None:
    for i in range(60):
        write(news / "many" / f"{i}.md", f"---\ntitle: Bulk story {i}\nsource: AP\n---\nBulk text number {i}.\n")
    time.sleep(0.3)
    os.killpg(int(served["pid"]), signal.SIGKILL)  # type: ignore[call-overload]  # it and what it forked
    found = newscli("search", "--json", "--limit", "0", "bulk")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == 60
    assert newscli("index", "--check").returncode == 0


@pytest.mark.slow
def test_a_stale_socket_is_replaced(served: dict[str, object], resident: Resident) -> None:
    os.kill(int(served["pid"]), signal.SIGKILL)  # type: ignore[call-overload]
    assert gone(resident) and os.path.exists(resident.socket)  # left behind
    alone = newscli("--no-server", "search", "talks")
    through = newscli("search", "talks")
    assert (through.returncode, through.stdout, through.stderr) == (alone.returncode, alone.stdout, alone.stderr)
    assert up(resident, other_than=served["pid"])["pid"] != served["pid"]


def test_a_resident_process_of_another_version_is_replaced(served: dict[str, object], resident: Resident) -> None:
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(resident.socket)
    wire.send(sock, {"identity": "0.0.1 another", "argv": ["search", "talks"], "cwd": os.getcwd(), "env": {}})
    assert wire.Reader(sock).next() == {"refused": "identity"}
    sock.close()
    assert gone(resident)
    assert newscli("search", "talks").returncode == 0
    assert up(resident)["pid"] != served["pid"]


@pytest.mark.slow
def test_two_clients_at_once(served: dict[str, object], resident: Resident) -> None:
    queries = ["talks", "cocoa", "budget", "votes", "soldiers", "talks OR cocoa", "leap", "border"]
    expected = {q: newscli("--no-server", "search", "--json", q).stdout for q in queries}
    before = answered(resident)
    commands = {
        q: subprocess.Popen([*NEWSCLI, "search", "--json", q], stdout=subprocess.PIPE, text=True) for q in queries
    }
    for q, command in commands.items():
        out, _ = command.communicate(timeout=60)
        assert out == expected[q]
    assert answered(resident) == before + len(queries)


def test_the_installed_command_asks_without_loading_what_it_does_not_need(
    served: dict[str, object], resident: Resident
) -> None:
    script = Path(sys.executable).parent / "newscli"
    before = answered(resident)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(script), "search", "talks"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "talks" in done.stdout.lower()
    assert answered(resident) == before + 1  # the resident process answered it
    loaded = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "newscli.main" in loaded
    assert not loaded & {"re", "click", "rich", "whoosh", "yaml", "typing", "pathlib", "json"}


@pytest.mark.skipif(
    os.getuid() != 0, reason="switching to another user needs root; the uid check is then untested here"
)
def test_another_users_connection_is_refused(served: dict[str, object], resident: Resident, tmp_path: Path) -> None:
    # Let another user reach the socket at all (its folder is the user's alone), then connect as nobody.
    opened = [Path(resident.folder), *Path(resident.folder).parents]
    modes = {p: p.stat().st_mode for p in opened}
    try:
        for p in opened:
            p.chmod(modes[p] | 0o011)
        os.chmod(resident.socket, 0o777)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setgid(65534)
                os.setuid(65534)
                import socket

                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(resident.socket)
                try:  # closed at once: the request may not even go (EPIPE), or no answer comes
                    wire.send(sock, {"status": True})
                    wire.Reader(sock).next()
                except (EOFError, OSError):
                    code = 0  # closed without a word
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert os.waitstatus_to_exitcode(status) == 0
    assert "refused a connection from uid 65534" in Path(resident.log).read_text()


@pytest.mark.slow
def test_server_off_and_no_server_keep_every_command_in_process(news: Path, resident: Resident, isolated: Path) -> None:
    assert newscli("index", str(news)).returncode == 0
    assert newscli("--no-server", "search", "talks").returncode == 0
    write(isolated / "config" / "newscli" / "config.yaml", "server: off  # no resident process\n")
    assert newscli("search", "talks").returncode == 0
    time.sleep(1.5)
    assert resident.holder() is None and not os.path.exists(resident.socket)
    started = newscli("server", "start")
    assert started.returncode == 2 and "server: off" in started.stderr
    write(isolated / "config" / "newscli" / "config.yaml", "color: never\nserver: sometimes\n")
    wrong = newscli("search", "talks")
    assert wrong.returncode == 2 and "config.yaml:2: 'server' must be one of auto, off" in wrong.stderr


@pytest.mark.slow
def test_server_status_start_and_stop(news: Path, resident: Resident) -> None:
    assert newscli("index", str(news)).returncode == 0
    none = newscli("server", "status")
    assert none.returncode == 1 and "no resident process" in none.stderr
    assert json.loads(newscli("server", "status", "--json").stdout) == {"version": 1, "running": False}
    started = newscli("server", "start")
    assert started.returncode == 0 and "answering" in started.stderr
    shown = newscli("server", "status")
    assert shown.returncode == 0 and "watched (inotify)" in shown.stdout and str(news) in shown.stdout
    status = json.loads(newscli("server", "status", "--json").stdout)
    assert status["articles"] == 5 and status["watching"] == [str(news)] and status["memory"] > 0
    assert (status["version"], status["running"], status["newscli"]) == (1, True, __version__)
    stopped = newscli("server", "stop")
    assert stopped.returncode == 0 and f"stopped the resident process {status['pid']}" in stopped.stderr
    assert resident.holder() is None
    assert "no resident process was running" in newscli("server", "stop").stderr


# Takes the lock the moment it is free, as a resident process started meanwhile would, and writes its pid.
SUCCESSOR = """
import fcntl, os, sys, time
lock = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(lock, fcntl.LOCK_EX)
os.ftruncate(lock, 0)
os.write(lock, str(os.getpid()).encode())
time.sleep(60)
"""


def waiting(pid: int) -> bool:
    """Whether the process waits for a lock (the kernel lists it with `->` in /proc/locks)."""
    return any(line.split()[1:2] == ["->"] and line.split()[5] == str(pid) for line in open("/proc/locks"))


def test_stop_ends_its_process_even_when_another_takes_the_lock_at_once(news: Path, resident: Resident) -> None:
    assert newscli("index", str(news)).returncode == 0
    assert newscli("server", "start").returncode == 0
    first = up(resident)["pid"]
    successor = subprocess.Popen([sys.executable, "-c", SUCCESSOR, resident.lock])
    try:
        deadline = time.monotonic() + 30
        while not waiting(successor.pid):
            assert time.monotonic() < deadline, "the successor never waited for the lock"
            time.sleep(0.02)
        stopped = newscli("server", "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert f"stopped the resident process {first}" in stopped.stderr
        # (Said when the successor took the lock before stop looked; on a busy machine it may be a moment later.)
        assert "has started since" not in stopped.stderr or f"another, {successor.pid}," in stopped.stderr
        deadline = time.monotonic() + 10
        while resident.holder() != successor.pid:  # the successor was left alone
            assert time.monotonic() < deadline and successor.poll() is None
            time.sleep(0.02)
    finally:
        successor.kill()
        successor.wait()


@pytest.mark.slow
def test_it_ends_when_idle_and_when_its_index_goes(news: Path, resident: Resident, isolated: Path) -> None:
    write(isolated / "config" / "newscli" / "config.yaml", "server_idle: 0.02\n")  # 1.2 seconds
    assert newscli("index", str(news)).returncode == 0
    assert newscli("search", "talks").returncode == 0
    up(resident)
    assert gone(resident, timeout=10)
    assert "idle for 0.02 minutes" in Path(resident.log).read_text()
    write(isolated / "config" / "newscli" / "config.yaml", "server_idle: 30\n")
    assert newscli("server", "start").returncode == 0
    import shutil

    shutil.rmtree(isolated / "data" / "newscli" / "index")
    assert gone(resident, timeout=15)
    assert "its index folder is gone" in Path(resident.log).read_text()


def test_which_commands_go_to_it() -> None:
    assert _wanted(["search", "x"]) is not None
    assert _wanted(["--index-dir", "/tmp/ix", "-v", "show", "abcd"]) == ("/tmp/ix", ["--index-dir=/tmp/ix"])
    for argv in (["index"], ["--no-server", "search", "x"], ["search", "--help"], ["--version"], [], ["--index-dir"]):
        assert _wanted(argv) is None


def test_the_command_lines_way_in_knows_the_options_and_commands_as_click_has_them() -> None:
    """main.py reads argv without click: its copy of the group's options and of the read commands is click's."""
    import click

    from newscli import main
    from newscli.cli import cli
    from newscli.config import Config

    ctx = click.Context(cli, **cli.context_settings)  # (as click makes it, with -h)
    options = [p for p in cli.get_params(ctx) if isinstance(p, click.Option)]
    taking_values = {name for p in options if not p.is_flag for name in p.opts}
    assert taking_values == set(main._GLOBAL_VALUES)
    flags = {name for p in options if p.is_flag for name in p.opts}
    assert flags == {"-v", "--verbose", "--no-server", "--version", "-h", "--help"}  # as _wanted tells them
    assert main.READ_COMMANDS <= set(cli.commands)
    assert {"server", "index_dir"} <= set(Config.__dataclass_fields__)  # the settings _settings reads


def test_the_client_reads_only_plain_top_level_settings(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "index_dir: ix  # here\nserver: 'off'\nfields:\n  server: x\n")
    assert _settings(str(config)) == {"index_dir": str(tmp_path / "ix"), "server": "off"}
    assert _settings(str(write(tmp_path / "d.yaml", "{server: off}\n"))) is None  # unsure: answer in-process
    assert _settings(str(write(tmp_path / "e.yaml", "server: &a auto\n"))) is None
    assert _settings(str(tmp_path / "missing.yaml")) is None


def test_network_file_systems_are_told_apart(tmp_path: Path) -> None:
    mounts = write(tmp_path / "mounts", "/dev/vda / ext4 rw 0 0\nserver:/news /mnt/news nfs4 rw 0 0\n")
    assert file_system("/mnt/news/2024", str(mounts)) == "nfs4"
    assert file_system("/home/me/news", str(mounts)) == "ext4"


def test_reading_the_archive_is_not_a_change(tmp_path: Path) -> None:
    """Tools that read every file (rg, a backup) raise no event: only writing, renaming and removing do."""
    archive = tmp_path / "news"
    for i in range(200):
        write(archive / f"f{i % 10}" / f"{i}.md", f"Story {i}.\n")
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK)
    watcher = Watcher([str(archive)], False, str(tmp_path / "index"), wake_w)
    try:
        assert watcher.start() is None
        masks = _inotify_masks()
        assert masks, "no inotify watch found"
        for read_only in (0x1, 0x10, 0x20):  # IN_ACCESS, IN_CLOSE_NOWRITE, IN_OPEN: the kernel is not to queue them
            assert not any(mask & read_only for mask in masks)
        time.sleep(0.3)
        for _ in range(3):
            for path in archive.rglob("*.md"):
                path.read_bytes()
        time.sleep(0.5)
        assert not watcher.changed() and watcher.taken() == set()
        write(archive / "f3" / "new.md", "A new story.\n")
        deadline = time.monotonic() + 5
        while not watcher.changed() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.taken() == {str(archive / "f3" / "new.md")}
    finally:
        watcher.stop()
        os.close(wake_r)
        os.close(wake_w)


def _inotify_masks() -> list[int]:
    """The event masks of this process's inotify watches, as the kernel shows them."""
    masks = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            info = Path(f"/proc/self/fdinfo/{fd}").read_text()
        except OSError:
            continue
        masks += [int(word[5:], 16) for word in info.split() if word.startswith("mask:")]
    return masks


@pytest.mark.slow
def test_an_archive_it_does_not_watch_is_walked_by_each_command_and_said_once(
    news: Path, resident: Resident, isolated: Path
) -> None:
    write(isolated / "config" / "newscli" / "config.yaml", "auto_refresh: false\n")
    assert newscli("index", str(news)).returncode == 0
    assert newscli("server", "start").returncode == 0
    assert up(resident)["unwatched"] == "auto_refresh is off"
    first, second = newscli("search", "talks"), newscli("search", "talks")
    assert first.stderr.count("note: auto_refresh is off: each command checks the archive") == 1
    assert "note:" not in second.stderr and second.stdout == first.stdout
    write(news / "late.md", "---\ntitle: Late talks\n---\nMore talks.\n")
    through, alone = newscli("search", "talks"), newscli("--no-server", "search", "talks")
    assert "the archive changed since the last index (1 new file)" in through.stderr
    assert (through.stdout, through.stderr) == (alone.stdout, alone.stderr)
    assert answered(resident) == 3


@pytest.mark.slow
def test_an_archive_that_keeps_changing_holds_no_command_back(served: dict[str, object], news: Path) -> None:
    stop = threading.Event()

    def churn() -> None:  # each version written whole, then renamed into place: never read half-written
        n = 0
        while not stop.is_set():
            os.replace(
                write(news.parent / "churn.tmp", f"---\ntitle: Churn {n}\n---\nChurning text {n}.\n"), news / "churn.md"
            )
            n += 1
            time.sleep(0.03)

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        time.sleep(0.3)
        started = time.monotonic()
        found = newscli("search", "talks")
        took = time.monotonic() - started
        churned = newscli("search", "churning")
    finally:
        stop.set()
        writer.join()
    assert found.returncode == 0 and "Peace talks resume" in found.stdout
    assert took < 5  # it waits for the changes at most 2 s, then looks at the archive itself
    assert churned.returncode == 0  # indexed while it went on changing


def test_the_first_command_on_a_fresh_machine_starts_one_beside_the_index(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No runtime folder, and no data folder yet: the quick start's first command. (A short
    # path: pytest's own are too long for a socket, which then goes to /tmp/newscli-UID.)
    short = Path(tempfile.mkdtemp(prefix="nx", dir="/tmp"))
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(short / "data"))
    resident = Resident(str(short / "data" / "newscli" / "index"))
    assert resident.folder == str(short / "data" / "newscli" / f".newscli-run-{os.getuid()}")
    try:
        assert newscli("search", "Ukraine").returncode == 0
        up(resident)  # it may have opened the index while the first command was still building it
        assert newscli("search", "Ukraine").returncode == 0 and answered(resident) == 1
        assert os.stat(resident.folder).st_mode & 0o777 == 0o700
    finally:
        newscli("server", "stop")
        shutil.rmtree(short)


@pytest.mark.slow
def test_the_resident_process_keeps_what_a_search_read_for_the_next(news: Path, resident: Resident) -> None:
    for n in range(3):  # a word in several articles: its postings are read from blocks
        write(news / f"harvest{n}.md", doc(f"Harvest report {n}", "The harvest came in late. " * (n + 1)))
    assert newscli("index", str(news)).returncode == 0
    assert newscli("search", "talks").returncode == 0  # starts the resident process
    learned = int(up(resident)["learned"])  # type: ignore[call-overload]
    first = newscli("search", "harvest")
    assert first.returncode == 0 and "Harvest report" in first.stdout
    deadline = time.monotonic() + 10
    while int(up(resident)["learned"]) == learned and time.monotonic() < deadline:  # type: ignore[call-overload]
        time.sleep(0.05)
    learned = int(up(resident)["learned"])  # type: ignore[call-overload]
    assert learned > 0
    again = newscli("search", "harvest")
    assert again.stdout == first.stdout  # ranked from what the resident process kept
    time.sleep(1)
    assert int(up(resident)["learned"]) == learned  # the second search read nothing new  # type: ignore[call-overload]


def asked(resident: Resident, args: list[str], out: int, err: int) -> tuple[int, int]:
    """Asks the resident process as the command does, with `out` and `err` as its stdout and stderr.

    The pid that ran the command, and its exit status.
    """
    from newscli.server.reach import identity

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(resident.socket)
    try:
        request = {"identity": identity(), "argv": args, "cwd": os.getcwd(), "env": dict(os.environ)}
        wire.send(sock, request)
        replies, started = wire.Reader(sock), 0
        while "exit" not in (reply := replies.next()):
            if "started" in reply:  # the files go to the process that took the command
                started = reply["started"]
                wire.send(sock, {"files": True}, (0, out, err))
        return started, reply["exit"]
    finally:
        sock.close()


def spare(resident: Resident, other_than: int = 0) -> int:
    """The pid of the resident process's spare once it has one (another than `other_than`)."""
    deadline = time.monotonic() + 15
    while (pid := int(up(resident)["spare"])) in (0, other_than):  # type: ignore[call-overload]
        assert time.monotonic() < deadline, "no spare process"
        time.sleep(0.05)
    return pid


@pytest.mark.slow
def test_a_spare_process_answers_the_next_command_on_the_index_as_it_is(
    served: dict[str, object], resident: Resident, news: Path, tmp_path: Path
) -> None:
    first = spare(resident)
    with open(tmp_path / "out", "w+b") as out, open(tmp_path / "err", "w+b") as err:
        assert asked(resident, ["search", "talks"], out.fileno(), err.fileno()) == (first, 0)  # it ran the command
        alone = newscli("--no-server", "search", "talks")
        assert out.seek(0) == err.seek(0) == 0 and (out.read().decode(), err.read().decode()) == (
            alone.stdout,
            alone.stderr,
        )
    second = spare(resident, other_than=first)  # another, once that one is done
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)
    write(news / "new.md", doc("Zebrafinch census", "Counting zebrafinches.", source="Reuters"))
    time.sleep(1)
    with open(tmp_path / "found", "w+b") as out:
        started, code = asked(resident, ["search", "zebrafinch"], out.fileno(), out.fileno())
        assert code == 0 and out.seek(0) == 0 and "Zebrafinch census" in out.read().decode()
    assert started != second  # the spare of the index before the file came was dropped
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)
