"""What newscli does to a query before the engine sees it, in plain Python.

It takes out `date:` terms (parsed by newscli, since Whoosh's own date parser
misreads ISO ranges), turns `-word` into `NOT word`, and repairs what cannot be
searched exactly (an unbalanced quote or parenthesis), noting each repair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from newscli import dates
from newscli.errors import QueryError
from newscli.models import DateRange

# Spellings of one name that a search treats as one word; a config file's `variants:` adds more.
VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Kyiv", "Kiev"),
    ("Kharkiv", "Kharkov"),
    ("Odesa", "Odessa"),
    ("Lviv", "Lvov"),
    ("Luhansk", "Lugansk"),
    ("Chornobyl", "Chernobyl"),
    ("Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskii"),
    ("Gaddafi", "Qaddafi", "Gadhafi", "Qadhafi", "Kadhafi", "Ghaddafi"),
    ("Muhammad", "Mohammed", "Mohammad", "Muhammed"),
    ("Hezbollah", "Hizbollah", "Hizballah"),
    ("Tehran", "Teheran"),
    ("Beijing", "Peking"),
)
FIELDS = ("title", "body", "caption", "source", "author", "tag", "lang", "url", "date")
_QUOTED = re.compile(r'"[^"]*"(?:~\d+)?')
_DATE = re.compile(r"(?<![\w:])date:(?P<value>\S*)", re.I)
_MINUS = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=\())-(?=[\w(\"])")
_TRAILING_MINUS = re.compile(r"(?:^|(?<=[\s(]))-$")
_FIELD = re.compile(r"(?<![\w:])(?P<name>[A-Za-z_]\w*):(?=\S)")
_AND = re.compile(r"\bAND\b")
_PLUS = re.compile(r"(?:(?<=[\s(])|^)\+(?P<word>[^\W_][\w'-]*)")


@dataclass(frozen=True, slots=True)
class Prepared:
    text: str
    dates: DateRange = DateRange()
    notes: tuple[str, ...] = ()
    strict: bool = False  # an explicit AND: every article holds every word, even when a page is short
    required: tuple[str, ...] = ()  # words written `+word`: in every article, even when a page is short


# Far beyond what a person types, and short of what makes a search take seconds
# (10,000 ORed words), or the query engine recurse too deep (1,600 ANDed words).
MAX_CHARS = 4000
MAX_WORDS = 300
MAX_DISTANCE = 2  # of a fuzzy word (`Zelensky~2`): more matches nearly every short word
_WORDS = re.compile(r"[^\W_]+")
_FUZZY = re.compile(r"(?P<word>\S+?)~(?P<distance>\d+)")


def prepare(text: str, now: datetime | None = None) -> Prepared:
    if len(text) > MAX_CHARS:
        raise QueryError(f"the query is too long ({len(text):,} characters; at most {MAX_CHARS:,})")
    if (words := len(_WORDS.findall(text))) > MAX_WORDS:
        raise QueryError(f"the query has too many words ({words:,}; at most {MAX_WORDS})")
    notes: list[str] = []
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + text[cut + 1 :]
        notes.append(f"unbalanced quote at column {cut + 1}: it was left out")
    pieces = _split(text)
    plain = "".join(p for p, quoted in pieces if not quoted)
    if plain.count("(") != plain.count(")"):
        pieces = [(p if quoted else p.replace("(", " ").replace(")", " "), quoted) for p, quoted in pieces]
        notes.append("unbalanced parentheses: searched without grouping")
    span = DateRange()
    out = []
    offset = 0
    strict = False
    required: list[str] = []
    for number, (piece, quoted) in enumerate(pieces):
        if not quoted:
            strict = strict or bool(_AND.search(piece))
            required += [m["word"] for m in _PLUS.finditer(piece)]
            for m in _FIELD.finditer(piece):
                if m["name"].lower() not in FIELDS:
                    raise QueryError(
                        f"unknown field '{m['name']}:' at column {offset + m.start() + 1}",
                        hint="fields are " + ", ".join(f"{f}:" for f in FIELDS),
                    )
            for m in _DATE.finditer(piece):
                span = narrow(span, date_range(m["value"], now))
            for m in _FUZZY.finditer(piece):
                if int(m["distance"]) > MAX_DISTANCE:
                    raise QueryError(
                        f"'{m.group()}': a word can be at most {MAX_DISTANCE} letters off",
                        hint=f"write {m['word']}~{MAX_DISTANCE}",
                    )
            piece = _MINUS.sub("NOT ", _DATE.sub(" ", piece))
            if number + 1 < len(pieces) and _TRAILING_MINUS.search(piece):  # -"a phrase"
                piece = piece[:-1] + "NOT "
        out.append(piece)
        offset += len(piece)
    return Prepared(" ".join("".join(out).split()), span, tuple(notes), strict, tuple(required))


def _split(text: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    position = 0
    for m in _QUOTED.finditer(text):
        pieces.append((text[position : m.start()], False))
        pieces.append((m.group(), True))
        position = m.end()
    pieces.append((text[position:], False))
    return pieces


def date_range(value: str, now: datetime | None = None) -> DateRange:
    """`2024`, `2024-02..2024-03`, `..2020`, `7d..`: whole periods at both ends."""
    start_text, dots, end_text = value.partition("..")
    if not dots:
        end_text = start_text
    if not start_text and not end_text:
        raise QueryError(
            f"empty date range 'date:{value}'", hint="write date:2024, date:2024-02..2024-03 or date:..2020"
        )
    try:
        start = dates.bound(start_text, end=False, now=now) if start_text else None
        end = dates.bound(end_text, end=True, now=now) if end_text else None
    except ValueError as e:
        raise QueryError(f"in 'date:{value}': {e}") from None
    return DateRange(start, end)


def narrow(a: DateRange, b: DateRange) -> DateRange:
    """The period both ranges cover."""
    starts = [s for s in (a.start, b.start) if s is not None]
    ends = [e for e in (a.end, b.end) if e is not None]
    return DateRange(max(starts) if starts else None, min(ends) if ends else None)
