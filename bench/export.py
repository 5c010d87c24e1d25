"""Export and monitoring benchmark: `newscli export` in each format at 1x and 10x, beside `search --json`
paged through the same results; `newscli saved` and `newscli alerts` with 50 saved searches.

    python bench/export.py                       # 1x and 10x, on the indexes bench/run.py built
    python bench/export.py --scales 1 --runs 2   # a quick look

It times whole processes, as a person runs them (--no-server, so that the memory
measured is the exporting process's own), on the index bench/run.py leaves in
--work/x{scale}/index (built here if it is missing). Memory is the process's peak
resident set (GNU time) and, sampled every 20 ms, the peak of its anonymous memory:
what the process itself holds, without the index's files it maps, which the kernel
counts as resident while they are read and may drop at any time.

Then 50 saved searches are made in a data folder of their own, 100 articles added to
the archive (new for them), and `saved` and `alerts` timed warm, with the resident
process (as a person runs them) and without it; the articles are removed after.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: the archives, their indexes, GNU time)

FORMATS = {"csv": "csv", "jsonl": "jsonl", "ris": "ris", "bibtex": "bib", "csl-json": "json"}
QUERY = "said"  # a word most articles hold: the export and the paged search beside it
PAGE = 10_000  # articles a page of the paged search
SAVED = [
    *bench.QUERIES,
    "sanctions", "inflation", "strike", "vaccine", "refugees", "earthquake", "merger", "tariffs", "wheat",
    "cocoa", "gold", "nuclear", "ceasefire", "protest", "court ruling", "interest rates", "unemployment",
    "housing", "airline", "chelsea", "olympics", "film festival", "album", "drought", "flood", "opec",
    "iran", "brexit", "trump", "obama", "senate vote", "supreme court", "police shooting", "wildfire",
    "bitcoin", "apple iphone", "google", "hospital",
]  # fmt: skip


class Sampled:
    """One process's wall time, and the peaks of its resident memory (GNU time) and of its anonymous memory."""

    def __init__(self, command: Sequence[str], env: dict[str, str]) -> None:
        with_time = ["/usr/bin/time", "-f", "%M", "-o", "/dev/stderr", *command]
        started = time.perf_counter()
        process = subprocess.Popen(with_time, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.anon = 0
        sampler = threading.Thread(target=self._sample, args=(process.pid,), daemon=True)
        sampler.start()
        _, err = process.communicate()
        self.seconds = time.perf_counter() - started
        sampler.join()
        if process.returncode:
            raise SystemExit(f"bench: {' '.join(command)} failed:\n{err.decode()}")
        self.rss = int(err.decode().split()[-1]) * 1024

    def _sample(self, time_pid: int) -> None:
        """RssAnon of GNU time's child (the command), every 20 ms while it runs."""
        while True:
            try:
                with open(f"/proc/{time_pid}/task/{time_pid}/children") as f:
                    children = f.read().split()
                if children:
                    with open(f"/proc/{children[0]}/status") as f:
                        for line in f:
                            if line.startswith("RssAnon:"):
                                self.anon = max(self.anon, int(line.split()[1]) * 1024)
            except OSError:
                return
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newscli-bench"))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--runs", type=int, default=3, help="runs of each export (default 3)")
    parser.add_argument("--saved-runs", type=int, default=7, help="runs of saved and alerts (default 7)")
    args = parser.parse_args()
    if shutil.which("/usr/bin/time") is None:
        sys.exit("bench: GNU time is needed (apt-get install time)")
    rows: dict[int, dict[str, float]] = {}
    for scale in args.scales:
        work = args.work / f"x{scale}"
        env = bench._environment(work)
        env["XDG_DATA_HOME"] = str(work / "monitoring-data")
        index = work / "index"
        archive = args.work / f"archive-x{scale}"
        if not index.is_dir():
            archive = bench._archive(bench.CORPORA, args.work, scale)
            print(f"bench: indexing {scale}x", file=sys.stderr)
            bench.Run([bench.NEWSCLI, "--index-dir", str(index), "index", str(archive)], env)
        base = [bench.NEWSCLI, "--index-dir", str(index)]
        print(f"bench: exports at {scale}x", file=sys.stderr)
        rows[scale] = _exports(base, work, env, args.runs) | _saved(base, archive, env, args.saved_runs)
        print(_table(rows), file=sys.stderr)
    print(_table(rows))


def _exports(base: list[str], work: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    off = [*base, "--no-server"]
    figures: dict[str, float] = {}
    total = json.loads(bench.Run([*off, "sources", "--json"], env).stdout)
    figures["articles"] = sum(s["count"] for s in total["sources"])
    out = work / "export-out"
    out.mkdir(exist_ok=True)
    for name, suffix in FORMATS.items():
        done = [Sampled([*off, "export", "-f", name, "-o", str(out / f"all.{suffix}")], env) for _ in range(runs)]
        figures[f"{name}_s"] = bench._median([d.seconds for d in done])
        figures[f"{name}_rss"] = max(d.rss for d in done)
        figures[f"{name}_anon"] = max(d.anon for d in done)
        figures[f"{name}_bytes"] = (out / f"all.{suffix}").stat().st_size
    matches = json.loads(bench.Run([*off, "search", QUERY, "--all", "--limit", "1", "--json"], env).stdout)["total"]
    figures["query_matches"] = matches
    exported = [
        Sampled([*off, "export", QUERY, "-f", "jsonl", "-o", str(out / "query.jsonl")], env) for _ in range(runs)
    ]
    figures["query_export_s"] = bench._median([d.seconds for d in exported])
    figures["query_export_anon"] = max(d.anon for d in exported)
    pages = math.ceil(matches / PAGE)
    paged = [
        Sampled([*off, "search", QUERY, "--all", "--json", "--limit", str(PAGE), "--page", str(p)], env)
        for p in range(1, pages + 1)
    ]
    figures["query_pages"] = pages
    figures["query_paged_s"] = sum(p.seconds for p in paged)
    figures["query_paged_anon"] = max(p.anon for p in paged)
    shutil.rmtree(out)
    return figures


def _saved(base: list[str], archive: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """`saved` and `alerts` with 50 saved searches, after 100 articles came in."""
    off = [*base, "--no-server"]
    marks = Path(env["XDG_DATA_HOME"]) / "newscli" / "marks.db"
    marks.unlink(missing_ok=True)
    for n, query in enumerate(SAVED):
        bench.Run([*off, "saved", "add", f"s{n:02d}", query], env)
    extra = archive / "monitoring-extra"
    shutil.rmtree(extra, ignore_errors=True)
    extra.mkdir()
    originals = sorted((archive / "copy0" / "bbc").glob("*/*.txt"))[: bench.CHANGED]
    stamp = time.time_ns()  # new articles each run: one the index held before is not new when it comes back
    for i, f in enumerate(originals):
        text = f.read_text(encoding="utf-8", errors="replace")
        (extra / f"{stamp}-{i}.txt").write_text(f"{text}\nArrival {i} of {stamp}.\n")
    bench.Run([*off, "index"], env)
    figures: dict[str, float] = {}
    try:
        found = json.loads(bench.Run([*off, "alerts", "--json"], env).stdout)["alerts"]
        figures["saved_with_new"] = len(found)
        bench.Run([*base, "server", "start"], env)
        for label, prefix in (("warm", base), ("off", off)):
            for command in ("saved", "alerts"):
                argv = [*prefix, command]
                bench.Run(argv, env)  # warm: the first run reads what the others find read
                figures[f"{command}_{label}"] = bench._median([bench.Run(argv, env).seconds for _ in range(runs)])
    finally:
        bench.Run([*base, "server", "stop"], env)
        shutil.rmtree(extra)
        bench.Run([*off, "index"], env)
    return figures


def _table(rows: dict[int, dict[str, float]]) -> str:
    scales = sorted(rows)
    head = "| | " + " | ".join(f"{s}x" for s in scales) + " |\n|---|" + "---|" * len(scales) + "\n"

    def line(label: str, key: str, show: str, unit: float = 1.0) -> str:
        cells = [show.format(rows[s][key] / unit) if key in rows[s] else "" for s in scales]
        return f"| {label} | " + " | ".join(cells) + " |\n"

    def memory(key: str) -> str:
        return line("&nbsp;&nbsp;peak RSS", f"{key}_rss", "{:,.0f} MiB", 2**20) + line(
            "&nbsp;&nbsp;peak anonymous", f"{key}_anon", "{:,.0f} MiB", 2**20
        )

    body = line("articles", "articles", "{:,.0f}")
    for name in FORMATS:
        body += line(f"export every article, {name}", f"{name}_s", "{:.1f} s") + memory(name)
        body += line("&nbsp;&nbsp;file", f"{name}_bytes", "{:,.0f} MiB", 2**20)
    body += line(f"'{QUERY}': matches", "query_matches", "{:,.0f}")
    body += line(f"'{QUERY}': export jsonl", "query_export_s", "{:.1f} s")
    body += line("&nbsp;&nbsp;peak anonymous", "query_export_anon", "{:,.0f} MiB", 2**20)
    body += line(f"'{QUERY}': search --json, pages of {PAGE:,}", "query_paged_s", "{:.1f} s")
    body += line("&nbsp;&nbsp;pages", "query_pages", "{:.0f}")
    body += line("&nbsp;&nbsp;peak anonymous (a page)", "query_paged_anon", "{:,.0f} MiB", 2**20)
    body += line(f"saved searches with new matches (of {len(SAVED)})", "saved_with_new", "{:.0f}")
    for command in ("saved", "alerts"):
        body += line(f"`{command}`, resident process, warm", f"{command}_warm", "{:.2f} s")
        body += line(f"`{command}`, --no-server, warm", f"{command}_off", "{:.2f} s")
    return head + body


if __name__ == "__main__":
    main()
