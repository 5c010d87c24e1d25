"""Snippets: the passages of a hit around its matched words, with their spans."""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
from whoosh.highlight import ContextFragmenter, Formatter, Fragment, Highlighter, top_fragments

from newscli.engine.whoosh.analysis import WORDS, analysis
from newscli.engine.whoosh.schema import TEXT_FIELDS
from newscli.models import Snippet

SNIPPET_CHARS = 160
HIGHLIGHT_CHARS = 6000
_SPACE = re.compile(r"\s+")


def with_snippets(results: Any) -> None:
    """Has the hits of `results` cut their snippets as `snippet` expects."""
    results.highlighter = _Highlighter(
        ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50), None, _SnippetFormatter()
    )


def snippet(hit: Any) -> Snippet:
    """The best passages of a hit's text, or its opening when no word matched there."""
    for name in ("body", "caption"):
        # Highlighting re-reads the text word by word: the opening of a long article is
        # enough for a snippet, and keeps a search of long articles quick.
        text = hit.get(name)
        found = hit.highlights(name, text=text[:HIGHLIGHT_CHARS], top=2) if text else None
        if isinstance(found, Snippet) and found.text:
            return found
    lead = " ".join(str(hit.get("body", "")).split())
    if len(lead) > SNIPPET_CHARS:
        lead = lead[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return Snippet(lead)


class _Highlighter(Highlighter):  # type: ignore[misc]
    """Whoosh's highlighter, finding the words of a stemmed text several times quicker.

    Whoosh runs the text through the field's analyzer a token at a time (about 1 ms
    a hit); here the words are found with the analyzer's own pattern and each
    distinct word is analysed once, then remembered: the same words match.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._words: dict[str, frozenset[str]] = {}  # the query's words in each field, for every hit

    def highlight_hit(self, hitobj: Any, fieldname: str, text: str | None = None, top: int = 3, **kw: Any) -> Any:
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        if fieldname not in TEXT_FIELDS or kw.get("strict_phrase"):
            return super().highlight_hit(hitobj, fieldname, text, top, **kw)
        text = hitobj[fieldname] if text is None else text
        # The query's words, not those Whoosh noted as matched in each hit: a word of the query
        # that is in a hit's text matched there, and noting them costs a tenth of a search.
        words = self._words.get(fieldname)
        if words is None:
            found = results.query_terms(expand=True, fieldname=fieldname)
            words = self._words[fieldname] = frozenset(field.from_bytes(term[1]) for term in found)
        language = analysis(hitobj.get("lang")).key
        fragments = _fragments(text, words, self.fragmenter.maxchars, self.fragmenter.surround, language)
        return self.formatter.format(top_fragments(fragments, top, self.scorer, self.order, kw.get("minscore", 1)))


def _fragments(
    text: str, words: frozenset[str], maxchars: int, surround: int, language: str = "en"
) -> Iterator[Fragment]:
    """Whoosh's ContextFragmenter over the words of a text, those in `words` matched, in one loop.

    The same fragments as `ContextFragmenter(maxchars, surround).fragment_tokens`
    given a Token for each word (line for line its algorithm), at a fraction of the
    cost: a word is two numbers here, not an object handed along a generator. (Where
    no word stands within REACH characters before a match, Whoosh would start its
    fragment at the last word before, however far back; here it starts at the match.)
    In English, and in a text of no language, only a word that begins as one of
    `words` does but for its last two letters is analysed: an English Snowball stem
    less its last letter begins the word it comes from, but for `dying`, `lying` and
    `tying` (`die`...) and words written with accents. Only the words near such a
    word are read at all (see `_near`). Other languages' stemmers change letters
    (German's `ü` is `u`): every word is analysed.
    """
    if not words:
        return
    starts = tuple(w[: max(1, len(w) - 2)] for w in words) if language in ("en", "") else ("",)
    first: int | None = None  # where the fragment being gathered starts
    firsts: deque[int] = deque()  # the starts of the words just before, within `surround`
    countdown = -1  # characters of words left in the fragment; below 0 outside one
    matches: list[_Match] = []
    currentlen = 0
    endchar = 0
    stretches, candidates = _near(text, starts)
    for lo, hi in stretches:
        for startchar, endchar in [found.span() for found in WORDS.finditer(text, lo, hi)]:
            tlength = endchar - startchar
            indexed = _indexed_as(text[startchar:endchar], language) if startchar in candidates else None
            matched = indexed is not None and indexed in words
            if countdown < 0 and not matched:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > surround:
                    firsts.popleft()
            elif currentlen + tlength > maxchars:
                countdown = 0
            elif matched:
                countdown = surround
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += surround
                matches.append(_Match(startchar, endchar, indexed))
            if countdown >= 0:
                currentlen += tlength
                countdown -= tlength
                if countdown <= 0:  # (ending at exactly 0, the next word ends a fragment of no match)
                    yield Fragment(text, matches, 0 if first is None else first, endchar)
                    matches, firsts, first, currentlen = [], deque(), None, 0
    if matches:
        yield Fragment(text, matches, first, endchar)


class _Match:
    """A matched word of a fragment, as Whoosh's fragment scorer and our formatter read it."""

    __slots__ = ("startchar", "endchar", "text")
    boost = 1.0

    def __init__(self, startchar: int, endchar: int, text: str | None) -> None:
        self.startchar, self.endchar, self.text = startchar, endchar, text


REACH = 300  # characters either side of a word that may match
_BREAK = re.compile(r"[^\w*.]")  # a character no word of the tokenizer's pattern holds


def _near(text: str, starts: tuple[str, ...]) -> tuple[list[tuple[int, int]], set[int]]:
    """Where a word may begin with one of `starts`, and the stretches of a text within REACH characters of one.

    The fragmenter keeps at most 50 characters before a match and ends a fragment
    within 160; words farther from any match change no fragment, and reading only
    the stretches near them makes a snippet of a long article several times
    quicker. Each stretch begins and ends where no word can run across (so the
    words in it are those a reading of the whole text finds there).
    """
    if "" in starts:
        return [(0, len(text))], {found.start() for found in WORDS.finditer(text)}
    stretches: list[tuple[int, int]] = []
    candidates: set[int] = set()
    for found in _beginning(starts).finditer(text):
        candidates.add(found.start())
        start = max(0, found.start() - REACH)
        if start > 0:
            gap = _BREAK.search(text, start, found.start() + 1)
            start = gap.start() if gap else stretches[-1][1] if stretches else 0
        if stretches and start <= stretches[-1][1]:
            start = stretches.pop()[0]
        gap = _BREAK.search(text, found.end() + REACH)
        stretches.append((start, gap.start() if gap else len(text)))
    return stretches, candidates


@functools.lru_cache(maxsize=64)
def _beginning(starts: tuple[str, ...]) -> re.Pattern[str]:
    """Where a word of the tokenizer's pattern begins with one of `starts`, in any case."""
    alternatives = "|".join(re.escape(s) for s in sorted(starts, key=len, reverse=True))
    return re.compile(rf"(?<![\w*])(?:{alternatives})", re.IGNORECASE)


@functools.lru_cache(maxsize=100_000)
def _indexed_as(word: str, language: str) -> str | None:
    """The term the index keeps for a word of a text in a language; None for a common word, which it leaves out
    (and for a run of Chinese, Japanese or Korean, which it keeps as pairs of characters)."""
    terms = analysis(language or None).terms(word)
    return terms[0] if len(terms) == 1 else None


class _SnippetFormatter(Formatter):  # type: ignore[misc]
    """Whoosh fragments as a Snippet: plain text and the spans of the matched words."""

    def format(self, fragments: Iterable[Any], replace: bool = False) -> Snippet:
        text = ""
        spans: list[tuple[int, int]] = []
        seen: set[str] = set()
        for fragment in fragments:
            passage = fragment.text[fragment.startchar : fragment.endchar]
            if passage in seen:  # some sources repeat paragraphs; one snippet of each is enough
                continue
            seen.add(passage)
            if text:
                text += " … "
            position = fragment.startchar
            for token in sorted(fragment.matches, key=lambda t: (t.startchar, -t.endchar)):
                if token.startchar is None or token.startchar < position:
                    continue
                text += _flat(fragment.text[position : token.startchar])
                start = len(text)
                text += _flat(fragment.text[token.startchar : token.endchar])
                spans.append((start, len(text)))
                position = token.endchar
            text += _flat(fragment.text[position : fragment.endchar])
        lead = len(text) - len(text.lstrip())
        return Snippet(text.strip(), tuple((a - lead, b - lead) for a, b in spans))


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)
