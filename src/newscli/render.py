"""Pure functions from models to rich renderables or JSON text.

Article text is untrusted: it only ever goes into `Text` objects (never markup),
after control characters (terminal escapes among them) are made visible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from newscli.models import (
    Article,
    Bucket,
    CheckReport,
    Explanation,
    Facets,
    Hit,
    IndexReport,
    ListResult,
    Markup,
    Related,
    SearchResult,
    Timeline,
)
from newscli.safe import OBEYED, clean, one_line

JSON_VERSION = 1
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]+\S)")


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs with hard line wraps undone (Reuters keeps its 1987 wraps)."""
    parts = _PARAGRAPH_BREAK.split(clean(body).replace("\t", " "))
    return [" ".join(p.split()) for p in parts if p.strip()]


def _byline(a: Article) -> Text:
    line = Text()
    line.append(clean(a.source or "unknown source"), style="green")
    line.append("  ")
    line.append(clean(a.date or "undated"), style="cyan" if a.date else "dim")
    return line


def search_results(result: SearchResult) -> RenderableType:
    full = [h for h in result.hits if h.every_word]
    partial = [h for h in result.hits if not h.every_word]
    if not partial:
        return hit_list(full)
    rule = Text("── lacking some of the words ──", style="dim")
    return Group(*([hit_list(full), Text()] if full else []), rule, hit_list(partial))


def hit_list(hits: Sequence[Hit]) -> RenderableType:
    items: list[RenderableType] = []
    for hit in hits:
        head = Text()
        head.append(clean(hit.article.id), style="yellow")
        head.append("  ")
        head.append_text(_byline(hit.article))
        items.append(head)
        items.append(Text(clean(hit.article.title), style="bold"))
        snippet = Text(clean(hit.snippet.text), style="dim")
        for start, end in hit.snippet.spans:
            snippet.stylize("bold magenta", start, end)
        items.append(snippet)
        if hit.copies:
            items.append(_also_in(hit.copies))
        items.append(Text())
    return Group(*items[:-1]) if items else Text()


def explanation(e: Explanation) -> RenderableType:
    lines = [Text("query:    ", style="dim") + Text(clean(e.query))]
    lines += [Text("filter:   ", style="dim") + Text(clean(f)) for f in e.filters]
    lines += [Text("variants: ", style="dim") + Text(clean(v)) for v in e.variants]
    lines += [Text("note:     ", style="dim") + Text(clean(n)) for n in e.notes]
    if e.fill:
        lines.append(Text("fill:     ", style="dim") + Text(clean(e.fill)))
    if e.expansion:
        added = ", ".join(f"body:{word}^{weight:g}" for word, weight in e.expansion)
        lines.append(Text("reranked: ", style="dim") + Text(clean(f"the first results, adding {added}")))
    return Group(*lines, Text())


_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(count: int, largest: int, width: int = 40) -> str:
    """A horizontal bar, in eighths of a character, as long as count is against largest."""
    eighths = round(count / largest * width * 8) if largest else 0
    if count and not eighths:
        eighths = 1
    return "█" * (eighths // 8) + (_BLOCKS[eighths % 8] if eighths % 8 else "")


def bar_chart(title: str, buckets: Sequence[Bucket], *, width: int = 40) -> RenderableType:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="green", no_wrap=True)
    table.add_column(justify="right")
    table.add_column(style="cyan", no_wrap=True)
    largest = max((b.count for b in buckets), default=0)
    for b in buckets:
        table.add_row(Text(clean(b.name)), f"{b.count:,}", bar(b.count, largest, width))
    return Group(Text(clean(title), style="bold"), table)


FACET_ROWS = 10


def facets(f: Facets) -> RenderableType:
    outlets = list(f.outlets[:FACET_ROWS])
    if len(f.outlets) > FACET_ROWS:
        outlets.append(Bucket(f"({len(f.outlets) - FACET_ROWS} more)", sum(b.count for b in f.outlets[FACET_ROWS:])))
    months = list(f.months[-24:])
    parts: list[RenderableType] = [bar_chart("By outlet", outlets, width=30)]
    if f.languages:
        parts.append(bar_chart("By language", list(f.languages), width=30))
    title = "By month" + (f" (last 24 of {len(f.months)})" if len(f.months) > 24 else "")
    parts.append(bar_chart(title, months, width=30))
    if f.undated:
        parts.append(Text(f"{f.undated:,} undated", style="dim"))
    return Group(*parts, Text())


def timeline(t: Timeline) -> RenderableType:
    note = f"{t.total:,} matches" + (f", {t.undated:,} of them undated and not shown" if t.undated else "")
    return Group(bar_chart(f"{t.query!r} by {t.by}: {note}", t.periods))


def related(r: Related) -> RenderableType:
    head = Text("Related to ", style="dim") + Text(clean(r.article.title), style="bold")
    terms = Text("by the words: ", style="dim") + Text(clean(", ".join(r.terms)), style="magenta")
    return Group(head, terms, Text(), hit_list(r.hits))


def _also_in(copies: Sequence[Article]) -> Text:
    outlets = sorted({o for c in copies for o in (c.outlets or ("unknown source",))}, key=str.casefold)
    told = f"also in {len(outlets)} outlet{'s' * (len(outlets) != 1)}"
    if len(copies) > len(outlets):
        told += f" ({len(copies)} copies)"
    return Text(told + ": ", style="dim") + Text(clean(", ".join(outlets)), style="green")


def search_footer(result: SearchResult) -> str:
    total = result.total
    noun = "match" if total == 1 else "matches"
    if result.partial:
        full = len(result.hits) - result.partial
        shown = f"{total} {noun} with every word for {result.query!r}; "
        shown += f"the {result.partial} below {'it' if full == 1 else 'them'}" if full else f"these {result.partial}"
        shown += " hold only some of the words, most first"
        if result.limit and len(result.hits) == result.limit:
            shown += f"; more with --page {result.page + 1}"
        return shown
    shown = f"{total} {noun}"
    if result.hits:
        first = 1 if result.limit == 0 else result.limit * (result.page - 1) + 1
        last = first + len(result.hits) - 1
        if (first, last) != (1, total):
            shown = f"{first}-{last} of {shown}"
    shown += f" for {result.query!r}"
    if result.hits and last < total:
        shown += f"; more with --page {result.page + 1}"
    if result.folded:
        copies = "copy" if result.folded == 1 else "copies"
        shown += f" ({result.folded} republished {copies} folded in; --all shows them)"
    return shown


def article_view(a: Article) -> RenderableType:
    head = Text(clean(a.title), style="bold")
    lines: list[RenderableType] = [head]
    if a.caption:
        lines.append(Text(clean(a.caption), style="italic dim"))
    lines.append(_byline(a))
    for label, value in (
        ("By", ", ".join(a.authors)),
        ("URL", a.url or ""),
        ("Tags", ", ".join(a.tags)),
        ("Language", a.language or ""),
        ("ID", a.id),
        ("Path", a.location),
    ):
        if value:
            line = Text(f"{label}: ", style="dim")
            line.append(clean(value))
            lines.append(line)
    lines.append(Rule(style="dim"))
    if a.markup == Markup.MARKDOWN:
        from rich.markdown import Markdown  # slow to import; only shown articles need it

        lines.append(Markdown(clean(a.body), hyperlinks=False))
    else:
        for paragraph in paragraphs(a.body):
            lines.append(Text(paragraph))
            lines.append(Text())
        lines = lines[:-1] if lines and not str(lines[-1]) else lines
    return Group(*lines)


def article_table(result: ListResult) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", style="yellow", no_wrap=True)
    table.add_column("Date", style="cyan", no_wrap=True)
    table.add_column("Source", style="green", max_width=24)
    table.add_column("Title", ratio=1)
    for a in result.articles:
        date = a.date[:10] if a.date else ""
        table.add_row(Text(clean(a.id)), Text(clean(date)), Text(clean(a.source or "")), Text(clean(a.title)))
    return table


def sources_table(counts: list[Bucket], by: str = "source") -> Table:
    """`newscli sources`: each outlet (or language: "" is none known) and its article count."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column(by.capitalize(), style="green")
    table.add_column("Articles", justify="right")
    for c in counts:
        name = Text(clean(c.name)) if c.name else Text("(none known)", style="dim")
        table.add_row(name, f"{c.count:,}")
    return table


def server_status(status: dict[str, Any]) -> Table:
    """`newscli server status`: one row a fact."""
    minutes, seconds = divmod(int(status["uptime"]), 60)
    hours, minutes = divmod(minutes, 60)
    watched = "not watched: " + status["unwatched"] if status["unwatched"] else "watched (inotify)"
    rows = [
        ("pid", str(status["pid"])),
        ("version", status["newscli"]),
        ("index", status["index_dir"]),
        ("up for", f"{hours}h {minutes:02}m {seconds:02}s" if hours else f"{minutes}m {seconds:02}s"),
        ("articles", f"{status['articles']:,}" + (" (indexing changes)" if status["indexing"] else "")),
        ("memory", f"{status['memory'] / 2**20:.0f} MB"),
        ("archive", "\n".join(status["watching"]) + f"\n{watched}"),
        ("ends after", f"{status['idle_minutes']:g} minutes without a command"),
        ("socket", status["socket"]),
        ("log", status["log"]),
    ]
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, Text(clean(value)))
    return table


def index_summary(report: IndexReport) -> Text:
    """What `newscli index` says on stderr: each line begins `newscli: `, as all its talk does."""
    text = Text()
    for s in report.skipped:
        text.append("newscli: ", style="dim")
        text.append("skipped ", style="yellow")
        text.append(one_line(s.where))
        text.append(f": {clean(s.reason)}\n")
    for root in report.missing:
        text.append("newscli: ", style="dim")
        text.append("not found ", style="yellow")
        text.append(f"{clean(root)}: its articles are kept until it is back\n")
    verb = "interrupted after" if report.interrupted else "indexed in"
    text.append("newscli: ", style="dim")
    text.append(
        f"{verb} {report.seconds:.1f} s: {report.added:,} added, {report.updated:,} updated, "
        f"{report.removed:,} removed, {report.unchanged:,} unchanged, {len(report.skipped):,} skipped"
    )
    if report.ignored:
        text.append(f" ({report.ignored:,} files of other kinds ignored)", style="dim")
    return text


# JSON: built from the models, never from what is shown on screen.


UNMARKED = {"read": False, "starred": False, "labels": ()}  # a tuple: one object shared by every article
Marks = Mapping[str, Mapping[str, Any]]  # by article ID: read, starred, labels


def article_json(a: Article, *, body: bool = False, marks: Marks | None = None) -> dict[str, Any]:
    # The body's markup is "format" in JSON, as it was named when the schema was published.
    data = {("format" if k == "markup" else k): v for k, v in asdict(a).items()}
    data.update((marks or {}).get(a.id, UNMARKED))
    data["outlets"] = list(a.outlets)
    data["authors"] = list(a.authors)
    data["tags"] = list(a.tags)
    data["format"] = a.markup.value
    if not body:
        del data["body"]
    return data


# What JSON with ensure_ascii=False would write raw that a terminal obeys (DEL, C1, the bidi controls)
# or that some readers take for a line break: escaped as \uXXXX, the same JSON, safe on a terminal.
_UNSAFE_IN_JSON = re.compile(f"[{OBEYED}\u2028\u2029]")


def json_text(value: Any, *, indent: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(payload: dict[str, Any]) -> str:
    return json_text({"version": JSON_VERSION, **payload}, indent=2)


def search_json(result: SearchResult, *, explain: bool = False, marks: Marks | None = None) -> str:
    e = result.explanation
    extra: dict[str, Any] = {}
    if explain:
        extra["explain"] = {
            "query": e.query,
            "filters": list(e.filters),
            "variants": list(e.variants),
            "notes": list(e.notes),
            "fill": e.fill,
            "expansion": [{"word": word, "weight": weight} for word, weight in e.expansion],
        }
    if result.facets:
        f = result.facets
        extra["facets"] = {
            "outlets": _buckets(f.outlets),
            "languages": _buckets(f.languages),
            "months": _buckets(f.months),
            "undated": f.undated,
        }
    return dumps(
        {
            **extra,
            "query": result.query,
            "total": result.total,
            "page": result.page,
            "limit": result.limit,
            "suggestion": result.suggestion,
            "folded": result.folded,
            "partial": result.partial,
            "hits": [
                {
                    **article_json(h.article, marks=marks),
                    "score": None if h.score is None else round(h.score, 4),
                    "every_word": h.every_word,
                    "snippet": h.snippet.text,
                    "highlights": [list(span) for span in h.snippet.spans],
                    "copies": [
                        {"id": c.id, "title": c.title, "source": c.source, "date": c.date, "path": c.path}
                        for c in h.copies
                    ],
                }
                for h in result.hits
            ],
        }
    )


def _buckets(buckets: Sequence[Bucket]) -> list[dict[str, Any]]:
    return [{"name": b.name, "count": b.count} for b in buckets]


def timeline_json(t: Timeline) -> str:
    return dumps({"query": t.query, "by": t.by, "total": t.total, "undated": t.undated, "periods": _buckets(t.periods)})


def related_json(r: Related, marks: Marks | None = None) -> str:
    hits = [
        {**article_json(h.article, marks=marks), "score": round(h.score or 0.0, 4), "snippet": h.snippet.text}
        for h in r.hits
    ]
    return dumps({"article": article_json(r.article, marks=marks), "terms": list(r.terms), "related": hits})


def list_json(result: ListResult, marks: Marks | None = None) -> str:
    return dumps({"total": result.total, "articles": [article_json(a, marks=marks) for a in result.articles]})


def show_json(a: Article, marks: Marks | None = None) -> str:
    return dumps({"article": article_json(a, body=True, marks=marks)})


def server_status_json(status: dict[str, Any] | None) -> str:
    """`server status --json`: `running` false (and nothing else) when none answers."""
    return dumps({"running": status is not None, **(status or {})})


def sources_json(counts: list[Bucket], by: str = "source") -> str:
    """`sources --json`: {"by": "source", "sources": [...]}, or by language {"by": "language", "languages":
    [...]} whose name is null for the articles of no known language."""
    key = "languages" if by == "language" else "sources"
    return dumps({"by": by, key: [{"name": c.name or None, "count": c.count} for c in counts]})


def index_json(report: IndexReport) -> str:
    return dumps(
        {
            "added": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "unchanged": report.unchanged,
            "seconds": round(report.seconds, 3),
            "interrupted": report.interrupted,
            "skipped": [{"where": s.where, "reason": s.reason} for s in report.skipped],
            "missing": report.missing,
        }
    )


def check_summary(report: CheckReport) -> Text:
    text = Text()
    text.append(
        f"index: {report.articles:,} articles of {report.files:,} files, all readable "
        f"({report.postings:,} postings read)\n"
    )
    for problem in report.problems:
        text.append("problem ", style="red")
        text.append(f"{clean(problem)}\n")
    pending = [(report.new, "new"), (report.changed, "changed"), (report.removed, "removed")]
    if any(n for n, _ in pending):
        counts = ", ".join(f"{n:,} {what}" for n, what in pending)
        text.append(f"archive: {counts} files since the last index (`newscli index` brings it up to date)\n")
    if report.problems:
        text.append("the index disagrees with its own record: run `newscli index --rebuild`\n")
    elif report.agrees:
        text.append("the index and the archive agree\n")
    return text


def check_json(report: CheckReport) -> str:
    return dumps(
        {
            "articles": report.articles,
            "files": report.files,
            "postings": report.postings,
            "problems": report.problems,
            "new": report.new,
            "changed": report.changed,
            "removed": report.removed,
            "agrees": report.agrees,
        }
    )
