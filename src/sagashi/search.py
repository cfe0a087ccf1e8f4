"""The search engine object: open an index, answer queries, show projects.

>>> from sagashi import Engine
>>> with Engine.open() as engine:                        # doctest: +SKIP
...     results = engine.search("在留資格のない外国人の医療")
...     print(results[0].no, results[0].organization)
5 北関東医療相談会

An :class:`Engine` keeps its Whoosh searcher and the Sudachi dictionary
alive between queries, and notices when a reindex has swapped in a new
generation. Results are plain frozen dataclasses built inside the searcher's
``with`` block; no Whoosh object escapes.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting

from . import ranking, storage
from .analysis import READING_PREFIX, SudachiAnalysis
from .errors import (EngineClosedError, IndexMismatchError, IndexMissingError, QueryError,
                     SagashiError, UsageError)
from .highlight import Marks, snippet
from .indexing import build_index
from .interpret import Interpreter
from .lexicon import load_lexicon
from .manifest import check_compatible, data_changed, index_settings, read_manifest
from .query_syntax import MAX_QUERY_CHARS, parse
from .resources import default_data_path, default_index_dir
from .results import Hit, Match, Project, SearchResults
from .schema import DEFAULT_FIELDS, TEXT_FIELDS, to_record
from .scoring import BlendedBM25F

log = logging.getLogger("sagashi")
WEIGHTING = BlendedBM25F(tuple(TEXT_FIELDS))
MAX_LIMIT = 1000
FACET_FIELDS = {"prefecture": "pref", "entity": "entity_code"}
_OPEN_RETRIES = 5


class Engine:
    """A search engine over one index folder.

    ``Engine()`` (or ``Engine.open()``) uses the bundled index, building it
    from the bundled data when it is missing, stale or built with other
    settings. With an explicit ``index_dir`` nothing is built behind your
    back: a missing index raises :class:`IndexMissingError`, other settings
    :class:`IndexMismatchError`, and changed data only warns. ``notify``
    receives one-line notes (default: the ``sagashi`` logger).
    """

    def __init__(self, index_dir: str | Path | None = None, *, data: str | Path | None = None,
                 auto_build: bool | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        if index_dir is not None and not isinstance(index_dir, (str, Path)):
            raise UsageError(f"index_dir must be a path, got {type(index_dir).__name__}")
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        self._default = index_dir is None
        self._data = Path(data) if data is not None else (
            default_data_path() if self._default else None)
        self._auto_build = self._default if auto_build is None else auto_build
        self._notify = notify or log.warning
        self._lock = threading.RLock()
        self._analysis = SudachiAnalysis()
        self._ix = self._searcher = None
        self._generation: str | None = None
        self._closed = False
        self._open()
        self._interpreter = Interpreter(self._analysis, load_lexicon(self._analysis),
                                        self._known)

    @classmethod
    def open(cls, index_dir: str | Path | None = None, **kwargs) -> "Engine":
        """Open an engine (same arguments as the constructor)."""
        return cls(index_dir, **kwargs)

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        """Release the index. Using the engine afterwards raises
        :class:`EngineClosedError`."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._ix = self._searcher = None
            self._closed = True

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else self._generation
        return f"Engine({str(self.index_dir)!r}, {state})"

    @property
    def generation(self) -> str | None:
        """The name of the index generation in use."""
        return self._generation

    def _open(self) -> None:
        root = self.index_dir
        for attempt in range(_OPEN_RETRIES):
            try:
                storage.check_trusted(root)
                live = storage.current_generation(root)
                if live is None:
                    raise IndexMissingError(f"no index at {root}",
                                            f"build it with: sagashi index build --index {root}")
                manifest = read_manifest(live)
                check_compatible(manifest, index_settings(), root)
            except (IndexMissingError, IndexMismatchError) as e:
                if not self._auto_build or self._data is None or attempt:
                    raise
                why = "missing" if isinstance(e, IndexMissingError) else "built with other settings"
                self._rebuild(f"the index at {root} is {why}; building it from {self._data}")
                continue
            if data_changed(manifest):
                if self._auto_build and self._data is not None and attempt == 0:
                    self._rebuild(f"{manifest['data']['path']} changed since the index was "
                                  "built; rebuilding it")
                    continue
                self._notify(f"{manifest['data']['path']} changed since the index at {root} was "
                             f"built; reindex with: sagashi index build --index {root}")
            try:
                ix = whoosh_index.open_dir(str(live))
                searcher = ix.searcher(weighting=WEIGHTING)
            except FileNotFoundError:  # a writer swapped generations under us: retry
                continue
            old = self._searcher
            self._ix, self._searcher, self._generation = ix, searcher, live.name
            if old is not None:
                old.close()
            return
        raise IndexMissingError(f"could not open the index at {root}",
                                "try again; if it persists, rebuild with: sagashi index build")

    def _rebuild(self, note: str) -> None:
        self._notify(note)
        build_index(self._data, self.index_dir)

    def _check(self):
        if self._closed:
            raise EngineClosedError("this engine is closed",
                                    "open a new one with Engine.open(...)")
        try:
            live = (self.index_dir / storage.CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            live = self._generation
        if live != self._generation:
            self._open()
        return self._searcher

    # -- queries -----------------------------------------------------------

    def search(self, query: str, limit: int = 10, *, pref: str | None = None,
               entity: str | None = None, explain: bool = False,
               facets: bool = False) -> SearchResults:
        """The best-matching projects for a free-text query.

        ``pref`` / ``entity`` filter by prefecture (or region) and legal
        entity type; ``facets`` adds counts by prefecture and entity type;
        ``explain`` records which terms matched where, and why.
        """
        _check_query(query)
        limit = _check_limit(limit)
        for name, value in (("pref", pref), ("entity", entity)):
            if value is not None and not isinstance(value, str):
                raise UsageError(f"{name} must be text, got {type(value).__name__}")
        with self._lock:
            searcher = self._check()
            node = parse(query)
            try:
                plan = ranking.plan(node, self._interpreter, searcher.reader())
                filter_q = ranking.filter_query(pref, entity)
                if plan.empty:
                    return SearchResults(query, 0, (), {}, ())
                grouped = ({name: sorting.FieldFacet(field, maptype=sorting.Count)
                            for name, field in FACET_FIELDS.items()} if facets else None)
                result = ranking.run(searcher, plan, limit, filter_q, grouped)
                hits = self._hits(searcher, plan, result.ranked, explain)
                counts = self._facets(searcher, result) if facets else {}
            except SagashiError:
                raise
            except Exception as e:  # a bug, reported as our own error with the query
                raise QueryError(f"could not run the query {query[:40]!r}: {e}",
                                 "please report this query") from e
            return SearchResults(query, result.total, tuple(hits), counts,
                                 tuple(_describe(c) for c in plan.clauses))

    def get(self, no: int) -> Project:
        """One project in full, by its No."""
        no = _check_no(no)
        with self._lock:
            searcher = self._check()
            fields = searcher.document(no=str(no))
            if fields is None:
                raise UsageError(f"no project with No {no}",
                                 "find numbers with: sagashi search QUERY")
            r = to_record(fields)
            return Project(r.no, r.entity, r.organization, r.location, r.title, r.summary,
                           fields.get("pref", ""))

    def similar(self, no: int, limit: int = 10) -> SearchResults:
        """The projects most like project ``no``: its most distinctive words
        (by tf-idf over title and summary), searched for in the others."""
        no = _check_no(no)
        limit = _check_limit(limit)
        with self._lock:
            searcher = self._check()
            docnum = searcher.document_number(no=str(no))
            if docnum is None:
                raise UsageError(f"no project with No {no}",
                                 "find numbers with: sagashi search QUERY")
            fields = searcher.stored_fields(docnum)
            terms = self._key_terms(searcher, fields)
            if not terms:
                return SearchResults(f"No {no}", 0, (), {}, ())
            subs = [wq.Term(f, t, boost=w * TEXT_FIELDS[f])
                    for t, w in terms for f in ("title", "summary", "organization")]
            results = searcher.search(wq.Or(subs), limit=limit,
                                      mask=wq.Term("no", str(no)))
            ranked = [(h.docnum, h.score, 0) for h in results]
            marks = Marks(words=frozenset(t for t, _ in terms))
            hits = [self._hit(searcher, d, s, m, 0, marks, ()) for d, s, m in ranked]
            return SearchResults(f"No {no}", len(results), tuple(hits), {},
                                 tuple(t for t, _ in terms))

    # -- helpers -----------------------------------------------------------

    def _known(self, term: str) -> bool:
        reader = self._searcher.reader()
        return any(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS)

    def _hits(self, searcher, plan, ranked, explain: bool) -> list[Hit]:
        marks = _marks(plan)
        n = len(plan.clauses)
        return [self._hit(searcher, d, s, m, n, marks,
                          _explain(searcher, plan, d) if explain else ())
                for d, s, m in ranked]

    def _hit(self, searcher, docnum, score, matched, n, marks, explained) -> Hit:
        f = searcher.stored_fields(docnum)
        summary, title = f.get("summary", ""), f.get("title", "")
        snip = snippet(summary, self._analysis, marks, "summary")
        if not snip.spans and marks:
            title_snip = snippet(title, self._analysis, marks, "title")
            if title_snip.spans:
                snip = title_snip
        return Hit(no=int(f["no"]), score=float(score), organization=f.get("organization", ""),
                   title=title, location=f.get("location", ""), entity=f.get("entity_raw", ""),
                   summary=summary, prefecture=f.get("pref", ""), snippet=snip,
                   matched=matched, concepts=n, explain=explained)

    def _facets(self, searcher, result) -> dict:
        counts: dict[str, dict[str, int]] = {}
        for name, field in FACET_FIELDS.items():
            groups = dict(result.strict_results.groups(name))
            for d in result.extra_docnums:
                value = searcher.stored_fields(d).get(field, "")
                groups[value] = groups.get(value, 0) + 1
            counts[name] = {k or "(unknown)": v for k, v in
                            sorted(groups.items(), key=lambda kv: (-kv[1], kv[0] or ""))}
        return counts

    def _key_terms(self, searcher, fields, count: int = 12) -> list[tuple[str, float]]:
        import math
        reader = searcher.reader()
        n = max(reader.doc_count(), 1)
        tf: dict[str, int] = {}
        for name in ("title", "summary"):
            for unit in self._analysis.units(fields.get(name, "")):
                if (not unit.stopped and len(unit.text) > 1 and unit.pos[0] == "名詞"
                        and unit.pos[1] not in ("数詞", "代名詞")):
                    tf[unit.text] = tf.get(unit.text, 0) + 1
        scored = []
        for term, freq in tf.items():
            df = max(reader.doc_frequency("summary", term), reader.doc_frequency("title", term))
            if 1 < n and df >= n:  # in every document: says nothing
                continue
            scored.append((term, freq * math.log(1 + n / (1 + df))))
        scored.sort(key=lambda x: -x[1])
        return scored[:count]


def _marks(plan) -> Marks:
    words, readings, groups, phrases = set(), set(), set(), set()
    for clause in plan.clauses:
        if clause.concept is None:
            continue
        for alt in clause.concept.alternatives:
            if alt.kind == "words" and len(alt.terms) > 1:
                phrases.add(alt.terms)
            elif alt.kind == "words":
                words.update(alt.terms)
            elif alt.kind == "term":
                for t in alt.terms:
                    (readings if t.startswith(READING_PREFIX) else groups).add(t)
    return Marks(frozenset(words), frozenset(readings), frozenset(groups), frozenset(phrases))


def _explain(searcher, plan, docnum) -> tuple[Match, ...]:
    out = []
    for clause in plan.clauses:
        concept = clause.concept
        if concept is None:
            if ranking.matching(searcher, clause.query, [docnum]):
                out.append(Match(clause.label, "*", clause.label, "query"))
            continue
        for alt in concept.alternatives:
            for field in _alt_fields(alt, concept.fields):
                q = ranking.alternative_query(alt, (field,) if field in TEXT_FIELDS else None)
                if ranking.matching(searcher, q, [docnum]):
                    out.append(Match(concept.label, field, " ".join(alt.terms), alt.source))
    return tuple(out)


def _alt_fields(alt, fields):
    if alt.kind == "pref":
        return ("pref",)
    if alt.kind == "entity":
        return ("entity_code",)
    return fields or DEFAULT_FIELDS


def _describe(clause) -> str:
    concept = clause.concept
    if concept is None:
        return clause.label
    alts = ", ".join(f"{' '.join(a.terms)} ({a.source} {a.weight:g})"
                     for a in concept.alternatives)
    return f"{concept.label}: {alts}"


def _check_query(query) -> None:
    if not isinstance(query, str):
        raise UsageError(f"query must be text, got {type(query).__name__}")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}",
                         "shorten the query to its key words")
    if not query.strip():
        raise QueryError("empty query", "type some words to search for")


def _check_limit(limit) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise UsageError(f"limit must be a whole number, got {limit!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def _check_no(no) -> int:
    if isinstance(no, bool) or not isinstance(no, int):
        raise UsageError(f"a project number is a whole number, got {no!r}")
    return no
