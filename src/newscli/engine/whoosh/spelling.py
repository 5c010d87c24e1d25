"""Did you mean: the words of a query the index lacks, replaced by the nearest words it holds."""

from __future__ import annotations

import re
import time
from collections import Counter
from itertools import islice

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from newscli.engine.whoosh.schema import stems, written

_WORD = re.compile(r"(?<![\w:\-*~])[^\W\d_][\w'-]*(?![\w:*~])")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
SUGGEST_WORDS = 3
SUGGEST_SECONDS = 1.0


def suggest(s: Searcher, text: str) -> str | None:
    """The query with each word the index lacks replaced by the closest word it holds.

    Looked up in the index's own words, stemmed as it keeps them: a word is unknown when
    its stem is in no title or text; its replacement is the nearest stem that begins with
    the same letter (a misspelling seldom starts wrong), the commonest among the nearest,
    written as the articles holding it write it. Only the first few unknown words, within
    a time budget: each costs a pass over the stems that begin as it does.
    """
    reader = s.reader()
    unknown = []
    for m in _WORD.finditer(text):
        found = stems(m.group()) if m.group() not in _OPERATORS else []
        if len(found) == 1 and not any((f, found[0]) in reader for f in ("body", "title")):
            unknown.append((m, found[0]))
    deadline = time.monotonic() + SUGGEST_SECONDS
    replacements = []
    for m, stem in unknown[:SUGGEST_WORDS]:
        near = {t for f in ("body", "title") for t in IndexReader.terms_within(reader, f, stem, 2, prefix=1)}
        if near:
            best = min(near, key=lambda t: (distance(stem, t), -reader.doc_frequency("body", t)))
            replacements.append((m, _written(s, best, m.group().lower())))
        if time.monotonic() > deadline:
            break
    changed = text
    for m, word in reversed(replacements):
        changed = changed[: m.start()] + word + changed[m.end() :]
    return changed if changed != text else None


def _written(s: Searcher, stem: str, typed: str) -> str:
    """The way the articles holding a stem write it that is nearest what was typed, then the commonest.

    `ukrain` -> `ukraine`; `econom` for `economc` -> `economic`, not `economics`.
    """
    seen: Counter[str] = Counter()
    for field in ("body", "title"):
        for docnum in islice(s.document_numbers(**{field: stem}), 3):
            stored = s.stored_fields(docnum)
            seen.update(written(f"{stored.get('title', '')}\n{stored.get('body', '')}").get(stem, {}))
        if seen:
            break
    return min(seen, key=lambda w: (distance(typed, w), -seen[w])) if seen else stem
