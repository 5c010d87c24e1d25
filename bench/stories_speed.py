"""What stories cost: indexing with and without them, and `stories` and `story` answering, at 1x and 10x.

    python bench/stories_speed.py [--scales 1 10] [--index-runs 3] [--runs 7]

The archives are bench/run.py's (the reference corpora, and generated copies of them). For each
scale, the archive is indexed with stories off (`story_window_days: 0`) and on (the default),
the two taking turns, --index-runs times at 1x and once at larger scales; then, on the index
with stories, the resident process answers `stories` for the busiest seven days of the archive
(1987-03-01 to 1987-03-07, Reuters' first full week; the archive's dates are decades old, so
`--since 7d` would find nothing) and `story` for the story with the most outlets among them,
each --runs times: the medians are printed as a Markdown table.

With --incremental-only, on the indexes a full run left: `newscli index` adding 100 articles and
removing them again, with stories off and on, for articles newer than any (as a fetch brings
them) and for articles of the busiest week (placed again with every article after them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from run import CORPORA, NEWSCLI, Run, _archive, _environment, _median

WEEK = ("--since", "1987-03-01", "--until", "1987-03-07")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newscli-bench"))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--index-runs", type=int, default=3)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--incremental-only", action="store_true", help="time adding articles to the indexes a full run left"
    )
    args = parser.parse_args()
    if args.incremental_only:
        for scale in args.scales:
            print(
                f"{scale}x:", json.dumps(incremental(args.work / f"archive-x{scale}", args.work / f"stories-x{scale}"))
            )
        return
    rows = {scale: measure(args, scale) for scale in args.scales}
    print(f"| | {' | '.join(f'{s}x' for s in rows)} |")
    print(f"|---|{'---|' * len(rows)}")
    for key, name, unit in (
        ("articles", "articles", ""),
        ("off", "full index, stories off", " s"),
        ("on", "full index, stories on", " s"),
        ("cost", "stories' cost", "%"),
        ("told", "articles in stories (dated)", ""),
        ("stories", "`stories` for seven days, warm", " ms"),
        ("story", "`story ID`, warm", " ms"),
    ):
        print(f"| {name} | {' | '.join(format(rows[s][key], unit) for s in rows)} |")


def format(value: float, unit: str) -> str:
    if unit == " ms":
        return f"{value * 1000:.0f} ms"
    if unit == " s":
        return f"{value:.0f} s"
    if unit == "%":
        return f"+{value:.1f}%"
    return f"{value:,.0f}"


def measure(args: argparse.Namespace, scale: int) -> dict[str, float]:
    archive = args.work / f"archive-x{scale}"
    if not archive.exists():
        archive = _archive(args.corpora, args.work, scale)
    work = args.work / f"stories-x{scale}"
    times: dict[str, list[float]] = {"off": [], "on": []}
    for n in range(args.index_runs if scale == 1 else 1):
        for mode, window in (("off", 0), ("on", 3)):
            folder = work / mode
            env = _environment(folder)
            config = folder / "config" / "newscli" / "config.yaml"
            config.write_text(config.read_text() + f"story_window_days: {window}\n", encoding="utf-8")
            shutil.rmtree(folder / "index", ignore_errors=True)
            print(f"bench: {scale}x, stories {mode}, full index {n + 1}", file=sys.stderr)
            times[mode].append(Run([NEWSCLI, "--index-dir", str(folder / "index"), "index", str(archive)], env).seconds)
    folder = work / "on"
    env = _environment(folder)
    config = folder / "config" / "newscli" / "config.yaml"
    config.write_text(config.read_text() + "story_window_days: 3\n", encoding="utf-8")
    base = [NEWSCLI, "--index-dir", str(folder / "index")]
    listed = json.loads(Run([*base, "--no-server", "stories", *WEEK, "--json", "--limit", "1"], env).stdout)
    chosen = listed["stories"][0]["id"]
    Run([*base, "server", "start"], env)
    answers: dict[str, list[float]] = {"stories": [], "story": []}
    for _ in range(args.runs):
        answers["stories"].append(Run([*base, "stories", *WEEK], env).seconds)
        answers["story"].append(Run([*base, "story", chosen], env).seconds)
    Run([*base, "server", "stop"], env)
    counted = json.loads(Run([*base, "--no-server", "sources", "--json"], env).stdout)
    off, on = _median(times["off"]), _median(times["on"])
    import sqlite3

    with sqlite3.connect(f"file:{folder / 'index' / 'catalog.db'}?mode=ro", uri=True) as db:
        told = db.execute("SELECT count(*) FROM told WHERE story IS NOT NULL").fetchone()[0]
    return {
        "articles": sum(s["count"] for s in counted["sources"]),
        "off": off,
        "on": on,
        "cost": (on / off - 1) * 100,
        "told": told,
        "stories": _median(answers["stories"]),
        "story": _median(answers["story"]),
    }


ADDED = 100


def incremental(archive: Path, work: Path) -> dict[str, float]:
    """Seconds of `newscli index` adding ADDED articles (and then removing them), with stories off and on:
    articles newer than any (as a fetch brings), and articles of the archive's busiest week (as an old
    folder added to an archive): those are placed again with every article after them."""
    figures: dict[str, float] = {}
    body = " ".join(f"Word{n} of a text long enough to be an article, with its own words." for n in range(30))
    for when, label in (("2026-12-06T{h:02d}:{m:02d}:00Z", "newest"), ("1987-03-04T{h:02d}:{m:02d}:00Z", "middle")):
        for mode in ("off", "on"):
            folder = work / mode
            env = _environment(folder)
            config = folder / "config" / "newscli" / "config.yaml"
            config.write_text(config.read_text() + f"story_window_days: {3 if mode == 'on' else 0}\n")
            command = [NEWSCLI, "--index-dir", str(folder / "index"), "index", str(archive)]
            extra = archive / "extra-stories"
            extra.mkdir()
            for n in range(ADDED):
                date = when.format(h=n // 60, m=n % 60)
                text = f"---\ntitle: Added article {n}\nsource: Bench\ndate: {date}\n---\n{body}\n"
                (extra / f"{n}.md").write_text(text, encoding="utf-8")
            figures[f"{label}_added_{mode}"] = Run(command, env).seconds
            shutil.rmtree(extra)
            figures[f"{label}_removed_{mode}"] = Run(command, env).seconds
    return figures


if __name__ == "__main__":
    main()
