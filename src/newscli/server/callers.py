"""The resident process's callers while they send their requests: heard out side by side.

A request is read as it comes, on a non-blocking socket, so a caller that sends it a
byte at a time, or sends nothing, holds back no other; each has ASK_WITHIN seconds
for the whole of it, and a request is at most wire.MAX_REQUEST bytes.
"""

from __future__ import annotations

import os
import select
import selectors
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

from newscli.server import wire

ASK_WITHIN = 5.0  # seconds a caller has to send its whole request, however it sends it
MAX_ASKING = 32  # callers still sending; past it, the one that began longest ago is dropped
_CRED = struct.Struct("3i")  # SO_PEERCRED: pid, uid, gid


class Callers:
    def __init__(self, selector: selectors.BaseSelector, log: Callable[[str], None]) -> None:
        self._selector, self._log = selector, log
        self._asking: dict[socket.socket, tuple[wire.Reader, float]] = {}  # and since when

    def __contains__(self, conn: object) -> bool:
        return conn in self._asking

    def accept(self, listener: socket.socket) -> tuple[socket.socket, dict[str, Any], wire.Reader] | None:
        """A caller of this user's, heard from now on (its request, if it came whole with the connection:
        the usual case, answered without another turn of the loop); another user's is refused."""
        try:
            conn, _ = listener.accept()
        except OSError:
            return None
        _, uid, _ = _CRED.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CRED.size))
        if uid != os.getuid():
            self._log(f"refused a connection from uid {uid}")
            conn.close()
            return None
        if len(self._asking) >= MAX_ASKING:
            oldest = min(self._asking, key=lambda c: self._asking[c][1])
            self._forget(oldest, "too many callers still sending their requests")
        conn.setblocking(False)
        self._asking[conn] = (wire.Reader(conn, wire.MAX_REQUEST), time.monotonic())
        heard = self.hear(conn)
        if conn in self._asking:  # not whole yet: heard as the rest comes
            self._selector.register(conn, selectors.EVENT_READ)
        return heard

    def hear(self, conn: socket.socket) -> tuple[socket.socket, dict[str, Any], wire.Reader] | None:
        """The caller's connection, request and reader once its request is whole; else None."""
        reader, _ = self._asking[conn]
        try:
            whole = reader.take()
            if whole is None:
                return None
            request = whole[0]
            if not isinstance(request, dict):
                raise ValueError("not a request")
        except (OSError, EOFError, ValueError, TypeError) as e:
            self._forget(conn, f"a caller sent no request ({e or type(e).__name__})")
            return None
        self._drop(conn)
        conn.settimeout(5)
        return conn, request, reader

    def drop_slow(self) -> None:
        now = time.monotonic()
        for conn in [c for c, (_, came) in self._asking.items() if now - came > ASK_WITHIN]:
            self._forget(conn, f"a caller sent no whole request within {ASK_WITHIN:g} s")

    def _forget(self, conn: socket.socket, why: str) -> None:
        reader = self._drop(conn)
        self._log(why)
        refuse(conn, reader.fds, None)

    def _drop(self, conn: socket.socket) -> wire.Reader:
        """No longer heard; its reader. (A request that came whole with the connection was never watched.)"""
        reader, _ = self._asking.pop(conn)
        if conn.fileno() in self._selector.get_map():
            self._selector.unregister(conn)
        return reader


def gone(conn: socket.socket) -> bool:
    """Whether the caller has closed its end (it gave up waiting); asked without waiting or reading."""
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLRDHUP)
    return any(events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR) for _, events in poller.poll(0))


def reply(conn: Any, message: dict[str, Any]) -> None:
    try:
        wire.send(conn, message)
    except OSError:
        pass
    conn.close()


def refuse(conn: Any, fds: list[int], why: str | None) -> None:
    for fd in fds:
        os.close(fd)
    if why is None:
        conn.close()
    else:
        reply(conn, {"refused": why})
