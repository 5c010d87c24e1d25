"""feeds.yaml under hostile names, URLs, races and sizes: it stays readable and keeps every subscription."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .conftest import RawServer, Run, write
from .test_feeds import feeds_file, listed
from .test_fetch import item, rss


def newscli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscli", "--no-server", *args], capture_output=True, text=True, timeout=timeout
    )


def test_a_feed_title_yaml_cannot_hold_is_kept_readable(run: Run, httpserver: HTTPServer) -> None:
    for n, title in enumerate(["Del\x7f", "Csi\x9b", "Non\ufffe", "Max\uffff"]):
        path = f"/f{n}"
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "items": []})
        httpserver.expect_request(path).respond_with_data(body, content_type="application/feed+json")
        result = run("feeds", "add", httpserver.url_for(path))
        assert result.exit_code == 0, result.stderr
    names = [f["name"] for f in listed(run)]
    assert names == ["Del\x7f", "Csi\x9b", "Non\ufffe", "Max\uffff"]


def test_a_301_to_a_url_with_controls_leaves_the_subscription_as_it_was(run: Run, raw_server: RawServer) -> None:
    """Sent as raw bytes (a test server of werkzeug's would percent-encode the Location)."""
    body = rss(item("1", "One")).encode()
    moved = b"HTTP/1.1 301 Moved\r\nLocation: /new\xc2\x85x\r\nContent-Length: 0\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    url = raw_server(lambda path: moved if path == "/old" else ok) + "/old"
    write(feeds_file(), f"- name: old\n  url: {url}\n")
    run("fetch")
    assert [f["url"] for f in listed(run)] == [url]


@pytest.mark.slow
def test_a_301_rewrites_its_own_feed_even_after_a_remove_during_the_fetch(run: Run, httpserver: HTTPServer) -> None:
    """The URL is found by the URL, on the file as it is when the fetch ends, not by the line it had."""
    started = threading.Event()

    def slow_move(request: Request) -> Response:
        started.set()
        time.sleep(1.5)
        return Response("", status=301, headers={"Location": "/moved"})

    httpserver.expect_request("/first").respond_with_data(rss(item("a", "A")), content_type="text/xml")
    httpserver.expect_request("/second").respond_with_handler(slow_move)
    httpserver.expect_request("/moved").respond_with_data(rss(item("b", "B")), content_type="text/xml")
    httpserver.expect_request("/third").respond_with_data(rss(item("c", "C")), content_type="text/xml")
    write(
        feeds_file(),
        "".join(f"- name: {n}\n  url: {httpserver.url_for('/' + n)}\n" for n in ("first", "second", "third")),
    )
    fetch = subprocess.Popen(
        [sys.executable, "-m", "newscli", "--no-server", "fetch", "second"], stderr=subprocess.PIPE, text=True
    )
    assert started.wait(20)
    assert run("feeds", "remove", "first").exit_code == 0
    _, err = fetch.communicate(timeout=60)
    urls = {f["name"]: f["url"] for f in listed(run)}
    assert urls == {"second": httpserver.url_for("/moved"), "third": httpserver.url_for("/third")}, err


def test_two_adds_of_one_url_at_once_follow_it_once(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/f").respond_with_data(rss(item("1", "One")), content_type="text/xml")
    url = httpserver.url_for("/f")
    adds = [
        subprocess.Popen([sys.executable, "-m", "newscli", "feeds", "add", url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    codes = [p.wait(timeout=60) for p in adds]
    assert codes.count(0) == 1, [p.stderr.read() for p in adds if p.stderr]  # type: ignore[union-attr]
    assert [f["url"] for f in listed(run)] == [url]


def test_a_fifo_or_a_python_tag_in_feeds_yaml_is_one_line_naming_it() -> None:
    feeds_file().parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(feeds_file())
    result = newscli("feeds", timeout=20)
    assert (
        result.returncode == 2 and result.stderr == f"newscli: error: cannot read {feeds_file()}: not a regular file\n"
    )
    feeds_file().unlink()
    write(feeds_file(), "- url: https://a.example/f\n- url: !!python/object/apply:os.system ['true']\n")
    result = newscli("feeds")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"newscli: error: {feeds_file()}:2: ")


@pytest.mark.slow
def test_ten_thousand_feeds_load(run: Run) -> None:
    write(feeds_file(), "".join(f"- name: f{n}\n  url: https://x{n}.example/rss\n" for n in range(10_000)))
    result = newscli("feeds", "--json", timeout=60)  # 26 s with a loader made for each feed
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["feeds"]) == 10_000


def test_urls_are_checked_where_they_come_in(run: Run) -> None:
    spaced = run("feeds", "add", "https://a.example/my feed")
    assert spaced.exit_code == 2 and "a URL holds no spaces or control characters" in spaced.stderr
    outlines = "".join(
        f"<outline text='{n}' xmlUrl='{u}'/>"
        for n, u in (("Up", "HTTP://Upper.example/rss"), ("Sp", "https://a.example/with space"))
    )
    result = run("feeds", "import", "-", input=f"<opml version='2.0'><head/><body>{outlines}</body></opml>")
    assert result.exit_code == 0, result.stderr
    assert "skipped https://a.example/with space: a URL holds no spaces" in result.stderr
    assert [f["url"] for f in listed(run)] == ["http://Upper.example/rss"]


def test_opml_nested_990_deep_and_a_dtd_bomb_are_read_in_time(run: Run) -> None:
    deep = "<outline text='x'>" * 990 + "<outline xmlUrl='https://deep.example/f' text='Deep'/>" + "</outline>" * 990
    opml = f"<?xml version='1.0'?><opml version='2.0'><head/><body>{deep}</body></opml>"
    result = run("feeds", "import", "-", input=opml)
    assert result.exit_code == 0, result.stderr
    assert "nested more than 50 folders deep" in result.stderr
    bomb = "<?xml version='1.0'?>" + "<!DOCTYPE x [" * 32000
    result = run("feeds", "import", "-", input=bomb)  # 61 s of CPU with the lazy regular expression
    assert result.exit_code == 2 and "not well-formed OPML" in result.stderr
