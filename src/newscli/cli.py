"""The command line: parse options, make one core call, render what it returns.

Heavy modules (rich, Whoosh) are imported inside the commands that need them,
so that `newscli --help` stays quick. What the commands share is in context.py.
"""

from __future__ import annotations

import sys

import click

from newscli import __version__
from newscli.context import (
    CONTEXT,
    Invocation,
    NewscliGroup,
    completing,
    filter_options,
    filters_from,
    mark_options,
    output_options,
    pass_invocation,
    version_option,
)
from newscli.errors import ExitStatus

SORTS = click.Choice(["relevance", "newest", "oldest"])


@click.group(name="newscli", cls=NewscliGroup, context_settings=CONTEXT)
@click.option(
    "--index-dir",
    type=click.Path(file_okay=False),
    help="Where the index lives [env: NEWSCLI_INDEX_DIR; default: ~/.local/share/newscli/index].",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Config file [env: NEWSCLI_CONFIG; default: ~/.config/newscli/config.yaml].",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default=None,
    help="Colour output [default: auto; NO_COLOR is honoured].",
)
@click.option(
    "--no-server",
    is_flag=True,
    help="Answer in this process, without the resident index process (see `newscli server --help`).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for errors.")
@version_option(__version__)
@pass_invocation
def cli(
    inv: Invocation,
    index_dir: str | None,
    config_file: str | None,
    color: str | None,
    no_server: bool,
    verbose: bool,
) -> None:
    """Search, read and browse a folder of news articles.

    \b
    Examples:
      newscli search "Ukraine"              ranked results with snippets
      newscli search 'title:troops NOT "ground forces"' --since 2024-02
      newscli show 5d79                     read an article (ID or unique prefix)
      newscli list --source "Al Jazeera"    browse one outlet, newest first
      newscli sources                       every outlet and its article count
      newscli index ~/news                  add a folder to the archive
      newscli server status                 the resident index process

    The first command builds the index from the configured archive (./articles
    if none is set); later commands pick up added, changed and removed files.
    Exit status: 0 success, 1 no match or not found, 2 usage or other error.
    """
    del verbose, no_server  # read by core.run and by main.py before click runs
    inv.configure(config_file, index_dir, color)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--rebuild", is_flag=True, help="Start the index over instead of updating it.")
@click.option("--check", is_flag=True, help="Read the whole index and compare it with the archive; change nothing.")
@output_options
@pass_invocation
def index(inv: Invocation, paths: tuple[str, ...], rebuild: bool, check: bool, json_: bool) -> None:
    """Index the archive: only new and changed files are read.

    PATHS are folders (or files) of articles to add to the archive; without
    them, the folders indexed before (or the configured archive, or ./articles)
    are brought up to date. A summary, with every skipped file and why, goes to
    stderr.

    \b
    Examples:
      newscli index                 update the index
      newscli index ~/news ~/wires  add two folders
      newscli index --rebuild       read everything again
      newscli index --check         verify the index (exit status 1 if it
                                    disagrees with the archive)
    """
    from newscli import render
    from newscli.indexing import check as checking
    from newscli.indexing import update

    if check:
        if paths or rebuild:
            raise click.UsageError("--check takes no PATHS and no --rebuild")
        result = checking.check(inv.config)
        if json_:
            inv.echo(render.check_json(result))
        else:
            inv.out.print(render.check_summary(result), end="", soft_wrap=True)
        sys.exit(ExitStatus.SUCCESS if result.agrees else ExitStatus.NO_MATCH)

    def waiting() -> None:
        inv.say("waiting for another newscli to finish updating the index...")

    with inv.progress("indexing") as progress:
        report = update.update(inv.config, list(paths) or None, rebuild=rebuild, progress=progress, on_wait=waiting)
    inv.err.print(render.index_summary(report), soft_wrap=True)
    if json_:
        inv.echo(render.index_json(report))
    if report.interrupted:
        inv.say("interrupted: what was committed is kept; run `newscli index` again to finish")
        sys.exit(ExitStatus.INTERRUPTED)


@cli.command()
@click.argument("query", shell_complete=completing("queries"))
@filter_options
@click.option("--sort", type=SORTS, default="relevance", show_default=True, help="Order of results.")
@click.option("--page", default=1, type=click.IntRange(min=1), metavar="N", help="Show page N of results.")
@click.option("--explain", is_flag=True, help="Show how the query was understood before the results.")
@click.option("--facets", is_flag=True, help="Count the matches by outlet and by month.")
@mark_options
@click.option("--all", "all_copies", is_flag=True, help="Show every copy of a republished story, not one.")
@click.option(
    "--expand",
    is_flag=True,
    help="Rerank the first results with words they share that the query lacks (pseudo-relevance feedback).",
)
@click.option("--stories", "by_story", is_flag=True, help="One line a story: the matches grouped by story.")
@output_options
@pass_invocation
def search(
    inv: Invocation,
    query: str,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    limit: int | None,
    sort: str,
    page: int,
    explain: bool,
    facets: bool,
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
    all_copies: bool,
    expand: bool,
    by_story: bool,
    json_: bool,
) -> None:
    """Search the archive: articles with every word first, then those with most.

    \b
    Query syntax:
      ukraine troops            both words (stemmed: troops finds troop); when
                                fewer than a page hold both, articles with
                                some of the words follow, marked as such
      ukraine AND troops        both words, in every result
      +ukraine troops           ukraine in every result, troops where it can be
      ukraine OR kyiv           either word
      ukraine NOT russia        the first without the second (also: -russia;
                                a query that starts with -: search -- -russia ukraine)
      "ground forces"           the exact phrase, in every result
      "peace talks"~5           both words within 5 words of each other
      sanction*                 words starting with sanction
      Zelensky~                 words within one letter of Zelensky (~2: two)
      (kyiv OR kharkiv) shelling       grouping
      title:peskov  source:jazeera  author:smith  tag:politics  lang:en  url:bbc
      date:2024-02..2024-03  date:..2020  date:7d..    dates, as with --since/--until
      is:unread  is:starred  label:later    marks, as with --unread/--starred/--label
      @morning                  the search saved as morning (`newscli saved`)
    Spellings of one name (Kyiv/Kiev, Zelensky/Zelenskyy, Gaddafi/Qaddafi...) are
    searched as one; see `variants` in the README.

    \b
    Examples:
      newscli search Ukraine
      newscli search '"ground forces" Macron' --since 2024 --sort newest
      newscli search 'cocoa date:1987-02' --source Reuters --limit 0 --json
      newscli search 'kiev -russia' --explain
      newscli search cocoa --expand --explain
      newscli search brazil --since 1987-03 --stories
    """
    from dataclasses import replace

    from newscli import render
    from newscli.models import EXPANDED, Ranking, SearchRequest, Sort

    text, filters = inv.plain(query, filters_from(sources, since, until, langs), (unread, starred, labels))
    request = SearchRequest(
        text,
        filters,
        Sort(sort),
        10 if limit is None else limit,
        page,
        variants=inv.config.variants,
        ranking=Ranking.NEWS,
        facets=facets,
        fold_copies=not all_copies,
        tuning=EXPANDED if expand else None,
    )
    if by_story:
        from newscli.commands.stories import search_stories

        if facets or explain or page != 1 or all_copies:
            raise click.UsageError("--stories does not go with --facets, --explain, --page or --all")

        search_stories(inv, query, request, json_)
        return
    looked = "" if sources or since or until or langs or unread or starred or labels else query  # not narrowed
    result = replace(inv.looking(looked, lambda engine: engine.search(request)), query=query)  # as typed: @NAME
    for note in result.explanation.notes:
        inv.say(f"note: {note}")
    if json_:
        inv.echo(render.search_json(result, explain=explain, marks=inv.marks_of([h.article.id for h in result.hits])))
    else:
        if explain:
            inv.out.print(render.explanation(result.explanation))
        if result.facets:
            inv.out.print(render.facets(result.facets))
        if result.hits:
            inv.out.print(render.search_results(result))
        inv.say(render.search_footer(result))
    if result.total == 0:
        if result.suggestion and not json_:
            inv.say(f"did you mean: {result.suggestion}")
        sys.exit(ExitStatus.NO_MATCH)


@cli.command()
@click.argument("ref", metavar="ID|PATH", shell_complete=completing("article_ids"))
@click.option(
    "--raw",
    is_flag=True,
    help="Print the article as its file has it (on a terminal, control characters made visible).",
)
@click.option("--no-pager", is_flag=True, help="Never page, even on a terminal.")
@output_options
@pass_invocation
def show(inv: Invocation, ref: str, raw: bool, no_pager: bool, json_: bool) -> None:
    """Read one article, by ID, unique ID prefix (4+ characters) or file path.

    \b
    Examples:
      newscli show 5d7943d0b4e4
      newscli show 5d79 --raw
      newscli show articles/000_1affae172cd90381.txt
      newscli show news/feed.jsonl:12          one record of a JSON Lines file
    """
    from newscli import lookup, render

    try:
        article = inv.read(lambda engine: lookup.find(engine, ref))
    except lookup.Ambiguous as e:
        for a in e.candidates:
            inv.say(f"  {a.id}  {a.title}")
        raise
    if json_:
        inv.echo(render.show_json(article, inv.marks_of([article.id])))
        return
    if raw:
        from newscli.safe import clean

        text = lookup.raw_text(article)
        # To a pipe, the bytes as they are (color=True: click would strip escape sequences).
        inv.echo(clean(text) if inv.env.stdout.isatty() else text)
        return
    inv.page(render.article_view(article), allowed=not no_pager)


@cli.command(name="list")
@filter_options
@mark_options
@click.option(
    "--sort",
    type=click.Choice(["newest", "oldest"]),
    default="newest",
    show_default=True,
    help="Order by date; undated articles come last.",
)
@output_options
@pass_invocation
def list_(
    inv: Invocation,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    limit: int | None,
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
    sort: str,
    json_: bool,
) -> None:
    """List articles, newest first (20 unless --limit says otherwise).

    \b
    Examples:
      newscli list --source "Al Jazeera"
      newscli list --since 2019-08 --until 2019-08 --limit 0
      newscli list --source reuters --sort oldest --json
      newscli list --unread --label later
    """
    from newscli import render
    from newscli.models import Sort

    _, filters = inv.plain("", filters_from(sources, since, until, langs), (unread, starred, labels))
    result = inv.read(lambda engine: engine.browse(filters, Sort(sort), 20 if limit is None else limit))
    if json_:
        inv.echo(render.list_json(result, inv.marks_of([a.id for a in result.articles])))
    else:
        inv.out.print(render.article_table(result))
        inv.say(f"{len(result.articles)} of {result.total} articles")
    if result.total == 0:
        sys.exit(ExitStatus.NO_MATCH)


@cli.command()
@click.option(
    "--by",
    type=click.Choice(["source", "language"]),
    default="source",
    show_default=True,
    help="Count by outlet, or by language (given by the article or detected; see `newscli help archive`).",
)
@output_options
@pass_invocation
def sources(inv: Invocation, by: str, json_: bool) -> None:
    """Every outlet (or language) in the archive with its article count.

    A combined source such as "Al Jazeera + agencies" counts for each outlet.

    \b
    Examples:
      newscli sources --json
      newscli sources --by language
    """
    from newscli import render

    counts = inv.read(lambda engine: engine.languages() if by == "language" else engine.sources())
    if json_:
        inv.echo(render.sources_json(counts, by))
    else:
        inv.out.print(render.sources_table(counts, by))


from newscli.commands.export import export  # noqa: E402
from newscli.commands.feeds import feeds, fetch  # noqa: E402  (their commands need the group above)
from newscli.commands.help import help_  # noqa: E402
from newscli.commands.monitoring import alerts  # noqa: E402
from newscli.commands.reading import mark, read, saved, state_group  # noqa: E402
from newscli.commands.server import server  # noqa: E402
from newscli.commands.stories import related, stories, story, timeline  # noqa: E402

for command in (
    server,
    feeds,
    fetch,
    read,
    mark,
    saved,
    state_group,
    help_,
    stories,
    story,
    related,
    timeline,
    alerts,
    export,
):
    cli.add_command(command)
