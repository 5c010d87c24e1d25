"""Shell completion (click's own: bash, zsh, fish): outlets, saved searches, labels and article IDs.

Each answer comes from a small file beside the index or from SQLite, never from
the search engine, so that it comes back in a few milliseconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from typing import TYPE_CHECKING

import click
from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    from newscli.reading.marks import Marks

MANY = 100


def _config(ctx: click.Context):  # type: ignore[no-untyped-def]
    from newscli import config

    root = ctx.find_root().params
    return config.load(config_file=root.get("config_file"), index_dir=root.get("index_dir"))


def outlets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`--source`: the outlets of the index, those starting with what was typed (in any case) first."""
    from newscli.indexing import outlets as kept

    try:
        names = kept.read(_config(ctx).index_dir) or []
    except Exception:  # a broken config: nothing to offer
        return []
    typed = incomplete.casefold()
    first = [n for n in names if n.casefold().startswith(typed)]
    inside = [n for n in names if typed in n.casefold() and n not in first]
    return [CompletionItem(n) for n in first + inside]


def labels(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(x) for x in _marks(lambda m: list(m.labels())) if x.startswith(incomplete)]


def queries(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """A query: after `@`, the saved searches; after `label:`, the labels."""
    if incomplete.startswith("@"):
        names = _marks(lambda m: list(m.saved()))
        return [CompletionItem(f"@{n}") for n in names if f"@{n}".startswith(incomplete)]
    if incomplete.startswith("label:"):
        found = _marks(lambda m: list(m.labels()))
        return [CompletionItem(f"label:{x}") for x in found if f"label:{x}".startswith(incomplete)]
    return []


def saved_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in _marks(lambda m: list(m.saved())) if n.startswith(incomplete.lstrip("@"))]


def articles_or_queries(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """`mark`'s arguments: article IDs, or with --all a query."""
    if incomplete.startswith(("@", "label:")):
        return queries(ctx, param, incomplete)
    return article_ids(ctx, param, incomplete)


def article_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Article IDs starting with what was typed, the newest first, from the index's catalog."""
    try:
        catalog = _config(ctx).index_dir / "catalog.db"
        with closing(sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)) as db:
            rows = db.execute(
                "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY ts IS NULL, ts DESC LIMIT ?",
                (incomplete, incomplete + "\uffff", MANY),
            ).fetchall()
    except Exception:
        return []
    return [CompletionItem(row[0]) for row in rows]


def _marks(read: Callable[[Marks], list[str]]) -> list[str]:
    from newscli.reading.marks import Marks, path

    if not path().exists():
        return []
    try:
        with Marks() as marks:
            return read(marks)
    except Exception:
        return []
