"""How well newscli finds stories: B-cubed precision, recall and F1 on a judged set.

    python bench/stories.py [--corpora ../shared/corpora] [--work /tmp/newscli-bench/stories]

Indexes the AllSides and Reuters corpora whole with newscli (the judged articles among 27,836),
then scores on the 419 judged articles of bench/stories/labels.tsv (criterion in
bench/stories/CRITERION.md), side by side:

- copy folding alone: the stories of republished copies newscli already folds (dupes.py);
- single-link: articles linked when the cosine similarity of their TF-IDF vectors (words of the
  title and lead, the same three-day window) reaches a threshold, stories the connected groups;
  at a range of thresholds (words in more than 5% of the articles are left out of its
  comparisons, for speed: their weight is small);
- newscli's stories.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict, deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "stories" / "labels.tsv"
WINDOW = 3 * 86400
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
COMMON = 0.05  # single-link passes over words in more than this share of articles (their weight is small)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=HERE.parent.parent / "shared" / "corpora")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newscli-bench/stories"))
    args = parser.parse_args()
    index = args.work / "index"
    if not (index / "catalog.db").exists():
        args.work.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "newscli", "--index-dir", str(index), "index", "--rebuild",
             str(args.corpora / "allsides"), str(args.corpora / "reuters21578.jsonl")],
            check=True, env={**os.environ, "NEWSCLI_CONFIG": os.devnull},
        )  # fmt: skip
        print(f"indexed in {time.monotonic() - started:.0f} s")
    gold = labels()
    keys = corpus_keys(args.corpora)
    db = sqlite3.connect(f"file:{index / 'catalog.db'}?mode=ro", uri=True)
    article_of = {}
    for i, path, record in db.execute("SELECT id, path, record FROM articles"):
        key = keys.get((os.path.basename(os.fsdecode(path)), record))
        if key is not None:
            article_of[key] = i
    missing = [k for k in gold if k not in article_of]
    if missing:
        sys.exit(f"bench: {len(missing)} judged articles are not in the index, e.g. {missing[:3]}")
    copies = dict(db.execute("SELECT id, story FROM articles"))
    told = dict(db.execute("SELECT id, coalesce(story, id) FROM told"))
    print(f"{len(gold)} judged articles, {len(set(gold.values()))} stories, "
          f"{sum(1 for n in Counter(gold.values()).values() if n > 1)} of them of two or more")  # fmt: skip
    print(f"{'':<28}{'precision':>10}{'recall':>8}{'F1':>7}  F1 of: Reuters, AllSides, the 154 in stories of 2+")
    line("every article alone", {k: k for k in gold}, gold)
    line("copy folding alone", {k: copies[article_of[k]] for k in gold}, gold)
    for t in THRESHOLDS:
        linked = single_link(db, t)
        line(f"single-link, cosine >= {t}", {k: linked[article_of[k]] for k in gold}, gold)
    line("newscli stories", {k: told.get(article_of[k], article_of[k]) for k in gold}, gold)


def labels() -> dict[str, str]:
    found = {}
    for text in LABELS.read_text(encoding="utf-8").splitlines():
        if text and not text.startswith("#"):
            _, key, story = text.split("\t")
            found[key] = story
    return found


def corpus_keys(corpora: Path) -> dict[tuple[str, int | None], str]:
    """Each judged article's (file name, record) as newscli keeps them, to its key in labels.tsv."""
    keys: dict[tuple[str, int | None], str] = {}
    for f in (corpora / "allsides").glob("*.json"):
        keys[f.name, None] = json.loads(f.read_text(encoding="utf-8"))["ID"]
    with open(corpora / "reuters21578.jsonl", encoding="utf-8") as lines:
        for n, text in enumerate(lines, 1):
            keys["reuters21578.jsonl", n] = json.loads(text)["id"]
    return keys


def single_link(db: sqlite3.Connection, threshold: float) -> dict[str, str]:
    """Connected groups of articles whose TF-IDF cosine reaches the threshold within the window."""
    rows = [
        (i, ts, {f: n for f, n in decode(features).items() if not f.startswith(("n:", "#:", "d:"))})
        for i, ts, features in db.execute("SELECT id, ts, features FROM told ORDER BY ts, id")
    ]
    df = Counter(f for _, _, v in rows for f in v)
    n = len(rows)
    vectors = []
    for i, ts, v in rows:
        w = {f: c * math.log(n / df[f]) for f, c in v.items()}
        norm = math.sqrt(sum(x * x for x in w.values())) or 1.0
        vectors.append((i, ts, {f: x / norm for f, x in w.items()}))
    parent = {i: i for i, _, _ in vectors}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[str, deque[tuple[int, float]]] = defaultdict(deque)
    start = 0
    for k, (i, ts, v) in enumerate(vectors):
        while vectors[start][1] < ts - WINDOW:
            start += 1
        dots: dict[int, float] = defaultdict(float)
        for f, x in v.items():
            if df[f] > COMMON * n:
                continue
            held = postings[f]
            while held and held[0][0] < start:
                held.popleft()
            for j, y in held:
                dots[j] += x * y
            held.append((k, x))
        for j, dot in dots.items():
            if dot >= threshold:
                parent[root(vectors[j][0])] = root(i)
    return {i: root(i) for i in parent}


def decode(text: str) -> dict[str, int]:
    from newscli.stories.features import decode as decoded

    return decoded(text)


def bcubed(found: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga and Baldwin 1998) of `found` against `gold`."""
    by_found, by_gold = defaultdict(set), defaultdict(set)
    for k in gold:
        by_found[found[k]].add(k)
        by_gold[gold[k]].add(k)
    precision = sum(len(by_found[found[k]] & by_gold[gold[k]]) / len(by_found[found[k]]) for k in gold) / len(gold)
    recall = sum(len(by_found[found[k]] & by_gold[gold[k]]) / len(by_gold[gold[k]]) for k in gold) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def line(name: str, found: dict[str, str], gold: dict[str, str]) -> None:
    p, r, f = bcubed(found, gold)
    sizes = Counter(gold.values())
    parts = [
        bcubed(found, {k: v for k, v in gold.items() if keep(k, v)})[2]
        for keep in (
            lambda k, v: k.startswith("reuters"),
            lambda k, v: not k.startswith("reuters"),
            lambda k, v: sizes[v] > 1,
        )
    ]
    print(f"{name:<28}{p:>10.3f}{r:>8.3f}{f:>7.3f}  {parts[0]:.3f}, {parts[1]:.3f}, {parts[2]:.3f}")


if __name__ == "__main__":
    main()
