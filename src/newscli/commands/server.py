"""`newscli server status|start|stop|run`: the resident process, shown and controlled."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import TYPE_CHECKING

import click

from newscli.context import CONTEXT, Invocation, NewscliGroup, output_options, pass_invocation
from newscli.errors import ExitStatus, NewscliError

WAIT = 0.05

if TYPE_CHECKING:
    from newscli.server.resident import Resident


@click.group(cls=NewscliGroup, context_settings=CONTEXT)
def server() -> None:
    """The resident index process: it keeps the index open and current, so that commands answer at once.

    With `server: auto` (the default) the first read command (search, show, list,
    sources, timeline, related) starts one in the background for its index
    folder; it ends after `server_idle` minutes without a command (30 by
    default). `server: off` in the config file, or `newscli --no-server`, keeps
    every command in its own process. Output is the same either way.

    \b
    Examples:
      newscli server status          is one running, and what it holds
      newscli server stop            end it (the next command starts another)
      newscli server start           start one now, without waiting for a command
    """


@server.command()
@output_options
@pass_invocation
def status(inv: Invocation, json_: bool) -> None:
    """Show the resident process of the index: pid, uptime, articles, memory, what it watches.

    Exit status 1 if none runs.
    """
    from newscli.server.reach import request

    resident = _place(inv)
    reply = request(resident, {"status": True})
    if json_:
        from newscli import render

        inv.echo(render.server_status_json(reply))
    if reply is None:
        if pid := resident.holder():  # it holds the lock but does not answer: stopped (kill -STOP), or stuck
            inv.say(f"the resident process {pid} for {inv.config.index_dir} does not answer (`server stop` ends it)")
        else:
            inv.say(f"no resident process for {inv.config.index_dir}")
        sys.exit(ExitStatus.NO_MATCH)
    if json_:
        return
    from newscli import render

    inv.out.print(render.server_status(reply))


@server.command()
@pass_invocation
def start(inv: Invocation) -> None:
    """Start the resident process of the index in the background, unless one runs."""
    from newscli.server.reach import request
    from newscli.server.reach import start as spawn

    resident = _place(inv)
    if inv.config.server == "off":
        raise NewscliError("the config file says `server: off`", hint="set `server: auto` to use one")
    if (reply := request(resident, {"status": True})) is None:
        if resident.blocked():
            raise NewscliError(f"{resident.socket} is in the way of the resident process's socket: not a socket")
        spawn(_options(inv))
        started = time.monotonic()
        while (reply := request(resident, {"status": True})) is None and time.monotonic() < started + 30:
            if time.monotonic() > started + 2 and resident.holder() is None:  # it ended, or never began
                raise NewscliError("the resident process ended as it started", hint=f"its log: {resident.log}")
            time.sleep(WAIT)
        if reply is None:
            inv.say(f"starting; still indexing the archive (its log: {resident.log})")
            return
    inv.say(f"resident process {reply['pid']} answering for {inv.config.index_dir}")


@server.command()
@pass_invocation
def stop(inv: Invocation) -> None:
    """End the resident process of the index; commands answer in their own processes until one starts again."""
    from newscli.server.reach import request

    resident = _place(inv)
    reply = request(resident, {"stop": True})
    pid = reply.get("stopping") if reply else resident.holder()
    if pid is None:
        inv.say(f"no resident process was running for {inv.config.index_dir}")
        return
    if reply is None and pid:  # still indexing before it answers, or stopped (kill -STOP), or stuck
        _signal(pid, signal.SIGTERM)
        _signal(pid, signal.SIGCONT)
    holder = _wait_for_end(resident, pid, 10)
    if holder in (pid, 0) and pid:  # it did not end as asked: ended
        _signal(pid, signal.SIGKILL)
        holder = _wait_for_end(resident, pid, 5)
    if holder in (pid, 0):
        raise NewscliError(f"the resident process {pid} did not end", hint=f"its log: {resident.log}")
    inv.say(f"stopped the resident process {pid}")
    if holder is not None:  # a command, or `server start`, started another the moment the lock was free
        inv.say(f"another, {holder}, has started since")


@server.command(hidden=True)
@pass_invocation
def run(inv: Invocation) -> None:
    """Run the resident process in the foreground (what `start` runs in the background)."""
    from newscli.server import daemon

    resident = _place(inv)
    if not inv.env.stderr.isatty():  # started in the background: talk goes to its log
        mode = "w" if not os.path.exists(resident.log) or os.path.getsize(resident.log) > 1 << 20 else "a"
        with open(resident.log, mode, encoding="utf-8") as f:
            os.dup2(f.fileno(), 2)
    if not daemon.serve(inv.config, resident, inv.run):
        inv.say(f"a resident process already runs for {inv.config.index_dir}")


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _wait_for_end(resident: Resident, pid: int, seconds: float) -> int | None:
    """The lock's holder once `pid` has let go of it, or when `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while (holder := resident.holder()) in (pid, 0) and time.monotonic() < deadline:
        time.sleep(WAIT)  # 0: a process that took the lock has not written its pid yet
    return holder


def _place(inv: Invocation):  # type: ignore[no-untyped-def]
    from newscli.server.resident import Resident, UnsafeFolder

    resident = Resident(str(inv.config.index_dir))
    try:
        resident.make()
    except (OSError, UnsafeFolder) as e:
        raise NewscliError(f"no place for the resident process's socket: {e}") from None
    return resident


def _options(inv: Invocation) -> list[str]:
    given = [("--config", inv.config_file), ("--index-dir", inv.index_dir)]
    return [f"{name}={value}" for name, value in given if value]
