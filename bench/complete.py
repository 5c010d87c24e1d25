"""How fast shell completion answers, beside `newscli --help`, on an index that is already built.

    python bench/complete.py --index-dir /tmp/newscli-bench/x10/index \\
        --config /tmp/newscli-bench/x10/config/newscli/config.yaml

Each is a whole process, as the shell starts it (bash's protocol), taking turns
with the others; medians of --runs.
"""

from __future__ import annotations

import statistics
import subprocess
import time

from run import NEWSCLI, for_built_index

ASKED = {
    "`list --source Al` (outlets)": "list --source Al",
    "`search @` (saved searches)": "search @",
    "`show 9` (IDs, newest first)": "show 9",
    "`list --so` (option names, through click)": "list --so",
}


def main() -> None:
    args, env = for_built_index(__doc__ or "", runs=21)
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
