"""Speed benchmark: newscli beside raw Whoosh and ripgrep, at 1x, 3x and 10x the reference corpora.

    python bench/run.py                     # all of it (several hours on 2 cores; 10x alone over two)
    python bench/run.py --scales 1 --index-runs 1 --runs 3   # a quick look (a few minutes)

The 1x archive is ../shared/corpora (BBC, AllSides, Reuters: 30,061 articles;
the BBC folder gets `source: BBC News` from a `.newscli.yaml`), linked, not
copied. Larger archives add generated copies of it: every article again with
a new ID and about one word in eight replaced by another word of the same
article. Everything is written below --work (default: a folder in /tmp).

With --resume, scales already measured in --work are not measured again.
Every figure is measured on whole processes, the way a person runs them, with
output to a pipe; times are medians of --runs runs (full indexing: of
--index-runs runs at 1x, one run at larger scales), newscli and its comparison
taking turns in the same loop so that machine noise hits both alike. The table
is printed as Markdown; --output also writes it to a file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE.parent.parent / "shared" / "corpora"
NEWSCLI = str(Path(sys.executable).parent / "newscli")
QUERIES = [
    "Ukraine", "oil", "election", "football", "coffee", "microsoft",
    "climate", "tax", "china", "bank", "music", "immigration",
]  # fmt: skip
CHANGED = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newscli-bench"))
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--runs", type=int, default=7, help="runs of each quick command (default 7)")
    parser.add_argument("--index-runs", type=int, default=3, help="full index runs at 1x (default 3)")
    parser.add_argument("--raw-scales", type=int, nargs="*", help="scales at which to run raw Whoosh (default: all)")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--resume", action="store_true", help="reuse the figures of scales measured before in --work")
    parser.add_argument(
        "--commands-only", action="store_true", help="time the commands on the index left in --work; do not index"
    )
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs: at least 2 (a query's first warm run is timed apart from the others)")
    if not (args.corpora / "bbc").is_dir():
        sys.exit(f"bench: no corpora in {args.corpora} (give --corpora)")
    args.work.mkdir(parents=True, exist_ok=True)
    rg = _ripgrep()
    columns = {}
    for scale in args.scales:
        print(f"bench: {scale}x", file=sys.stderr)
        saved = args.work / f"x{scale}" / "figures.json"
        if args.resume and saved.exists():
            columns[scale] = json.loads(saved.read_text())
            continue
        archive = _archive(args.corpora, args.work, scale)
        raw = args.raw_scales is None or scale in args.raw_scales
        index_runs = args.index_runs if scale == 1 else 1
        work = args.work / f"x{scale}"
        if args.commands_only:
            columns[scale] = _commands_only(archive, work, rg, args.runs)
        else:
            columns[scale] = _measure(archive, work, rg, args.runs, index_runs, raw)
        saved.write_text(json.dumps(columns[scale]))
        table = _table(columns, args)  # after each scale, so that a long run shows what it has
        print(table, file=sys.stderr)
        if args.output:
            args.output.write_text(table, encoding="utf-8")
    print(_table(columns, args))


# The archives


def _archive(corpora: Path, work: Path, scale: int) -> Path:
    """An archive of `scale` copies of the corpora: the corpora themselves, then generated copies."""
    root = work / f"archive-x{scale}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    for n in range(scale):
        copy = _original(corpora, work) if n == 0 else _copy(corpora, work, n)
        (root / f"copy{n}").symlink_to(copy)
    return root


def _original(corpora: Path, work: Path) -> Path:
    folder = work / "copy0"
    if not folder.exists():
        folder.mkdir()
        bbc = folder / "bbc"
        bbc.mkdir()
        (bbc / ".newscli.yaml").write_text("source: BBC News\n")
        for topic in sorted(p for p in (corpora / "bbc").iterdir() if p.is_dir()):
            (bbc / topic.name).symlink_to(topic.resolve())
        (folder / "allsides").symlink_to((corpora / "allsides").resolve())
        (folder / "reuters21578.jsonl").symlink_to((corpora / "reuters21578.jsonl").resolve())
    return folder


def _copy(corpora: Path, work: Path, n: int) -> Path:
    folder = work / f"copy{n}"
    if folder.exists():
        return folder
    print(f"bench: generating copy {n} of the corpora", file=sys.stderr)
    rng = random.Random(n)
    partial = work / f".copy{n}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    bbc = partial / "bbc"
    bbc.mkdir(parents=True)
    (bbc / ".newscli.yaml").write_text("source: BBC News\n")
    for topic in sorted(p for p in (corpora / "bbc").iterdir() if p.is_dir()):
        (bbc / topic.name).mkdir()
        for f in sorted(topic.glob("*.txt")):
            title, _, body = f.read_bytes().decode("utf-8", "replace").partition("\n")
            (bbc / topic.name / f.name).write_text(f"{title}\n{vary(body, rng)}", encoding="utf-8")
    (partial / "allsides").mkdir()
    for f in sorted((corpora / "allsides").glob("*.json")):
        record = json.loads(f.read_text(encoding="utf-8"))
        record["ID"] = f"{record.get('ID', f.stem)}-copy{n}"
        for key in ("content", "content_original"):
            if isinstance(record.get(key), str):
                record[key] = vary(record[key], rng)
        (partial / "allsides" / f.name).write_text(json.dumps(record), encoding="utf-8")
    with (
        open(corpora / "reuters21578.jsonl", encoding="utf-8") as src,
        open(partial / "reuters21578.jsonl", "w", encoding="utf-8") as out,
    ):
        for line in src:
            record = json.loads(line)
            record["id"] = f"{record['id']}-copy{n}"
            record["body"] = vary(record.get("body") or "", rng)
            out.write(json.dumps(record) + "\n")
    partial.rename(folder)
    return folder


def vary(text: str, rng: random.Random) -> str:
    """The text with about one word in eight replaced by another word of it."""
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < 0.125:
            words[i] = words[rng.randrange(len(words))]
    return " ".join(words)


def _files(archive: Path) -> list[Path]:
    from newscli.formats import SUFFIXES

    return [
        Path(d, f)
        for d, _, names in os.walk(archive, followlinks=True)
        for f in names
        if os.path.splitext(f)[1].lower() in SUFFIXES
    ]


# Measuring


class Run:
    """One whole process: its wall time and the peak memory of it and all its helpers."""

    def __init__(
        self, command: Sequence[str], env: dict[str, str], sample_tree: bool = False, ok: tuple[int, ...] = (0,)
    ) -> None:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.tree_peak = 0
        sampler = None
        if sample_tree:
            sampler = threading.Thread(target=self._sample, args=(process,), daemon=True)
            sampler.start()
        self.stdout, self.stderr = process.communicate()
        self.seconds = time.perf_counter() - started
        if process.returncode not in ok:
            raise SystemExit(f"bench: {' '.join(command)} failed ({process.returncode}):\n{self.stderr.decode()}")
        if sampler:
            sampler.join()

    def _sample(self, process: subprocess.Popen[bytes]) -> None:
        """Sums the proportional set size (shared pages counted once) of the process and its descendants."""
        while process.poll() is None:
            self.tree_peak = max(self.tree_peak, sum(_pss(pid) for pid in _tree(process.pid)))
            time.sleep(0.05)


def _tree(pid: int) -> list[int]:
    found = [pid]
    for p in found:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    found += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return found


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _peak_rss(command: Sequence[str], env: dict[str, str]) -> int | None:
    """Peak resident memory of one process, as the kernel counts it; None without GNU time.

    Through GNU time, which forks the command from its own small process: a command
    started from this one by subprocess (vfork, then exec) is counted with this
    process's memory, which the kernel keeps as the high-water mark across exec.
    """
    gnu_time = shutil.which("time")
    if gnu_time is None:
        return None
    with tempfile.NamedTemporaryFile("r", encoding="utf-8") as out:
        subprocess.run(
            [gnu_time, "-f", "%M", "-o", out.name, *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            check=False,
        )
        return int(out.read().split()[-1]) * 1024


def for_built_index(description: str, runs: int) -> tuple[argparse.Namespace, dict[str, str]]:
    """The options of a script timing an index this script built (--index-dir, --config, --runs),
    and the environment newscli is to read that index in."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True, help="an index built by newscli")
    parser.add_argument("--config", type=Path, help="the config file it was built with")
    parser.add_argument("--runs", type=int, default=runs, help=f"runs of each (default {runs})")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["NEWSCLI_INDEX_DIR"] = str(args.index_dir.resolve())
    if args.config:
        env["XDG_CONFIG_HOME"] = str(args.config.resolve().parent.parent)
    return args, env


def _environment(work: Path) -> dict[str, str]:
    # Python caches compiled modules, as an installed copy does: without the cache every
    # command would compile newscli's modules again (about 30 ms).
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CONFIG_HOME"] = str(work / "config")
    config = work / "config" / "newscli" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "follow_links: true  # the archive links to the corpora\nserver_idle: 120  # not to end between steps\n",
        encoding="utf-8",
    )
    return env


def _schema() -> int:
    from newscli.engine.whoosh.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _measure(archive: Path, work: Path, rg: str | None, runs: int, index_runs: int, raw: bool) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    env = _environment(work)
    files = _files(archive)
    index = work / "index"
    docs = work / f"documents-{_schema()}.pickle"  # exported again for each schema
    if raw and not docs.exists():
        print("bench: exporting documents for raw Whoosh", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "raw_whoosh.py"), "export", str(archive), str(docs)], check=True, env=env
        )
    figures: dict[str, float] = {"files": len(files), "archive_bytes": sum(f.stat().st_size for f in files)}

    ours: list[Run] = []
    whoosh: list[Run] = []
    plain: list[Run] = []
    for n in range(index_runs):
        print(f"bench: full index, run {n + 1} of {index_runs}", file=sys.stderr)
        if raw:
            for mode, runs_of in (("index", whoosh), ("plain", plain)):
                shutil.rmtree(work / "raw", ignore_errors=True)
                command = [sys.executable, str(HERE / "raw_whoosh.py"), mode, str(docs), str(work / "raw")]
                runs_of.append(Run(command, env, True))
        shutil.rmtree(index, ignore_errors=True)
        ours.append(Run([NEWSCLI, "--index-dir", str(index), "index", str(archive)], env, True))
    summary = json.loads(
        subprocess.run(
            [NEWSCLI, "--index-dir", str(index), "--no-server", "sources", "--json"],
            env=env,
            capture_output=True,
            check=True,
        ).stdout
    )
    figures["articles"] = sum(s["count"] for s in summary["sources"])
    figures["index"] = _median([r.seconds for r in ours])
    figures["index_memory"] = max(r.tree_peak for r in ours)
    if whoosh:
        figures["raw"] = _median([r.seconds for r in whoosh])
        figures["raw_memory"] = max(r.tree_peak for r in whoosh)
        figures["raw_plain"] = _median([r.seconds for r in plain])
    figures["index_bytes"] = sum(f.stat().st_size for f in index.iterdir() if f.is_file())

    print("bench: re-index", file=sys.stderr)
    reindex = [NEWSCLI, "--index-dir", str(index), "index", str(archive)]
    extra = archive / "extra"
    originals = sorted((archive / "copy0" / "bbc").glob("*/*.txt"))[:CHANGED]
    timings: dict[str, list[float]] = {k: [] for k in ("unchanged", "added", "changed", "removed")}
    for n in range(runs):
        timings["unchanged"].append(_reindex(reindex, env, "0 added, 0 updated, 0 removed"))
        extra.mkdir()
        rng = random.Random(n)
        for i, f in enumerate(originals):
            (extra / f"{n}-{i}.txt").write_text(vary(f.read_text(encoding="utf-8", errors="replace"), rng))
        timings["added"].append(_reindex(reindex, env, f"{CHANGED} added, 0 updated, 0 removed"))
        for f in extra.iterdir():
            f.write_text(f.read_text() + "\nOne more paragraph, added later.\n")
        timings["changed"].append(_reindex(reindex, env, f"0 added, {CHANGED} updated, 0 removed"))
        shutil.rmtree(extra)
        timings["removed"].append(_reindex(reindex, env, f"0 added, 0 updated, {CHANGED} removed"))
    figures.update({k: _median(v) for k, v in timings.items()})

    print("bench: commands", file=sys.stderr)
    figures.update(_commands(archive, index, env, rg, runs))
    return figures


def _commands_only(archive: Path, work: Path, rg: str | None, runs: int) -> dict[str, float]:
    """The figures of the commands alone, on the index a full run left in `work`."""
    if not (work / "index").is_dir():
        raise SystemExit(f"bench: no index in {work} to time the commands on (run without --commands-only first)")
    env = _environment(work)
    files = _files(archive)
    sources = Run([NEWSCLI, "--index-dir", str(work / "index"), "--no-server", "sources", "--json"], env).stdout
    figures = {
        "files": len(files),
        "archive_bytes": sum(f.stat().st_size for f in files),
        "articles": sum(s["count"] for s in json.loads(sources)["sources"]),
        "index_bytes": sum(f.stat().st_size for f in (work / "index").iterdir() if f.is_file()),
    }
    print("bench: commands", file=sys.stderr)
    return figures | _commands(archive, work / "index", env, rg, runs)


def _commands(archive: Path, index: Path, env: dict[str, str], rg: str | None, runs: int) -> dict[str, float]:
    """Read commands with the resident process off, warm and cold, beside ripgrep; then the resident process."""
    base = [NEWSCLI, "--index-dir", str(index)]
    off = base + ["--no-server"]
    some_id = json.loads(Run(off + ["search", "oil", "--json"], env).stdout)["hits"][0]["id"]
    commands: dict[str, list[str]] = {
        "show": ["show", some_id, "--no-pager"],
        "list": ["list", "--source", "Reuters"],
        "sources": ["sources"],
    }
    Run(base + ["server", "start"], env)
    times: dict[str, list[float]] = {}
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}

    def timed(key: str, command: Sequence[str], ok: tuple[int, ...] = (0,)) -> float:
        seconds = Run(command, env, ok=ok).seconds
        times.setdefault(key, []).append(seconds)
        return seconds

    for n in range(runs):  # each query off, warm and with ripgrep in turn: noise hits them alike
        for q in QUERIES:
            timed("search", off + ["search", q])
            if n == 0:  # the resident process has not read the query's words yet (it keeps them for the next)
                timed("search_warm_first", base + ["search", q])
            else:
                per_query[q].append(timed("search_warm", base + ["search", q]))
            if rg:
                timed("rg", [rg, "-il", "--follow", "--no-messages", q, str(archive)], ok=(0, 1))  # 1: no file matched
        if n:  # the queries one after another, as a script runs them: no pause for a spare process to be made
            for q in QUERIES:
                timed("search_warm_script", base + ["search", q])
        for name, argv in commands.items():
            timed(name, off + argv)
            timed(f"{name}_warm", base + argv)
        timed("help", [NEWSCLI, "--help"])
    status = json.loads(Run(base + ["server", "status", "--json"], env).stdout)
    figures: dict[str, float] = {k: _median(v) for k, v in times.items()}
    figures["slowest_query"] = max(_median(v) for v in per_query.values())
    peaks = [_peak_rss(off + ["search", q], env) for q in QUERIES]
    if None not in peaks:
        figures["search_rss"] = max(p for p in peaks if p is not None)
    figures["server_rss"], figures["server_pss"] = status["memory"], _pss(status["pid"])
    figures["server_idle_cpu"] = _idle_cpu(status["pid"])
    figures.update(_latency(base, archive, env, runs))
    for _ in range(max(3, runs // 2)):  # cold: no resident process; the command answers and starts one
        for q in QUERIES[:3]:
            Run(base + ["server", "stop"], env)
            timed("search_cold", base + ["search", q])
            Run(base + ["server", "start"], env)  # waits for the one the search started, so that the stop finds it
    figures["search_cold"] = _median(times["search_cold"])
    Run(base + ["server", "stop"], env)
    return figures


def _idle_cpu(pid: int, seconds: float = 10) -> float:
    """The share of one core the process used while idle, over `seconds`."""

    def used() -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = used()
    time.sleep(seconds)
    return (used() - before) / seconds


def _latency(base: list[str], archive: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """Seconds from a file written (or removed) to the answer of a search that finds it (or no longer does).

    The first search starts right after the write: it waits while the resident process indexes the file.
    """
    folder = archive / "latency"
    folder.mkdir()
    added: list[float] = []
    removed: list[float] = []
    for n in range(runs):
        word = f"zqxlatency{n}"
        path = folder / f"{n}.txt"
        written = time.perf_counter()
        path.write_text(f"Latency probe {n}\n\nThe word {word} is found once indexed.\n", encoding="utf-8")
        added.append(_until(base + ["search", word], env, 0, written))
        path.unlink()
        gone = time.perf_counter()
        removed.append(_until(base + ["search", word], env, 1, gone))
    folder.rmdir()
    return {"found_after": _median(added), "found_after_max": max(added), "gone_after": _median(removed)}


def _until(command: Sequence[str], env: dict[str, str], code: int, since: float) -> float:
    """Runs `command` until it exits with `code`; the time from `since` to that run's answer."""
    deadline = since + 30
    while time.perf_counter() < deadline:
        if subprocess.run(command, env=env, capture_output=True).returncode == code:
            return time.perf_counter() - since
        time.sleep(0.02)
    raise SystemExit(f"bench: {' '.join(command)} did not exit {code} within 30 s")


def _reindex(command: Sequence[str], env: dict[str, str], expected: str) -> float:
    """The time of one `newscli index`, after checking it did what the step is about."""
    run = Run(command, env)
    if expected not in run.stderr.decode():
        raise SystemExit(f"bench: expected '{expected}' from {' '.join(command)}, got:\n{run.stderr.decode()}")
    return run.seconds


def _ripgrep() -> str | None:
    found = shutil.which("rg")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing ripgrep from the Debian packages", file=sys.stderr)
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "ripgrep"], capture_output=True)
        found = shutil.which("rg")
    if found is None:
        print("bench: ripgrep is not installed and cannot be installed here; its column is left out", file=sys.stderr)
    return found


# The table


def _table(columns: dict[int, dict[str, float]], args: argparse.Namespace) -> str:
    scales = list(columns)

    def row(label: str, show: Callable[[dict[str, float]], str]) -> str:
        return f"| {label} | " + " | ".join(shown(show, columns[s]) for s in scales) + " |"

    def shown(show: Callable[[dict[str, float]], str], figures: dict[str, float]) -> str:
        try:
            return show(figures)
        except KeyError:  # a step left out (--commands-only, --raw-scales)
            return "not measured"

    def ms(key: str) -> Callable[[dict[str, float]], str]:
        return lambda f: f"{f[key] * 1000:,.0f} ms" if key in f else "not measured"

    def s(key: str) -> Callable[[dict[str, float]], str]:
        return lambda f: f"{f[key]:,.2f} s"

    def mb(key: str) -> Callable[[dict[str, float]], str]:
        return lambda f: f"{f[key] / 2**20:,.0f} MB" if key in f else "not run"

    def rate(key: str) -> Callable[[dict[str, float]], str]:
        return lambda f: f"{f[key]:,.0f} s ({f['articles'] / f[key]:,.0f}/s)" if key in f else "not run"

    lines = [
        f"Measured {datetime.date.today().isoformat()}: {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"Medians of {args.runs} runs (full index: of {args.index_runs} at 1x, one run above 1x), "
        f"whole processes, output to a pipe. Queries: {', '.join(QUERIES)}.",
        "",
        "| | " + " | ".join(f"{s}x" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
        row("articles (files)", lambda f: f"{f['articles']:,.0f} ({f['files']:,.0f})"),
        row("full index, newscli", rate("index")),
        row("full index, raw Whoosh (all cores, one commit)", rate("raw")),
        row("newscli / raw Whoosh", lambda f: f"{f['index'] / f['raw']:.2f}x" if "raw" in f else "not run"),
        row("full index, raw Whoosh, plain schema", rate("raw_plain")),
        row(
            "newscli / raw Whoosh, plain schema",
            lambda f: f"{f['index'] / f['raw_plain']:.2f}x" if "raw_plain" in f else "not run",
        ),
        row("re-index, nothing changed", s("unchanged")),
        row(f"re-index, {CHANGED} articles added", s("added")),
        row(f"re-index, {CHANGED} changed", s("changed")),
        row(f"re-index, {CHANGED} removed", s("removed")),
        row(f"`newscli search` (median over {len(QUERIES)} queries), resident process off", ms("search")),
        row(
            "`newscli search`, resident process warm (each after other commands, as a person runs them)",
            ms("search_warm"),
        ),
        row("`newscli search`, warm, back to back as a script runs them", ms("search_warm_script")),
        row("`newscli search`, warm, each query's first time", ms("search_warm_first")),
        row("`newscli search`, cold (no resident process: it answers and starts one)", ms("search_cold")),
        row("slowest query, warm (its median)", ms("slowest_query")),
        row("`rg -il` (same words, same files)", ms("rg")),
        row("warm search / `rg -il`", lambda f: f"{f['search_warm'] / f['rg']:.2f}x" if "rg" in f else "not run"),
        row("`newscli show ID`, off / warm", lambda f: f"{ms('show')(f)} / {ms('show_warm')(f)}"),
        row("`newscli list --source Reuters`, off / warm", lambda f: f"{ms('list')(f)} / {ms('list_warm')(f)}"),
        row("`newscli sources`, off / warm", lambda f: f"{ms('sources')(f)} / {ms('sources_warm')(f)}"),
        row("`newscli --help`", ms("help")),
        row(
            "file written -> a search started at once answers with it (median, max)",
            lambda f: f"{ms('found_after')(f)}, {ms('found_after_max')(f)}",
        ),
        row("file removed -> a search answers without it (median)", ms("gone_after")),
        row("peak memory, indexing (all processes)", mb("index_memory")),
        row("peak memory, raw Whoosh (all processes)", mb("raw_memory")),
        row("peak memory, one search in-process (RSS)", mb("search_rss")),
        row(
            "resident process memory, RSS (PSS)",
            lambda f: f"{mb('server_rss')(f)} ({mb('server_pss')(f)})" if "server_rss" in f else "not run",
        ),
        row(
            "resident process CPU while idle",
            lambda f: f"{f['server_idle_cpu']:.2%}" if "server_idle_cpu" in f else "not run",
        ),
        row(
            "index size / archive size",
            lambda f: f"{f['index_bytes'] / 2**20:,.0f} / {f['archive_bytes'] / 2**20:,.0f} MB",
        ),
    ]
    first, last = columns[scales[0]], columns[scales[-1]]
    if len(scales) > 1 and "index" in first and "index" in last:
        speed = (last["articles"] / last["index"]) / (first["articles"] / first["index"])
        lines += [
            "",
            f"At {scales[-1]}x against {scales[0]}x: search time {last['search'] / first['search']:.2f}x; "
            f"indexing throughput {speed:.2f}x.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
