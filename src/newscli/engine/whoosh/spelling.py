"""Did you mean: the words of a query the index lacks, replaced by the nearest words it holds."""

from __future__ import annotations

import re
import time
from collections import Counter
from itertools import islice

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from newscli.engine.whoosh.schema import SCHEMA

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
    analyzer = SCHEMA["body"].analyzer
    unknown = []
    for m in _WORD.finditer(text):
        stems = [t.text for t in analyzer(m.group())] if m.group() not in _OPERATORS else []
        if len(stems) == 1 and not any((f, stems[0]) in reader for f in ("body", "title")):
            unknown.append((m, stems[0]))
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
    for m, found in reversed(replacements):
        changed = changed[: m.start()] + found + changed[m.end() :]
    return changed if changed != text else None


def _written(s: Searcher, stem: str, typed: str) -> str:
    """The way the articles holding a stem write it that is nearest what was typed, then the commonest.

    `ukrain` -> `ukraine`; `econom` for `economc` -> `economic`, not `economics`.
    """
    analyzer = SCHEMA["body"].analyzer
    seen: Counter[str] = Counter()
    for field in ("body", "title"):
        for docnum in islice(s.document_numbers(**{field: stem}), 3):
            stored = s.stored_fields(docnum)
            text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
            tokens = analyzer(text, mode="index", chars=True, keeporiginal=True)
            seen.update(t.original.lower() for t in tokens if t.text == stem)
        if seen:
            break
    return min(seen, key=lambda w: (distance(typed, w), -seen[w])) if seen else stem
