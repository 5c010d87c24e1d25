"""Lists of subscriptions in other readers' formats: OPML (folders are tags) and newsboat's urls file."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from xml.etree import ElementTree

from newscli.feeds.parse import without_dtd
from newscli.feeds.subscriptions import Feed, check_url
from newscli.safe import OBEYED, clean

MAX_DEPTH = 50  # folders within folders; deeper outlines are skipped, said
_TERMINAL = re.compile(f"[{OBEYED}]")  # allowed in XML, obeyed by a terminal
_NOT_XML = re.compile(  # what XML 1.0 forbids in a document: never written into one
    "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


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
        root = ElementTree.fromstring(without_dtd(text.encode("utf-8", "surrogatepass")))
    except ElementTree.ParseError as e:
        raise ListError(f"not well-formed OPML ({e})") from None
    if root.tag != "opml":
        raise ListError(f"not OPML: the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise ListError("OPML without a <body> element")
    found = Imported()
    _outlines(body, found)
    return found


def _outlines(body: ElementTree.Element, found: Imported) -> None:
    """Every feed under `body`, in document order; a loop, not recursion, however deep the folders."""
    todo = [(outline, list[str]()) for outline in reversed(body.findall("outline"))]
    while todo:
        outline, folders = todo.pop()
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        label = (outline.get("text") or outline.get("title") or "").strip()
        if not url:
            inner = folders + [label] if label else folders
            if len(inner) > MAX_DEPTH:
                found.skipped.append((f"folder {label!r}", f"nested more than {MAX_DEPTH} folders deep"))
                continue
            todo.extend((child, inner) for child in reversed(outline.findall("outline")))
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
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines: U+0085 or U+2028 is no line end here
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
    if url.startswith(("|", "exec:", "filter:")):
        found.skipped.append((url, "a command, not a URL: newscli fetches feeds over HTTP only"))
        return
    try:
        url = check_url(url)
    except ValueError as e:
        found.skipped.append((url, str(e)))
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
                    folders[path] = ElementTree.SubElement(parent, "outline", text=_xml(part), title=_xml(part))
                parent = folders[path]
        name = _xml(feed.name)
        attributes = {"type": "rss", "text": name, "title": name, "xmlUrl": _xml(feed.url)}
        if feed.tags:
            attributes["category"] = _xml(",".join(feed.tags))
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    text = ElementTree.tostring(root, encoding="unicode")
    # C1 and bidi controls are allowed in XML but obeyed by a terminal: written as character references.
    text = _TERMINAL.sub(lambda m: f"&#x{ord(m.group()):x};", text)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _xml(text: str) -> str:
    """Text XML can hold: a character it forbids is written as `<U+FFFE>`."""
    return _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def write_urls(feeds: list[Feed]) -> str:
    lines = []
    for feed in feeds:
        # The format has no escapes: a control character in a name or tag is written as `clean` shows it.
        words = [feed.url, *map(clean, feed.tags)] + ([f"~{clean(feed.name)}"] if feed.name != feed.url else [])
        lines.append(" ".join(w if re.fullmatch(r"[^\s\"'#]+", w) else '"' + w.replace('"', "") + '"' for w in words))
    return "".join(line + "\n" for line in lines)
