"""Text from outside (articles, and what a person typed) made safe to print on a terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Control characters shown as `^[`-style symbols, so none reaches the terminal as a command."""
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """`clean`, with line breaks shown too: for a line of talk on stderr."""
    return clean(text).replace("\n", "^J")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "^" + chr((code + 64) % 128) if code < 128 else "\ufffd"
