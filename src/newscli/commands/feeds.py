"""`newscli feeds …` and `newscli fetch`: the subscriptions, and the news they bring in."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from newscli.context import CONTEXT, Invocation, NewscliCommand, NewscliGroup, output_options, pass_invocation
from newscli.errors import ConfigError, ExitStatus, NewscliError

if TYPE_CHECKING:
    from rich.table import Table

    from newscli.feeds.fetch import Outcome
    from newscli.feeds.history import FeedState
    from newscli.feeds.subscriptions import Feed


@click.group(cls=NewscliGroup, context_settings=CONTEXT, invoke_without_command=True)
@output_options
@pass_invocation
@click.pass_context
def feeds(ctx: click.Context, inv: Invocation, json_: bool) -> None:
    """The feeds you follow: each with its last fetch, its status and its new articles.

    Subscriptions live in feeds.yaml in the config folder (edit it freely);
    `newscli fetch` writes their items as Markdown files into the feeds folder
    of the data folder, which is part of the archive.

    \b
    Examples:
      newscli feeds                                  each feed and how its last fetch went
      newscli feeds add https://www.bbc.co.uk/news   find the page's feed and follow it
      newscli feeds add URL --name Wire --tag world  with a name and a tag
      newscli feeds import subscriptions.opml        from another reader (folders become tags)
      newscli feeds export > feeds.opml              to another reader
      newscli fetch                                  get what is new
    """
    if ctx.invoked_subcommand is not None:
        return
    from newscli.feeds import subscriptions
    from newscli.feeds.history import History
    from newscli.feeds.store import history_file

    listed = subscriptions.load()
    history = History(history_file())
    try:
        rows = [_row(feed, history.feed(feed.url)) for feed in listed]
    finally:
        history.close()
    if json_:
        from newscli.render import dumps

        inv.echo(dumps({"feeds": rows}))
        return
    if not rows:
        inv.say(f"no feeds yet: `newscli feeds add URL` (they are kept in {subscriptions.path()})")
        return
    inv.out.print(_table(rows))


@feeds.command()
@click.argument("url")
@click.option("--name", help="What to call it (default: the feed's title).")
@click.option("--source", help="The outlet its articles are filed under (default: its name).")
@click.option("--tag", "tags", multiple=True, help="A tag for its articles (repeatable).")
@click.option("--full-text", is_flag=True, help="Fetch each item's page for the whole article.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait.")
@pass_invocation
def add(
    inv: Invocation,
    url: str,
    name: str | None,
    source: str | None,
    tags: tuple[str, ...],
    full_text: bool,
    timeout: float,
) -> None:
    """Follow a feed: its URL, or a page that links to one (<link rel="alternate">).

    \b
    Examples:
      newscli feeds add https://feeds.bbci.co.uk/news/world/rss.xml
      newscli feeds add https://www.aljazeera.com/ --name "Al Jazeera" --tag world
    """
    from newscli.feeds import discover, subscriptions
    from newscli.feeds.http import Client, FetchError
    from newscli.feeds.parse import FeedError

    try:
        url = subscriptions.check_url(url)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="URL") from None
    listed = subscriptions.load()
    _not_yet(listed, url)
    try:
        with Client(timeout, _max_bytes(inv)) as client:
            url, parsed = discover.feed_at(client, url)
    except (FetchError, FeedError) as e:
        raise NewscliError(f"{url}: {e}") from None
    _not_yet(listed, url)
    name = name or parsed.title or url
    if subscriptions.find(listed, name):
        raise NewscliError(f"a feed is already called {name!r}", hint="give another with --name")
    feed = subscriptions.Feed(name, url, source or name, list(dict.fromkeys(tags)), full_text)
    subscriptions.add(feed)
    _in_archive(inv)
    inv.say(f"following {name} ({url}): {len(parsed.items)} items now; `newscli fetch` gets them")


@feeds.command()
@click.argument("feed")
@click.option("--delete-articles", is_flag=True, help="Delete the files of its articles too.")
@pass_invocation
def remove(inv: Invocation, feed: str, delete_articles: bool) -> None:
    """Stop following a feed, given by name or URL; its articles stay unless --delete-articles."""
    from newscli.feeds import subscriptions
    from newscli.feeds.history import History
    from newscli.feeds.store import history_file

    found = subscriptions.find(subscriptions.load(), feed)
    if found is None:
        raise NewscliError(f"no feed called {feed!r}", hint="`newscli feeds` lists them")
    subscriptions.remove(found.url)
    history = History(history_file())
    try:
        paths = history.forget(found.url)
    finally:
        history.close()
    if delete_articles:
        from pathlib import Path

        for path in paths:
            Path(path).unlink(missing_ok=True)
        _index(inv)
    inv.say(f"no longer following {found.name}" + (f"; deleted {len(paths)} articles" if delete_articles else ""))


@feeds.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@pass_invocation
def import_(inv: Invocation, file: str) -> None:
    """Follow the feeds of an OPML file (folders become tags) or of a newsboat urls file ('-': stdin).

    Feeds already followed are left as they are; nothing is written if the file cannot be read.
    """
    from newscli.feeds import lists, subscriptions

    name = "<stdin>" if file == "-" else file
    try:
        if file == "-":
            text = inv.env.stdin.read()
        else:
            with open(file, encoding="utf-8") as f:
                text = f.read()
        found = lists.read(text)
    except OSError as e:
        raise ConfigError(f"cannot read {name}: {e.strerror or e}") from None
    except (lists.ListError, UnicodeDecodeError) as e:
        raise ConfigError(f"{name}: {e}") from None
    listed = subscriptions.load()
    names = {f.name for f in listed}
    urls = {f.url for f in listed}
    new = []
    for feed in found.feeds:
        if feed.url in urls:
            continue
        base, n = feed.name, 1
        while feed.name in names:
            n += 1
            feed.name = feed.source = f"{base} ({n})"
        names.add(feed.name)
        new.append(feed)
    for what, why in found.skipped:
        inv.say(f"{name}: skipped {what}: {why}")
    new = subscriptions.append(new)  # less any that another command added meanwhile
    _in_archive(inv)
    inv.say(f"{len(new)} feeds added, {len(found.feeds) - len(new)} already followed, {len(found.skipped)} skipped")


@feeds.command()
@click.option("--format", "format_", type=click.Choice(["opml", "urls"]), default="opml", show_default=True)
@pass_invocation
def export(inv: Invocation, format_: str) -> None:
    """Print the subscriptions as OPML (a folder per first tag) or as a newsboat urls file."""
    from newscli.feeds import lists, subscriptions

    listed = subscriptions.load()
    inv.echo(lists.write_opml(listed) if format_ == "opml" else lists.write_urls(listed), newline=False)


@click.command(cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Fetch whole feeds, and feeds that are backing off after failures.")
@click.option("--jobs", type=click.IntRange(min=1, max=64), default=8, show_default=True, help="Feeds at once.")
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds a feed may take."
)
@click.option("--full-text", is_flag=True, help="Fetch each new item's page for the whole article.")
@output_options
@pass_invocation
def fetch(
    inv: Invocation, names: tuple[str, ...], force: bool, jobs: int, timeout: float, full_text: bool, json_: bool
) -> None:
    """Fetch the feeds you follow (or those named) and index what is new.

    Exit status 1 if any feed failed; the others are fetched all the same.

    \b
    Examples:
      newscli fetch                  every feed
      newscli fetch "Al Jazeera"     one
      newscli fetch --full-text      with each item's whole article (needs newscli[fulltext])
    """
    from newscli.commands.monitoring import after_fetch
    from newscli.feeds import fetch as fetching
    from newscli.feeds import fulltext, subscriptions
    from newscli.feeds.history import History
    from newscli.feeds.store import history_file
    from newscli.indexing.catalog import Catalog

    listed = subscriptions.load()
    chosen = listed
    if names:
        chosen = [f for f in listed if f.name in names or f.url in names]
        unknown = set(names) - {f.name for f in chosen} - {f.url for f in chosen}
        if unknown:
            raise click.BadParameter(f"no feed called {sorted(unknown)[0]!r}", param_hint="NAMES")
    if not chosen:
        inv.say("no feeds to fetch: `newscli feeds add URL` follows one")
        return
    if not fulltext.available() and (full_text or any(f.full_text for f in chosen)):
        if full_text:
            raise NewscliError(fulltext.MISSING)
        inv.say(f"{fulltext.MISSING}; keeping the feeds' summaries")
    options = fetching.Options(force, jobs, timeout, _max_bytes(inv), full_text, list(names))
    _in_archive(inv)  # before any item is stored: a fetch killed later loses none of them to the index
    before = Catalog.arrivals(str(inv.config.index_dir))[0]  # what came in later, the fetch brought
    history = History(history_file())
    outcomes = []
    try:
        for outcome in fetching.fetch(chosen, history, options):
            outcomes.append(outcome)
            if outcome.error:
                inv.say(f"{outcome.feed.name}: {outcome.error}")
            for note in outcome.notes:
                inv.say(f"{outcome.feed.name}: {note}")
            if outcome.moved_to:
                inv.say(f"{outcome.feed.name}: moved permanently to {outcome.moved_to} (feeds.yaml updated)")
    finally:
        history.close()
    alerted = []
    if any(o.new or o.updated for o in outcomes):
        _index(inv)
        alerted = after_fetch(inv, before)
    inv.say(fetching.summary(outcomes))
    if json_:
        from newscli.render import dumps

        inv.echo(dumps({"feeds": [_outcome(o) for o in outcomes], "alerts": alerted}))
    if any(o.status == "error" for o in outcomes):
        sys.exit(ExitStatus.SOME_FAILED)


def _index(inv: Invocation) -> None:
    """Indexes the feeds folder, a root of the archive from then on."""
    from newscli import render
    from newscli.feeds.fetch import index_feeds

    if (report := index_feeds(inv.config)) is not None:
        inv.err.print(render.index_summary(report), soft_wrap=True)


def _in_archive(inv: Invocation) -> None:
    """The feeds folder is a root of the archive from the first feed on (said if that indexed anything)."""
    from newscli import render
    from newscli.feeds.fetch import in_archive

    report = in_archive(inv.config)
    if report is not None and (report.added or report.updated or report.removed or report.skipped):
        inv.err.print(render.index_summary(report), soft_wrap=True)


def _not_yet(listed: list[Feed], url: str) -> None:
    from newscli.feeds import subscriptions

    if (known := subscriptions.find(listed, url)) is not None:
        raise NewscliError(f"already following {url} (as {known.name!r})")


def _max_bytes(inv: Invocation) -> int:
    return int(inv.config.max_feed_mb * 1024 * 1024)


def _row(feed: Feed, known: FeedState) -> dict[str, Any]:
    status = known.status or "never fetched"
    if status == "error":
        status = f"error: {known.error}" + (f" (x{known.failures})" if known.failures > 1 else "")
    fetched = time.strftime("%Y-%m-%d %H:%M", time.localtime(known.fetched_at)) if known.fetched_at else None
    return {
        "name": feed.name,
        "url": feed.url,
        "source": feed.source,
        "tags": feed.tags,
        "full_text": feed.full_text,
        "last_fetch": fetched,
        "status": status,
        "failures": known.failures,
        "new": known.new,
    }


def _outcome(o: Outcome) -> dict[str, Any]:
    return {
        "name": o.feed.name,
        "url": o.feed.url,
        "status": o.status,
        "new": o.new,
        "updated": o.updated,
        "error": o.error,
    }


def _table(rows: list[dict[str, Any]]) -> Table:
    """Names, URLs, tags and errors come from feeds and servers: each goes in as text, made safe."""
    from rich.table import Table
    from rich.text import Text

    from newscli.safe import clean

    table = Table(box=None, pad_edge=False)
    for column in ("Feed", "Tags", "Last fetch", "Status", "New"):
        table.add_column(column, justify="right" if column == "New" else "left", overflow="fold")
    for row in rows:
        style = "red" if row["status"].startswith("error") else None
        table.add_row(
            Text(clean(row["name"])) + Text("\n") + Text(clean(row["url"]), style="dim"),
            Text(clean(", ".join(row["tags"]))),
            Text(row["last_fetch"] or "-"),
            Text(clean(row["status"])),
            Text(str(row["new"])),
            style=style,
        )
    return table
