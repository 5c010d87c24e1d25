"""`newscli sources`: every outlet with its count."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, doc, index, write


def test_sources_counts_each_outlet(run: Run, news: Path, archive: Path) -> None:
    index(run, news, archive)
    data = json.loads(run("sources", "--json").stdout)
    assert data["sources"] == [
        {"name": "Al Jazeera", "count": 2},
        {"name": "Reuters", "count": 2},
        {"name": "agencies", "count": 1},
        {"name": "AP", "count": 1},
        {"name": "Fox News", "count": 1},
    ]
    table = run("sources").stdout
    assert [line.split()[-1] for line in table.splitlines() if "Reuters" in line] == ["2"]
    (news / "c.txt").unlink()  # a Reuters story: its article is deleted from the index, not yet purged
    write(news / "b.md", doc("Peace talks resume", "Talks went on.", source="Reuters"))  # was AP's
    index(run, news, archive)
    counts = {s["name"]: s["count"] for s in json.loads(run("sources", "--json").stdout)["sources"]}
    assert counts == {"Al Jazeera": 2, "Reuters": 2, "agencies": 1, "Fox News": 1}
