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

import dataclasses
import logging
import shlex
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq

from . import validate
from .analysis import SudachiAnalysis
from .domain import resources
from .domain.columns import Column
from .domain.fields import COLUMN_VALUE, DEFAULT_FIELDS, column_field
from .domain.languages import Language
from .domain.lexicon import load_lexicon
from .errors import (
    DataError,
    EngineClosedError,
    GenerationGone,
    IndexLockedError,
    IndexMismatchError,
    IndexMissingError,
    InternalError,
    NotFoundError,
    SagashiError,
    UsageError,
)
from .index import storage
from .index.manifest import (
    built_from_bundled,
    columns_of,
    data_state,
    file_sha256,
    live_generation,
    rebuild_command,
    remembered_data,
)
from .index.schema import to_record
from .index.searcher import open_searcher
from .query import advice, rank
from .query.explain import describe, explain, related_only
from .query.filters import Condition, conditions, filter_query
from .query.highlight import Marks, indexed_spans, marks_for, match_spans, snippet
from .query.interpret import Interpreter
from .query.languages import load_languages
from .query.plan import Clause, Plan, make_plan
from .query.similar import key_terms, similar_query
from .query.syntax import field_key, normalize_query, parse, plain_text
from .results import (
    Advice,
    Filtered,
    FilterName,
    Form,
    Hit,
    Match,
    Project,
    Related,
    SearchResults,
    Understanding,
    Understood,
)
from .whoosh_ext import bulk

log = logging.getLogger("sagashi")
FACET_FIELDS = {"prefecture": "pref", "entity": "entity_code"}
_OPEN_RETRIES = 5


class Engine:
    """A search engine over one index folder.

    ``Engine()`` (or ``Engine.open()``) uses the default index (``SAGASHI_INDEX``
    if set, else the bundled one). It builds it when it is missing, from
    ``data`` or else the bundled data; and rebuilds it when the data file it
    was built from (which its manifest remembers) has changed, or when it was
    built with other settings, always from that file, read as it was read.
    An index built from another file is never rebuilt from the bundled data.
    If the remembered file is gone, the index answers as it is, with a note;
    if a rebuild fails on bad data, the old index answers, with the error as
    a note. With an explicit ``index_dir`` nothing is built behind your back:
    a missing index raises :class:`IndexMissingError`, other settings
    :class:`IndexMismatchError`, and changed data only warns. ``notify``
    receives one-line notes (default: the ``sagashi`` logger); ``lock_timeout``
    bounds the wait for another process's rebuild.
    """

    def __init__(self, index_dir: str | Path | None = None, *, data: str | Path | None = None,
                 auto_build: bool | None = None,
                 notify: Callable[[str], None] | None = None,
                 lock_timeout: float = 30.0) -> None:
        index_dir = validate.check_path("index_dir", index_dir)
        data = validate.check_path("data", data)
        if auto_build is not None and not isinstance(auto_build, bool):
            raise UsageError(f"auto_build must be True, False or None, "
                             f"got {validate.shown(auto_build)}")
        if notify is not None and not callable(notify):
            raise UsageError(f"notify must be a function, got {type(notify).__name__}")
        lock_timeout = validate.check_seconds("lock_timeout", lock_timeout)
        self.index_dir = Path(index_dir) if index_dir is not None else \
            resources.default_index_dir()
        storage.check_reachable(self.index_dir)
        self._default = index_dir is None
        self._data = Path(data) if data is not None else (
            resources.data_override() if self._default else None)
        self._auto_build = self._default if auto_build is None else auto_build
        self._notify = notify or log.warning
        self._lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._analysis = SudachiAnalysis()
        self._ix: Any = None  # Whoosh's index and searcher of the live generation
        self._searcher: Any = None
        self._generation: str | None = None
        self._columns: tuple[Column, ...] = ()  # the index's kept columns
        self._fields: dict[str, str] = {}  # their headers (as parse folds them) -> fields
        self._closed = False
        self._open()
        self._interpreter = Interpreter(self._analysis, load_lexicon(self._analysis),
                                        self._known, load_languages(self._analysis))

    @classmethod
    def open(cls, index_dir: str | Path | None = None, **kwargs) -> Engine:
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

    def __enter__(self) -> Engine:
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

    @property
    def columns(self) -> tuple[Column, ...]:
        """The index's kept columns (those of its data file that play no
        role): searchable as ``header:value``, filterable, some counted in
        facets."""
        return self._columns

    def refresh(self) -> str | None:
        """Switch to the live generation if a reindex swapped one in since
        the last call (searches do this themselves), and return its name: a
        key under which answers may be kept until the index changes."""
        with self._lock:
            self._check()
            return self._generation

    def _open(self) -> None:
        root = self.index_dir
        rebuilt = False  # at most one automatic (re)build per open
        for _ in range(_OPEN_RETRIES):
            try:
                live, manifest = live_generation(root)
            except GenerationGone:
                continue  # swapped and collected between two reads: look again
            except (IndexMissingError, IndexMismatchError) as e:
                if not self._auto_build or rebuilt:
                    raise
                rebuilt = True
                self._build_instead(e)
                continue
            if not rebuilt:
                rebuilt = self._check_data(manifest)
                if rebuilt:
                    continue
            try:
                ix, searcher = open_searcher(live)
            except (FileNotFoundError, whoosh_index.EmptyIndexError):
                continue  # a writer swapped generations under us: look again
            old = self._searcher
            self._ix, self._searcher, self._generation = ix, searcher, live.name
            self._columns = columns_of(manifest)
            self._fields = {field_key(c.header): column_field(c.header) for c in self._columns}
            if old is not None:
                old.close()
            return
        raise IndexMissingError(f"could not open the index at {root}",
                                "try again; if it persists, rebuild with: sagashi index build")

    def _build_instead(self, error: IndexMissingError | IndexMismatchError) -> None:
        """Build a missing index (from the engine's data, else, for the
        default index, the default data), or rebuild one built with other
        settings from the file it remembers; raise ``error`` when there is
        nothing to build from."""
        root = self.index_dir
        if isinstance(error, IndexMissingError):
            if self._data is None and not self._default:
                raise error
            shown = self._data or resources.default_data_path()
            self._rebuild(f"the index at {root} is missing; building it from {shown}",
                          self._data, fallback=False)
            return
        remembered = remembered_data(root)
        if remembered is None:
            raise error
        path = _remembered_path(remembered)
        if not path.is_file():
            raise IndexMismatchError(f"{error.message}; the data file it was built from, "
                                     f"{path}, is no longer there", error.hint)
        self._rebuild(f"the index at {root} was built with other settings; rebuilding it "
                      f"from {path}", None, fallback=False)

    def _check_data(self, manifest: dict) -> bool:
        """Compare the data file the index remembers with the file as it is
        now: rebuild from it when it changed (if this engine builds its own
        index), note it when it is gone. Returns whether it rebuilt."""
        root, data = self.index_dir, manifest.get("data") or {}
        state = data_state(manifest)
        path = _remembered_path(data) if data.get("path") else None
        if state == "gone" and built_from_bundled(data) and path is not None and path.is_file():
            # the bundled corpus, found elsewhere (the checkout moved): compare contents
            state = "changed" if file_sha256(path) != data.get("sha256") else "unchanged"
        if state == "gone":
            self._notify(f"the data file the index at {root} was built from, {path}, is "
                         "no longer there (moved or deleted); answering from the index as "
                         "it is (to rebuild it: sagashi index build --data FILE --index "
                         f"{shlex.quote(str(root))})")
        elif state == "changed":
            if self._auto_build and path is not None:
                return self._rebuild(f"{path} changed since the index was built; rebuilding it",
                                     None, fallback=True)
            self._notify(f"{path} changed since the index at {root} was built; reindex with: "
                         f"{rebuild_command(root, data)}")
        if self._data is not None and path is not None and \
                self._data.resolve() != Path(path).resolve():
            self._notify(f"the index at {root} was built from {path}, not from {self._data}; "
                         f"to build it from that: sagashi index build --data "
                         f"{shlex.quote(str(self._data))} --index {shlex.quote(str(root))}")
        return False

    def _rebuild(self, note: str, data: Path | None, fallback: bool) -> bool:
        """(Re)build the index from ``data``, or without it as
        :func:`~sagashi.index.build.build_index` does: from the file the index
        remembers, read the same way (the bundled corpus wherever the package
        now is, if it was that), else from the default data. If another
        process holds the write lock (it is rebuilding already), keep serving
        the complete index that exists, if any. With ``fallback``, a file that
        cannot be read (bad data) leaves the old index answering, with the
        error as a note. Returns whether a new index was built."""
        from .index.build import build_index  # only when building: keeps start-up light
        self._notify(note)
        try:
            build_index(data, self.index_dir, lock_timeout=self._lock_timeout)
        except IndexLockedError:
            if storage.current_generation(self.index_dir) is None:
                raise
            self._notify("another process is rebuilding it; using the existing index meanwhile")
            return False
        except (DataError, UsageError) as e:
            if not fallback:
                raise
            self._notify(f"warning: could not rebuild the index at {self.index_dir}: {e.message}"
                         f"{f' ({e.hint})' if e.hint else ''}; answering from the index as it "
                         "was")
            return False
        return True

    def _check(self):
        if self._closed:
            raise EngineClosedError("this engine is closed",
                                    "open a new one with Engine.open(...)")
        live: str | None
        try:
            live = (self.index_dir / storage.CURRENT).read_text(encoding="utf-8").strip()
        except OSError:
            live = self._generation
        if live != self._generation:
            self._open()
        return self._searcher

    # -- queries -----------------------------------------------------------

    def search(self, query: str, limit: int = 10, *, pref: str | None = None,
               entity: str | None = None, filters: Mapping[str, Any] | None = None,
               explain: bool = False, facets: bool = False, offset: int = 0,
               language: str | None = None) -> SearchResults:
        """The best-matching projects for a free-text query.

        ``pref`` / ``entity`` filter by prefecture (or region, or city; in
        kanji, kana, romaji or English) and legal entity type; ``filters``
        by kept columns: ``{"年度": 2024, "助成額": ">=1000000"}`` (a value
        equals the column's whole value; numeric columns also take ``>=``,
        ``<=``, ``>``, ``<``; a list of conditions all hold). ``facets`` adds
        counts by prefecture, entity type and each kept column with few
        values; ``explain`` records which terms matched where, and why.
        ``offset`` skips that many of the best hits (a page further down:
        ``total`` and the facets still count every match). ``language``
        (``vi``, ``pt``, ``zh`` ...) says what the query is written in; by
        default it is detected, and the results say which it was.
        """
        validate.check_query(query)
        limit = validate.check_limit(limit)
        offset = validate.check_offset(offset)
        validate.check_text("pref", pref, "東京都")
        validate.check_text("entity", entity, "特非")
        wanted = conditions(filters)
        language = validate.check_language(language)
        with self._lock:
            searcher = self._check()
            filter_q = filter_query(pref, entity, wanted, self._columns, searcher.reader())
            with _reported(query), bulk.memoized():  # ranking and hits score the same clauses
                plan = self._plan(searcher, query, language)
                if plan.empty:
                    return SearchResults(query, 0, (), {}, (), plan.language)
                result = rank.run(searcher, plan, offset + limit, filter_q)
                hits = self._hits(searcher, plan, result.ranked[offset:], explain)
                counts = self._facets(searcher, result) if facets else {}
                advice = self._advice(searcher, plan, pref, entity, wanted, result.total > 0)
            return SearchResults(query, result.total, tuple(hits), counts,
                                 tuple(describe(c) for c in plan.clauses), plan.language,
                                 plan.unmatched, advice)

    def _advice(self, searcher, plan: Plan, pref: str | None, entity: str | None,
                wanted: list[Condition], found: bool) -> Advice:
        """What to try instead (:mod:`sagashi.query.advice`): other spellings
        of words no record holds, and for a query that ``found`` nothing, the
        filters that left everything out and words too common alone."""
        if found and not plan.unmatched:
            return Advice()
        reader = searcher.reader()
        given: list[tuple[FilterName, str]] = []  # the filters, as named and given
        if pref:
            given.append(("pref", pref))
        if entity:
            given.append(("entity", entity))
        given += [("filter", str(c)) for c in wanted]

        def total(p: Plan, dropped: Sequence[tuple[FilterName, str]] = ()) -> int:
            """How many records ``p`` finds, with the filters but ``dropped``."""
            kept = [g for g in given if g not in dropped]
            q = filter_query(pref if ("pref", pref) in kept else None,
                             entity if ("entity", entity) in kept else None,
                             [c for c in wanted if ("filter", str(c)) in kept],
                             self._columns, reader)
            return rank.run(searcher, p, 1, q).total

        filtered: list[Filtered] = []
        unexcluded = dataclasses.replace(plan, exclusions=())
        if not found and (given or plan.exclusions) and total(unexcluded, given):
            # each filter that alone leaves out everything, else all of them
            filtered = [Filtered(name, value, n) for name, value in given
                        if (n := total(plan, [(name, value)]))]
            if plan.exclusions and (n := total(unexcluded)):
                filtered += [Filtered("exclude", f"-{c.label}", n) for c in plan.exclusions]
            if not filtered:
                n = total(unexcluded, given)
                filtered = [Filtered(name, value, n) for name, value in given]
                filtered += [Filtered("exclude", f"-{c.label}", n) for c in plan.exclusions]

        def finds(text: str) -> bool:
            """Whether ``text`` finds something: a plain query whose every
            word some record holds does (the best of them at least), which
            planning alone shows; others are run."""
            other = self._plan(searcher, text, plan.language)
            if other.empty or other.unmatched:
                return False
            if other.strict is None and not any(c.required for c in other.clauses) and not given:
                return True
            return total(other) > 0

        common = () if found else advice.too_common(plan, rank.without_unmatched(plan))
        return Advice(advice.did_you_mean(searcher, self._analysis, plan, finds),
                      tuple(filtered), common)

    def understand(self, query: str, language: str | None = None) -> Understanding:
        """How ``query`` is understood: the language it is read in, the
        concepts it asks for, each with the forms (words, readings, synonyms,
        translations ...) that count as finding it; what it excludes; whether
        it runs as written."""
        validate.check_query(query)
        language = validate.check_language(language)
        with self._lock:
            searcher = self._check()
            with _reported(query):
                plan = self._plan(searcher, query, language)
                return Understanding(query, tuple(_understood(c) for c in plan.clauses),
                                     tuple(_understood(c) for c in plan.exclusions),
                                     plan.strict is not None, plan.language)

    def language(self, query: str) -> Language:
        """The language ``query`` is read in when none is given: ``ja``,
        or one of the glossary languages (``vi``, ``pt``, ``zh`` ...)."""
        validate.check_query(query)
        with self._lock:
            self._check()
            with _reported(query):
                return self._interpreter.detect(plain_text(parse(query)))

    def get(self, no: int) -> Project:
        """One project in full, by its No."""
        no = validate.check_no(no)
        with self._lock:
            searcher = self._check()
            fields = searcher.stored_fields(_docnum(searcher, no))
            record = to_record(fields)
            return Project(**{**record.as_dict(), "extra": self._extra(record.extra)},
                           prefecture=fields.get("pref", ""))

    def similar(self, no: int, limit: int = 10) -> SearchResults:
        """The projects most like project ``no``: its most distinctive words
        (by tf-idf over title and summary), searched for in the others."""
        no = validate.check_no(no)
        limit = validate.check_limit(limit)
        with self._lock:
            searcher = self._check()
            fields = searcher.stored_fields(_docnum(searcher, no))
            terms = key_terms(self._analysis, searcher.reader(), fields)
            if not terms:
                return SearchResults(f"No {no}", 0, (), {}, ())
            results = searcher.search(similar_query(terms), limit=limit,
                                      mask=wq.Term("no", str(no)))
            marks = Marks(words=frozenset(t for t, _ in terms))
            hits = [self._hit(searcher, h.docnum, h.score, 0, 0, marks, ()) for h in results]
            return SearchResults(f"No {no}", len(results), tuple(hits), {},
                                 tuple(t for t, _ in terms))

    # -- helpers -----------------------------------------------------------

    def _known(self, term: str) -> bool:
        reader = self._searcher.reader()
        return any(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS)

    def _plan(self, searcher, query: str, language: Language | None = None) -> Plan:
        return make_plan(parse(query, self._fields), self._interpreter, searcher.reader(),
                         language, normalize_query(query))

    def _extra(self, stored: dict | None) -> dict[str, str]:
        """A record's kept columns, every column of the index in order
        ("" where it has no value)."""
        stored = stored or {}
        out = {c.header: stored.get(c.header, "") for c in self._columns}
        out.update((h, v) for h, v in stored.items() if h not in out)
        return out

    def _hits(self, searcher, plan: Plan, ranked: rank.Ranked,
              explain_hits: bool) -> list[Hit]:
        marks = marks_for(plan)
        n = len(plan.clauses)
        related = related_only(searcher, plan, [d for d, _, _ in ranked])
        return [self._hit(searcher, d, s, m, n, marks,
                          self._named(explain(searcher, plan, d, self._analysis))
                          if explain_hits else (), related[d])
                for d, s, m in ranked]

    def _named(self, matches: tuple[Match, ...]) -> tuple[Match, ...]:
        """Matches in kept columns named by their headers, not their fields."""
        headers = {column_field(c.header): c.header for c in self._columns}
        return tuple(dataclasses.replace(m, field=headers[m.field]) if m.field in headers
                     else m for m in matches)

    def _hit(self, searcher, docnum: int, score: float, matched: int, n: int, marks: Marks,
             explained: tuple[Match, ...], related: tuple[Related, ...] = ()) -> Hit:
        f = searcher.stored_fields(docnum)
        summary, title = f.get("summary", ""), f.get("title", "")
        snip = snippet(summary, self._analysis, marks, "summary",
                       spans=indexed_spans(searcher, docnum, "summary", marks))
        found = indexed_spans(searcher, docnum, "title", marks)
        if found is None:  # a segment without a forward index: analyse the title again
            found = match_spans(title, self._analysis, marks) if marks else []
        title_spans = tuple(found)
        if not snip.spans and title_spans:
            snip = snippet(title, self._analysis, marks, "title", spans=list(title_spans))
        return Hit(no=int(f["no"]), score=float(score), organization=f.get("organization", ""),
                   title=title, location=f.get("location", ""), entity=f.get("entity_raw", ""),
                   summary=summary, prefecture=f.get("pref", ""), snippet=snip,
                   matched=matched, concepts=n, explain=explained, related_only=related,
                   title_spans=title_spans, extra=self._extra(f.get("extra")))

    def _facets(self, searcher, result: rank.Ranking) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        kept = {c.header: column_field(c.header, COLUMN_VALUE) for c in self._columns
                if c.facet and c.header not in FACET_FIELDS}
        for name, field in {**FACET_FIELDS, **kept}.items():
            groups = bulk.value_counts(searcher, field, result.docnums)
            counts[name] = {k or "(unknown)": v for k, v in
                            sorted(groups.items(), key=lambda kv: (-kv[1], kv[0] or ""))}
        return counts


def _remembered_path(data: dict) -> Path:
    """The data file a manifest remembers (the bundled corpus, wherever the
    package is now, if it was that)."""
    if built_from_bundled(data):
        return resources.bundled_data_path()
    return Path(data["path"])


def _docnum(searcher, no: int) -> int:
    docnum = searcher.document_number(no=str(no))
    if docnum is None:
        raise NotFoundError(f"no project with No {no}", "find numbers with: sagashi search QUERY")
    return docnum


def _understood(clause: Clause) -> Understood:
    concept = clause.concept
    parts = tuple(_understood(p) for p in clause.parts)
    if concept is None:
        return Understood(clause.label, (), clause.required, clause.known, parts=parts)
    forms = tuple(Form(a.terms, a.label, a.weight) for a in concept.alternatives)
    return Understood(clause.label, forms, clause.required, clause.known, concept.language,
                      concept.translated, parts)


@contextmanager
def _reported(query: str) -> Iterator[None]:
    """Turn an unexpected exception while answering ``query`` into an
    :class:`InternalError` (exit status 1) that names the query, so that a
    bug is reported as a bug, not as the user's mistake."""
    try:
        yield
    except SagashiError:
        raise
    except Exception as e:
        raise InternalError(f"could not run the query {query[:40]!r}: {type(e).__name__}: {e}",
                            "this is a bug in sagashi: please report it with this query") from e
