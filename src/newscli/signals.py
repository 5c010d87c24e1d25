"""SIGTERM and SIGHUP, while a block of work runs, ending it as the person's own way out would.

Python's default ends the process at once, leaving what the block would have undone:
the reader's terminal in raw mode, an export's temporary file.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def ending(leave: Callable[[int], None]) -> Iterator[None]:
    """`leave(signum)` on SIGTERM or SIGHUP within the block (in the main thread, where signals are
    handled; elsewhere nothing changes); the handlers of before, after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, lambda signum, frame: leave(signum)) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
