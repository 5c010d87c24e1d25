"""The command line's way in: a read command goes to the resident process when one runs.

`newscli` starts here. For `search`, `show`, `list`, `sources`, `timeline` and
`related` it looks for the resident process of the index the command would read
and hands it the command, its folder, its environment and its terminal (the
open files themselves); the resident process writes the answer straight to
them and sends back the exit status. When none runs, the command answers in
this process as it always has, and (with `server: auto`) starts one for the next.
Any doubt (no socket, another version, an unreadable config) means answering
here: nothing depends on the resident process for its result.

It must start quickly, so it loads neither click nor rich nor yaml: the few
settings it needs are read from the config file's top-level lines, and the
resident process reads the whole file again and answers in-process (its own)
wherever the two disagree.
"""

from __future__ import annotations

import os
import sys

from newscli import folders

TYPE_CHECKING = False  # typing itself takes 10 ms to load
if TYPE_CHECKING:
    pass

READ_COMMANDS = frozenset(
    {"search", "show", "list", "sources", "timeline", "related", "alerts", "export", "saved", "stories", "story"}
)
ANSWER_WITHIN = 3.0  # seconds for the resident process to take a command (connect, and its first answer)
_GLOBAL_VALUES = ("--index-dir", "--config", "--color")


def main() -> None:
    if "_NEWSCLI_COMPLETE" in os.environ:  # the shell asks for completions
        from newscli.complete import quick

        answer = quick(os.environ, _folder)
        if answer is not None:
            print(answer)
            sys.exit(0)
        import newscli.shells  # noqa: F401  (registers the scripts that quote what they insert)
        from newscli.cli import cli

        cli(prog_name="newscli")  # click's own protocol: the script, or what the quick answers leave
    argv = sys.argv[1:]
    wanted = _wanted(argv)
    starting: list[str] | None = None
    if wanted is not None:
        asked = _ask(argv, wanted[0])
        if isinstance(asked, int):
            _exit(asked)
        if asked == START:
            starting = wanted[1]
    from newscli.core import Environment, run

    try:
        code = run(argv, Environment.of_process())
    finally:
        # Once this command has answered (and brought the index up to date): a resident process
        # started before would update the index at the same time, and this command would
        # search what was there instead.
        if starting is not None:
            from newscli.server.reach import start

            start(starting)
    sys.exit(code)


def _exit(code: int) -> None:
    """Ends at once once the resident process has answered: Python's own shutdown would take 3 ms more."""
    for stream in (sys.stdout, sys.stderr):  # what the pager wrote, if it ran here
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _wanted(argv: list[str]) -> tuple[str, list[str]] | None:
    """The index folder and the options that name it, if this command may go to a resident process."""
    given: dict[str, str] = {}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        name, eq, value = argv[i].partition("=")
        if name in _GLOBAL_VALUES and not eq:
            if i + 1 >= len(argv):
                return None
            value = argv[i + 1]
            i += 1
        elif name not in _GLOBAL_VALUES and argv[i] not in ("-v", "--verbose"):
            return None  # --no-server, --help, --version, or something click will explain
        given[name] = value
        i += 1
    if i >= len(argv) or argv[i] not in READ_COMMANDS or any(a in ("-h", "--help") for a in argv[i:]):
        return None
    settings = _settings(given.get("--config") or os.environ.get("NEWSCLI_CONFIG"))
    if settings is None or settings.get("server", "auto") not in ("auto", "on", "true", "yes"):
        return None
    options = [f"{k}={v}" for k, v in given.items() if k in ("--index-dir", "--config")]
    return _index_dir(given, settings), options


def _index_dir(given: dict[str, str], settings: dict[str, str]) -> str:
    """The index folder for the global options given and the config file's settings."""
    index_dir = given.get("--index-dir") or os.environ.get("NEWSCLI_INDEX_DIR") or settings.get("index_dir")
    return index_dir or os.path.join(folders.data_dir(), "index")


def _folder(given: dict[str, str]) -> str | None:
    """The index folder for the global options given; None if the config file cannot tell."""
    settings = _settings(given.get("--config") or os.environ.get("NEWSCLI_CONFIG"))
    return None if settings is None else _index_dir(given, settings)


def _settings(config_file: str | None) -> dict[str, str] | None:
    """The config file's top-level `key: value` lines (None if it cannot be read, or has what they cannot tell)."""
    if config_file is None:
        config_file = os.path.join(folders.config_dir(), "config.yaml")
        if not os.path.isfile(config_file):
            return {}
    elif config_file == os.devnull:
        return {}
    try:
        with open(os.path.expanduser(config_file), encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    found: dict[str, str] = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if key in ("server", "index_dir"):
            value = value.split(" #", 1)[0].strip().strip("'\"")
            if not colon or not value or value[0] in "[{|>&*!%@`":
                return None
            if key == "index_dir":
                value = os.path.join(os.path.dirname(os.path.abspath(config_file)), os.path.expanduser(value))
            found[key] = value.lower() if key == "server" else value
        elif line.startswith(("{", "%", "---", "? ")):
            return None
    return found


START = "start"


def _ask(argv: list[str], index_dir: str) -> int | str | None:
    """The exit status of the command as the resident process ran it; else None or START (answer here)."""
    from _socket import AF_UNIX, SOCK_STREAM, socket

    from newscli.server import reach, wire
    from newscli.server.resident import Resident, UnsafeFolder

    resident = Resident(index_dir)
    sock = socket(AF_UNIX, SOCK_STREAM)
    sock.settimeout(ANSWER_WITHIN)  # a stopped resident process holds no command back for longer
    try:
        resident.make()  # the socket is trusted only in a folder no other user can enter
        sock.connect(resident.socket)
    except TimeoutError:
        sock.close()
        _not_answering()
        return None
    except OSError:
        sock.close()
        return START
    except UnsafeFolder:
        sock.close()
        return None
    child = 0
    try:
        request = {"identity": reach.identity(), "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        wire.send(sock, request)
        replies = wire.Reader(sock)
        while True:
            reply = replies.next()
            if "refused" in reply:
                return START if reply["refused"] == "identity" else None  # it is ending: one of this version
            if "started" in reply:
                child = reply["started"]
                sock.settimeout(None)  # taken: it runs as long as the command does (the pager too)
                wire.send(sock, {"files": True}, (0, 1, 2))  # only to a process that has taken the command
            elif "page" in reply:
                _page(reply["page"])
                wire.send(sock, {"paged": True})
            elif "exit" in reply:
                return int(reply["exit"])
    except KeyboardInterrupt:
        if child:
            _stop(child)
        os.write(2, b"newscli: error: interrupted\n")
        return 130
    except TimeoutError:  # before it took the command (after, there is no timeout)
        _not_answering()
        return None
    except (OSError, EOFError, ValueError):
        if not child:
            return None  # it ended before running anything: answer here
        os.write(2, b"newscli: error: the resident index process ended while answering (see `newscli server status`)\n")
        return 2
    finally:
        sock.close()


def _not_answering() -> None:
    message = f"newscli: the resident index process did not answer within {ANSWER_WITHIN:g} s; answering here"
    os.write(2, (message + " (`newscli server stop` ends it)\n").encode())


def _stop(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _page(text: str) -> None:
    """The pager for `show`, here where the terminal and Ctrl-C are, as rich runs it."""
    import pydoc

    os.environ.setdefault("LESS", "-R")
    pydoc.pager(text)
