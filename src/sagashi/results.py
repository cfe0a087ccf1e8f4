"""What the library hands out: small frozen dataclasses, never Whoosh objects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .domain.languages import Language
from .domain.records import Record

#: A JSON object, as ``to_json`` writes one (``sagashi search --json``, the
#: web API): its values are text, numbers, lists and objects.
JsonObject = dict[str, Any]
#: What a :class:`Filtered` names: ``--pref``, ``--entity``, a ``--filter``
#: on a kept column, or an exclusion (``-x``, ``NOT x``).
FilterName = Literal["pref", "entity", "filter", "exclude"]


@dataclass(frozen=True)
class Snippet:
    """A piece of a field's text with the matched spans, as ``(start, end)``
    offsets into ``text``. The caller decides how to show them."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()
    field: str = "summary"

    def marked(self, before: str = "[", after: str = "]") -> str:
        """The text with each span wrapped in ``before``/``after``.

        >>> Snippet("難民の支援", ((0, 2),)).marked()
        '[難民]の支援'
        """
        out, last = [], 0
        for start, end in self.spans:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass(frozen=True)
class Match:
    """For ``explain``: a form of a query word that matched, where, and why
    it was searched. ``term`` is what the record holds there, as written in
    it (子ども for the synonym group of 児童); ``source`` the mechanism's key
    (``sudachi synonym``), ``how`` the same in words; ``form`` the index term
    searched (``#16008``, ``~コベ``)."""

    concept: str
    field: str
    term: str
    source: str
    form: str = ""
    how: str = ""


@dataclass(frozen=True)
class Related:
    """A word of the query that a hit matched only through weak relations
    (ボランティア -> 支援者): the word as typed and the related words found."""

    concept: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """One matching project."""

    no: int
    score: float
    organization: str
    title: str
    location: str
    entity: str
    summary: str
    prefecture: str
    snippet: Snippet
    matched: int = 0  # how many of the query's concepts it matched
    concepts: int = 0  # how many concepts the query had
    explain: tuple[Match, ...] = ()
    #: The query's words this hit matched only through related words. When
    #: they are all it matched, it ranks below every hit found directly.
    related_only: tuple[Related, ...] = ()
    #: ``(start, end)`` offsets of the matches inside ``title``.
    title_spans: tuple[tuple[int, int], ...] = ()
    #: The data file's other columns, ``{header: value}`` in file order.
    extra: dict[str, str] = field(default_factory=dict, hash=False)

    def to_json(self, explain: bool = False) -> JsonObject:
        """The hit as ``sagashi search --json`` writes it."""
        out: JsonObject = {
            "no": self.no, "score": round(self.score, 4), "organization": self.organization,
            "title": self.title, "location": self.location, "entity": self.entity,
            "title_spans": [list(s) for s in self.title_spans],
            "snippet": self.snippet.text, "spans": [list(s) for s in self.snippet.spans],
            "extra": dict(self.extra)}
        if self.related_only:
            out["related_only"] = [{"concept": r.concept, "words": list(r.words)}
                                   for r in self.related_only]
        if explain:
            out["matched"] = f"{self.matched}/{self.concepts}"
            out["explain"] = [asdict(m) for m in self.explain]
        return out


@dataclass(frozen=True)
class Filtered:
    """A filter that left out every record a query's words find: ``name``
    is ``pref``, ``entity``, ``filter`` (a kept column's condition) or
    ``exclude`` (a ``-x`` or ``NOT x``), ``value`` the filter as given,
    ``results`` how many it left out."""

    name: FilterName
    value: str
    results: int


@dataclass(frozen=True)
class Advice:
    """What to try instead: queries spelt as the index spells them that
    find something, when a word matched nothing (``did_you_mean``); and when
    nothing was found, the filters that left out every match
    (``filtered_out``) and the known words of a query that were too common
    to search on alone (``too_common``)."""

    did_you_mean: tuple[str, ...] = ()
    filtered_out: tuple[Filtered, ...] = ()
    too_common: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.did_you_mean or self.filtered_out or self.too_common)

    def to_json(self) -> JsonObject:
        """The non-empty fields, as ``sagashi search --json`` writes them."""
        out: JsonObject = {}
        if self.did_you_mean:
            out["did_you_mean"] = list(self.did_you_mean)
        if self.filtered_out:
            out["filtered_out"] = [asdict(f) for f in self.filtered_out]
        if self.too_common:
            out["too_common"] = list(self.too_common)
        return out


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query. Iterating gives the hits in rank order."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    interpretation: tuple[str, ...] = ()
    language: Language = "ja"  # what the query was read as (ja, en, vi, pt, zh ...)
    #: Words of the query that no record contains (as typed); the hits are
    #: what the other words find.
    unmatched: tuple[str, ...] = ()
    #: What to try instead, when a word matched nothing or nothing was found.
    advice: Advice = field(default_factory=Advice)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def to_json(self, explain: bool = False) -> JsonObject:
        out: JsonObject = {
            "query": self.query, "language": self.language, "total": self.total,
            "hits": [h.to_json(explain) for h in self.hits],
            "unmatched": list(self.unmatched), **self.advice.to_json()}
        if self.facets:
            out["facets"] = self.facets
        if explain:
            out["interpretation"] = list(self.interpretation)
        return out


@dataclass(frozen=True)
class Form:
    """One form a concept of a query is looked for in: its terms, the
    mechanism that produced it (``literal``, ``reading``, ``glossary`` ...)
    and its weight relative to the word as typed."""

    terms: tuple[str, ...]
    source: str
    weight: float


@dataclass(frozen=True)
class Understood:
    """One thing a query asks for: ``label`` as typed, the forms that count
    as finding it; ``required`` for quoted phrases and field:value (never
    relaxed); ``known`` when some record holds one of its forms. Words of
    another language carry their ``language`` and the Japanese they were
    ``translated`` to (lớp học -> 教室, vi). A bracketed group
    (``(女性 OR シェルター)``) is one required item, its words in ``parts``."""

    label: str
    forms: tuple[Form, ...]
    required: bool = False
    known: bool = True
    language: Language | None = None
    translated: tuple[str, ...] = ()
    parts: tuple[Understood, ...] = ()  # the words of a bracketed group


@dataclass(frozen=True)
class Understanding:
    """How a query was understood (:meth:`sagashi.Engine.understand`): what
    it asks for, what it excludes, and whether it runs as written (explicit
    AND / OR) rather than with relaxed matching."""

    query: str
    concepts: tuple[Understood, ...]
    excluded: tuple[Understood, ...] = ()
    strict: bool = False
    language: Language = "ja"

    @property
    def labels(self) -> list[str]:
        """What the query asks for, as typed, one entry per concept."""
        return [c.label for c in self.concepts]


@dataclass(frozen=True)
class Project(Record):
    """One project in full, as ``sagashi show`` prints it: the record's
    columns (its kept columns in ``extra``, every column of the index, ""
    where it has no value) and its derived prefecture."""

    prefecture: str = ""

    def to_json(self) -> JsonObject:
        return asdict(self)
