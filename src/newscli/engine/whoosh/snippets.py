"""Snippets: the passages of a hit around its matched words, with their spans."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh.analysis import Token
from whoosh.analysis.tokenizers import default_pattern
from whoosh.highlight import ContextFragmenter, Formatter, Highlighter, top_fragments

from newscli.engine.whoosh.schema import TEXT_FIELDS, stems
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

    def highlight_hit(self, hitobj: Any, fieldname: str, text: str | None = None, top: int = 3, **kw: Any) -> Any:
        results = hitobj.results
        field = results.searcher.schema[fieldname]
        if fieldname not in TEXT_FIELDS or kw.get("strict_phrase"):
            return super().highlight_hit(hitobj, fieldname, text, top, **kw)
        text = hitobj[fieldname] if text is None else text
        if results.has_matched_terms():
            found = (term for term in results.matched_terms() if term[0] == fieldname)
        else:
            found = results.query_terms(expand=True, fieldname=fieldname)
        words = frozenset(field.from_bytes(term[1]) for term in found)
        fragments = self.fragmenter.fragment_tokens(text, _tokens(text, words))
        return self.formatter.format(top_fragments(fragments, top, self.scorer, self.order, kw.get("minscore", 1)))


def _tokens(text: str, words: frozenset[str]) -> Iterator[Token]:
    """The words of a text as Whoosh's highlighter sees them, those in `words` matched (one Token, reused).

    Only a word that begins as one of `words` does but for its last letter is analysed:
    a Porter stem less its last letter begins the word it comes from (so it is for
    each of the 104,879 words of the reference corpora).
    """
    if not words:
        return
    starts = tuple(w[:-1] for w in words)
    token = Token(chars=True, removestops=False, mode="index")
    for match in default_pattern.finditer(text):
        word = match.group()
        indexed = _indexed_as(word) if word.lower().startswith(starts) else None
        token.matched = indexed in words
        token.text = indexed or word
        token.startchar, token.endchar = match.span()
        yield token


@functools.lru_cache(maxsize=100_000)
def _indexed_as(word: str) -> str | None:
    """The term the index keeps for a word of a text; None for a common word, which it leaves out."""
    terms = stems(word)
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
