"""The archive's folders, watched for files added, changed and removed (inotify, through watchdog)."""

from __future__ import annotations

import os
import threading
from typing import Any

from newscli.archive import aliased

NETWORK_FILE_SYSTEMS = frozenset(
    "nfs nfs4 cifs smb3 smbfs ncpfs afs ceph glusterfs lustre 9p davfs fuse.sshfs fuse.rclone fuse.s3fs".split()
)
MANY = 10_000  # changed paths kept; beyond them, the whole archive is looked at


class Watcher:
    """Tells, through a byte written to `wake`, that something changed below the roots (outside `ignored`), and what."""

    def __init__(self, roots: list[str], follow_links: bool, ignored: str, wake: int) -> None:
        self.roots, self._follow, self._ignored, self._wake = roots, follow_links, ignored, wake
        self._guard = threading.Lock()
        self._paths: set[str] | None = set()  # None: too many to keep
        self._changed = False
        self._aliased: set[str] | None = None  # the real paths of folders reached by two paths
        self._observer: Any = None

    def start(self) -> str | None:
        """Starts watching; why it cannot, if it cannot (then each command checks the archive by walking)."""
        for root in self.roots:
            if (kind := file_system(root)) in NETWORK_FILE_SYSTEMS:
                return f"{root} is on a network file system ({kind}), whose changes inotify does not see"
        from watchdog import events
        from watchdog.observers import Observer

        # Only what writing, renaming or removing raises: reading the archive (rg, a backup,
        # newscli itself) raises an open and a close of each file, whose flood would overflow
        # the kernel's queue (then watchdog walks the archive again, and changes are lost).
        changes = [
            events.FileCreatedEvent,
            events.DirCreatedEvent,
            events.FileDeletedEvent,
            events.DirDeletedEvent,
            events.FileModifiedEvent,
            events.FileMovedEvent,
            events.DirMovedEvent,
            events.FileClosedEvent,
        ]

        watcher = self

        class Handler(events.FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                path = os.fsdecode(event.src_path)
                if not _within(path, watcher._ignored):  # (the events are those of `changes` alone)
                    watcher._saw(event, path)
                    try:
                        os.write(watcher._wake, b"w")
                    except BlockingIOError:  # the pipe is full: the server is already woken
                        pass

        observer = Observer()
        try:
            for root in self.roots:
                if os.path.isdir(root):
                    observer.schedule(
                        Handler(), root, recursive=True, follow_symlink=self._follow, event_filter=changes
                    )
                elif os.path.exists(root):  # a root that is one file: its folder, whose other files are not indexed
                    observer.schedule(Handler(), os.path.dirname(root) or ".", recursive=False, event_filter=changes)
            observer.start()
        except OSError as e:  # the inotify limits: fs.inotify.max_user_watches, max_user_instances
            observer.stop()
            return f"the archive cannot be watched ({e.strerror or e}; see fs.inotify.max_user_watches)"
        self._observer = observer
        return None

    def _saw(self, event: Any, path: str) -> None:
        with self._guard:
            self._changed = True
            if self._paths is None or (event.is_directory and event.event_type in ("modified", "closed")):
                return  # a folder's own times move with each file made in it, and those files are told apart
            self._paths.add(path)
            if event.event_type == "moved":
                self._paths.add(os.fsdecode(event.dest_path))
            if len(self._paths) > MANY:
                self._paths = None

    def changed(self) -> bool:
        """Whether something changed since the last call."""
        with self._guard:
            changed, self._changed = self._changed, False
        return changed

    def taken(self) -> set[str] | None:
        """The paths changed since the last call.

        None when the whole archive must be looked at: they were too many to keep, or one
        is in a folder the walk reaches by two paths (symbolic links), which all must see.
        """
        with self._guard:
            paths, self._paths = self._paths, set()
        if paths is None:
            return None
        if self._aliased is None or any(os.path.islink(p) or os.path.isdir(p) for p in paths):
            self._aliased = aliased(self.roots, self._follow)  # a link or a folder may have come
        if any(os.path.realpath(q) in self._aliased for p in paths for q in (p, os.path.dirname(p))):
            return None
        return paths

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
