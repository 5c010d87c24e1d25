"""Where a command writes a file it was asked for (`-o FILE`, or '-' for stdout): whole or not at all.

A regular file is written to a temporary beside it and renamed into place once
complete, so that an interrupted or failed run leaves the file as it was (or none);
a link is followed, and the file it names replaced. A device or a FIFO is written to
as it is.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from newscli import signals
from newscli.errors import NewscliError


def _interrupted(signum: int) -> None:
    """SIGTERM or SIGHUP while a file is written: the write ends as Ctrl-C ends it, its temporary removed."""
    raise SystemExit(128 + signum)


@contextmanager
def target(name: str, stdout: TextIO | None, *, newline: str | None = None) -> Iterator[TextIO]:
    """The stream to write `name` through ('-': `stdout`); a file is in place once the block ends well.

    `newline`: as `open` takes it ('' for CSV, which writes its own line ends).
    """
    if name == "-":
        if stdout is None:
            raise NewscliError("standard output is closed: give a file to write to")
        yield stdout
        stdout.flush()
        return
    try:
        info = os.stat(name)
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise NewscliError(f"cannot write {name}: {e.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise NewscliError(f"cannot write {name}: it is a folder")
    if info is not None and not stat.S_ISREG(info.st_mode):  # /dev/null, a FIFO: written to, never replaced
        try:
            with open(name, "w", encoding="utf-8", newline=newline) as f:
                yield f
        except OSError as e:
            raise NewscliError(f"cannot write {name}: {e.strerror or e}") from None
        return
    real = os.path.realpath(name)
    if not os.path.isdir(os.path.dirname(real) or "."):
        raise NewscliError(f"cannot write {name}: no folder {os.path.dirname(real)}")
    temporary = os.path.join(os.path.dirname(real), f".{os.path.basename(real)}.{os.getpid()}.tmp")
    try:
        with signals.ending(_interrupted), open(temporary, "w", encoding="utf-8", newline=newline) as f:
            yield f
        os.replace(temporary, real)
    except OSError as e:
        raise NewscliError(f"cannot write {name}: {e.strerror or e}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
