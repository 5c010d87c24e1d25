"""Text from outside (articles, feeds, labels, and what a person typed) made safe to show.

One rule for every surface, rich and Textual alike: C0 controls but tab and newline,
DEL, C1 controls, and the bidirectional controls that reorder what a line seems to
say (U+202A-U+202E, U+2066-U+2069) are made visible, so none reaches a terminal as a
command. Renderers then put the result into the screen as text, never as markup.
"""

from __future__ import annotations

import re

# What a terminal obeys beyond C0 (DEL, C1, the bidi controls), as the inside of a character class:
# one spelling for every pattern that keeps outside text from the terminal.
OBEYED = "\x7f-\x9f\u202a-\u202e\u2066-\u2069"
CONTROLS = "\x00-\x1f" + OBEYED
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{OBEYED}]")
_REFUSED = re.compile(f"[{CONTROLS}]")


def clean(text: str) -> str:
    """Control characters shown as `^[` (C0, DEL) or `<U+202E>` (C1, bidi), so none reaches the terminal."""
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str) -> str:
    """`clean`, with line breaks shown too: for a line of talk on stderr."""
    return clean(text).replace("\n", "^J")


def control(text: str) -> str | None:
    """The first control character of `text` as `clean` shows it (None if it has none): for names a
    person gives (labels, saved searches), which refuse them rather than keep them."""
    found = _REFUSED.search(text)
    return _visible(found) if found else None


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20 or code == 0x7F:
        return "^" + chr((code + 64) % 128)
    return f"<U+{code:04X}>"
