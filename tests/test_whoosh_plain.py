"""The plain mode: Whoosh's public API alone, with the same answers as the internals give, and an unverified
Whoosh version run that way with one note."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscli.engine import backend
from newscli.engine.whoosh import collecting, internals
from newscli.engine.whoosh.internals import patches
from newscli.engine.whoosh.ordering import order
from newscli.models import Article, DateRange, Filters, Ranking, SearchRequest, Sort

from .conftest import Run, doc, index, write

WORDS = ["troops", "talks", "border", "rain", "harvest", "election", "peace", "cocoa", "Kyiv", "Kiev"]
OUTLETS = ["Reuters", "AP", "Al Jazeera + agencies", "BBC News"]


@pytest.fixture
def plain() -> Iterator[None]:
    backend("whoosh", plain=True)
    yield
    backend("whoosh")


def test_the_plain_mode_undoes_every_patch_and_leaves_searches_to_whoosh(tmp_path: Path, plain: None) -> None:
    assert not internals.active()
    for cls, name, original in patches._ORIGINAL:
        assert cls.__dict__.get(name) is original, (cls, name)
    engine = backend("whoosh", plain=True).create(str(tmp_path / "index"))
    with engine.writer() as w:
        a = Article(
            id="0" * 12, title="Troops", body="troops at the border", path="/n/0.md", date="2024-05-01", language="en"
        )
        w.add(a, a.id)
    with type(engine).open(str(tmp_path / "index"))._searcher() as s:  # type: ignore[attr-defined]
        from whoosh import query

        results = collecting.search(
            s, query.Term("body", "troop"), 10, None, None, order(Sort.NEWEST), None, collecting.Kept()
        )
        assert type(results.collector).__module__.startswith("whoosh.")  # Whoosh's own collector
        assert collecting.more(results, 20) is None
    backend("whoosh", plain=False)
    assert internals.active()
    assert all(cls.__dict__.get(name) is new for cls, name, new in patches._REPLACED)


def _archive(engine_class: type, folder: Path) -> None:
    rng = random.Random(7)
    engine = engine_class.create(str(folder))
    for batch in range(3):  # three segments
        with engine.writer() as w:
            for n in range(batch * 120, batch * 120 + 120):
                body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40)))
                dated = rng.random() > 0.1
                a = Article(
                    id=f"{n:012x}",
                    title=" ".join(rng.choice(WORDS) for _ in range(3)),
                    body=body,
                    path=f"/news/{n}.md",
                    source=(source := rng.choice(OUTLETS)),
                    outlets=tuple(o.strip() for o in source.split("+")),
                    date=f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if dated else None,
                )
                w.add(a, f"{n // 3:012x}")  # stories of three copies
    with engine.writer() as w:
        for n in range(0, 360, 7):
            w.delete_file(f"/news/{n}.md")


def _answers(engine: object) -> list[object]:
    some = tuple(f"{n:012x}" for n in range(0, 360, 5))
    requests = [
        SearchRequest("troops", sort=sort, ranking=ranking, limit=limit, fold_copies=fold)
        for sort in Sort
        for ranking in (Ranking.BM25, Ranking.NEWS)
        for limit in (10, 0)
        for fold in (True, False)
    ] + [
        SearchRequest("troops border", facets=True),
        SearchRequest("troops peace election harvest", limit=20),  # a short page, filled
        SearchRequest('"troops talks"', limit=0),
        SearchRequest("harv*", limit=0),
        SearchRequest("electon~", limit=0),
        SearchRequest("kyiv", variants=(("kyiv", "kiev"),), limit=0),
        SearchRequest("rain", Filters(sources=("reuters",)), limit=0),
        SearchRequest("rain", Filters(only_ids=some), limit=0),
        SearchRequest("rain", Filters(without_ids=some, dates=DateRange(1706745600.0, None)), Sort.OLDEST, limit=0),
    ]
    e = engine
    found: list[object] = [e.search(r) for r in requests]  # type: ignore[attr-defined]
    found += [e.browse(Filters(without_ids=some), sort, limit) for sort in Sort for limit in (0, 15)]  # type: ignore[attr-defined]
    found += [e.sources(), e.stories(), e.count()]  # type: ignore[attr-defined]
    found += [e.related(e.get(f"{5:012x}"), 5)]  # type: ignore[attr-defined]
    found += [e.contents()]  # type: ignore[attr-defined]
    return found


def test_both_modes_answer_alike(tmp_path: Path) -> None:
    """Searches of every kind, browsing, counts and stories: the same in the plain mode as with the internals."""
    _archive(backend("whoosh"), tmp_path / "index")
    try:
        fast = _answers(backend("whoosh").open(str(tmp_path / "index")))
        slow = _answers(backend("whoosh", plain=True).open(str(tmp_path / "index")))
    finally:
        backend("whoosh")
    assert len(fast) == len(slow)
    for ours, theirs in zip(fast, slow, strict=True):
        assert ours == theirs


def test_an_index_written_in_the_plain_mode_is_the_same_index(tmp_path: Path) -> None:
    try:
        _archive(backend("whoosh", plain=True), tmp_path / "plain")
    finally:
        backend("whoosh")
    _archive(backend("whoosh"), tmp_path / "fast")
    assert _answers(backend("whoosh").open(str(tmp_path / "plain"))) == _answers(
        backend("whoosh").open(str(tmp_path / "fast"))
    )


# A Whoosh that says it is a version newscli was not verified with: newscli as it would run with it.
UNVERIFIED = (
    "import sys, whoosh\n"
    "whoosh.__version__ = (2, 7, 99)\n"
    "from newscli.core import Environment, run\n"
    "env = Environment.of_process()\n"
    "codes = [run(args.split(), env) for args in sys.argv[1:]]\n"
    "from newscli.engine.whoosh import internals\n"
    "print('active' if internals.active() else 'plain', codes, file=sys.stderr)\n"
)


def test_an_unverified_whoosh_runs_plain_with_one_note(run: Run, tmp_path: Path) -> None:
    write(tmp_path / "news" / "a.md", doc("Troops at the border", "Soldiers massed.", source="Reuters"))
    write(tmp_path / "news" / "b.md", doc("Peace talks", "Diplomats met.", source="AP", date="2024-03-01"))
    commands = [f"index {tmp_path / 'news'}", "--no-server search troops", "--no-server list", "--no-server sources"]
    done = subprocess.run(
        [sys.executable, "-c", UNVERIFIED, *commands], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    notes = [line for line in done.stderr.splitlines() if "not a version newscli was verified with" in line]
    assert notes == [
        "newscli: note: Whoosh 2.7.99 is not a version newscli was verified with (2.7.5): searching with its "
        "public API alone, more slowly (set NEWSCLI_WHOOSH_PLAIN=1 to say nothing)"
    ]
    assert done.stderr.splitlines()[-1] == "plain [0, 0, 0, 0]"
    assert "Troops at the border" in done.stdout and "Peace talks" in done.stdout
    index(run, tmp_path / "news")  # the index it made is the one a verified Whoosh reads
    assert "Troops at the border" in run("search", "troops").stdout
