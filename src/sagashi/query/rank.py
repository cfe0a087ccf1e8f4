"""Running a plan: from clauses to ranked document numbers.

Plain queries are ranked in tiers. :func:`run` takes five steps, each its
own function below:

1. the filter (``--pref``, ``--entity``) and the exclusions (``NOT x``,
   ``-x``) decide which documents may be returned (:class:`Scope`);
2. every document matching all clauses is scored, BM25F with field boosts,
   which also counts them exactly (:func:`full_matches`);
3. the phrase bonus (words typed together found together) reorders the best
   of them (:func:`with_phrase_bonus`);
4. for a one-word query, organisations whose name holds the text come first
   (:func:`promote_names`);
5. when the full matches do not fill the page, partial matches that hold
   enough of the query's information follow, by how many clauses they match,
   how informative those are, then score (:func:`partial_matches`).

Records found only through a weak relation (ボランティア -> 支援者: every
clause they match, they match only through related words) come after every
record found directly (:func:`weak_only`). Words no record contains are left
out first (:func:`without_unmatched`).

Explicit AND / OR queries are run as written (their plan is strict).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from ..whoosh_ext import bulk
from ..whoosh_ext.scores import Scores, member, union
from .plan import Clause, Plan

#: How far past ``limit`` relaxed matching looks for partial matches.
POOL_FACTOR, POOL_MIN = 5, 50
#: How many of the best full matches the phrase bonus may reorder.
RESCORE_WINDOW = 50
#: A partial match must hold this share of the query's information (IDF
#: weight) among the words the records know, and this share overall.
KNOWN_SHARE, OVERALL_SHARE = 0.2, 0.25

#: ``(docnum, score, clauses matched)``, best first.
Ranked = list[tuple[int, float, int]]


@dataclass
class Ranking:
    """Ranked ``(docnum, score, matched clauses)`` triples; the total number
    of matching documents; and every matching document, increasing (for
    facet counts)."""

    ranked: Ranked
    total: int
    docnums: np.ndarray


@dataclass(frozen=True)
class Scope:
    """Which documents may be returned: those the filter allows (None: all)
    and the exclusions do not hide."""

    allowed: Scores | None
    masked: Scores | None

    @classmethod
    def of(cls, searcher, plan: Plan, filter_q: wq.Query | None) -> Scope:
        exclusions = wq.Or([c.query for c in plan.exclusions]) if plan.exclusions else None
        return cls(bulk.docs_of(searcher, filter_q), bulk.docs_of(searcher, exclusions))

    def keep(self, scores: Scores) -> Scores:
        """``scores`` of the documents in scope."""
        if self.allowed is not None:
            scores = scores.among(self.allowed)
        if self.masked:
            scores = scores.without(self.masked)
        return scores


def run(searcher, plan: Plan, limit: int, filter_q: wq.Query | None = None) -> Ranking:
    """Rank documents for a plan (see the module docstring)."""
    with bulk.memoized():  # the clauses are scored several times below
        return _run(searcher, plan, limit, filter_q)


def _run(searcher, plan: Plan, limit: int, filter_q: wq.Query | None) -> Ranking:
    searchable = without_unmatched(plan)
    if searchable is None:
        return Ranking([], 0, union())
    plan = searchable
    scope = Scope.of(searcher, plan, filter_q)
    full = full_matches(searcher, plan, scope)
    weak = weak_full_matches(searcher, plan.clauses, full)
    ranked = with_phrase_bonus(searcher, plan, full.without(weak), limit)
    ranked, named = promote_names(searcher, plan, scope, full, ranked, limit)
    matching = union(full, named)
    later: Ranked = []
    if len(ranked) < limit:
        relaxed, weak_relaxed = partial_matches(searcher, plan, scope, matching, limit)
        matching = union(matching, [d for d, _, _ in relaxed])
        ranked += [r for r in relaxed if r[0] not in weak_relaxed][:limit - len(ranked)]
        later = [r for r in relaxed if r[0] in weak_relaxed]
    # found only through weak relations (ボランティア -> 支援者): below every direct match
    if len(ranked) < limit:
        weak_full = full.among(weak).without(named)
        ranked += with_phrase_bonus(searcher, plan, weak_full, limit - len(ranked))
    ranked += later[:limit - len(ranked)]
    return Ranking(ranked, len(matching), matching)


def weak_full_matches(searcher, clauses, full: Scores) -> np.ndarray:
    """Those of the full matches (which match every clause) found only
    through weak relations: :func:`weak_only` for all of them, with arrays."""
    if not len(full) or any(c.direct is None for c in clauses):
        return union()  # a clause with no weak form is matched directly
    weak = np.zeros(len(full), dtype=np.int64)
    for clause in clauses:
        direct = bulk.score_all(searcher, clause.direct, full) \
            if clause.direct is not wq.NullQuery else Scores()
        weak += ~member(full.ids, direct.ids)
    return full.ids[weak == len(clauses)]


def weak_only(searcher, clauses, docs: dict[int, list[Clause] | None]) -> set[int]:
    """Those of ``docs`` (each mapped to the clauses it matched, None for
    all of them) found only through weak relations (ボランティア -> 支援者):
    every clause they match, they match only through weak forms."""
    weak: dict[int, int] = {}
    for clause in clauses:
        if clause.direct is None:
            continue
        found = {d for d, matched in docs.items() if matched is None or clause in matched}
        if not found:
            continue
        direct = bulk.score_all(searcher, clause.direct, found) \
            if clause.direct is not wq.NullQuery else {}
        for d in found.difference(direct):
            weak[d] = weak.get(d, 0) + 1
    return {d for d, count in weak.items()
            if count == len(clauses if docs[d] is None else docs[d] or ())}


def without_unmatched(plan: Plan) -> Plan | None:
    """The plan without the words no record contains, which could only empty
    it (難民 ブラジル is searched as 難民, and ブラジル is reported as
    unmatched); None when what is left is not worth searching on its own,
    by the rule for partial matches (:func:`partial_enough`): 支援 beside an
    unknown word says too little, and a query of unknown words nothing.

    Words the searcher insisted on (a quoted phrase, field:value, a group)
    and queries run as written (explicit AND / OR) are kept as they are.
    """
    unknown = [c for c in plan.clauses if not c.known and not c.required]
    if plan.strict is not None or not unknown:
        return plan
    kept = [c for c in plan.clauses if c.known or c.required]
    if not partial_enough(kept, list(plan.clauses)):
        return None
    return dataclasses.replace(plan, clauses=tuple(kept))


def full_matches(searcher, plan: Plan, scope: Scope) -> Scores:
    """Every document in scope that matches the whole query, with its score."""
    query = plan.strict if plan.strict is not None else _all(plan.clauses)
    return scope.keep(bulk.score_all(searcher, query))


def with_phrase_bonus(searcher, plan: Plan, full: Mapping[int, float], limit: int) -> Ranked:
    """The best ``limit`` full matches, after the phrase bonus has reordered
    the best RESCORE_WINDOW of them (a match_phrase rescoring, in
    Elasticsearch terms)."""
    n = len(plan.clauses)
    window = max(limit, RESCORE_WINDOW) if plan.boost is not None else limit
    best = [(d, s, n) for d, s in _top(full, window)]
    if plan.boost is None or not best:
        return best[:limit]
    bonus = bulk.score_all(searcher, plan.boost, {d for d, _, _ in best})
    rescored = sorted(((d, s + bonus.get(d, 0.0), m) for d, s, m in best),
                      key=lambda r: (-r[1], r[0]))
    return rescored[:limit]


def promote_names(searcher, plan: Plan, scope: Scope, full: Mapping[int, float], ranked: Ranked,
                  limit: int) -> tuple[Ranked, set[int]]:
    """Organisations whose name holds the query text first (「まなびと」 finds
    まなびと however Sudachi splits it); returns the ranking and the documents
    found by name."""
    if plan.name is None:
        return ranked, set()
    n = len(plan.clauses)
    by_name = _top(scope.keep(bulk.score_all(searcher, plan.name)), limit)
    named = [(d, full.get(d, s), n) for d, s in by_name]
    named_set = {d for d, _, _ in named}
    return (named + [r for r in ranked if r[0] not in named_set])[:limit], named_set


def partial_matches(searcher, plan: Plan, scope: Scope, seen,
                    limit: int) -> tuple[Ranked, set[int]]:
    """Documents (not in ``seen``) that match some of a plain query's
    optional clauses and hold enough of its information
    (:func:`partial_enough`): more clauses first, then the more informative
    words, then score; and those of them found only through weak relations
    (:func:`weak_only`). Nothing for strict and one-clause queries."""
    n = len(plan.clauses)
    optional = [c for c in plan.clauses if not c.required]
    if plan.strict is not None or n < 2 or not optional:
        return [], set()
    required = [c.query for c in plan.clauses if c.required]
    wanted = optional[0].query if len(optional) == 1 else wq.Or([c.query for c in optional])
    pool = scope.keep(bulk.score_all(searcher, wq.And([*required, wanted]) if required
                                     else wanted))
    best = _top(pool, max(limit * POOL_FACTOR, POOL_MIN))
    unseen = ~member(np.array([d for d, _ in best], dtype=np.int64), union(seen))
    candidates = [c for c, new in zip(best, unseen.tolist()) if new]
    matched = matches_by_doc(searcher, optional, [d for d, _ in candidates])
    base = n - len(optional)
    relaxed = [(d, s, base + len(matched[d])) for d, s in candidates
               if 0 < len(matched[d]) < len(optional)  # full ones were counted already
               and partial_enough(matched[d], optional)]
    weights = {d: sum(c.weight for c in matched[d]) for d, _, _ in relaxed}
    relaxed.sort(key=lambda x: (-x[2], -weights[x[0]], -x[1]))
    required_clauses = [c for c in plan.clauses if c.required]
    weak = weak_only(searcher, plan.clauses,
                     {d: [*required_clauses, *matched[d]] for d, _, _ in relaxed})
    return relaxed, weak


def partial_enough(matched: list[Clause], clauses: list[Clause]) -> bool:
    """Whether a document matching only ``matched`` of the optional
    ``clauses`` is worth showing (below the full matches).

    Shares are IDF-weighted, so matching 支援 (in every record) says little
    and matching ベトナム人 says a lot. Words no record contains cannot be
    matched by anyone; they do not count against a partial match among the
    known words, but a query that is mostly unknown words returns nothing.
    """
    known = sum(c.weight for c in clauses if c.known)
    overall = sum(c.weight for c in clauses)
    got = sum(c.weight for c in matched)
    return known > 0 and got >= KNOWN_SHARE * known and got >= OVERALL_SHARE * overall


def matches_by_doc(searcher, clauses: list[Clause], docnums) -> dict[int, list[Clause]]:
    """For each of ``docnums``, the clauses it matches."""
    found: dict[int, list[Clause]] = {d: [] for d in docnums}
    for clause in clauses if found else ():
        for d in matching(searcher, clause.query, found):
            found[d].append(clause)
    return found


def matching(searcher, q: wq.Query, docnums) -> list[int]:
    """Those of ``docnums`` that ``q`` matches, in order."""
    return bulk.score_all(searcher, q, list(docnums)).ids.tolist()


def _top(scores: Mapping[int, float], k: int) -> list[tuple[int, float]]:
    """The ``k`` best ``(docnum, score)``, ties in document order (as Whoosh)."""
    return Scores.of(scores).top(k)


def _all(clauses) -> wq.Query:
    return clauses[0].query if len(clauses) == 1 else wq.And([c.query for c in clauses])
