"""Stories as rich renderables and as JSON: `newscli stories`, `newscli story` and `search --stories`.

Article text is untrusted, as in render.py: titles and outlets go into `Text` objects only, made
one line, with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from newscli.models import Article
from newscli.render import article_json, dumps
from newscli.safe import one_line
from newscli.stories.view import Story, Told
from newscli.stories.words import Telling

Articles = Callable[[str], Article | None]  # an article by its ID, for JSON
Marks = Mapping[str, dict[str, Any]]


def when(ts: float) -> str:
    """A time in UTC to the minute; a date alone for midnight, what an article dated by the day has."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%d" if (moment.hour, moment.minute, moment.second) == (0, 0, 0) else "%Y-%m-%d %H:%M")


def delay(seconds: float) -> str:
    """How long after the first report: `+0 min`, `+25 min`, `+1 h 35 min`, `+2 d 3 h`."""
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"+{days} d {hours} h" if hours else f"+{days} d"
    if hours:
        return f"+{hours} h {minutes} min" if minutes else f"+{hours} h"
    return f"+{minutes} min"


def _span(story: Story) -> str:
    first, latest = when(story.first.ts), when(story.latest.ts)
    if first == latest:
        return first
    return f"{first} to {latest[11:] if latest[:10] == first[:10] and len(latest) > 10 else latest}"


def _counts(story: Story) -> str:
    outlets, articles = len(story.outlets), len(story.articles)
    return f"{outlets} outlet{'s' * (outlets != 1)}, {articles} article{'s' * (articles != 1)}"


def story_list(stories: Sequence[Story]) -> RenderableType:
    """One story a paragraph: its ID, counts and span; its title; who reported it first, then the others."""
    items: list[RenderableType] = []
    for story in stories:
        head = Text()
        head.append(story.id, style="yellow")
        head.append(f"  {_counts(story)}  ", style="dim")
        head.append(_span(story), style="cyan")
        items.append(head)
        items.append(Text(one_line(story.title), style="bold"))
        line = Text("first: ", style="dim")
        line.append(one_line(story.first.outlet), style="green")
        line.append(f" {when(story.first.ts)}", style="dim")
        others = story.outlets[1:]
        if others:
            line.append("; then ", style="dim")
            line.append(one_line(", ".join(others[:6]) + (f" and {len(others) - 6} more" if len(others) > 6 else "")))
        items.append(line)
        items.append(Text())
    return Group(*items[:-1]) if items else Text()


def grouped(story: Story) -> list[tuple[str, list[tuple[Told, list[Told]]]]]:
    """The articles by outlet (in the order the outlets first reported), each with its copies folded under it."""
    outlets: dict[str, list[tuple[Told, list[Told]]]] = {}
    originals: dict[str, list[Told]] = {}
    for told in story.articles:
        earlier = originals.get(told.copies)
        if earlier is not None:
            earlier.append(told)
            continue
        copies: list[Told] = []
        originals[told.copies] = copies
        outlets.setdefault(told.outlet.casefold(), []).append((told, copies))
    names = {a.outlet.casefold(): a.outlet for a in story.articles}
    return [(names[key], items) for key, items in outlets.items()]


def story_view(story: Story, telling: Telling, explain: bool = False, merges: Sequence[Any] = ()) -> RenderableType:
    """The articles by outlet, each with its delay after the first report, copies folded; then how each
    outlet told it, and the words all share."""
    first = story.first.ts
    items: list[RenderableType] = [
        Text(one_line(story.title), style="bold"),
        Text(f"story {story.id}: {_counts(story)}, {_span(story)} UTC", style="dim"),
        Text(),
    ]
    columns = [("yellow", 14), ("cyan", 16), ("", 12), *([("dim", 24)] if explain else []), ("", None)]
    for outlet, articles in grouped(story):
        items.append(Text(one_line(outlet), style="green"))
        table = Table.grid(padding=(0, 2))  # (widths fixed: the outlets' grids line up)
        for style, width in columns:
            table.add_column(style=style, no_wrap=width is not None, width=width)  # the title last, wrapped
        for told, copies in articles:
            late = "first" if told is story.first else delay(told.ts - first)
            why = [_why(told)] if explain else []
            table.add_row("  " + told.id, when(told.ts), late, *why, Text(one_line(told.title)))
            for copy in copies:
                again = f"= {one_line(copy.outlet)}, {delay(copy.ts - first)}"
                why = ["a copy"] if explain else []
                table.add_row(Text("    " + copy.id, style="dim"), "", "", *why, Text(again, style="dim"))
        items.append(table)
    if explain and merges:
        items.append(Text())
        for merge in merges:
            items.append(Text(f"story {merge[0]} merged into {merge[1]} by {merge[2]} ({merge[3]:.2f})", style="dim"))
    if telling.distinctive:
        items += [Text(), Text("How each outlet told it (weighted log-odds, z-scores):", style="bold")]
        words = Table.grid(padding=(0, 2))
        words.add_column(style="green", no_wrap=True)
        words.add_column()
        for outlet, own in telling.distinctive.items():
            said = ", ".join(f"{one_line(w.word)} {w.z:.1f}" for w in own) or "nothing of its own"
            words.add_row("  " + one_line(outlet), said)
        items.append(words)
    if telling.shared:
        items.append(Text("Shared by all: ", style="bold") + Text(", ".join(one_line(w) for w in telling.shared)))
    return Group(*items)


def _why(told: Told) -> str:
    """How an article came into its story (`story --explain`)."""
    if told.score is None:
        return "a copy" if told.near is not None else "began it"
    return f"joined {told.score:.2f} {told.near}"


def grouped_hits(stories: Sequence[Story]) -> RenderableType:
    """`search --stories`: a story a line, its title; under it, its outlets, articles and span."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="yellow", no_wrap=True)
    table.add_column()
    for story in stories:
        about = Text(one_line(", ".join(story.outlets)), style="green")
        about.append(f"; {len(story.articles)} article{'s' * (len(story.articles) != 1)}; ", style="dim")
        about.append(_span(story), style="cyan")
        table.add_row(story.id, Text(one_line(story.title), style="bold"))
        table.add_row("", about)
    return table


def _article(told: Told, articles: Articles, marks: Marks) -> dict[str, Any]:
    found = articles(told.id)
    return article_json(found, marks=marks) if found is not None else {"id": told.id, "title": told.title}


def _story_json(story: Story, articles: Articles, marks: Marks) -> dict[str, Any]:
    told = [_article(a, articles, marks) for a in story.articles]
    return {
        "id": story.id,
        "title": story.title,
        "outlets": story.outlets,
        "articles": told,
        "first": told[0],
        "latest": told[-1],
    }


def stories_json(stories: Sequence[Story], articles: Articles, marks: Marks, query: str | None = None) -> str:
    head = {} if query is None else {"query": query}
    return dumps({**head, "stories": [_story_json(s, articles, marks) for s in stories]})


def story_json(story: Story, telling: Telling, articles: Articles, marks: Marks) -> str:
    first = story.first.ts
    data = _story_json(story, articles, marks)
    data["articles"] = [
        {
            **_article(told, articles, marks),
            "outlet": told.outlet,
            "delay": told.ts - first,
            "score": told.score,
            "near": told.near if told.score is not None else None,
            "copies": [c.id for c in copies],
        }
        for _, items in grouped(story)
        for told, copies in items
    ]
    data["words"] = {o: [{"word": w.word, "z": w.z} for w in words] for o, words in telling.distinctive.items()}
    data["shared"] = telling.shared
    return dumps({"story": data})
