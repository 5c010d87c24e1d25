"""The archive's folders, watched for files added, changed and removed (inotify, through watchdog)."""

from __future__ import annotations

import os
import threading
from typing import Any

NETWORK_FILE_SYSTEMS = frozenset(
    "nfs nfs4 cifs smb3 smbfs ncpfs afs ceph glusterfs lustre 9p davfs fuse.sshfs fuse.rclone fuse.s3fs".split()
)
# What a file's writing, renaming or removal raises; opening and reading it (as indexing does) raise others.
CHANGES = ("created", "deleted", "modified", "moved", "closed")


class Watcher:
    """Tells, through a byte written to `wake`, that something changed below the roots (outside `ignored`)."""

    def __init__(self, roots: list[str], follow_links: bool, ignored: str, wake: int) -> None:
        self.roots, self._follow, self._ignored, self._wake = roots, follow_links, ignored, wake
        self._changed = threading.Event()
        self._observer: Any = None

    def start(self) -> str | None:
        """Starts watching; why it cannot, if it cannot (then each command checks the archive by walking)."""
        for root in self.roots:
            if (kind := file_system(root)) in NETWORK_FILE_SYSTEMS:
                return f"{root} is on a network file system ({kind}), whose changes inotify does not see"
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type in CHANGES and not _within(os.fsdecode(event.src_path), watcher._ignored):
                    watcher._changed.set()
                    try:
                        os.write(watcher._wake, b"w")
                    except BlockingIOError:  # the pipe is full: the server is already woken
                        pass

        observer = Observer()
        try:
            for root in self.roots:
                if os.path.isdir(root):
                    observer.schedule(Handler(), root, recursive=True, follow_symlink=self._follow)
                elif os.path.exists(root):  # a root that is one file: its folder, whose other files are not indexed
                    observer.schedule(Handler(), os.path.dirname(root) or ".", recursive=False)
            observer.start()
        except OSError as e:  # the inotify limits: fs.inotify.max_user_watches, max_user_instances
            observer.stop()
            return f"the archive cannot be watched ({e.strerror or e}; see fs.inotify.max_user_watches)"
        self._observer = observer
        return None

    def changed(self) -> bool:
        """Whether something changed since the last call."""
        if self._changed.is_set():
            self._changed.clear()
            return True
        return False

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer = None


def file_system(path: str, mounts: str = "/proc/mounts") -> str | None:
    """The type of the file system `path` is on, from the mount table (None where there is none)."""
    try:
        with open(mounts, encoding="utf-8", errors="replace") as f:
            table = [line.split() for line in f]
    except OSError:
        return None
    real = os.path.realpath(path)
    found, length = None, -1
    for fields in table:
        if len(fields) >= 3:
            point = fields[1].replace("\\040", " ")
            if _within(real, point) and len(point) > length:
                found, length = fields[2], len(point)
    return found


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
