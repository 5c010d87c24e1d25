"""Chooses newscli's ranking parameters on the tuning half of bench/relevance.py's queries.

    python bench/tune.py [--rounds 2]           # the default ranking
    python bench/tune.py --feedback             # with pseudo-relevance feedback (search --expand)

Coordinate search from plain BM25F: one parameter at a time takes each value of its
grid, the others held, and keeps the value with the best objective; the round
repeats over all parameters. The objective is the mean over the three collections
of mean P@10 on their tuning half (the first, third... queries), then nDCG@10. A value is kept
only if it raises P@10 by MIN_GAIN at least: a smaller gain is one query's luck.
The test half is never seen here; bench/relevance.py reports it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

from relevance import CORPORA, Collection, allsides, bbc, evaluate, half, index, reuters

from newscli.engine import Engine
from newscli.models import TUNINGS, Ranking, Tuning

MIN_GAIN = 0.005
GRID: dict[str, list[object]] = {
    "fill": [False, True],
    "k1": [0.6, 0.9, 1.2, 1.6, 2.0],
    "b": [0.3, 0.5, 0.75, 0.9],
    "title": [1.0, 1.5, 2.0, 3.0],
    "phrase": [0.0, 0.1, 0.2, 0.5],
    "feedback": [0, 5, 10, 20],
    "feedback_docs": [5, 10, 20],
    "feedback_weight": [0.25, 0.5, 1.0],
}


def objective(runs: list[tuple[Collection, Engine, list[str]]], tuning: Tuning) -> tuple[float, float]:
    scores = [evaluate(engine, c, queries, tuning) for c, engine, queries in runs]
    return (
        statistics.mean(statistics.mean(s.precision) for s in scores),
        statistics.mean(statistics.mean(s.ndcg) for s in scores),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--index-root", type=Path, default=Path(tempfile.gettempdir()) / "newscli-bench-relevance")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--feedback", action="store_true", help="tune pseudo-relevance feedback too")
    args = parser.parse_args()
    runs = []
    for make in (allsides, bbc, reuters):
        c = make(args.corpora)
        runs.append((c, index(c, args.index_root), half(c.queries, "tune")))
    best = TUNINGS[Ranking.BM25]
    best_score = objective(runs, best)
    print(f"plain BM25F: P@10 {best_score[0]:.4f}, nDCG@10 {best_score[1]:.4f}")
    for round_ in range(1, args.rounds + 1):
        for name, values in GRID.items():
            if name.startswith("feedback") and not args.feedback:
                continue
            if name.startswith("feedback_") and not best.feedback:
                continue
            for value in values:
                tried = replace(best, **{name: value})
                if tried == best:
                    continue
                score = objective(runs, tried)
                if score[0] >= best_score[0] + MIN_GAIN:
                    best, best_score = tried, score
            print(f"round {round_}, {name}: {best} -> P@10 {best_score[0]:.4f}, nDCG@10 {best_score[1]:.4f}")
    print(f"chosen: {best}")
    for c, engine, queries in runs:
        print(f"{c.name}: P@10 {statistics.mean(evaluate(engine, c, queries, best).precision):.3f} on its tuning half")


if __name__ == "__main__":
    main()
