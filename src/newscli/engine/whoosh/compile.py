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

from newscli.engine.whoosh.schema import SCHEMA, TEXT_FIELDS, stems
from newscli.errors import QueryError
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


def compile_request(request: SearchRequest) -> Compiled:
    """The Whoosh query and filters for a request, and how they were arrived at."""
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
    return q.accept(_fuzzy)


def _fuzzy(node: query.Query) -> query.Query:
    """A fuzzy word keeps its first letter: a misspelling seldom starts wrong, and without it every
    word of the index is compared with it (3.7 s on 30,000 articles, 0.1 s with)."""
    if isinstance(node, query.FuzzyTerm):
        kind = internals.queries.Fuzzy if internals.active() else query.FuzzyTerm
        return kind(node.fieldname, node.text, node.boost, node.maxdist, max(node.prefixlength, 1))
    return node


def _with_variants(q: query.Query, groups: tuple[tuple[str, ...], ...], applied: list[str]) -> query.Query:
    """Each word of a group of spellings (Kyiv, Kiev) searched as any of them."""
    as_one: dict[str, list[str]] = {}
    for group in groups:
        forms = [found[0] for v in group if len(found := stems(v)) == 1]
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
    required_stems = {stem for word in prepared.required for stem in stems(word)}
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
        if plain and not any(t.text in required_stems for t in leaves):
            optional.append(clause)
        else:
            required.append(clause)
    return (tuple(required), tuple(optional)) if 2 <= len(optional) <= MAX_FILL_WORDS else ((), ())


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
