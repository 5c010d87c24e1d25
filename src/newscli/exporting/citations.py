"""Articles as citations: RIS (Zotero, EndNote), BibTeX (biblatex, pandoc) and CSL-JSON (pandoc, citeproc).

Each is a newspaper article: its outlet the newspaper or site, its authors, its date
as precise as it is known, its URL, and the access date (the day of the export). An
article without a date or an author is still a valid entry, with what it has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

from newscli.exporting import Options, Row, date_parts, one_line
from newscli.models import Article

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def ris(rows: Iterable[Row], out: TextIO, options: Options) -> int:
    """RIS: a record per article, a tag and its value a line, ended by `ER  -`."""
    n = 0
    accessed = options.accessed.strftime("%Y/%m/%d")
    for row in rows:
        a = row.article
        lines = [("TY", "NEWS"), ("ID", a.id), ("TI", one_line(a.title) or a.id)]
        lines += [("AU", _inverted(name)) for name in _names(a)]
        if outlet := _outlet(a):
            lines.append(("T2", outlet))
        if parts := date_parts(a):
            lines.append(("PY", str(parts[0])))
            lines.append(("DA", "/".join(f"{p:02d}" for p in parts) + "/" * (4 - len(parts))))
        if a.url:
            lines.append(("UR", one_line(a.url)))
        lines.append(("Y2", accessed))
        if a.language:
            lines.append(("LA", a.language))
        lines += [("KW", one_line(tag)) for tag in a.tags if one_line(tag)]
        out.write("".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  - \n\n")
        n += 1
    return n


def bibtex(rows: Iterable[Row], out: TextIO, options: Options) -> int:
    """BibTeX, as biblatex and pandoc read it: @article of entrysubtype newspaper, with journal the outlet."""
    n = 0
    for row in rows:
        a = row.article
        fields = [("title", "{" + _tex(one_line(a.title) or a.id) + "}")]  # its capitals kept
        if names := _names(a):
            fields.append(("author", " and ".join(_bib_name(name) for name in names)))
        if outlet := _outlet(a):
            fields.append(("journal", _tex(outlet)))
        fields.append(("entrysubtype", "newspaper"))
        if parts := date_parts(a):
            fields.append(("date", "-".join(f"{p:02d}" for p in parts)))
            fields.append(("year", str(parts[0])))
            if len(parts) > 1:
                fields.append(("month", MONTHS[parts[1] - 1] if 1 <= parts[1] <= 12 else str(parts[1])))
        if a.url:
            fields.append(("url", _bib_url(one_line(a.url))))
        fields.append(("urldate", options.accessed.isoformat()))
        if a.language:
            fields.append(("langid", a.language))
        if tags := [one_line(t) for t in a.tags if one_line(t)]:
            fields.append(("keywords", _tex(", ".join(tags))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.write(f"@article{{{_key(a)},\n{body}\n}}\n\n")
        n += 1
    return n


def csl_json(rows: Iterable[Row], out: TextIO, options: Options) -> int:
    """CSL-JSON: one array of items of type article-newspaper, written an item at a time."""
    from newscli.render import json_text

    n = 0
    out.write("[")
    for row in rows:
        out.write(("," if n else "") + "\n  " + json_text(_csl(row.article, options)))
        n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def _csl(a: Article, options: Options) -> dict[str, Any]:
    item: dict[str, Any] = {"id": _key(a), "type": "article-newspaper", "title": one_line(a.title) or a.id}
    if names := _names(a):
        item["author"] = [_csl_name(name) for name in names]
    if outlet := _outlet(a):
        item["container-title"] = outlet
    if parts := date_parts(a):
        item["issued"] = {"date-parts": [parts]}
    if a.url:
        item["URL"] = one_line(a.url)
    item["accessed"] = {"date-parts": [[options.accessed.year, options.accessed.month, options.accessed.day]]}
    if a.language:
        item["language"] = a.language
    if a.tags:
        item["keyword"] = ", ".join(one_line(t) for t in a.tags)
    return item


def _names(a: Article) -> list[str]:
    return [name for name in (one_line(n) for n in a.authors) if name]


def _outlet(a: Article) -> str:
    return one_line(a.outlets[0] if a.outlets else a.source or "")


def _split(name: str) -> tuple[str, str]:
    """(family, given) of a name written "Given Family" or "Family, Given"; ("", name) for one word, or
    for a firm's name ("Smith and Sons"), which is not split."""
    if " and " in name.lower():
        return "", name
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split()
    return (words[-1], " ".join(words[:-1])) if len(words) > 1 else ("", name)


def _inverted(name: str) -> str:
    family, given = _split(name)
    return f"{family}, {given}" if family else given


def _csl_name(name: str) -> dict[str, str]:
    family, given = _split(name)
    return {"family": family, "given": given} if family else {"literal": given}


def _bib_name(name: str) -> str:
    family, given = _split(name)
    if not family:  # one word, or a firm's name, which BibTeX would take for two names
        return "{" + _tex(name) + "}"
    return f"{_tex(family)}, {_tex(given)}"


_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
_TEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")


def _tex(text: str) -> str:
    """Text as a BibTeX value holds it: TeX's special characters escaped, so braces always balance."""
    return _TEX_SPECIAL.sub(lambda m: _TEX[m.group()], text)


def _bib_url(url: str) -> str:
    """A URL as BibTeX's url field holds it: as written, but braces and backslashes percent-encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _key(a: Article) -> str:
    """A citation key: the outlet (letters and digits), the year, and the ID, unique as IDs are."""
    outlet = re.sub(r"[^a-z0-9]", "", _outlet(a).lower().encode("ascii", "ignore").decode())[:20]
    parts = date_parts(a)
    return f"{outlet or 'article'}{parts[0] if parts else ''}-{a.id}"
