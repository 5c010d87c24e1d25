"""Articles with named fields: YAML front matter, JSON and JSON Lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from newscli.errors import ArticleError

_FENCE = re.compile(r"^---[ \t]*$", re.M)
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t#]*$")


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


def markdown_title(body: str) -> tuple[str | None, str]:
    """A Markdown body's first-level heading, if it opens the body, and the rest."""
    first, _, rest = body.lstrip().partition("\n")
    if m := _HEADING.match(first):
        return m["title"], rest.lstrip("\n")
    return None, body


def json_records(text: str) -> Iterator[tuple[int | None, object]]:
    """(index, record) for each element of a .json file: a list of records, or one (index None)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ArticleError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise ArticleError("JSON nested too deeply") from None
    if isinstance(data, list):
        yield from enumerate(data)
    else:
        yield None, data


def jsonl_records(text: str) -> Iterator[tuple[int | None, object]]:
    """(line number, record or ArticleError) for each non-blank line of a .jsonl file."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            yield number, ArticleError(f"invalid JSON at column {e.colno}: {e.msg}")
        except RecursionError:
            yield number, ArticleError("JSON nested too deeply")


def pick(record: Mapping[str, Any], names: Mapping[str, list[str]]) -> dict[str, Any]:
    """Canonical fields from a record, each taken from the first of its names present."""
    fields: dict[str, Any] = {}
    for canonical, candidates in names.items():
        for name in candidates:
            value = record.get(name)
            if value is not None and value != "" and value != []:
                fields[canonical] = value
                break
    return fields


def kind(value: object) -> str:
    """How a value's type is named in a message."""
    names = {list: "a list", dict: "a mapping", str: "text", bool: "true/false"}
    return names.get(type(value), type(value).__name__)
