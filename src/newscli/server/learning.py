"""What a forked process read for its searches, passed back for the resident process to keep.

A forked process's memory ends with it. Once it has answered, it writes what its
engine read and would be worth keeping (`Engine.learned`) to a pipe, a line of JSON
each (a write of up to PIPE_BUF bytes arrives whole or not at all). The resident
process reads the same again into its own memory (`Engine.learn`) a few
milliseconds at a time between commands, and the next command's process starts
with it.
"""

from __future__ import annotations

import json
import os
import select
import time
from typing import Any

from newscli.engine import Engine

SLICE = 0.005  # seconds of learning at a time: a command that comes meanwhile waits no longer


class Learned:
    def __init__(self) -> None:
        self.fd, self._write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.waiting: list[Any] = []
        self.count = 0  # entries learned
        self._partial = b""

    def tell(self, engine: Engine) -> None:
        """In a forked process, once it has answered."""
        for entry in engine.learned():
            line = json.dumps(entry).encode() + b"\n"
            if len(line) <= select.PIPE_BUF:
                try:
                    os.write(self._write, line)
                except BlockingIOError:  # the pipe is full: the rest is read again by a later command
                    return

    def take(self) -> None:
        """What has come through the pipe, to learn."""
        chunks = [self._partial]
        try:
            while chunk := os.read(self.fd, 65536):
                chunks.append(chunk)
        except BlockingIOError:
            pass
        *lines, self._partial = b"".join(chunks).split(b"\n")
        for line in lines:
            try:
                self.waiting.append(json.loads(line))
            except ValueError:  # not what a forked process writes: nothing to learn
                pass

    def learn(self, engine: Engine | None) -> None:
        """Learns what waits, for a slice of time at most."""
        until = time.monotonic() + SLICE
        while self.waiting and time.monotonic() < until:
            entry = self.waiting.pop(0)
            if engine is not None:
                engine.learn([entry])
                self.count += 1
