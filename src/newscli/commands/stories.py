"""`newscli stories`, `story`, `related` and `timeline`: how articles and stories hang together."""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import closing
from typing import TYPE_CHECKING, Any

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
from newscli.errors import ExitStatus, NewscliError

if TYPE_CHECKING:
    import sqlite3

    from newscli.engine import Engine
    from newscli.models import SearchRequest


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


def _catalog(inv: Invocation) -> closing[sqlite3.Connection]:
    """The catalog the stories are read from; an error if stories are turned off."""
    from newscli.stories import view

    if inv.config.story_window_days <= 0:
        raise NewscliError("stories are turned off", hint="story_window_days is 0 in the config file")
    return closing(view.connect(str(inv.config.index_dir)))


SCANNED = 1000  # matches `search --stories` groups, best first


def search_stories(inv: Invocation, query: str, request: SearchRequest, json_: bool) -> None:
    """`search --stories`: the stories of the best matches, each whole, in the order of their best match."""
    from dataclasses import replace
    from itertools import islice

    from newscli.stories import render, view

    def found(engine: Engine) -> tuple[list[view.Story], int, str]:
        with _catalog(inv) as db:
            ids = [a.id for a in islice(engine.every(replace(request, limit=0)), SCANNED)]
            best = {article: n for n, article in enumerate(ids)}
            told = view.whole(db, ids)
            told.sort(key=lambda s: min(best.get(a.id, SCANNED) for a in s.articles))
            shown = told[: request.limit] if request.limit else told
            if not json_:
                return shown, len(ids), ""
            marks = inv.marks_of([a.id for s in shown for a in s.articles])
            return shown, len(ids), render.stories_json(shown, engine.get, marks, query=query)

    shown, matches, document = inv.read(found)
    if json_:
        inv.echo(document)
    elif shown:
        inv.out.print(render.grouped_hits(shown))
    if not json_:
        more = " (the first of them)" if matches >= SCANNED else ""
        inv.say(f"{len(shown)} stories shown, of {matches} matches{more}; undated matches are in none")
    if not shown:
        sys.exit(ExitStatus.NO_MATCH)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("query", required=False, default="", shell_complete=completing("queries"))
@source_and_date_options
@click.option(
    "--limit",
    default=10,
    type=click.IntRange(min=0),
    metavar="N",
    show_default=True,
    help="Show the N first stories; 0 shows all.",
)
@mark_options
@output_options
@pass_invocation
def stories(
    inv: Invocation,
    query: str,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    limit: int,
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
    json_: bool,
) -> None:
    """The stories told in a period: one event reported by several outlets, most outlets first.

    A story is a set of articles about the same event within a few days, from any outlets, in
    any words (within one language); copies of an article are folded into it. Each story is
    shown as told in the period and by the articles QUERY and the filters let through: its
    outlets, its articles, its first report and latest update. `newscli story ID` shows one whole.
    Stories with more outlets come first, then those with more articles, then the newest.

    \b
    Examples:
      newscli stories --since 24h               the morning's briefing
      newscli stories --since 7d --source Reuters
      newscli stories brazil --since 1987-03 --until 1987-03 --limit 5
      newscli stories --since 2020-04-20 --until 2020-04-26 --json
    """
    from newscli.models import SearchRequest, Sort
    from newscli.stories import render, view

    filters = filters_from(sources, since, until, langs)
    marked = (unread, starred, labels)
    narrowed = bool(query or sources or langs or any(marked))
    text, filters = inv.plain(query, filters, marked) if narrowed else ("", filters)
    request = SearchRequest(text, filters, Sort.NEWEST, limit=0, variants=inv.config.variants)

    def found(engine: Engine) -> tuple[list[view.Story], str]:
        with _catalog(inv) as db:
            ids = [a.id for a in engine.every(request)] if narrowed else None
            chosen = view.stories(db, since=filters.dates.start, until=filters.dates.end, ids=ids, limit=limit)
            if not json_:
                return chosen, ""
            ids = [a.id for s in chosen for a in s.articles]
            return chosen, render.stories_json(chosen, engine.get, inv.marks_of(ids))

    chosen, document = inv.read(found)
    if json_:
        inv.echo(document)
    elif chosen:
        inv.out.print(render.story_list(chosen))
    if not chosen:
        inv.say("no stories")
        sys.exit(ExitStatus.NO_MATCH)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("ref", metavar="ID", shell_complete=completing("article_ids"))
@click.option("--explain", is_flag=True, help="Show how each article came into the story, and the merges.")
@output_options
@pass_invocation
def story(inv: Invocation, ref: str, explain: bool, json_: bool) -> None:
    """One story whole: who reported it first, who followed, and how each outlet told it.

    ID is the story's or any of its articles' (an ID prefix of 4+ characters, or a file path, as
    `newscli show` takes). The articles are shown by outlet, in the order the outlets first
    reported, each with its delay after the first report; copies are folded under their original.
    Then, for each outlet with enough text, the words that set its telling apart from the others'
    (weighted log-odds with an informative Dirichlet prior, as z-scores), and the words all share.

    \b
    Examples:
      newscli story 9119a3c4e5f6
      newscli story 9119 --explain
      newscli story articles/000_1affae172cd90381.txt --json
    """
    from newscli import lookup
    from newscli.stories import render, view, words

    def found(engine: Engine) -> tuple[view.Story, words.Telling, list[Any], str]:
        with _catalog(inv) as db:
            told = view.story(db, ref)
            if told is None:
                told = view.story(db, lookup.find(engine, ref).id)
            if told is None:
                raise NewscliError(f"{ref} is in no story: it has no date", hint="an undated article is placed in none")
            counted: dict[str, Counter[str]] = {}
            for a in told.articles:
                article = engine.get(a.id)
                counted.setdefault(a.outlet, Counter()).update(
                    words.counts(f"{a.title}\n{article.body if article else ''}")
                )
            telling = words.telling(counted)
            merges = view.merges(db, told.id) if explain else []
            document = (
                render.story_json(told, telling, engine.get, inv.marks_of([a.id for a in told.articles]))
                if json_
                else ""
            )
            return told, telling, merges, document

    told, telling, merges, document = inv.read(found)
    if json_:
        inv.echo(document)
    else:
        inv.page(render.story_view(told, telling, explain, merges))
