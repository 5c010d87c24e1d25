"""The resident process: the index held open, the archive watched, each command answered in a forked process.

A forked process starts with everything loaded and the index open, and takes on
the caller's terminal, folder and environment without touching the resident
process's own. Several run at once; the index's files are read through memory
maps, so they do not share a file position. Indexing is forked too, and takes
the index lock as `newscli index` does: a `kill -9` of either loses nothing.
"""

from __future__ import annotations

import fcntl
import gc
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from newscli import __version__
from newscli.config import Config
from newscli.engine import Engine
from newscli.errors import NewscliError
from newscli.indexing.manifest import SUMMARY, Manifest, engine_of, known_roots
from newscli.indexing.roots import roots_for
from newscli.server import answer, wire
from newscli.server.answer import Runner
from newscli.server.callers import Callers, gone, refuse, reply
from newscli.server.learning import Learned
from newscli.server.reach import identity
from newscli.server.resident import Resident
from newscli.server.warm import Spare, preload
from newscli.server.watch import Watcher

QUIET = 0.1  # seconds without a change before the archive is indexed
LOOK = 5.0  # seconds between looks at whether the index folder is still there
BUSY = 1.0  # seconds of changes after which the archive is indexed even as it goes on changing
MAX_WAIT = 2.0  # seconds a command waits for changes to be indexed before it looks at the archive itself
SPARE_AFTER = 0.1  # seconds without a command before a spare is made: not between the commands of a script


def serve(config: Config, resident: Resident, runner: Runner) -> bool:
    """Runs until idle for `server_idle` minutes, stopped, replaced or its index gone; False if another runs.

    `runner` runs a command line (`core.run`): each caller's, in a process forked for it."""
    lock = os.open(resident.lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return False
    if resident.blocked():
        log(f"not starting: {resident.socket} is not a socket")
        os.close(lock)
        return True
    os.ftruncate(lock, 0)
    os.write(lock, str(os.getpid()).encode())  # for `server stop` while it is indexing, before it answers
    try:
        Server(config, resident, lock, runner).run()
    finally:
        os.close(lock)
    return True


def log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [{os.getpid()}] {message}", file=sys.stderr, flush=True)


class Server:
    def __init__(self, config: Config, resident: Resident, lock: int, runner: Runner) -> None:
        self.config, self.resident, self._lock, self.runner = config, resident, lock, runner
        self.folder = str(config.index_dir)
        self.started = time.time()
        self.identity = identity()  # as loaded: a newscli installed since then is another
        self.children: set[int] = set()
        self.indexer = 0  # the pid of the forked process indexing, if one runs
        self.failed = False  # whether the last indexing failed
        self.changed_at: float | None = None  # when the archive last changed, if not indexed since
        self.changed_first = 0.0  # when it first changed since it was last indexed
        self.waiting: list[tuple[Any, dict[str, Any], float]] = []  # and when each came
        self.stopping = ""
        self.answered = 0  # commands run for callers
        self.told = False  # whether a command was told that the archive is not watched
        self.last_request = time.monotonic()
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.learned = Learned()  # what the commands' processes read, to keep here for the next ones
        self.roots = self._roots()
        self.watcher = Watcher(self.roots, self._follows(), self.folder, self._wake_w)
        self.unwatched = self.watcher.start() if config.auto_refresh else "auto_refresh is off"
        self.engine: Engine | None = None
        self.stamp: tuple[int, int, int] | None = None
        self.spare = Spare()  # a process forked and warmed up for the next command

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop_signal)
        signal.signal(signal.SIGINT, self._stop_signal)
        log(f"newscli {__version__} serving {self.folder} for {', '.join(self.roots)}")
        if self.unwatched:
            log(f"not watching: {self.unwatched}")
        self._index(wait=True)
        self._reopen()
        preload()
        listener = self._listen()
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        selector.register(self._wake_r, selectors.EVENT_READ)
        selector.register(self.learned.fd, selectors.EVENT_READ)
        callers = Callers(selector, log)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        idle = self.config.server_idle * 60
        looked = time.monotonic()
        try:
            while not self.stopping:
                for key, _ in selector.select(self._timeout(idle)):
                    heard = None
                    if key.fileobj is listener:
                        heard = callers.accept(listener)
                    elif key.fileobj in callers:
                        heard = callers.hear(key.fileobj)  # type: ignore[arg-type]
                    elif key.fileobj == self.learned.fd:
                        self.learned.take()
                    else:
                        _drain(self._wake_r)
                    if heard is not None:
                        self._handle(*heard)
                callers.drop_slow()
                self._reap()
                if self.learned.waiting:
                    self._learn()
                elif self._spare_due() == 0:
                    self._make_spare()
                now = time.monotonic()
                if self.watcher.changed():
                    if self.changed_at is None:
                        self.changed_first = now
                    self.changed_at = now
                if self.changed_at is not None and not self.indexer:
                    # Once the writing stops for a moment; a file that is written on and on, each second.
                    if now - self.changed_at >= QUIET or now - self.changed_first >= BUSY:
                        self._index(wait=False)
                if self.waiting:
                    self._answer_waiting(now)
                if not self.children and not self.indexer and now - self.last_request > idle:
                    self.stopping = f"idle for {self.config.server_idle:g} minutes"
                if now - looked > LOOK:
                    looked = now
                    if not os.path.isdir(self.folder):
                        self.stopping = "its index folder is gone"
        finally:
            self._close(listener)

    def _answer_waiting(self, now: float) -> None:
        """Commands that waited for the archive's changes: answered once indexed, or on their own after MAX_WAIT."""
        current = not self.indexer and self.changed_at is None
        waiting, self.waiting = self.waiting, []
        for conn, request, came in waiting:
            if current or now - came > MAX_WAIT:  # the archive keeps changing: look at it as a command would
                self._answer(conn, request, look=not current)
            else:
                self.waiting.append((conn, request, came))

    def _spare_due(self) -> float | None:
        """Seconds until a spare is to be made; None if none is to be made now."""
        if self.spare.pid or self.children or self.indexer or self.waiting or self.changed_at is not None:
            return None
        if self.engine is None or self.unwatched or self.failed:
            return None
        return max(0.0, self.last_request + SPARE_AFTER - time.monotonic())

    def _make_spare(self) -> None:
        if (engine := self.engine) is not None:
            self.spare.make(
                self._fork, engine, self.runner, lambda conn, request: self._run(conn, request, engine, None)
            )
            self.children.discard(self.spare.pid)  # not a command: it does not keep the process from its idle end

    def _learn(self) -> None:
        self.spare.drop()  # its process would start without what is learned now
        try:
            self.learned.learn(self.engine)
        except Exception as e:  # what is kept only saves time: a command reads it for itself
            log(f"cannot keep what a command read: {e}")
            self.learned.waiting.clear()

    def _timeout(self, idle: float) -> float:
        if self.learned.waiting:
            return 0
        if self.children or self.indexer or self.changed_at is not None or self.waiting:
            return QUIET / 2
        due = self._spare_due()
        return max(0.0, min(LOOK, idle - (time.monotonic() - self.last_request), LOOK if due is None else due))

    def _listen(self) -> socket.socket:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            os.unlink(self.resident.socket)  # one left by a process that was killed: the lock says it is gone
        except FileNotFoundError:
            pass
        listener.bind(self.resident.socket)
        os.chmod(self.resident.socket, 0o600)
        listener.listen(64)
        self._inode = os.stat(self.resident.socket).st_ino
        gc.freeze()  # what is loaded now stays shared with the forked processes instead of being copied
        return listener

    def _close(self, listener: socket.socket) -> None:
        log(f"ending: {self.stopping}")
        try:
            if os.stat(self.resident.socket).st_ino == self._inode:
                os.unlink(self.resident.socket)
        except OSError:
            pass
        listener.close()
        self.spare.drop()
        self.watcher.stop()
        for conn, _, _ in self.waiting:  # they answer in their own processes
            refuse(conn, [], "ending")

    def _stop_signal(self, signum: int, frame: object) -> None:
        self.stopping = signal.Signals(signum).name

    def _handle(self, conn: socket.socket, request: dict[str, Any], reader: wire.Reader) -> None:
        """A caller's whole request: a status, a stop, or a command."""
        if "status" in request:  # (not a use: asking for it keeps no spare from being made, nor the process up)
            self._current()  # counts the articles of the index as last committed
            reply(conn, self.status())
            return
        if "stop" in request:
            self.stopping = "asked to stop"
            reply(conn, {"stopping": os.getpid()})
            return
        self.last_request = time.monotonic()
        if request.get("identity") != self.identity:
            self.stopping = "a caller of another version of newscli"
            refuse(conn, reader.fds, "identity")
        elif reader.fds or not isinstance(request.get("argv"), list):  # files come once a process takes it
            refuse(conn, reader.fds, "request")
        elif self.indexer or self.changed_at is not None:
            self.waiting.append((conn, request, self.last_request))  # answered once the changes are in
        else:
            self._answer(conn, request)

    def _answer(self, conn: Any, request: dict[str, Any], look: bool = False) -> None:
        """Runs a command in a forked process; `look`: it checks the archive itself, as without a resident process."""
        if gone(conn):  # it gave up waiting and answered in its own process: not twice
            log("a caller went away before its command ran")
            refuse(conn, [], None)
            return
        watched = not (look or self.unwatched or self.failed)
        engine = self.engine if self._current() and watched else None
        note = None
        if self.unwatched and not self.told:  # said once, to the first command it answers
            note, self.told = f"{self.unwatched}: each command checks the archive for changes by walking it", True
        pid = self.spare.hand(conn, request) if engine is not None and note is None else 0
        if pid:
            self.children.add(pid)
        else:
            self._fork(lambda: self._run(conn, request, engine, note))
        self.answered += 1
        conn.close()

    def _run(self, conn: Any, request: dict[str, Any], engine: Engine | None, note: str | None) -> None:
        """A command, in its forked process."""
        answer.run(self.runner, conn, request, engine, self.config, note)
        if engine is not None:
            self.learned.tell(engine)

    def _current(self) -> bool:
        """Whether the open engine is the index as last committed; reopened if another newscli changed it."""
        stamp = _stamp(os.path.join(self.folder, SUMMARY))
        if stamp is None:  # an update is under way elsewhere: the command looks for itself
            return False
        if stamp != self.stamp:
            if self._roots() != self.roots:  # `newscli index PATH` added a folder: the next process watches it
                self.stopping = "the archive has new folders"
                return False
            self._reopen()
        return True

    def _reopen(self) -> None:
        """The index as last committed; None if it cannot be opened (then each command says why, as today)."""
        stamp = _stamp(os.path.join(self.folder, SUMMARY))
        self.spare.drop()
        engine, self.engine = self.engine, None
        try:  # (what the engine before kept for its searches is kept: it was read from parts that never change)
            self.engine = engine.reopened() if engine is not None else engine_of(self.config).open(self.folder)
            self.engine.warm()  # once here, rather than in every forked process
        except NewscliError as e:
            log(f"cannot open the index: {e.message}")
            self.engine = None
        self.stamp = stamp

    def _index(self, *, wait: bool) -> None:
        """Brings the index up to date in a forked process, as a command would (folder defaults, skips, stories).

        At the start, as a command finds it (building it if there is none); once the
        watcher saw a change, as `newscli index` does, looking only at the folders it
        changed in (or at the whole archive, when the watcher cannot tell them).
        """
        self.changed_at = None
        paths = self.watcher.taken()
        if self.failed:  # what the last run was to look at may not be indexed
            paths = None
        self.indexer = self._fork(self._catch_up if wait else lambda: self._update(paths))
        self.children.discard(self.indexer)
        if wait:
            _, status = os.waitpid(self.indexer, 0)
            self.indexer = 0
            self.failed = os.waitstatus_to_exitcode(status) != 0

    def _catch_up(self) -> None:
        from newscli.indexing import fresh

        fresh.up_to_date(self.config, None, log).close()

    def _update(self, paths: set[str] | None) -> None:
        from newscli.indexing import update

        update.update(self.config, timeout=self.config.lock_timeout, paths=paths)

    def _fork(self, work: Callable[[], None]) -> int:
        pid = os.fork()
        if pid == 0:
            code = 0
            logged = os.dup(2)  # the log: `work` may give fd 2 to a caller
            try:
                signal.set_wakeup_fd(-1)
                for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
                    signal.signal(signum, signal.SIG_DFL)
                os.close(self._lock)  # the lock stays the resident process's alone
                work()
            except (BrokenPipeError, ConnectionResetError):  # the caller went (Ctrl-C, a closed pipe)
                code = 1
            except BaseException:
                os.dup2(logged, 2)
                log(traceback.format_exc())
                code = 1
            finally:
                os._exit(code)
        self.children.add(pid)
        return pid

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.spare.ended(pid)
            if pid == self.indexer:
                self.indexer = 0
                self.failed = os.waitstatus_to_exitcode(status) != 0
                if self.failed:
                    log("indexing failed; commands look at the archive for themselves until it succeeds")
                self._reopen()

    def _roots(self) -> list[str]:
        try:
            return roots_for(
                self.config, known_roots(self.config.index_dir, Manifest.load(self.config.index_dir)), None
            )
        except Exception:  # no archive yet, a damaged manifest: the indexing will say
            return []

    def _follows(self) -> bool:
        if self.config.follow_links is not None:
            return self.config.follow_links
        try:
            manifest = Manifest.load(self.config.index_dir)
        except Exception:
            return False
        return bool(manifest and manifest.follow_links)

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "newscli": __version__,
            "index_dir": self.folder,
            "started": self.started,
            "uptime": time.time() - self.started,
            "articles": self.engine.count() if self.engine is not None else 0,
            "memory": _rss(),
            "watching": self.roots,
            "unwatched": self.unwatched or "",
            "indexing": bool(self.indexer or self.changed_at is not None),
            "answering": len(self.children),
            "answered": self.answered,
            "spare": self.spare.ready(),
            "learned": self.learned.count,
            "idle_minutes": self.config.server_idle,
            "socket": self.resident.socket,
            "log": self.resident.log,
        }


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _rss() -> int:
    """Bytes of memory the process holds (resident set)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
