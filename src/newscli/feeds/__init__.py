"""News coming in: subscriptions to feeds, fetched into Markdown files of the archive.

subscriptions.py keeps the user's feeds.yaml, lists.py reads and writes OPML and
newsboat's urls files, http.py downloads politely and within limits, parse.py turns
a feed's bytes into items, store.py writes each item as an article file, history.py
remembers what was fetched, and fetch.py puts them together.
"""
