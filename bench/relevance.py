"""Relevance benchmark: newscli's ranking beside plain BM25F on three labelled news collections.

    python bench/relevance.py                    # every collection, every ranking, the test half
    python bench/relevance.py --half all --per-query
    python bench/relevance.py --try "k1=1.6,b=0.6" --half tune   # a tuning of your own, on the tuning half
    python bench/relevance.py --pool > pool.txt  # Reuters articles in a top 10 that are not judged yet
    python bench/relevance.py --agreement --half all   # how far the labels follow the words

Collections, all from ../shared/corpora:
- allsides: 6,995 US articles, each labelled with one topic; a query is written the
  way a person would type it for one topic, and a result is relevant when its label
  is that topic;
- bbc: 2,225 BBC articles in five folders (business, entertainment, politics, sport,
  tech); a query names a subject of one folder, and a result is relevant when it is
  in that folder;
- 10kgnad: 504 German articles of Der Standard, each in one of nine sections; a query
  names a subject of one section, in the inflected words a person types, and a result is
  relevant when it is in that section; `10kgnad-unstemmed` is the same articles given
  no language: every word lower-cased, no stemmer, no common words left out (what
  newscli does for a language Snowball lacks); `10kgnad-by-hand` and
  `10kgnad-unstemmed-by-hand` judge the same results by hand instead
  (bench/judgements/10kgnad.tsv: every article in a top 10 of bm25 or newscli, with or
  without the stemmer, judged against a written criterion for its query);
- reuters: 20,841 Reuters stories with no labels; a query names a story or a subject,
  and the articles that any ranking compared here puts in its top 10 were judged by
  hand, once, with the reason (bench/judgements/reuters.tsv). An article no one
  judged counts as not relevant, and the table says how many there were.

The queries of each collection are split in two by position: the first, third,
fifth... to tune on (bench/tune.py), the second, fourth... to report (--half test,
the default). Each ranking is scored by
precision at 10 (P@10), nDCG@10 and reciprocal rank of the first relevant result
within 10 (MRR), per query, then averaged. p is a two-sided paired randomisation
test against plain BM25F over the queries (10,000 rounds): how often flipping the
sign of each query's difference gives a mean difference at least as large. A gain
is called significant below 0.05. Rankings run on the same index in the same
process; ms is the median time of a search in that process.

Indexes are built on the first run (a few minutes) below --index-root and reused.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from newscli import config
from newscli.engine import Engine, backend
from newscli.indexing.update import update
from newscli.models import EXPANDED, TUNINGS, Article, Filters, Ranking, SearchRequest, Sort, Tuning
from newscli.query import VARIANTS

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parent.parent / "shared" / "corpora"
JUDGEMENTS = HERE / "judgements" / "reuters.tsv"
GNAD_JUDGEMENTS = HERE / "judgements" / "10kgnad.tsv"
K = 10
ROUNDS = 10_000

ALLSIDES = [
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
    # Added with the benchmark's second version: one query for each topic of 12 or more
    # articles that names a subject (not an umbrella such as politics, world or elections).
    ("middle east conflict", "middle_east"),
    ("public schools teachers", "education"),
    ("racism", "race_and_racism"),
    ("fbi investigation", "fbi"),
    ("religious liberty", "religion_and_faith"),
    ("sexual harassment allegations", "sexual_misconduct"),
    ("banks wall street", "banking_and_finance"),
    ("russia putin", "russia"),
    ("voter id fraud", "voting_rights_and_voter_fraud"),
    ("israel netanyahu", "israel"),
    ("labor unions", "labor"),
    ("mexico", "mexico"),
    ("ebola outbreak", "ebola"),
    ("opioid overdose", "opioid_crisis"),
    ("veterans va hospitals", "veterans_affairs"),
    ("military troops", "us_military"),
    ("criminal justice reform prison", "criminal_justice"),
    ("china", "china"),
    ("cia torture", "cia"),
    ("christmas thanksgiving", "holidays"),
    ("tech companies facebook google", "technology"),
    ("democrats", "democratic_party"),
    ("secretary of state", "state_department"),
    ("tea party", "tea_party"),
    ("european union", "europe"),
    ("attorney general justice department", "justice_department"),
]
BBC = [
    ("stock market shares", "business"),
    ("box office film", "entertainment"),
    ("general election campaign", "politics"),
    ("football", "sport"),
    ("mobile phones", "tech"),
    ("interest rates inflation", "business"),
    ("oscar nominations", "entertainment"),
    ("tony blair labour", "politics"),
    ("tennis open", "sport"),
    ("broadband internet", "tech"),
    ("oil prices", "business"),
    ("album chart", "entertainment"),
    ("asylum immigration", "politics"),
    ("rugby six nations", "sport"),
    ("video games consoles", "tech"),
    ("takeover bid", "business"),
    ("rock band tour", "entertainment"),
    ("conservative tories howard", "politics"),
    ("olympic athletics", "sport"),
    ("software virus", "tech"),
    ("economic growth", "business"),
    ("tv drama series", "entertainment"),
    ("house of lords", "politics"),
    ("cricket test", "sport"),
    ("apple ipod", "tech"),
    ("airline profits", "business"),
    ("actor award", "entertainment"),
    ("council tax", "politics"),
    ("chelsea arsenal", "sport"),
    ("search engine google", "tech"),
]
# Each query with what an article must be about to count as relevant, as it was judged.
REUTERS = [
    ("tanker gulf attack insurance", "attacks on ships in the Gulf, or protecting or insuring shipping against them"),
    ("airline strike pilots", "a strike or industrial action at an airline, or staff threatening one"),
    ("earthquake relief aid", "relief or aid after an earthquake"),
    ("coffee export quotas", "coffee export quotas: the talks on them, or how they are set or shared"),
    ("cocoa buffer stock", "the cocoa buffer stock: its rules, its buying, its effect"),
    ("opec oil output", "OPEC's oil output or its output ceiling"),
    ("bank of japan interest rates", "the Bank of Japan's interest rates or money market policy"),
    ("gold mine production", "gold output of mines, or a gold mine starting or expanding production"),
    ("wheat exports soviet union", "wheat sold or shipped to the Soviet Union, or offers of it"),
    ("dollar yen currency intervention", "central banks intervening in the currency market for the dollar"),
    ("takeover bid tender offer", "a takeover bid or tender offer for a company"),
    ("trade deficit", "a country's trade deficit: its figures or what is said of it"),
    ("copper strike", "a strike or labour action at copper mines or plants"),
    ("sugar prices", "the price of sugar, or buying and selling said to move it"),
    ("money supply", "money supply figures or policy"),
    ("brazil debt moratorium", "Brazil's suspension of interest payments on its foreign debt, and the talks on it"),
    ("soybean crop", "the size, condition or forecast of a soybean crop"),
    ("semiconductor trade japan", "the U.S.-Japan dispute over semiconductor trade"),
    ("natural gas pipeline", "natural gas pipelines: their rates, transport, building or business"),
    ("steel imports quota", "limits on steel imports, or watching steel shipped to a country that limits them"),
    ("iran iraq war", "the Iran-Iraq war: fighting, attacks, or peace efforts"),
    ("tin council debt", "the International Tin Council's debts and the claims of its creditors"),
    ("rubber price pact", "the international natural rubber agreement: its prices, talks or buffer stock"),
    ("cotton crop", "the size, condition or forecast of a cotton crop"),
    ("corn exports china", "China's exports of corn (maize)"),
    ("bundesbank interest rates", "the Bundesbank's interest rates or money market moves"),
    ("fed discount rate", "the Federal Reserve's discount rate, or talk of changing it"),
    ("gatt agriculture talks", "farm trade in the GATT trade talks"),
    ("japan trade surplus", "Japan's trade or current account surplus"),
    ("ecuador oil pipeline", "Ecuador's oil pipeline: its damage, repair, or what its loss does to exports"),
    ("gold miners strike south africa", "a strike or labour action of South African miners"),
    ("chapter 11 bankruptcy", "a company filing for or in Chapter 11 bankruptcy"),
    ("canada free trade talks", "the Canada-U.S. free trade talks"),
    ("palm oil", "palm oil: its trade, prices, output or stocks"),
    ("freight rates shipping", "the freight rates of ships"),
    ("texaco pennzoil", "the Texaco-Pennzoil legal dispute"),
    ("housing starts", "figures of housing starts or building permits"),
    ("consumer prices inflation", "a country's consumer price inflation figures"),
    ("unemployment rate", "a country's unemployment rate or jobless figures"),
    ("nuclear power plant", "nuclear power plants: their building, running, safety or business"),
]


# German: 504 articles of Der Standard (10kGNAD), each in one section; a query names a
# subject of one section, written as a person would type it (inflected forms: the words
# a stemmer has to bring together), and a result is relevant when it is in that section.
GNAD = [
    ("Fußballspiele der Bundesliga", "Sport"),
    ("Trainer und Spieler", "Sport"),
    ("Tennisturniere", "Sport"),
    ("Skirennen Weltcup", "Sport"),
    ("Smartphones und Apps", "Web"),
    ("Datenschutz bei Facebook", "Web"),
    ("Computerspiele", "Web"),
    ("Hacker Angriffe", "Web"),
    ("Aktienkurse an den Börsen", "Wirtschaft"),
    ("Zinsen der Banken", "Wirtschaft"),
    ("Gewinne der Unternehmen", "Wirtschaft"),
    ("Arbeitslosigkeit", "Wirtschaft"),
    ("Forscher und Studien", "Wissenschaft"),
    ("Weltraummissionen", "Wissenschaft"),
    ("Nationalratswahlen", "Inland"),
    ("Koalition von SPÖ und ÖVP", "Inland"),
    ("Asylwerber in Österreich", "Inland"),
    ("Krieg in Syrien", "International"),
    ("Flüchtlinge in Griechenland", "International"),
    ("Wahlkämpfe in den USA", "International"),
    ("Theaterpremieren", "Kultur"),
    ("Filme und Festivals", "Kultur"),
    ("Fernsehsender und Zeitungen", "Etat"),
    ("Unfälle und Polizeieinsätze", "Panorama"),
]


@dataclass
class Collection:
    name: str
    root: Path
    queries: list[str]
    relevant: Callable[[str, Article], bool | None]  # None: not judged
    known: Callable[[str], int]  # how many relevant articles the collection holds for a query
    unstemmed: bool = False  # its articles given no language (10kgnad-unstemmed)
    index_name: str = ""  # the index it shares with another collection (by default its name)


def allsides(corpora: Path) -> Collection:
    root = corpora / "allsides"
    labels = {}
    for path in root.glob("*.json"):
        with open(path, encoding="utf-8") as f:
            labels[path.name] = json.load(f)["topic"]
    topic = dict(ALLSIDES)
    sizes = {t: sum(v == t for v in labels.values()) for t in topic.values()}
    return Collection(
        "allsides",
        root,
        list(topic),
        lambda q, a: labels.get(Path(a.path).name) == topic[q],
        lambda q: sizes[topic[q]],
    )


def bbc(corpora: Path) -> Collection:
    root = corpora / "bbc"
    folder = dict(BBC)
    sizes = {f: sum(1 for _ in (root / f).glob("*.txt")) for f in set(folder.values())}
    return Collection(
        "bbc", root, list(folder), lambda q, a: Path(a.path).parent.name == folder[q], lambda q: sizes[folder[q]]
    )


def reuters(corpora: Path) -> Collection:
    return Collection("reuters", corpora / "reuters21578.jsonl", [q for q, _ in REUTERS], *by_hand(judgements()))


def gnad(corpora: Path, unstemmed: bool = False, hand: bool = False) -> Collection:
    """10kGNAD, analysed in German (detected), or given no language (lower-cased words, no
    stemmer); judged by section, or by hand (bench/judgements/10kgnad.tsv)."""
    path = corpora / "10kgnad-half.jsonl"
    sections = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            sections[number] = json.loads(line)["tags"][0]
    section = dict(GNAD)
    sizes = {s: sum(v == s for v in sections.values()) for s in set(section.values())}
    name = "10kgnad" + ("-unstemmed" if unstemmed else "")
    relevant, known = (
        by_hand(judgements(GNAD_JUDGEMENTS))
        if hand
        else (
            lambda q, a: sections.get(a.record or 0) == section[q],
            lambda q: sizes[section[q]],
        )
    )
    return Collection(name + ("-by-hand" if hand else ""), path, list(section), relevant, known, unstemmed, name)


def by_hand(judged: dict[tuple[str, int], bool]) -> tuple[Callable[[str, Article], bool | None], Callable[[str], int]]:
    """A collection's `relevant` and `known` from judgements by hand: what no one judged is None."""
    return (
        lambda q, a: judged.get((q, a.record or 0)),
        lambda q: sum(v for (query, _), v in judged.items() if query == q),
    )


def judgements(path: Path = JUDGEMENTS) -> dict[tuple[str, int], bool]:
    """(query, line of the article in the collection's file) -> relevant."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {(row["query"], int(row["line"])): row["relevant"] == "1" for row in csv.DictReader(f, delimiter="\t")}


def rankings(tried: list[Tuning]) -> dict[str, Tuning]:
    """Plain BM25F, newscli's ranking with and without --expand, and each change alone on plain BM25F."""
    plain, news = TUNINGS[Ranking.BM25], TUNINGS[Ranking.NEWS]
    chosen = {"bm25": plain, "newscli": news, "newscli --expand": EXPANDED}
    for f in fields(Tuning):
        value = getattr(EXPANDED, f.name)
        alone = replace(plain, **{f.name: value})
        if alone not in chosen.values() and f.name not in ("feedback_docs", "feedback_weight"):
            chosen[f"bm25 +{f.name}"] = alone
    for number, tuning in enumerate(tried, 1):
        chosen[f"tried {number}"] = tuning
    return chosen


@dataclass
class Scores:
    precision: list[float]
    ndcg: list[float]
    rr: list[float]
    unjudged: int
    ms: float


def evaluate(engine: Engine, c: Collection, queries: list[str], tuning: Tuning) -> Scores:
    s = Scores([], [], [], 0, 0.0)
    times = []
    for q in queries:
        started = time.perf_counter()
        hits = engine.search(SearchRequest(q, limit=K, variants=VARIANTS, tuning=tuning, fold_copies=False)).hits
        times.append(time.perf_counter() - started)
        judged = [c.relevant(q, h.article) for h in hits]
        s.unjudged += sum(j is None for j in judged)
        gains = [1.0 if j else 0.0 for j in judged]
        s.precision.append(sum(gains) / K)
        ideal = sum(1 / math.log2(i + 2) for i in range(min(K, c.known(q))))
        s.ndcg.append(sum(g / math.log2(i + 2) for i, g in enumerate(gains)) / ideal if ideal else 0.0)
        s.rr.append(next((1 / (i + 1) for i, g in enumerate(gains) if g), 0.0))
    s.ms = statistics.median(times) * 1000
    return s


def randomisation(a: list[float], b: list[float], rounds: int = ROUNDS) -> float:
    """Two-sided p of a paired randomisation test on the mean difference."""
    differences = [x - y for x, y in zip(a, b, strict=True)]
    observed = abs(sum(differences))
    if not observed:
        return 1.0
    rng = random.Random(0)
    extreme = sum(
        abs(sum(d if rng.random() < 0.5 else -d for d in differences)) >= observed - 1e-9 for _ in range(rounds)
    )
    return (extreme + 1) / (rounds + 1)


def half(queries: list[str], which: str) -> list[str]:
    if which == "all":
        return queries
    return queries[0::2] if which == "tune" else queries[1::2]


def index(c: Collection, root: Path) -> Engine:
    folder = root / (c.index_name or c.name)
    settings = replace(config.load(index_dir=str(folder)), auto_refresh=False)
    if c.unstemmed:  # the German index's articles again, with no language
        german = index(gnad(c.root.parent), root)
        if not backend(settings.backend).exists(str(folder)):
            listed = german.browse(Filters(), Sort.NEWEST, 0).articles
            with backend(settings.backend).create(str(folder)).writer() as w:
                for a in listed:
                    w.add(replace(a, language=None), a.id)
        return backend(settings.backend).open(str(folder))
    report = update(settings, [str(c.root)])
    if report.changed:
        print(f"{c.name}: indexed {report.added:,} articles in {report.seconds:.0f} s", file=sys.stderr)
    return backend(settings.backend).open(str(folder))


def report(c: Collection, engine: Engine, queries: list[str], chosen: dict[str, Tuning], per_query: bool) -> None:
    results = {name: evaluate(engine, c, queries, t) for name, t in chosen.items()}
    base = results["bm25"]
    print(f"\n### {c.name}: {len(queries)} queries\n")
    print("| ranking | P@10 | p | nDCG@10 | p | MRR | p | better / worse (P@10) | unjudged | ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        cells = [name]
        for metric in ("precision", "ndcg", "rr"):
            mine, theirs = getattr(r, metric), getattr(base, metric)
            cells += [f"{statistics.mean(mine):.3f}", "" if r is base else f"{randomisation(mine, theirs):.3f}"]
        better = sum(x > y for x, y in zip(r.precision, base.precision, strict=True))
        worse = sum(x < y for x, y in zip(r.precision, base.precision, strict=True))
        cells += ["" if r is base else f"{better} / {worse}", str(r.unjudged), f"{r.ms:.0f}"]
        print("| " + " | ".join(cells) + " |")
    if per_query:
        print(f"\n| query | {' | '.join(results)} |")
        print("|---|" + "---|" * len(results))
        for i, q in enumerate(queries):
            print(f"| {q} | " + " | ".join(f"{r.precision[i]:.1f}" for r in results.values()) + " |")


def agreement(engine: Engine, c: Collection, queries: list[str]) -> None:
    """How far a label can be told from the words: of the articles with every word of a query
    in their title, the share that carry its label. A low share bounds what any ranking by
    the words can reach in P@10, however good."""
    print(f"\n### {c.name}: articles with every query word in the title that carry its label\n")
    print("| query | titles | labelled | share |")
    print("|---|---|---|---|")
    shares = []
    for q in queries:
        titled = " ".join(f"title:{w}" for w in q.replace("-", " ").split())
        hits = engine.search(SearchRequest(titled, limit=0, variants=VARIANTS, tuning=Tuning(), fold_copies=False)).hits
        labelled = sum(bool(c.relevant(q, h.article)) for h in hits)
        if hits:
            shares.append(labelled / len(hits))
        print(f"| {q} | {len(hits)} | {labelled} | {labelled / len(hits):.2f} |" if hits else f"| {q} | 0 | 0 | |")
    print(f"\nmean share over {len(shares)} queries with such titles: {statistics.mean(shares):.3f}")


def pool(engine: Engine, c: Collection, chosen: dict[str, Tuning]) -> None:
    """The articles some ranking puts in a Reuters query's top 10 that nobody judged, to judge."""
    for q in c.queries:
        seen: dict[int, Article] = {}
        for t in chosen.values():
            for h in engine.search(SearchRequest(q, limit=K, variants=VARIANTS, tuning=t, fold_copies=False)).hits:
                if c.relevant(q, h.article) is None:
                    seen.setdefault(h.article.record or 0, h.article)
        for line, a in sorted(seen.items()):
            print(f"{q}\t{line}\t{a.title}\t{' '.join(a.body.split())[:400]}")


def parse_tuning(text: str) -> Tuning:
    base = TUNINGS[Ranking.BM25]
    values: dict[str, object] = {}
    for part in filter(None, text.split(",")):
        key, _, value = part.partition("=")
        kind = type(getattr(base, key.strip()))
        values[key.strip()] = value.strip() in ("1", "true", "yes") if kind is bool else kind(value)
    return replace(base, **values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--index-root", type=Path, default=Path(tempfile.gettempdir()) / "newscli-bench-relevance")
    parser.add_argument("--half", choices=("tune", "test", "all"), default="test")
    parser.add_argument("--collections", nargs="+", default=["allsides", "bbc", "reuters"])
    parser.add_argument(
        "--try", dest="tried", action="append", default=[], metavar="K=V,...", help="a tuning of plain BM25F to add"
    )
    parser.add_argument("--only", nargs="+", metavar="RANKING", help="run only these rankings (and bm25)")
    parser.add_argument("--per-query", action="store_true", help="P@10 of each query under each ranking")
    parser.add_argument("--pool", action="store_true", help="print unjudged Reuters articles of every top 10")
    parser.add_argument(
        "--agreement", action="store_true", help="how often a title with a query's words carries the query's label"
    )
    args = parser.parse_args()
    makers: dict[str, Callable[[Path], Collection]] = {
        "allsides": allsides,
        "bbc": bbc,
        "reuters": reuters,
        "10kgnad": gnad,
        "10kgnad-unstemmed": lambda corpora: gnad(corpora, unstemmed=True),
        "10kgnad-by-hand": lambda corpora: gnad(corpora, hand=True),
        "10kgnad-unstemmed-by-hand": lambda corpora: gnad(corpora, unstemmed=True, hand=True),
    }
    chosen = rankings([parse_tuning(t) for t in args.tried])
    if args.only:
        chosen = {k: v for k, v in chosen.items() if k == "bm25" or k in args.only}
    if args.pool:
        c = reuters(args.corpora)
        pool(index(c, args.index_root), c, chosen)
        return
    print(f"Queries: the {args.half} half. p: paired randomisation test against bm25, {ROUNDS:,} rounds.")
    for name in args.collections:
        c = makers[name](args.corpora)
        engine = index(c, args.index_root)
        if args.agreement:
            agreement(engine, c, half(c.queries, args.half))
        else:
            report(c, engine, half(c.queries, args.half), chosen, args.per_query)


if __name__ == "__main__":
    main()
