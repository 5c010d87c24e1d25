"""Running out of room or permission: a clear error, and the index as it was still answers."""

from __future__ import annotations

import json
import os
import random
import resource
import stat
import string
import subprocess
from pathlib import Path

import pytest

from .conftest import write
from .test_interrupt import newscli, run, stories, total

pytestmark = pytest.mark.slow  # each test runs whole index runs, and kills or starves them

AS_ROOT = os.geteuid() == 0
ROOT_SKIP = "running as root, whom file permissions do not stop: run the suite as another user to test this"


def test_a_full_disk_stops_indexing_with_a_clear_error_and_the_index_still_answers(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(50), "cove")
    assert run(newscli(index_dir, "index", str(root))).returncode == 0
    stories(root, range(50, 3000), "cove")

    def small_disk() -> None:  # writing past 256 KB fails as on a full disk (EFBIG instead of ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    failed = subprocess.run(
        newscli(index_dir, "index", str(root)), capture_output=True, text=True, preexec_fn=small_disk
    )
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr
    assert f"cannot write the index in {index_dir}" in failed.stderr and "newscli index" in failed.stderr
    assert total(index_dir, "cove") == 50
    assert run(newscli(index_dir, "index", str(root))).returncode == 0
    assert total(index_dir, "cove") == 3000
    assert run(newscli(index_dir, "index", "--check")).returncode == 0


@pytest.mark.skipif(AS_ROOT, reason=ROOT_SKIP)
def test_a_read_only_index_folder_gives_a_clear_error_and_searches_still_work(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(20), "inlet")
    assert run(newscli(index_dir, "index", str(root))).returncode == 0
    stories(root, range(20, 40), "inlet")
    index_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        failed = run(newscli(index_dir, "index", str(root)))
        assert failed.returncode == 2 and str(index_dir) in failed.stderr and "Traceback" not in failed.stderr
        searched = run(newscli(index_dir, "search", "inlet", "--all", "--json"))
        assert searched.returncode == 0 and "results may miss it" in searched.stderr
    finally:
        index_dir.chmod(stat.S_IRWXU)


@pytest.mark.skipif(AS_ROOT, reason=ROOT_SKIP)
def test_an_unreadable_file_is_skipped_with_its_reason(tmp_path: Path) -> None:
    root, index_dir = tmp_path / "n", tmp_path / "ix"
    stories(root, range(3), "sound")
    secret = write(root / "secret.txt", "Secret\n\nNot for reading.\n")
    secret.chmod(0)
    indexed = run(newscli(index_dir, "index", str(root)))
    assert indexed.returncode == 0
    assert f"skipped {secret}: cannot read: Permission denied" in indexed.stderr
    assert total(index_dir, "sound") == 3


def _tmpfs(folder: Path, megabytes: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a small file system here to fill ({mounted.stderr.strip() or 'not root'})")


def test_a_disk_that_fills_while_helpers_write_fails_the_run_and_records_nothing_uncommitted(tmp_path: Path) -> None:
    root, disk = tmp_path / "n", tmp_path / "disk"
    rng = random.Random(1)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10))) for _ in range(50_000)]
    for i in range(300):  # 4.7 MB of varied words: written by helper processes, about 94 MB of index at its peak
        write(root / f"{i:03}.txt", f"Story {i}\n\nfjord {' '.join(rng.choices(vocabulary, k=1800))}\n")
    _tmpfs(disk, 60)
    try:
        index_dir = disk / "ix"
        failed = run(newscli(index_dir, "index", str(root)))
        assert failed.returncode == 2, failed.stderr
        assert failed.stderr.count("\n") == 1 and "Traceback" not in failed.stderr, failed.stderr
        assert "No space left on device" in failed.stderr and f"cannot write the index in {index_dir}" in failed.stderr
        checked = run(newscli(index_dir, "index", "--check", "--json"))
        assert json.loads(checked.stdout)["problems"] == []  # the catalog records only what the index holds
        subprocess.run(["mount", "-o", "remount,size=400m", str(disk)], check=True)
        assert run(newscli(index_dir, "index", str(root))).returncode == 0
        assert total(index_dir, "fjord") == 300
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
