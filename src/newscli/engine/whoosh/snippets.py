"""Snippets: the passages of a hit around its matched words, with their spans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from newscli.engine.whoosh import startup  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh.highlight import ContextFragmenter, Formatter

from newscli.models import Snippet

SNIPPET_CHARS = 160
HIGHLIGHT_CHARS = 6000
_SPACE = re.compile(r"\s+")


def with_snippets(results: Any) -> None:
    """Has the hits of `results` cut their snippets as `snippet` expects."""
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
    results.formatter = _SnippetFormatter()


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
