"""A language for every article: the one its source gives, made regular, or detected; and choosing by it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newscli.languages import detected, regular

from .conftest import Run, doc, index, write

GERMAN = (
    "Die Bundesregierung hat am Montag in Berlin neue Maßnahmen gegen die steigenden Energiepreise "
    "beschlossen. Nach Angaben des Wirtschaftsministeriums sollen vor allem Haushalte mit geringem "
    "Einkommen entlastet werden; die Opposition kritisierte die Pläne als unzureichend."
)
ENGLISH = (
    "The government announced on Monday a new package of measures against rising energy prices. "
    "According to the ministry, households on low incomes will be helped first, while the opposition "
    "called the plans inadequate and too late for the coming winter."
)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-US", "en"),
        ("de_AT", "de"),
        ("English", "en"),
        ("Deutsch", "de"),
        ("eng", "en"),
        ("ger", "de"),
        ("français", "fr"),
        ("pt-BR", "pt"),
        ("zh-Hant-TW", "zh"),
        ("nb", "no"),
        ("zz", None),
        ("klingon", None),
        ("", None),
        (5, None),
    ],
)
def test_a_language_as_sources_name_it_is_made_an_iso_639_1_code(given: object, code: str | None) -> None:
    assert regular(given) == code


def languages_of(run: Run) -> dict[str, str | None]:
    return {a["title"]: a["language"] for a in json.loads(run("list", "--limit", "0", "--json").stdout)["articles"]}


def test_given_languages_are_made_regular_and_the_others_detected_or_left_unknown(run: Run, tmp_path: Path) -> None:
    news = tmp_path / "news"
    write(news / "a.md", doc("Energy prices", ENGLISH, language="en-US"))
    write(news / "b.md", doc("Energiepreise", GERMAN))  # none given: detected
    write(news / "c.md", doc("Prices", ENGLISH))
    write(news / "d.md", doc("Rates", "Rates.", language="German"))  # given: taken over what its text says
    write(news / "e.md", doc("OK", "Yes"))  # too short to tell
    write(news / "f.md", doc("Prix", ENGLISH, language="klingon"))  # not a language: detected
    write(news / "fr" / ".newscli.yaml", "language: fr-CA\n")  # a folder's default
    write(news / "fr" / "g.md", doc("Les prix", "Le gouvernement a annoncé lundi de nouvelles mesures."))
    write(news / "h.jsonl", json.dumps({"title": "Strompreis", "body": GERMAN, "lang": "DE"}) + "\n")
    index(run, news)
    assert languages_of(run) == {
        "Energy prices": "en",
        "Energiepreise": "de",
        "Prices": "en",
        "Rates": "de",
        "OK": None,
        "Prix": "en",
        "Les prix": "fr",
        "Strompreis": "de",
    }
    assert json.loads(run("show", "--json", _id(run, "Energiepreise")).stdout)["article"]["language"] == "de"
    assert "Language: de" in run("show", _id(run, "Energiepreise"), "--no-pager").stdout


def _id(run: Run, title: str) -> str:
    return next(
        a["id"] for a in json.loads(run("list", "--limit", "0", "--json").stdout)["articles"] if a["title"] == title
    )


@pytest.fixture
def two_languages(run: Run, tmp_path: Path) -> Path:
    news = tmp_path / "news"
    write(news / "de1.md", doc("Energiepreise steigen", GERMAN, source="Der Standard", date="2024-03-01"))
    write(news / "de2.md", doc("Neue Regierung", GERMAN + " Die Regierung tagte.", source="Der Standard"))
    write(news / "en1.md", doc("Energy prices rise", ENGLISH, source="Reuters", date="2024-03-02"))
    write(news / "xx.md", doc("OK", "Yes", source="Reuters"))
    index(run, news)
    return news


def test_lang_chooses_articles_in_every_command_that_chooses(run: Run, two_languages: Path) -> None:
    listed = json.loads(run("list", "--lang", "de", "--json").stdout)
    assert sorted(a["title"] for a in listed["articles"]) == ["Energiepreise steigen", "Neue Regierung"]
    assert json.loads(run("list", "--lang", "German", "--lang", "en", "--json").stdout)["total"] == 3
    assert run("search", "energy", "--lang", "de").exit_code == 1
    assert json.loads(run("search", "energy", "--lang", "en", "--json").stdout)["total"] == 1
    assert json.loads(run("search", "lang:de", "--json").stdout)["total"] == 2  # the query language's own
    assert json.loads(run("search", "lang:German", "--json").stdout)["total"] == 2  # a name, as --lang takes it
    explained = json.loads(run("search", "regierung", "--lang", "de", "--explain", "--json").stdout)
    assert "language is de" in explained["explain"]["filters"]
    assert json.loads(run("timeline", "energiepreise OR energy", "--lang", "en", "--json").stdout)["total"] == 1
    marked = run("mark", "--all", "--lang", "de", "--star")
    assert marked.exit_code == 0 and "marked 2 articles" in marked.stderr
    assert json.loads(run("list", "--starred", "--json").stdout)["total"] == 2
    saved = run("saved", "add", "german", "--lang", "de")
    assert saved.exit_code == 0 and "lang:de" in saved.stderr
    assert json.loads(run("search", "@german", "--json").stdout)["total"] == 2


def test_a_language_that_is_none_is_a_usage_error(run: Run, two_languages: Path) -> None:
    refused = run("list", "--lang", "xx")
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines() == [
        "newscli: error: newscli list: Invalid value for '--lang': 'xx' is not a language (an ISO 639-1 code "
        "such as de, or a name such as German) (see 'newscli list --help')"
    ]


def test_sources_by_language_and_the_language_facet(run: Run, two_languages: Path) -> None:
    table = run("sources", "--by", "language")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["Language", "Articles"]
    assert [line.split() for line in lines[2:]] == [["de", "2"], ["en", "1"], ["(none", "known)", "1"]]
    data = json.loads(run("sources", "--by", "language", "--json").stdout)
    assert data == {
        "version": 1,
        "by": "language",
        "languages": [{"name": "de", "count": 2}, {"name": "en", "count": 1}, {"name": None, "count": 1}],
    }
    assert json.loads(run("sources", "--json").stdout)["by"] == "source"
    found = json.loads(run("search", "energiepreise OR energy OR ok", "--facets", "--json").stdout)
    # (the article of no known language is counted in none)
    assert found["total"] == 4 and found["facets"]["languages"] == [
        {"name": "de", "count": 2},
        {"name": "en", "count": 1},
    ]
    assert "By language" in run("search", "energiepreise OR energy", "--facets").stdout


def test_an_index_of_the_schema_before_languages_is_built_again_saying_why(run: Run, two_languages: Path) -> None:
    manifest = Path("data") / "newscli" / "index" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema"] -= 1
    manifest.write_text(json.dumps(data))
    again = run("list", "--lang", "de")
    assert again.exit_code == 0
    assert "the index was made by another version of newscli" in again.stderr
    assert "2 of 2 articles" in again.stderr


def test_the_detectors_model_is_kept_unpacked_and_read_again_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    script = (
        "from newscli import languages\n"
        f"print(languages.detected('Energiepreise', {GERMAN!r}), languages.detected('Prices', {ENGLISH!r}))\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    kept = list((tmp_path / "cache" / "newscli").glob("py3langid-*"))
    assert len(kept) == 1 and first.stdout.split() == ["de", "en"]
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert again.stdout == first.stdout and again.stderr == ""
    table = kept[0] / "nb_ptc.npy"
    table.write_bytes(b"damaged")  # read as none: made again
    damaged = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert damaged.stdout == first.stdout and table.stat().st_size > 1_000_000
    assert [path.name for path in (tmp_path / "cache" / "newscli").iterdir()] == [kept[0].name]


# A short text (a sentence of a headline's length) and a long one (a lead paragraph) in each language.
TEXTS = {
    "en": ("Prices rise again in the capital", ENGLISH),
    "de": ("Die Preise steigen in der Hauptstadt wieder", GERMAN),
    "fr": (
        "Les prix augmentent encore dans la capitale",
        "Le gouvernement a annoncé lundi un nouveau plan de mesures contre la hausse des prix de "
        "l'énergie. Selon le ministère, les ménages aux revenus modestes seront aidés en premier, "
        "tandis que l'opposition a jugé ces mesures insuffisantes et trop tardives pour l'hiver.",
    ),
    "es": (
        "Los precios vuelven a subir en la capital",
        "El Gobierno anunció el lunes un nuevo paquete de medidas contra la subida de los precios de "
        "la energía. Según el ministerio, los hogares con ingresos bajos recibirán ayuda primero, "
        "mientras que la oposición calificó el plan de insuficiente y tardío para el invierno.",
    ),
    "ar": (
        "ارتفاع الأسعار مرة أخرى في العاصمة",
        "أعلنت الحكومة يوم الاثنين عن حزمة جديدة من الإجراءات لمواجهة ارتفاع أسعار الطاقة. ووفقا "
        "للوزارة، ستحصل الأسر ذات الدخل المنخفض على المساعدة أولا، بينما وصفت المعارضة الخطة بأنها غير كافية.",
    ),
    "ru": (
        "Цены в столице снова растут",
        "Правительство в понедельник объявило о новом пакете мер против роста цен на энергоносители. "
        "По данным министерства, в первую очередь помощь получат семьи с низкими доходами, а оппозиция "
        "назвала план недостаточным и запоздалым.",
    ),
    "zh": (  # (a headline of eight characters is too short to tell: py3langid is unsure)
        "首都物价再次上涨，政府周一宣布应对能源价格的新措施",
        "政府周一宣布了一揽子应对能源价格上涨的新措施。据该部介绍，低收入家庭将首先获得帮助，"
        "而反对派则称该计划不够充分，而且对于即将到来的冬天来说为时已晚。",
    ),
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_short_and_long_texts_are_detected_in_seven_languages(code: str) -> None:
    short, long = TEXTS[code]
    assert detected(short, "") == code
    assert detected("", long) == code
    assert detected(short, long) == code


@pytest.mark.parametrize("text", ["OK", "Yes", "2-1", "+++", ""])
def test_a_text_too_short_to_tell_has_no_language(text: str) -> None:
    assert detected(text, "") is None


def test_read_chooses_by_language_too(run: Run, two_languages: Path) -> None:
    import asyncio

    from newscli import config
    from newscli.indexing.fresh import up_to_date
    from newscli.reading.app import Reader, View
    from newscli.reading.marks import Marks

    settings = config.load()
    opened = View(query="is:unread (lang:de)")  # what `newscli read --lang de` opens on
    app = Reader(up_to_date(settings, None, lambda _: None), Marks(), settings, opened)

    async def main() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert sorted(a.title for a in app.rows) == ["Energiepreise steigen", "Neue Regierung"]

    asyncio.run(main())
