"""Dates as articles write them, and the bounds of --since/--until.

Article dates are kept as ISO 8601 strings exactly as precise as the source
(a day, or a moment with or without a UTC offset). Sorting and filtering use
POSIX timestamps; a date without an offset is read as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newscli.models import Article

_RELATIVE = re.compile(r"^(\d+)([dwmy])$")
_HOURS = re.compile(r"^(\d+)h$")

_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def normalize(value: object) -> str | None:
    """An article's date as an ISO 8601 string; None for no date; ValueError if unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"a date must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if m := _SLASHED.match(text):
        month, day, year = (int(g) for g in m.groups())
        if year < 100:  # two-digit years in news archives are this century's or the last's
            year += 2000 if year < 70 else 1900
        return date(year, month, day).isoformat()
    if len(text) == 10:
        return date.fromisoformat(text).isoformat()
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    return moment.isoformat()


def timestamp(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def timestamp_of(article: Article) -> float | None:
    """When an article was published, as a POSIX timestamp; None if it is undated."""
    return timestamp(article.date) if article.date else None


def bound(text: str, *, end: bool, now: datetime | None = None) -> float:
    """The first (or, with end=True, the last) moment of a --since/--until value.

    A year or a month names the whole period: --until 2024-02 includes 29 February.
    Relative values count back from today: `7d`, `2w`, `3m`, `1y`, `today`, `yesterday`
    (each names a whole day); `24h` is the moment 24 hours ago. Periods are in UTC, as article
    dates without an offset are.
    """
    text = text.strip().lower()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    today = moment.date()
    try:
        if m := _HOURS.match(text):
            return (moment - timedelta(hours=int(m[1]))).timestamp()
        if text in ("today", "yesterday") or _RELATIVE.match(text):
            start = datetime.combine(_days_back(text, today), datetime.min.time(), UTC)
            stop = start + timedelta(days=1)
        elif _YEAR.match(text):
            start = datetime(int(text), 1, 1, tzinfo=UTC)
            stop = datetime(int(text) + 1, 1, 1, tzinfo=UTC)
        elif m := _MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            start = datetime(year, month, 1, tzinfo=UTC)
            stop = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        elif len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            stop = start + timedelta(days=1)
        else:
            return timestamp(normalize(text.upper()) or "")
    except (ValueError, OverflowError):  # 99999999999d reaches past the calendar
        raise ValueError(
            f"cannot read the date {text!r}: use YYYY, YYYY-MM, YYYY-MM-DD, an ISO 8601 time, "
            "or 24h, 7d, 2w, 3m, 1y, today, yesterday"
        ) from None
    return (stop.timestamp() - 1e-6) if end else start.timestamp()


def _days_back(text: str, today: date) -> date:
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    m = _RELATIVE.match(text)
    assert m is not None
    count, unit = int(m[1]), m[2]
    if unit == "d":
        return today - timedelta(days=count)
    if unit == "w":
        return today - timedelta(weeks=count)
    months = today.year * 12 + today.month - 1 - (count if unit == "m" else 12 * count)
    year, month = divmod(months, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(today.day, last_day))
