"""Property tests: whatever bytes or text arrive, the parsers raise only newscli's own errors,
and an article written in any supported format reads back with the same fields."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newscli.errors import NewscliError
from newscli.formats import DEFAULT_NAMES, SUFFIXES, parse, to_article
from newscli.query import prepare

TOKEN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs")), min_size=1, max_size=12)
FIELD_TEXT = st.lists(TOKEN, min_size=1, max_size=6).map(" ".join)
WORDS = st.lists(st.from_regex(r"[A-Za-z][a-z]{1,9}", fullmatch=True), min_size=3, max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(sorted(SUFFIXES)))
def test_any_bytes_raise_only_newscli_errors(data: bytes, suffix: str) -> None:
    try:
        for parsed in parse(data, suffix, DEFAULT_NAMES):
            if parsed.error is None:
                to_article(parsed.fields, id="x", path="p", record=parsed.record, markup=parsed.markup)
    except NewscliError:
        pass


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_any_query_is_prepared_or_refused_cleanly(text: str) -> None:
    try:
        prepare(text)
    except NewscliError:
        pass


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    title=FIELD_TEXT.filter(lambda t: t.split() == t.split(" ")),
    source=FIELD_TEXT.filter(lambda t: "+" not in t and ";" not in t and t.split() == t.split(" ")),
    body=WORDS,
    tags=st.lists(st.from_regex(r"[a-z]{2,8}", fullmatch=True), max_size=3, unique=True),
    day=st.dates().map(lambda d: d.isoformat()),
    suffix=st.sampled_from([".md", ".txt", ".json", ".jsonl"]),
)
def test_an_article_reads_back_with_its_fields(
    title: str, source: str, body: str, tags: list[str], day: str, suffix: str
) -> None:
    fields = {"title": title, "source": source, "date": day, "tags": tags, "url": "https://example.com/a"}
    if suffix in (".json", ".jsonl"):
        data = json.dumps({**fields, "body": body}, ensure_ascii=False)
    else:
        data = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + body + "\n"
    [parsed] = list(parse(data.encode(), suffix, DEFAULT_NAMES))
    assert parsed.error is None
    article = to_article(parsed.fields, id="x", path="p", record=parsed.record, markup=parsed.markup)
    assert (article.title, article.source, article.date) == (title, source, day)
    assert (article.tags, article.url, article.body) == (tuple(tags), "https://example.com/a", body)
