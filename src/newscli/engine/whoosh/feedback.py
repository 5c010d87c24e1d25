"""Pseudo-relevance feedback: words the first results share and the query did not say, to rerank by.

The first results of a query are mostly about what was meant; words that several of
them hold and the rest of the archive seldom does (weighed by Bo1, a divergence-from-
randomness model) describe it better than the query's own few words. The first
results are scored again with those words added, and reordered; what matches the
query does not change.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh.searching import Searcher

from newscli.engine.whoosh.analysis import analysis
from newscli.models import Tuning

RERANKED = 50  # first results reordered
LEAD_CHARS = 3000  # of each result's text read for words: a news story says what it is about first
MIN_RESULTS = 2  # a word must be in at least this many of the first results


def expansion(s: Searcher, hits: list[Any], asked: set[str], tuning: Tuning) -> tuple[tuple[str, float], ...]:
    """The words to add, as (indexed form, weight); the heaviest weighs `tuning.feedback_weight`."""
    first = hits[: tuning.feedback_docs]
    if len(first) < MIN_RESULTS:
        return ()
    counts: Counter[str] = Counter()
    holders: Counter[str] = Counter()
    for hit in first:
        words = Counter(analysis(hit.get("lang")).terms(f"{hit.get('title', '')}\n{hit.get('body', '')[:LEAD_CHARS]}"))
        counts.update(words)
        holders.update(words.keys())
    reader = s.reader()
    articles = reader.doc_count_all()
    weighed = []
    for word, count in counts.items():
        if holders[word] < MIN_RESULTS or word in asked or len(word) < 3 or word.isdigit():
            continue
        mean = reader.frequency("body", word) / articles  # how often an article holds it, on average
        if mean > 0:
            weighed.append((count * math.log2((1 + mean) / mean) + math.log2(1 + mean), word))
    chosen = sorted(weighed, reverse=True)[: tuning.feedback]
    if not chosen:
        return ()
    heaviest = chosen[0][0]
    return tuple((word, round(tuning.feedback_weight * w / heaviest, 3)) for w, word in chosen)


Scored = list[tuple[Any, float | None]]  # a Whoosh hit and its score


def rerank(s: Searcher, scored: Scored, words: tuple[tuple[str, float], ...]) -> Scored:
    """The first results reordered by their score plus what the added words score in them."""
    head, rest = scored[:RERANKED], scored[RERANKED:]
    extra: Counter[int] = Counter()
    wanted = sorted(hit.docnum for hit, _ in head)
    for word, weight in words:
        scorer = s.weighting.scorer(s, "body", word)
        for docnum, found in _postings_at(s.reader(), "body", word, wanted):
            extra[docnum] += weight * scorer.score(found)
    again = [(hit, (score or 0.0) + extra[hit.docnum]) for hit, score in head]
    again.sort(key=lambda pair: -(pair[1] or 0.0))  # stable: equal scores keep their order (the newer first)
    return again + rest


def _postings_at(reader: Any, fieldname: str, text: str, docnums: list[int]) -> Iterator[tuple[int, Any]]:
    """(docnum, postings there) for each of the sorted docnums that holds the word: a search would read them all."""
    if (fieldname, text) not in reader:
        return
    postings = reader.postings(fieldname, text)
    for docnum in docnums:
        if postings.is_active() and postings.id() < docnum:
            postings.skip_to(docnum)
        if not postings.is_active():
            return
        if postings.id() == docnum:
            yield docnum, postings
