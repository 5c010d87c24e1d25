"""`newscli mark`, `newscli saved …` and `newscli state …`: marks, saved searches, and moving them."""

from __future__ import annotations

import sys
from typing import Any

import click

from newscli.context import (
    CONTEXT,
    Invocation,
    NewscliCommand,
    NewscliGroup,
    completing,
    filters_from,
    language_option,
    output_options,
    pass_invocation,
    source_and_date_options,
)
from newscli.errors import ExitStatus, NewscliError


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("query", default="is:unread", shell_complete=completing("queries"))
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Only this outlet (repeat for several).",
    shell_complete=completing("outlets"),
)
@language_option
@pass_invocation
def read(inv: Invocation, query: str, sources: tuple[str, ...], langs: tuple[str, ...]) -> None:
    """Read the news in the terminal: outlets and saved searches, the article list, the article.

    It opens on the unread articles, newest first, or on QUERY (the query language
    of `newscli search`, with @NAME, is:unread, is:starred, label:L). Press ? for
    the keys: j/k to move, Enter to open (which marks read), n for the next unread,
    s to star, l to label, / to search, q to go back or quit.

    \b
    Examples:
      newscli read
      newscli read @morning
      newscli read 'ukraine is:unread' --source Reuters
    """
    from newscli import signals
    from newscli.feeds.fetch import everything
    from newscli.indexing import fresh

    if langs:  # as the query language says it, which the reader shows and searches again
        query = f"{query} ({' OR '.join(f'lang:{code}' for code in langs)})"
    inv.plain(query, filters_from(sources, None, None))  # an unknown @NAME or is: is said before the screen
    if not (inv.env.stdin.isatty() and inv.env.stdout.isatty()):
        raise NewscliError("`newscli read` needs a terminal", hint="in a script: newscli list --unread --json")
    config = inv.config

    def reopen() -> Any:
        return fresh.up_to_date(config, None, lambda message: None)

    with inv.progress("indexing") as progress:
        engine = fresh.up_to_date(config, progress, inv.say)
    from newscli.reading.app import Reader, View

    try:
        app = Reader(engine, inv.marks, config, View(query, sources), reopen, lambda: everything(config))
        # SIGTERM and SIGHUP end the reader as `q` does, giving the terminal back as it was.
        with signals.ending(lambda signum: app.exit(return_code=128 + signum)):
            app.run()
    finally:
        engine.close()
    if app.return_code:  # ended by a signal: its status, as a shell reports it
        sys.exit(app.return_code)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("args", nargs=-1, metavar="ID... | --all [QUERY]", shell_complete=completing("articles_or_queries"))
@click.option("--all", "every", is_flag=True, help="Every article the QUERY finds, or (no QUERY) the filters leave.")
@source_and_date_options
@click.option("--read", "read", flag_value=True, default=None, help="Mark read.")
@click.option("--unread", "read", flag_value=False, help="Mark unread.")
@click.option("--star", "star", flag_value=True, default=None, help="Star.")
@click.option("--unstar", "star", flag_value=False, help="Unstar.")
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="L",
    help="Add label L (repeatable).",
    shell_complete=completing("labels"),
)
@click.option(
    "--unlabel", "unlabels", multiple=True, metavar="L", help="Take label L off.", shell_complete=completing("labels")
)
@pass_invocation
def mark(
    inv: Invocation,
    args: tuple[str, ...],
    every: bool,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    read: bool | None,
    star: bool | None,
    labels: tuple[str, ...],
    unlabels: tuple[str, ...],
) -> None:
    """Mark articles read or unread, star them, label them.

    Marks are kept by article ID in the data folder (marks.db), outside the index
    and the archive: rebuilding the index keeps them.

    \b
    Examples:
      newscli mark 5d79 e04f --read --star        two articles, by ID or ID prefix
      newscli mark 5d79 --label later
      newscli mark --all ukraine --label ukraine  every article a search finds
      newscli mark --all --until 7d --read        everything older than a week
    """
    from newscli import lookup
    from newscli.models import SearchRequest, Sort

    if read is None and star is None and not labels and not unlabels:
        raise click.UsageError("say what to mark: --read, --unread, --star, --unstar, --label L or --unlabel L")
    filters = filters_from(sources, since, until, langs)
    if every:
        query = " ".join(args)
        text, filters = inv.plain(query, filters)
        if text:
            request = SearchRequest(text, filters, Sort.NEWEST, limit=0, fold_copies=False)
            ids = inv.read(lambda engine: [h.article.id for h in engine.search(request).hits])
        else:
            ids = inv.read(lambda engine: [a.id for a in engine.browse(filters, Sort.NEWEST, 0).articles])
    elif not args:
        raise click.UsageError("give the IDs of the articles to mark, or --all [QUERY]")
    elif sources or since or until or langs:
        raise click.UsageError("--source, --since, --until and --lang choose articles with --all")
    else:
        ids = inv.read(lambda engine: [lookup.find(engine, ref).id for ref in args])
    n = inv.marks.mark(ids, read=read, starred=star, add=labels, remove=unlabels)
    inv.say(f"marked {n} article{'s' * (n != 1)}")
    if not n:
        sys.exit(ExitStatus.NO_MATCH)


@click.group(cls=NewscliGroup, context_settings=CONTEXT, invoke_without_command=True)
@output_options
@pass_invocation
@click.pass_context
def saved(ctx: click.Context, inv: Invocation, json_: bool) -> None:
    """Saved searches: each with how many articles it finds, how many are unread, and how many are new.

    `@NAME` runs one wherever a query goes (search, timeline, read, mark --all).
    New: the matches that came into the index since the search was last looked at
    (`saved new NAME`, `search @NAME`, `read @NAME`, or opening it in the reader);
    `newscli alerts` lists them for every saved search.

    \b
    Examples:
      newscli saved add morning 'ukraine OR russia' --since 1d --unread
      newscli search @morning
      newscli search '@morning sanctions'
      newscli saved new morning
      newscli saved feed morning -o ~/public_html/morning.xml
      newscli saved remove morning
    """
    if ctx.invoked_subcommand is not None:
        return
    from newscli.errors import QueryError
    from newscli.models import Filters, SearchRequest
    from newscli.reading.alerts import Points

    def row(engine: Any, points: Points, unread: Filters, name: str, query: str) -> dict[str, Any]:
        """A saved search with its counts (from one search); one that cannot run (saved by an older
        newscli, or naming a search removed since) with its error instead, the others listed all the same."""
        try:
            text, filters = inv.plain(query, Filters())
            new = Filters(only_ids=points.arrived_since(name))
            total, unread_n, new_n = engine.tally(SearchRequest(text, filters), (unread, new))
            return {"name": name, "query": query, "total": total, "unread": unread_n, "new": new_n, "error": None}
        except QueryError as e:
            return {"name": name, "query": query, "total": None, "unread": None, "new": None, "error": e.message}

    def rows(engine: Any) -> list[dict[str, Any]]:
        points = Points(inv.marks, str(inv.config.index_dir))
        unread = Filters(without_ids=frozenset(inv.marks.ids(read=True)), marked=True)
        return [row(engine, points, unread, name, query) for name, (query, _) in points.saved.items()]

    found = inv.read(rows) if inv.marks.saved() else []
    if json_:
        from newscli.render import dumps

        inv.echo(dumps({"saved": found}))
        return
    if not found:
        inv.say("no saved searches: `newscli saved add NAME QUERY`")
        return
    from rich.table import Table
    from rich.text import Text

    from newscli.safe import clean

    table = Table("Name", "Query", "Articles", "Unread", "New", box=None, pad_edge=False)
    for r in found:
        name, query = Text(clean(f"@{r['name']}")), Text(clean(str(r["query"])))
        if r["error"] is not None:
            table.add_row(name, query, Text(clean(f"cannot run: {r['error']}"), style="red"), "", "")
        else:
            table.add_row(name, query, f"{r['total']:,}", f"{r['unread']:,}", f"{r['new']:,}")
    inv.out.print(table)
    if broken := [r["name"] for r in found if r["error"] is not None]:
        inv.say(f"{len(broken)} saved search{'es' * (len(broken) != 1)} cannot run: `newscli saved remove NAME`")


def _runs(inv: Invocation, text: str) -> float:
    """Refuses a query that cannot run (QueryError, as a search would say it), when there is an index to
    run it on; without one (nothing indexed yet), only what can be told without it was checked.

    Returns where a search saved now starts: what came into the index up to now is not new for it.
    """
    from newscli.errors import QueryError
    from newscli.reading import alerts

    folder = str(inv.config.index_dir)

    def start(engine: Any) -> float:
        point = alerts.start(folder)
        _total(inv, engine, text)
        return point

    try:
        return inv.read(start)
    except QueryError:
        raise
    except NewscliError:
        return alerts.start(folder)


def _total(inv: Invocation, engine: Any, query: str) -> int:
    """How many articles a saved query finds; QueryError if it cannot run."""
    from newscli.models import SearchRequest

    text, filters = inv.plain(query, filters_from((), None, None))
    return int(engine.tally(SearchRequest(text, filters))[0])


@saved.command(name="add")
@click.argument("name")
@click.argument("query", default="")
@source_and_date_options
@click.option("--unread", is_flag=True, help="Only unread articles.")
@click.option("--starred", is_flag=True, help="Only starred articles.")
@click.option("--label", "labels", multiple=True, metavar="L", help="Only articles labelled L.")
@pass_invocation
def saved_add(
    inv: Invocation,
    name: str,
    query: str,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
) -> None:
    """Save a search under NAME: the query, with its filters written into it (see `saved`)."""
    filters_from(sources, since, until)  # a bad date is refused now, not at each use
    parts = [query] if query else []
    parts += [f'source:"{s}"' for s in sources]
    parts += [f"lang:{code}" for code in langs]
    if since or until:
        parts.append(f"date:{since or ''}..{until or ''}")
    parts += ["is:unread"] * unread + ["is:starred"] * starred + [f"label:{label}" for label in labels]
    if not parts:
        raise click.UsageError("give a QUERY or filters to save")
    text = " ".join(parts)
    inv.plain(text, filters_from((), None, None))  # an unknown @NAME or is: is refused now
    start = _runs(inv, text)
    inv.marks.save(name, text, start)
    inv.say(f"saved @{name}: {text}")


@saved.command(name="remove")
@click.argument("name", shell_complete=completing("saved_names"))
@pass_invocation
def saved_remove(inv: Invocation, name: str) -> None:
    """Forget the search saved under NAME."""
    if not inv.marks.unsave(name.lstrip("@")):
        raise NewscliError(f"no saved search called @{name.lstrip('@')}", hint="`newscli saved` lists them")
    inv.say(f"removed @{name.lstrip('@')}")


@click.group(name="state", cls=NewscliGroup, context_settings=CONTEXT)
def state_group() -> None:
    """Marks and labels: moved between machines, or forgotten for articles gone for good.

    \b
    Examples:
      newscli state export marks.jsonl
      newscli state import marks.jsonl
      newscli state prune
    """


@state_group.command()
@click.argument("file")
@pass_invocation
def export(inv: Invocation, file: str) -> None:
    """Write every article's marks as JSON Lines ('-': stdout): id, read, starred, labels.

    A file is written whole or not at all (through a temporary beside it); a device or a
    FIFO is written to as it is.
    """
    from newscli.reading.transfer import export_marks

    n = export_marks(inv.marks, file, inv.env.stdout)
    inv.say(f"exported the marks of {n} articles")


@state_group.command(name="import")
@click.argument("file")
@pass_invocation
def import_(inv: Invocation, file: str) -> None:
    """Set the marks of the articles in a JSON Lines file, as `state export` writes it ('-': stdin).

    Nothing is changed unless every line can be read.
    """
    from newscli.reading.transfer import import_marks

    n = import_marks(inv.marks, file, inv.env.stdin)
    inv.say(f"imported the marks of {n} articles")


@state_group.command()
@click.option("--dry-run", is_flag=True, help="Only say how many would be forgotten.")
@pass_invocation
def prune(inv: Invocation, dry_run: bool) -> None:
    """Forget the marks of articles that are no longer in the index."""
    ids = [article for article, _ in inv.marks.every()]
    gone = inv.read(lambda engine: [i for i in ids if engine.get(i) is None])
    if not dry_run:
        inv.marks.forget(gone)
    inv.say(f"{'would forget' if dry_run else 'forgot'} the marks of {len(gone)} articles no longer in the index")
