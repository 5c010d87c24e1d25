"""Files of many articles: a JSON array of records (or one record), and JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from newscli.errors import ArticleError
from newscli.formats.base import Names, Parsed, Reader
from newscli.formats.fields import kind, pick


def _parsed(records: Iterable[tuple[int | None, object]], names: Names) -> Iterator[Parsed]:
    for position, record in records:
        if isinstance(record, ArticleError):
            yield Parsed(record=position, error=record)
        elif not isinstance(record, dict):
            yield Parsed(record=position, error=ArticleError(f"a record must be a JSON object, not {kind(record)}"))
        else:
            yield Parsed(pick(record, names), record=position)


def _json(text: str, names: Names) -> Iterator[Parsed]:
    return _parsed(_json_records(text), names)


def _json_records(text: str) -> Iterator[tuple[int | None, object]]:
    """(index, record) for each element of a .json file: a list of records, or one (index None)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ArticleError(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise ArticleError("JSON nested too deeply") from None
    if isinstance(data, list):
        yield from enumerate(data)
    else:
        yield None, data


def _json_raw(text: str, record: int) -> str | None:
    try:
        return json.dumps(json.loads(text)[record], ensure_ascii=False, indent=2)
    except (ValueError, IndexError, TypeError, KeyError, RecursionError):
        return None


def _jsonl(text: str, names: Names) -> Iterator[Parsed]:
    return _parsed(_jsonl_records(text), names)


def _jsonl_records(text: str) -> Iterator[tuple[int | None, object]]:
    """(line number, record or ArticleError) for each non-blank line of a .jsonl file."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            yield number, ArticleError(f"invalid JSON at column {e.colno}: {e.msg}")
        except RecursionError:
            yield number, ArticleError("JSON nested too deeply")


def _jsonl_raw(text: str, record: int) -> str | None:
    lines = text.splitlines()
    return lines[record - 1] if record <= len(lines) else ""


JSON = Reader("json", frozenset({".json"}), _json, many=True, place="position", raw=_json_raw)
JSONL = Reader("jsonl", frozenset({".jsonl"}), _jsonl, many=True, place="line", raw=_jsonl_raw)
