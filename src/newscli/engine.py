"""The full-text index. The only module that imports Whoosh."""

from __future__ import annotations

import math
import os
import re
import select
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from newscli import _whoosh_import  # noqa: F401  (first: keeps Whoosh's start-up cost down)

# isort: split
from whoosh import analysis, fields, index, qparser, query, scoring, sorting
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.highlight import ContextFragmenter, Formatter
from whoosh.index import EmptyIndexError, IndexVersionError
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from newscli import dates
from newscli.errors import IndexError_, NewscliError, QueryError
from newscli.models import (
    Article,
    Bucket,
    Explanation,
    Facets,
    Filters,
    Format,
    Hit,
    ListResult,
    Ranking,
    Related,
    SearchRequest,
    SearchResult,
    Snippet,
    Sort,
    Timeline,
)
from newscli.query import narrow, prepare
from newscli.stats import Period, per_period

SCHEMA_VERSION = 6
_LINES = analysis.RegexTokenizer(r"[^\n]+")  # one term per line: outlet and tag names stay whole
SNIPPET_CHARS = 160
HIGHLIGHT_CHARS = 6000
_SPACE = re.compile(r"\s+")
WRITER_MB = 32  # memory for sorting postings, per writing process (a few run at once; more saved no time)
REBUILD_HINT = "run `newscli index --rebuild` to build it again"
MERGE_BELOW = 2000  # live articles: segments this small are merged, larger ones are left alone
MERGE_FACTOR = 10  # small segments of about the same size merged at a time


def _schema() -> fields.Schema:
    stem = analysis.StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True),
        record=fields.STORED,
        title=fields.TEXT(analyzer=stem, stored=True, spelling=True),
        caption=fields.TEXT(analyzer=stem, stored=True),
        body=fields.TEXT(analyzer=stem, stored=True, spelling=True),
        source=fields.TEXT(stored=True),
        outlet=fields.KEYWORD(stored=True, scorable=False, sortable=True),
        author=fields.TEXT(),
        authors=fields.STORED,
        tag=fields.KEYWORD(lowercase=True, scorable=False),
        tags=fields.STORED,
        lang=fields.KEYWORD(lowercase=True, stored=True),
        url=fields.TEXT(analyzer=analysis.RegexTokenizer(r"[^\W_]+") | analysis.LowercaseFilter(), stored=True),
        date=fields.STORED,
        ts=fields.NUMERIC(int, bits=64, sortable=True),
        dated=fields.NUMERIC(int, sortable=True),
        day=fields.ID(sortable=True),  # the UTC day, for counts per period
        story=fields.ID(stored=True, sortable=True),  # the ID of the first copy of a republished story
        format=fields.STORED,
        schema_version=fields.STORED,
    )


def _line_fields(schema: fields.Schema) -> fields.Schema:
    schema["outlet"].analyzer = _LINES
    schema["tag"].analyzer = _LINES | analysis.LowercaseFilter()
    return schema


SCHEMA = _line_fields(_schema())


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    # Whoosh 2.7 remembers only the length columns it found, so every posting of a field
    # without one (keywords, IDs, spelling) costs a stat() of the missing file: commits
    # take twice as long. A segment's files never change, so remembering the absence is safe.
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


W3PerDocReader._cached_reader = _cached_reader


@cache
def _prepare_helpers() -> None:
    """Has multi-process writers start their helpers from a clean process.

    Done once, when such a writer is first made: a search need not load multiprocessing.
    A helper forked from this process would start with what it holds (the scan of the
    archive, which grows with the archive, among it) and copy part of it as it runs. Helpers
    are forked instead from a server process started once, with Whoosh loaded ("forkserver",
    the default from Python 3.14).
    """
    import multiprocessing

    from whoosh import multiproc

    multiprocessing.set_forkserver_preload([__name__])
    # After a kill -9, Python's resource tracker removes the helpers' semaphores and says so
    # in a two-line warning on the terminal: they are cleaned up, so it need not.
    sys.warnoptions.append("ignore::UserWarning:multiprocessing.resource_tracker")
    multiprocessing.set_start_method("forkserver", force=True)
    multiproc.SubWriterTask = _helper_class()


def __getattr__(name: str) -> Any:
    # A helper finds its class here by name when it starts.
    if name == "Helper":
        return _helper_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _helper_class() -> type:
    from whoosh.multiproc import SubWriterTask

    class Helper(SubWriterTask):  # type: ignore[misc]
        """Analyses articles for a multi-process writer; safe to interrupt."""

        def run(self) -> None:
            # Ctrl-C is for the main process to handle (it stops the helpers), and a
            # helper must not outlive it (kill -9).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            _die_with(self._parent_pid)
            super().run()

    Helper.__qualname__ = "Helper"  # where a helper finds it (above)
    return Helper


def _die_with(parent: int) -> None:
    """Ends this helper as soon as the main process ends, however it ends (kill -9 too)."""

    def watch() -> None:
        try:
            select.select([os.pidfd_open(parent)], [], [])  # readable once it has ended
        except (AttributeError, OSError):  # ended already, or no pidfd_open (not Linux 5.3+)
            with suppress(OSError):
                while True:  # until it is gone: look twice a second
                    os.kill(parent, 0)
                    time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


T = TypeVar("T")
P = ParamSpec("P")


class _Counted(Protocol):
    def doc_count(self) -> int: ...


S = TypeVar("S", bound=_Counted)


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's merge policy for newscli's commits: the segments to keep as they are."""
    keep, merge = merge_plan(segments)
    for segment in merge:  # into the segment this commit writes
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return keep


def merge_plan(segments: Iterable[S]) -> tuple[list[S], list[S]]:
    """Which segments of the index to keep and which to merge; those in neither are dropped.

    Merging a segment in Whoosh costs about as much as indexing its articles again, so
    segments written by a batch of a full index (a few thousand articles each) are never
    merged, and each costs a search about a millisecond. Segments left by small updates
    (or thinned by deletions) are merged ten of about the same size at a time, so an
    article is rewritten once per power of ten at most and daily updates do not pile up. Segments
    whose articles are all deleted are dropped. (Whoosh's own policy keeps those, and once
    there are enough segments merges all of them at once: 40 minutes for 155,000 articles.)
    """
    keep: list[S] = []
    tiers: dict[int, list[S]] = {}
    for segment in segments:
        live = segment.doc_count()
        if live >= MERGE_BELOW:
            keep.append(segment)
        elif live > 0:
            tiers.setdefault(int(math.log10(live)), []).append(segment)
    merge: list[S] = []
    for tier in tiers.values():
        (merge if len(tier) >= MERGE_FACTOR else keep).extend(tier)
    return keep, merge


def _readable(method: Callable[Concatenate[Engine, P], T]) -> Callable[Concatenate[Engine, P], T]:
    """Reports a failure to read the index's files (missing, truncated, garbled) as a damaged index."""

    def reading(self: Engine, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except NewscliError:
            raise
        except Exception as e:
            if not _from_storage(e):
                raise
            detail = (
                f"{e.strerror}: {e.filename}" if isinstance(e, OSError) and e.filename else f"{type(e).__name__}: {e}"
            )
            raise IndexError_(f"the index in {self._folder} cannot be read ({detail})", hint=REBUILD_HINT) from e

    reading.__doc__ = method.__doc__
    return reading


_STORAGE = tuple(os.path.join("whoosh", part) for part in ("filedb", "codec", "columns.py", "reading.py", "matching"))


def _from_storage(error: Exception) -> bool:
    """Whether an error arose reading index files (rather than, say, in a query or in newscli itself)."""
    if isinstance(error, OSError) and error.filename:
        return True
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return any(part in frame.filename for frame in frames for part in _STORAGE)


class Engine:
    """An open index in one folder."""

    def __init__(self, ix: index.Index, folder: str) -> None:
        self._ix = ix
        self._folder = folder

    @classmethod
    def open(cls, folder: str) -> Engine:
        try:
            return cls(index.open_dir(folder), folder)
        except (EmptyIndexError, FileNotFoundError):
            raise IndexError_(f"no index in {folder}", hint=REBUILD_HINT) from None
        except IndexVersionError:
            raise IndexError_(f"the index in {folder} was made by another version", REBUILD_HINT) from None
        except Exception as e:  # whoosh reports a damaged index in many ways
            raise IndexError_(f"the index in {folder} is damaged ({e})", hint=REBUILD_HINT) from None

    @classmethod
    def create(cls, folder: str) -> Engine:
        """A new empty index, replacing whatever index the folder held."""
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):  # Whoosh names all its files MAIN... or _MAIN...
            if name.startswith(("MAIN", "_MAIN")):
                import shutil

                target = os.path.join(folder, name)
                shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
        return cls(index.create_in(folder, SCHEMA), folder)

    @staticmethod
    def exists(folder: str) -> bool:
        """Whether the folder holds an index, readable or not (`open` says which)."""
        try:
            return any(name.startswith("_MAIN_") and name.endswith(".toc") for name in os.listdir(folder))
        except OSError:
            return False

    @_readable
    def doc_count(self) -> int:
        return int(self._ix.doc_count())

    @contextmanager
    def writer(self, procs: int = 1) -> Iterator[Writer]:
        """A batch of changes, committed on leaving the block and cancelled by an exception.

        With `procs` > 1, that many helper processes analyse the added articles
        while this one goes on reading the archive.
        """
        # Separate segment files: a compound one is copied whole into memory by every
        # searcher that reads stored fields (about 0.2 s per search on 30,000 articles).
        options: dict[str, Any] = {"limitmb": WRITER_MB, "compound": False}
        if procs > 1:
            _prepare_helpers()
            options.update(procs=procs, batchsize=200, multisegment=True)
        w = self._ix.writer(**options)
        committing = False
        try:
            yield Writer(w)
            committing = True
            w.commit(mergetype=_merge_small_segments)
        except BaseException:
            # Stopped, even mid-commit: helpers still waiting for work would keep this
            # process from ending (it waits for them at exit).
            for helper in getattr(w, "tasks", ()):
                helper.terminate()
                helper.join()
            if not committing:  # a commit stopped part way is not undone: the last complete one answers
                w.cancel()
            raise

    # Reading

    @_readable
    def get(self, article_id: str) -> Article | None:
        with self._ix.searcher() as s:
            stored = s.document(id=article_id)
            return None if stored is None else _article(stored)

    @_readable
    def with_prefix(self, prefix: str, limit: int = 10) -> list[Article]:
        with self._ix.searcher() as s:
            hits = s.search(query.Prefix("id", prefix), limit=limit)
            return [_article(h.fields()) for h in hits]

    @_readable
    def in_file(self, path: str) -> list[Article]:
        with self._ix.searcher() as s:
            found = [_article(s.stored_fields(n)) for n in s.document_numbers(path=path)]
        return sorted(found, key=lambda a: a.record or 0)

    @_readable
    def search(self, request: SearchRequest) -> SearchResult:
        q, filters, explanation = _compile(request)
        groups = dict(_GROUPS) if request.facets else {}
        if request.fold_copies:
            groups["story"] = sorting.FieldFacet("story", maptype=sorting.Count)
        limit, page = request.limit, request.page
        first = 0 if limit == 0 else limit * (page - 1)
        with self._ix.searcher(weighting=scoring.BM25F()) as s:
            # Fetch enough hits to fill the page with one hit per story: each search costs the same
            # whatever its limit, so ask for plenty at once and again only if copies still crowd the page.
            fetch = None if limit == 0 else limit * page * (4 if request.fold_copies else 1)
            while True:
                results = s.search(
                    q,
                    limit=fetch,
                    filter=_filter(s, filters),
                    sortedby=_sort(request.sort, request.ranking),
                    groupedby=groups or None,
                    terms=True,
                )
                matches = len(results)
                shown = _one_per_story(results) if request.fold_copies else list(results)
                if fetch is None or len(shown) >= limit * page or fetch >= matches:
                    break
                fetch *= 4
            _with_snippets(results)
            relevance = request.sort == Sort.RELEVANCE
            hits = tuple(
                Hit(_article(h.fields()), _score(h) if relevance else None, _snippet(h), _copies(s, h))
                for h in shown[first : None if limit == 0 else first + limit]
            )
            total = len(results.groups("story")) if request.fold_copies else matches
            suggestion = _suggest(s, explanation.prepared) if matches == 0 else None
            facets = None
            if request.facets:
                outlets, days, undated = _counts(results, matches)
                facets = Facets(tuple(outlets), tuple(per_period(days, Period.MONTH)), undated)
        return SearchResult(
            request.text, total, page, limit, hits, explanation.public, suggestion, facets, matches - total
        )

    @_readable
    def timeline(self, request: SearchRequest, by: Period) -> Timeline:
        q, filters, _ = _compile(request)
        with self._ix.searcher() as s:
            results = s.search(q, limit=1, filter=_filter(s, filters), groupedby=_GROUPS)
            total = len(results)
            _, days, undated = _counts(results, total)
        return Timeline(request.text, by.value, total, undated, tuple(per_period(days, by)))

    @_readable
    def related(self, article: Article, limit: int) -> Related:
        """The articles most like one: Whoosh's more-like-this over title and text."""
        with self._ix.searcher() as s:
            docnum = s.document_number(id=article.id)
            if docnum is None:
                return Related(article, (), ())
            stems = [t for t, _ in s.key_terms([docnum], "body", numterms=15) if len(t) > 2][:12]
            terms = [t for t, _ in s.key_terms([docnum], "title", numterms=4) if t not in stems and len(t) > 2] + stems
            like = query.Or([query.Term("body", t) for t in terms] + [query.Term("title", t, boost=2.0) for t in terms])
            results = s.search(like, limit=limit + 1, terms=True)
            _with_snippets(results)
            hits = tuple(
                Hit(_article(h.fields()), float(h.score), _snippet(h)) for h in results if h["id"] != article.id
            )[:limit]
        return Related(article, tuple(_as_written(terms, article)), hits)

    @_readable
    def browse(self, filters: Filters, sort: Sort, limit: int) -> ListResult:
        with self._ix.searcher() as s:
            results = s.search(
                _filter(s, filters) or query.Every(),  # the filter as the query: only its articles are visited
                limit=None if limit == 0 else limit,
                sortedby=_sort(Sort.NEWEST if sort == Sort.RELEVANCE else sort),
            )
            return ListResult(len(results), tuple(_article(h.fields()) for h in results))

    @_readable
    def stories(self) -> dict[str, list[Article]]:
        """Every story that more than one article tells, by its story ID."""
        with self._ix.searcher() as s:
            results = s.search(query.Every(), limit=1, groupedby={"story": sorting.FieldFacet("story")})
            groups = {k: v for k, v in results.groups("story").items() if len(v) > 1}
            return {k: [_article(s.stored_fields(n)) for n in docs] for k, docs in groups.items()}

    @_readable
    def read_all(self) -> tuple[Counter[str], Counter[str], int]:
        """Reads every stored article and every posting: articles per file, per ID, and postings read."""
        with self._ix.searcher() as s:
            reader = s.reader()
            stored = list(reader.all_stored_fields())
            postings = 0
            for fieldname, term in reader.all_terms():
                postings += sum(1 for _ in reader.postings(fieldname, term).all_ids())
        return Counter(d["path"] for d in stored), Counter(d["id"] for d in stored), postings

    @_readable
    def sources(self) -> list[Bucket]:
        """Each outlet with its article count; spellings that differ only in case are one outlet.

        Counted from the term index, not article by article: at 300,000 articles that took seconds.
        """
        counts: Counter[str] = Counter()
        with self._ix.reader() as r:
            for part, _ in r.leaf_readers():
                thinned = part.has_deletions()  # then its term counts include deleted articles
                for name in part.field_terms("outlet"):
                    if thinned:
                        counts[name] += sum(1 for _ in part.postings("outlet", name).all_ids())
                    else:
                        counts[name] += part.doc_frequency("outlet", name)
        return _outlets(counts)


class Writer:
    def __init__(self, writer: Any) -> None:
        self._w = writer

    def add(self, article: Article, story: str) -> None:
        self._w.add_document(**_document(article), story=story)

    def delete_file(self, path: str) -> None:
        self._w.delete_by_term("path", path)


def _document(a: Article) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": a.id,
        "path": a.path,
        "record": a.record,
        "title": a.title,
        "body": a.body,
        "authors": list(a.authors),
        "tags": list(a.tags),
        "date": a.date,
        "dated": 1 if a.date else 0,
        "format": a.format.value,
        "schema_version": SCHEMA_VERSION,
    }
    optional = {
        "caption": a.caption,
        "source": a.source,
        "outlet": "\n".join(a.outlets),
        "author": "\n".join(a.authors),
        "tag": "\n".join(a.tags),
        "lang": a.language,
        "url": a.url,
        "ts": int(dates.timestamp(a.date)) if a.date else None,
        "day": datetime.fromtimestamp(dates.timestamp(a.date), UTC).date().isoformat() if a.date else None,
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


def _article(stored: dict[str, Any]) -> Article:
    return Article(
        id=stored["id"],
        title=stored["title"],
        body=stored.get("body", ""),
        path=stored["path"],
        source=stored.get("source"),
        outlets=tuple(filter(None, stored.get("outlet", "").split("\n"))),
        date=stored.get("date"),
        authors=tuple(stored.get("authors", ())),
        url=stored.get("url"),
        tags=tuple(stored.get("tags", ())),
        language=stored.get("lang"),
        caption=stored.get("caption"),
        record=stored.get("record"),
        format=Format(stored.get("format", "text")),
    )


_WORD = re.compile(r"(?<![\w:\-*~])[^\W\d_][\w'-]*(?![\w:*~])")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def _suggest(s: Searcher, text: str) -> str | None:
    """The query with each word the index lacks replaced by its closest indexed spelling."""
    reader = s.reader()
    correctors = [s.corrector("body"), s.corrector("title")]
    changed = text
    for m in reversed(list(_WORD.finditer(text))):
        word = m.group()
        lower = word.lower()
        if word in _OPERATORS or any((f, lower) in reader for f in ("spell_body", "spell_title")):
            continue
        for corrector in correctors:
            found = corrector.suggest(lower, limit=1)
            if found:
                changed = changed[: m.start()] + found[0] + changed[m.end() :]
                break
    return changed if changed != text else None


def _filter(s: Searcher, filters: Filters) -> query.Query | None:
    parts: list[query.Query] = []
    if filters.sources:
        wanted = {name.casefold() for name in filters.sources}
        names = [t.decode("utf-8") for t in s.lexicon("outlet")]
        matching = [n for n in names if n.casefold() in wanted]
        parts.append(query.Or([query.Term("outlet", n) for n in matching]) if matching else query.NullQuery)
    if filters.dates.start is not None or filters.dates.end is not None:
        start, end = filters.dates.start, filters.dates.end
        parts.append(
            query.NumericRange(
                "ts", None if start is None else math.ceil(start), None if end is None else math.floor(end)
            )
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _sort(sort: Sort, ranking: Ranking = Ranking.BM25) -> sorting.MultiFacet | None:
    """Undated articles come last in date order; with news ranking, equal scores go to the newer."""
    dated_first = sorting.FieldFacet("dated", reverse=True)
    if sort == Sort.RELEVANCE:
        newer = [dated_first, sorting.FieldFacet("ts", reverse=True)]
        return sorting.MultiFacet([sorting.ScoreFacet(), *newer]) if ranking == Ranking.NEWS else None
    return sorting.MultiFacet([dated_first, sorting.FieldFacet("ts", reverse=sort == Sort.NEWEST)])


@dataclass(frozen=True, slots=True)
class _Compiled:
    public: Explanation
    prepared: str


def _compile(request: SearchRequest) -> tuple[query.Query, Filters, _Compiled]:
    """The Whoosh query and filters for a request, and how they were arrived at."""
    prepared = prepare(request.text)
    if not prepared.text:
        raise QueryError("the query is empty", hint="give words to search for")
    filters = Filters(request.filters.sources, narrow(request.filters.dates, prepared.dates))
    q = _parse(prepared.text, request.ranking)
    variants: list[str] = []
    if request.variants:
        q = _with_variants(q, request.variants, variants)
    if request.ranking == Ranking.NEWS:
        q = _with_phrase_boost(q)
    explanation = Explanation(str(q), _describe(filters), tuple(variants), prepared.notes)
    return q, filters, _Compiled(explanation, prepared.text)


_GROUPS = {
    "outlet": sorting.FieldFacet("outlet", allow_overlap=True, maptype=sorting.Count),
    "day": sorting.FieldFacet("day", maptype=sorting.Count),
}


def _counts(results: Any, total: int) -> tuple[list[Bucket], dict[str, int], int]:
    """Articles per outlet (spellings differing in case merged), per day, and how many are undated."""
    days = {day: n for day, n in results.groups("day").items() if day}
    return _outlets(results.groups("outlet")), days, total - sum(days.values())


def _outlets(counts: Mapping[str, int]) -> list[Bucket]:
    """Outlets by their count of articles; spellings that differ only in case are one, under the commonest."""
    spellings: dict[str, dict[str, int]] = {}
    for name, n in counts.items():
        if name and n:
            spellings.setdefault(name.casefold(), {})[name] = n
    outlets = [Bucket(max(f, key=lambda k: f[k]), sum(f.values())) for f in spellings.values()]
    outlets.sort(key=lambda b: (-b.count, b.name.casefold()))
    return outlets


def _as_written(stems: list[str], article: Article) -> list[str]:
    """The word each stem most often stands for in the article's own text."""
    analyzer = SCHEMA["body"].analyzer
    seen: dict[str, Counter[str]] = {}
    for token in analyzer(f"{article.title}\n{article.body}", mode="index", chars=True, keeporiginal=True):
        seen.setdefault(token.text, Counter())[token.original.lower()] += 1
    return [seen[s].most_common(1)[0][0] if s in seen else s for s in stems]


TEXT_FIELDS = ("title", "caption", "body")
# Chosen with bench/relevance.py: stronger title and phrase boosts lowered precision there.
FIELD_BOOSTS = {"title": 1.5, "caption": 1.0, "body": 1.0}
PHRASE_BOOST = 0.2
PHRASE_SLOP = 5


def _parse(text: str, ranking: Ranking) -> query.Query:
    boosts = FIELD_BOOSTS if ranking == Ranking.NEWS else None
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), SCHEMA, fieldboosts=boosts, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    try:
        q = parser.parse(text)
    except Exception as e:  # whoosh's parser is lenient; anything it raises is a bad query
        raise QueryError(f"cannot understand the query {text!r}: {e}") from None
    if q is query.NullQuery:
        raise QueryError(f"nothing to search for in {text!r}", hint="give words to search for")
    return q


def _with_variants(q: query.Query, groups: tuple[tuple[str, ...], ...], applied: list[str]) -> query.Query:
    """Each word of a group of spellings (Kyiv, Kiev) searched as any of them."""
    analyzer = SCHEMA["body"].analyzer
    stems: dict[str, list[str]] = {}
    for group in groups:
        forms = [tokens[0] for v in group if len(tokens := [t.text for t in analyzer(v)]) == 1]
        for form in forms:
            stems[form] = list(dict.fromkeys(forms))

    def swap(node: query.Query) -> query.Query:
        if isinstance(node, query.Term) and node.fieldname in TEXT_FIELDS and node.text in stems:
            forms = stems[node.text]
            applied.append(f"{node.text} -> {' | '.join(forms)}")
            return query.Or([query.Term(node.fieldname, f, boost=node.boost) for f in forms])
        return node

    q = q.accept(swap)
    applied[:] = list(dict.fromkeys(applied))
    return q


def _with_phrase_boost(q: query.Query) -> query.Query:
    """Articles holding the query's words as a phrase rank first, then those with them close together."""
    words = [t for f, t in q.iter_all_terms() if f == "body"] if isinstance(q, query.And) else []
    plain = all(isinstance(c, query.Or) and all(isinstance(t, query.Term) for t in c) for c in q) if words else False
    if len(words) < 2 or not plain:
        return q
    closeness = [
        query.Phrase(field, words, slop=slop, boost=boost)
        for field in ("title", "body")
        for slop, boost in ((1, PHRASE_BOOST), (PHRASE_SLOP, PHRASE_BOOST / 2))
    ]
    return query.AndMaybe(q, query.Or(closeness))


def _one_per_story(results: Any) -> list[Any]:
    seen: set[str] = set()
    kept = []
    for hit in results:
        story = hit.get("story") or hit["id"]
        if story not in seen:
            seen.add(story)
            kept.append(hit)
    return kept


def _copies(s: Searcher, hit: Any) -> tuple[Article, ...]:
    story = hit.get("story")
    if not story:
        return ()
    return tuple(_article(d) for d in s.documents(story=story) if d["id"] != hit["id"])


def _score(hit: Any) -> float:
    # Sorted with a ScoreFacet first, a hit's "score" is its sort key, led by the negated score.
    return float(-hit.score[0] if isinstance(hit.score, tuple) else hit.score)


def _describe(filters: Filters) -> tuple[str, ...]:
    described = [f"source is {' or '.join(filters.sources)}"] if filters.sources else []
    start, end = filters.dates.start, filters.dates.end
    if start is not None or end is not None:

        def iso(t: float | None) -> str:
            return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") if t is not None else "any time"

        described.append(f"date from {iso(start)} to {iso(end)} (UTC); undated articles left out")
    return tuple(described)


def _with_snippets(results: Any) -> None:
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
    results.formatter = _SnippetFormatter()


def _snippet(hit: Any) -> Snippet:
    for name in ("body", "caption"):
        # Highlighting re-reads the text word by word: the opening of a long article is
        # enough for a snippet, and keeps a search of long articles quick.
        text = hit.get(name)
        found = hit.highlights(name, text=text[:HIGHLIGHT_CHARS], top=2) if text else None
        if isinstance(found, Snippet) and found.text:
            return found
    lead = " ".join(str(hit.get("body", "")).split())
    if len(lead) > SNIPPET_CHARS:
        lead = lead[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return Snippet(lead)


class _SnippetFormatter(Formatter):  # type: ignore[misc]
    """Whoosh fragments as a Snippet: plain text and the spans of the matched words."""

    def format(self, fragments: Iterable[Any], replace: bool = False) -> Snippet:
        text = ""
        spans: list[tuple[int, int]] = []
        seen: set[str] = set()
        for fragment in fragments:
            passage = fragment.text[fragment.startchar : fragment.endchar]
            if passage in seen:  # some sources repeat paragraphs; one snippet of each is enough
                continue
            seen.add(passage)
            if text:
                text += " … "
            position = fragment.startchar
            for token in sorted(fragment.matches, key=lambda t: (t.startchar, -t.endchar)):
                if token.startchar is None or token.startchar < position:
                    continue
                text += _flat(fragment.text[position : token.startchar])
                start = len(text)
                text += _flat(fragment.text[token.startchar : token.endchar])
                spans.append((start, len(text)))
                position = token.endchar
            text += _flat(fragment.text[position : fragment.endchar])
        lead = len(text) - len(text.lstrip())
        return Snippet(text.strip(), tuple((a - lead, b - lead) for a, b in spans))


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text)
