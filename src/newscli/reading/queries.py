"""A query as a person writes it, with saved searches (`@NAME`) and marks (`is:unread`, `label:L`), made plain.

`@NAME` is replaced by the saved query, in parentheses. `is:` and `label:` terms are
taken out and become filters on the whole query (as `--unread` and `--label` are):
marks live outside the index, so the engine sees them as sets of article IDs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from newscli.errors import QueryError
from newscli.models import Filters
from newscli.reading.marks import Marks

_SAVED = re.compile(r"(?<![\w@])@(?P<name>[A-Za-z0-9][\w.-]*)")
_MARK = re.compile(r"(?<![\w:])(?:is:(?P<state>\w+)|label:(?P<label>[^\s()\"]+))", re.I)
STATES = {
    "unread": ("read", False),
    "read": ("read", True),
    "starred": ("starred", True),
    "unstarred": ("starred", False),
}


class UnknownSaved(QueryError):
    """`@NAME` where no search is saved under NAME: a usage error."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which marks the articles must have."""

    read: bool | None = None
    starred: bool | None = None
    labels: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return self.read is not None or self.starred is not None or bool(self.labels)


MAX_NESTING = 20  # saved searches within saved searches


def expand(text: str, saved: dict[str, str]) -> str:
    """The query with each `@NAME` replaced by the search saved under NAME, in parentheses.

    Each name is expanded once, and its expansion measured as it is built: searches that name
    the next one twenty times over are refused at the length a query may have, not after
    building millions of characters.
    """
    from newscli.query import MAX_CHARS

    done: dict[str, str] = {}

    def within(query: str, names: tuple[str, ...]) -> str:
        size = len(query)

        def one(match: re.Match[str]) -> str:
            nonlocal size
            name = match["name"]
            if name not in saved:
                known = ", ".join(f"@{n}" for n in saved) or "none yet (`newscli saved add NAME QUERY`)"
                raise UnknownSaved(f"no saved search called @{name} (saved: {known})")
            if name in names:
                raise QueryError(f"saved searches refer to each other in a loop (@{' -> @'.join((*names, name))})")
            if len(names) >= MAX_NESTING:
                raise QueryError(f"saved searches nested more than {MAX_NESTING} deep (at @{name})")
            if name not in done:
                done[name] = f"({within(saved[name], (*names, name))})"
            size += len(done[name])
            if size > MAX_CHARS:
                raise QueryError(f"the query is too long with @{name} expanded: more than {MAX_CHARS:,} characters")
            return done[name]

        return _SAVED.sub(one, query)

    return within(text, ())


def take_marks(text: str, wanted: Wanted = Wanted()) -> tuple[str, Wanted]:
    """The query without its `is:` and `label:` terms, and what they ask for, added to `wanted`."""
    found = {"read": wanted.read, "starred": wanted.starred}
    labels = list(wanted.labels)

    def one(match: re.Match[str]) -> str:
        if match["label"]:
            labels.append(match["label"])
            return " "
        state = match["state"].lower()
        if state not in STATES:
            raise QueryError(f"is:{state} is not a mark (is: takes {', '.join(STATES)})")
        key, value = STATES[state]
        found[key] = value
        return " "

    plain = _MARK.sub(one, text)
    return " ".join(plain.split()), Wanted(found["read"], found["starred"], tuple(dict.fromkeys(labels)))


def plain(text: str, filters: Filters, marks: Marks, wanted: Wanted = Wanted()) -> tuple[str, Filters]:
    """A query and filters without saved searches and marks: `@NAME` expanded, `is:` and `label:`
    (with `wanted`, from flags) as the article IDs the engine can filter on."""
    if "@" in text:
        text = expand(text, marks.saved())
    text, wanted = take_marks(text, wanted)
    return text, narrowed(filters, wanted, marks)


def narrowed(filters: Filters, wanted: Wanted, marks: Marks) -> Filters:
    """The filters, narrowed to the articles with the marks wanted."""
    if not wanted.any:
        return filters
    only: set[str] | None = None
    without: set[str] = set()

    def keep(ids: set[str]) -> None:
        nonlocal only
        only = ids if only is None else only & ids

    if wanted.read is True:
        keep(marks.ids(read=True))
    elif wanted.read is False:
        without |= marks.ids(read=True)
    if wanted.starred is True:
        keep(marks.ids(starred=True))
    elif wanted.starred is False:
        without |= marks.ids(starred=True)
    for label in wanted.labels:
        keep(marks.ids(label=label))
    only_ids = None if only is None else frozenset(only)
    return replace(filters, only_ids=only_ids, without_ids=frozenset(without), marked=True)
