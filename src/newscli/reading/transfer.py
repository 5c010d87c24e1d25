"""Marks moved between machines: `state export` and `state import`, as JSON Lines.

An import is read a line at a time and written in one transaction as it is read: a
million lines take no more memory than one, and a bad line anywhere changes nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any, TextIO

from newscli.errors import NewscliError
from newscli.reading.marks import Mark, Marks, check_label
from newscli.safe import control

MAX_LINE = 1 << 20  # bytes: a mark is a few hundred


def export_marks(marks: Marks, target: str, stdout: TextIO | None) -> int:
    """Writes every mark to `target` ('-': `stdout`), whole or not at all; how many."""
    from newscli import output

    with output.target(target, stdout) as out:
        return _write(marks, out)


def import_marks(marks: Marks, source: str, stdin: TextIO | None) -> int:
    """Sets the marks read from `source` ('-': `stdin`), all or none; how many."""
    if source == "-":
        if stdin is None:
            raise NewscliError("standard input is closed: give a file to import")
        raw = stdin.buffer if hasattr(stdin, "buffer") else io.BytesIO(stdin.read().encode())  # a StringIO
        return marks.replace(_read(raw, "<stdin>"))
    try:
        f = open(source, "rb")  # noqa: SIM115  (closed below)
    except OSError as e:
        raise NewscliError(f"cannot read {source}: {e.strerror or e}") from None
    with f:
        return marks.replace(_read(f, source))


def _write(marks: Marks, out: IO[str]) -> int:
    from newscli.render import json_text

    n = 0
    for article, mark in marks.every():
        out.write(json_text({"id": article, **mark.json()}) + "\n")
        n += 1
    out.flush()
    return n


def _read(lines: IO[bytes], name: str) -> Iterator[tuple[str, Mark]]:
    for number, raw in enumerate(iter(lambda: lines.readline(MAX_LINE + 1), b""), 1):
        try:
            if len(raw) > MAX_LINE:
                raise ValueError(f"a line longer than {MAX_LINE:,} bytes")
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            if not text.strip():
                continue
            yield _mark(json.loads(text))
        except UnicodeDecodeError:
            raise NewscliError(f"{name}:{number}: not UTF-8 text") from None
        except RecursionError:
            raise NewscliError(f"{name}:{number}: not a mark (nested too deep)") from None
        except NewscliError as e:
            raise NewscliError(f"{name}:{number}: {e.message}") from None
        except ValueError as e:
            raise NewscliError(f"{name}:{number}: not a mark ({e})") from None


def _mark(data: Any) -> tuple[str, Mark]:
    """One line's mark, every field of the type `state export` writes."""
    if not isinstance(data, dict):
        raise ValueError("a line is an object with id, read, starred and labels")
    article, labels = data.get("id"), data.get("labels", [])
    if not isinstance(article, str) or not article:
        raise ValueError("id is text")
    try:
        article.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("an id is text, not half of a character (a lone surrogate)") from None
    if control(article) is not None or not article.isprintable():
        raise ValueError("an id holds no control characters")
    if not all(isinstance(data.get(k, False), bool) for k in ("read", "starred")):
        raise ValueError("read and starred are true or false")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ValueError('labels is a list of text, such as ["later"]')
    return article, Mark(data.get("read", False), data.get("starred", False), [check_label(x) for x in labels])
