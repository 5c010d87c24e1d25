"""`newscli export`: every article a search finds, in a form other tools read."""

from __future__ import annotations

import os
from typing import Any

import click

from newscli.context import (
    CONTEXT,
    Invocation,
    NewscliCommand,
    completing,
    filters_from,
    mark_options,
    pass_invocation,
    source_and_date_options,
)

FORMATS = ("csv", "jsonl", "ris", "bibtex", "csl-json")  # exporting.formats(), named without loading it
# The format a file's name calls for, when --format is not given.
BY_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".ris": "ris", ".bib": "bibtex", ".json": "csl-json"}


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("query", default="", shell_complete=completing("queries"))
@click.option(
    "--format",
    "-f",
    "format_",
    type=click.Choice(FORMATS),
    help="csv, jsonl (JSON Lines), ris, bibtex or csl-json [default: from FILE's suffix].",
)
@click.option("-o", "--output", "file", default="-", metavar="FILE", help="Write to FILE, whole or not at all.")
@source_and_date_options
@mark_options
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    help="Order [default: relevance for a QUERY, else newest].",
)
@click.option("--no-text", is_flag=True, help="Leave out the articles' text (CSV and JSON Lines).")
@click.option("--raw", is_flag=True, help="CSV cells as they are: no ' before a cell a spreadsheet would run.")
@pass_invocation
def export(
    inv: Invocation,
    query: str,
    format_: str | None,
    file: str,
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    langs: tuple[str, ...],
    unread: bool,
    starred: bool,
    labels: tuple[str, ...],
    sort: str | None,
    no_text: bool,
    raw: bool,
) -> None:
    """Write every article QUERY finds (every article, without one), not a page: for a
    spreadsheet, pandas or R (CSV, JSON Lines), or a reference manager and pandoc
    (RIS, BibTeX, CSL-JSON).

    Copies of a story are each written. The columns and the citation fields are
    described in `newscli help exporting`. A file (-o) is written through a temporary
    beside it, so an interrupted export leaves no half of one.

    \b
    Examples:
      newscli export ukraine -o ukraine.csv
      newscli export 'cocoa date:1987' --source Reuters --format jsonl --no-text > cocoa.jsonl
      newscli export @morning -o morning.bib
      newscli export label:thesis -o thesis.json && pandoc --citeproc --bibliography thesis.json paper.md
    """
    from newscli import exporting, output
    from newscli.models import SearchRequest, Sort

    chosen = format_ or BY_SUFFIX.get(os.path.splitext(file)[1].lower())
    if chosen is None:
        raise click.UsageError("say which format: --format csv|jsonl|ris|bibtex|csl-json (or -o with its suffix)")
    text, filters = inv.plain(query, filters_from(sources, since, until, langs), (unread, starred, labels))
    order = Sort(sort) if sort else Sort.RELEVANCE if text else Sort.NEWEST
    request = SearchRequest(text, filters, order, limit=0, variants=inv.config.variants, fold_copies=False)
    options = exporting.Options(text=not no_text, raw=raw)
    with inv.engine() as engine, inv.progress("exporting", items=True) as progress:
        total = _total(engine, request) if progress is not None else 0
        every = None if progress is None else lambda n: progress(n, total)
        with output.target(file, inv.env.stdout, newline="" if chosen == "csv" else None) as out:
            n = exporting.formats()[chosen](exporting.rows(engine.every(request), inv.marks_of, every), out, options)
    inv.say(f"exported {n:,} article{'s' * (n != 1)}" + (f" to {file}" if file != "-" else ""))


def _total(engine: Any, request: Any) -> int:
    """How many articles the export will write, for its progress bar."""
    if request.text or request.filters.marked:
        return int(engine.tally(request)[0])
    return int(engine.browse(request.filters, request.sort, 1).total)
