"""One way to run a command: `run(argv, env)`, with everything it may touch in `env`.

The installed script, the resident process's commands and its spare, and the tests
all run commands here, as httpie's `core.main(args, env)` does. What a command
reads and writes is in its Environment: its standard streams, its environment
variables, where `show` pages, and (in a resident process) the engine kept
current. Every failure becomes one line on the Environment's stderr and an exit
status, with the traceback only for -v.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from newscli.environment import Environment
from newscli.errors import ExitStatus, NewscliError
from newscli.safe import clean

if TYPE_CHECKING:
    import click

__all__ = ["Environment", "run"]


def run(argv: Sequence[str], env: Environment) -> int:
    """Runs the command line `argv` (without the program's name) in `env`: its exit status."""
    import click

    from newscli.cli import cli
    from newscli.context import Invocation

    verbose = any(a in ("-v", "--verbose") for a in argv)
    invocation = Invocation(env, run)
    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        code = cli.main(list(argv), "newscli", standalone_mode=False, obj=invocation)
    except SystemExit as e:  # a command's own exit status
        code = e.code
    except click.exceptions.NoArgsIsHelpError as e:
        invocation.echo(e.ctx.get_help() if e.ctx else "")
        code = ExitStatus.SUCCESS
    except click.UsageError as e:
        code = _fail(env, _usage(e), ExitStatus.ERROR)
    except click.Abort:
        code = _fail(env, "interrupted", ExitStatus.INTERRUPTED)
    except NewscliError as e:
        code = _fail(env, e.message + (f" ({e.hint})" if e.hint else ""), e.exit_code, verbose)
    except KeyboardInterrupt:
        code = _fail(env, "interrupted", ExitStatus.INTERRUPTED)
    except BrokenPipeError:  # its reader went (`| head`): nothing left to say, and nothing more to flush there
        code = ExitStatus.SUCCESS
        _quiet(env.stdout)
    except OSError as e:  # a folder that cannot be written, a full disk
        where = f": {e.filename}" if e.filename else ""
        code = _fail(env, f"{e.strerror or e}{where}", ExitStatus.ERROR, verbose)
    except Exception as e:
        if type(e).__name__ == "OperationalError" and "locked" in str(e):  # sqlite3's, not loaded here
            code = _fail(
                env, f"{e}: another newscli is using it (try again when it is done)", ExitStatus.ERROR, verbose
            )
        else:
            message = f"unexpected error: {type(e).__name__}: {e} (run with -v for details)"
            code = _fail(env, message, ExitStatus.ERROR, verbose)
    finally:
        if signal.getsignal(signal.SIGINT) is _interrupt:  # after a Ctrl-C, a second one still quits at once
            signal.signal(signal.SIGINT, previous)
    for stream in (env.stdout, env.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _quiet(stream)
        except (OSError, ValueError):
            pass
    return int(code) if isinstance(code, int) else 0 if code is None else int(ExitStatus.ERROR)  # a plain int, to send


def _usage(e: click.UsageError) -> str:
    """A usage error with the command it is about (unless it is newscli's own) and where to look."""
    import click

    command = e.ctx.command_path if e.ctx else "newscli"
    hint = f"see '{command} --help'"
    takes_query = e.ctx is not None and any(p.name == "query" for p in e.ctx.command.params)
    if isinstance(e, click.NoSuchOption) and takes_query and not e.option_name.startswith("--"):
        hint = f"to search for a word with a leading -, put -- before the query: {command} -- -word"
    about = f"{command}: " if command != "newscli" else ""
    return f"{about}{e.format_message()} ({hint})"


def _fail(env: Environment, message: str, code: ExitStatus, verbose: bool = False) -> ExitStatus:
    if verbose:
        import traceback  # only for -v: it costs every command a few milliseconds to load

        traceback.print_exc(file=env.stderr)
    try:
        env.stderr.write(f"newscli: error: {clean(message)}\n")
    except OSError:
        pass
    return code


def _quiet(stream: TextIO) -> None:
    """What is still buffered for a stream whose reader went is dropped: its file goes to /dev/null."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C stops the command cleanly (indexing keeps what it committed)."""
    signal.signal(signal.SIGINT, _abort)
    raise KeyboardInterrupt


def _abort(signum: int, frame: object) -> None:
    """A second Ctrl-C quits at once: the index is consistent at every moment, so nothing is lost."""
    os.write(2, b"\nnewscli: aborted\n")
    os._exit(ExitStatus.INTERRUPTED)
