"""YAML as newscli reads it (front matter, folder defaults, the config file), and its errors put into words."""

from __future__ import annotations

import re
from functools import cache
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


@cache
def loader() -> Any:
    """yaml.SafeLoader, refusing aliases and keeping an impossible date (2024-02-30) as text.

    An alias repeats a value without its bytes: nine nested levels of them expand to
    billions of items once the value is used. Dates are checked with the article's
    other fields, which name the field and skip only that article.
    """
    import yaml  # only archives with YAML in them need it

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
            return super().compose_node(parent, index)

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return Loader


def load_yaml_mapping(text: str, *, first_line: int = 1, what: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(text, Loader=loader())  # noqa: S506  (a SafeLoader)
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
