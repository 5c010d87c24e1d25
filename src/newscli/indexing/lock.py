"""The index's write lock: one run updates an index at a time."""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from newscli.errors import IndexError_
from newscli.folders import private

LOCK = "newscli.lock"


@contextmanager
def locked(folder: Path, timeout: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Holds the index's write lock; waits up to `timeout` seconds for another run to finish."""
    private(str(folder))
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise IndexError_(
                    f"another newscli is still updating the index in {folder}",
                    hint="wait for it to finish, then try again",
                )
            if not told and on_wait:
                on_wait()
                told = True
            time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def in_use(folder: Path) -> bool:
    """Whether another run holds the index's write lock."""
    try:
        with locked(folder, timeout=0):
            return False
    except IndexError_:
        return True
    except OSError:  # a folder this user cannot write: nobody can update it
        return False
