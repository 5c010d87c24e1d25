"""Lists of subscriptions in other readers' formats: OPML (folders are tags) and newsboat's urls file."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from xml.etree import ElementTree

from newscli.feeds.subscriptions import Feed

_DTD = re.compile(r"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.S | re.I)


class ListError(Exception):
    """A list that cannot be read at all."""


@dataclass
class Imported:
    feeds: list[Feed] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def read(text: str) -> Imported:
    """The feeds of an OPML document or of a newsboat urls file, told apart by their first character."""
    return read_opml(text) if text.lstrip().startswith("<") else read_urls(text)


def read_opml(text: str) -> Imported:
    try:
        root = ElementTree.fromstring(_DTD.sub("", text, count=1))
    except ElementTree.ParseError as e:
        raise ListError(f"not well-formed OPML ({e})") from None
    if root.tag != "opml":
        raise ListError(f"not OPML: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise ListError("OPML without a <body> element")
    found = Imported()
    _outlines(body, [], found)
    return found


def _outlines(parent: ElementTree.Element, folders: list[str], found: Imported) -> None:
    for outline in parent.findall("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        label = (outline.get("text") or outline.get("title") or "").strip()
        if not url:
            _outlines(outline, folders + [label] if label else folders, found)
            continue
        name = (outline.get("title") or outline.get("text") or "").strip() or url
        if outline.get("filtercmd"):
            found.skipped.append(
                (url, "its items go through a filter command (newsboat's filtercmd), which newscli does not run")
            )
            continue
        tags = ["/".join(folders)] if folders else []
        tags += [t.strip() for t in (outline.get("category") or "").split(",") if t.strip()]
        _add(found, url, name, tags)


def read_urls(text: str) -> Imported:
    """newsboat's urls file: a URL a line, then its tags; `"~Name"` names it; `#` starts a comment."""
    found = Imported()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            found.skipped.append((f"line {number}", f"cannot be read ({e})"))
            continue
        url, rest = words[0], words[1:]
        names = [w[1:] for w in rest if w.startswith("~")]
        tags = [w for w in rest if not w.startswith(("~", "!"))]
        _add(found, url, names[0] if names else url, tags)
    return found


def _add(found: Imported, url: str, name: str, tags: list[str]) -> None:
    if not re.match(r"https?://[^/\s]+", url):
        why = "a command, not a URL" if url.startswith(("|", "exec:", "filter:")) else "not an http or https URL"
        found.skipped.append((url, f"{why}: newscli fetches feeds over HTTP only"))
        return
    if any(f.url == url for f in found.feeds):
        found.skipped.append((url, "listed twice"))
        return
    found.feeds.append(Feed(name=name, url=url, source=name, tags=list(dict.fromkeys(tags))))


def write_opml(feeds: list[Feed]) -> str:
    """OPML 2.0; a feed sits in the folder of its first tag, and carries all its tags in `category`."""
    root = ElementTree.Element("opml", version="2.0")
    ElementTree.SubElement(ElementTree.SubElement(root, "head"), "title").text = "newscli feeds"
    body = ElementTree.SubElement(root, "body")
    folders: dict[str, ElementTree.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            path = ""
            for part in feed.tags[0].split("/"):
                path = f"{path}/{part}"
                if path not in folders:
                    folders[path] = ElementTree.SubElement(parent, "outline", text=part, title=part)
                parent = folders[path]
        attributes = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.tags:
            attributes["category"] = ",".join(feed.tags)
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def write_urls(feeds: list[Feed]) -> str:
    lines = []
    for feed in feeds:
        words = [feed.url, *feed.tags] + ([f"~{feed.name}"] if feed.name != feed.url else [])
        lines.append(" ".join(w if re.fullmatch(r"[^\s\"'#]+", w) else '"' + w.replace('"', "") + '"' for w in words))
    return "".join(line + "\n" for line in lines)
