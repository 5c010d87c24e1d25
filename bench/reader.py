"""How fast `newscli read` opens on an index that is already built (one of bench/run.py's).

    python bench/reader.py --index-dir /tmp/newscli-bench/x10/index \\
        --config /tmp/newscli-bench/x10/config/newscli/config.yaml

Opens the reader on the unread articles (Textual's headless `run_test`, 160x40),
the engine already open as `newscli read` has it, and times: the first screen
(the app mounted, its side list and first page of articles shown), the first page
alone (`browse`, newest first), and the side list (outlets with unread counts).
Each with no article read, then with every other article marked read (as after
`A` on a long list, or `mark --all --read`). Marks go to a database of their own
in a temporary folder. Medians of --runs runs.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run import for_built_index


def main() -> None:
    args, env = for_built_index(__doc__ or "", runs=3)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory() as data:
        os.environ.update(env, XDG_DATA_HOME=data)
        _measure(args.runs)


def _measure(runs: int) -> None:
    from newscli import config
    from newscli.engine.whoosh.searching import WhooshEngine
    from newscli.models import Filters, Sort
    from newscli.reading.app import PAGE, Reader
    from newscli.reading.marks import Marks

    settings = config.load()
    engine = WhooshEngine.open(settings.index_dir)
    engine.warm()
    marks = Marks()
    print(f"{engine.count():,} articles; medians of {runs} runs\n")
    print("| | no article read | every other article read |\n|---|---|---|")
    rows: dict[str, list[str]] = {"to the first screen": [], f"first page ({PAGE} rows)": [], "side list": []}
    for read in (False, True):
        if read:
            ids = [a.id for a in engine.browse(Filters(), Sort.NEWEST, 0).articles]
            marks.mark(ids[::2], read=True)
        unread = Filters(without_ids=frozenset(marks.ids(read=True)))
        rows["to the first screen"].append(
            _median(runs, lambda: asyncio.run(_first_screen(Reader(engine, marks, settings))))
        )
        rows[f"first page ({PAGE} rows)"].append(_median(runs, lambda f=unread: engine.browse(f, Sort.NEWEST, PAGE)))
        rows["side list"].append(_median(runs, lambda f=unread: engine.sources(f.without_ids)))
    for label, cells in rows.items():
        print(f"| {label} | {' | '.join(cells)} |")


async def _first_screen(app: object) -> None:
    async with app.run_test(size=(160, 40)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()


def _median(runs: int, work: Callable[[], object]) -> str:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return f"{statistics.median(times):.2f} s"


if __name__ == "__main__":
    main()
