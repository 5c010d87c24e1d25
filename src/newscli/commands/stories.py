"""`newscli related` and `newscli timeline`: how articles and stories hang together."""

from __future__ import annotations

import sys

import click

from newscli.context import (
    CONTEXT,
    Invocation,
    NewscliCommand,
    completing,
    filters_from,
    mark_options,
    output_options,
    pass_invocation,
    source_and_date_options,
)
from newscli.errors import ExitStatus


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("ref", metavar="ID|PATH", shell_complete=completing("article_ids"))
@click.option(
    "--limit",
    default=10,
    type=click.IntRange(min=1),
    metavar="N",
    show_default=True,
    help="Show the N most related articles.",
)
@output_options
@pass_invocation
def related(inv: Invocation, ref: str, limit: int, json_: bool) -> None:
    """Articles most like one article, and the words that make them so.

    \b
    Examples:
      newscli related 5d79
      newscli related articles/000_1affae172cd90381.txt --limit 5 --json
    """
    from newscli import lookup, render

    result = inv.read(lambda engine: engine.related(lookup.find(engine, ref), limit))
    if json_:
        inv.echo(render.related_json(result, inv.marks_of([result.article.id, *(h.article.id for h in result.hits)])))
    else:
        inv.out.print(render.related(result))
    if not result.hits:
        inv.say("no related articles")
        sys.exit(ExitStatus.NO_MATCH)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("query", shell_complete=completing("queries"))
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month", "year"]),
    default="month",
    show_default=True,
    help="Length of each period.",
)
@source_and_date_options
@mark_options
@output_options
@pass_invocation
def timeline(
    inv: Invocation,
    query: str,
    by: str,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
    json_: bool,
) -> None:
    """How many articles matching QUERY appeared in each period, as a bar chart.

    QUERY uses the syntax of `newscli search`. Periods are UTC days, ISO weeks,
    months or years; empty periods between the first and the last are shown.

    \b
    Examples:
      newscli timeline ukraine
      newscli timeline 'cocoa OR coffee' --by week --source Reuters
      newscli timeline election --by year --json
    """
    from dataclasses import replace

    from newscli import render
    from newscli.models import SearchRequest
    from newscli.stats import Period

    text, filters = inv.plain(query, filters_from(sources, since, until, langs), (unread, starred, labels))
    request = SearchRequest(text, filters, variants=inv.config.variants)
    result = replace(inv.read(lambda engine: engine.timeline(request, Period(by))), query=query)
    if json_:
        inv.echo(render.timeline_json(result))
    else:
        inv.out.print(render.timeline(result))
    if result.total == 0:
        sys.exit(ExitStatus.NO_MATCH)
