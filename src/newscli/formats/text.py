"""Plain-text articles: a headline (or a photo caption), paragraphs, a `Source:` line."""

from __future__ import annotations

import re

_SOURCE_LINE = re.compile(r"^\s*Source:\s*(?P<source>\S.*?)\s*$", re.IGNORECASE)
# A first line that describes a photo rather than heads the story: a position
# marker such as "(right)", or a trailing credit such as "(AFP)" or "(Getty Images)".
_POSITION = re.compile(r"\((?:left|right|centre|center|top|bottom|l|r|c|front|back|pictured)\)", re.I)
_CREDIT = re.compile(
    r"\((?:[^()]*[/|,]\s*)?(?:agencies|agency|reuters|afp|ap|ap photo|epa|epa-efe|getty|getty images|"
    r"anadolu|anadolu agency|xinhua|file|file photo|handout|photo|photograph|image|courtesy"
    r"|[^()]*\b(?:photo|photograph|images?|pictures?)\b[^()]*)\)\s*$",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\bMr|\bMrs|\bMs|\bDr|\bSt|\bGen|\bGov|\bSen|\bRep|\bNo|\bvs)\.$")
_CLAUSE = re.compile(r"[,;:]\s|\s[-–—]\s")

TITLE_MAX = 110


def is_caption(line: str) -> bool:
    return bool(_POSITION.search(line) or _CREDIT.search(line))


def lead_title(paragraph: str) -> str:
    """A headline-length title from a story's lead sentence, cut at a word boundary."""
    sentence = _lead_sentence(" ".join(paragraph.split()))
    sentence = sentence.rstrip(".")
    if len(sentence) <= TITLE_MAX:
        return sentence
    clauses = [m.start() for m in _CLAUSE.finditer(sentence) if 40 <= m.start() <= TITLE_MAX]
    if clauses:
        return sentence[: clauses[-1]]
    cut = sentence.rfind(" ", 0, TITLE_MAX - 1)
    return sentence[: cut if cut > 0 else TITLE_MAX - 1].rstrip(",;:-–— ") + "…"


def _lead_sentence(text: str) -> str:
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if not _ABBREVIATION.search(text[start : m.start()]):
            return text[: m.start()]
    return text


def split_paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def parse_text(text: str, titled: bool = False) -> dict[str, object]:
    """Fields of a plain-text article: title, caption, body and, if given, source.

    `titled` says the title is known already (from front matter): the first line is text.
    """
    paragraphs = split_paragraphs(text)
    fields: dict[str, object] = {}
    if paragraphs:
        last_lines = paragraphs[-1].splitlines()
        if m := _SOURCE_LINE.match(last_lines[-1]):
            fields["source"] = m["source"]
            remainder = "\n".join(last_lines[:-1]).strip()
            paragraphs[-1:] = [remainder] if remainder else []
    if not paragraphs or titled:
        fields["body"] = "\n\n".join(paragraphs)
        return fields
    first, _, rest_of_first = paragraphs[0].partition("\n")
    first = first.strip()
    rest = ([rest_of_first.strip()] if rest_of_first.strip() else []) + paragraphs[1:]
    if is_caption(first) and rest:
        fields["caption"] = first
        fields["title"] = lead_title(rest[0])
    else:
        fields["title"] = first
    fields["body"] = "\n\n".join(rest)
    return fields
