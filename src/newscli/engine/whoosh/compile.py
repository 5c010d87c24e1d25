"""A SearchRequest as a Whoosh query, filter and order, and how it was understood."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose

# isort: split
from whoosh import qparser, query
from whoosh.searching import Searcher

from newscli.engine.whoosh.analysis import FOLDED, Analysis, analyses, unaccented, words
from newscli.engine.whoosh.schema import SCHEMA, TEXT_FIELDS
from newscli.errors import QueryError
from newscli.languages import regular
from newscli.models import Explanation, Filters, SearchRequest, Sort
from newscli.query import Prepared, narrow, prepare

PHRASE_SLOP = 5
MAX_FILL_WORDS = 12
MAX_EXPANSION = 1000  # indexed words one prefix, wildcard or fuzzy word may stand for, per field


@dataclass(frozen=True, slots=True)
class Compiled:
    query: query.Query
    filters: Filters  # the request's, narrowed by the query's own `date:` terms
    explanation: Explanation
    prepared: str  # the query text as newscli prepared it for the parser
    # What fills a page the query leaves short: articles with its required parts and most of
    # its optional words (its plain ones). No optional words: the query stays strict.
    required: tuple[query.Query, ...] = ()
    optional: tuple[query.Query, ...] = ()


def compile_request(request: SearchRequest, present: tuple[Analysis, ...]) -> Compiled:
    """The Whoosh query and filters for a request, and how they were arrived at.

    The query is parsed into the words typed, and each word then made the term of each
    language searched (`present`: those of the archive's articles; fewer, where the
    request asks for some with `--lang` or `lang:`)."""
    tuning = request.tuned
    prepared = prepare(request.text)
    filters = replace(request.filters, dates=narrow(request.filters.dates, prepared.dates))
    if not prepared.text:
        if not filters.marked:
            raise QueryError("the query is empty", hint="give words to search for")
        # Marks alone (`is:starred`): every article so marked, newest first among equals.
        return Compiled(query.Every(), filters, Explanation("*", _describe(filters)), "")
    q = _parse(prepared.text, {"title": tuning.title})
    variants: list[str] = []
    if request.variants:
        q = _with_variants(q, request.variants, variants)
    required: tuple[query.Query, ...] = ()
    optional: tuple[query.Query, ...] = ()
    if tuning.fill and request.sort == Sort.RELEVANCE and request.limit:
        required, optional = _split(q, prepared)
    if tuning.phrase:
        q = _with_phrase_boost(q, tuning.phrase)
    searched = _searched(q, filters, present)
    q = in_languages(q, searched)
    if q is query.NullQuery:
        raise QueryError(f"nothing to search for in {prepared.text!r}", hint="its words are all common ones")
    if optional:
        optional = tuple(o for o in (in_languages(o, searched) for o in optional) if o is not query.NullQuery)
        required = tuple(r for r in (in_languages(r, searched) for r in required) if r is not query.NullQuery)
        if len(optional) < 2:
            required, optional = (), ()
    fill = None
    if optional:
        fill = "all but one of " + ", ".join(map(str, optional))
        fill += (", then all but two..." if len(optional) > 2 else "") + "".join(f"; and {r}" for r in required)
    explanation = Explanation(str(q), _describe(filters), tuple(variants), prepared.notes, fill)
    return Compiled(q, filters, explanation, prepared.text, required, optional)


def check_expansions(q: query.Query, s: Searcher) -> None:
    """Refuses a query whose patterns stand for so many words that it would take seconds."""
    reader = s.reader()
    for node in q.leaves():
        if isinstance(node, query.Every):
            raise QueryError("'*' alone matches every article", hint="`newscli list` lists them")
        if isinstance(node, query.MultiTerm):
            if sum(1 for _ in islice(node.expanded_terms(reader), MAX_EXPANSION + 1)) > MAX_EXPANSION:
                raise QueryError(
                    f"'{node.text}' stands for more than {MAX_EXPANSION:,} words",
                    hint="give more letters before the * or fewer ~",
                )


def outlets_named(s: Searcher, names: tuple[str, ...]) -> list[str]:
    """The outlets of the index with these names, whatever their case."""
    wanted = {name.casefold() for name in names}
    return [n for n in (t.decode("utf-8") for t in s.lexicon("outlet")) if n.casefold() in wanted]


def dates_query(filters: Filters) -> query.Query | None:
    """The filters' dates as a Whoosh query; None when they have none."""
    start, end = filters.dates.start, filters.dates.end
    if start is None and end is None:
        return None
    return query.NumericRange(
        "ts", None if start is None else math.ceil(start), None if end is None else math.floor(end)
    )


def _parse(text: str, boosts: dict[str, float]) -> query.Query:
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), SCHEMA, fieldboosts=boosts, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    try:
        q = parser.parse(text)
    except Exception as e:  # whoosh's parser is lenient; anything it raises is a bad query
        raise QueryError(f"cannot understand the query {text!r}: {e}") from None
    if q is query.NullQuery:
        raise QueryError(f"nothing to search for in {text!r}", hint="give words to search for")
    return q.accept(_language_code)


def _language_code(node: query.Query) -> query.Query:
    """`lang:German`, `lang:en-US`: the language's code, as `--lang` takes them."""
    if type(node) is query.Term and node.fieldname == "lang" and (code := regular(node.text)):
        return query.Term("lang", code, node.boost)
    return node


def _with_variants(q: query.Query, groups: tuple[tuple[str, ...], ...], applied: list[str]) -> query.Query:
    """Each word of a group of spellings (Kyiv, Kiev) searched as any of them."""
    as_one: dict[str, list[str]] = {}
    for group in groups:
        forms = [found[0] for v in group if len(found := words(v)) == 1]
        for form in forms:
            as_one[form] = list(dict.fromkeys(forms))

    def swap(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and node.fieldname in TEXT_FIELDS and node.text in as_one:
            forms = as_one[node.text]
            applied.append(f"{node.text} -> {' | '.join(forms)}")
            return query.Or([query.Term(node.fieldname, f, boost=node.boost) for f in forms])
        return node

    q = q.accept(swap)
    applied[:] = list(dict.fromkeys(applied))
    return q


def _split(q: query.Query, prepared: Prepared) -> tuple[tuple[query.Query, ...], tuple[query.Query, ...]]:
    """The parts of a query every article must hold, and its plain words, which a short page can do without.

    No plain words when the query has to stay strict: it says so with an explicit AND, or
    has fewer than two, or more than MAX_FILL_WORDS (text pasted in, not typed: ORing
    hundreds of words would take seconds). A quoted phrase, a `+word`, a field, a pattern or a NOT is required
    of every article; an OR group counts as one word.
    """
    if not isinstance(q, query.And) or prepared.strict:
        return (), ()
    required_words = {typed for word in prepared.required for typed in words(word)}
    optional: list[query.Query] = []
    required: list[query.Query] = []
    for clause in q.subqueries:
        leaves = list(clause.leaves())
        # A word the person typed alone is looked for in every text field; `title:word` in one.
        plain = (
            isinstance(clause, query.Or)
            and all(type(t) is query.Term for t in leaves)
            and {t.fieldname for t in leaves} == set(TEXT_FIELDS)
        )
        if plain and not any(t.text in required_words for t in leaves):
            optional.append(clause)
        else:
            required.append(clause)
    return (tuple(required), tuple(optional)) if 2 <= len(optional) <= MAX_FILL_WORDS else ((), ())


def _searched(q: query.Query, filters: Filters, present: tuple[Analysis, ...]) -> tuple[Analysis, ...]:
    """The analyses of the languages asked for (`--lang`, or `lang:` terms every match must have), else all present."""
    asked = set(filters.languages)
    clauses = q.subqueries if isinstance(q, query.And) else [q]
    for clause in clauses:
        leaves = list(clause.leaves()) if isinstance(clause, query.Or) else [clause]
        if leaves and all(type(t) is query.Term and t.fieldname == "lang" for t in leaves):
            named = {t.text for t in leaves}
            asked = asked & named if asked else named
    return analyses(asked) if asked else present


def in_languages(q: query.Query, searched: tuple[Analysis, ...]) -> query.Query:
    """A query of typed words made one of terms: each word as each language searched indexes it.

    A word is any of its terms, each in the articles of the languages that give it
    (`wahlen`: `wahl` in German articles, `wahlen` in English ones; French makes `news`
    `new`, which is not looked for in English articles); a word one of the languages
    leaves out as common is left out of the query; a phrase is the phrase of any
    language, in its articles; a prefix or a pattern is matched as written (English:
    without accents); a fuzzy word is near any of its terms, keeping its first letter (a
    misspelling seldom starts wrong, and without it every word of the index is compared
    with it: 3.7 s on 30,000 articles, 0.1 s with)."""

    def each(node: query.Query) -> query.Query:
        field = getattr(node, "fieldname", None)
        if field not in TEXT_FIELDS:
            return node
        boost = node.boost
        if isinstance(node, query.Phrase):
            phrases: dict[tuple[str, ...], set[str]] = {}
            for a in searched:
                if p := tuple(t for t in (a.term(w) for w in node.words) if t is not None):
                    phrases.setdefault(p, set()).add(a.key)
            made = [
                _in_articles_of(
                    query.Phrase(field, list(p), slop=node.slop, boost=boost)
                    if len(p) > 1
                    else query.Term(field, p[0], boost),
                    keys,
                    searched,
                )
                for p, keys in sorted(phrases.items())
            ]
        elif isinstance(node, query.FuzzyTerm):
            fuzzy = internals.queries.Fuzzy if internals.active() else query.FuzzyTerm
            terms = sorted({t for a in searched if (t := a.term(node.text)) is not None})
            made = [fuzzy(field, t, boost, node.maxdist, max(node.prefixlength, 1)) for t in terms]
        elif type(node) is query.Term:
            given: dict[str, set[str]] = {}
            for a in searched:
                if (t := a.term(node.text)) is None:  # a common word in one of them: left out, as it leaves it out
                    return query.NullQuery
                given.setdefault(t, set()).add(a.key)
            made = [_in_articles_of(query.Term(field, t, boost), keys, searched) for t, keys in sorted(given.items())]
        elif isinstance(node, (query.Prefix, query.Wildcard)):
            forms = {unaccented(node.text) if a.key in FOLDED else node.text for a in searched}
            made = [type(node)(field, f, boost) for f in sorted(forms)]
        else:
            return node
        return query.NullQuery if not made else made[0] if len(made) == 1 else query.Or(made)

    return q.accept(each).normalize()


def _in_articles_of(q: query.Query, keys: set[str], searched: tuple[Analysis, ...]) -> query.Query:
    """`q` (the term or phrase of the languages `keys`) matched in their articles only, scored as `q`.

    Not where every language searched gives it, nor where it is the word as typed (the
    analysis of no language gives it): a stemmer's term can be another language's word
    (French `new`), but the word as typed is seldom another word's stem, and articles of
    no language cannot be chosen by a term of their own."""
    if "" in keys or all(a.key in keys for a in searched if a.key):
        return q
    return query.Require(q, _languages(sorted(keys)))


def _languages(keys: list[str]) -> query.Query:
    terms = [query.Term("lang", key) for key in keys]
    return terms[0] if len(terms) == 1 else query.Or(terms)


def _with_phrase_boost(q: query.Query, boost: float) -> query.Query:
    """Articles holding the query's words as a phrase rank first, then those with them close together."""
    words = [t for f, t in q.iter_all_terms() if f == "body"] if isinstance(q, query.And) else []
    plain = all(isinstance(c, query.Or) and all(isinstance(t, query.Term) for t in c) for c in q) if words else False
    if len(words) < 2 or not plain:
        return q
    closeness = [
        query.Phrase(field, words, slop=slop, boost=weight)
        for field in ("title", "body")
        for slop, weight in ((1, boost), (PHRASE_SLOP, boost / 2))
    ]
    return query.AndMaybe(q, query.Or(closeness))


def _describe(filters: Filters) -> tuple[str, ...]:
    described = [f"source is {' or '.join(filters.sources)}"] if filters.sources else []
    if filters.languages:
        described.append(f"language is {' or '.join(filters.languages)}")
    start, end = filters.dates.start, filters.dates.end
    if start is not None or end is not None:

        def iso(t: float | None) -> str:
            return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") if t is not None else "any time"

        described.append(f"date from {iso(start)} to {iso(end)} (UTC); undated articles left out")
    if filters.only_ids is not None:
        described.append(f"only the {len(filters.only_ids):,} articles with the marks asked for")
    if filters.without_ids:
        described.append(f"not the {len(filters.without_ids):,} articles with the marks left out")
    return tuple(described)
