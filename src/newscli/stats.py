"""Counting articles per period, for timelines and facets. Plain Python, no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum

from newscli.models import Bucket

MAX_FILLED = 1000  # periods; beyond this, empty periods are left out rather than drawn


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


def label(day: date, by: Period) -> str:
    if by == Period.DAY:
        return day.isoformat()
    if by == Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02}"
    if by == Period.MONTH:
        return f"{day.year}-{day.month:02}"
    return str(day.year)


def per_period(day_counts: Mapping[str, int], by: Period) -> list[Bucket]:
    """Counts per period from counts per ISO day, oldest first, with empty periods in between."""
    counts: Counter[str] = Counter()
    for day, n in day_counts.items():
        counts[label(date.fromisoformat(day), by)] += n
    if not counts:
        return []
    days = sorted(date.fromisoformat(d) for d in day_counts)
    labels = _every_label(days[0], days[-1], by)
    if labels is None:
        labels = sorted(counts)
    return [Bucket(name, counts.get(name, 0)) for name in labels]


def _every_label(first: date, last: date, by: Period) -> list[str] | None:
    step = {Period.DAY: 1, Period.WEEK: 7}.get(by)
    if step is None:  # months and years: walk day by day would be slow, so walk by month
        labels: list[str] = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            name = label(date(year, month, 1), by)
            if not labels or labels[-1] != name:
                labels.append(name)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(labels) > MAX_FILLED:
                return None
        return labels
    if (last - first).days // step > MAX_FILLED:
        return None
    start = first - timedelta(days=first.weekday()) if by == Period.WEEK else first
    return list(dict.fromkeys(label(start + timedelta(days=i), by) for i in range(0, (last - start).days + 1, step)))
