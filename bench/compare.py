"""Two versions of newscli side by side on one index that is already built.

    git worktree add /tmp/before <commit>
    python bench/compare.py /tmp/before/src src --index-dir /tmp/newscli-bench/x10/index \
        --config /tmp/newscli-bench/x10/config/newscli/config.yaml

Runs the read-only commands of bench/run.py (`search` with its queries, `show`,
`list --source`, `sources`, `--help`) with each version's source folder first
on the module path, the two versions taking turns, and prints the median of
each and their ratio, plus the peak memory of a search. The archive must not
change while it runs, so that neither version writes to the index. An archive
of links, as bench/run.py makes, needs the config it writes (`follow_links: true`).

With --resident, searches also go through each version's resident process, each
on its own copy of the index (the "before" one in a temporary folder), the
versions taking turns query by query: once 0.3 s after the last command (the
spare process ready, as a person runs commands) and once at once after it (as a
script runs them).

With --after-index-dir, the second version reads an index of its own: for versions
whose indexes differ (a new schema), each index built by its version from the same
archive.

With --plain, the second version runs in the plain mode (NEWSCLI_WHOOSH_PLAIN=1:
Whoosh's public API alone): `python bench/compare.py src src --plain ...` gives
the cost of the plain mode.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import QUERIES, _peak_rss

PYTHON = sys.executable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="source folder of the first version (holding newscli/)")
    parser.add_argument("after", type=Path, help="source folder of the second version")
    parser.add_argument("--index-dir", type=Path, required=True, help="an index both versions can read")
    parser.add_argument("--after-index-dir", type=Path, help="the second version's own index (default: --index-dir)")
    parser.add_argument("--runs", type=int, default=5, help="rounds, the versions taking turns (default 5)")
    parser.add_argument("--config", type=Path, help="a config file for both versions")
    parser.add_argument("--queries", nargs="+", default=QUERIES, help="the searches to time (default: bench/run.py's)")
    parser.add_argument("--resident", action="store_true", help="also time searches through the resident process")
    parser.add_argument("--plain", action="store_true", help="the second version in the plain mode (Whoosh's API)")
    args = parser.parse_args()
    versions = {"before": args.before.resolve(), "after": args.after.resolve()}
    index_dirs = {"before": args.index_dir, "after": args.after_index_dir or args.index_dir}
    # As bench/run.py runs newscli: compiled modules cached, no config but the one given.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CONFIG_HOME"] = str(args.index_dir / "no-config")
    if args.config:
        env["NEWSCLI_CONFIG"] = str(args.config.resolve())
    envs = {"before": env, "after": {**env, "NEWSCLI_WHOOSH_PLAIN": "1"} if args.plain else env}

    # newscli's one way to run a command (core.run), or the click group itself before it had one.
    runs = (
        "try: from newscli.core import Environment, run\n"
        "except ImportError: from newscli.cli import cli; cli()\n"
        "else: sys.exit(run(sys.argv[1:], Environment.of_process()))"
    )

    def command(version: str, *words: str) -> list[str]:
        return [PYTHON, "-c", f"import sys; sys.path.insert(0, {str(versions[version])!r})\n{runs}",
                "--index-dir", str(index_dirs[version]), *words]  # fmt: skip

    for version in versions:  # also lets Python cache each version's compiled modules before timing
        found = subprocess.run(
            command(version, "search", "oil", "--json"), env=envs[version], capture_output=True, check=True
        )
    some_id = json.loads(found.stdout)["hits"][0]["id"]
    commands = {f"search {q}": ["search", q] for q in args.queries}
    commands |= {
        "show": ["show", some_id, "--no-pager"],
        "list": ["list", "--source", "Reuters"],
        "sources": ["sources"],
    }
    commands["--help"] = ["--help"]
    times: dict[tuple[str, str], list[float]] = {}
    for n in range(args.runs):
        order = ["before", "after"] if n % 2 == 0 else ["after", "before"]
        for name, words in commands.items():
            for version in order:
                started = time.perf_counter()
                done = subprocess.run(
                    command(version, *words), env=envs[version], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                times.setdefault((name, version), []).append(time.perf_counter() - started)
                if done.returncode not in (0, 1):
                    sys.exit(f"{version} {name}: {done.stderr.decode(errors='replace').strip()}")
        print(f"compare: round {n + 1} of {args.runs} done", file=sys.stderr)

    print("| | before | after | after / before |\n|---|---|---|---|")
    rows = {f"`newscli search` (median over {len(args.queries)} queries)": [f"search {q}" for q in args.queries]}
    rows |= {f"`newscli {name}`": [name] for name in ("show", "list", "sources", "--help")}
    for label, names in rows.items():
        before, after = (statistics.median(t for n in names for t in times[(n, v)]) * 1000 for v in versions)
        print(f"| {label} | {before:,.0f} ms | {after:,.0f} ms | {after / before:.2f}x |")
    if args.resident:
        _resident(versions, args, envs)
    measured = args.queries[min(1, len(args.queries) - 1)]
    rss = {v: _peak_rss(command(v, "search", measured), envs[v]) for v in versions}
    if None not in rss.values():
        before, after = (rss[v] / 2**20 for v in versions)  # type: ignore[operator]
        print(f"| peak memory, one search | {before:,.0f} MB | {after:,.0f} MB | |")


def _resident(versions: dict[str, Path], args: argparse.Namespace, envs: dict[str, dict[str, str]]) -> None:
    """Warm searches through each version's own resident process, the versions taking turns."""
    import shutil
    import tempfile

    copy = Path(tempfile.mkdtemp()) / "index"
    shutil.copytree(args.index_dir, copy)
    indexes = {"before": copy, "after": args.after_index_dir or args.index_dir}
    # As the installed `newscli` starts (newscli.main; server/client.py before it had a name of its own).
    client = "try: from newscli.main import main\nexcept ImportError: from newscli.server.client import main\nmain()"

    def run(version: str, *words: str) -> float:
        # The resident process it starts is `python -m newscli`: the version's folder on PYTHONPATH.
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "-c", client, "--index-dir", str(indexes[version]), *words],
            env={**envs[version], "PYTHONPATH": str(versions[version])},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - started

    try:
        for version in versions:
            run(version, "server", "start")
            for _ in range(3):
                run(version, "search", args.queries[0])
        warm: dict[str, list[float]] = {v: [] for v in versions}
        back: dict[str, list[float]] = {v: [] for v in versions}
        for n in range(args.runs):
            order = list(versions) if n % 2 == 0 else list(reversed(versions))
            for query in args.queries:
                for version in order:
                    time.sleep(0.3)
                    warm[version].append(run(version, "search", query))
                    back[version].append(run(version, "search", query))
        for label, times in (("warm, as a person runs commands", warm), ("warm, back to back", back)):
            before, after = (statistics.median(times[v]) * 1000 for v in versions)
            print(
                f"| `newscli search`, resident process {label} | {before:,.1f} ms | {after:,.1f} ms "
                f"| {after / before:.2f}x |"
            )
    finally:
        for version in versions:
            run(version, "server", "stop")
        shutil.rmtree(copy.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
