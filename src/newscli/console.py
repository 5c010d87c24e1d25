"""Where output goes: consoles for stdout and stderr, the progress bar and the pager.

Only on a terminal: colour, the progress bar and the pager. Imported by commands
that print; rich is loaded inside, so that `newscli --help` stays quick.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.pager import Pager


def make(color: str, file: TextIO, environ: Mapping[str, str]) -> Console:
    """A console on `file` honouring the colour setting: auto (rich's own choice, from the file and
    `environ`: NO_COLOR, TERM, COLUMNS...), always, never."""
    from rich.console import Console

    def made(**options: Any) -> Console:
        return Console(file=file, highlight=False, _environ=environ, **options)

    if color == "never":
        return made(color_system=None)
    if color == "always":  # a flag or setting, so it wins over NO_COLOR
        console = made(force_terminal=True, no_color=False)
        # A terminal type with no colours of its own (TERM=dumb) still gets the basic ones.
        return (
            console
            if console.color_system is not None
            else made(force_terminal=True, no_color=False, color_system="standard")
        )
    return made()


def progress(
    console: Console, label: str, *, items: bool = False
) -> AbstractContextManager[Callable[[int, int], None] | None]:
    """A progress bar on a terminal's stderr, shown once there is work; nothing on a pipe.

    It counts bytes, or (items) things done of how many."""
    if not console.file.isatty():
        return nullcontext(None)
    return _ProgressBar(console, label, items)


class _ProgressBar:
    """Made at the first update: a command with nothing to index does not load rich's progress bars."""

    def __init__(self, console: Console, label: str, items: bool) -> None:
        self._console, self._label, self._items = console, label, items
        self._progress: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        return self.update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, done: int, total: int) -> None:
        if self._progress is None:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            count = MofNCompleteColumn() if self._items else DownloadColumn()
            columns = (TextColumn(self._label), BarColumn(), count, TimeRemainingColumn())
            self._progress = Progress(*columns, console=self._console, transient=True)
            self._task = self._progress.add_task(self._label, total=None)
            self._progress.start()
        self._progress.update(self._task, completed=done, total=total)


def page(console: Console, view: RenderableType, *, pager: Pager | None, allowed: bool = True) -> None:
    """Prints `view`, through `pager` (rich's own if None) when it is longer than the terminal is high."""
    if allowed and console.is_terminal and len(console.render_lines(view, pad=False)) > console.height:
        os.environ.setdefault("LESS", "-R")  # for the pager this process starts
        with console.pager(pager=pager, styles=True):
            console.print(view)
    else:
        console.print(view)
