"""`newscli help [TOPIC]`: the manual's pages in the terminal, as `git help` shows its own."""

from __future__ import annotations

import click

from newscli.context import CONTEXT, Invocation, NewscliCommand, pass_invocation
from newscli.errors import ExitStatus


@click.command(name="help", cls=NewscliCommand, context_settings=CONTEXT)
@click.argument("topic", required=False)
@click.option("--man-path", is_flag=True, help="Print the folder of newscli's man pages (for MANPATH) and exit.")
@click.option("--no-pager", is_flag=True, help="Never page, even on a terminal.")
@pass_invocation
@click.pass_context
def help_(ctx: click.Context, inv: Invocation, topic: str | None, man_path: bool, no_pager: bool) -> None:
    """The manual: a topic's page (through the pager on a terminal), or the list of topics.

    TOPIC is one of the topics listed by `newscli help`, or a command, whose --help
    is shown. The same pages are in docs/ and, as man pages, in the folder that
    --man-path prints: `man newscli-query`, `man newscli-search`.

    \b
    Examples:
      newscli help                      the topics
      newscli help query                the query language
      newscli help search               the same as newscli search --help
      MANPATH="$(newscli help --man-path):" man newscli-query
    """
    from newscli import manual

    if man_path:
        inv.echo(str(manual.folder().joinpath("man")))
        return
    if topic is None:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        for name in manual.TOPICS:
            table.add_row(Text(name, style="bold"), manual.summary(name))
        inv.out.print(Text("newscli help TOPIC shows one of:\n"), table)
        return
    group = ctx.find_root().command
    command = group.get_command(ctx, topic) if isinstance(group, click.Group) else None
    if topic in manual.TOPICS:
        from rich.markdown import Markdown

        inv.page(Markdown(manual.page(topic)), allowed=not no_pager)
    elif command is not None:
        with click.Context(command, info_name=topic, parent=ctx.find_root()) as sub:
            inv.echo(command.get_help(sub))
    else:
        inv.say(f"no help topic or command {topic!r}; the topics: {', '.join(manual.TOPICS)}")
        ctx.exit(ExitStatus.NO_MATCH)
