"""The interactive reader (`newscli read`): outlets, saved searches and stories, the article list, the article.

It is built on Textual and imported by `newscli read` alone. Searches use the
engine `newscli search` uses, opened once; marks are written the moment they are
made, so a crash or Ctrl-C keeps every one.
"""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from newscli import render
from newscli.config import Config
from newscli.engine import Engine
from newscli.errors import NewscliError
from newscli.indexing.catalog import Catalog
from newscli.models import Article, Filters, SearchRequest, Sort
from newscli.reading import alerts, queries
from newscli.reading.marks import Mark, Marks
from newscli.safe import clean
from newscli.stories.view import Story

DAY = 86400.0
PAGE = 200  # rows loaded at a time: more come as the cursor nears the end
NARROW = 100  # columns below which the list and the article are stacked
MEDIUM = 140  # columns below which the side list is hidden
KEYS = [
    ("j / k, ↓ / ↑", "next / previous article"),
    ("Enter", "open the article (marks it read)"),
    ("n", "next unread article"),
    ("N", "toggle read"),
    ("s", "toggle starred"),
    ("l", "label (-label takes it off)"),
    ("A", "mark every article in the list read"),
    ("/", "new search (the query language of `newscli search`)"),
    ("o", "open the article's URL in the browser"),
    ("r", "refresh: new files in the archive"),
    ("R", "fetch the feeds, then refresh"),
    ("Tab", "move between the panes"),
    ("q", "back; quit from the list"),
    ("?", "this help"),
]


@dataclass(frozen=True)
class View:
    """What the list shows: a query (words, `@NAME`, `is:`, `label:`) and filters."""

    query: str = "is:unread"
    sources: tuple[str, ...] = ()
    stories: bool = False  # today's stories (the last 24 hours), a row each: its most central article
    story: str | None = None  # one story's articles, in time order


class Help(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "close")]

    def compose(self) -> ComposeResult:
        table = "\n".join(f"  {key:<14} {what}" for key, what in KEYS)
        yield Static(f"newscli read: keys\n\n{table}\n\n  (any of Esc, q, ? closes this)", id="help", markup=False)


class Reader(App[None]):
    TITLE = "newscli"
    CSS = """
    #panes { height: 1fr; }
    #side { width: 24; border-right: solid $secondary; }
    #articles { width: 3fr; }
    #article { width: 2fr; border-left: solid $secondary; padding: 0 1; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #status.error { color: $error; }
    #ask { display: none; }
    #ask.shown { display: block; }
    Screen.narrow #panes { layout: vertical; }
    Screen.medium #side { display: none; }
    Screen.narrow #articles { height: 2fr; width: 1fr; }
    Screen.narrow #article { height: 3fr; width: 1fr; border-left: none; border-top: solid $secondary; }
    #help { width: 64; height: auto; padding: 1 2; border: solid $primary; background: $panel; }
    Help { align: center middle; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "move(1)", "next", show=False),
        Binding("k", "move(-1)", "previous", show=False),
        Binding("n", "next_unread", "next unread"),
        Binding("N", "toggle_read", "read/unread"),
        Binding("s", "toggle_star", "star"),
        Binding("l", "ask('label')", "label"),
        Binding("A", "all_read", "all read"),
        Binding("slash", "ask('search')", "search"),
        Binding("o", "browse", "open URL", show=False),
        Binding("r", "refresh", "refresh", show=False),
        Binding("R", "fetch", "fetch", show=False),
        Binding("q", "leave", "back/quit"),
        Binding("question_mark", "help", "keys"),
    ]

    def __init__(
        self,
        engine: Engine,
        marks: Marks,
        config: Config,
        view: View = View(),
        reopen: Callable[[], Engine] | None = None,
        fetch: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.engine, self.marks, self.config, self.view = engine, marks, config, view
        self.reopen, self.fetcher = reopen, fetch
        self.up_to = self._arrived()
        self._fetching: threading.Thread | None = None
        self.rows: list[Article] = []
        self.stories: dict[str, Story] = {}  # of the rows of today's stories, by the article shown for each
        self.more = False
        self.shown: Article | None = None
        self.asking = ""
        self.theme = "ansi-dark"  # the terminal's own colours

    def _arrived(self) -> float:
        """The latest arrival in the index as the engine was opened (read just after): what a look sees up to."""
        return Catalog.arrivals(str(self.config.index_dir))[0]

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield OptionList(id="side")
            with Vertical(id="articles"):
                yield DataTable(id="list", cursor_type="row", zebra_stripes=False)
            with VerticalScroll(id="article"):
                yield Static("", id="text")
        yield Input(id="ask")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(" ", "Date", "Outlet", "Title")
        self._narrow(self.size.width)
        self._side()
        self._load()
        table.focus()

    def on_resize(self, event: Any) -> None:
        self._narrow(event.size.width)

    def _narrow(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "narrow")
        self.screen.set_class(width < MEDIUM, "medium")

    # The list.

    def _articles(self, n: int) -> list[Article]:
        """The first n articles of the view: by relevance for words, newest first for marks and outlets alone."""
        if self.view.stories or self.view.story:
            return self._told(n)
        text, filters = queries.plain(self.view.query, Filters(self.view.sources), self.marks)
        if text:
            request = SearchRequest(text, filters, Sort.RELEVANCE, limit=n, variants=self.config.variants)
            return [h.article for h in self.engine.search(request).hits]
        return list(self.engine.browse(filters, Sort.NEWEST, n).articles)

    def _told(self, n: int) -> list[Article]:
        """Today's stories (each by its most central article), or one story's articles."""
        from newscli.stories import view

        with closing(view.connect(str(self.config.index_dir))) as db:
            if self.view.story is not None:
                found = view.story(db, self.view.story)
                ids = [a.id for a in found.articles] if found else []
            else:
                told = view.stories(db, since=time.time() - DAY, limit=n)
                self.stories = {s.central.id: s for s in told}
                ids = list(self.stories)
        return [a for a in map(self.engine.get, ids) if a is not None]

    def _load(self, keep: int = 0) -> None:
        """Loads the view's first page, or (keep) one more page after the rows already shown."""
        table = self.query_one(DataTable)
        name = None if keep or self.view.sources else alerts.looked_at(self.view.query)
        try:
            points = alerts.Points(self.marks, str(self.config.index_dir), up_to=self.up_to) if name else None
            found = self._articles(len(self.rows) + PAGE if keep else PAGE)
        except NewscliError as e:
            self._say(f"error: {e.message}", error=True)
            return
        if points is not None and name is not None:  # a saved search opened: what it finds is seen
            points.look(name)
        if not keep:
            table.clear()
            self.rows = []
        new = found[len(self.rows) :]
        self.more = len(found) == (len(self.rows) + PAGE if keep else PAGE)
        marks = self.marks.get(a.id for a in new)
        for article in new:
            table.add_row(*self._cells(article, marks.get(article.id, Mark())), key=article.id)
        self.rows += new
        where = f"{self.view.query or 'everything'}" + (
            f" in {', '.join(self.view.sources)}" if self.view.sources else ""
        )
        if self.view.stories:
            self._say(f"stories of the last 24 hours: {len(self.rows):,} (Enter shows one)")
        elif self.view.story:
            self._say(f"story {self.view.story}: {len(self.rows):,} articles")
        else:
            self._say(f"{where}: {len(self.rows):,}{'+' if self.more else ''} articles")

    def _cells(self, a: Article, mark: Mark) -> list[Text]:
        style = "" if mark.read else "bold"
        state = ("★" if mark.starred else " ") + (" " if mark.read else "●")
        labels = "".join(f" [{x}]" for x in mark.labels)
        told = self.stories.get(a.id) if self.view.stories else None
        outlet = a.source or ""
        if told is not None:
            outlets = len(told.outlets)
            outlet = f"{outlets} outlet{'s' * (outlets != 1)}"
            labels += f" ({len(told.articles)} article{'s' * (len(told.articles) != 1)})"
        return [
            Text(state),
            Text(clean((a.date or "")[:10]), style=style),
            Text(clean(outlet[:16]), style=style),
            Text(clean(a.title + labels), style=style),
        ]

    def _repaint(self, article: Article) -> None:
        table = self.query_one(DataTable)
        mark = self.marks.get([article.id]).get(article.id, Mark())
        for column, cell in zip(table.columns, self._cells(article, mark), strict=True):
            table.update_cell(article.id, column, cell)

    def _current(self) -> Article | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if self.more and event.cursor_row >= len(self.rows) - 20:
            self._load(keep=len(self.rows))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        article = self._current()
        if self.view.stories and article is not None and article.id in self.stories:
            self.view = View(story=self.stories[article.id].id)
            self._load()
            return
        self._show(article)

    def _show(self, article: Article | None) -> None:
        if article is None:
            return
        self.shown = article
        self.query_one("#text", Static).update(render.article_view(article))
        self.query_one("#article", VerticalScroll).scroll_home(animate=False)
        self.marks.mark([article.id], read=True)
        self._repaint(article)

    # Keys.

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_next_unread(self) -> None:
        table = self.query_one(DataTable)
        later = self.rows[table.cursor_row + 1 :]
        read = self.marks.get(a.id for a in later)
        for offset, article in enumerate(later, 1):
            if not read.get(article.id, Mark()).read:
                table.move_cursor(row=table.cursor_row + offset)
                self._show(article)
                return
        self._say("no unread article below")

    def action_toggle_read(self) -> None:
        if article := self._current():
            mark = self.marks.get([article.id]).get(article.id, Mark())
            self.marks.mark([article.id], read=not mark.read)
            self._repaint(article)

    def action_toggle_star(self) -> None:
        if article := self._current():
            mark = self.marks.get([article.id]).get(article.id, Mark())
            self.marks.mark([article.id], starred=not mark.starred)
            self._repaint(article)

    def action_all_read(self) -> None:
        ids = [a.id for a in self._articles(0)] if self.more else [a.id for a in self.rows]
        n = self.marks.mark(ids, read=True)
        for article in self.rows:
            self._repaint(article)
        self._say(f"marked {n:,} articles read")

    def action_ask(self, what: str) -> None:
        ask = self.query_one("#ask", Input)
        self.asking = what
        ask.placeholder = "search: words, @saved, is:unread, label:L" if what == "search" else "label (-L takes it off)"
        ask.value = self.view.query if what == "search" else ""
        ask.add_class("shown")
        ask.focus()

    @on(Input.Submitted, "#ask")
    def _answered(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.asking == "label" and value and (article := self._current()):
            try:
                if value.startswith("-"):
                    self.marks.mark([article.id], remove=[value[1:]])
                else:
                    self.marks.mark([article.id], add=[value])
            except NewscliError as e:
                self._say(f"error: {e.message}", error=True)
                return
            self._repaint(article)
        elif self.asking == "search":
            previous, self.view = self.view, replace(self.view, query=value or "is:unread")
            try:
                self._articles(1)
            except NewscliError as e:  # said in place; the list and the question stay
                self.view = previous
                self._say(f"error: {e.message}", error=True)
                return
            self._load()
        self._close_ask()

    def _close_ask(self) -> None:
        self.query_one("#ask", Input).remove_class("shown")
        self.asking = ""
        self.query_one(DataTable).focus()

    def action_browse(self) -> None:
        article = self.shown or self._current()
        if article and article.url:
            webbrowser.open(article.url)
        else:
            self._say("this article has no URL")

    def action_refresh(self) -> None:
        if self.reopen:
            self.engine = self.reopen()
            self.up_to = self._arrived()
        self._side()
        self._load()

    def action_fetch(self) -> None:
        if self.fetcher is None:
            return
        if self._fetching is not None and self._fetching.is_alive():
            self._say("still fetching the feeds...")
            return
        self._say("fetching the feeds...")
        # A thread of its own, not a Textual worker, which the reader would wait for on q until the
        # slowest feed's deadline: a fetch cut short loses nothing (items are written whole, and
        # the next command indexes them).
        self._fetching = threading.Thread(target=self._fetch_then_refresh, daemon=True)
        self._fetching.start()

    def _fetch_then_refresh(self) -> None:
        """In a worker thread: whatever goes wrong (a broken feeds.yaml, a poisoned feed) is said in the
        status line; the reader stays."""
        assert self.fetcher is not None
        try:
            said, error = self.fetcher(), False
        except NewscliError as e:
            said, error = f"error: {e.message}", True
        except Exception as e:  # a case not foreseen: said, not a crash of the reader
            said, error = f"error: fetching failed ({type(e).__name__}: {e})", True
        if not self.is_running:  # the reader has ended meanwhile
            return
        try:
            self.call_from_thread(self._refreshed, said, error)
        except RuntimeError:  # it ended just now
            pass

    def _refreshed(self, said: str, error: bool = False) -> None:
        if not error:
            self.action_refresh()
        self._say(said, error=error)

    def action_leave(self) -> None:
        if self.asking:
            self._close_ask()
        elif self.focused is not None and self.focused.id in ("article", "side"):
            self.query_one(DataTable).focus()
        else:
            self.exit()

    def action_help(self) -> None:
        self.push_screen(Help())

    # The side list: saved searches and outlets, with their unread articles.

    def _side(self) -> None:
        side = self.query_one(OptionList)
        side.clear_options()
        options = [Option("Unread", id="q:is:unread"), Option("Starred", id="q:is:starred"), Option("Stories", id="t:")]
        options += [Option(Text(clean(f"@{name}")), id=f"q:@{name}") for name in self.marks.saved()]
        unread = self.engine.sources(without=frozenset(self.marks.ids(read=True)))
        counts = {b.name: b.count for b in unread}
        for bucket in self.engine.sources():
            shown = Text(clean(f"{bucket.name} ({counts.get(bucket.name, 0):,})"))
            options.append(Option(shown, id=f"s:{bucket.name}"))
        side.add_options(options)

    @on(OptionList.OptionSelected, "#side")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        if key.startswith("s:"):
            self.view = View("is:unread", (key[2:],))
        elif key == "t:":
            self.view = View(stories=True)
        else:
            self.view = View(key[2:])
        self._load()
        self.query_one(DataTable).focus()

    def _say(self, message: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(clean(message)))
        status.set_class(error, "error")
