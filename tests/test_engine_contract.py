"""What every search backend must do, tested on the engine directly: one run per name in BACKENDS, and
one more for each in its plain mode (its library's public API alone, as for a version not verified)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from newscli.dates import timestamp_of
from newscli.engine import BACKENDS, Engine, backend
from newscli.errors import IndexError_, QueryError
from newscli.models import Article, DateRange, Filters, Markup, Ranking, SearchRequest, Sort
from newscli.query import VARIANTS
from newscli.stats import Period

STORY = (
    "The Kremlin said on Tuesday that sending Western troops to Ukraine would lead to a direct conflict, "
    "after President Macron refused to rule out ground forces. Spokesman Dmitry Peskov told reporters "
    "that such a step would not be in the interest of these countries, and that they should be aware of it."
)


def article(
    n: int, title: str, body: str, source: str | None = None, date: str | None = None, **more: object
) -> Article:
    outlets = tuple(o.strip() for o in source.split("+")) if source else ()
    more.setdefault("language", "en")  # (as detected from such a text: it is analysed as English)
    return Article(
        id=f"{n:012x}", title=title, body=body, path=f"/news/{n}.md", source=source, outlets=outlets, date=date, **more
    )  # type: ignore[arg-type]


ARTICLES = [
    article(1, "Troops massed on the border", "Soldiers and tanks gathered near the border.", "Reuters", "2024-02-10"),
    article(2, "Peace talks resume in Geneva", "Diplomats met for talks on ground forces.", "AP", "2024-03-01"),
    article(3, "Cocoa prices rise", "Cocoa rose sharply as the drought hit the crop.", "reuters", "2023-11-20"),
    article(4, "Election night", "Votes were counted all night as troops kept order.", "Fox News"),
    article(5, "Kremlin warns the West", STORY, "Al Jazeera + agencies", "2024-02-27T18:00:00+00:00"),
    article(
        6,
        "Macron ground forces remark",
        "Macron said ground forces could not be ruled out, and border troops were on alert.",
        "AP",
        "2024-02-26",
        authors=("Ann Lee",),
        tags=("europe", "war"),
        url="https://example.com/macron",
        caption="Macron at the Elysee (AFP)",
        markup=Markup.MARKDOWN,
    ),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture(
    params=[(name, plain) for name in BACKENDS for plain in (False, True)],
    ids=lambda p: f"{p[0]}-plain" if p[1] else p[0],
)
def empty(request: pytest.FixtureRequest, folder: Path) -> Iterator[Engine]:
    name, plain = request.param
    yield backend(name, plain=plain).create(str(folder))
    backend(name)  # the mode of the rest of the tests


@pytest.fixture
def engine(empty: Engine, folder: Path) -> Engine:
    with empty.writer() as w:
        for a in ARTICLES:
            w.add(a, a.id)
    return type(empty).open(str(folder))


def ids(engine: Engine, text: str, **options: object) -> list[int]:
    """The matches of a query: the hits holding every word, not those that fill a short page."""
    result = engine.search(SearchRequest(text, **options))  # type: ignore[arg-type]
    return [int(h.article.id, 16) for h in result.hits if h.every_word]


def test_an_index_is_made_opened_and_told_from_an_empty_folder(empty: Engine, folder: Path, tmp_path: Path) -> None:
    kind = type(empty)
    assert kind.exists(str(folder))
    assert not kind.exists(str(tmp_path))
    assert empty.count() == 0
    with pytest.raises(IndexError_):
        kind.open(str(tmp_path / "nothing here"))


def test_articles_come_back_whole(engine: Engine) -> None:
    assert engine.count() == len(ARTICLES)
    for a in ARTICLES:
        assert engine.get(a.id) == a
    assert engine.get("ffffffffffff") is None
    assert engine.in_file("/news/6.md") == [ARTICLES[5]]
    assert [a.id for a in engine.with_prefix("00000000000")] == sorted(a.id for a in ARTICLES)[:10]


def test_a_file_of_many_records_comes_back_in_order(empty: Engine) -> None:
    records = [Article(f"r{i}", f"Record {i}", "Text.", "/news/feed.jsonl", record=i) for i in (3, 1, 2)]
    with empty.writer() as w:
        for a in records:
            w.add(a, a.id)
    assert [a.record for a in empty.in_file("/news/feed.jsonl")] == [1, 2, 3]


def test_a_file_is_updated_by_deleting_its_articles_and_adding_them_again(engine: Engine) -> None:
    changed = article(1, "Troops withdrawn from the border", "The soldiers left.", "Reuters", "2024-02-11")
    with engine.writer() as w:
        w.delete_file("/news/1.md")
        w.add(changed, changed.id)
        w.delete_file("/news/3.md")
    assert engine.count() == len(ARTICLES) - 1
    assert engine.get(changed.id) == changed
    assert engine.get(ARTICLES[2].id) is None
    assert ids(engine, "withdrawn") == [1]
    assert ids(engine, "cocoa") == []


def test_a_batch_that_fails_changes_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), engine.writer() as w:
        w.delete_file("/news/1.md")
        w.add(article(9, "Never added", "Nothing."), "9")
        raise RuntimeError("stopped")
    assert engine.count() == len(ARTICLES)
    assert ids(engine, "never added") == []


def test_words_are_anded_stemmed_and_titles_weigh_more(engine: Engine) -> None:
    assert set(ids(engine, "troops")) == {1, 4, 5, 6}
    assert ids(engine, "troop border")[0] == 1  # both words in its title
    assert set(ids(engine, "troops border")) == {1, 6}
    assert set(ids(engine, "cocoa OR election")) == {3, 4}
    assert set(ids(engine, "troops NOT border")) == {4, 5}
    assert ids(engine, '"ground forces" Macron')[0] == 6


def test_a_short_page_is_filled_after_the_matches(engine: Engine) -> None:
    result = engine.search(SearchRequest("troops border"))
    assert result.total == 2 and result.partial == 2
    assert [(int(h.article.id, 16), h.every_word) for h in result.hits][:2] in (
        [(1, True), (6, True)],
        [(6, True), (1, True)],
    )
    assert {int(h.article.id, 16) for h in result.hits[2:]} == {4, 5}  # troops, not border
    assert not any(h.every_word for h in result.hits[2:])
    plain = engine.search(SearchRequest("troops border", ranking=Ranking.BM25))
    assert plain.partial == 0 and len(plain.hits) == 2


def test_filters_by_outlet_and_date(engine: Engine) -> None:
    assert set(ids(engine, "troops OR cocoa", filters=Filters(sources=("REUTERS",)))) == {1, 3}
    assert set(ids(engine, "troops", filters=Filters(sources=("agencies",)))) == {5}
    assert ids(engine, "troops", filters=Filters(sources=("Nobody",))) == []
    february = DateRange(1706745600.0, 1709251199.0)  # 2024-02, UTC
    assert set(ids(engine, "troops", filters=Filters(dates=february))) == {1, 5, 6}
    assert set(ids(engine, "troops date:2024-02-27..")) == {5}


def test_sorts_by_date_with_undated_last_and_pages(engine: Engine) -> None:
    assert ids(engine, "troops", sort=Sort.NEWEST) == [5, 6, 1, 4]
    assert ids(engine, "troops", sort=Sort.OLDEST) == [1, 6, 5, 4]
    result = engine.search(SearchRequest("troops", sort=Sort.NEWEST, limit=3, page=2))
    assert (result.total, [h.article.id for h in result.hits]) == (4, [ARTICLES[3].id])
    assert all(h.score is None for h in result.hits)
    assert len(engine.search(SearchRequest("troops", limit=0)).hits) == 4


def test_snippets_mark_the_matched_words(engine: Engine) -> None:
    [hit] = engine.search(SearchRequest("drought")).hits
    assert hit.snippet.spans
    assert [hit.snippet.text[a:b].lower() for a, b in hit.snippet.spans] == ["drought"]
    [lead] = engine.search(SearchRequest("title:election")).hits
    assert lead.snippet.text.startswith("Votes were counted")


def test_facets_count_outlets_and_months(engine: Engine) -> None:
    facets = engine.search(SearchRequest("troops OR cocoa", facets=True)).facets
    assert facets is not None
    assert {(b.name, b.count) for b in facets.outlets} == {
        ("Reuters", 2),
        ("AP", 1),
        ("Fox News", 1),
        ("Al Jazeera", 1),
        ("agencies", 1),
    }
    assert [(b.name, b.count) for b in facets.months] == [
        ("2023-11", 1),
        ("2023-12", 0),
        ("2024-01", 0),
        ("2024-02", 3),
    ]
    assert facets.undated == 1


def test_counts_per_period(engine: Engine) -> None:
    timeline = engine.timeline(SearchRequest("troops"), Period.YEAR)
    assert (timeline.total, timeline.undated) == (4, 1)
    assert [(b.name, b.count) for b in timeline.periods] == [("2024", 3)]


def test_copies_of_a_story_fold_into_one_hit(engine: Engine) -> None:
    copy = article(7, "Kremlin warns West over troops", STORY + " More later.", "Fox News", "2024-02-27")
    with engine.writer() as w:
        w.add(copy, ARTICLES[4].id)
    folded = engine.search(SearchRequest("peskov"))
    assert (folded.total, folded.folded, len(folded.hits)) == (1, 1, 1)
    assert [c.id for c in folded.hits[0].copies] == [copy.id]
    assert engine.search(SearchRequest("peskov", fold_copies=False)).total == 2
    assert {k: sorted(a.id for a in v) for k, v in engine.stories().items()} == {
        ARTICLES[4].id: sorted([ARTICLES[4].id, copy.id])
    }


def test_spellings_of_one_name_are_searched_as_one(empty: Engine) -> None:
    with empty.writer() as w:
        w.add(article(1, "Shelling near Kiev", "The city was shelled."), "1")
    result = empty.search(SearchRequest("kyiv", variants=VARIANTS))
    assert [h.article.id for h in result.hits] == [article(1, "", "").id]
    assert result.explanation.variants


def test_related_articles_and_their_words(engine: Engine) -> None:
    related = engine.related(ARTICLES[5], limit=3)
    assert related.article == ARTICLES[5]
    assert "macron" in related.terms
    assert ARTICLES[5].id not in [h.article.id for h in related.hits]
    found = [h.article.id for h in related.hits]
    assert found and ARTICLES[2].id not in found  # cocoa shares none of its words


def test_a_misspelt_word_gets_a_suggestion(engine: Engine) -> None:
    result = engine.search(SearchRequest("droght"))
    assert (result.total, result.suggestion) == (0, "drought")


def test_browse_lists_by_date(engine: Engine) -> None:
    listed = engine.browse(Filters(sources=("reuters",)), Sort.NEWEST, 0)
    assert (listed.total, [a.id for a in listed.articles]) == (2, [ARTICLES[0].id, ARTICLES[2].id])
    assert engine.browse(Filters(), Sort.OLDEST, 2).total == len(ARTICLES)


def test_browse_orders_as_a_whole_sort_would_across_batches_deletions_and_ties(empty: Engine) -> None:
    """A browse takes the first articles of each part of the index in date order: the same as sorting all.

    And the filters, read part by part, keep the same articles for a search and a timeline.
    """
    rng = random.Random(7)
    added: dict[str, Article] = {}
    for batch in range(5):  # a part of the index each
        with empty.writer() as w:
            for gone in rng.sample(sorted(added), min(len(added), 6)):  # deletions in parts already written
                w.delete_file(added.pop(gone).path)
            for n in range(batch * 40, batch * 40 + 40):
                day = rng.choice([None, *(f"2024-03-{d:02}" for d in range(1, 12))])  # ties and undated ones
                a = article(n, f"Story {n}", "Text.", rng.choice(["Reuters", "AP", "BBC News + AP"]), day)
                w.add(a, a.id)
                added[a.id] = a
    everything = list(added.values())
    some = frozenset(rng.sample(sorted(added), 60))
    last = frozenset(a.id for n, a in enumerate(added.values()) if n >= len(added) - 20)  # written last

    def expected(kept: list[Article], sort: Sort) -> list[list[str]]:
        """The articles by date, undated last; those of one time as a set (in any order)."""
        groups: dict[tuple[bool, float], set[str]] = {}
        for a in kept:
            when = timestamp_of(a)
            groups.setdefault((when is None, 0.0 if when is None else when), set()).add(a.id)
        keys = sorted(groups, key=lambda k: (k[0], -k[1] if sort == Sort.NEWEST else k[1]))
        return [sorted(groups[k]) for k in keys]

    def grouped(ids: list[str], like: list[list[str]]) -> list[list[str]]:
        sizes, out = [len(g) for g in like], []
        for size in sizes:
            out.append(sorted(ids[:size]))
            ids = ids[size:]
        return out

    cases = {
        Filters(): everything,
        Filters(sources=("ap",)): [a for a in everything if "AP" in a.outlets],
        Filters(without_ids=some): [a for a in everything if a.id not in some],
        Filters(only_ids=some | {"no-such-id"}): [a for a in everything if a.id in some],
        Filters(only_ids=last): [a for a in everything if a.id in last],  # of one part of the index alone
        Filters(sources=("Reuters",), without_ids=some): [
            a for a in everything if a.outlets == ("Reuters",) and a.id not in some
        ],
        Filters(dates=DateRange(start=1709510400.0)): [a for a in everything if (timestamp_of(a) or 0) >= 1709510400.0],
        Filters(sources=("Nobody",)): [],
    }
    for filters, kept in cases.items():
        for sort in (Sort.NEWEST, Sort.OLDEST):
            whole = expected(kept, sort)
            listed = empty.browse(filters, sort, 0)
            assert listed.total == len(kept)
            assert grouped([a.id for a in listed.articles], whole) == whole
            for limit in (1, 4, 25):
                page = [a.id for a in empty.browse(filters, sort, limit).articles]
                assert page == [a.id for a in listed.articles][:limit]
            every = [a.id for a in empty.every(SearchRequest("", filters, sort, limit=1))]  # (the limit is not its)
            assert every == [a.id for a in listed.articles]
            searched = empty.search(SearchRequest("story", filters, sort, limit=0, fold_copies=False))
            assert [a.id for a in empty.every(SearchRequest("story", filters, sort))] == [
                h.article.id for h in searched.hits
            ]
        found = empty.search(SearchRequest("story", filters, limit=0, fold_copies=False))
        assert sorted(h.article.id for h in found.hits) == sorted(a.id for a in kept)
        assert empty.tally(SearchRequest("story", filters)) == (len(kept),)
        assert empty.timeline(SearchRequest("story", filters), Period.DAY).total == len(kept)
    for without in (some, frozenset(sorted(some)[:3]), frozenset(added)):  # the reader's unread counts
        unread = Counter(o for a in everything if a.id not in without for o in a.outlets)
        assert {b.name: b.count for b in empty.sources(without=without)} == unread


def test_every_match_comes_whole_in_rank_order_copies_and_all(engine: Engine) -> None:
    ranked = engine.search(SearchRequest("troops", limit=0, fold_copies=False))
    every = list(engine.every(SearchRequest("troops", limit=2)))
    assert [a.id for a in every] == [h.article.id for h in ranked.hits] and len(every) == ranked.total > 2
    assert {a.id: a for a in every}[ARTICLES[5].id] == ARTICLES[5]  # every field, the text too
    starred = Filters(only_ids=frozenset({ARTICLES[1].id}), marked=True)
    assert [a.id for a in engine.every(SearchRequest("", starred))] == [ARTICLES[1].id]  # marks alone
    assert engine.tally(SearchRequest("", starred)) == (1,) and engine.tally(SearchRequest("troops")) == (ranked.total,)
    ap, some = Filters(sources=("AP",)), Filters(only_ids=frozenset({ARTICLES[0].id, ARTICLES[1].id}))
    assert engine.tally(SearchRequest("troops", ap)) == (1,)
    assert engine.tally(SearchRequest("troops"), (ap, some, Filters(without_ids=some.only_ids))) == (4, 1, 1, 3)
    for text in ("troops OR talks", "troops -border", "+troops forces", '"ground forces"', "bord*", "tropps~"):
        # Each kind of query counted as a search finds it (in the internals, by code of their own).
        assert engine.tally(SearchRequest(text)) == (engine.search(SearchRequest(text, fold_copies=False)).total,)
    with pytest.raises(QueryError):
        list(engine.every(SearchRequest("*")))


def test_sources_count_each_outlet_once_whatever_its_case(engine: Engine) -> None:
    assert [(b.name, b.count) for b in engine.sources()][:2] == [("AP", 2), ("Reuters", 2)]
    assert {b.name for b in engine.sources()} == {"AP", "Reuters", "Fox News", "Al Jazeera", "agencies"}


def test_sources_without_some_articles(engine: Engine) -> None:
    """What the reader's side list shows: each outlet's articles not marked read."""
    reuters = [a.id for a in ARTICLES if a.source and a.source.casefold() == "reuters"]
    counts = {b.name.casefold(): b.count for b in engine.sources(without=frozenset(reuters[:1] + ["no-such-id"]))}
    assert counts["reuters"] == 1 and counts["ap"] == 2
    assert "reuters" not in {b.name.casefold() for b in engine.sources(without=frozenset(reuters))}


def test_contents_read_every_article(engine: Engine) -> None:
    contents = engine.contents()
    assert contents.per_file == {a.path: 1 for a in ARTICLES}
    assert set(contents.per_id) == {a.id for a in ARTICLES}
    assert contents.entries > 0


def test_a_bad_query_is_a_query_error(engine: Engine) -> None:
    for text in ("", "   ", "date:nonsense"):
        with pytest.raises(QueryError):
            engine.search(SearchRequest(text))


def garbled(folder: Path) -> Iterator[Path]:
    for path in folder.iterdir():
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 7)
            yield path


def test_a_damaged_index_is_reported_as_one(engine: Engine, folder: Path) -> None:
    assert list(garbled(folder))
    with pytest.raises(IndexError_) as failed:
        type(engine).open(str(folder)).search(SearchRequest("troops"))
    assert str(folder) in failed.value.message and failed.value.hint


def test_each_article_is_analysed_in_its_language_and_a_word_searched_in_every_one(empty: Engine, folder: Path) -> None:
    with empty.writer() as w:
        for a in (
            article(11, "Wahl in Wien", "Die Wiener wählten am Sonntag.", language="de"),
            article(12, "Election held", "Voters cast ballots in the elections.", language="en"),
            article(13, "New rules for banks", "The regulator set new rules."),
            article(14, "News of the day", "The daily news round-up."),
            article(15, "新闻", "中华人民共和国国务院发布新规定。", language="zh"),
        ):
            w.add(a, a.id)
    engine = type(empty).open(str(folder))
    assert ids(engine, "Wahlen") == [11]  # German: wahl
    assert ids(engine, "election") == [12]  # English: elect, in the title and the text
    assert sorted(ids(engine, "Wahlen OR elections")) == [11, 12]
    assert ids(engine, "news") == [14]  # not `new`
    assert ids(engine, "人民") == [15]
    assert ids(engine, "Wahlen", filters=Filters(languages=("en",))) == []  # only English searched and chosen
    assert ids(engine, '"wählten am Sonntag"') == [11]
