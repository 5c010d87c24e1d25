"""Each article analysed in its own language (Snowball), and a query searched in every language of the archive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscli.engine.whoosh.analysis import analysis, words

from .conftest import Run, doc, index, write


def titles(run: Run, *args: str) -> list[str]:
    found = run("search", *args, "--json", "--limit", "20")
    assert found.exit_code in (0, 1), found.stderr
    return [h["title"] for h in json.loads(found.stdout)["hits"] if h["every_word"]] if found.stdout else []


@pytest.fixture
def archive(run: Run, tmp_path: Path) -> Path:
    news = tmp_path / "news"
    english = {
        "New rules for banks": "The regulator set new rules for lenders on Monday.",
        "News of the day": "Our daily news round-up from the newsroom.",
        "Shipping costs climb": "Container shipping rates rose again this week.",
        "Quarterly figures": "The firm's quarterly results beat forecasts for the quarter.",
        "Election held": "Voters cast ballots in the election as polls closed.",
        "A chef's résumé": "Her résumé lists kitchens in Lyon and London.",
    }
    for n, (title, body) in enumerate(english.items()):
        write(news / f"en{n}.md", doc(title, body, language="en"))
    german = {
        "Neue Regierung": "Die neuen Flüchtlingen wurden von der neuen Regierung in Wien empfangen.",
        "Wahl in Wien": "Bei der Wahl stimmten die Wiener über den Bürgermeister ab.",
        "Übersetzung": "Die Übersetzung des Vertrags wurde am Montag vorgelegt.",
    }
    for n, (title, body) in enumerate(german.items()):
        write(news / f"de{n}.md", doc(title, body, language="de"))
    write(news / "fr.md", doc("Les élections régionales", "Les électeurs ont voté dimanche.", language="fr"))
    write(news / "zh.md", doc("新闻", "中华人民共和国国务院今天发布新规定。", language="zh"))
    index(run, news)
    return news


def test_news_no_longer_matches_new_and_snowball_stems_english(run: Run, archive: Path) -> None:
    assert titles(run, "news") == ["News of the day"]
    assert titles(run, "ship") == ["Shipping costs climb"]
    assert titles(run, "quarter") == ["Quarterly figures"]
    assert [analysis("en").term(w) for w in ("news", "shipping", "running", "generously", "quarterly")] == [
        "news",
        "ship",
        "run",
        "generous",
        "quarter",
    ]


def test_a_word_is_searched_as_each_language_of_the_archive_stems_it(run: Run, archive: Path) -> None:
    assert titles(run, "Flüchtling") == ["Neue Regierung"]  # German: Flüchtlingen
    assert titles(run, "Wahlen") == ["Wahl in Wien"]  # German: Wahl
    assert titles(run, "elections") == ["Election held"]  # English: election
    # A word of one language does not keep the other's articles out of an OR.
    assert sorted(titles(run, "Wahlen OR elections")) == ["Election held", "Wahl in Wien"]


def test_an_inflected_french_query_finds_the_other_inflections(run: Run, archive: Path) -> None:
    assert titles(run, "élection", "--lang", "fr") == ["Les élections régionales"]  # élections
    # Searched in every language, it is also English's `election` (accents are folded in English).
    assert sorted(titles(run, "élection")) == ["Election held", "Les élections régionales"]
    assert titles(run, "électeur") == ["Les élections régionales"]  # électeurs
    assert titles(run, "régionale", "--lang", "fr") == ["Les élections régionales"]


def test_phrases_prefixes_fuzzy_words_and_fields_work_in_german(run: Run, archive: Path) -> None:
    assert titles(run, '"neue Regierung"') == ["Neue Regierung"]  # neuen Regierung, stemmed alike
    assert titles(run, "Flücht*") == ["Neue Regierung"]
    assert titles(run, "Bürgermeistr~") == ["Wahl in Wien"]
    assert titles(run, "title:Wahlen") == ["Wahl in Wien"]
    assert sorted(titles(run, "Wien", "--lang", "de")) == ["Neue Regierung", "Wahl in Wien"]


def test_did_you_mean_and_related_in_german(run: Run, archive: Path) -> None:
    missed = run("search", "Bürgermeistre", "--json")
    assert json.loads(missed.stdout)["suggestion"] == "bürgermeister"
    listed = json.loads(run("list", "--json", "--limit", "0").stdout)["articles"]
    wahl = next(a["id"] for a in listed if a["title"] == "Wahl in Wien")
    related = json.loads(run("related", wahl, "--json").stdout)
    assert "wiener" in related["terms"] or "bürgermeister" in related["terms"]


def test_accents_english_folds_them_and_german_stems_umlauts(run: Run, archive: Path) -> None:
    assert titles(run, "resume") == ["A chef's résumé"]
    assert titles(run, "résumé") == ["A chef's résumé"]
    # German's own stemmer writes ü as u: a German reader typing without umlauts still finds it.
    assert titles(run, "Ubersetzung") == ["Übersetzung"]


def test_a_two_character_chinese_word_finds_its_article(run: Run, archive: Path) -> None:
    assert titles(run, "人民") == ["新闻"]
    assert titles(run, "国务院") == ["新闻"]  # three characters: both of its pairs
    assert titles(run, "人国") == []
    assert words("中华人民 U.S.") == ["中华", "华人", "人民", "u.s"]


def test_words_are_found_before_they_are_lower_cased_as_a_query_finds_them() -> None:
    assert words("İstanbul ÜBER Straße") == ["i̇stanbul", "über", "straße"]  # (İ lower-cased: i and a dot above)
    assert analysis("en").terms("İstanbul") == analysis("en").terms("Istanbul") == ["istanbul"]  # (English: unaccented)


def test_a_word_common_in_one_language_of_the_archive_is_left_out(run: Run, archive: Path) -> None:
    # `die` is a German common word: left out, as it is of German articles; `regierung` still searched.
    assert titles(run, "die Regierung") == ["Neue Regierung"]
    assert run("search", "the").exit_code == 2  # every word a common one
    assert "nothing to search for" in run("search", "the").stderr


def test_the_explanation_shows_each_languages_terms(run: Run, archive: Path) -> None:
    explained = run("search", "Wahlen", "--explain").stdout + run("search", "Wahlen", "--explain").stderr
    assert "wahl" in explained and "wahlen" in explained
    only = run("search", "Wahlen", "--explain", "--lang", "de")
    assert "wahlen" not in (only.stdout + only.stderr).replace("Wahlen", "")


def test_the_reader_shows_the_language_in_the_article_pane(run: Run, archive: Path) -> None:
    import asyncio

    from newscli import config
    from newscli.indexing.fresh import up_to_date
    from newscli.reading.app import Reader, View
    from newscli.reading.marks import Marks

    from .test_read import text_of

    settings = config.load()
    app = Reader(up_to_date(settings, None, lambda _: None), Marks(), settings, View(query="Wahlen"))

    async def main() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert [a.title for a in app.rows] == ["Wahl in Wien"]
            await pilot.press("enter")
            assert "Language: de" in text_of(app, "#text")

    asyncio.run(main())
