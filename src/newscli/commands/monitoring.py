"""`newscli alerts`, `newscli saved new` and `newscli saved feed`: what is new for the saved searches."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from newscli.commands.reading import saved
from newscli.context import (
    CONTEXT,
    Invocation,
    NewscliCommand,
    completing,
    filters_from,
    output_options,
    pass_invocation,
)
from newscli.errors import ExitStatus, NewscliError

if TYPE_CHECKING:
    from newscli.engine import Engine
    from newscli.reading.alerts import New, Points

limit_option = click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="N",
    help="List at most N new articles of each saved search; 0 lists all.",
)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("names", nargs=-1, metavar="[NAME]...", shell_complete=completing("saved_names"))
@limit_option
@click.option("--seen", is_flag=True, help="Then count what is listed as seen, as `saved new NAME` does.")
@output_options
@pass_invocation
def alerts(inv: Invocation, names: tuple[str, ...], limit: int, seen: bool, json_: bool) -> None:
    """The saved searches with new matches (or those NAMEd), and the newest of those matches.

    New: what came into the index since the saved search was last looked at. This
    lists it and leaves it new (--seen counts it seen). Exit status 1 when nothing is
    new, as grep's when nothing matches, so that `newscli alerts && notify-send ...`
    works. `newscli fetch` says what it brought in for each saved search, and runs
    the config file's alert command (`newscli help monitoring`).

    \b
    Examples:
      newscli alerts
      newscli alerts ukraine --limit 0 --json
      newscli fetch; newscli alerts >/dev/null && notify-send newscli 'new articles'
    """
    news = [n for n in _news(inv, names, limit, seen) if n.count or n.error]
    for n in news:
        if n.error:
            inv.say(f"@{n.name} cannot run: {n.error}")
    news = [n for n in news if n.count]
    if json_:
        from newscli.render import dumps

        inv.echo(dumps({"alerts": [_new_json(inv, n) for n in news]}))
    else:
        _print(inv, news)
    if not news:
        if not json_:
            inv.say("nothing new")
        sys.exit(ExitStatus.NO_MATCH)


@saved.command(name="new")
@click.argument("name", shell_complete=completing("saved_names"))
@limit_option
@output_options
@pass_invocation
def saved_new(inv: Invocation, name: str, limit: int, json_: bool) -> None:
    """The matches of the search saved as NAME that came in since it was last looked at, newest first;
    from then on they are seen. Exit status 1 when none is new."""
    [new] = _news(inv, (name,), limit, seen=True)
    if new.error:
        raise NewscliError(f"@{new.name} cannot run: {new.error}")
    if json_:
        from newscli.render import dumps

        inv.echo(dumps(_new_json(inv, new)))
    else:
        _print(inv, [new] if new.count else [])
    if not new.count:
        if not json_:
            inv.say(f"nothing new for @{new.name}")
        sys.exit(ExitStatus.NO_MATCH)


def _news(inv: Invocation, names: tuple[str, ...], limit: int, seen: bool) -> list[New]:
    from newscli.reading.alerts import Points

    wanted = [_known(inv, name) for name in names]
    if not inv.marks.saved():
        return []

    def look(engine: Engine) -> tuple[Points, list[New]]:
        points = Points(inv.marks, str(inv.config.index_dir))
        return points, [points.new(engine, name, limit) for name in wanted or points.saved]

    points, found = inv.read(look)  # (which may run `look` twice: what is seen is marked after)
    if seen:
        for new in found:
            points.look(new.name)
    return found


def _known(inv: Invocation, name: str) -> str:
    """The name of a saved search (@NAME or NAME), which must be one."""
    name = name.lstrip("@")
    if name not in inv.marks.saved():
        raise NewscliError(f"no saved search called @{name}", hint="`newscli saved` lists them")
    return name


def _print(inv: Invocation, news: list[New]) -> None:
    from rich.text import Text

    from newscli import render
    from newscli.models import ListResult
    from newscli.safe import clean

    for new in news:
        more = f" (the newest {len(new.articles):,} listed)" if len(new.articles) < new.count else ""
        inv.out.print(Text(clean(f"@{new.name}: {new.count:,} new{more}"), style="bold"))
        inv.out.print(render.article_table(ListResult(new.count, new.articles)))


def _new_json(inv: Invocation, new: New) -> dict[str, Any]:
    from newscli.render import article_json

    marks = inv.marks_of([a.id for a in new.articles])
    articles = [article_json(a, marks=marks) for a in new.articles]
    return {"name": new.name, "query": new.query, "new": new.count, "articles": articles}


def after_fetch(inv: Invocation, before: float) -> list[dict[str, Any]]:
    """What a fetch brought in for each saved search (came in after `before`): said one line a search,
    and given to the alert commands of the config file; as `fetch --json` gives it."""
    from newscli.reading import alerts
    from newscli.reading.marks import path
    from newscli.render import dumps

    if not path().exists() or not inv.marks.saved():
        return []
    points: Points = alerts.Points(inv.marks, str(inv.config.index_dir), after=before)
    news = [n for n in inv.read(lambda engine: points.every(engine)) if n.count]
    config = inv.config.alerts
    commands = []
    for new in news:
        inv.say(f"@{new.name}: {new.count:,} new")
        if argv := config.command_of(new.name):
            commands.append(alerts.Command(new.name, argv, dumps(_new_json(inv, new)).encode(), new.count))
    for name, problem in alerts.notify(commands, config.deadline, inv.env.environ):
        inv.say(f"@{name}: alert command: {problem}")
    return [{"name": n.name, "new": n.count} for n in news]


@saved.command(name="feed")
@click.argument("name", shell_complete=completing("saved_names"))
@click.option("-o", "--output", "file", default="-", metavar="FILE", help="Write to FILE, whole or not at all.")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=1), metavar="N", help="The N newest matches."
)
@pass_invocation
def saved_feed(inv: Invocation, name: str, file: str, limit: int) -> None:
    """The newest matches of the search saved as NAME, as an Atom feed that any feed reader follows.

    Entry IDs stay the same from one run to the next. Written now and then (cron,
    or after `newscli fetch`), a feed reader follows the file (newsboat: a
    file:// URL, or exec:newscli saved feed NAME); put where a web server serves
    it, anyone's can. Looking at the feed does not count its matches seen.

    \b
    Examples:
      newscli saved feed ukraine -o ~/public_html/ukraine.xml
      newscli saved feed ukraine --limit 20 > ukraine.atom
    """
    from newscli import output
    from newscli.exporting import atom
    from newscli.models import SearchRequest, Sort

    name = _known(inv, name)
    query = inv.marks.saved()[name]
    text, filters = inv.plain(query, filters_from((), None, None))

    def newest(engine: Engine) -> tuple[Any, ...]:
        if text:
            request = SearchRequest(text, filters, Sort.NEWEST, limit, fold_copies=False)
            return tuple(h.article for h in engine.search(request).hits)
        return engine.browse(filters, Sort.NEWEST, limit).articles

    articles = inv.read(newest)
    with output.target(file, inv.env.stdout) as out:
        n = atom.feed(name, query, articles, out)
    if file != "-":
        inv.say(f"wrote the {n:,} newest matches of @{name} to {file}")
