"""The resident process never holds a command back: stopped, flooded, trickled at, or left by its caller.

Real processes throughout: the resident process, its callers and its spare.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from newscli.main import ANSWER_WITHIN
from newscli.server import wire
from newscli.server.reach import identity
from newscli.server.resident import Resident

from .test_server import NEWSCLI, answered, gone, newscli, resident, served, spare, up  # noqa: F401

BOUND = ANSWER_WITHIN + 15  # the wait the client allows, and a command's own time on a busy machine


def timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run([*NEWSCLI, *args], capture_output=True, text=True, timeout=120)
    return time.monotonic() - started, done


@pytest.mark.slow
def test_a_stopped_resident_process_holds_no_command_back(served: dict[str, object], resident: Resident) -> None:
    pid = int(served["pid"])  # type: ignore[call-overload]
    alone = newscli("--no-server", "search", "talks")
    os.kill(pid, signal.SIGSTOP)
    try:
        took, through = timed("search", "talks")  # its stdout a pipe: read to its end, so no file is left in flight
        assert took < BOUND and through.returncode == 0 and through.stdout == alone.stdout
        assert through.stderr.count("did not answer within") == 1, through.stderr
        status = newscli("server", "status")
        assert status.returncode == 1 and f"the resident process {pid} for" in status.stderr
        assert "does not answer" in status.stderr
        stop = newscli("server", "stop")
        assert stop.returncode == 0 and f"stopped the resident process {pid}" in stop.stderr, stop.stderr
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert gone(resident)


@pytest.mark.slow
def test_a_stopped_spare_holds_no_command_back(served: dict[str, object], resident: Resident) -> None:
    alone = newscli("--no-server", "search", "talks")
    stopped = spare(resident)
    os.kill(stopped, signal.SIGSTOP)
    try:
        took, through = timed("search", "talks")
        assert took < BOUND and through.returncode == 0 and through.stdout == alone.stdout
    finally:
        os.kill(stopped, signal.SIGKILL)


def test_slow_and_idle_callers_delay_no_other(served: dict[str, object], resident: Resident) -> None:
    idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(30)]
    for sock in idle:
        sock.connect(resident.socket)
    trickler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    trickler.connect(resident.socket)
    trickler.send(b"\x00")  # the first byte of a length, and no more for now
    huge = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    huge.connect(resident.socket)
    huge.send((100 << 20).to_bytes(4, "big"))  # a request of 100 MB, announced
    try:
        before = answered(resident)
        for _ in range(3):
            took, through = timed("search", "talks")
            assert took < 5 and through.returncode == 0 and "did not answer" not in through.stderr, through.stderr
        assert answered(resident) == before + 3  # each through the resident process
        huge.settimeout(10)
        assert huge.recv(1) == b""  # refused at once, before 100 MB came
    finally:
        for sock in [*idle, trickler, huge]:
            sock.close()


def test_a_command_ends_when_its_caller_goes_away(
    served: dict[str, object], resident: Resident, tmp_path: Path
) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(resident.socket)
    request = {"identity": identity(), "argv": ["list", "--limit", "0"], "cwd": os.getcwd(), "env": dict(os.environ)}
    wire.send(sock, request)
    started = wire.Reader(sock).next()["started"]
    read, write = os.pipe()  # nobody reads it: the command blocks on a full pipe, as under `| less` left open
    os.set_blocking(write, True)
    with open(os.devnull, "wb") as devnull:
        wire.send(sock, {"files": True}, (devnull.fileno(), write, devnull.fileno()))
    os.close(write)
    time.sleep(0.5)
    sock.close()  # the caller goes away (killed)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{started}") and time.monotonic() < deadline:
        with open(f"/proc/{started}/stat") as f:
            if f.read().split(") ")[1].startswith("Z"):  # ended, not yet reaped
                break
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{started}") or open(f"/proc/{started}/stat").read().split(") ")[1][0] == "Z"
    os.set_blocking(read, False)
    while True:  # the pipe's last writer is gone: EOF once drained
        try:
            if not os.read(read, 1 << 16):
                break
        except BlockingIOError:
            raise AssertionError("the command's process still holds the caller's pipe") from None
    os.close(read)


def test_server_start_says_what_is_in_the_way_of_its_socket(news: Path, resident: Resident) -> None:
    assert newscli("index", str(news)).returncode == 0
    resident.make()
    os.mkdir(resident.socket)
    took, started = timed("server", "start")
    assert took < 10 and started.returncode == 2, started.stderr
    assert f"{resident.socket} is in the way of the resident process's socket: not a socket" in started.stderr


def test_the_index_and_the_marks_are_the_users_alone(news: Path, isolated: Path) -> None:
    os.umask(0o022)
    assert newscli("index", str(news)).returncode == 0
    assert newscli("mark", "--all", "talks", "--star").returncode in (0, 1)
    data = isolated / "data" / "newscli"
    for folder in (data, data / "index"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((data / "marks.db").stat().st_mode) == 0o600
