"""Spotting the same story republished (wire copy), by sketches of word shingles.

Each article's text is cut into overlapping 5-word shingles; the sketch is the
64 smallest shingle hashes (a bottom-k sketch). Two sketches estimate how much
text two articles share; their few smallest hashes serve as index keys that
near-copies almost always share, so candidates are found without comparing
every pair.
"""

from __future__ import annotations

import heapq
import re
import zlib
from array import array
from collections.abc import Iterable

SHINGLE = 5
SKETCH = 64
KEYS = 6
MIN_WORDS = 40  # shorter texts (briefs, captions) are too alike by chance
SAME_STORY = 0.6  # estimated share of shingles above which two articles are copies
# Copies of a story run within days of each other; recurring reports that share
# boilerplate ("Fed adds reserves", weekly price tables) are weeks apart.
WINDOW_DAYS = 2
_WORD = re.compile(r"\w+")


def sketch(text: str) -> array[int] | None:
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return None
    hashes = {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}
    return array("I", sorted(heapq.nsmallest(SKETCH, hashes)))


def keys(sketch: array[int]) -> list[int]:
    """The hashes of a sketch under which its near-copies are looked for."""
    return list(sketch[:KEYS])


def story_among(
    sketch: array[int], when: float | None, candidates: Iterable[tuple[str, array[int], float | None]]
) -> str | None:
    """The story of the first candidate (story, sketch, time) that tells the same story, if any."""
    for story, other, other_when in candidates:
        if same_story(sketch, when, other, other_when):
            return story
    return None


def same_story(a: array[int], a_time: float | None, b: array[int], b_time: float | None) -> bool:
    if a_time is not None and b_time is not None and abs(a_time - b_time) > WINDOW_DAYS * 86400:
        return False
    return similarity(a, b) >= SAME_STORY


def similarity(a: array[int], b: array[int]) -> float:
    """The estimated share of shingles two articles have in common (Jaccard), 0 to 1."""
    union = heapq.nsmallest(SKETCH, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union) if union else 0.0
