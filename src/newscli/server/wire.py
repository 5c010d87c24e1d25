"""Messages on the socket: a length, then a marshalled value (dicts of strings, numbers and lists).

Only processes of one user talk on it (the server checks the caller's uid), and
both ends are one version of newscli on one Python (the server refuses another),
so marshal is safe here; unlike json, it costs the client no import.
"""

from __future__ import annotations

import marshal
import sys
from _socket import CMSG_SPACE, SCM_RIGHTS, SOL_SOCKET

TYPE_CHECKING = False  # typing takes the client 10 ms to load
if TYPE_CHECKING:
    from typing import Any

MAX_MESSAGE = 64 << 20  # a reply: a page of `show` is the largest
MAX_REQUEST = 1 << 20  # a command line, its folder and its environment
_FD = 4  # bytes of a file descriptor in SCM_RIGHTS data
MAX_FDS = 4  # a caller's three files, and a connection handed to a spare (see warm.py)


def send(sock: Any, message: Any, fds: tuple[int, ...] = ()) -> None:
    """Sends one message, with open files of this process (`fds`) that the other end receives as its own."""
    data = marshal.dumps(message)
    frame = len(data).to_bytes(4, "big") + data
    if fds:
        rights = b"".join(fd.to_bytes(_FD, sys.byteorder, signed=True) for fd in fds)
        frame = frame[sock.sendmsg([frame], [(SOL_SOCKET, SCM_RIGHTS, rights)]) :]
    if frame:
        sock.sendall(frame)


class Reader:
    """The messages arriving on a socket, one at a time; the files that came with them gather in `fds`."""

    def __init__(self, sock: Any, limit: int = MAX_MESSAGE) -> None:
        self._sock = sock
        self._buffer = bytearray()
        self._limit = limit
        self.fds: list[int] = []

    def next(self) -> Any:
        """The next message; EOFError if the other end closed first, ValueError if it sent nonsense."""
        while (message := self._message()) is None:
            self._receive()
        return message[0]

    def take(self) -> tuple[Any] | None:
        """On a non-blocking socket: reads what has come; (the message,) once it is whole, else None."""
        try:
            self._receive()
        except BlockingIOError:
            pass
        return self._message()

    def _message(self) -> tuple[Any] | None:
        if len(self._buffer) < 4:
            return None
        size = int.from_bytes(self._buffer[:4], "big")
        if size > self._limit:
            raise ValueError(f"a message of {size} bytes (at most {self._limit})")
        if len(self._buffer) < 4 + size:
            return None
        message = marshal.loads(bytes(self._buffer[4 : 4 + size]))
        del self._buffer[: 4 + size]
        return (message,)

    def _receive(self) -> None:
        data, ancillary, _, _ = self._sock.recvmsg(1 << 16, CMSG_SPACE(_FD * MAX_FDS))
        for level, kind, payload in ancillary:
            if level == SOL_SOCKET and kind == SCM_RIGHTS:
                whole = len(payload) - len(payload) % _FD
                self.fds += [
                    int.from_bytes(payload[i : i + _FD], sys.byteorder, signed=True) for i in range(0, whole, _FD)
                ]
        if not data:
            raise EOFError
        self._buffer += data
