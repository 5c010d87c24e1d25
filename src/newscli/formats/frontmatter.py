"""YAML: an article's front matter, and the one place YAML errors are put into words."""

from __future__ import annotations

import re
from typing import Any

from newscli.errors import ArticleError
from newscli.formats.fields import kind

_FENCE = re.compile(r"^---[ \t]*$", re.M)
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """The front matter of a file that starts with `---`, and the body after it."""
    if not _FENCE.match(text):
        return None, text
    first_newline = text.find("\n")
    if first_newline < 0:
        raise ArticleError("front matter opened on line 1 is never closed")
    close = _CLOSE.search(text, first_newline + 1)
    if close is None:
        raise ArticleError("front matter opened on line 1 is never closed")
    block = text[first_newline + 1 : close.start()]
    meta = load_yaml_mapping(block, first_line=2, what="front matter")
    return meta, text[close.end() :].lstrip("\n")


def load_yaml_mapping(text: str, *, first_line: int = 1, what: str) -> dict[str, Any]:
    import yaml  # only archives with YAML in them need it

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        line, problem = yaml_problem(e)
        where = f" at line {line + first_line - 1}" if line else ""
        raise ArticleError(f"invalid YAML in {what}{where}: {problem}") from None
    except RecursionError:
        raise ArticleError(f"{what} is nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ArticleError(f"{what} must be a mapping of fields, not {kind(data)}")
    return data


def yaml_problem(error: Exception) -> tuple[int | None, str]:
    """The 1-based line a YAML error is at, and what is wrong there."""
    # The context mark is where the broken construct starts; the problem mark, where
    # the parser gave up (often the end of the text).
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return (mark.line + 1 if mark is not None else None), problem
