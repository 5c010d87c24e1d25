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

from newscli.engine.whoosh.analysis import Analysis, analysis

_WORD = re.compile(r"(?<![\w:\-*~])[^\W\d_][\w'-]*(?![\w:*~])")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
SUGGEST_WORDS = 3
SUGGEST_SECONDS = 1.0


def suggest(s: Searcher, text: str, searched: tuple[Analysis, ...]) -> str | None:
    """The query with each word the index lacks replaced by the closest word it holds.

    Looked up in the index's own words, stemmed as it keeps them: a word is unknown when
    none of its stems (one for each language `searched`) is in a title or text; its
    replacement is the nearest stem that begins with the same letter (a misspelling
    seldom starts wrong), the commonest among the nearest, written as the articles
    holding it write it. Only the first few unknown words, within
    a time budget: each costs a pass over the stems that begin as it does.
    """
    reader = s.reader()
    unknown = []
    for m in _WORD.finditer(text):
        word = m.group()
        found = (
            sorted({t for a in searched if (t := a.term(word.lower())) is not None}) if word not in _OPERATORS else []
        )
        if found and not any((f, t) in reader for f in ("body", "title") for t in found):
            unknown.append((m, found))
    deadline = time.monotonic() + SUGGEST_SECONDS
    replacements = []
    for m, stems in unknown[:SUGGEST_WORDS]:
        near = {
            (t, stem)
            for stem in stems
            for f in ("body", "title")
            for t in IndexReader.terms_within(reader, f, stem, 2, prefix=1)
        }
        if near:
            best, _ = min(near, key=lambda n: (distance(n[1], n[0]), -reader.doc_frequency("body", n[0])))
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
            forms = analysis(stored.get("lang")).written(f"{stored.get('title', '')}\n{stored.get('body', '')}")
            seen.update(forms.get(stem, {}))
        if seen:
            break
    return min(seen, key=lambda w: (distance(typed, w), -seen[w])) if seen else stem
