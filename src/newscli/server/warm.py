"""What makes a command's forked process start warm: modules loaded once, and a spare process.

Each command runs in a process forked from the resident process, with what it
loaded (`preload`). The two share memory until one writes to it, and Python
writes to every object it touches (its reference counts): a command's first
moments in a new process copy a couple of thousand pages, and fill caches
(parsed styles, word widths, stems) that end with it. A spare does that before
a command comes, by running a search of its own to nowhere, then waits. The
resident process hands it the next command with the caller's connection and
files, and forks another once that command is done and what it read is learned.
A spare holds the index as it was when forked: it is dropped whenever the
resident process opens the index again, or learns.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

from newscli.engine import Engine
from newscli.environment import Environment, Runner
from newscli.server import wire

READY = b"r"  # what a spare sends once warmed up
WARM_UP = "news"  # a word most archives of news hold: its search ranks, cuts snippets and renders hits

# What the read commands load: loaded once here, not in each forked process.
PRELOAD = (
    "json",
    "newscli.dates",
    "newscli.lookup",
    "newscli.render",
    "newscli.stats",
    "rich.markdown",
    "rich.progress",
    "rich.table",
    "yaml",
)


def preload() -> None:
    """What every command would load in its forked process on first use, loaded once here."""
    for module in PRELOAD:
        importlib.import_module(module)
    try:  # rich's table of character widths, the latest (a caller's UNICODE_VERSION still picks its own)
        from rich._unicode_data._versions import VERSIONS

        importlib.import_module(f".unicode{VERSIONS[-1].replace('.', '-')}", "rich._unicode_data")
    except ImportError:
        pass


Run = Callable[[socket.socket, dict[str, Any]], None]


class Spare:
    """The resident process's spare, if it has one: its pid (0 if none) and the socket to hand it a command."""

    def __init__(self) -> None:
        self.pid = 0
        self._sock: socket.socket | None = None

    def make(self, fork: Callable[[Callable[[], None]], int], engine: Engine, runner: Runner, run: Run) -> None:
        """Forks a spare (with `fork`), which warms up on `engine` with `runner` (core.run), and then
        runs the command it is handed with `run`."""
        ours, theirs = socket.socketpair()

        def wait() -> None:
            ours.close()
            _warm_up(engine, runner)
            theirs.send(READY)
            reader = wire.Reader(theirs)
            try:
                handed = reader.next()
            except EOFError:  # dropped
                return
            run(socket.socket(fileno=reader.fds[0]), handed["request"])

        self.pid = fork(wait)
        theirs.close()
        self._sock = ours

    def ready(self) -> int:
        """The spare's pid once it has warmed up (0 while it does, or if there is none)."""
        try:
            return (
                self.pid
                if self._sock is not None and self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == READY
                else 0
            )
        except OSError:
            return 0

    def hand(self, conn: socket.socket, request: dict[str, Any]) -> int:
        """Hands a command to the spare: the pid that runs it, or 0 if there is no spare (then fork one for it)."""
        pid, sock = self.ready(), self._sock
        if not pid or sock is None:  # none, or still warming up (or gone): a process forked now answers sooner
            self.drop()
            return 0
        self.pid, self._sock = 0, None
        try:
            wire.send(sock, {"request": request}, (conn.fileno(),))
        except OSError:  # it ended (it is reaped as any child is)
            return 0
        finally:
            sock.close()
        return pid

    def ended(self, pid: int) -> None:
        """A child process ended: if it was the spare (before it was handed a command), there is none now."""
        if pid == self.pid:
            self.pid = 0
            self.drop()

    def drop(self) -> None:
        """Ends the spare, if there is one (the index opened again, postings learned, or it was not ready)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)  # it has written nothing anywhere
            except ProcessLookupError:
                pass
        if self._sock is not None:
            self._sock.close()
        self.pid, self._sock = 0, None


def _warm_up(engine: Engine, runner: Runner) -> None:
    """Runs `newscli search` as a caller's command runs, on `engine`, with its output going nowhere."""
    with open(os.devnull, "r+", encoding="utf-8") as devnull:
        env = Environment(devnull, devnull, devnull, os.environ, resident=lambda wanted: engine)
        try:  # whatever settings it reads: it searches, and writes nothing
            runner(["search", WARM_UP, "--limit", "3"], env)
        except BaseException:  # (a config file it cannot read, say) the caller's command will say
            pass
