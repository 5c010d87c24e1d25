"""Which parts of the index a commit merges: small ones in tiers, large ones never, empty ones dropped."""

from __future__ import annotations

from dataclasses import dataclass

from newscli.engine.whoosh.writing import MERGE_BELOW, MERGE_FACTOR, merge_plan


@dataclass(frozen=True)
class Segment:
    name: str
    live: int

    def doc_count(self) -> int:
        return self.live


def names(segments: list[Segment]) -> list[str]:
    return sorted(s.name for s in segments)


def test_large_segments_are_never_merged_however_many_there_are() -> None:
    large = [Segment(f"batch{i}", MERGE_BELOW + i) for i in range(3 * MERGE_FACTOR)]
    keep, merge = merge_plan(large)
    assert names(keep) == names(large) and merge == []


def test_small_segments_of_about_the_same_size_are_merged_once_there_are_enough() -> None:
    hundreds = [Segment(f"h{i}", 100 + i) for i in range(MERGE_FACTOR)]
    tens = [Segment(f"t{i}", 10 + i) for i in range(MERGE_FACTOR - 1)]
    large = Segment("batch", MERGE_BELOW)
    keep, merge = merge_plan([large, *hundreds, *tens])
    assert names(merge) == names(hundreds)
    assert names(keep) == names([large, *tens])

    keep, merge = merge_plan([large, *hundreds[1:], *tens])
    assert merge == [] and len(keep) == 1 + (MERGE_FACTOR - 1) * 2


def test_a_large_segment_thinned_by_deletions_joins_the_small_ones() -> None:
    thinned = Segment("thinned", MERGE_BELOW - 1)
    peers = [Segment(f"p{i}", 1000 + i) for i in range(MERGE_FACTOR - 1)]
    keep, merge = merge_plan([thinned, *peers])
    assert names(merge) == names([thinned, *peers]) and keep == []


def test_segments_with_no_articles_left_are_dropped() -> None:
    emptied, kept = Segment("emptied", 0), Segment("kept", 5)
    assert merge_plan([emptied, kept]) == ([kept], [])
