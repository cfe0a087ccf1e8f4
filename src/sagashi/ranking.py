"""From understood queries to ranked document numbers.

A parsed query (:mod:`sagashi.query_syntax`) becomes a list of
:class:`Clause` objects, one per concept, phrase or field term, each a Whoosh
query. Plain queries are ranked in tiers: documents that match every clause
first (BM25F with field boosts), then documents that match at least half of
them, by how many they match and then by score. Explicit AND / OR queries
are run as written. A concept scores the best of its alternative forms
(``DisjunctionMax``), so a word found both literally and by reading is not
counted twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from whoosh import query as wq

from . import entities, places
from .errors import UsageError
from .interpret import Alternative, Concept, Interpreter
from .query_syntax import And, Field, Not, Node, Or, Phrase, Prefix, Seq, Words
from .schema import TEXT_FIELDS

#: Score a keyword-field match (prefecture, entity type) is worth, before weights.
KEYWORD_SCORE = 3.0
#: How far past ``limit`` relaxed matching looks for partial matches.
POOL_FACTOR, POOL_MIN = 5, 50
#: Prefix queries expand to at most this many indexed words.
MAX_PREFIX_TERMS = 64
TIEBREAK = 0.1


@dataclass(frozen=True)
class Clause:
    """One thing a document is asked to match, as a Whoosh query, with the
    concept it came from (for explain and highlighting)."""

    label: str
    query: wq.Query
    concept: Concept | None = None


@dataclass(frozen=True)
class Plan:
    """How to run a query: tiered clauses, or one strict Whoosh query."""

    clauses: tuple[Clause, ...]
    exclusions: tuple[Clause, ...]
    strict: wq.Query | None = None  # set for explicit AND / OR queries

    @property
    def empty(self) -> bool:
        return not self.clauses and self.strict is None


def min_match(n: int) -> int:
    """How many of ``n`` clauses a partial match needs: at least half."""
    return max(1, math.ceil(n / 2))


def plan(node: Node, interpreter: Interpreter, reader) -> Plan:
    """Compile a parsed query into a :class:`Plan`."""
    if isinstance(node, (And, Or)):
        clauses = _clauses(node, interpreter, reader, None)
        strict = _strict(node, interpreter, reader)
        return Plan(tuple(c for c in clauses), (), strict)
    items = node.items if isinstance(node, Seq) else (node,)
    positive, negative = [], []
    for item in items:
        if isinstance(item, Not):
            negative += _clauses(item.item, interpreter, reader, None)
        else:
            positive += _clauses(item, interpreter, reader, None)
    return Plan(tuple(positive), tuple(negative))


def _clauses(node: Node, interpreter: Interpreter, reader, fields) -> list[Clause]:
    """The clauses of a leaf (or, for explain, of every leaf below a node)."""
    if isinstance(node, Words):
        return [concept_clause(c) for c in interpreter.concepts(node.text, fields)]
    if isinstance(node, Phrase):
        concept = interpreter.phrase(node.text, _fields_of(node.field) or fields)
        return [concept_clause(concept)] if concept else []
    if isinstance(node, Prefix):
        return [_prefix_clause(node.text, reader, fields)]
    if isinstance(node, Field):
        if node.field in ("no", "pref", "entity") and isinstance(node.item, Words):
            return [_keyword_clause(node.field, node.item.text)]
        return _clauses(node.item, interpreter, reader, _fields_of(node.field))
    if isinstance(node, (And, Or, Seq)):
        return [c for item in node.items for c in _clauses(item, interpreter, reader, fields)]
    if isinstance(node, Not):
        return []
    raise TypeError(f"unknown query node {node!r}")


def _strict(node: Node, interpreter: Interpreter, reader, fields=None) -> wq.Query:
    if isinstance(node, And) or isinstance(node, Seq):
        subs = [_strict(item, interpreter, reader, fields) for item in node.items]
        return wq.And(subs)
    if isinstance(node, Or):
        return wq.Or([_strict(item, interpreter, reader, fields) for item in node.items])
    if isinstance(node, Not):
        return wq.Not(_strict(node.item, interpreter, reader, fields))
    clauses = _clauses(node, interpreter, reader, fields)
    if not clauses:
        return wq.NullQuery
    return clauses[0].query if len(clauses) == 1 else wq.And([c.query for c in clauses])


def _fields_of(field: str | None) -> tuple[str, ...] | None:
    return (field,) if field in TEXT_FIELDS else None


def concept_clause(concept: Concept) -> Clause:
    subs = [alternative_query(alt, concept.fields) for alt in concept.alternatives]
    query = subs[0] if len(subs) == 1 else wq.DisjunctionMax(subs, tiebreak=TIEBREAK)
    return Clause(concept.label, query, concept)


def alternative_query(alt: Alternative, fields: tuple[str, ...] | None) -> wq.Query:
    """A Whoosh query for one alternative form, over ``fields`` (default: all
    text fields, each with its boost)."""
    if alt.kind in ("pref", "entity"):
        field = "pref" if alt.kind == "pref" else "entity_code"
        terms = [wq.Term(field, value) for value in alt.terms]
        inner = terms[0] if len(terms) == 1 else wq.Or(terms)
        return wq.ConstantScoreQuery(inner, KEYWORD_SCORE * alt.weight)
    subs = []
    for field in fields or TEXT_FIELDS:
        boost = TEXT_FIELDS[field] * alt.weight
        if len(alt.terms) > 1:
            subs.append(wq.Phrase(field, list(alt.terms), boost=boost))
        else:
            subs.append(wq.Term(field, alt.terms[0], boost=boost))
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _keyword_clause(field: str, value: str) -> Clause:
    value = value.strip()
    if field == "no":
        return Clause(f"no:{value}", wq.Term("no", value))
    if field == "pref":
        place = places.lookup(value)
        prefs = place.prefectures if place else (value,)
        alt = Alternative("pref", prefs, 1.0, "prefecture")
    else:
        codes = entities.codes_for_alias(value) or (entities.entity_code(value),)
        alt = Alternative("entity", codes, 1.0, "entity")
    concept = Concept(value, (alt,))
    return Clause(value, alternative_query(alt, None), concept)


def _prefix_clause(text: str, reader, fields) -> Clause:
    """Words starting with ``text``, expanded to at most MAX_PREFIX_TERMS."""
    from .analysis import fold
    prefix = fold(text)
    terms: set[str] = set()
    for field in fields or TEXT_FIELDS:
        for term in reader.expand_prefix(field, prefix):
            term = term.decode("utf-8") if isinstance(term, bytes) else term
            if term[:1] in ("~", "#"):
                continue
            terms.add(term)
            if len(terms) >= MAX_PREFIX_TERMS:
                break
    alts = tuple(Alternative("words", (t,), 1.0 if t == prefix else 0.8, "prefix")
                 for t in sorted(terms))
    if not alts:
        alts = (Alternative("words", (prefix,), 1.0, "literal"),)
    concept = Concept(text + "*", alts, fields)
    query = wq.Or([alternative_query(a, fields) for a in alts])
    return Clause(concept.label, query, concept)


def filter_query(pref: str | None, entity: str | None) -> wq.Query | None:
    """The Whoosh filter for ``--pref`` / ``--entity``; UsageError if unknown."""
    subs = []
    if pref:
        place = places.lookup(pref)
        if place is None:
            raise UsageError(f"unknown prefecture or region {pref!r}",
                             "use a name such as 東京都, 大阪 or 関西")
        subs.append(wq.Or([wq.Term("pref", p) for p in place.prefectures]))
    if entity:
        codes = entities.codes_for_alias(entity) or (entities.entity_code(entity),)
        subs.append(wq.Or([wq.Term("entity_code", c) for c in codes]))
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.And(subs)


@dataclass
class Ranking:
    """Ranked ``(docnum, score, matched clauses)`` triples; the total number
    of matching documents; the Whoosh results of the strict tier (for facet
    counts) and the documents the relaxed tier added."""

    ranked: list
    total: int
    strict_results: object
    relaxed_docnums: list


def run(searcher, plan_: Plan, limit: int, filter_q=None, groupedby=None) -> Ranking:
    """Rank documents for a plan (see the module docstring)."""
    mask = wq.Or([c.query for c in plan_.exclusions]) if plan_.exclusions else None
    queries = [c.query for c in plan_.clauses]
    n = len(queries)
    if plan_.strict is not None:
        strict = plan_.strict
    else:
        strict = queries[0] if n == 1 else wq.And(queries)
    results = searcher.search(strict, limit=limit, filter=filter_q, mask=mask,
                              groupedby=groupedby)
    ranked = [(h.docnum, h.score, n) for h in results][:limit]
    total = len(results)
    relaxed: list = []
    if plan_.strict is None and n > 1:  # partial matches, also for the total
        pool = searcher.search(wq.Or(queries), limit=max(limit * POOL_FACTOR, POOL_MIN),
                               filter=filter_q, mask=mask)
        seen = {d for d, _, _ in ranked}
        candidates = [(h.docnum, h.score) for h in pool if h.docnum not in seen]
        coverage = count_matches(searcher, queries, [d for d, _ in candidates])
        need = min_match(n)
        relaxed = [(d, s, coverage[d]) for d, s in candidates if coverage[d] >= need]
        relaxed.sort(key=lambda x: (-x[2], -x[1]))
        total += len(relaxed)
        ranked += relaxed[:limit - len(ranked)]
    return Ranking(ranked, total, results, [d for d, _, _ in relaxed])


def count_matches(searcher, queries, docnums) -> dict[int, int]:
    """For each document, how many of ``queries`` it matches (skip_to over
    each query's matcher, so only the given documents are visited)."""
    counts = {d: 0 for d in docnums}
    if not docnums:
        return counts
    ordered = sorted(docnums)
    for q in queries:
        for d in matching(searcher, q, ordered):
            counts[d] += 1
    return counts


def matching(searcher, q: wq.Query, ordered_docnums: list[int]) -> list[int]:
    """Those of the (sorted) documents that ``q`` matches."""
    out = []
    m = q.matcher(searcher)
    for d in ordered_docnums:
        if not m.is_active():
            break
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                break
        if m.id() == d:
            out.append(d)
    return out
