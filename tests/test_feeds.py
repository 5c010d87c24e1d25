"""`newscli feeds`: following, listing, removing, importing and exporting subscriptions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .conftest import Run, write
from .test_fetch import PEERS, feed_files, item, rss

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World"><outline type="rss" text="Wire" xmlUrl="https://wire.example/rss"/>
    <outline text="Asia"><outline type="rss" title="Asia desk" xmlUrl="https://asia.example/feed"/></outline>
  </outline>
  <outline type="rss" title="Loose" xmlUrl="https://loose.example/atom" category="tech,science"/>
</body></opml>
"""


def feeds_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "feeds.yaml"


def listed(run: Run) -> list[dict[str, object]]:
    result = run("feeds", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["feeds"]  # type: ignore[no-any-return]


def test_add_finds_a_pages_feed_and_keeps_the_users_comments(run: Run, httpserver: HTTPServer) -> None:
    page = '<html><head><link rel="alternate" type="application/rss+xml" href="/news.rss"></head><body>Hi</body></html>'
    httpserver.expect_request("/").respond_with_data(page, content_type="text/html")
    httpserver.expect_request("/news.rss").respond_with_data(rss(item("1", "One"), title="Daily Planet"))
    write(feeds_file(), "# my feeds, kept by hand\n")
    result = run("feeds", "add", httpserver.url_for("/"), "--tag", "world", "--tag", "local")
    assert result.exit_code == 0, result.stderr
    assert f"following Daily Planet ({httpserver.url_for('/news.rss')}): 1 items now" in result.stderr
    assert feeds_file().read_text().startswith("# my feeds, kept by hand\n")
    (feed,) = listed(run)
    assert (feed["name"], feed["url"], feed["tags"], feed["status"]) == (
        "Daily Planet",
        httpserver.url_for("/news.rss"),
        ["world", "local"],
        "never fetched",
    )
    again = run("feeds", "add", httpserver.url_for("/news.rss"))
    assert again.exit_code == 2 and "already following" in again.stderr and "Daily Planet" in again.stderr
    assert run("feeds", "add", "ftp://example.org/feed").exit_code == 2


def test_add_reports_a_page_without_a_feed(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data("<html><body>nothing</body></html>", content_type="text/html")
    result = run("feeds", "add", httpserver.url_for("/"))
    assert result.exit_code == 2
    assert "neither a feed nor a page that links to one" in result.stderr
    assert not feeds_file().exists()


def test_the_list_shows_each_feeds_last_fetch(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data(rss(item("1", "One"), item("2", "Two")))
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    write(feeds_file(), f"- url: {httpserver.url_for('/ok')}\n  name: Good\n- url: {httpserver.url_for('/gone')}\n")
    run("fetch")
    shown = run("feeds")
    assert "Good" in shown.stdout and "error: HTTP 404" in shown.stdout
    rows = {f["name"]: f for f in listed(run)}
    assert rows["Good"]["new"] == 2 and rows["Good"]["status"] == "ok" and rows["Good"]["last_fetch"]
    assert rows[httpserver.url_for("/gone")]["failures"] == 1


def test_remove_keeps_or_deletes_the_articles(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data(rss(item("a1", "Apple harvest"), title="A"))
    httpserver.expect_request("/b").respond_with_data(rss(item("b1", "Banana harvest"), title="B"))
    for path in ("/a", "/b"):
        assert run("feeds", "add", httpserver.url_for(path)).exit_code == 0
    write(feeds_file(), feeds_file().read_text() + "# a comment at the end\n")
    run("fetch")
    assert run("feeds", "remove", "A").exit_code == 0
    assert run("--no-server", "search", "apple").exit_code == 0  # kept
    assert run("feeds", "remove", httpserver.url_for("/b"), "--delete-articles").exit_code == 0
    assert run("--no-server", "search", "banana").exit_code == 1
    assert listed(run) == [] and feeds_file().read_text().endswith("# a comment at the end\n")
    assert len(feed_files()) == 1
    missing = run("feeds", "remove", "Nope")
    assert missing.exit_code == 2 and "no feed called 'Nope'" in missing.stderr


def test_opml_round_trip_with_folders_as_tags(run: Run, tmp_path: Path) -> None:
    result = run("feeds", "import", "-", input=OPML)
    assert result.exit_code == 0, result.stderr
    assert "3 feeds added, 0 already followed, 0 skipped" in result.stderr
    tags = {f["name"]: f["tags"] for f in listed(run)}
    assert tags == {"Wire": ["World"], "Asia desk": ["World/Asia"], "Loose": ["tech", "science"]}
    exported = run("feeds", "export").stdout
    urls = run("feeds", "export", "--format", "urls").stdout
    assert "https://loose.example/atom tech science ~Loose" in urls
    for text in (exported, urls):
        feeds_file().unlink()
        assert run("feeds", "import", "-", input=text).exit_code == 0
        assert {f["name"]: f["tags"] for f in listed(run)} == tags
    assert "0 feeds added, 3 already followed" in run("feeds", "import", "-", input=exported).stderr


def test_a_malformed_opml_is_rejected_without_writing(run: Run) -> None:
    write(feeds_file(), "- url: https://kept.example/rss\n")
    before = feeds_file().read_text()
    result = run("feeds", "import", "-", input=OPML.replace("</body>", ""))
    assert result.exit_code == 2 and "<stdin>: not well-formed OPML" in result.stderr
    assert feeds_file().read_text() == before


def test_a_broken_feeds_file_is_reported_with_its_line(run: Run) -> None:
    write(feeds_file(), "- url: https://a.example/rss\n- name: no url\n")
    result = run("feeds")
    assert result.exit_code == 2
    assert f"{feeds_file()}:2: a feed needs a url" in result.stderr
    write(feeds_file(), "- url: https://a.example/rss\n  tags: [a\n")
    assert f"{feeds_file()}:" in run("fetch").stderr and "invalid YAML" in run("fetch").stderr
    write(feeds_file(), "- url: https://a.example/rss\n- url: https://a.example/rss\n")
    assert f"{feeds_file()}:2: the same URL as the feed at line 1" in run("feeds").stderr


@pytest.mark.skipif(not PEERS.is_dir(), reason=f"newsboat's test files are not in {PEERS}")
def test_newsboats_subscription_files_give_what_its_tests_expect(run: Run) -> None:
    def imported(name: str) -> tuple[int, str]:
        result = run("feeds", "import", str(PEERS / name))
        return result.exit_code, result.stderr

    code, said = imported("example.opml")
    assert code == 0 and "7 feeds added" in said
    tags = {f["name"]: f["tags"] for f in listed(run)}
    assert len(tags) == 7
    assert tags["John's musings"] == ["Blogs"] and tags["Notes by Mike"] == ["Blogs/friends"]
    assert tags["Fred on everything"] == ["eloquent"] and tags["example.com website"] == []
    feeds_file().unlink()

    assert imported("category.opml")[0] == 0
    (feed,) = listed(run)
    assert feed["tags"] == ["tag one", "tag_two", "tag/three"]
    feeds_file().unlink()

    for name, skipped in [("piped.opml", "|~/fetch_tweets.py: a command"), ("filtered.opml", "filter command")]:
        code, said = imported(name)
        assert code == 0 and "skipped" in said and skipped in said, said
        feeds_file().unlink()

    for name, error in [("opml-element-missing.opml", "not OPML"), ("body-element-missing.opml", "without a <body>")]:
        code, said = imported(name)
        assert code == 2 and error in said and not feeds_file().exists()

    assert imported("test-urls.txt")[0] == 0
    names = {f["url"]: f["name"] for f in listed(run)}
    assert names["http://test1.url.cc/feed.xml"] == "title" and names["http://onemorefeed.at/feed/"] == "another title"
    code, said = imported("test-urls+.opml")  # only the URLs not yet followed
    assert code == 0 and "1 feeds added, 3 already followed" in said
    feeds_file().unlink()

    code, said = imported("test-duplicate-urls.txt")
    assert code == 0 and "listed twice" in said and len(listed(run)) == 1
    assert imported("example2.opml")[0] == 0


def test_remove_takes_out_only_the_feeds_own_lines(run: Run) -> None:
    write(
        feeds_file(),
        "# mine\n- url: https://a.example/rss  # first\n"
        "- url: https://b.example/rss\n  tags:\n    - x\n    - y\n# about c\n"
        "- url: https://c.example/rss\n  name: C\n",
    )
    assert run("feeds", "remove", "https://b.example/rss").exit_code == 0
    assert feeds_file().read_text() == (
        "# mine\n- url: https://a.example/rss  # first\n# about c\n- url: https://c.example/rss\n  name: C\n"
    )
    assert run("feeds", "remove", "C").exit_code == 0
    assert feeds_file().read_text() == "# mine\n- url: https://a.example/rss  # first\n# about c\n"
