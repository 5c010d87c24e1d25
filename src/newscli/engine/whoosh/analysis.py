"""How the words of a text become the index's terms, in the text's own language.

A word is what Whoosh's default pattern finds (`[\\w*]+(\\.?[\\w*]+)*`: letters, digits,
`U.S.` as one word), in lower case. Then, by the article's language (languages.py):

- a language Snowball has a stemmer for (PyStemmer, the C implementation: English,
  German, French, Spanish, Russian, Arabic and some thirty more) is stemmed with it,
  after its common words are left out (English: Whoosh's short list, the one newscli
  has always used; Danish, Dutch, Finnish, French, German, Hungarian, Italian,
  Norwegian, Portuguese, Russian, Spanish, Swedish and Turkish: Whoosh's lists of
  them). English words are also stripped of accents first (`résumé` is `resume`);
  other languages keep theirs, as their stemmers expect (German's own stemmer folds
  `ü` into `u`);
- any other language, and an article of no language, is only lower-cased: every
  word is kept as it is written.

Words of one letter are left out, but for Chinese, Japanese and Korean: a run of their
characters is indexed as the pairs of characters next to each other (`中华人民` is
`中华 华人 人民`), so a two-character word finds every article that holds it, whatever
comes before and after, with no dictionary of words.

A query word is analysed the same way for each language searched (compile.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

from newscli.engine.whoosh import internals  # noqa: F401  (first: loads Whoosh, in the mode the internals choose)

# isort: split
import Stemmer  # type: ignore[import-not-found]
from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.lang.stopwords import stoplists

from newscli.languages import SNOWBALL

WORDS = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")  # Whoosh's default pattern, grouping nothing
# Han, kana, Hangul: written without spaces between words.
_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
MIN_LETTERS = 2

FOLDED = frozenset({"en"})  # languages whose words are stripped of accents


class Written(str):
    """A text to index, with its language: the field reads it to analyse the text (schema.py)."""

    language: str | None

    def __new__(cls, text: str, language: str | None) -> Written:
        written = super().__new__(cls, text)
        written.language = language
        return written

    def __reduce__(self) -> tuple[Any, ...]:  # (sent to the processes that help indexing)
        return (Written, (str(self), self.language))


class Analysis:
    """The analysis of one language ("" for the one of no language): its terms for a word and a text."""

    def __init__(self, key: str) -> None:
        self.key = key
        algorithm = SNOWBALL.get(key)
        self._stem = Stemmer.Stemmer(algorithm).stemWord if algorithm in _AVAILABLE else None
        self._stops = frozenset(STOP_WORDS if key == "en" else stoplists.get(key, ()) if self._stem else ())
        self._fold = key in FOLDED
        self._term = lru_cache(maxsize=100_000)(self.term)  # (a text repeats most of its words)

    def __repr__(self) -> str:
        return f"Analysis({self.key!r})"

    def term(self, word: str) -> str | None:
        """The term of a word (in lower case) in this language; None for one left out."""
        if _CJK.match(word):
            return word
        if len(word) < MIN_LETTERS or word in self._stops:
            return None
        if self._fold and not word.isascii():
            word = unaccented(word)
        return self._stem(word) if self._stem is not None else word

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of a text, with its positions. As Whoosh numbers them: the words kept one after
        another, from the place of the first (so a phrase matches across a common word left out)."""
        kept = [(at, term) for at, term in enumerate(map(self._term, words(text))) if term is not None]
        positions: dict[str, list[int]] = {}
        for position, (_, term) in enumerate(kept, kept[0][0] if kept else 0):
            if (seen := positions.get(term)) is None:
                positions[term] = [position]
            else:
                seen.append(position)
        return positions

    def terms(self, text: str) -> list[str]:
        """The terms of a text, in order."""
        return [t for t in map(self._term, words(text)) if t is not None]

    def written(self, text: str) -> dict[str, dict[str, int]]:
        """Each term of a text, with how often each word (lower case) stands for it."""
        forms: dict[str, dict[str, int]] = {}
        for word in words(text):
            if (term := self._term(word)) is not None:
                counts = forms.setdefault(term, {})
                counts[word] = counts.get(word, 0) + 1
        return forms

    def as_written(self, terms: list[str], text: str) -> list[str]:
        """The word each term most often stands for in a text (the term itself if it is not there)."""
        forms = self.written(text)
        return [max(forms[t], key=forms[t].__getitem__) if t in forms else t for t in terms]


_AVAILABLE = frozenset(Stemmer.algorithms())


@cache
def analysis(language: str | None) -> Analysis:
    """The analysis of an article of this language (None: of no language)."""
    return _of(language if language in SNOWBALL and SNOWBALL[language] in _AVAILABLE else "")


@cache
def _of(key: str) -> Analysis:
    return Analysis(key)


def analyses(languages: Iterable[str | None]) -> tuple[Analysis, ...]:
    """The distinct analyses of these languages, in a stable order."""
    distinct = {analysis(code).key: analysis(code) for code in languages}
    return tuple(distinct[key] for key in sorted(distinct))


def words(text: str) -> list[str]:
    """The words of a text in lower case, a run of Chinese, Japanese or Korean as its pairs of characters."""
    found = [w.lower() for w in WORDS.findall(text)]  # (found first: `İ` lower-cased is `i` and a mark)
    if not _CJK.search(text):
        return found
    return [piece for word in found for piece, _, _ in _pieces(word, 0)]


def _pieces(word: str, start: int) -> Iterator[tuple[str, int, int]]:
    """A word's pieces and where each is: itself, or its CJK runs as pairs and the rest as words."""
    if not _CJK.search(word):
        yield word, start, start + len(word)
        return
    at = 0
    for run in _CJK.finditer(word):
        if run.start() > at:
            yield word[at : run.start()], start + at, start + run.start()
        chars = run.group()
        for i in range(max(1, len(chars) - 1)):
            yield chars[i : i + 2], start + run.start() + i, start + run.start() + min(i + 2, len(chars))
        at = run.end()
    if at < len(word):
        yield word[at:], start + at, start + len(word)


def unaccented(word: str) -> str:
    """A word without its accents (`résumé` -> `resume`)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


class Typed(Tokenizer):  # type: ignore[misc]
    """The words of a query as typed, in lower case: the parser's analyzer for the text fields.

    Each word is then made a term of every language searched (compile.py); a CJK word is
    its pairs of characters, all of which an article must hold.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # (a prefix or a pattern: the whole of it)
            spans: Iterable[tuple[str, int, int]] = [(value.lower(), 0, len(value))]
        else:
            spans = (p for m in WORDS.finditer(value) for p in _pieces(m.group().lower(), m.start()))
        for pos, (text, start, end) in enumerate(spans, start_pos):
            token.text = text
            token.boost = 1.0
            if keeporiginal:
                token.original = text
            token.stopped = False
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token
