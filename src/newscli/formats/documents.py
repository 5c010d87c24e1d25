"""Files of one article each: plain text and Markdown, either with YAML front matter."""

from __future__ import annotations

import re
from collections.abc import Iterator

from newscli.formats.base import Names, Parsed, Reader
from newscli.formats.fields import pick
from newscli.formats.frontmatter import split_front_matter
from newscli.formats.text import parse_text
from newscli.models import Markup

_HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t#]*$")


def _text(text: str, names: Names) -> Iterator[Parsed]:
    meta, body = split_front_matter(text)
    fields = pick(meta, names) if meta else {}
    yield Parsed({**parse_text(body, titled="title" in fields), **fields})


def _markdown(text: str, names: Names) -> Iterator[Parsed]:
    meta, body = split_front_matter(text)
    fields = pick(meta, names) if meta else {}
    title, rest = markdown_title(body)
    if "title" in fields:
        derived: dict[str, object] = {"body": body}
    elif title is not None:
        derived = {"title": title, "body": rest}
    else:
        derived = parse_text(body)
    yield Parsed({**derived, **fields}, markup=Markup.MARKDOWN)


def markdown_title(body: str) -> tuple[str | None, str]:
    """A Markdown body's first-level heading, if it opens the body, and the rest."""
    first, _, rest = body.lstrip().partition("\n")
    if m := _HEADING.match(first):
        return m["title"], rest.lstrip("\n")
    return None, body


TEXT = Reader("text", frozenset({".txt"}), _text)
MARKDOWN = Reader("markdown", frozenset({".md", ".markdown"}), _markdown)
