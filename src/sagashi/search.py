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
import operator
import os
import stat
import threading
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import query as wq

from . import bulk, postings, ranking, storage
from .analysis import READING_PREFIX, SudachiAnalysis
from .errors import (EngineClosedError, IndexLockedError, IndexMismatchError, IndexMissingError,
                     QueryError, SagashiError, UsageError)
from .highlight import Marks, snippet
from .interpret import Interpreter
from .lexicon import load_lexicon
from .manifest import GenerationGone, data_changed, live_generation
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
    receives one-line notes (default: the ``sagashi`` logger); ``lock_timeout``
    bounds the wait for another process's rebuild.
    """

    def __init__(self, index_dir: str | Path | None = None, *, data: str | Path | None = None,
                 auto_build: bool | None = None,
                 notify: Callable[[str], None] | None = None,
                 lock_timeout: float = 30.0) -> None:
        index_dir, data = _check_path("index_dir", index_dir), _check_path("data", data)
        if auto_build is not None and not isinstance(auto_build, bool):
            raise UsageError(f"auto_build must be True, False or None, got {_shown(auto_build)}")
        if notify is not None and not callable(notify):
            raise UsageError(f"notify must be a function, got {type(notify).__name__}")
        if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) \
                or not 0 <= lock_timeout < float("inf"):  # nan and inf would wait forever
            raise UsageError(f"lock_timeout must be a number of seconds, got "
                             f"{_shown(lock_timeout)}", "for example lock_timeout=30")
        self.index_dir = Path(index_dir) if index_dir is not None else default_index_dir()
        _check_index_dir(self.index_dir)
        self._default = index_dir is None
        self._data = Path(data) if data is not None else (
            default_data_path() if self._default else None)
        self._auto_build = self._default if auto_build is None else auto_build
        self._notify = notify or log.warning
        self._lock_timeout = lock_timeout
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
                live, manifest = live_generation(root)
            except GenerationGone:
                continue  # swapped and collected between two reads: look again
            except (IndexMissingError, IndexMismatchError) as e:
                if not self._auto_build or self._data is None or attempt:
                    raise
                why = "missing" if isinstance(e, IndexMissingError) else "built with other settings"
                if self._rebuild(f"the index at {root} is {why}; building it from {self._data}"):
                    continue
                raise
            if self._stale(manifest):
                if self._auto_build and self._data is not None:
                    if attempt == 0:
                        self._rebuild(f"{self._data} changed since the index was built; "
                                      "rebuilding it")
                        continue
                else:
                    self._notify(f"{manifest['data']['path']} changed since the index at {root} "
                                 f"was built; reindex with: sagashi index build --index {root}")
            try:
                ix, searcher = open_searcher(live)
            except (FileNotFoundError, whoosh_index.EmptyIndexError):
                continue  # a writer swapped generations under us: look again
            old = self._searcher
            self._ix, self._searcher, self._generation = ix, searcher, live.name
            if old is not None:
                old.close()
            return
        raise IndexMissingError(f"could not open the index at {root}",
                                "try again; if it persists, rebuild with: sagashi index build")

    def _stale(self, manifest: dict) -> bool:
        """Whether the data changed since the build, or (for an engine that
        builds its own index) the data file is another one altogether."""
        if data_changed(manifest):
            return True
        built_from = (manifest.get("data") or {}).get("path")
        return bool(self._auto_build and self._data is not None and built_from
                    and Path(built_from) != self._data.resolve())

    def _rebuild(self, note: str) -> bool:
        """Rebuild from the engine's data. If another process holds the write
        lock (it is rebuilding already), keep serving the complete index that
        exists, if any; returns whether there is an index to open."""
        from .indexing import build_index  # only when building: keeps start-up light
        self._notify(note)
        try:
            build_index(self._data, self.index_dir, lock_timeout=self._lock_timeout)
        except IndexLockedError:
            if storage.current_generation(self.index_dir) is None:
                raise
            self._notify("another process is rebuilding it; using the existing index meanwhile")
        return True

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
                raise UsageError(f"{name} must be text or None, got {type(value).__name__}",
                                 f"for example {name}={'東京都' if name == 'pref' else '特非'!r}")
        with self._lock:
            searcher = self._check()
            node = parse(query)
            try:
                plan = ranking.plan(node, self._interpreter, searcher.reader())
                filter_q = ranking.filter_query(pref, entity)
                if plan.empty:
                    return SearchResults(query, 0, (), {}, ())
                result = ranking.run(searcher, plan, limit, filter_q)
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
            fields = searcher.stored_fields(_docnum(searcher, no))
            return Project(**to_record(fields).as_dict(), prefecture=fields.get("pref", ""))

    def similar(self, no: int, limit: int = 10) -> SearchResults:
        """The projects most like project ``no``: its most distinctive words
        (by tf-idf over title and summary), searched for in the others."""
        no = _check_no(no)
        limit = _check_limit(limit)
        with self._lock:
            searcher = self._check()
            fields = searcher.stored_fields(_docnum(searcher, no))
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
            groups = bulk.value_counts(searcher, field, result.docnums)
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


def _docnum(searcher, no: int) -> int:
    docnum = searcher.document_number(no=str(no))
    if docnum is None:
        raise UsageError(f"no project with No {no}", "find numbers with: sagashi search QUERY")
    return docnum


def _marks(plan) -> Marks:
    words, readings, groups, phrases = set(), set(), set(), set()
    for clause in plan.clauses:
        if clause.concept is None:
            continue
        for alt in clause.concept.alternatives:
            if alt.kind in ("words", "phrase") and len(alt.terms) > 1:
                phrases.add(alt.terms)  # marked only where the words stand together
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


def open_searcher(generation: Path):
    """Whoosh's index and a searcher on one generation folder, with every
    file it will read already open (see :func:`sagashi.postings.open_files`)."""
    ix = whoosh_index.open_dir(str(generation))
    searcher = ix.searcher(weighting=WEIGHTING)
    try:
        postings.open_files(searcher)
    except BaseException:
        searcher.close()
        raise
    return ix, searcher


def _check_query(query) -> None:
    if not isinstance(query, str):
        hint = "decode it first: query.decode('utf-8')" if isinstance(query, bytes) else \
            "pass the query as a str"
        raise UsageError(f"query must be text, got {type(query).__name__}", hint)
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}",
                         "shorten the query to its key words")
    if not query.strip():
        raise QueryError("empty query", "type some words to search for")


def _check_limit(limit) -> int:
    limit = _whole_number("limit", limit)
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, got {_shown(limit)}",
                         f"pass a number from 1 to {MAX_LIMIT}")
    return limit


def _check_no(no) -> int:
    return _whole_number("a project number", no)


def _whole_number(name: str, value) -> int:
    """``value`` as an int (numpy integers too); never a bool, float or str."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise UsageError(f"{name} must be a whole number, got {_shown(value)}",
                     "pass an int, for example 10")


def _check_path(name: str, value):
    """A path argument: None, or a non-empty str or os.PathLike naming a str path."""
    if value is None:
        return None
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise UsageError(f"{name} must be a path (str or pathlib.Path), "
                         f"got {type(value).__name__}", "for example Engine('path/to/index')")
    if not path:
        raise UsageError(f"{name} is an empty path", "name a folder, or pass None for the default")
    return path


def _check_index_dir(root: Path) -> None:
    """Refuse an index folder that is a file or cannot be read, with a clear
    message, before anything opens it (a missing one is storage's to report)."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        return
    except OSError as e:
        raise IndexMissingError(f"cannot reach the index folder {root} ({e.strerror})",
                                "check the path and the permissions of the folders above it") \
            from None
    if not stat.S_ISDIR(st.st_mode):
        raise IndexMissingError(f"{root} is a file, not an index folder",
                                "pass the folder an index was built into")
    if not os.access(root, os.R_OK | os.X_OK):
        raise IndexMissingError(f"cannot read the index folder {root} (permission denied)",
                                f"check its permissions: ls -ld {root}")


def _shown(value) -> str:
    """A short repr of a bad argument, for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
