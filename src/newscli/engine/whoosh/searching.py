"""The Whoosh backend: an index in one folder, and the searches newscli asks of it."""

from __future__ import annotations

import importlib
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from itertools import combinations
from typing import Any

from newscli.engine.whoosh import internals  # first: loads Whoosh, in the mode the internals choose
from newscli.folders import private

# isort: split
from whoosh import index, query, scoring, sorting
from whoosh.index import EmptyIndexError, IndexVersionError
from whoosh.searching import Searcher

from newscli.engine import Contents, Engine, Writer
from newscli.engine.whoosh import browsing, collecting, feedback, filtering, ordering
from newscli.engine.whoosh.analysis import Analysis, Written, analyses, analysis
from newscli.engine.whoosh.compile import Compiled, check_expansions, compile_request
from newscli.engine.whoosh.damage import column_problems, readable
from newscli.engine.whoosh.internals.kept import Kept
from newscli.engine.whoosh.ordering import order, stories
from newscli.engine.whoosh.schema import SCHEMA, SCHEMA_VERSION, TEXT_FIELDS, article
from newscli.engine.whoosh.snippets import snippet, with_snippets
from newscli.engine.whoosh.spelling import suggest
from newscli.engine.whoosh.storage import MappedStorage
from newscli.errors import REBUILD_HINT, IndexError_
from newscli.models import (
    Article,
    Bucket,
    Facets,
    Filters,
    Hit,
    ListResult,
    Related,
    SearchRequest,
    SearchResult,
    Sort,
    Timeline,
)
from newscli.stats import Period, per_period

_GROUPS = {
    "outlet": sorting.FieldFacet("outlet", allow_overlap=True, maptype=sorting.Count),
    "day": sorting.FieldFacet("day", maptype=sorting.Count),
}
_LANGUAGES = sorting.FieldFacet("lang", maptype=sorting.Count)


class WhooshEngine(Engine):
    """A Whoosh index in one folder."""

    name = "whoosh"
    version = SCHEMA_VERSION

    def __init__(self, ix: index.Index, folder: str, before: WhooshEngine | None = None) -> None:
        self._ix = ix
        self.folder = folder
        self._reader: Any = None
        self._present: tuple[Analysis, ...] | None = None
        # What searches keep for the next, by segment (whose files never change): taken over
        # from the engine `before` this one on the same index.
        self.kept: Kept = before.kept if before is not None else Kept()
        self.orders: browsing.Orders = before.orders if before is not None else {}
        self._where: dict[Filters, Where] = {}  # see _documents

    def _searcher(self, **kwargs: Any) -> Searcher:
        """A searcher of the index as it was at the first: what its segments have read stays read for the next."""
        if self._reader is None:
            self._reader = self._ix.reader()
        return Searcher(self._reader, closereader=False, fromindex=self._ix, **kwargs)

    def _analyses(self) -> tuple[Analysis, ...]:
        """The analyses of the languages of the index's articles (of no language: the neutral one)."""
        if self._present is None:
            reader = self._searcher().reader()  # (once: the engine's reader never changes)
            codes: list[str | None] = [t.decode() for t in reader.lexicon("lang")]
            if sum(reader.doc_frequency("lang", c) for c in codes) < reader.doc_count_all() or not codes:
                codes.append(None)
            self._present = analyses(codes)
        return self._present

    def warm(self) -> None:
        # What sorting, folding and scoring read of each segment, read now (see internals/).
        with self._searcher() as s:
            for leaf, _ in s.reader().leaf_readers():
                if leaf.segment() is None:  # an empty index's stand-in segment
                    continue
                for name in TEXT_FIELDS:
                    leaf.doc_field_length(0, name)
                leaf.stored_fields(0)
                browsing.date_order(leaf, True, self.orders)  # and the dated and ts columns, whole
                ordering.story_column(leaf)
            browsing.keep_only((leaf for leaf, _ in s.reader().leaf_readers()), self.orders)
            for name in TEXT_FIELDS:
                s.reader().field_length(name)
        # And what a search loads and compiles on its first use: the query parser's patterns, the collectors.
        compile_request(SearchRequest("warm up"), self._analyses())
        importlib.import_module("whoosh.collectors")

    def learned(self) -> list[Any]:
        # The postings this process read and scored (Kept): its words, by segment.
        return [[leaf, field, text.hex(), list(shape)] for leaf, field, text, shape in self.kept.read]

    def learn(self, learned: list[Any]) -> None:
        with self._searcher() as s:
            leaves = {leaf.segment().segment_id(): leaf for leaf, _ in s.reader().leaf_readers() if leaf.segment()}
            for leaf, field, text, shape in learned:
                if leaf in leaves:
                    collecting.keep(self.kept, leaves[leaf], (field, bytes.fromhex(text)), tuple(shape))

    def reopened(self) -> WhooshEngine:
        self.close()
        return type(self).open(self.folder, before=self)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
            self._present = None

    @staticmethod
    def set_plain(plain: bool) -> None:
        """Whoosh's public API alone (or as NEWSCLI_WHOOSH_PLAIN says, which wins), else the internals."""
        internals.use(plain or internals.asked_plain())

    @classmethod
    def open(cls, folder: str, before: WhooshEngine | None = None) -> WhooshEngine:
        try:
            return cls(MappedStorage(folder).open_index(), folder, before)
        except (EmptyIndexError, FileNotFoundError):
            raise IndexError_(f"no index in {folder}", hint=REBUILD_HINT) from None
        except IndexVersionError:
            raise IndexError_(f"the index in {folder} was made by another version", REBUILD_HINT) from None
        except Exception as e:  # whoosh reports a damaged index in many ways
            raise IndexError_(f"the index in {folder} is damaged ({e})", hint=REBUILD_HINT) from None

    @classmethod
    def create(cls, folder: str) -> WhooshEngine:
        private(folder)
        for name in os.listdir(folder):  # Whoosh names all its files MAIN... or _MAIN...
            if name.startswith(("MAIN", "_MAIN")):
                import shutil

                target = os.path.join(folder, name)
                shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
        return cls(index.create_in(folder, SCHEMA), folder)

    @staticmethod
    def exists(folder: str) -> bool:
        try:
            return any(name.startswith("_MAIN_") and name.endswith(".toc") for name in os.listdir(folder))
        except OSError:
            return False

    @contextmanager
    def writer(self, expected_bytes: int = 0) -> Iterator[Writer]:
        from newscli.engine.whoosh import writing  # a search does not write

        with writing.batch(self._ix, expected_bytes) as w:
            yield w

    @readable
    def count(self) -> int:
        return int(self._ix.doc_count())

    @readable
    def get(self, article_id: str) -> Article | None:
        with self._searcher() as s:
            stored = s.document(id=article_id)
            return None if stored is None else article(stored)

    @readable
    def with_prefix(self, prefix: str, limit: int = 10) -> list[Article]:
        with self._searcher() as s:
            hits = s.search(query.Prefix("id", prefix), limit=limit)
            return [article(h.fields()) for h in hits]

    @readable
    def in_file(self, path: str) -> list[Article]:
        with self._searcher() as s:
            found = [article(s.stored_fields(n)) for n in s.document_numbers(path=path)]
        return sorted(found, key=lambda a: a.record or 0)

    def _compiled(self, request: SearchRequest, s: Searcher) -> tuple[Compiled, Where]:
        """The request compiled, the expansions of its words checked, and the documents its filters keep."""
        compiled = compile_request(request, self._analyses())
        if compiled.prepared:  # not for marks alone
            check_expansions(compiled.query, s)
        return compiled, self._documents(s, compiled.filters)

    def _documents(self, s: Searcher, filters: Filters) -> Where:
        """filtering.documents, kept for the filters asked for last (`saved` asks for three, fifty times)."""
        if (where := self._where.get(filters)) is None:
            where = filtering.documents(s, filters)
            self._where = dict([*list(self._where.items())[-3:], (filters, where)])  # the last four
        return where

    @readable
    def search(self, request: SearchRequest) -> SearchResult:
        tuning = request.tuned
        groups = {**_GROUPS, "lang": _LANGUAGES} if request.facets else {}
        if request.fold_copies:
            groups["story"] = stories()
        limit, page = request.limit, request.page
        first = 0 if limit == 0 else limit * (page - 1)
        wanted = None if limit == 0 else limit * page
        reranked = bool(tuning.feedback) and request.sort == Sort.RELEVANCE
        with self._searcher(weighting=scoring.BM25F(B=tuning.b, K1=tuning.k1)) as s:
            compiled, where = self._compiled(request, s)
            fetch = max(wanted, feedback.RERANKED) if reranked and wanted else wanted
            results, shown = _ranked(s, compiled.query, request, where, groups, fetch, self.kept)
            matches = len(results)
            relevance = request.sort == Sort.RELEVANCE
            scored: list[tuple[Any, float | None]] = [(h, _score(h) if relevance else None) for h in shown]
            words: tuple[tuple[str, float], ...] = ()
            if reranked:
                asked = {text for _, text in compiled.query.iter_all_terms()}
                if words := feedback.expansion(s, shown, asked, tuning):
                    scored = feedback.rerank(s, scored, words)
            if compiled.optional and wanted is not None and len(shown) < wanted:
                more = _fill(s, compiled, request, where, wanted - len(shown), results, self.kept)
                scored += [(h, _score(h)) for h in more]
            hits = tuple(
                Hit(article(h.fields()), score, snippet(h), _copies(s, h), every_word=i < len(shown))
                for i, (h, score) in list(enumerate(scored))[first : None if limit == 0 else first + limit]
            )
            total = len(results.groups("story")) if request.fold_copies else matches
            suggestion = suggest(s, compiled.prepared, self._analyses()) if matches == 0 else None
            facets = None
            if request.facets:
                outlets, days, undated = _counts(results, matches)
                languages = _by_count({k: n for k, n in results.groups("lang").items() if k})
                facets = Facets(tuple(outlets), tuple(per_period(days, Period.MONTH)), undated, tuple(languages))
        return SearchResult(
            query=request.text,
            total=total,
            page=page,
            limit=limit,
            hits=hits,
            explanation=replace(compiled.explanation, expansion=words),
            suggestion=suggestion,
            facets=facets,
            folded=matches - total,
        )

    @readable
    def every(self, request: SearchRequest) -> Iterator[Article]:
        with self._searcher(weighting=scoring.BM25F(B=request.tuned.b, K1=request.tuned.k1)) as s:
            if request.text or request.filters.marked:
                compiled, where = self._compiled(replace(request, limit=0), s)
                sortedby = order(request.sort, request.ranking)
                docnums: Iterable[int] = collecting.every(s, compiled.query, *where, sortedby, self.kept)
            else:
                docnums = browsing.each(s, request.filters, request.sort != Sort.OLDEST, self.orders)
            for docnum in docnums:
                yield article(s.stored_fields(docnum))

    @readable
    def tally(self, request: SearchRequest, parts: Sequence[Filters] = ()) -> tuple[int, ...]:
        with self._searcher() as s:
            compiled, where = self._compiled(replace(request, limit=0), s)
            found = collecting.matched(s, compiled.query, *where, self.kept)
            return len(found), *(len(filtering.within(found, self._documents(s, part))) for part in parts)

    @readable
    def timeline(self, request: SearchRequest, by: Period) -> Timeline:
        with self._searcher() as s:
            compiled, (kept, left_out) = self._compiled(request, s)
            results = s.search(compiled.query, limit=1, filter=kept, mask=left_out, groupedby=_GROUPS)
            total = len(results)
            _, days, undated = _counts(results, total)
        return Timeline(request.text, by.value, total, undated, tuple(per_period(days, by)))

    @readable
    def related(self, of: Article, limit: int) -> Related:
        """The articles most like one: Whoosh's more-like-this over title and text."""
        with self._searcher() as s:
            docnum = s.document_number(id=of.id)
            if docnum is None:
                return Related(of, (), ())
            # (Its words analysed in its language, as they are indexed.)
            stems = [t for t, _ in s.key_terms_from_text("body", Written(of.body, of.language), 15) if len(t) > 2][:12]
            titled = s.key_terms_from_text("title", Written(of.title, of.language), 4)
            terms = [t for t, _ in titled if t not in stems and len(t) > 2] + stems
            like = query.Or([query.Term("body", t) for t in terms] + [query.Term("title", t, boost=2.0) for t in terms])
            results = s.search(like, limit=limit + 1)
            with_snippets(results)
            hits = tuple(Hit(article(h.fields()), float(h.score), snippet(h)) for h in results if h["id"] != of.id)
        return Related(of, tuple(analysis(of.language).as_written(terms, f"{of.title}\n{of.body}")), hits[:limit])

    @readable
    def browse(self, filters: Filters, sort: Sort, limit: int) -> ListResult:
        with self._searcher() as s:
            total, docnums = browsing.top(s, filters, sort != Sort.OLDEST, limit or None, self.orders)
            return ListResult(total, tuple(article(s.stored_fields(n)) for n in docnums))

    @readable
    def stories(self) -> dict[str, list[Article]]:
        with self._searcher() as s:
            results = s.search(query.Every(), limit=1, groupedby={"story": sorting.FieldFacet("story")})
            groups = {k: v for k, v in results.groups("story").items() if len(v) > 1}
            return {k: [article(s.stored_fields(n)) for n in docs] for k, docs in groups.items()}

    @readable
    def contents(self) -> Contents:
        with self._searcher() as s:
            reader = s.reader()
            stored = list(reader.all_stored_fields())
            postings = 0
            for fieldname, term in reader.all_terms():
                postings += sum(1 for _ in reader.postings(fieldname, term).all_ids())
            problems = [problem for leaf, _ in reader.leaf_readers() for problem in column_problems(leaf)]
        return Contents(Counter(d["path"] for d in stored), Counter(d["id"] for d in stored), postings, problems)

    @readable
    def sources(self, without: frozenset[str] = frozenset()) -> list[Bucket]:
        with self._searcher() as s:
            return _by_count(filtering.counted(s, "outlet", without))

    @readable
    def languages(self) -> list[Bucket]:
        with self._searcher() as s:
            counts = filtering.counted(s, "lang", frozenset())
        unknown = self.count() - sum(counts.values())
        return _by_count(counts) + ([Bucket("", unknown)] if unknown else [])


Where = tuple[set[int] | None, set[int] | None]  # documents kept (None: any) and left out (filtering.documents)


def _counts(results: Any, total: int) -> tuple[list[Bucket], dict[str, int], int]:
    """Articles per outlet (spellings differing in case merged), per day, and how many are undated."""
    days = {day: n for day, n in results.groups("day").items() if day}
    return _by_count(results.groups("outlet")), days, total - sum(days.values())


def _by_count(counts: Mapping[str, int]) -> list[Bucket]:
    """Names (outlets, languages) by their count of articles, most first; spellings that differ only in
    case are one, under the commonest."""
    spellings: dict[str, dict[str, int]] = {}
    for name, n in counts.items():
        if name and n:
            spellings.setdefault(name.casefold(), {})[name] = n
    outlets = [Bucket(max(f, key=lambda k: f[k]), sum(f.values())) for f in spellings.values()]
    outlets.sort(key=lambda b: (-b.count, b.name.casefold()))
    return outlets


def _ranked(
    s: Searcher,
    q: query.Query,
    request: SearchRequest,
    where: Where,
    groups: dict[str, Any],
    wanted: int | None,
    keeping: Kept,
    mask: set[int] | None = None,
    seen: set[str] | None = None,
    quick: bool = False,
) -> tuple[Any, list[Any]]:
    """The results of a query, and enough of its hits to fill the pages asked for (one per story when folding).

    quick: in order of score alone, not the request's: several times quicker over thousands of matches.
    """
    # Ask for plenty at once; if copies still crowd the page, rank more of the same matches
    # (or, where Whoosh searched, search again for more).
    fetch = None if wanted is None else wanted * (4 if request.fold_copies else 1)
    kept, left_out = where[0], where[1] if not mask else mask | (where[1] or set())
    sortedby = None if quick else order(request.sort, request.ranking)
    results = collecting.search(s, q, fetch, kept, left_out, sortedby, groups or None, keeping)
    while True:
        shown = _one_per_story(s, results, set(seen or ())) if request.fold_copies else list(results)
        if fetch is None or wanted is None or len(shown) >= wanted or fetch >= len(results):
            with_snippets(results)
            return results, shown
        fetch *= 4
        results = collecting.more(results, fetch) or collecting.search(
            s, q, fetch, kept, left_out, sortedby, groups or None, keeping
        )


MAX_GROUPS = 20  # a level of fill that would OR more groups of words than this is skipped: it would be slow


def _fill(
    s: Searcher,
    compiled: Compiled,
    request: SearchRequest,
    where: Where,
    wanted: int,
    matches: Any,
    keeping: Kept,
) -> list[Any]:
    """Hits for the rest of a page: articles with all the query's words but one, then all but two...

    Each level is its own search, best score first; a level ORs ANDed groups of words,
    which reads far fewer articles than ORing the words themselves. The page is short, so
    `matches` holds every full match, and a level that leaves it short all of its own.
    """
    seen = {h.get("story") or h["id"] for h in matches}
    done = {h.docnum for h in matches}
    found: list[Any] = []
    words = compiled.optional
    for k in range(len(words) - 1, 0, -1):
        if k > 1 and math.comb(len(words), k) > MAX_GROUPS:
            continue
        level = query.Or([query.And(g) if k > 1 else g[0] for g in combinations(words, k)])
        q = query.And([*compiled.required, level]) if compiled.required else level
        level_matches, more = _ranked(s, q, request, where, {}, wanted - len(found), keeping, done, seen, quick=True)
        found += more
        if len(found) >= wanted:
            break
        seen |= {h.get("story") or h["id"] for h in level_matches}
        done |= {h.docnum for h in level_matches}
    return found[:wanted]


def _one_per_story(s: Searcher, results: Any, seen: set[str]) -> list[Any]:
    """The first hit of each story not seen yet; `seen` gains their stories."""
    kept = []
    story_of = ordering.story_of(s)  # rather than each hit's stored fields
    for hit in results:
        story = story_of(hit.docnum) or hit["id"]
        if story not in seen:
            seen.add(story)
            kept.append(hit)
    return kept


def _copies(s: Searcher, hit: Any) -> tuple[Article, ...]:
    story = hit.get("story")
    if not story or s.doc_frequency("story", story) < 2:  # a story of one article (most are) has no copies
        return ()
    return tuple(article(d) for d in s.documents(story=story) if d["id"] != hit["id"])


def _score(hit: Any) -> float:
    # Sorted with a ScoreFacet first, a hit's "score" is its sort key, led by the negated score.
    return float(-hit.score[0] if isinstance(hit.score, tuple) else hit.score)
