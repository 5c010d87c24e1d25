"""Reading every article format, without the CLI."""

from __future__ import annotations

import codecs
import json

import pytest

from newscli.errors import ArticleError
from newscli.formats import DEFAULT_NAMES, Parsed, parse, to_article
from newscli.formats.decode import decode
from newscli.formats.text import is_caption, lead_title
from newscli.models import Markup

from .conftest import CORPORA, SEED


def one(data: bytes | str, suffix: str = ".txt") -> Parsed:
    raw = data.encode() if isinstance(data, str) else data
    [parsed] = list(parse(raw, suffix, DEFAULT_NAMES))
    return parsed


def article(data: bytes | str, suffix: str = ".txt"):
    parsed = one(data, suffix)
    return to_article(parsed.fields, id="x", path="p", record=parsed.record, markup=parsed.markup)


def test_seed_article_has_caption_source_and_a_headline_title() -> None:
    a = article(SEED.read_bytes())
    assert a.source == "Al Jazeera + agencies"
    assert a.outlets == ("Al Jazeera", "agencies")
    assert a.caption == "French President Emmanuel Macron (right) and Russian President Vladimir Putin (agencies)"
    assert a.title == (
        "Kremlin spokesman Dmitry Peskov warned that sending troops to Ukraine would not be in the West's interest"
    )
    assert a.body.startswith("Kremlin spokesman Dmitry Peskov warned")
    assert "Source:" not in a.body
    assert a.caption not in a.body


def test_plain_text_first_line_is_the_title() -> None:
    a = article("Chelsea sack Mutu\n\nChelsea have sacked Adrian Mutu.\n\nMore text.\n")
    assert (a.title, a.caption, a.source) == ("Chelsea sack Mutu", None, None)
    assert a.body == "Chelsea have sacked Adrian Mutu.\n\nMore text."


@pytest.mark.parametrize(
    "line",
    [
        "Protesters gather outside parliament (left) on Monday",
        "A damaged building in Kharkiv (Reuters)",
        "Rescue workers at the scene (AFP)",
        "The summit in Brussels (Getty Images)",
        "Troops on parade (John Smith/Reuters)",
    ],
)
def test_photo_captions_are_recognised(line: str) -> None:
    assert is_caption(line)


@pytest.mark.parametrize("line", ["Chelsea sack Mutu", "Ask Jeeves tips online ad revival", "Bahia Cocoa Review"])
def test_headlines_are_not_captions(line: str) -> None:
    assert not is_caption(line)


def test_lead_title_cuts_long_sentences_at_a_word_boundary() -> None:
    title = lead_title("word " * 60)
    assert len(title) <= 110 and title.endswith("…") and " wor…" not in title


def test_lead_title_stops_at_the_first_sentence() -> None:
    assert lead_title("Mr. Smith went to Washington. He met the U.S. president.") == "Mr. Smith went to Washington"


def test_bbc_pound_sign_byte_is_decoded() -> None:
    a = article((CORPORA / "bbc" / "sport" / "199.txt").read_bytes())
    assert a.title == "Chelsea sack Mutu"
    assert "£15.8m" in a.body


@pytest.mark.parametrize(
    "data",
    [
        "Café in Zürich".encode("latin-1"),
        "Café in Zürich".encode("cp1252"),
        codecs.BOM_UTF16_LE + "Café in Zürich".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Café in Zürich".encode("utf-16-be"),
        "Café in Zürich".encode("utf-16-le"),
        codecs.BOM_UTF8 + "Café in Zürich".encode(),
    ],
)
def test_encodings_are_decoded(data: bytes) -> None:
    assert decode(data) == "Café in Zürich"


def test_binary_is_refused() -> None:
    with pytest.raises(ArticleError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")


def test_front_matter_fields_win_and_body_follows() -> None:
    a = article(
        "---\ntitle: Given title\nsource: Reuters\ndate: 2024-02-27\nauthors: [Ann Lee, Bo Chen]\n"
        "url: https://example.com/a\ntags: war, europe\nlanguage: en\ncaption: A photo\nid: abc-1\n---\n"
        "First line\n\nBody text.\n"
    )
    assert a.title == "Given title"
    assert (a.source, a.date, a.authors) == ("Reuters", "2024-02-27", ("Ann Lee", "Bo Chen"))
    assert (a.url, a.tags, a.language, a.caption) == (
        "https://example.com/a",
        ("war", "europe"),
        "en",
        "A photo",
    )
    assert "First line" in a.body


def test_markdown_heading_is_the_title_and_body_stays_markdown() -> None:
    a = article("---\nsource: Blog\n---\n# A *big* day\n\n- one\n- two\n", ".md")
    assert a.title == "A *big* day"
    assert a.markup == Markup.MARKDOWN
    assert a.body == "- one\n- two"


def test_unclosed_front_matter_is_an_error() -> None:
    with pytest.raises(ArticleError, match="never closed"):
        one("---\ntitle: x\nbody\n")


def test_invalid_front_matter_names_its_line() -> None:
    with pytest.raises(ArticleError, match="line 3"):
        one("---\ntitle: ok\nsource: [unclosed\n---\nbody\n")


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("title: [1, 2]", "field 'title' must be text, not a list"),
        ("date: yesterday-ish", "field 'date'"),
        ("tags: 5", "field 'tags' must be text or a list"),
        ("source: {a: b}", "field 'source' must be text, not a mapping"),
    ],
)
def test_fields_of_the_wrong_type_are_named(yaml: str, message: str) -> None:
    with pytest.raises(ArticleError, match=message):
        article(f"---\n{yaml}\n---\nbody\n")


def test_json_prefers_untokenised_text_and_common_names() -> None:
    record = {
        "headline": "H",
        "publisher": "P",
        "publishedAt": "2019-08-19T10:00:00Z",
        "byline": "By Ann Lee",
        "link": "https://x",
        "content": "tokenised , text",
        "content_original": "real, text",
    }
    a = article(json.dumps(record), ".json")
    assert (a.title, a.source, a.date, a.authors, a.url, a.body) == (
        "H",
        "P",
        "2019-08-19T10:00:00+00:00",
        ("Ann Lee",),
        "https://x",
        "real, text",
    )
    assert a.record is None


def test_json_list_records_carry_their_index() -> None:
    parsed = list(parse(json.dumps([{"title": "a"}, {"title": "b"}, 3]).encode(), ".json", DEFAULT_NAMES))
    assert [p.record for p in parsed] == [0, 1, 2]
    assert parsed[2].error is not None


def test_jsonl_bad_line_is_reported_and_the_rest_read() -> None:
    text = '{"title": "one"}\n{"title": \n\n{"title": "three"}\n'
    parsed = list(parse(text.encode(), ".jsonl", DEFAULT_NAMES))
    assert [(p.record, p.error is None) for p in parsed] == [(1, True), (2, False), (4, True)]


def test_deeply_nested_json_is_an_error_not_a_crash() -> None:
    with pytest.raises(ArticleError, match="nested too deeply"):
        one("[" * 200_000 + "]" * 200_000, ".json")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("8/19/19", "2019-08-19"),
        ("12/22/16", "2016-12-22"),
        ("", None),
        ("2024-02-27", "2024-02-27"),
        ("1987-02-26T15:01:01", "1987-02-26T15:01:01"),
        ("2024-02-27T10:00:00Z", "2024-02-27T10:00:00+00:00"),
    ],
)
def test_dates(value: str, iso: str | None) -> None:
    assert article(json.dumps({"title": "t", "date": value}), ".json").date == iso


def test_an_article_without_title_or_text_is_refused() -> None:
    with pytest.raises(ArticleError, match="no title and no text"):
        article("   \n\n  ")
