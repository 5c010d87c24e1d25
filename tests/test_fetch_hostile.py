"""`newscli fetch` against hostile servers (raw bytes on 127.0.0.1): each feed in its own error boundary,
every number from a server bounded, every deadline whole, every size counted after decoding."""

from __future__ import annotations

import gzip
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from .conftest import RawServer, Run, peak_of, write
from .test_feeds import feeds_file, listed
from .test_fetch import feed_files, hits, item, rss, serve


def http(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = "".join(f"{h}\r\n" for h in (f"Content-Length: {len(body)}", *headers))
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def subscribe(*feeds: tuple[str, str]) -> None:
    write(feeds_file(), "".join(f"- name: {name}\n  url: {url}\n" for name, url in feeds))


def newscli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscli", "--no-server", *args], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
def test_headers_sent_a_byte_at_a_time_are_cut_off_at_the_deadline(run: Run, raw_server: RawServer) -> None:
    slow = raw_server(lambda path: http(rss(item("1", "One")).encode(), "Content-Type: text/xml"), 0.25)
    subscribe(("slow", slow + "/f"))
    started = time.monotonic()
    result = newscli("fetch", "--timeout", "2")  # its headers alone take 15 s
    assert time.monotonic() - started < 8, result.stderr
    assert result.returncode == 1 and "slow: no answer within 2 s" in result.stderr
    started = time.monotonic()
    added = newscli("feeds", "add", "--timeout", "2", slow + "/g")
    assert time.monotonic() - started < 8 and added.returncode == 2, added.stderr
    assert "no answer within 2 s" in added.stderr


@pytest.mark.slow
def test_full_text_pages_share_the_feeds_deadline(run: Run, raw_server: RawServer, httpserver: HTTPServer) -> None:
    pytest.importorskip("trafilatura")
    page = http(b"<html><body><article>" + b"<p>Slow words.</p>" * 50 + b"</article></body></html>")
    slow = raw_server(lambda path: page, 0.02)  # each page takes 20 s
    links = "".join(item(str(n), f"Item {n}", link=f"{slow}/p{n}") for n in range(5))
    serve(httpserver, "/f", rss(links))
    subscribe(("wire", httpserver.url_for("/f")))
    started = time.monotonic()
    result = newscli("fetch", "--full-text", "--timeout", "2")
    assert time.monotonic() - started < 8, result.stderr  # five pages trickling took 10.7 s against 2
    assert result.returncode == 0 and "5 new" in result.stderr  # with their summaries


@pytest.mark.parametrize(
    "retry_after", ["9" * 400, "9" * 5000, "99999999999999999999", "99999999", "Fri, 31 Dec 9999 23:59:59 GMT"]
)
def test_any_retry_after_is_bounded(run: Run, httpserver: HTTPServer, retry_after: str) -> None:
    httpserver.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": retry_after})
    serve(httpserver, "/ok", rss(item("o", "Fine")))
    subscribe(("busy", httpserver.url_for("/busy")), ("ok", httpserver.url_for("/ok")))
    first = run("fetch")
    assert first.exit_code == 1 and "busy: HTTP 429" in first.stderr and "1 new" in first.stderr, first.stderr
    again = run("fetch")  # every later fetch crashed before it started
    assert again.exit_code == 0 and "busy: HTTP 429; backing off until " in again.stderr, again.stderr
    state = sqlite3.connect(Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "feeds.db")
    (next_at,) = state.execute("SELECT next_at FROM feeds WHERE url LIKE '%/busy'").fetchone()
    assert next_at <= time.time() + 86400  # at most a day away


WRONG_TYPES = [
    '"items": 5',
    '"items": [{"id": "x", "tags": 5}]',
    '"items": [{"id": "y", "authors": 5}]',
    '"authors": 5, "items": [{"id": "z"}]',
]


@pytest.mark.parametrize("field", WRONG_TYPES)
def test_a_json_feed_of_wrong_types_is_read_as_far_as_it_goes(run: Run, httpserver: HTTPServer, field: str) -> None:
    odd = '{"version": "https://jsonfeed.org/version/1.1", "title": "Odd", ' + field + "}"
    serve(httpserver, "/odd", odd, "application/feed+json")
    serve(httpserver, "/ok", rss(item("o", "Fine")))
    subscribe(("odd", httpserver.url_for("/odd")), ("ok", httpserver.url_for("/ok")))
    result = run("fetch", "--force")
    assert result.exit_code == 0, result.stderr
    assert "unexpected" not in result.stderr and "1 new" in result.stderr or "2 new" in result.stderr


@pytest.mark.slow
def test_a_gzip_bomb_in_two_layers_is_stopped_at_the_size_limit(run: Run, raw_server: RawServer) -> None:
    inner = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # made a megabyte at a time
    layer = b"".join(inner.compress(b"\0" * 2**20) for _ in range(300)) + inner.flush()
    bomb = gzip.compress(layer, 9)  # 300 MB from a few kilobytes
    url = raw_server(lambda path: http(bomb, "Content-Type: text/xml", "Content-Encoding: gzip, gzip"))
    subscribe(("bomb", url + "/f"))
    result, peak = peak_of("fetch")
    assert result.returncode == 1 and "bomb: larger than the 10 MB limit" in result.stderr, result.stderr
    assert peak < 200 * 1024, f"{peak} kB"  # 2.1 GB for 1,827 bytes before


def test_a_doctype_that_never_ends_is_read_in_linear_time(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/dtd", "<?xml version='1.0'?>" + "<!DOCTYPE x [" * 32000)
    subscribe(("dtd", httpserver.url_for("/dtd")))
    started = time.monotonic()
    result = run("fetch")
    assert time.monotonic() - started < 10  # 61 s of CPU with the lazy regular expression
    assert result.exit_code == 1 and "dtd: not a feed" in result.stderr, result.stderr


def test_an_items_bad_date_is_kept_as_no_date_and_said(run: Run, httpserver: HTTPServer) -> None:
    items = [
        {"id": str(n), "title": f"Dated {n}", "content_text": "Searchable words.", "date_published": date}
        for n, date in enumerate(["2024-02-30", "yesterday", "0000-01-01", "2024-02-29T10:00:00Z"])
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Dates", "items": items}
    serve(httpserver, "/f", json.dumps(feed), "application/feed+json")
    subscribe(("dates", httpserver.url_for("/f")))
    result = run("fetch")
    assert result.exit_code == 0 and "4 new" in result.stderr, result.stderr
    assert "dates: 'Dated 0': kept undated, '2024-02-30' is not a date" in result.stderr
    found = {h["title"]: h["date"] for h in hits(run, "searchable")}
    assert found == {"Dated 0": None, "Dated 1": None, "Dated 2": None, "Dated 3": "2024-02-29T10:00:00+00:00"}


@pytest.mark.slow
def test_items_of_a_fetch_killed_while_it_indexes_are_indexed_by_the_next_command(
    run: Run, httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve(httpserver, "/many", rss(*(item(str(n), f"Many {n}", f"Body {n} of many.") for n in range(1500))))
    subscribe(("many", httpserver.url_for("/many")))
    fetch = subprocess.Popen([sys.executable, "-m", "newscli", "--no-server", "fetch"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(feed_files()) < 1500 and fetch.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)  # every item stored: it is indexing them now
    fetch.send_signal(signal.SIGKILL)
    fetch.wait()
    stored = len(feed_files())
    assert stored > 0
    result = run("--no-server", "list", "--json", "--limit", "0")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"] == stored
    found = run("--no-server", "search", "--json", "many")
    assert json.loads(found.stdout)["total"] == stored


@pytest.mark.slow
def test_two_fetches_at_once_count_each_item_once(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/f", rss(*(item(str(n), f"Item {n}") for n in range(200))))
    subscribe(("f", httpserver.url_for("/f")))
    command = [sys.executable, "-m", "newscli", "--no-server", "fetch"]
    both = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    said = [p.communicate(timeout=120)[1] for p in both]
    new = [int(n) for err in said for n in re.findall(r"(\d+) new, ", err)]
    assert sorted(new) == [0, 200], said


def test_two_feeds_of_one_outlet_do_not_rewrite_a_shared_item(run: Run, httpserver: HTTPServer) -> None:
    shared = item("s1", "Shared story")
    serve(httpserver, "/world", rss(shared, item("w2", "World only")))
    serve(httpserver, "/politics", rss(shared))
    for path, name in (("/world", "World"), ("/politics", "Politics")):
        assert run("feeds", "add", httpserver.url_for(path), "--name", name, "--source", "Daily").exit_code == 0
    assert "2 new, 0 updated" in run("fetch").stderr
    again = run("fetch", "--force")
    assert "0 new, 0 updated" in again.stderr, again.stderr


def test_a_killed_fetchs_temporaries_are_swept_and_a_full_disk_names_the_file(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/f", rss(item("1", "One", "x" * 200_000)))
    assert run("feeds", "add", httpserver.url_for("/f"), "--name", "f").exit_code == 0
    left = Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "feeds" / "f" / ".0123.md.4194303"
    write(left, "half an item")

    def small_files() -> None:  # a disk with 64 kB left, as far as this process can tell
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    full = subprocess.run(
        [sys.executable, "-m", "newscli", "--no-server", "fetch"],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=60,
    )
    assert not left.exists()
    assert full.returncode == 1 and "f: cannot write " in full.stderr and ".md" in full.stderr, full.stderr
    assert "unexpected" not in full.stderr
    again = run("fetch", "--force")
    assert again.exit_code == 0 and "1 new" in again.stderr, again.stderr
    assert [f["status"] for f in listed(run)] == ["ok"]


@pytest.mark.slow
def test_one_fetch_of_every_hostile_feed_at_once_keeps_the_good_one_and_its_deadline(
    run: Run, raw_server: RawServer, httpserver: HTTPServer
) -> None:
    """The class: each feed in its own boundary. One good feed among every kind of bad one, in one fetch."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = gzip.compress(b"".join(inner.compress(b"\0" * 2**20) for _ in range(100)) + inner.flush())
    slow = raw_server(lambda path: http(rss(item("s", "Slow")).encode(), "Content-Type: text/xml"), 0.25)
    bombs = raw_server(lambda path: http(bomb, "Content-Type: text/xml", "Content-Encoding: gzip, gzip"))
    serve(httpserver, "/good", rss(item("g", "Good news")))
    serve(httpserver, "/types", '{"version": "https://jsonfeed.org/version/1.1", "items": 5}', "application/json")
    serve(httpserver, "/dtd", "<?xml version='1.0'?>" + "<!DOCTYPE x [" * 32000)
    serve(
        httpserver, "/deep", '{"version": "https://jsonfeed.org/version/1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    httpserver.expect_request("/busy").respond_with_data("", status=503, headers={"Retry-After": "9" * 5000})
    feeds = {
        "good": httpserver.url_for("/good"),
        "slow": slow + "/f",
        "bomb": bombs + "/f",
        "types": httpserver.url_for("/types"),
        "dtd": httpserver.url_for("/dtd"),
        "deep": httpserver.url_for("/deep"),
        "busy": httpserver.url_for("/busy"),
    }
    subscribe(*feeds.items())
    started = time.monotonic()
    result = newscli("fetch", "--timeout", "3")
    took = time.monotonic() - started
    assert took < 15, (took, result.stderr)
    assert result.returncode == 1 and "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert "7 feeds: 1 new" in result.stderr, result.stderr
    for name in ("slow", "bomb", "dtd", "deep", "busy"):
        assert f"newscli: {name}: " in result.stderr, (name, result.stderr)
    assert [h["title"] for h in hits(run, "good")] == ["Good news"]


def test_the_feeds_folder_joins_the_archive_of_its_own_index_alone(
    run: Run, httpserver: HTTPServer, news: Path
) -> None:
    """Followed, the feeds folder is a root of the index the feeds go to, at once; another index's archive
    (--index-dir) does not take it in."""
    serve(httpserver, "/f", rss(item("1", "Zeppelin news")))
    assert run("index", str(news)).exit_code == 0
    assert run("feeds", "add", httpserver.url_for("/f")).exit_code == 0
    roots = json.loads((Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "index" / "manifest.json").read_text())["roots"]
    assert str(Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "feeds") in roots
    assert run("fetch").exit_code == 0
    other = Path(os.environ["XDG_DATA_HOME"]) / "other-index"
    assert run("--index-dir", str(other), "index", str(news)).exit_code == 0
    assert run("--index-dir", str(other), "--no-server", "search", "zeppelin").exit_code == 1
    assert [h["title"] for h in hits(run, "zeppelin")] == ["Zeppelin news"]
