"""Each fetched item as a Markdown file of the archive, written atomically, once per outlet."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newscli.config import data_dir
from newscli.feeds.history import History
from newscli.feeds.parse import Item
from newscli.feeds.subscriptions import Feed


def folder() -> Path:
    """The feeds folder: a root of the archive, one folder in it per feed."""
    return data_dir() / "feeds"


def history_file() -> Path:
    return data_dir() / "feeds.db"


def keys(items: list[Item]) -> list[str]:
    """What identifies each item within its outlet: its GUID, else its link, else its text.

    A feed that gives one GUID to different items has its GUID and link together.
    """
    links: dict[str, set[str | None]] = {}
    for item in items:
        if item.guid:
            links.setdefault(item.guid, set()).add(item.link)
    shared = {guid for guid, seen in links.items() if len(seen) > 1}
    found = []
    for item in items:
        if item.guid and item.guid not in shared:
            found.append(item.guid)
        elif item.guid:
            found.append(f"{item.guid} {item.link or ''}")
        else:
            found.append(item.link or "text:" + _digest(f"{item.title}\0{item.date}\0{item.body[:500]}"))
    counts = Counter(found)  # the same key twice in one feed: numbered rather than lost
    seen: Counter[str] = Counter()
    for i, key in enumerate(found):
        if counts[key] > 1:
            seen[key] += 1
            found[i] = key if seen[key] == 1 else f"{key} #{seen[key]}"
    return found


def store(item: Item, key: str, feed: Feed, history: History) -> str:
    """Writes an item's file, or leaves it: "new", "updated", "same", or "gone" (the user deleted it)."""
    text = render(item, key, feed)
    digest = _digest(text)
    known = history.item(feed.source, key)
    if known is not None:
        if known.gone:
            return "gone"
        if not os.path.exists(known.path):
            history.bury(feed.source, key)
            return "gone"
        if known.hash == digest or known.feed != feed.url:
            return "same"  # or kept as another feed of the outlet wrote it: two feeds never rewrite it in turn
        _write(Path(known.path), text)
        history.record(feed.source, key, known.feed, known.path, digest)
        return "updated"
    path = folder() / slug(feed.name) / f"{_digest(feed.source + chr(0) + key)}.md"
    _write(path, text)
    history.record(feed.source, key, feed.url, str(path), digest)
    return "new"


def render(item: Item, key: str, feed: Feed) -> str:
    import yaml

    title = item.title or _first_words(item.body) or item.link or "(untitled)"
    front = {
        "id": key,
        "title": title,
        "source": feed.source,
        "date": item.date,
        "authors": item.authors,
        "url": item.link,
        "tags": list(dict.fromkeys(feed.tags + item.tags)),
        "language": item.language,
        "feed": feed.name,
    }
    front = {k: v for k, v in front.items() if v not in (None, [], "")}
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{item.body}\n"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "feed"


def _first_words(body: str) -> str:
    line = next((x for x in body.splitlines() if x.strip()), "")
    words = re.sub(r"[#*_`>\[\]()]", "", line).split()
    return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


def _write(path: Path, text: str) -> None:
    """Writes a file whole or not at all: the indexer never sees half of one (nor the temporary, a dot file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise OSError(e.errno, e.strerror, e.filename or str(path)) from None  # says which file
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sweep() -> None:
    """Removes the temporaries of fetches that were killed (`.NAME.md.PID` whose process is gone)."""
    for temporary in folder().glob("*/.*.md.*"):
        pid = temporary.name.rsplit(".", 1)[1]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            temporary.unlink(missing_ok=True)


@contextmanager
def fetching() -> Iterator[None]:
    """One fetch at a time: a second waits for the first, then finds its items stored (not new twice)."""
    data_dir().mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir() / ".fetch.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        sweep()
        yield
    finally:
        os.close(fd)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
