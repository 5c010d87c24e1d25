"""Fetching the subscriptions: many feeds at once, each item stored as an article file, then indexed."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from newscli.config import Config
from newscli.errors import NewscliError
from newscli.feeds import fulltext, store, subscriptions
from newscli.feeds.history import FeedState, History
from newscli.feeds.http import MAX_WAIT, Client, FetchError, Response
from newscli.feeds.parse import FeedError, Parsed, parse
from newscli.feeds.subscriptions import Feed
from newscli.models import IndexReport


@dataclass(slots=True)
class Outcome:
    feed: Feed
    status: str  # "ok", "not modified", "error", "waiting"
    new: int = 0
    updated: int = 0
    error: str | None = None
    moved_to: str | None = None
    notes: list[str] = field(default_factory=list)  # what was kept in another form than sent (a bad date)


@dataclass(slots=True)
class Options:
    force: bool = False  # no conditional request, and feeds backing off are fetched too
    jobs: int = 8
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    full_text: bool = False
    names: list[str] = field(default_factory=list)  # feeds asked for by name: fetched even while backing off


@dataclass(slots=True)
class _Got:
    response: Response | None = None
    parsed: Parsed | None = None
    error: FetchError | FeedError | None = None
    extracted: dict[int, str] = field(default_factory=dict)  # full texts, by the item's place


def fetch(feeds: list[Feed], history: History, options: Options) -> Iterator[Outcome]:
    """Each feed's outcome, as its fetch ends; items are written as they come.

    One fetch at a time: two at once counted the same items new twice.
    """
    import sqlite3

    with store.fetching():
        try:
            yield from _fetch(feeds, history, options)
        except sqlite3.Error as e:  # a full disk, a damaged or locked feeds.db: said with the file
            raise NewscliError(f"cannot use the feeds' state in {history.file} ({e})") from None


def _fetch(feeds: list[Feed], history: History, options: Options) -> Iterator[Outcome]:
    now = time.time()
    due = []
    for feed in feeds:
        known = history.feed(feed.url)
        if known.next_at > now and not options.force and feed.name not in options.names:
            until = min(known.next_at, now + MAX_WAIT)  # a time written by an older newscli may be any number
            shape = "%H:%M" if time.localtime(until)[:3] == time.localtime(now)[:3] else "%Y-%m-%d %H:%M"
            when = time.strftime(shape, time.localtime(until))
            yield Outcome(feed, "waiting", error=f"{known.error}; backing off until {when} (--force fetches it)")
        else:
            due.append(feed)
    with Client(options.timeout, options.max_bytes) as client:
        work = []
        for feed in due:
            known = history.feed(feed.url)
            headers = {}
            if not options.force:
                pairs = (("If-None-Match", known.etag), ("If-Modified-Since", known.modified))
                headers = {k: v for k, v in pairs if v}
            full = options.full_text or feed.full_text
            work.append((feed, partial(_get, client, feed.url, headers, full)))
        for feed, got in _at_once(work, options.jobs):
            yield _keep(feed, got, history)


def _at_once(work: Sequence[tuple[Feed, Callable[[], _Got]]], jobs: int) -> Iterator[tuple[Feed, _Got]]:
    """Each job's result as it ends, `jobs` at a time.

    In daemon threads: on Ctrl-C the process ends at once, not when the last request does.
    """
    todo: queue.SimpleQueue[tuple[Feed, Callable[[], _Got]]] = queue.SimpleQueue()
    done: queue.SimpleQueue[tuple[Feed, _Got | BaseException]] = queue.SimpleQueue()
    for job in work:
        todo.put(job)

    def worker() -> None:
        while True:
            try:
                feed, job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((feed, job()))
            except BaseException as e:  # a bug: raised in the main thread
                done.put((feed, e))

    for _ in range(min(jobs, len(work))):
        threading.Thread(target=worker, daemon=True).start()
    for _ in work:
        feed, got = done.get()
        if isinstance(got, BaseException):
            raise got
        yield feed, got


def _get(client: Client, url: str, headers: dict[str, str], full_text: bool) -> _Got:
    """The network's part, in a worker thread: the feed, parsed, and the full texts if asked for.

    One feed's error boundary: whatever its bytes lead to is this feed's error, never the fetch's.
    """
    got = _Got()
    try:
        got.response = client.get(url, headers)
        if got.response.status == 304:
            return got
        got.parsed = parse(got.response.body, got.response.headers.get("content-type"))
        if full_text and fulltext.available():
            deadline = time.monotonic() + client.timeout  # the pages of one feed share one timeout
            for place, item in enumerate(got.parsed.items):
                if item.link and (text := fulltext.extract(client, item.link, deadline)):
                    got.extracted[place] = text
    except (FetchError, FeedError) as e:
        got.error = e
    except Exception as e:  # a case the checks above did not foresee: this feed fails, said, the rest go on
        got.error = FeedError(f"cannot be read ({type(e).__name__}: {e})"[:300])
    return got


def _keep(feed: Feed, got: _Got, history: History) -> Outcome:
    """The thread's findings written down, in the main thread: item files, the feed's state, a moved URL."""
    known = history.feed(feed.url)
    try:
        return _store(feed, got, history, known)
    except OSError as e:  # a full disk, a folder that cannot be written: this feed's error, with the file
        error = f"cannot write {e.filename}: {e.strerror}" if e.filename else f"cannot write: {e.strerror or e}"
        history.failed(known, error)
        return Outcome(feed, "error", error=error)


def _store(feed: Feed, got: _Got, history: History, known: FeedState) -> Outcome:
    if got.error is not None:
        history.failed(known, str(got.error), getattr(got.error, "retry_at", None))
        return Outcome(feed, "error", error=str(got.error))
    assert got.response is not None
    response = got.response
    outcome = Outcome(feed, "ok", moved_to=_moved(feed, response.moved_to))
    if outcome.moved_to:
        history.moved(feed.url, outcome.moved_to)
        known.url = feed.url = outcome.moved_to
    if response.status == 304:
        outcome.status = "not modified"
    else:
        assert got.parsed is not None
        items = got.parsed.items
        outcome.notes = got.parsed.notes
        for place, (item, key) in enumerate(zip(items, store.keys(items), strict=True)):
            if place in got.extracted:
                item.body = got.extracted[place]
            what = store.store(item, key, feed, history)
            outcome.new += what == "new"
            outcome.updated += what == "updated"
        known.etag = response.headers.get("etag")
        known.modified = response.headers.get("last-modified")
    known.status, known.failures, known.error, known.next_at = outcome.status, 0, None, 0.0
    known.fetched_at, known.new = time.time(), outcome.new
    history.save(known)
    return outcome


def _moved(feed: Feed, to: str | None) -> str | None:
    """Where feeds.yaml now points after a permanent redirect; None if it was left as it was
    (a URL newscli would not keep, a feed removed meanwhile, or another feed's URL)."""
    if to is None:
        return None
    try:
        to = subscriptions.check_url(to)
    except ValueError:
        return None
    return to if subscriptions.move(feed.url, to) else None


def in_archive(config: Config) -> IndexReport | None:
    """Makes the feeds folder a root of the index's archive, if it is not one yet (indexing it as it is,
    empty or not): from then on any command on this index indexes what a fetch stored, even a fetch
    killed before it indexed. None if it was a root already."""
    from newscli.archive import within
    from newscli.indexing import update
    from newscli.indexing.manifest import Manifest

    folder = store.folder()
    folder.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(config.index_dir)
    if manifest is not None and any(within(str(folder), root) for root in manifest.roots):
        return None
    return update.update(config, [str(folder)])


def index_feeds(config: Config) -> IndexReport | None:
    """Indexes the feeds folder, a root of the archive from then on (None if nothing was ever fetched)."""
    from newscli.indexing import update

    return update.update(config, [str(store.folder())]) if store.folder().is_dir() else None


def everything(config: Config) -> str:
    """Fetches every feed and indexes what came (the reader's R); what happened, in one line."""
    feeds = subscriptions.load()
    if not feeds:
        return "no feeds to fetch: `newscli feeds add URL` follows one"
    in_archive(config)
    history = History(store.history_file())
    try:
        outcomes = list(fetch(feeds, history, Options(max_bytes=int(config.max_feed_mb * 2**20))))
    finally:
        history.close()
    if any(o.new or o.updated for o in outcomes):
        index_feeds(config)
    return summary(outcomes)


def summary(outcomes: list[Outcome]) -> str:
    failed = sum(o.status == "error" for o in outcomes)
    waiting = sum(o.status == "waiting" for o in outcomes)
    parts = [f"{sum(o.new for o in outcomes)} new", f"{sum(o.updated for o in outcomes)} updated", f"{failed} failed"]
    if waiting:
        parts.append(f"{waiting} backing off")
    n = len(outcomes)
    return f"{n} feed{'s' * (n != 1)}: {', '.join(parts)}"
