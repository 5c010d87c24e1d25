"""One command run for a caller, in a process the resident process forked for it.

It takes on the caller's terminal (its open files), folder and environment and
runs the command line as `newscli` would, on the index the resident process
keeps open and current, then sends the exit status back.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from dataclasses import replace
from typing import Any, TextIO

from rich.pager import Pager

from newscli.config import Config
from newscli.engine import Engine
from newscli.environment import Environment, Runner
from newscli.server import wire
from newscli.server.callers import gone

__all__ = ["Runner", "run", "streams"]


def run(
    runner: Runner, conn: Any, request: dict[str, Any], engine: Engine | None, config: Config, note: str | None
) -> None:
    """Runs the request's command with `runner` (core.run); `engine` is None where the archive is not
    watched (then it is walked).

    The caller's files come once this process has said it started: a caller that gave up
    waiting (a resident process stopped with kill -STOP) has none left in flight, which would
    keep its pipe open. `note` is said on stderr first.
    """
    conn.settimeout(None)  # the 5 s the resident process gives a caller to ask: the pager may take all day
    if gone(conn):  # it gave up waiting for this process (a spare that was stopped, say): not twice
        return
    try:
        os.chdir(request["cwd"])
    except OSError:
        wire.send(conn, {"refused": "folder"})
        return
    wire.send(conn, {"started": os.getpid()})
    files = wire.Reader(conn, wire.MAX_REQUEST)
    try:
        files.next()
    except (OSError, EOFError, ValueError):
        return
    if len(files.fds) != 3:
        return
    for target, fd in enumerate(files.fds):
        os.dup2(fd, target)
        os.close(fd)
    # This process is now the caller's: its environment (for what reads the process's own, as the
    # XDG folders and the pager do), and its files, on Python streams of their own.
    os.environ.clear()
    os.environ.update(request["env"])
    stdin, stdout, stderr = streams()
    answered = _end_with(conn)

    def resident(wanted: Config) -> Engine | None:
        return engine if engine is not None and _same(wanted, config) else None

    env = Environment(stdin, stdout, stderr, os.environ, pager=_RemotePager(conn), resident=resident)
    if note:
        stderr.write(f"newscli: note: {note}\n")
    code = runner(request["argv"], env)
    answered.set()  # from here the caller may go: what this process read is still passed on (learned)
    wire.send(conn, {"exit": code})


def _end_with(conn: Any) -> threading.Event:
    """Ends this command when its caller goes away (killed, or its reader gone: `search x | head`):
    nobody is left to read what it writes or to wait for its end. Once the returned event is set
    (the command has answered), a caller that goes away ends nothing."""
    import select

    answered = threading.Event()

    def watch() -> None:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLRDHUP)
        while True:
            for _, events in poller.poll():
                if events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    if not answered.is_set():
                        os._exit(2)
                    return

    threading.Thread(target=watch, daemon=True).start()
    return answered


def _same(wanted: Config, config: Config) -> bool:
    """Whether a command's settings are those the resident process indexes by (colour aside)."""
    return replace(wanted, color=config.color) == config


def streams() -> tuple[TextIO, TextIO, TextIO]:
    """Streams on this process's files 0, 1 and 2, buffered as Python buffers them for a terminal or a pipe."""
    encoding = sys.stdout.encoding or "utf-8"  # this process's, as the caller's own Python would choose
    return (
        io.TextIOWrapper(open(0, "rb", closefd=False), encoding=encoding),
        io.TextIOWrapper(open(1, "wb", closefd=False), encoding=encoding, line_buffering=os.isatty(1)),
        io.TextIOWrapper(
            open(2, "wb", closefd=False), encoding=encoding, errors="backslashreplace", line_buffering=True
        ),
    )


class _RemotePager(Pager):
    """Pages in the caller's process, where the terminal and Ctrl-C are."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def show(self, content: str) -> None:
        wire.send(self._conn, {"page": content})
        wire.Reader(self._conn).next()
