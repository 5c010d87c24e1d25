"""What the commands share: their Invocation (settings, where output goes), their options, their help.

Heavy modules (rich, Whoosh) are imported where they are needed, so that
`newscli --help` stays quick.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newscli.errors import NewscliError
from newscli.safe import clean

if TYPE_CHECKING:
    from rich.console import Console

    from newscli.config import Config
    from newscli.engine import Engine
    from newscli.environment import Environment, Runner
    from newscli.models import Filters
    from newscli.reading.marks import Marks

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Invocation:
    """One command's run: its Environment, its settings, where its output goes."""

    # A plain class: importing `dataclasses` would cost `newscli --help` about 10 ms of its 70.
    def __init__(self, env: Environment, run: Runner) -> None:
        self.env = env
        self.run = run  # how a command is run (the resident process runs its callers' with it)
        self.config_file: str | None = None
        self.index_dir: str | None = None
        self.color: str | None = None

    def configure(self, config_file: str | None, index_dir: str | None, color: str | None) -> None:
        """The global options, as given (the environment's variables are read with the config file)."""
        self.config_file, self.index_dir, self.color = config_file, index_dir, color

    @cached_property
    def config(self) -> Config:
        from newscli import config

        return config.load(
            config_file=self.config_file, index_dir=self.index_dir, color=self.color, environ=self.env.environ
        )

    @cached_property
    def out(self) -> Console:
        from newscli import console

        return console.make(self.config.color, self.env.stdout, self.env.environ)

    @cached_property
    def err(self) -> Console:
        from newscli import console

        return console.make(self.config.color, self.env.stderr, self.env.environ)

    @cached_property
    def marks(self) -> Marks:
        from newscli.reading.marks import Marks

        return Marks()

    def echo(self, text: str, *, newline: bool = True) -> None:
        """Data on stdout, as it is (JSON, OPML, an article's file)."""
        self.env.stdout.write(text + "\n" if newline else text)

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

    def looking(self, query: str, run: Callable[[Engine], T]) -> T:
        """What `run` finds (as `read`); a query that is one saved search alone (`@NAME`) has what it
        finds seen (once found: `read` may run `run` twice)."""
        if "@" not in query:  # (marks.db, SQLite, are not loaded for a search that needs neither)
            return self.read(run)
        from newscli.reading import alerts

        if (name := alerts.looked_at(query)) is None:
            return self.read(run)
        points, found = self.read(lambda engine: (alerts.Points(self.marks, str(self.config.index_dir)), run(engine)))
        points.look(name)
        return found

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        """The index, up to date, for a command that reads it once (not run again, as `read` may)."""
        from newscli.indexing import fresh

        if self.env.resident is not None and (resident := self.env.resident(self.config)) is not None:
            yield resident
            return
        with self.progress("indexing") as progress:
            engine = fresh.up_to_date(self.config, progress, self.say)
        try:
            yield engine
        finally:
            engine.close()

    def say(self, message: str) -> None:
        """One line of talk on stderr; what it quotes of articles or arguments is made safe."""
        from rich.text import Text

        self.err.print(Text("newscli: ", style="dim") + Text(clean(message)), soft_wrap=True, crop=False)

    def read(self, query: Callable[[Engine], T]) -> T:
        """What `query` finds in the index, brought up to date with the archive first."""
        from newscli.indexing import fresh

        resident = self.env.resident(self.config) if self.env.resident is not None else None
        if resident is not None:
            return query(resident)
        with self.progress("indexing") as progress:
            return fresh.read_fresh(self.config, query, progress, self.say)

    def progress(self, label: str, *, items: bool = False) -> AbstractContextManager[Callable[[int, int], None] | None]:
        from newscli import console

        return console.progress(self.err, label, items=items)

    def page(self, view: Any, *, allowed: bool = True) -> None:
        """`view` on stdout, through the pager when it is longer than the terminal is high."""
        from newscli import console

        console.page(self.out, view, pager=self.env.pager, allowed=allowed)


pass_invocation = click.make_pass_decorator(Invocation)


class _OwnHelp:
    """-h/--help (and the group's --version) written to the command's stdout, not Python's."""

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)  # type: ignore[attr-defined]
        if not names or not self.add_help_option:  # type: ignore[attr-defined]
            return None
        if self.__dict__.get("_own_help") is None:
            self._own_help = click.Option(
                names,
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_help,
                help="Show this message and exit.",
            )
        return self._own_help


def _help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _echo(ctx, ctx.get_help())
        ctx.exit()


def _echo(ctx: click.Context, text: str) -> None:
    invocation = ctx.find_object(Invocation)
    if invocation is None:  # click's own ways in: completion, the README's generated reference
        click.echo(text)
    else:
        invocation.echo(text)


def version_option(version: str) -> Callable[[F], F]:
    def show(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            _echo(ctx, f"newscli, version {version}")
            ctx.exit()

    return click.option(
        "--version", is_flag=True, expose_value=False, is_eager=True, callback=show, help="Show the version and exit."
    )


class NewscliCommand(_OwnHelp, click.Command):
    pass


class NewscliGroup(_OwnHelp, click.Group):
    """newscli's groups: their commands and groups are of these classes too."""

    command_class = NewscliCommand
    group_class = type


def output_options(f: F) -> F:
    """--json, shared by every command that prints data."""
    return click.option("--json", "json_", is_flag=True, help="Print one JSON document (see `newscli help json`).")(f)


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
            language_option,
        ],
    )


def _languages(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    from newscli.languages import regular

    codes = []
    for value in values:
        if (code := regular(value)) is None:
            raise click.BadParameter(
                f"{value!r} is not a language (an ISO 639-1 code such as de, or a name such as German)"
            )
        codes.append(code)
    return tuple(dict.fromkeys(codes))


language_option = click.option(
    "--lang",
    "langs",
    multiple=True,
    metavar="CODE",
    callback=_languages,
    help="Only articles in this language: de, en... (repeat for several; also: lang:de).",
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


def filters_from(
    sources: tuple[str, ...], since: str | None, until: str | None, langs: tuple[str, ...] = ()
) -> Filters:
    from newscli import dates
    from newscli.models import DateRange, Filters

    try:
        start = dates.bound(since, end=False) if since else None
        end = dates.bound(until, end=True) if until else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="'--since' / '--until'") from None
    return Filters(tuple(sources), DateRange(start, end), tuple(langs))
