"""The manual: the pages of `docs/` (shipped as `newscli.docs`), for `newscli help` and as man pages.

One source for each: a topic's page is its Markdown file, shown in the terminal by
`newscli help TOPIC` and turned into roff for `man newscli-TOPIC`; a command's man
page is made from the command's own `--help` (click's), as `docs/commands.md` is.
The man pages are written by `NEWSCLI_WRITE_DOCS=1 pytest tests/test_docs.py`,
which otherwise checks that they are current.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from typing import Any

TOPICS = (
    "archive",
    "query",
    "ranking",
    "stories",
    "feeds",
    "reading",
    "monitoring",
    "exporting",
    "server",
    "configuration",
    "json",
    "architecture",
    "commands",
)
DATE = "2026-12"


def folder() -> Traversable:
    return resources.files("newscli.docs")


def page(topic: str) -> str:
    """A topic's page, as Markdown."""
    return folder().joinpath(f"{topic}.md").read_text(encoding="utf-8")


def summary(topic: str) -> str:
    """A topic's title, the first line of its page."""
    return page(topic).split("\n", 1)[0].lstrip("# ").strip()


# --- roff -------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Text as roff shows it: backslashes doubled, dashes kept as dashes, other than ASCII as
    characters by name (roff reads Latin-1), no line starting a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = re.sub(r"[^\x00-\x7f]", lambda m: f"\\[u{ord(m.group()):04X}]", text)
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def _inline(text: str) -> str:
    """Markdown's inline marks as roff fonts: `code` and **strong** in bold, *emphasis* in italics, links as text."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    parts = re.split(r"(`[^`]+`|\*\*[^*]+\*\*)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"\\fB{_escape(part[1:-1])}\\fR")
        elif part.startswith("**") and part.endswith("**") and len(part) > 3:
            out.append(f"\\fB{_escape(part[2:-2])}\\fR")
        else:
            out.append(_escape(part))
    return "".join(out)


def markdown_to_roff(markdown: str, name: str, section: int) -> str:
    """A page of Markdown (as docs/ writes it: headings, paragraphs, lists, code blocks, tables) as a man page."""
    lines = markdown.split("\n")
    title = lines[0].lstrip("# ").strip()
    out = [_header(name, section), ".SH NAME", f"{_escape(name)} \\- {_inline(title)}", ".SH DESCRIPTION"]
    paragraph: list[str] = []
    fenced = item = False

    def flush() -> None:
        if paragraph:
            out.extend([".PP", _inline(" ".join(paragraph))])
            paragraph.clear()

    for line in lines[1:]:
        if line.startswith("```"):
            flush()
            fenced = not fenced
            out.extend([".RS 4", ".nf"] if fenced else [".fi", ".RE"])
        elif fenced:
            out.append(_escape(line) or "\\&")
        elif line.startswith("#"):
            flush()
            out.append(f"{'.SH' if line.startswith('## ') else '.SS'} {_inline(line.lstrip('# ').strip()).upper()}")
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):  # not the line under the header
                out.extend([".TP", _inline(cells[0]), _inline(" \u2014 ".join(cells[1:]))])
        elif re.match(r"\s*([-*]|\d+\.) ", line):
            flush()
            item = True
            out.extend([".IP \\(bu 2", _inline(re.sub(r"^\s*([-*]|\d+\.) ", "", line))])
        elif item and line.startswith(" ") and line.strip():
            out[-1] += " " + _inline(line.strip())
        elif line.startswith("    ") and not paragraph:
            out.extend([".RS 4", ".nf", _escape(line.strip()), ".fi", ".RE"])
        elif line.strip():
            item = False
            paragraph.append(line.strip())
        else:
            flush()
            item = False
    flush()
    return "\n".join(out) + "\n"


def _header(name: str, section: int) -> str:
    return f'.TH "{name.upper()}" "{section}" "{DATE}" "newscli" "newscli manual"'


def command_to_roff(command: Any, ctx: Any, name: str, *, whole: bool = True) -> str:
    """A click command as a man page: its help text and options, and for a group its commands (`whole`:
    each with its own help; else each named, with its man page)."""
    out = [_header(name, 1), ".SH NAME", f"{_escape(name)} \\- {_escape(command.get_short_help_str(200))}"]
    out += [".SH SYNOPSIS", _synopsis(command, ctx)]
    out += [".SH DESCRIPTION", *_help_text(command.help or "")]
    out += _options(command, ctx)
    subcommands = [(n, c) for n, c in sorted(getattr(command, "commands", {}).items()) if not c.hidden]
    if subcommands and not whole:
        out.append(".SH COMMANDS")
        for sub_name, sub in subcommands:
            out += [".TP", f"\\fB{_escape(sub_name)}\\fR", _escape(sub.get_short_help_str(200))]
            out.append(f"See \\fB{_escape(name)}\\-{_escape(sub_name)}\\fR(1).")
        return "\n".join(out) + "\n"
    for sub_name, sub in subcommands:
        sub_ctx = type(ctx)(sub, parent=ctx, info_name=sub_name)
        out += [f".SH {_escape(ctx.command_path + ' ' + sub_name).upper()}"]
        out += [_synopsis(sub, sub_ctx)]
        out += _help_text(sub.help or "")
        out += _options(sub, sub_ctx, heading=".SS OPTIONS")
    return "\n".join(out) + "\n"


def _synopsis(command: Any, ctx: Any) -> str:
    return f"\\fB{_escape(ctx.command_path)}\\fR {_escape(' '.join(command.collect_usage_pieces(ctx)))}"


def _help_text(text: str) -> Iterator[str]:
    """Click's help text: paragraphs, and the blocks after \\b kept as they are written."""
    import inspect

    for block in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        if block.startswith("\b"):
            yield from [".PP", ".nf", *(_escape(line) for line in block.split("\n")[1:]), ".fi"]
        else:
            yield from [".PP", _escape(" ".join(line.strip() for line in block.split("\n")))]


def _options(command: Any, ctx: Any, heading: str = ".SH OPTIONS") -> list[str]:
    options = [p for p in command.get_params(ctx) if p.param_type_name == "option"]
    records = [r for p in options if (r := p.get_help_record(ctx))]
    out = [heading] if records else []
    for names, about in records:
        out += [".TP", f"\\fB{_escape(names)}\\fR", _escape(about)]
    return out
