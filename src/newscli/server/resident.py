"""Where a resident process's socket, lock and log live: a folder only its user can enter.

Imported by the client, which must start quickly: nothing here loads more than `os`.
"""

from __future__ import annotations

import os
import stat
from _sha1 import sha1  # type: ignore[import-not-found]  # hashlib loads OpenSSL: milliseconds a command

MAX_SOCKET_PATH = 100  # AF_UNIX paths are limited to 107 bytes


class UnsafeFolder(Exception):
    """The folder for the socket is not the user's alone."""


class Resident:
    """The resident process of one index folder, as its files find it: its socket, its lock (and pid), its log."""

    def __init__(self, index_dir: str) -> None:
        index_dir = normal(index_dir)
        key = sha1(os.fsencode(index_dir)).hexdigest()[:16]
        self._name(_folder(index_dir, key), key)

    @classmethod
    def of_lock(cls, lock: str) -> Resident:
        """The resident process whose lock file this is."""
        resident = cls.__new__(cls)
        resident._name(os.path.dirname(lock), os.path.basename(lock).removesuffix(".lock"))
        return resident

    def _name(self, folder: str, key: str) -> None:
        self.folder = folder
        self.socket = os.path.join(folder, f"{key}.sock")
        self.lock = os.path.join(folder, f"{key}.lock")
        self.log = os.path.join(folder, f"{key}.log")

    def make(self) -> None:
        """Makes the folder if need be; UnsafeFolder if another user could enter it."""
        os.makedirs(os.path.dirname(self.folder), exist_ok=True)  # beside an index not made yet: its parent
        try:
            os.mkdir(self.folder, 0o700)
        except FileExistsError:
            pass
        info = os.lstat(self.folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise UnsafeFolder(f"{self.folder} is not a folder that only this user can enter")

    def blocked(self) -> bool:
        """Whether something other than a socket (a folder, a file) is where the socket goes."""
        try:
            return not stat.S_ISSOCK(os.lstat(self.socket).st_mode)
        except FileNotFoundError:
            return False

    def holder(self) -> int | None:
        """The pid of the resident process holding the lock (0 if it has not written it yet); None if none runs."""
        import fcntl

        try:
            fd = os.open(self.lock, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return None
        except BlockingIOError:
            written = os.read(fd, 32).strip()
            return int(written) if written.isdigit() else 0
        finally:
            os.close(fd)


def normal(path: str) -> str:
    return os.path.normpath(os.path.abspath(os.path.expanduser(path)))


def _folder(index_dir: str, key: str) -> str:
    """$XDG_RUNTIME_DIR/newscli; else a folder beside the index; else one in /tmp (a socket path must be short)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    candidates = [os.path.join(runtime, "newscli")] if os.path.isabs(runtime) and os.path.isdir(runtime) else []
    # With the user's id: two users' indexes in one shared folder (/tmp) get a run folder each.
    candidates.append(os.path.join(os.path.dirname(index_dir), f".newscli-run-{os.getuid()}"))
    for folder in candidates:
        if len(os.path.join(folder, f"{key}.sock")) <= MAX_SOCKET_PATH:
            return folder
    return f"/tmp/newscli-{os.getuid()}"
