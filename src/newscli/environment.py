"""What a command runs in: its standard streams, its environment variables, its pager, its engine.

`core.run(argv, env)` runs a command in one; the script makes one of its own process
(`Environment.of_process`), the resident process one of its caller's, tests one of
strings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.pager import Pager

    from newscli.config import Config
    from newscli.engine import Engine

ResidentEngine = Callable[["Config"], "Engine | None"]  # for a command's settings, the engine kept current, or None


class Environment:
    """What a command reads and writes. A plain class: `dataclasses` would cost `newscli --help` 10 ms."""

    def __init__(
        self,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        *,
        pager: Pager | None = None,
        resident: ResidentEngine | None = None,
    ) -> None:
        self.stdin, self.stdout, self.stderr, self.environ = stdin, stdout, stderr, environ
        self.pager = pager  # where `show` pages; None: rich's own (the system pager, here)
        # For a command's settings, the engine a resident process keeps current for them, or None:
        # then the command looks at the archive itself, as it does without a resident process.
        self.resident = resident

    @classmethod
    def of_process(cls) -> Environment:
        """This process's own streams and variables."""
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)


Runner = Callable[[Sequence[str], Environment], int]  # core.run: a command line run in an Environment
