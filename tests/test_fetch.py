"""`newscli fetch`, against a real HTTP server on 127.0.0.1: formats, identity, politeness, limits, hostility."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newscli import __version__

from .conftest import Run, write

PEERS = Path(__file__).resolve().parents[2] / "shared" / "peers" / "newsboat"


def rss(*items: str, title: str = "Wire") -> str:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{"".join(items)}</channel></rss>'


def item(guid: str, title: str, body: str = "Text.", link: str | None = None) -> str:
    link = link or f"https://example.org/{guid}"
    return f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link><description>{body}</description></item>"


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><id>urn:wire</id>
<entry><id>urn:1</id><title>Glacier retreat measured</title><link href="https://example.org/g"/>
<updated>2024-05-01T10:00:00Z</updated><content type="html">&lt;p&gt;The glacier lost ice.&lt;/p&gt;</content></entry>
</feed>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON Wire",
        "items": [
            {
                "id": "j1",
                "url": "https://example.org/j1",
                "title": "Harbour crane collapse",
                "content_html": "<p>A crane fell.</p><script>alert(1)</script><img src='t.gif' width='1' height='1'>",
                "date_published": "2024-05-02T08:00:00Z",
                "authors": [{"name": "Ann Lee"}],
                "tags": ["ports"],
            }
        ],
    }
)


def follow(run: Run, server: HTTPServer, path: str, *options: str) -> None:
    result = run("feeds", "add", server.url_for(path), *options)
    assert result.exit_code == 0, result.stderr


def serve(server: HTTPServer, path: str, body: str | bytes, content_type: str = "application/rss+xml") -> None:
    server.expect_request(path).respond_with_data(body, content_type=content_type)


def feed_files() -> list[Path]:
    root = Path(os.environ["XDG_DATA_HOME"]) / "newscli" / "feeds"
    return sorted(root.rglob("*.md"))


def hits(run: Run, query: str) -> list[dict[str, object]]:
    result = run("--no-server", "search", "--all", "--json", query)
    return json.loads(result.stdout)["hits"] if result.exit_code == 0 else []  # type: ignore[no-any-return]


def test_three_formats_fetched_and_found_by_search(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/rss", rss(item("r1", "Cocoa futures climb", "Cocoa rose.")))
    serve(httpserver, "/atom", ATOM, "application/atom+xml")
    serve(httpserver, "/json", JSON_FEED, "application/feed+json")
    for path in ("/rss", "/atom", "/json"):
        follow(run, httpserver, path)
    result = run("fetch")
    assert result.exit_code == 0, result.stderr
    assert "3 feeds: 3 new, 0 updated, 0 failed" in result.stderr
    for query, title, source in [
        ("cocoa", "Cocoa futures climb", "Wire"),
        ("glacier", "Glacier retreat measured", "Atom Wire"),
        ("crane", "Harbour crane collapse", "JSON Wire"),
    ]:
        (hit,) = hits(run, query)
        assert (hit["title"], hit["source"]) == (title, source)
    crane = feed_files()[[p.read_text().count("crane") > 0 for p in feed_files()].index(True)].read_text()
    assert "A crane fell." in crane and "alert" not in crane and "t.gif" not in crane  # no script, no pixel
    assert "authors:\n- Ann Lee" in crane and "date: '2024-05-02T08:00:00Z'" in crane


def test_conditional_get_and_304_rewrites_nothing(run: Run, httpserver: HTTPServer) -> None:
    body = rss(item("a", "Alpha"))
    httpserver.expect_request("/f", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    httpserver.expect_request("/f").respond_with_data(body, headers={"ETag": '"v1"'}, content_type="text/xml")
    follow(run, httpserver, "/f")
    assert run("fetch").exit_code == 0
    (file,) = feed_files()
    before = file.stat().st_mtime_ns
    result = run("fetch", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["feeds"][0]["status"] == "not modified"
    assert file.stat().st_mtime_ns == before
    assert "not modified" in run("feeds").stdout
    assert run("fetch", "--force").exit_code == 0  # --force asks without If-None-Match
    assert httpserver.log[-1][0].headers.get("If-None-Match") is None
    assert httpserver.log[-1][0].headers["User-Agent"].startswith(f"newscli/{__version__} ")


def test_an_edited_item_is_updated_in_place_keeping_its_id(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/f", rss(item("g1", "Dam opens", "First version.")))
    follow(run, httpserver, "/f")
    run("fetch")
    (before,) = hits(run, "dam")
    httpserver.clear()
    serve(httpserver, "/f", rss(item("g1", "Dam opens early", "Second version.")))
    result = run("fetch")
    assert "0 new, 1 updated" in result.stderr
    (after,) = hits(run, "dam")
    assert (after["id"], after["path"], after["title"]) == (before["id"], before["path"], "Dam opens early")
    assert len(feed_files()) == 1


def test_a_repeated_guid_falls_back_to_guid_and_link(run: Run, httpserver: HTTPServer) -> None:
    items = [
        item("same", "Storm warning", link="https://e.org/1"),
        item("same", "Flood warning", link="https://e.org/2"),
    ]
    serve(httpserver, "/f", rss(*items))
    follow(run, httpserver, "/f")
    assert "2 new" in run("fetch").stderr
    assert len(feed_files()) == 2 and len(hits(run, "warning")) == 2


def test_the_same_item_in_two_feeds_of_one_outlet_is_stored_once(run: Run, httpserver: HTTPServer) -> None:
    shared = item("shared-1", "Summit ends")
    serve(httpserver, "/world", rss(shared, item("w2", "World only")))
    serve(httpserver, "/politics", rss(shared))
    follow(run, httpserver, "/world", "--name", "World", "--source", "Daily")
    follow(run, httpserver, "/politics", "--name", "Politics", "--source", "Daily")
    result = run("fetch", "--jobs", "1")
    assert "2 new" in result.stderr
    assert len(feed_files()) == 2 and len(hits(run, "summit")) == 1


def test_a_deleted_item_is_not_fetched_again(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/f", rss(item("k", "Keep me"), item("d", "Delete me")))
    follow(run, httpserver, "/f")
    run("fetch")
    (gone,) = [p for p in feed_files() if "Delete me" in p.read_text()]
    gone.unlink()
    result = run("fetch", "--force")
    assert "0 new, 0 updated" in result.stderr
    assert not gone.exists() and len(feed_files()) == 1
    assert hits(run, "delete") == []


def test_statuses_in_one_fetch_with_their_retries(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/ok", rss(item("o", "Fine")))
    httpserver.expect_request("/404").respond_with_data("no", status=404)
    httpserver.expect_request("/410").respond_with_data("gone", status=410)
    httpserver.expect_request("/500").respond_with_data("oops", status=500)
    throttled = {"n": 0}

    def busy(request: Request) -> Response:
        throttled["n"] += 1
        if throttled["n"] == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(rss(item("t", "After waiting")), content_type="application/rss+xml")

    httpserver.expect_request("/429").respond_with_handler(busy)
    write(
        Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "feeds.yaml",
        "".join(f"- url: {httpserver.url_for(p)}\n  name: {p[1:]}\n" for p in ("/ok", "/404", "/410", "/500", "/429")),
    )
    started = time.monotonic()
    result = run("fetch", "--json")
    assert result.exit_code == 1
    assert "5 feeds: 2 new, 0 updated, 3 failed" in result.stderr
    requests = [r.path for r, _ in httpserver.log]
    assert {p: requests.count(p) for p in set(requests)} == {"/ok": 1, "/404": 1, "/410": 1, "/500": 2, "/429": 2}
    assert time.monotonic() - started >= 1  # Retry-After honoured
    status = {f["name"]: f for f in json.loads(result.stdout)["feeds"]}
    assert status["404"]["error"] == "HTTP 404" and status["429"]["status"] == "ok"
    listed = {f["name"]: f for f in json.loads(run("feeds", "--json").stdout)["feeds"]}
    assert listed["404"]["status"] == "error: HTTP 404" and listed["ok"]["status"] == "ok"
    again = run("fetch")  # the failed ones back off; asked by name, they are fetched
    assert "3 backing off" in again.stderr and again.exit_code == 0
    assert run("fetch", "404").exit_code == 1
    assert json.loads(run("feeds", "--json").stdout)["feeds"][1]["failures"] == 2


@pytest.mark.slow
def test_a_silent_server_and_a_dripping_one_are_cut_off_at_the_deadline(run: Run, httpserver: HTTPServer) -> None:
    def silent(request: Request) -> Response:
        time.sleep(4)
        return Response("late")

    def drip() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Drip</title>'
        for _ in range(60):
            time.sleep(0.1)
            yield b" "

    httpserver.expect_request("/silent").respond_with_handler(silent)
    httpserver.expect_request("/drip").respond_with_handler(lambda r: Response(drip(), content_type="text/xml"))
    serve(httpserver, "/ok", rss(item("o", "On time")))
    for path in ("/silent", "/drip", "/ok"):
        follow(run, httpserver, path, "--name", path[1:]) if path == "/ok" else write_feed(httpserver, path)
    started = time.monotonic()
    result = run("fetch", "--timeout", "2")
    took = time.monotonic() - started
    assert result.exit_code == 1 and took < 5
    assert "silent: no answer within 2 s" in result.stderr
    assert "drip: not received within 2 s" in result.stderr or "drip: no answer within 2 s" in result.stderr
    assert "1 new" in result.stderr


def write_feed(server: HTTPServer, path: str) -> None:
    """Subscribes without `feeds add`, which would fetch it."""
    feeds = Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "feeds.yaml"
    old = feeds.read_text() if feeds.exists() else ""
    write(feeds, old + f"- url: {server.url_for(path)}\n  name: {path[1:]}\n")


def test_redirect_loops_and_file_redirects_are_refused(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    httpserver.expect_request("/file").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    write_feed(httpserver, "/a")
    write_feed(httpserver, "/file")
    result = run("fetch")
    assert result.exit_code == 1
    assert "a: redirect loop" in result.stderr
    assert "file: refused a redirect to file:///etc/passwd" in result.stderr


def test_a_301_moves_the_subscription_and_a_302_does_not(run: Run, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/elsewhere").respond_with_data("", status=302, headers={"Location": "/new"})
    serve(httpserver, "/new", rss(item("n", "Moved story")))
    write_feed(httpserver, "/old")
    write_feed(httpserver, "/elsewhere")
    result = run("fetch")
    assert result.exit_code == 0, result.stderr
    assert "old: moved permanently to" in result.stderr
    urls = {f["name"]: f["url"] for f in json.loads(run("feeds", "--json").stdout)["feeds"]}
    assert urls == {"old": httpserver.url_for("/new"), "elsewhere": httpserver.url_for("/elsewhere")}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><guid>1</guid><title>Laughs &lol9;</title></item></channel></rss>"""


def quadratic_blowup() -> bytes:
    """One 100 KB entity referenced 20,000 times: 160 KB that feedparser's loose parser expands to 2 GB."""
    entity = "A" * 100_000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{entity}">\n]>\n'
        f'<rss version="2.0"><channel><title>Blowup</title><item><guid>1</guid><title>{"&a;" * 20_000}</title>'
        "<description>quadratic</description></item></channel></rss>"
    ).encode()


def test_entity_expansion_is_not_done(run: Run, httpserver: HTTPServer, tmp_path: Path) -> None:
    serve(httpserver, "/laughs", BILLION_LAUGHS)
    serve(httpserver, "/blowup", quadratic_blowup())
    write_feed(httpserver, "/laughs")
    write_feed(httpserver, "/blowup")
    # In its own process, to measure its time and memory.
    script = (
        "import resource, sys, time; from newscli.core import Environment, run; started = time.monotonic()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"  # a failure, not the machine's memory
        "code = run(['fetch'], Environment.of_process())\n"
        # VmHWM, not ru_maxrss: the latter keeps the peak of the forking process (pytest) across exec.
        "peak = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(code, time.monotonic() - started, peak, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    code, seconds, kilobytes = done.stderr.splitlines()[-1].split()
    assert float(seconds) < 5 and int(kilobytes) < 200 * 1024, done.stderr
    assert all(len(p.read_text()) < 10_000 for p in feed_files())


def test_a_body_over_the_cap_is_stopped_while_streaming(run: Run, httpserver: HTTPServer) -> None:
    sent = {"bytes": 0}

    def endless() -> Iterator[bytes]:
        chunk = b"<!-- " + b"x" * (1 << 20) + b" -->"
        for _ in range(1024):  # 1 GB, if it were all read
            sent["bytes"] += len(chunk)
            yield chunk

    httpserver.expect_request("/big").respond_with_handler(lambda r: Response(endless(), content_type="text/xml"))
    write_feed(httpserver, "/big")
    write(Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "config.yaml", "max_feed_mb: 2\n")
    result = run("fetch")
    assert result.exit_code == 1
    assert "big: larger than the 2 MB limit (max_feed_mb)" in result.stderr
    assert sent["bytes"] < 100 << 20


def test_awkward_encodings_and_content_types(run: Run, httpserver: HTTPServer) -> None:
    serve(httpserver, "/plain", rss(item("p", "Served as text")), "text/plain")
    cp1252 = rss(item("c", "Caf\u00e9 society", "Na\u00efve \u2019quotes\u2019")).replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>'
    )
    serve(httpserver, "/cp1252", cp1252.encode("cp1252"), "application/rss+xml; charset=utf-8")
    utf16 = rss(item("u", "Sixteen bits \u00fcber")).replace('version="1.0"?>', 'version="1.0" encoding="utf-16"?>')
    serve(httpserver, "/utf16", utf16.encode("utf-16"), "application/xml")
    declared = rss(item("l", "Latin \u00e9t\u00e9")).replace('version="1.0"?>', 'version="1.0" encoding="iso-8859-1"?>')
    serve(httpserver, "/declared", declared.encode("latin-1"), "text/xml; charset=utf-8")  # the declaration wins
    serve(httpserver, "/garbage", b"\x00\xff\xfe garbage \x80\x81", "application/rss+xml")
    serve(httpserver, "/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    serve(httpserver, "/empty", "", "application/rss+xml")
    serve(httpserver, "/truncated", rss(item("t", "Cut")).replace("</channel></rss>", "")[:-10])
    for path in ("/plain", "/cp1252", "/utf16", "/declared", "/garbage", "/html", "/empty", "/truncated"):
        write_feed(httpserver, path)
    result = run("fetch")
    assert result.exit_code == 1
    assert "8 feeds: 4 new, 0 updated, 4 failed" in result.stderr
    assert "html: an HTML page, not a feed" in result.stderr
    assert "empty: empty document" in result.stderr
    assert "truncated: truncated XML" in result.stderr
    assert "garbage: not a feed" in result.stderr
    titles = {h["title"] for q in ("served", "caf\u00e9", "sixteen", "latin") for h in hits(run, q)}
    assert titles == {"Served as text", "Caf\u00e9 society", "Sixteen bits \u00fcber", "Latin \u00e9t\u00e9"}


ARTICLE_PAGE = (
    "<html><head><title>Port strike</title></head><body><nav>Home | World</nav><article><h1>Port strike</h1>"
    + "".join(f"<p>Paragraph {n} of the whole story about the dock workers and their strike.</p>" for n in range(12))
    + "</article><footer>Cookies</footer></body></html>"
)


def test_full_text_replaces_a_summary_and_a_broken_link_keeps_it(run: Run, httpserver: HTTPServer) -> None:
    pytest.importorskip("trafilatura", reason="the fulltext extra is not installed")
    httpserver.expect_request("/story").respond_with_data(ARTICLE_PAGE, content_type="text/html")
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    items = [
        item("s", "Port strike", "Summary only.", link=httpserver.url_for("/story")),
        item("m", "Lost page", "A summary that stays.", link=httpserver.url_for("/missing")),
    ]
    serve(httpserver, "/f", rss(*items))
    write_feed(httpserver, "/f")
    assert run("fetch", "--full-text").exit_code == 0
    texts = {p.read_text().split("title: ")[1].splitlines()[0]: p.read_text() for p in feed_files()}
    assert "Paragraph 11 of the whole story" in texts["Port strike"] and "Summary only." not in texts["Port strike"]
    assert "Cookies" not in texts["Port strike"]
    assert "A summary that stays." in texts["Lost page"]


def test_full_text_without_its_extra_is_a_clear_error(
    run: Run, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed
    serve(httpserver, "/f", rss(item("a", "Summary kept")))
    write_feed(httpserver, "/f")
    result = run("fetch", "--full-text")
    assert result.exit_code == 2 and "full text needs trafilatura: pip install 'newscli[fulltext]'" in result.stderr
    feeds = Path(os.environ["XDG_CONFIG_HOME"]) / "newscli" / "feeds.yaml"
    write(feeds, feeds.read_text() + "  full_text: true\n")
    result = run("fetch")  # asked for by the feed: said, and the summaries kept
    assert result.exit_code == 0 and "keeping the feeds' summaries" in result.stderr
    assert len(hits(run, "summary")) == 1


def test_json_feed_1_0(run: Run, httpserver: HTTPServer) -> None:
    old = {
        "version": "https://jsonfeed.org/version/1",
        "title": "Old JSON",
        "author": {"name": "Feed Writer"},
        "items": [
            {"id": 7, "content_text": "Plain text only.", "author": {"name": "Item Writer"}},
            {"id": 8, "content_text": "Plainly the feed's.", "url": "https://e.org/8"},
        ],
    }
    serve(httpserver, "/j", json.dumps(old), "application/json")
    follow(run, httpserver, "/j")
    assert run("fetch").exit_code == 0
    found = {h["title"]: (h["authors"], h["source"]) for h in hits(run, "plain OR plainly")}
    assert found == {
        "Plain text only.": (["Item Writer"], "Old JSON"),
        "Plainly the feed's.": (["Feed Writer"], "Old JSON"),  # the feed's author
    }


# What newsboat's tests expect of its feed files (../shared/peers/newsboat/README.md): title and items.
PEER_FEEDS = {
    "rss091_1.xml": ("Example Channel", 1),
    "rss092_1.xml": ("Example Channel", 3),
    "rss10_1.xml": ("Example Dot Org", 1),
    "rss20_1.xml": ("my weblog", 1),
    "atom10_1.xml": ("test atom", 3),
    "atom10_2.xml": ("Media test feed", 6),
    "rss_091_with_empty_author.xml": ("A Channel with Unnamed Authors", 2),
    "rss_092_with_empty_author.xml": ("A Channel with Unnamed Authors", 2),
    "rss_094_with_empty_author.xml": ("A Channel with Unnamed Authors", 2),
    "rss_091_with_bracket_author.xml": ("A Channel with Authors With Names Containing Brackets", 3),
    "rss_092_with_bracket_author.xml": ("A Channel with Authors With Names Containing Brackets", 3),
    "rss_094_with_bracket_author.xml": ("A Channel with Authors With Names Containing Brackets", 3),
}


@pytest.mark.skipif(not PEERS.is_dir(), reason=f"newsboat's test files are not in {PEERS}")
def test_newsboats_feed_files_give_what_its_tests_expect(run: Run, httpserver: HTTPServer) -> None:
    others = ["rss20_2.xml", "rss.xml", "atom10_feed_authors.xml", "multiple_item_links.atom"]
    others.append("items_without_titles.xml")
    for name in [*PEER_FEEDS, *others, "empty.xml"]:
        serve(httpserver, f"/{name}", (PEERS / name).read_bytes(), "application/xml")
    for name in PEER_FEEDS:
        result = run("feeds", "add", httpserver.url_for(f"/{name}"), "--name", name)
        assert result.exit_code == 0, result.stderr
        title, count = PEER_FEEDS[name]
        assert f"following {name} ({httpserver.url_for('/' + name)}): {count} items now" in result.stderr
    for name in [*others, "empty.xml"]:
        write_feed(httpserver, f"/{name}")
    result = run("fetch", "--json")
    assert result.exit_code == 1  # empty.xml: an error for that feed, not a crash
    outcome = {f["name"]: f for f in json.loads(result.stdout)["feeds"]}
    assert outcome["empty.xml"]["error"] == "empty document"
    for name, (_, count) in PEER_FEEDS.items():
        assert outcome[name]["new"] == count, name
    articles = json.loads(run("--no-server", "list", "--json", "--limit", "200").stdout)["articles"]
    authors = {a["title"]: a["authors"] for a in articles}
    assert authors["Entry Without Author"] == ["First Feed Author", "Second Feed Author"]  # the feed's
    assert authors["Entry With Single Author And Source Author"] == ["Entry Author"]
    assert authors["This one has an author name with an email in brackets"] == ["Author"]
    assert authors["This one has an author name ending with a closing bracket"] == ["Author name)"]
    untitled = [p.read_text() for p in feed_files() if "feed: items_without_titles.xml" in p.read_text()]
    assert len(untitled) == 5 and all("\ntitle: " in text and "title: ''" not in text for text in untitled)


def test_ctrl_c_ends_a_fetch_at_once_keeping_what_was_fetched(httpserver: HTTPServer) -> None:
    def silent(request: Request) -> Response:
        time.sleep(8)
        return Response("late")

    httpserver.expect_request("/silent").respond_with_handler(silent)
    serve(httpserver, "/ok", rss(item("o", "Quick one")))
    write_feed(httpserver, "/ok")
    write_feed(httpserver, "/silent")
    process = subprocess.Popen(
        [sys.executable, "-m", "newscli", "fetch"], stderr=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    deadline = time.monotonic() + 10
    while not feed_files() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed_files(), "the quick feed was not written"
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    assert process.wait(timeout=10) == 130
    assert time.monotonic() - started < 2, "it waited for the silent feed"
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]
    (file,) = feed_files()
    assert "title: Quick one" in file.read_text()


def test_at_most_two_requests_to_one_host_at_a_time(run: Run, httpserver: HTTPServer) -> None:
    at_once = {"now": 0, "most": 0}
    guard = threading.Lock()

    def slow(request: Request) -> Response:
        with guard:
            at_once["now"] += 1
            at_once["most"] = max(at_once["most"], at_once["now"])
        time.sleep(0.4)
        with guard:
            at_once["now"] -= 1
        return Response(rss(item(request.path, f"Story {request.path[1:]}")), content_type="application/rss+xml")

    for n in range(6):
        httpserver.expect_request(f"/f{n}").respond_with_handler(slow)
        write_feed(httpserver, f"/f{n}")
    result = run("fetch", "--jobs", "8")
    assert result.exit_code == 0 and "6 feeds: 6 new" in result.stderr
    assert at_once["most"] == 2


def test_a_feeds_language_is_each_items_language(run: Run, httpserver: HTTPServer) -> None:
    german = '<rss version="2.0"><channel><title>Standard</title><language>de-AT</language>'
    german += item("d1", "Kurz notiert", "OK.") + "</channel></rss>"
    french = ATOM.replace(
        '<feed xmlns="http://www.w3.org/2005/Atom">', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
    )
    spanish = json.dumps({**json.loads(JSON_FEED), "language": "es-ES"})
    serve(httpserver, "/de", german)
    serve(httpserver, "/fr", french, "application/atom+xml")
    serve(httpserver, "/es", spanish, "application/feed+json")
    for path in ("/de", "/fr", "/es"):
        follow(run, httpserver, path)
    assert run("fetch").exit_code == 0
    listed = json.loads(run("list", "--json", "--limit", "0").stdout)["articles"]
    # Given by the feed (the texts are too short to detect), made regular.
    assert {a["title"]: a["language"] for a in listed} == {
        "Kurz notiert": "de",
        "Glacier retreat measured": "fr",
        "Harbour crane collapse": "es",
    }
