"""The full text of an item whose feed carries only a summary: its page, fetched, and the article extracted.

Extraction is trafilatura's, an optional extra (`pip install 'newscli[fulltext]'`).
"""

from __future__ import annotations

from newscli.feeds.http import Client, FetchError

MISSING = "full text needs trafilatura: pip install 'newscli[fulltext]'"
MIN_LENGTH = 200  # characters: less is a cookie notice or a paywall's teaser, not the article


def available() -> bool:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


def extract(client: Client, url: str, deadline: float | None = None) -> str | None:
    """The article at `url` as Markdown; None if it cannot be fetched by `deadline` (time.monotonic())
    or nothing like an article is found."""
    try:
        page = client.get(url, deadline=deadline)
    except FetchError:
        return None
    import trafilatura

    try:
        text = trafilatura.extract(
            page.body, url=page.url, output_format="markdown", include_comments=False, include_images=False
        )
    except Exception:  # whatever a page's bytes lead the extractor to: the summary stays
        return None
    return text if text and len(text) >= MIN_LENGTH else None
