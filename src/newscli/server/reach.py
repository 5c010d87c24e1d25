"""How a process reaches the resident process of an index: who may talk to it, asking it, starting it."""

from __future__ import annotations

import os
import sys

from newscli import __version__

TYPE_CHECKING = False  # typing itself takes 10 ms to load: the command line's way in imports this
if TYPE_CHECKING:
    from typing import Any

    from newscli.server.resident import Resident


def identity() -> str:
    """What a resident process must share with its callers: newscli's version, its install, Python's version."""
    here = os.path.dirname(os.path.dirname(__file__))
    return f"{__version__} {os.stat(os.path.join(here, '__init__.py')).st_mtime_ns} {sys.version}"


def request(resident: Resident, message: dict[str, Any], timeout: float = 5) -> dict[str, Any] | None:
    """The resident process's reply to a message (status, stop); None if none runs."""
    from _socket import AF_UNIX, SOCK_STREAM, socket

    from newscli.server import wire

    sock = socket(AF_UNIX, SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(resident.socket)
        wire.send(sock, message)
        reply = wire.Reader(sock).next()
        return reply if isinstance(reply, dict) else None
    except (OSError, EOFError, ValueError):
        return None
    finally:
        sock.close()


def start(options: list[str]) -> None:
    """Starts a resident process in the background, in a session of its own; it ends if another runs.

    `options` are the global ones naming the config file and index folder.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "newscli", *options, "server", "run"],
            os.environ,
            file_actions=[(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)],
            setsid=True,
        )
    except OSError:
        pass
    finally:
        os.close(devnull)
