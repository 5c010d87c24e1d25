"""How each outlet told a story: the words that set its telling apart, and the words all share.

The weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi and Quinn
("Fightin' Words", Political Analysis, 2008): for each word, the log-odds of an outlet using it
against the other outlets using it, each smoothed by a prior proportional to the word's frequency
in the whole story (weighing a tenth as much as the story: PRIOR), and divided by its standard
error: a z-score. A word with z of 1.96 or more is the outlet's at the 5% level; the highest few
are shown. Counting is of words as written, lower-cased, but for the few that say nothing of an
event (features.STOP).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

from newscli.stories.features import STOP

PRIOR = 0.1  # the prior's weight, as a share of the story's words: how far its frequencies pull an outlet's
ENOUGH = 100  # words an outlet needs in a story for its own words to be told
SIGNIFICANT = 1.96
SHOWN = 8
_POSSESSIVE = re.compile(r"['’]s$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")


class Word(NamedTuple):
    word: str
    z: float


class Telling(NamedTuple):
    distinctive: dict[str, list[Word]]  # outlet -> its words, most its own first
    shared: list[str]  # words every outlet used, most used first


def counts(text: str) -> Counter[str]:
    """The words of a text, lower-cased, without a possessive `'s`."""
    found: Counter[str] = Counter()
    for match in _WORD.findall(text):
        word = _POSSESSIVE.sub("", match.lower())
        if len(word) > 2 and word not in STOP:
            found[word] += 1
    return found


def telling(texts: Mapping[str, Counter[str]]) -> Telling:
    """Of each outlet's words in a story (outlet -> word counts), how each told it."""
    total: Counter[str] = Counter()
    for c in texts.values():
        total.update(c)
    size = sum(total.values())
    if len(texts) < 2 or not size:
        return Telling({}, [])
    weight = PRIOR * size
    prior = {w: weight * n / size for w, n in total.items()}
    distinctive = {}
    for outlet, own in texts.items():
        n_own = sum(own.values())
        if n_own < ENOUGH:
            continue
        n_rest = size - n_own
        words = []
        for w, y in own.items():
            a = prior[w]
            rest = total[w] - y
            delta = math.log((y + a) / (n_own + weight - y - a)) - math.log((rest + a) / (n_rest + weight - rest - a))
            z = delta / math.sqrt(1 / (y + a) + 1 / (rest + a))
            if z >= SIGNIFICANT:
                words.append(Word(w, round(z, 2)))
        words.sort(key=lambda x: (-x.z, x.word))
        distinctive[outlet] = words[:SHOWN]
    every = set.intersection(*(set(c) for c in texts.values()))
    shared = sorted(every, key=lambda w: (-min(c[w] for c in texts.values()), -total[w], w))[:SHOWN]
    return Telling(distinctive, shared)
