"""Plain data passed between newscli's layers. Imports nothing from the project."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Markup(StrEnum):
    """How an article's body is written: shown as it is, or rendered as Markdown."""

    TEXT = "text"
    MARKDOWN = "markdown"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


class Ranking(StrEnum):
    NEWS = "news"  # newscli's: see TUNINGS
    BM25 = "bm25"  # the engine's plain BM25F over title, caption and body, equally weighted: for comparison


@dataclass(frozen=True, slots=True)
class Tuning:
    """What a ranking does beyond plain BM25F. The defaults are plain BM25F; bench/relevance.py measures each."""

    title: float = 1.0  # weight of a word in the title against one in the text
    phrase: float = 0.0  # bonus for the query's words as a phrase (half of it when within 5 words)
    k1: float = 1.2  # BM25's term-frequency saturation
    b: float = 0.75  # BM25's length normalisation
    fill: bool = False  # a page that a query's every word leaves short is filled with articles holding most of them
    feedback: int = 0  # words taken from the first results to rerank the matches (pseudo-relevance feedback)
    feedback_docs: int = 10  # how many first results they are taken from
    feedback_weight: float = 0.5  # the weight of the heaviest of them, against a query word's 1


# newscli's ranking, chosen with bench/tune.py and measured with bench/relevance.py (see the README's "Ranking").
TUNINGS = {
    Ranking.NEWS: Tuning(fill=True),
    Ranking.BM25: Tuning(),
}
# `search --expand`: newscli's ranking with 10 words of feedback; not the default, as it did not win everywhere.
EXPANDED = replace(TUNINGS[Ranking.NEWS], feedback=10)


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    body: str
    path: str
    source: str | None = None
    outlets: tuple[str, ...] = ()
    date: str | None = None  # ISO 8601 date or datetime, as precise as the file says
    authors: tuple[str, ...] = ()
    url: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    caption: str | None = None
    record: int | None = None  # .jsonl: 1-based line; .json: 0-based array index
    markup: Markup = Markup.TEXT

    @property
    def location(self) -> str:
        """The file, and for one record of a multi-article file, `path:record`."""
        return self.path if self.record is None else f"{self.path}:{self.record}"


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    spans: tuple[tuple[int, int], ...] = ()  # [start, end) of each matched word


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float | None  # None when sorted by date
    snippet: Snippet
    copies: tuple[Article, ...] = ()  # the same story republished, folded into this hit
    every_word: bool = True  # False: it fills a page with what holds only some of the query's words


@dataclass(frozen=True, slots=True)
class DateRange:
    start: float | None = None  # POSIX timestamps, inclusive
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    sources: tuple[str, ...] = ()
    dates: DateRange = DateRange()
    languages: tuple[str, ...] = ()  # ISO 639-1 codes: only articles in these (`--lang`); none: any
    only_ids: frozenset[str] | None = None  # only these articles (from their marks); None: any
    without_ids: frozenset[str] = frozenset()  # not these
    marked: bool = False  # marks were asked for: a query of marks alone (`is:starred`) has no words


@dataclass(frozen=True, slots=True)
class SearchRequest:
    text: str
    filters: Filters = Filters()
    sort: Sort = Sort.RELEVANCE
    limit: int = 10  # 0: all
    page: int = 1
    variants: tuple[tuple[str, ...], ...] = ()  # groups of spellings searched as one
    ranking: Ranking = Ranking.NEWS
    facets: bool = False
    fold_copies: bool = True  # one hit per story; False shows every copy
    tuning: Tuning | None = None  # instead of the ranking's own

    @property
    def tuned(self) -> Tuning:
        return self.tuning or TUNINGS[self.ranking]


@dataclass(frozen=True, slots=True)
class Explanation:
    query: str  # the query as the engine runs it: fields, stemmed terms, boosts
    filters: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what was changed in a query that could not be used as written
    fill: str | None = None  # what fills a page the query leaves short: which of its words, and what stays required
    expansion: tuple[tuple[str, float], ...] = ()  # words added from the first results, with their weights


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...]
    explanation: Explanation
    suggestion: str | None = None
    facets: Facets | None = None
    folded: int = 0  # matching copies of a story folded into its hit (not in total)

    @property
    def partial(self) -> int:
        """Hits on this page holding only some of the query's words (not in total)."""
        return sum(not h.every_word for h in self.hits)


@dataclass(frozen=True, slots=True)
class ListResult:
    total: int
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Bucket:
    """A count of articles: for an outlet, a period."""

    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    outlets: tuple[Bucket, ...]  # most articles first
    months: tuple[Bucket, ...]  # oldest first, empty months included
    undated: int
    languages: tuple[Bucket, ...] = ()  # most articles first; articles of no known language are not counted


@dataclass(frozen=True, slots=True)
class Timeline:
    query: str
    by: str
    total: int
    undated: int
    periods: tuple[Bucket, ...]


@dataclass(frozen=True, slots=True)
class Related:
    article: Article
    terms: tuple[str, ...]  # the words that made the others related, as written
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    where: str  # a path, or path:line for one record of a multi-article file
    reason: str
    passing: bool = False  # a reason that can pass (no permission, too large): the next `newscli index` tries again


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ignored: int = 0  # files whose extension is not an article format
    missing: list[str] = field(default_factory=list)  # roots not found (an unmounted drive): their articles are kept
    seconds: float = 0.0
    interrupted: bool = False
    outlets: set[str] = field(default_factory=set)  # of the articles added or updated

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def add(self, other: IndexReport) -> None:
        """Counts what another report counted (a batch of this run, once committed)."""
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.skipped += other.skipped


@dataclass(slots=True)
class CheckReport:
    """What `newscli index --check` found: whether the index reads whole and agrees with the archive."""

    articles: int = 0  # in the index
    files: int = 0  # that the index holds articles of
    postings: int = 0  # entries of the index read to prove it readable
    problems: list[str] = field(default_factory=list)  # the index disagrees with its own record
    new: int = 0  # files of the archive not indexed yet
    changed: int = 0
    removed: int = 0

    @property
    def agrees(self) -> bool:
        return not (self.problems or self.new or self.changed or self.removed)
