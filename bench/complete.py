"""How fast shell completion answers, beside `newscli --help`, on an index that is already built.

    python bench/complete.py --index-dir /tmp/newscli-bench/x10/index \\
        --config /tmp/newscli-bench/x10/config/newscli/config.yaml

Each is a whole process, as the shell starts it (bash's protocol), taking turns
with the others; medians of --runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

NEWSCLI = str(Path(sys.executable).parent / "newscli")
ASKED = {
    "`list --source Al` (outlets)": "list --source Al",
    "`search @` (saved searches)": "search @",
    "`show 9` (IDs, newest first)": "show 9",
    "`list --so` (option names, through click)": "list --so",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True, help="an index built by newscli")
    parser.add_argument("--config", type=Path, help="the config file it was built with")
    parser.add_argument("--runs", type=int, default=21, help="runs of each (default 21)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSCLI_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["NEWSCLI_INDEX_DIR"] = str(args.index_dir.resolve())
    if args.config:
        env["XDG_CONFIG_HOME"] = str(args.config.resolve().parent.parent)
    runs: dict[str, tuple[list[str], dict[str, str]]] = {"`newscli --help`": ([NEWSCLI, "--help"], env)}
    for label, line in ASKED.items():
        words = ["newscli", *line.split()]
        asked = {"_NEWSCLI_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(words), "COMP_CWORD": str(len(words) - 1)}
        runs[label] = ([NEWSCLI], env | asked)
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.runs):
        for label, (command, environ) in runs.items():
            start = time.perf_counter()
            subprocess.run(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[label].append(time.perf_counter() - start)
    print("| | median |\n|---|---|")
    for label, taken in times.items():
        print(f"| {label} | {statistics.median(taken) * 1000:,.0f} ms |")


if __name__ == "__main__":
    main()
