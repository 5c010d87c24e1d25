"""An article's words indexed in one pass, as Whoosh's stemming analyzer would give them.

Whoosh hands each word through a chain of generators (the words, lower case, common
words left out, stems) and then groups them: most of the time of indexing an article.
This gives the same terms, frequencies, weights and positions (tests/test_whoosh_own.py
compares them) in under half the time, by reading the analyzer's parts and writing
each posting as Whoosh's Positions format encodes it.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pickle import dumps
from typing import Any

from whoosh.system import pack_uint

# Whoosh's words, with the group it captures made one it does not: the same matches, for findall.
_WORDS = {r"[\w\*]+(\.?[\w\*]+)*": re.compile(r"[\w\*]+(?:\.?[\w\*]+)*").findall}
_ONCE: dict[int, bytes] = {}  # the posting value of a word at one position, by position
ONCE_UP_TO = 20_000  # positions so kept (a long article's later words are encoded each time)


def in_one_pass(field: Any, value: Any) -> list[tuple[bytes, int, float, bytes]] | None:
    """What `field.index(value)` gives, for a field of Whoosh's StemmingAnalyzer; None for what
    this does not do the same way (then Whoosh's own is used)."""
    words, stop, stem = field.analyzer.items[0], field.analyzer.items[2], field.analyzer.items[3]
    find = _WORDS.get(words.expression.pattern)
    if not isinstance(value, str) or not find or stem.ignore or stop.max or not stop.renumber:
        return None
    found = [w.lower() for w in find(value)]
    kept = [w for w in found if len(w) >= stop.min and w not in stop.stops]
    positions: dict[str, list[int]] = {}
    # Whoosh numbers the words kept one after another, from the place of the first.
    for at, term in enumerate(map(stem._stem, kept), found.index(kept[0]) if kept else 0):
        if (seen := positions.get(term)) is None:
            positions[term] = [at]
        else:
            seen.append(at)
    boost = field.format.field_boost
    postings = []
    for term, spots in positions.items():
        n = len(spots)
        if n == 1 and spots[0] < ONCE_UP_TO:
            if (encoded := _ONCE.get(spots[0])) is None:
                encoded = _ONCE[spots[0]] = pack_uint(1) + dumps(spots, 2)
        else:
            encoded = pack_uint(n) + dumps([spots[0]] + [b - a for a, b in pairwise(spots)], 2)
        postings.append((term.encode(), n, float(n) * boost, encoded))
    return postings
