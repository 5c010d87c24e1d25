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
from typing import Any

from rich.pager import Pager

from newscli import console
from newscli.config import Config
from newscli.engine import Engine
from newscli.indexing import fresh
from newscli.server import wire
from newscli.server.callers import gone


def run(conn: Any, request: dict[str, Any], engine: Engine | None, config: Config, note: str | None) -> None:
    """Runs the request's command; `engine` is None where the archive is not watched (then it is walked).

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
    streams()
    os.environ.clear()
    os.environ.update(request["env"])
    answered = _end_with(conn)
    if engine is not None:
        fresh.RESIDENT = lambda wanted: engine if _same(wanted, config) else None
    console.PAGER = _RemotePager(conn)
    if note:
        sys.stderr.write(f"newscli: note: {note}\n")
    from newscli.cli import cli

    try:
        cli.main(args=request["argv"], prog_name="newscli")
        code: Any = 0
    except SystemExit as e:
        code = e.code
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    answered.set()  # from here the caller may go: what this process read is still passed on (learned)
    wire.send(conn, {"exit": int(code) if isinstance(code, int) else 0 if code is None else 1})


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


def streams() -> None:
    """Python's standard streams on the caller's files, buffered as Python buffers them for a terminal or a pipe."""
    encoding = sys.stdout.encoding
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding=encoding)
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding=encoding, line_buffering=os.isatty(1))
    sys.stderr = io.TextIOWrapper(
        open(2, "wb", closefd=False), encoding=encoding, errors="backslashreplace", line_buffering=True
    )
    for name in ("stdin", "stdout", "stderr"):  # what rich and click fall back on
        setattr(sys, f"__{name}__", getattr(sys, name))


class _RemotePager(Pager):
    """Pages in the caller's process, where the terminal and Ctrl-C are."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def show(self, content: str) -> None:
        wire.send(self._conn, {"page": content})
        wire.Reader(self._conn).next()
