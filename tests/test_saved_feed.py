"""`newscli saved feed`: a saved search as an Atom 1.0 feed, read back by feedparser and followed by newscli."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from pytest_httpserver import HTTPServer

from .conftest import Run, doc, index, write

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Harbour <strike> & "lock-out" \x1b[2J\u202e at ]]> {dock} 100%'


@pytest.fixture
def harbour(run: Run, tmp_path: Path) -> Path:
    root = tmp_path / "news"
    hostile = {
        "title": HOSTILE,
        "body": "Dockers walked out. " * 60,
        "date": "2024-05-01T08:00:00Z",
        "source": "Wire",
        "authors": ["Zoë Çelik"],
        "url": "https://example.org/a?x=1&y=2",
    }
    write(root / "a.jsonl", json.dumps(hostile) + "\n")
    write(root / "b.md", doc("Harbour cranes idle", "The cranes stood still.", date="2024-05-02"))
    write(root / "c.txt", "Harbour notes\n\nUndated, unsourced, no author.\n")
    index(run, root)
    assert run("saved", "add", "harbour", "harbour").exit_code == 0
    return root


def test_the_feed_is_valid_atom_with_every_required_element(run: Run, harbour: Path) -> None:
    result = run("saved", "feed", "harbour")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "\x1b" not in text and "\u202e" not in text
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "urn:newscli:saved:harbour" and parsed.feed.title == "newscli: @harbour"
    assert parsed.feed.updated == "2024-05-02T00:00:00Z"
    titles = [e.title for e in parsed.entries]
    assert titles == ["Harbour cranes idle", HOSTILE.replace("\x1b", "").replace("\u202e", ""), "Harbour notes"]
    hostile = parsed.entries[1]
    assert hostile.link == "https://example.org/a?x=1&y=2" and hostile.author == "Zoë Çelik"
    assert hostile.source.title == "Wire" and hostile.updated == "2024-05-01T08:00:00Z"
    assert hostile.summary.startswith("Dockers walked out.") and hostile.summary.endswith("…")
    undated = parsed.entries[2]
    assert undated.link.endswith("/news/c.txt") and undated.updated == "1970-01-01T00:00:00Z"
    assert f'href="{(harbour / "c.txt").as_uri()}"' in text
    root = ET.fromstring(text)  # RFC 4287's musts, element by element
    for element in ("id", "title", "updated", "author"):
        assert root.find(ATOM + element) is not None, element
    for entry in root.findall(ATOM + "entry"):
        for element in ("id", "title", "updated", "link"):
            assert entry.find(ATOM + element) is not None, element
    ids = [e.id for e in parsed.entries]
    again = feedparser.parse(run("saved", "feed", "harbour").stdout)
    assert [e.id for e in again.entries] == ids and len(set(ids)) == 3


def test_the_feed_is_written_whole_to_a_file_and_seen_stays_unmoved(run: Run, harbour: Path, tmp_path: Path) -> None:
    write(harbour / "d.md", doc("Harbour reopens", "Ships came in.", date="2024-05-03"))
    result = run("saved", "feed", "@harbour", "-o", "harbour.xml", "--limit", "2")
    assert result.exit_code == 0 and "wrote the 2 newest matches of @harbour to harbour.xml" in result.stderr
    parsed = feedparser.parse((tmp_path / "harbour.xml").read_text())
    assert [e.title for e in parsed.entries] == ["Harbour reopens", "Harbour cranes idle"]
    saved = json.loads(run("saved", "--json").stdout)["saved"][0]
    assert saved["new"] == 1  # a feed written is not a look
    unknown = run("saved", "feed", "nothing")
    assert unknown.exit_code == 2 and "no saved search called @nothing" in unknown.stderr


def test_the_feed_served_over_http_is_followed_by_newscli(
    run: Run, harbour: Path, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = run("saved", "feed", "harbour").stdout
    httpserver.expect_request("/harbour.xml").respond_with_data(feed, content_type="application/atom+xml")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "elsewhere" / "data"))  # another person's newscli
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere" / "config"))
    added = run("feeds", "add", httpserver.url_for("/harbour.xml"))
    assert added.exit_code == 0, added.stderr
    fetched = run("fetch")
    assert fetched.exit_code == 0 and "3 new" in fetched.stderr, fetched.stderr
    found = json.loads(run("search", "cranes", "--json").stdout)["hits"]
    assert [h["title"] for h in found] == ["Harbour cranes idle"]
    assert os.path.exists(tmp_path / "elsewhere" / "data" / "newscli" / "feeds")
