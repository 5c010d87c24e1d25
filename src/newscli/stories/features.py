"""What identifies the event an article reports: the features stories are found by.

Of the title and the lead (the first LEAD words of the text), as Miranda et al.
("Multilingual Clustering of Streaming News", 2018) take them:

- words, stemmed with Snowball in the article's language (title words count twice); the names of
  people, places and organisations are among them (`funaro`, `petrobra`);
- numbers (`#:109`, commas dropped) and dates written as a month and a day (`d:3-27`).

Names as features of their own (pairs of capitalised words: `n:dilson_funaro`) were tried: on
the judged set of bench/stories they made more wrong merges than they found stories (precision
0.973 against 0.989, recall 0.800 against 0.815; bench/RESULTS.md), so a name counts as the
words it is made of.

Kept in the catalog as one line of text (`funaro*2 brazil #:109 d:3-27`), so that stories can be
made again without reading the archive.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from newscli.languages import SNOWBALL

LEAD = 60  # words of the text taken with the title
TITLE_WEIGHT = 2
DATE_WEIGHT = 2
_WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")]
    )
    for m in names
}  # fmt: skip
_DIGIT = re.compile(r"\d")
_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2})\b")
# English words that tell nothing of an event, whatever the window's document frequencies say:
# in a small archive every word is rare.
STOP = frozenset(
    "a about above after again against all also am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have having "
    "he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on "
    "once only or other our ours out over own said same says she should so some such than that the their theirs "
    "them then there these they this those through to too under until up very was we were what when where "
    "which while who whom why will with would you your yours new one two year years told say".split()
)


def features(title: str, body: str, language: str | None) -> Counter[str]:
    """The weighted features of an article."""
    lead = " ".join(body[: LEAD * 20].split()[:LEAD])  # (60 words are far fewer than 1,200 characters)
    stem = _stemmer(language)
    found: Counter[str] = Counter()
    for text, weight in ((title, TITLE_WEIGHT), (lead, 1)):
        for word in _WORD.findall(text):
            lower = word.lower()
            if lower.isalpha():
                if len(lower) > 2 and lower not in STOP:
                    found[stem(lower)] += weight
            elif _DIGIT.search(lower):
                found["#:" + lower.replace(",", "")] += weight
            elif len(lower) > 2:  # (u.k, o'brien)
                found[stem(lower)] += weight
    for month, day in _DATE.findall(lead):
        number = _MONTHS.get(month.lower())
        if number is not None and 1 <= int(day) <= 31:
            found[f"d:{number}-{int(day)}"] += DATE_WEIGHT
    return found


def encode(found: Counter[str]) -> str:
    """Features as the catalog keeps them: `word`, or `word*N` for a weight of N."""
    return " ".join(f if n == 1 else f"{f}*{n}" for f, n in sorted(found.items()))


def decode(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in text.split():
        feature, _, weight = item.rpartition("*")
        if feature and weight.isdigit():
            found[feature] = int(weight)
        else:
            found[item] = 1
    return found


@cache
def _stemmer(language: str | None) -> Any:
    """A function stemming a lower-cased word in the language (the word itself for a language Snowball lacks)."""
    algorithm = SNOWBALL.get(language or "en")  # no language known: most archives are English
    try:
        import Stemmer  # type: ignore[import-not-found]

        stemmer = Stemmer.Stemmer(algorithm) if algorithm else None
    except (ImportError, KeyError):
        stemmer = None
    if stemmer is None:
        return str
    return cache(stemmer.stemWord)
