"""Indexing interrupted (kill -9, Ctrl-C) or run twice at once, in real processes; searches meanwhile."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from newscli.indexing.update import BATCH

from .conftest import write

pytestmark = pytest.mark.slow  # each test runs whole index runs, and kills or starves them

FILLER = "Filler text of a length like a short news brief's, so that indexing has real work to do. " * 3


def stories(root: Path, numbers: range, word: str) -> None:
    # Several MB in all: enough for indexing to use its helper processes.
    for i in numbers:
        write(root / f"{i:05}.txt", f"Story {i}\n\nThe {word} story number {i}. {FILLER}\n")


def marked(index_dir: Path) -> dict[str, str]:
    """The environment for a run whose processes `leftovers` looks for: each inherits it."""
    return {**os.environ, "LEFTOVER_MARK": str(index_dir)}


def leftovers(index_dir: Path) -> list[str]:
    """Processes of a marked run (helpers included) still there a few seconds on."""
    mark = f"LEFTOVER_MARK={index_dir}".encode()
    deadline = time.monotonic() + 10
    while True:
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if mark in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                    found.append(f"{pid}: {args.decode(errors='replace')}")
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def newscli(index_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "newscli", "--index-dir", str(index_dir), *args]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=os.environ)


def total(index_dir: Path, word: str) -> int:
    # auto_refresh off: count what the index holds, not what a refresh would add.
    config = write(index_dir.parent / "no-refresh.yaml", "auto_refresh: false\n")
    found = run(newscli(index_dir, "--config", str(config), "search", word, "--all", "--json", "--limit", "1"))
    assert found.returncode == 0, found.stderr
    return int(json.loads(found.stdout)["total"])


def committed(index_dir: Path) -> bool:
    """Whether a batch of articles is committed, as the catalog records it."""
    try:
        with closing(sqlite3.connect(f"file:{index_dir / 'catalog.db'}?mode=ro", uri=True)) as db:
            return bool(db.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.Error:  # not made yet, or made but not yet moved into place
        return False


def wait_for_commit(index_dir: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not committed(index_dir) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def interrupt_index(
    index_dir: Path, root: Path, sig: signal.Signals, after: float, after_a_commit: bool = False
) -> tuple[int, str]:
    """Starts `newscli index`, sends it a signal `after` seconds later (counted from its first commit,
    if so asked, so that a slow start does not decide the outcome); its exit status and stderr."""
    proc = subprocess.Popen(
        newscli(index_dir, "index", str(root)), stderr=subprocess.PIPE, text=True, env=marked(index_dir)
    )
    if after_a_commit:
        wait_for_commit(index_dir, proc)
    time.sleep(after)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr


def rerun_index(index_dir: Path, root: Path) -> None:
    """Runs `newscli index` again; then the index, its catalog and the archive must agree."""
    again = run(newscli(index_dir, "index", str(root)))
    assert again.returncode == 0, again.stderr
    checked = run(newscli(index_dir, "index", "--check"))
    assert checked.returncode == 0, checked.stdout


def test_the_installed_command_indexes_with_helper_processes(tmp_path: Path) -> None:
    # The helpers start from the command's script, as multiprocessing prepares them: it must not run again in them.
    root, index_dir = tmp_path / "news", tmp_path / "index"
    stories(root, range(6000), "jetty")
    script = Path(sys.executable).parent / "newscli"
    done = subprocess.run(
        [str(script), "--index-dir", str(index_dir), "index", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env=marked(index_dir),
    )
    assert done.returncode == 0, done.stderr
    assert "6,000 added" in done.stderr and "waiting" not in done.stderr
    assert total(index_dir, "jetty") == 6000
    assert leftovers(index_dir) == []


def test_kill_9_mid_run_leaves_a_usable_index_and_a_rerun_completes_it(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3000), "quay")
    assert run(newscli(index_dir, "index", str(root))).returncode == 0
    stories(root, range(3000, 9000), "quay")
    interrupt_index(index_dir, root, signal.SIGKILL, after=2.5)
    assert leftovers(index_dir) == []
    assert 3000 <= total(index_dir, "quay") <= 9000
    rerun_index(index_dir, root)
    assert total(index_dir, "quay") == 9000


def test_kill_9_early_in_a_rebuild_leaves_an_index_that_the_next_run_completes(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3000), "cove")
    rerun_index(index_dir, root)
    proc = subprocess.Popen(newscli(index_dir, "index", "--rebuild"), stderr=subprocess.DEVNULL)
    time.sleep(1)  # before its one commit: 3,000 articles take several seconds
    proc.kill()
    proc.wait()
    rerun_index(index_dir, root)
    assert total(index_dir, "cove") == 3000


def ids_in(index_dir: Path) -> list[str]:
    config = write(index_dir.parent / "no-refresh.yaml", "auto_refresh: false\n")
    listed = run(newscli(index_dir, "--config", str(config), "list", "--json", "--limit", "0"))
    assert listed.returncode in (0, 1), listed.stderr  # 1: nothing indexed yet
    return [a["id"] for a in json.loads(listed.stdout)["articles"]]


def test_kill_9_at_twenty_moments_never_loses_or_doubles_an_article(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3000), "cape")
    started = time.monotonic()
    assert run(newscli(tmp_path / "timing", "index", str(root))).returncode == 0
    whole = time.monotonic() - started
    rng = random.Random(20)
    for moment in sorted(rng.uniform(0.1, 1.1) * whole for _ in range(20)):
        shutil.rmtree(index_dir, ignore_errors=True)  # each moment is one of a first run
        interrupt_index(index_dir, root, signal.SIGKILL, after=moment)
        assert leftovers(index_dir) == []
        if (index_dir / "manifest.json").exists():  # else killed before it recorded anything: a search would build
            ids = ids_in(index_dir)
            assert len(ids) == len(set(ids)) and len(ids) in (0, 3000), f"killed after {moment:.2f} s: {len(ids)}"
        rerun_index(index_dir, root)
        ids = ids_in(index_dir)
        assert len(ids) == len(set(ids)) == 3000, f"killed after {moment:.2f} s, then re-run: {len(ids)}"


def test_ctrl_c_stops_indexing_and_a_rerun_completes_it(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(12000), "pier")
    # Interrupted after its first commit: what was committed is kept, the rest follows on a re-run.
    returncode, stderr = interrupt_index(index_dir, root, signal.SIGINT, after=0.5, after_a_commit=True)
    assert returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert leftovers(index_dir) == []
    rerun_index(index_dir, root)
    assert total(index_dir, "pier") == 12000


def test_a_second_ctrl_c_quits_at_once_and_loses_nothing(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(12000), "jetty")
    proc = subprocess.Popen(
        newscli(index_dir, "index", str(root)), stderr=subprocess.PIPE, text=True, env=marked(index_dir)
    )
    wait_for_commit(index_dir, proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    second = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - second < 2, "a second Ctrl-C should end the run at once"
    # 130, or death by SIGINT when it lands as Python shuts down: a shell shows 130 for both.
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr
    assert leftovers(index_dir) == []
    assert total(index_dir, "jetty") in range(0, 12001)  # the index answers
    rerun_index(index_dir, root)
    assert total(index_dir, "jetty") == 12000


def test_two_index_runs_at_once_end_with_each_article_once(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3000), "wharf")
    runs = [subprocess.Popen(newscli(index_dir, "index", str(root)), stderr=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [r.communicate(timeout=300)[1] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert sum("waiting for another newscli" in o for o in outputs) == 1
    assert sorted(o.splitlines()[-1].split(": ", 2)[2] for o in outputs) == [
        "0 added, 0 updated, 0 removed, 3,000 unchanged, 0 skipped",
        "3,000 added, 0 updated, 0 removed, 0 unchanged, 0 skipped",
    ]
    listed = run(newscli(index_dir, "list", "--json", "--limit", "0"))
    ids = [a["id"] for a in json.loads(listed.stdout)["articles"]]
    assert len(ids) == len(set(ids)) == 3000


def test_searches_during_an_index_run_see_a_consistent_index(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3000), "bay")
    rerun_index(index_dir, root)
    stories(root, range(3000, 12000), "bay")
    indexing = subprocess.Popen(newscli(index_dir, "index", str(root)), stderr=subprocess.PIPE, text=True)
    seen = []
    while indexing.poll() is None:
        seen.append(total(index_dir, "bay"))
    assert indexing.wait() == 0
    # Each search sees the index as of one commit (a batch of articles), never a part of one.
    commits = {3000 + min(n * BATCH, 9000) for n in range(9000 // BATCH + 2)}
    assert set(seen) <= commits and len(seen) >= 3, seen
    assert total(index_dir, "bay") == 12000


# Ctrl-C while a commit hands its last articles to the helpers (`put` blocks while they are
# busy, for long at a time on a large archive), raised there on purpose.
INTERRUPTED_COMMIT = """
import sys
from whoosh.multiproc import MpWriter
from newscli.engine import backend
from newscli.models import Article

def interrupted(self, *args):
    self._enqueue()
    raise KeyboardInterrupt

MpWriter._commit = interrupted
engine = backend("whoosh").create(sys.argv[1])
try:
    with engine.writer(expected_bytes=2**30) as w:  # enough for helper processes
        for i in range(1000):
            w.add(Article(f"id{i}", f"Story {i}", "Words for the helpers.", f"{i}.txt"), f"s{i}")
except KeyboardInterrupt:
    print("interrupted")
"""


def test_a_ctrl_c_during_a_commit_stops_the_helpers_and_the_run_ends(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    command = [sys.executable, "-c", INTERRUPTED_COMMIT, str(index_dir)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=marked(index_dir), start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the run did not end: it waits for helpers that wait for work") from None
    assert (proc.returncode, out) == (0, "interrupted\n")
    assert leftovers(index_dir) == []
