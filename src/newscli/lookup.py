"""Finding one article from what a person types: an ID, a prefix of one, or a file path."""

from __future__ import annotations

import os
import re

from newscli.archive import absolute
from newscli.engine import Engine
from newscli.errors import NewscliError, NotFound
from newscli.formats import reader_for
from newscli.formats.decode import decode
from newscli.models import Article

MIN_PREFIX = 4
_HEX = re.compile(r"^[0-9a-f]+$")
_RECORD = re.compile(r"^(?P<path>.+):(?P<record>\d+)$")


class Ambiguous(NewscliError):
    def __init__(self, ref: str, candidates: list[Article]) -> None:
        super().__init__(f"the ID prefix '{ref}' matches {len(candidates)} articles; give more characters")
        self.candidates = candidates


def find(engine: Engine, ref: str) -> Article:
    ref = ref.strip()
    if _looks_like_path(ref):
        return _by_path(engine, ref)
    lowered = ref.lower()
    if not _HEX.match(lowered):
        raise NotFound(f"no article with ID '{ref}'", hint="IDs are hexadecimal, as `newscli search` shows")
    if len(lowered) < MIN_PREFIX:
        raise NewscliError(f"the ID prefix '{ref}' is too short: give at least {MIN_PREFIX} characters")
    exact = engine.get(lowered)
    if exact is not None:
        return exact
    candidates = engine.with_prefix(lowered, limit=10)
    if not candidates:
        raise NotFound(f"no article with ID '{ref}'")
    if len(candidates) > 1:
        raise Ambiguous(ref, candidates)
    return candidates[0]


def _looks_like_path(ref: str) -> bool:
    return os.sep in ref or os.path.exists(ref) or bool(_RECORD.match(ref) and not _HEX.match(ref))


def _by_path(engine: Engine, ref: str) -> Article:
    record: int | None = None
    path = ref
    if not os.path.exists(ref) and (m := _RECORD.match(ref)):
        path, record = m["path"], int(m["record"])
    full = absolute(path)
    articles = engine.in_file(full)
    if record is not None:
        articles = [a for a in articles if a.record == record]
    if not articles:
        if not os.path.exists(full):
            raise NotFound(f"no such file: {path}")
        raise NotFound(f"no article from {ref} is in the index", hint=f"index it: newscli index {path}")
    if len(articles) > 1:
        reader = reader_for(full)
        place = reader.place if reader and reader.place else "its place in the file"
        raise NewscliError(
            f"{path} holds {len(articles)} articles: name one as {path}:N (N is the {place}, e.g. {articles[0].record})"
        )
    return articles[0]


def raw_text(article: Article) -> str:
    """The article as its file has it: the whole file, or its one record."""
    try:
        with open(article.path, "rb") as f:
            text = decode(f.read())
    except OSError as e:
        raise NotFound(f"cannot read {article.path}: {e.strerror}") from None
    if article.record is None:
        return text
    reader = reader_for(article.path)
    raw = reader.raw(text, article.record) if reader and reader.raw else None
    if raw is None:
        raise NotFound(f"{article.path} changed since it was indexed; run `newscli index`")
    return raw
