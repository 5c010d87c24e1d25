"""The language of an article, as an ISO 639-1 code: the one its source gives, made regular, or detected.

A source says `en-US`, `EN`, `English`, `eng` or `Deutsch`: each becomes `en` or
`de`. Where none is given, the language is detected from the title and the first
500 characters of the text with py3langid, whose model ships in its package; a
guess below a confidence of 0.5 is no language at all (`None`) rather than a wild
one. bench/languages.py measured this on the corpora: 97% of articles labelled,
0.1% wrongly, 0.4 ms an article (titles alone are unsure half the time); of the
whole corpora, every BBC, AllSides and 10kGNAD article is labelled rightly, and
85% of Reuters' (most of the rest are briefs of figures, too terse to tell).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import suppress
from functools import cache
from typing import Any

from newscli import folders

DETECT_CHARS = 500  # of the title and text: 2,000 were no more right, and cost three times as much
SURE = 0.5  # the detector's confidence (0..1) from which its guess is taken

# Names and three-letter codes of the languages news is most often written in, as sources give them.
_NAMES = {
    "ar": ("arabic", "ara", "العربية"),
    "bg": ("bulgarian", "bul", "български"),
    "ca": ("catalan", "cat", "català"),
    "cs": ("czech", "ces", "cze", "čeština"),
    "da": ("danish", "dan", "dansk"),
    "de": ("german", "deu", "ger", "deutsch"),
    "el": ("greek", "ell", "gre", "ελληνικά"),
    "en": ("english", "eng"),
    "es": ("spanish", "spa", "español", "castellano"),
    "et": ("estonian", "est", "eesti"),
    "fa": ("persian", "farsi", "fas", "per", "فارسی"),
    "fi": ("finnish", "fin", "suomi"),
    "fr": ("french", "fra", "fre", "français"),
    "he": ("hebrew", "heb", "עברית"),
    "hi": ("hindi", "hin", "हिन्दी"),
    "hr": ("croatian", "hrv", "hrvatski"),
    "hu": ("hungarian", "hun", "magyar"),
    "id": ("indonesian", "ind", "bahasa indonesia"),
    "it": ("italian", "ita", "italiano"),
    "ja": ("japanese", "jpn", "日本語"),
    "ko": ("korean", "kor", "한국어"),
    "lt": ("lithuanian", "lit", "lietuvių"),
    "lv": ("latvian", "lav", "latviešu"),
    "nl": ("dutch", "nld", "dut", "nederlands"),
    "no": ("norwegian", "nor", "norsk", "nb", "nob", "nn", "nno", "bokmål", "nynorsk"),
    "pl": ("polish", "pol", "polski"),
    "pt": ("portuguese", "por", "português"),
    "ro": ("romanian", "ron", "rum", "română"),
    "ru": ("russian", "rus", "русский"),
    "sk": ("slovak", "slk", "slo", "slovenčina"),
    "sl": ("slovenian", "slovene", "slv", "slovenščina"),
    "sr": ("serbian", "srp", "српски", "srpski"),
    "sv": ("swedish", "swe", "svenska"),
    "sw": ("swahili", "swa", "kiswahili"),
    "ta": ("tamil", "tam", "தமிழ்"),
    "th": ("thai", "tha", "ไทย"),
    "tr": ("turkish", "tur", "türkçe"),
    "uk": ("ukrainian", "ukr", "українська"),
    "ur": ("urdu", "urd", "اردو"),
    "vi": ("vietnamese", "vie", "tiếng việt"),
    "zh": ("chinese", "zho", "chi", "中文", "汉语", "漢語"),
}
_CODES = {name: code for code, names in _NAMES.items() for name in names}
_TAG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*")  # BCP 47: a language, then region, script...
ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz "
    "ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik "
    "io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml "
    "mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
    "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi "
    "vo wa wo xh yi yo za zh zu".split()
)

# ISO 639-1 codes of Snowball's stemmers, as PyStemmer names them.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


def regular(given: Any) -> str | None:
    """The ISO 639-1 code of a language as a source names it; None if it names none newscli knows."""
    if not isinstance(given, str):
        return None
    text = given.strip().casefold()
    if text in _CODES:
        return _CODES[text]
    match = _TAG.fullmatch(text)
    if match is None:
        return None
    code = match.group(1)
    if len(code) == 3:
        return _CODES.get(code)
    return _CODES.get(code, code if code in ISO_639_1 else None)  # (nb and nn are Norwegian: no)


def detected(title: str, body: str) -> str | None:
    """The language of a text, from its title and first characters; None where the detector is unsure."""
    text = f"{title}\n{body[:DETECT_CHARS]}".strip()
    if not text:
        return None
    code, confidence = _identifier().classify(text)
    # (Some of py3langid's labels are no ISO 639-1 code: `pcm` for Nigerian Pidgin, `zxx` for no language.)
    return regular(code) if confidence >= SURE and len(code) == 2 else None


@cache
def _identifier() -> Any:
    """py3langid's model, with probabilities made to add up to 1 (loaded once, by a command that indexes).

    Its package keeps it packed (xz): unpacking takes 0.9 s and 110 MB, which every command that
    indexes a new article would pay. So the model's arrays are kept unpacked in the cache folder
    (69 MB, plain arrays, no pickle) for this version of it, and mapped from there: a command
    reads only the pages its texts touch, and the system shares them between commands.
    """
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    info = os.stat(os.path.join(MODEL_DIR, MODEL_FILE))  # (as the package finds it: beside its code)
    kept = os.path.join(folders.cache_dir(), f"py3langid-{info.st_size}-{info.st_mtime_ns}")
    try:
        parts = {name: np.load(os.path.join(kept, f"{name}.npy"), mmap_mode="r", allow_pickle=False) for name in _PARTS}
        return LanguageIdentifier(
            parts["nb_ptc"],  # (read a row at a time: only the rows of a text's features)
            np.array(parts["nb_pc"]),
            parts["nb_classes"].tolist(),
            memoryview(parts["tk_nextmove"]),  # (read an element at a time, as Python ints)
            memoryview(parts["tk_output"]),
            norm_probs=True,
            tk_row=memoryview(parts["tk_row"]),
        )
    except (OSError, ValueError, KeyError, TypeError):  # none yet (or another's, or damaged): made below
        pass
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    with suppress(OSError, ValueError):
        made = tempfile.mkdtemp(prefix=".made-", dir=folders.private(folders.cache_dir()))
        try:
            for name in _PARTS:
                np.save(os.path.join(made, f"{name}.npy"), np.asarray(getattr(identifier, name)), allow_pickle=False)
            shutil.rmtree(kept, ignore_errors=True)  # (a damaged one)
            os.rename(made, kept)  # (another command may have made it meanwhile: then its stays)
        finally:
            shutil.rmtree(made, ignore_errors=True)
    return identifier


_PARTS = ("nb_ptc", "nb_pc", "nb_classes", "tk_nextmove", "tk_output", "tk_row")


def of(given: Any, title: str, body: str) -> str | None:
    """An article's language: the one given, if newscli knows it, else the one detected."""
    return regular(given) or detected(title, body)
