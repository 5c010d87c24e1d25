"""Finding a page's feed: the one it names in <link rel="alternate">."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from newscli.feeds.http import Client
from newscli.feeds.parse import FeedError, Parsed, parse

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/json")


def feed_at(client: Client, url: str) -> tuple[str, Parsed]:
    """The feed at `url`, or the one the page at `url` links to: its URL and its contents."""
    page = client.get(url)
    try:
        return page.moved_to or url, parse(page.body, page.headers.get("content-type"))
    except FeedError:
        found = _alternates(page.body.decode("utf-8", "replace"))
        if not found:
            raise FeedError("neither a feed nor a page that links to one") from None
    target = urljoin(page.url, found[0])
    feed = client.get(target)
    return feed.moved_to or target, parse(feed.body, feed.headers.get("content-type"))


def _alternates(html: str) -> list[str]:
    class Links(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            rel = (a.get("rel") or "").lower().split()
            if tag == "link" and "alternate" in rel and (a.get("type") or "").lower() in FEED_TYPES and a.get("href"):
                self.found.append(a["href"] or "")

    parser = Links()
    parser.found = []
    parser.feed(html[: 2 * 1024 * 1024])
    return parser.found
