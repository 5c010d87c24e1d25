"""Relevance benchmark: precision at 10 of newscli's ranking beside plain BM25F.

The AllSides articles carry a topic label. Each query below is written the way a
person would type it for one topic; a result counts as relevant when its topic
label is that topic. Both rankings run on the same index, in the same process.

    python bench/relevance.py [--corpus ../shared/corpora/allsides] [--index-dir DIR]

The index is built on the first run (a few minutes) and reused afterwards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path

from newscli import config
from newscli.engine import Engine, backend
from newscli.indexing.update import update
from newscli.models import Ranking, SearchRequest
from newscli.query import VARIANTS

HERE = Path(__file__).resolve().parent
QUERIES: list[tuple[str, str]] = [
    ("gun control", "gun_control_and_gun_rights"),
    ("immigration border wall", "immigration"),
    ("obamacare health insurance", "healthcare"),
    ("abortion", "abortion"),
    ("supreme court justices", "supreme_court"),
    ("impeachment inquiry", "impeachment"),
    ("coronavirus pandemic", "coronavirus"),
    ("north korea nuclear", "north_korea"),
    ("climate change", "environment"),
    ("tax cuts", "taxes"),
    ("federal budget deficit", "federal_budget"),
    ("isis", "isis"),
    ("terror attack", "terrorism"),
    ("nsa surveillance", "nsa"),
    ("trade tariffs china", "trade"),
    ("same-sex marriage", "lgbt_rights"),
    ("marijuana legalization", "marijuana_legalization"),
    ("fiscal cliff", "fiscal_cliff"),
    ("campaign finance", "campaign_finance"),
    ("cybersecurity hacking", "cybersecurity"),
    ("police shooting", "violence_in_america"),
    ("free speech", "free_speech"),
    ("jobs report unemployment", "economy_and_jobs"),
    ("brexit", "great_britain"),
]
K = 10


def topics(corpus: Path) -> dict[str, str]:
    """Topic label of each article file, by path."""
    labels = {}
    for path in corpus.glob("*.json"):
        with open(path, encoding="utf-8") as f:
            labels[str(path.resolve())] = json.load(f)["topic"]
    return labels


def precision(engine: Engine, labels: dict[str, str], text: str, topic: str, ranking: Ranking) -> float:
    request = SearchRequest(text, limit=K, variants=VARIANTS, ranking=ranking, fold_copies=False)
    hits = engine.search(request).hits
    return sum(labels.get(str(Path(h.article.path).resolve())) == topic for h in hits) / K


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpora" / "allsides")
    parser.add_argument("--index-dir", type=Path, default=Path(tempfile.gettempdir()) / "newscli-bench-allsides")
    args = parser.parse_args()
    settings = replace(config.load(index_dir=str(args.index_dir)), auto_refresh=False)
    report = update(settings, [str(args.corpus)])
    if report.changed:
        print(f"indexed {report.added} articles in {report.seconds:.0f} s")
    engine = backend(settings.backend).open(str(args.index_dir))
    labels = topics(args.corpus)
    rows = [
        (q, t, precision(engine, labels, q, t, Ranking.NEWS), precision(engine, labels, q, t, Ranking.BM25))
        for q, t in QUERIES
    ]
    width = max(len(q) for q, _ in QUERIES)
    print(f"{'query':<{width}}  {'topic':<28} newscli   bm25")
    for q, t, news, bm25 in rows:
        print(f"{q:<{width}}  {t:<28} {news:7.1f} {bm25:6.1f}")
    news_mean = statistics.mean(r[2] for r in rows)
    bm25_mean = statistics.mean(r[3] for r in rows)
    wins = sum(r[2] > r[3] for r in rows)
    losses = sum(r[2] < r[3] for r in rows)
    print(f"{'mean P@10':<{width}}  {'':<28} {news_mean:7.3f} {bm25_mean:6.3f}")
    print(f"{len(rows)} queries: newscli better on {wins}, worse on {losses}, equal on {len(rows) - wins - losses}")


if __name__ == "__main__":
    main()
