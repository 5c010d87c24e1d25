"""What the Whoosh engine does its own way, for speed, gives what Whoosh's own way gives.

Snippets are cut as Whoosh's fragmenter would cut them, results are sorted as
Whoosh's facets would sort them, and a text's terms are written as Whoosh's own
writer writes the tokens of an analyzer.
"""

from __future__ import annotations

import json
import random
from itertools import product
from pathlib import Path

import pytest
from whoosh import fields, query, sorting
from whoosh.analysis import Token, Tokenizer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.highlight import ContextFragmenter

from newscli.engine import backend
from newscli.engine.whoosh import collecting
from newscli.engine.whoosh.analysis import Written, analysis
from newscli.engine.whoosh.internals import patches
from newscli.engine.whoosh.ordering import order, stories
from newscli.engine.whoosh.schema import SCHEMA, TEXT_FIELDS
from newscli.engine.whoosh.snippets import HIGHLIGHT_CHARS, _fragments, _indexed_as
from newscli.models import Article, Ranking, Sort

from .conftest import CORPORA

ODD = [
    "Ukraine " + "- " * 100 + "said Ukraine's minister. " + "x " * 30 + "Ukrainian",  # stretches without words
    "a.b.c.Ukraine and U.K. and ukraine.com and 3*ukraine and " + "Ukraine" * 40,  # words joined by dots, a long word
    " ".join(["Ukraine"] + ["word"] * 9 + ["Ukraine"] + ["abcd"] * 12 + ["Ukraine"]),  # a fragment ending at exactly 0
    "I said a thing. A cat, a dog and I: a b c d e f g h i j k l m n o p q r s t u v w x y z " * 5,
]


def whooshs_own(text: str, words: frozenset[str]) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    """ContextFragmenter on a Token for every word of the text, each analysed as the index does."""
    tokens = []
    for found in default_pattern.finditer(text):
        indexed = _indexed_as(found.group(), "en")
        token = Token(chars=True, text=indexed or found.group(), startchar=found.start(), endchar=found.end())
        token.matched = indexed in words
        tokens.append(token)
    return shape(ContextFragmenter(maxchars=160, surround=50).fragment_tokens(text, tokens))


def stems(text: str) -> list[str]:
    return analysis("en").terms(text)


def ours(text: str, words: frozenset[str]) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    return shape(_fragments(text, words, 160, 50))


def shape(fragments: object) -> list[tuple[int, int, list[tuple[int, int, str]]]]:
    return [(f.startchar, f.endchar, [(m.startchar, m.endchar, m.text) for m in f.matches]) for f in fragments]  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", ODD)
@pytest.mark.parametrize("asked", ["Ukraine", "said minister", "a", "I", "word abcd", "x"])
def test_odd_texts(text: str, asked: str) -> None:
    words = frozenset(w for a in asked.split() for w in stems(a))
    assert ours(text, words) == whooshs_own(text, words)


@pytest.mark.slow
@pytest.mark.corpora
def test_the_bbc_articles_as_whoosh_cuts_them() -> None:
    files = sorted((CORPORA / "bbc").glob("*/*.txt"))
    if not files:
        pytest.skip(f"the shared corpora are not at {CORPORA}")
    rng = random.Random(7)
    compared = 0
    for path in rng.sample(files, 300):
        text = Path(path).read_text(encoding="latin-1")[:HIGHLIGHT_CHARS]
        title, body = text.split("\n", 1)
        own = [w for w in {t for word in body.split() for t in stems(word.strip(".,\"'()"))} if w]
        for asked in (title.split()[:3], rng.sample(own, min(2, len(own))), ["said"], ["bank", "shares"]):
            words = frozenset(w for a in asked for w in stems(a))
            expected = whooshs_own(text, words)
            assert ours(text, words) == expected, (path, sorted(words))
            compared += len(expected)
    assert compared > 1000  # most texts have a fragment to compare


def test_a_fragment_does_not_reach_back_across_a_long_stretch_without_words() -> None:
    # Whoosh's fragmenter would start the fragment at "Ukraine", 800 dashes back, as no word came between.
    text = "Ukraine " + "- " * 400 + "said the minister."
    words = frozenset(stems("said"))
    assert whooshs_own(text, words)[0][0] == 0
    said = text.index("said")
    assert ours(text, words) == [(said, len(text) - 1, [(said, said + 4, "said")])]


INDEXED_ODDLY = [
    "",
    "the a of and I",  # common words alone
    "The cat and the hat: the cat sat, the hat fell. Cat! CAT? cats.",  # a word again and again, in several cases
    "a.b.c 3.14 U.K. ukraine.com x_y __ _ 3*ukraine wild*card ** end.",  # dots, underscores, stars
    "İstanbul ÜBER Straße ǅemal ÆON naïve café",  # letters whose lower case is longer or odd
    "word " * 300 + "last",  # positions past what one byte holds
    "of the " + "first kept word after common ones, then more words",
    "中华人民共和国 中 日本語のテキスト 한국어 mixed漢字words",  # pairs of characters
    "Die Flüchtlinge und der Flüchtling über die Übersetzung",
]


class _Analysed(Tokenizer):  # type: ignore[misc]
    """A Whoosh analyzer giving the terms of newscli's analysis of a language, at its positions."""

    def __init__(self, language: str | None) -> None:
        self.language = language

    def __call__(self, value: str, **kwargs: object) -> object:
        at = analysis(self.language).positions(value)
        for position, term in sorted((p, t) for t, spots in at.items() for p in spots):
            yield Token(positions=True, text=term, pos=position, boost=1.0, mode="index")


def _indexed(field: fields.FieldType, text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(field.index(text))


LANGUAGES = ["en", "de", None, "ja"]


@pytest.mark.parametrize("name", TEXT_FIELDS)
@pytest.mark.parametrize("text", INDEXED_ODDLY)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_texts_terms_are_written_as_whoosh_writes_its_analyzers_tokens(
    name: str, text: str, language: str | None
) -> None:
    whooshs = fields.TEXT(analyzer=_Analysed(language), stored=True)
    assert _indexed(SCHEMA[name], Written(text, language)) == _indexed(whooshs, text)


@pytest.mark.corpora
def test_the_bbc_and_10kgnad_articles_are_written_as_whoosh_writes_their_tokens() -> None:
    files = sorted((CORPORA / "bbc").glob("*/*.txt"))
    if not files:
        pytest.skip(f"the shared corpora are not at {CORPORA}")
    english = fields.TEXT(analyzer=_Analysed("en"), stored=True)
    for path in random.Random(7).sample(files, 300):
        text = Path(path).read_text(encoding="latin-1")
        assert _indexed(SCHEMA["body"], Written(text, "en")) == _indexed(english, text), path
    german = fields.TEXT(analyzer=_Analysed("de"), stored=True)
    for line in (CORPORA / "10kgnad-half.jsonl").read_text(encoding="utf-8").splitlines()[:100]:
        text = json.loads(line)["body"]
        assert _indexed(SCHEMA["body"], Written(text, "de")) == _indexed(german, text)


def test_results_sort_and_group_by_story_as_whooshs_facets_and_collectors_do(tmp_path: Path) -> None:
    rng = random.Random(3)
    engine = backend("whoosh").create(str(tmp_path / "index"))
    for batch in range(3):  # segments of the index, each with its own columns
        with engine.writer() as w:
            for n in rng.sample(range(batch * 50), 10 if batch else 0):  # deletions in the segments before
                w.delete_file(f"/news/{n}.md")
            for n in range(batch * 50, batch * 50 + 50):
                day = rng.choice([None, *(f"2024-05-{d:02}" for d in range(1, 6))])  # ties, and undated ones
                words = " ".join(rng.choice(["troops", "talks", "border", "rain"]) for _ in range(rng.randint(1, 4)))
                a = Article(id=f"{n:012x}", title="Story", body=words, path=f"/news/{n}.md", date=day, language="en")
                w.add(a, rng.choice([a.id, a.id, "0" * 12, f"{n % 7:012x}"]))  # stories, some across segments
    engine = type(engine).open(str(tmp_path / "index"))
    dated, ts = sorting.FieldFacet("dated", reverse=True), sorting.FieldFacet("ts", reverse=True)
    whooshs = {
        (Sort.RELEVANCE, Ranking.NEWS): sorting.MultiFacet([sorting.ScoreFacet(), dated, ts]),
        (Sort.NEWEST, Ranking.NEWS): sorting.MultiFacet([dated, ts]),
        (Sort.OLDEST, Ranking.NEWS): sorting.MultiFacet([dated, sorting.FieldFacet("ts")]),
    }
    some, others = set(rng.sample(range(150), 70)), set(rng.sample(range(150), 30))
    with engine._searcher() as s:  # type: ignore[attr-defined]
        troop, talk, rain = (
            query.Term("body", "troop"),
            query.Term("body", "talk"),
            query.Term("body", "rain", boost=2.5),
        )
        queries = (
            troop,
            query.Or([talk, rain, query.Term("title", "stori")]),
            query.And([troop, talk]),
            query.AndNot(troop, rain),
            query.AndMaybe(talk, troop),
            query.Or([query.Phrase("body", ["troop", "talk"]), rain]),  # a phrase: stepped as Whoosh steps it
        )
        for q in queries:
            for (sort, ranking), facet in whooshs.items():
                theirs = s.search(q, limit=None, sortedby=facet)
                ours = s.search(q, limit=None, sortedby=order(sort, ranking))
                assert len(theirs) > 10
                assert [(h.docnum, h.score) for h in ours] == [(h.docnum, h.score) for h in theirs]
                filters = ((None, None), (some, None), (None, others), (some, others), ({-1}, None))
                for (kept, left_out), limit in product(filters, (None, 1, 7)):
                    by_story = {"story": sorting.FieldFacet("story", maptype=sorting.Count)}
                    theirs = s.search(q, limit=limit, filter=kept, mask=left_out, sortedby=facet, groupedby=by_story)
                    ours = collecting.search(
                        s, q, limit, kept, left_out, order(sort, ranking), {"story": stories()}, collecting.Kept()
                    )
                    assert [(h.docnum, h.score) for h in ours] == [(h.docnum, h.score) for h in theirs]
                    assert len(ours) == len(theirs)
                    assert {k.decode(): n for k, n in ours.groups("story").items()} == theirs.groups("story")
                    every = s.search(q, limit=None, filter=kept, mask=left_out, sortedby=facet)
                    more = collecting.more(ours, 30)  # more of the same search, without searching again
                    assert more is not None
                    assert [(h.docnum, h.score) for h in more] == [(h.docnum, h.score) for h in every][:30]
            theirs = s.search(q, limit=5, groupedby={"story": sorting.FieldFacet("story", maptype=sorting.Count)})
            ours = s.search(q, limit=5, groupedby={"story": stories()})
            assert {k.decode(): n for k, n in ours.groups("story").items()} == theirs.groups("story")
            assert 5 < len(theirs.groups("story")) < len(theirs)


def test_a_word_whose_first_articles_are_deleted_scores_as_whoosh_scores_it(tmp_path: Path) -> None:
    # Whoosh moves a word's matcher past deleted articles before it is read: the block is read from there.
    engine = backend("whoosh").create(str(tmp_path / "index"))
    with engine.writer() as w:
        for n in range(6):
            a = Article(
                id=f"{n:012x}", title="Story", body="troops " * (n + 1), path=f"/news/{n}.md", date=None, language="en"
            )
            w.add(a, a.id)
    with engine.writer() as w:
        for n in range(3):
            w.delete_file(f"/news/{n}.md")
    engine = type(engine).open(str(tmp_path / "index"))
    with engine._searcher() as s:  # type: ignore[attr-defined]
        q = query.Term("body", "troop")
        facet = sorting.MultiFacet([sorting.ScoreFacet(), sorting.FieldFacet("dated", reverse=True)])
        theirs = s.search(q, limit=None, sortedby=facet)
        ours = collecting.search(s, q, None, None, None, order(Sort.RELEVANCE, Ranking.NEWS), None, collecting.Kept())
        assert [h.docnum for h in theirs] == [5, 4, 3]
        assert [(h.docnum, h.score[0]) for h in ours] == [(h.docnum, h.score[0]) for h in theirs]


def test_a_word_searched_again_is_ranked_from_its_kept_postings_as_whoosh_ranks_it(tmp_path: Path) -> None:
    kept = collecting.Kept(10**6)
    rng = random.Random(5)
    engine = backend("whoosh").create(str(tmp_path / "index"))

    def add(numbers: range) -> None:
        with engine.writer() as w:
            for n in numbers:
                words = " ".join(rng.choice(["troops", "talks", "border", "rain"]) for _ in range(rng.randint(1, 9)))
                a = Article(
                    id=f"{n:012x}", title="Story", body=words, path=f"/news/{n}.md", date="2024-05-01", language="en"
                )
                w.add(a, a.id)

    def compare(keeping: collecting.Kept = kept) -> None:
        with type(engine).open(str(tmp_path / "index"))._searcher() as s:  # type: ignore[attr-defined]
            talk_or_story = query.Or([query.Term("body", "talk"), query.Term("title", "stori")])
            for q in (query.Term("body", "troop"), talk_or_story):
                facet = sorting.MultiFacet([sorting.ScoreFacet(), sorting.FieldFacet("dated", reverse=True)])
                theirs = [(h.docnum, h.score[0]) for h in s.search(q, limit=None, sortedby=facet)]
                ours = collecting.search(s, q, None, None, None, order(Sort.RELEVANCE, Ranking.NEWS), None, keeping)
                assert [(h.docnum, h.score[0]) for h in ours] == theirs

    add(range(400))  # several blocks of postings a word
    compare()
    size = kept.size
    assert size > 400
    compare()  # from the kept postings
    assert kept.size == size
    add(range(400, 500))  # another segment, and longer average lengths to score the first one's by
    with engine.writer() as w:
        for n in range(0, 400, 3):
            w.delete_file(f"/news/{n}.md")
    compare()
    assert kept.size > size
    assert kept.size == sum(len(postings.ids) for postings in kept._kept.values())  # those scored again counted once

    small = collecting.Kept(300)  # the words searched longest ago make room
    compare(small)
    compare(small)
    assert 0 < small.size <= 300


def test_a_part_remembers_where_it_found_a_word_and_that_it_did_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = backend("whoosh").create(str(tmp_path / "index"))
    with engine.writer() as w:
        for n in range(30):
            a = Article(
                id=f"{n:012x}", title="Story", body="troops " * (n + 1), path=f"/news/{n}.md", date=None, language="en"
            )
            w.add(a, a.id)
    looked: list[bytes] = []
    whooshs = patches._ranges_for_key
    monkeypatch.setattr(patches, "_ranges_for_key", lambda table, key: looked.append(key) or whooshs(table, key))
    with type(engine).open(str(tmp_path / "index"))._searcher() as s:  # type: ignore[attr-defined]
        leaf = s.reader()
        terms = leaf._terms
        key, missing = terms._keycoder("body", b"troop"), terms._keycoder("body", b"zebra")
        ranked = []
        for _ in range(2):  # as Whoosh's own look-ups find them, the second time from memory
            assert ("body", b"troop") in leaf and ("body", b"zebra") not in leaf
            assert leaf.doc_frequency("body", b"troop") == 30 and leaf.doc_frequency("body", b"zebra") == 0
            assert leaf.term_info("body", b"troop").doc_frequency() == 30
            assert terms._tindex[key] == next(terms._tindex.all(key))
            with pytest.raises(KeyError):
                terms._tindex[missing]
            ranked.append([(h.docnum, h.score) for h in s.search(query.Term("body", "troop"), limit=None)])
        assert len(ranked[0]) == 30 and ranked[0] == ranked[1]
        assert sorted(looked) == sorted([key, missing])  # each looked up in the file once
        monkeypatch.setattr(patches, "REMEMBERED", 1)  # bounded: a full table starts again
        assert ("body", b"yak") not in leaf and ("body", b"troop") in leaf
        assert len(terms._tindex._newscli_ranges) == 1 and len(looked) == 4
