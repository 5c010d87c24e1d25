"""What the commands share: their state, their options, and how a failure becomes one line and an exit status.

Heavy modules (rich, Whoosh) are imported where they are needed, so that
`newscli --help` stays quick.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newscli.errors import ExitStatus, NewscliError
from newscli.safe import clean

if TYPE_CHECKING:
    from rich.console import Console

    from newscli.config import Config
    from newscli.engine import Engine
    from newscli.models import Filters
    from newscli.reading.marks import Marks

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class State:
    """What every command shares: settings, where output goes, how verbose to be."""

    # A plain class: importing `dataclasses` would cost `newscli --help` about 10 ms of its 70.
    def __init__(self, config_file: str | None = None, index_dir: str | None = None, color: str | None = None) -> None:
        self.config_file = config_file
        self.index_dir = index_dir
        self.color = color

    @cached_property
    def config(self) -> Config:
        from newscli import config

        return config.load(config_file=self.config_file, index_dir=self.index_dir, color=self.color)

    @cached_property
    def out(self) -> Console:
        from newscli import console

        return console.make(self.config.color, stderr=False)

    @cached_property
    def err(self) -> Console:
        from newscli import console

        return console.make(self.config.color, stderr=True)

    @cached_property
    def marks(self) -> Marks:
        from newscli.reading.marks import Marks

        return Marks()

    def plain(self, text: str, filters: Filters, marked: Sequence[Any] = (False, False, ())) -> tuple[str, Filters]:
        """A query and filters without saved searches and marks: `@NAME`, `is:`, `label:`, and
        `marked` (--unread, --starred, --label) as article IDs the engine can filter on."""
        unread, starred, labels = marked
        if "@" not in text and ":" not in text and not (unread or starred or labels):
            return text, filters
        from newscli.reading import queries

        wanted = queries.Wanted(False if unread else None, True if starred else None, tuple(labels))
        return queries.plain(text, filters, self.marks, wanted)

    def marks_of(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The marks of these articles, as `--json` gives them (none, without making marks.db, if there is none)."""
        from newscli.reading.marks import path

        if "marks" not in self.__dict__ and not path().exists():
            return {}
        return {article: mark.json() for article, mark in self.marks.get(ids).items()}

    def say(self, message: str) -> None:
        """One line of talk on stderr; what it quotes of articles or arguments is made safe."""
        from rich.text import Text

        self.err.print(Text("newscli: ", style="dim") + Text(clean(message)), soft_wrap=True, crop=False)

    def read(self, query: Callable[[Engine], T]) -> T:
        """What `query` finds in the index, brought up to date with the archive first."""
        from newscli.indexing import fresh

        with self.progress("indexing") as progress:
            return fresh.read_fresh(self.config, query, progress, self.say)

    def progress(self, label: str) -> AbstractContextManager[Callable[[int, int], None] | None]:
        from newscli import console

        return console.progress(self.err, label)


pass_state = click.make_pass_decorator(State)


class NewscliGroup(click.Group):
    """Turns every failure into one line on stderr and an exit code; -v adds the traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        verbose = any(a in ("-v", "--verbose") for a in (sys.argv[1:] if args is None else args))
        if "_NEWSCLI_COMPLETE" in os.environ:  # the shell asks for its script, or for completions
            import newscli.shells  # noqa: F401  (registers the scripts that quote what they insert)

        previous = signal.signal(signal.SIGINT, _interrupt)
        try:
            code = super().main(args, prog_name or "newscli", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            click.echo(e.ctx.get_help() if e.ctx else "")
            sys.exit(ExitStatus.SUCCESS)
        except click.UsageError as e:
            _fail(_usage(e), ExitStatus.ERROR)
        except click.Abort:
            _fail("interrupted", ExitStatus.INTERRUPTED)
        except NewscliError as e:
            if verbose:
                _traceback()
            _fail(e.message + (f" ({e.hint})" if e.hint else ""), e.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", ExitStatus.INTERRUPTED)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(ExitStatus.SUCCESS)
        except OSError as e:  # a folder that cannot be written, a full disk
            if verbose:
                _traceback()
            where = f": {e.filename}" if e.filename else ""
            _fail(f"{e.strerror or e}{where}", ExitStatus.ERROR)
        except Exception as e:
            if verbose:
                _traceback()
            if type(e).__name__ == "OperationalError" and "locked" in str(e):  # sqlite3's, not loaded here
                _fail(f"{e}: another newscli is using it (try again when it is done)", ExitStatus.ERROR)
            _fail(f"unexpected error: {type(e).__name__}: {e} (run with -v for details)", ExitStatus.ERROR)
        finally:
            if signal.getsignal(signal.SIGINT) is _interrupt:  # after a Ctrl-C, a second one still quits at once
                signal.signal(signal.SIGINT, previous)
        sys.exit(code if isinstance(code, int) else ExitStatus.SUCCESS)


def _usage(e: click.UsageError) -> str:
    """A usage error with the command it is about (unless it is newscli's own) and where to look."""
    command = e.ctx.command_path if e.ctx else "newscli"
    hint = f"see '{command} --help'"
    takes_query = e.ctx is not None and any(p.name == "query" for p in e.ctx.command.params)
    if isinstance(e, click.NoSuchOption) and takes_query and not e.option_name.startswith("--"):
        hint = f"to search for a word with a leading -, put -- before the query: {command} -- -word"
    about = f"{command}: " if command != "newscli" else ""
    return f"{about}{e.format_message()} ({hint})"


def _traceback() -> None:
    import traceback  # only for -v: it costs every command a few milliseconds to load

    traceback.print_exc()


def _interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C stops the command cleanly (indexing keeps what it committed)."""
    signal.signal(signal.SIGINT, _abort)
    raise KeyboardInterrupt


def _abort(signum: int, frame: object) -> None:
    """A second Ctrl-C quits at once: the index is consistent at every moment, so nothing is lost."""
    os.write(2, b"\nnewscli: aborted\n")
    os._exit(ExitStatus.INTERRUPTED)


def _fail(message: str, code: ExitStatus) -> None:
    click.echo(f"newscli: error: {clean(message)}", err=True)
    sys.exit(code)


def output_options(f: F) -> F:
    """--json, shared by every command that prints data."""
    return click.option("--json", "json_", is_flag=True, help="Print one JSON document (see README).")(f)


def _stack(f: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        f = option(f)
    return f


def completing(name: str) -> Callable[..., Any]:
    """A shell-completion callback: `name` of newscli.complete.COMPLETERS, imported only when completing."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        from newscli import complete, config

        root = ctx.find_root().params
        try:
            settings = config.load(config_file=root.get("config_file"), index_dir=root.get("index_dir"))
        except NewscliError:  # a broken config: nothing to offer
            return []
        return complete.COMPLETERS[name](str(settings.index_dir), incomplete)

    complete.completer = name  # type: ignore[attr-defined]  # for complete.shape
    return complete


def source_and_date_options(f: F) -> F:
    """--source, --since and --until: which articles a command looks at."""
    return _stack(
        f,
        [
            click.option(
                "--source",
                "sources",
                multiple=True,
                metavar="NAME",
                help="Only this outlet (case-insensitive; repeat for several).",
                shell_complete=completing("outlets"),
            ),
            click.option("--since", metavar="DATE", help="Only articles dated on or after DATE."),
            click.option("--until", metavar="DATE", help="Only articles dated on or before DATE."),
        ],
    )


def filter_options(f: F) -> F:
    """--source, --since, --until and --limit."""
    limit = click.option(
        "--limit", default=None, type=click.IntRange(min=0), metavar="N", help="Show at most N articles; 0 shows all."
    )
    return _stack(f, [source_and_date_options, limit])


def mark_options(f: F) -> F:
    """--unread, --starred and --label: which articles, by their marks."""
    return _stack(
        f,
        [
            click.option("--unread", is_flag=True, help="Only articles not marked read (also: is:unread)."),
            click.option("--starred", is_flag=True, help="Only starred articles (also: is:starred)."),
            click.option(
                "--label",
                "labels",
                multiple=True,
                metavar="L",
                help="Only articles labelled L (also: label:L).",
                shell_complete=completing("labels"),
            ),
        ],
    )


def filters_from(sources: tuple[str, ...], since: str | None, until: str | None) -> Filters:
    from newscli import dates
    from newscli.models import DateRange, Filters

    try:
        start = dates.bound(since, end=False) if since else None
        end = dates.bound(until, end=True) if until else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'--since' / '--until'") from None
    return Filters(tuple(sources), DateRange(start, end))
