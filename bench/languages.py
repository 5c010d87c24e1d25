"""Language detectors side by side on the reference corpora: accuracy on short and long texts, and cost.

    pip install py3langid lingua-language-detector
    python bench/languages.py [--per-corpus 500]

Texts: the titles (short) and title + text (the first 500 and 2,000 characters) of BBC,
Reuters and AllSides articles (English) and of 10kGNAD's (German), each corpus
sampled alike. For each detector: how often its first guess is right, how often
it is wrong, and how often it is unsure (its own confidence under a threshold:
newscli would store no language there rather than guess); the time to load it,
the median time to detect one text, and the memory the process holds afterwards.
Both detectors ship their models in their packages (no download at run time).
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
Sample = tuple[str, str, str]  # (corpus, language, text)


def texts(per_corpus: int, rng: random.Random) -> Iterator[tuple[str, str, str, str]]:
    """(corpus, language, title, title and text) for a sample of each corpus."""
    bbc = sorted(glob.glob(str(CORPORA / "bbc" / "*" / "*.txt")))
    for path in rng.sample(bbc, min(per_corpus, len(bbc))):
        raw = Path(path).read_bytes().decode("utf-8", "replace")
        title, _, body = raw.partition("\n")
        yield "bbc", "en", title.strip(), raw
    with open(CORPORA / "reuters21578.jsonl", encoding="utf-8") as f:
        reuters = [json.loads(line) for line in f]
    for a in rng.sample([a for a in reuters if a.get("body")], per_corpus):
        yield "reuters", "en", a["title"], f"{a['title']}\n\n{a['body']}"
    allsides = sorted(glob.glob(str(CORPORA / "allsides" / "*.json")))
    for path in rng.sample(allsides, per_corpus):
        a = json.loads(Path(path).read_text(encoding="utf-8"))
        yield "allsides", "en", a["title"], f"{a['title']}\n\n{a['content_original']}"
    with open(CORPORA / "10kgnad-half.jsonl", encoding="utf-8") as f:
        gnad = [json.loads(line) for line in f]
    for a in rng.sample(gnad, min(per_corpus, len(gnad))):
        yield "10kgnad", "de", a["title"], f"{a['title']}\n\n{a['body']}"


Detect = Callable[[str], tuple[str | None, float]]  # a text -> (ISO 639-1 code, confidence 0..1)


def py3langid() -> Detect:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(text: str) -> tuple[str | None, float]:
        code, confidence = identifier.classify(text)
        return code, float(confidence)

    return detect


def lingua() -> Detect:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(text: str) -> tuple[str | None, float]:
        values = detector.compute_language_confidence_values(text)
        if not values:
            return None, 0.0
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)

    return detect


def lingua_low() -> Detect:
    from lingua import LanguageDetectorBuilder

    detector = (
        LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().with_low_accuracy_mode().build()
    )

    def detect(text: str) -> tuple[str | None, float]:
        values = detector.compute_language_confidence_values(text)
        if not values:
            return None, 0.0
        best = values[0]
        return best.language.iso_code_639_1.name.lower(), float(best.value)

    return detect


DETECTORS = {"py3langid": py3langid, "lingua (high accuracy)": lingua, "lingua (low accuracy)": lingua_low}


def measure(name: str, sample: list[tuple[str, str, str, str]], unsure_below: float) -> None:
    """One detector's rows of the table, measured in this process (which has loaded no other)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    detect = DETECTORS[name]()
    load = time.perf_counter() - started
    memory = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    kinds = (("titles", 0, 2000), ("title and text, 500 characters", 1, 500), ("title and text, 2,000", 1, 2000))
    for kind, index, length in kinds:
        first = right = wrong = unsure = 0
        took: list[float] = []
        for _, language, *parts in sample:
            text = parts[index][:length]
            started = time.perf_counter()
            code, confidence = detect(text)
            took.append(time.perf_counter() - started)
            first += code == language
            if code is None or confidence < unsure_below:
                unsure += 1
            elif code == language:
                right += 1
            else:
                wrong += 1
        n = len(sample)
        print(
            f"| {name} | {kind} | {first / n:.1%} | {right / n:.1%} | {wrong / n:.1%} | {unsure / n:.1%} "
            f"| {statistics.median(took) * 1e6:,.0f} µs | {load:.2f} s | +{memory:,.0f} MB |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-corpus", type=int, default=500, help="articles sampled from each corpus")
    parser.add_argument("--unsure-below", type=float, default=0.5, help="confidence under which a guess is unsure")
    parser.add_argument("--detectors", nargs="+", default=list(DETECTORS), choices=list(DETECTORS))
    parser.add_argument("--one", help=argparse.SUPPRESS)  # measure this detector here (run by the others)
    args = parser.parse_args()
    sample = list(texts(args.per_corpus, random.Random(1)))
    if args.one:
        measure(args.one, sample, args.unsure_below)
        return
    counts = ", ".join(f"{c} {sum(1 for s in sample if s[0] == c)}" for c in dict.fromkeys(s[0] for s in sample))
    print(f"{len(sample)} articles ({counts}); unsure: confidence under {args.unsure_below}\n")
    print("| detector | texts | first guess right | right | wrong | unsure | per text (median) | load | memory |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.detectors:  # each in a process of its own: its load time and memory alone
        options = ["--per-corpus", str(args.per_corpus), "--unsure-below", str(args.unsure_below), "--one", name]
        subprocess.run([sys.executable, __file__, *options], check=True)


if __name__ == "__main__":
    main()
