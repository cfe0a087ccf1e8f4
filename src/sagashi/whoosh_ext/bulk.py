"""Scoring a query for every matching document at once, with numpy.

Whoosh scores through a tree of matcher objects and calls Python methods per
posting at every node; on a 100,000-record index a common concept (外国人
with its synonyms and readings, in four fields, some 30 terms) costs
seconds. Here each term's postings come scored as arrays
(:mod:`sagashi.whoosh_ext.postings`) and the query tree is folded over
arrays in each segment, as Whoosh's matchers would score it:

- ``Term``: BM25F, as :class:`whoosh.scoring.BM25FScorer` (exact lengths);
- ``And``: documents in every part, scores summed; ``Or``: in any, summed;
- ``Phrase``: as ``And``, where the words stand in a row (positions are read
  for the candidates only, as arrays);
- :class:`~sagashi.whoosh_ext.scoring.BestOf`: the best part plus ``tiebreak``
  times the other, paired as Whoosh pairs them (smallest first; among parts
  of equal size, by the classes of their matchers);
- ``ConstantScoreQuery``: its constant for every document of its child;
- a boost multiplies, except on a compound of one part (Whoosh drops it).

Within a search (:func:`memoized`) what the query and its clauses match is
kept and reused; across searches each segment keeps, by shape (the kind,
the parts, their boosts, not the compound's own boost), what compounds and
phrases near the top of a query combine to (:func:`_combined`): common
concepts recur in many queries, and one form in several concepts of a query.

Any other query (NOT, wildcards, sloppy phrases) is scored by its own
Whoosh matcher. Scores equal Whoosh's own (tests/test_bulk.py).

In a segment a part of the tree is either sparse (document ids and their
scores) or, once it covers a good share of the segment, dense (a score for
every document, 0 where it does not match: every match scores above 0, as
IDF, weights and boosts are positive). Sparse parts fold into dense ones
in place; deleted documents are dropped at the end.
"""

from __future__ import annotations

import dataclasses
from bisect import insort
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.matching import (
    FilterMatcher,
    IntersectionMatcher,
    ListMatcher,
    NullMatcherClass,
    WrappingMatcher,
)
from whoosh.query.spans import SpanNear2

from . import postings
from .arrays.matcher import ArrayLeafMatcher
from .postings import Segment
from .scores import Scores, as_ids, member
from .scoring import BestOf, BestOfMatcher

#: Past this many documents asked about, a Whoosh matcher walks them all
#: rather than skip to each.
SKIP_TO_MAX = 2000
#: A part covering more than this share of its segment is kept dense.
DENSE_SHARE = 8
#: A term whose postings outnumber the documents asked about this many times
#: over is scored for those documents only.
ASKED_SHARE = 16

_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


class _Part:
    """A node's matches in one segment: sparse (``ids``, ``scores``) or
    ``dense`` (0 = no match). ``own``: the arrays were made for this part
    and may be changed in place."""

    __slots__ = ("dense", "ids", "own", "scores")

    def __init__(self, ids: Any = None, scores: Any = None, dense: Any = None,
                 own: bool = False) -> None:
        self.ids: Any = ids  # np.ndarray (sparse) or None (dense)
        self.scores: Any = scores
        self.dense: Any = dense
        self.own = own

    def __len__(self) -> int:
        return len(self.dense) if self.dense is not None else len(self.ids)

    def sparse(self) -> tuple[np.ndarray, np.ndarray]:
        """The documents matched and their scores (kept for a shared part)."""
        if self.dense is None:
            return self.ids, self.scores
        if self.ids is not None:
            return self.ids, self.scores
        ids = np.flatnonzero(self.dense)
        scores = self.dense[ids]
        if not self.own:  # shared: it never changes any more
            self.ids, self.scores = ids, scores
        return ids, scores

    def among(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Those of ``docs`` (increasing) matched, and their scores."""
        if self.dense is not None:
            values = self.dense[docs]
            keep = values > 0
            return docs[keep], values[keep]
        ids = self.ids
        if not len(ids) or not len(docs):
            return _NO_IDS, _NO_SCORES
        at = np.searchsorted(ids, docs)
        np.minimum(at, len(ids) - 1, out=at)
        keep = ids[at] == docs
        return docs[keep], self.scores[at[keep]]

    def as_dense(self, n: int) -> np.ndarray:
        """A dense array of its own (a copy unless it may be changed)."""
        if self.dense is not None:
            return self.dense if self.own else self.dense.copy()
        out = np.zeros(n)
        out[self.ids] = self.scores
        return out


_EMPTY = _Part(_NO_IDS, _NO_SCORES)


_memo: ContextVar[dict | None] = ContextVar("sagashi_scoring_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    """Within this block, what each query object (and each part of one)
    matches in each segment, for all documents, is kept and reused: ranking
    scores a query's clauses several times (the whole query, the partial
    matches, each clause on the candidates). Queries must not change
    meanwhile. Blocks inside a block share its memo."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def score_all(searcher, q: wq.Query, among=None) -> Scores:
    """Every document ``q`` matches (global docnums) with its score; with
    ``among`` (document numbers), those of them in ``among`` (phrases then
    check positions in those only)."""
    wanted = None if among is None else as_ids(among)
    memo = _memo.get()
    ids, scores = [], []
    for seg, offset in postings.segments(searcher):
        local = None
        if wanted is not None:
            local = wanted[(wanted >= offset) & (wanted < offset + seg.doc_count)] - offset
            if not len(local):
                continue
        seg.find(_terms_of(q))
        part = _eval(seg, q, _Run(searcher, local, {}, memo))
        found, values = part.sparse() if local is None else part.among(local)
        if seg.live is not None:
            keep = seg.live[found]
            found, values = found[keep], values[keep]
        if len(found):
            ids.append(found + offset if offset else found)
            scores.append(values)
    if not ids:
        return Scores()
    if len(ids) == 1:
        return Scores(ids[0], scores[0])
    return Scores(np.concatenate(ids), np.concatenate(scores))


def docs_of(searcher, q: wq.Query | None) -> Scores | None:
    """The documents ``q`` matches (None for no query)."""
    return None if q is None else score_all(searcher, q)


@dataclass(frozen=True)
class _Run:
    """What every node of one evaluation in one segment needs: the searcher,
    the documents asked about (None: all), and the sizes of queries
    estimated so far."""

    searcher: object
    among: np.ndarray | None
    sizes: dict  # id(query) -> (query, estimated size), in this segment
    memo: dict | None = None  # (id(segment), id(query)) -> (query, part): see memoized()
    depth: list = dataclasses.field(default_factory=lambda: [0])  # of the node evaluated


def _terms_of(q: wq.Query) -> list[tuple[str, str]]:
    """The terms scoring ``q`` looks up (to find them in one batch)."""
    out: list[tuple[str, str]] = []
    stack = [q]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is wq.Term:
            out.append((node.fieldname, node.text))
        elif kind is wq.Phrase:
            out += [(node.fieldname, w) for w in node.words]
            out.append((node.fieldname, "".join(node.words)))
        elif kind is wq.ConstantScoreQuery:
            stack.append(node.child)
        elif kind in (wq.And, wq.Or, BestOf):
            stack += node.subqueries
    return out


def _eval(seg: Segment, q: wq.Query, run: _Run) -> _Part:
    # Only the query scored and its parts are kept (a search's clauses):
    # deeper parts are used once, and a kept part is copied before a change.
    memo = run.memo if run.depth[0] < MEMO_DEPTH else None
    if memo is None:
        return _deeper(seg, q, run)
    key = (id(seg), id(q))
    found = memo.get(key)
    if found is not None and found[0] is q:
        return _narrowed(found[1], run.among)
    part = _deeper(seg, q, run)
    if run.among is None:
        part.own = False  # shared from now on: never changed in place
        memo[key] = (q, part)
    return part


#: The query scored (depth 0) and its parts (depth 1) are kept in a memo.
MEMO_DEPTH = 2
#: Combined parts less deep than this (the query scored at depth 0, its
#: clauses, their forms, and a form's words in one field at depth 3) are
#: kept by the segment across searches.
KEEP_DEPTH = 4


def _deeper(seg: Segment, q: wq.Query, run: _Run) -> _Part:
    run.depth[0] += 1
    try:
        return _node(seg, q, run)
    finally:
        run.depth[0] -= 1


def _node(seg: Segment, q: wq.Query, run: _Run) -> _Part:
    kind = type(q)
    if kind is wq.Term:
        return _term(seg, q, run)
    combine = _combiner(q)
    if combine is not None:
        return _combined(seg, q, run, combine)
    if kind is wq.ConstantScoreQuery:
        ids, _ = _eval(seg, q.child, run).sparse()
        return _Part(ids, np.full(len(ids), float(q.score)))
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return _EMPTY
    return _exact(seg, q, run)


def _combiner(q: wq.Query):
    """The function that combines the parts of a query scored here (before
    its own boost), or None for one Whoosh's own matcher scores."""
    kind = type(q)
    if kind is BestOf:
        return _best_of
    if kind in (wq.And, wq.Or) and not any(isinstance(s, wq.Not) for s in q.subqueries):
        return _exact if kind is wq.Or and q.scale is not None else _boolean
    if kind is wq.Phrase and q.slop == 1 and len(q.words) > 1:
        return _phrase
    return None


def _combined(seg: Segment, q: wq.Query, run: _Run, combine) -> _Part:
    """A compound query or phrase: its parts combined, then its boost. The
    combination, before the boost, is kept by the segment across searches
    under its :func:`_body`: a concept such as 外国人 recurs in many queries
    (each builds its own query objects), and a form such as 日本語学習 in
    several concepts of one query, boosted differently."""
    if combine is _exact:
        return _exact(seg, q, run)
    if combine is not _phrase:
        subs = q.subqueries
        if not subs:
            return _EMPTY
        if len(subs) == 1:  # as Whoosh: one part is matched alone, without the boost
            return _eval(seg, subs[0], run)
    memo = run.memo
    depth = run.depth[0] - 1  # of q: _deeper counted it already
    body = _body(q, memo) if memo is not None and depth < KEEP_DEPTH else None
    part = seg.parts.get(body) if body is not None else None
    if part is not None:
        part = _narrowed(part, run.among)
    else:
        part = combine(seg, q, run)
        if body is not None and run.among is None:
            part.own = False  # shared from now on: never changed in place
            seg.parts.keep(body, part, _nbytes(part))
    return _boosted(part, q.boost)


def _narrowed(part: _Part, among: np.ndarray | None) -> _Part:
    """A part found for all documents, asked about ``among`` (None: all):
    those of them it matches, when they are fewer than its matches (the
    parts above then work on a few documents, not the whole segment)."""
    if among is None or len(among) >= len(part):
        return part
    return _Part(*part.among(among), own=True)


def _body(q: wq.Query, memo: dict) -> tuple | None:
    """What combining the parts of ``q`` (a query :func:`_combiner` knows)
    depends on, as a tuple: its kind and its parts' :func:`_shape`, not its
    own boost. None when a part is scored by its own Whoosh matcher (whose
    attributes are not all known here)."""
    kind = type(q)
    if kind is wq.Phrase:
        return ("phrase", q.fieldname, tuple(q.words))
    subs = [_shape(s, memo) for s in q.subqueries]
    if None in subs:
        return None
    return (kind.__name__, q.tiebreak if kind is BestOf else None, tuple(subs))


def _shape(q: wq.Query, memo: dict) -> tuple | None:
    """What scoring ``q`` in a segment depends on, as a tuple (equal shapes:
    the same documents, the same scores), or None (see :func:`_body`); kept
    in the search's memo by query."""
    key = ("shape", id(q))
    found = memo.get(key)
    if found is not None and found[0] is q:
        return found[1]
    kind = type(q)
    shape: tuple | None = None
    if kind is wq.Term:
        shape = ("term", q.fieldname, q.text, q.boost)
    elif kind is wq.ConstantScoreQuery:
        child = _shape(q.child, memo)
        shape = None if child is None else ("constant", q.score, child)
    elif q is wq.NullQuery or kind is type(wq.NullQuery):
        shape = ("null",)
    elif _combiner(q) not in (None, _exact):
        body = _body(q, memo)
        shape = None if body is None else (q.boost, body)
    memo[key] = (q, shape)
    return shape


def _nbytes(part: _Part) -> int:
    """About the memory a kept part holds (a dense one may add its sparse
    form, once asked for it)."""
    if part.dense is not None:
        return 2 * part.dense.nbytes
    return part.ids.nbytes + part.scores.nbytes


def _term(seg: Segment, q: wq.Term, run: _Run) -> _Part:
    found = seg.scores(q.fieldname, q.text)
    if found is None:  # the weighting scores this field otherwise
        return _exact(seg, q, run)
    ids, scores = found
    if not len(ids):
        return _EMPTY
    among = run.among
    if among is not None and len(among) * ASKED_SHARE < len(ids):
        # asked about a few documents: every part above works on those only
        at = np.searchsorted(ids, among)
        np.minimum(at, len(ids) - 1, out=at)
        keep = ids[at] == among
        ids, scores = among[keep], scores[at[keep]]
    return _Part(ids, scores * q.boost if q.boost != 1.0 else scores)


def _boolean(seg: Segment, q, run: _Run) -> _Part:
    subs = q.subqueries
    if not subs:
        return _EMPTY
    if len(subs) == 1:  # as Whoosh: one part is matched alone, without the boost
        return _eval(seg, subs[0], run)
    if type(q) is wq.And:
        # the smallest part first; the others are asked about its documents
        ordered = sorted(subs, key=lambda s: _size(seg, s, run.sizes))
        ids, scores = _eval(seg, ordered[0], run).sparse()
        for later in ordered[1:]:
            if not len(ids):
                break
            among = ids if run.among is None else ids[member(ids, run.among)]
            part = _eval(seg, later, _Run(run.searcher, among, run.sizes, run.memo, run.depth))
            ids, scores = _intersect(ids, scores, part, seg.doc_count)
        return _Part(ids, scores)
    return _sum([_eval(seg, s, run) for s in subs], seg.doc_count)


def _intersect(ids: np.ndarray, scores: np.ndarray, part: _Part, n: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """The documents of ``ids`` that ``part`` matches, scores summed."""
    if part.dense is None and len(part) * DENSE_SHARE > n and len(ids) * DENSE_SHARE > n:
        part = _Part(dense=part.as_dense(n), own=True)  # cheaper than searching it
    if part.dense is not None:
        other = part.dense[ids]
        keep = other > 0
        return ids[keep], scores[keep] + other[keep]
    other = part.ids
    if not len(other):
        return _NO_IDS, _NO_SCORES
    at = np.searchsorted(other, ids)
    np.minimum(at, len(other) - 1, out=at)
    keep = other[at] == ids
    return ids[keep], scores[keep] + part.scores[at[keep]]


def _sum(parts: list[_Part], n: int) -> _Part:
    """Documents in any part, scores summed."""
    parts = [p for p in parts if len(p)]
    if len(parts) <= 1:
        return parts[0] if parts else _EMPTY
    if sum(len(p) for p in parts) * DENSE_SHARE > n or any(p.dense is not None for p in parts):
        parts.sort(key=lambda p: (p.dense is None, not p.own))
        out = parts[0].as_dense(n)
        for p in parts[1:]:
            if p.dense is not None:
                out += p.dense
            else:
                out[p.ids] += p.scores
        return _Part(dense=out, own=True)
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    order = np.argsort(ids, kind="stable")
    ids, scores = ids[order], scores[order]
    first = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return _Part(ids[first], np.add.reduceat(scores, first))


def _pair(a: _Part, b: _Part, tiebreak: float, n: int) -> _Part:
    """``max + tiebreak * min`` where both score, else the one that does
    (``a`` is the larger part)."""
    if a.dense is not None or b.dense is not None or (len(a) + len(b)) * DENSE_SHARE > n:
        if b.dense is not None and a.dense is None:
            a, b = b, a
        out = a.as_dense(n)
        if b.dense is not None:  # as _pair_values, in place (``out`` is this pair's own)
            low = np.minimum(out, b.dense)
            low *= tiebreak
            np.maximum(out, b.dense, out=out)
            out += low
            return _Part(dense=out, own=True)
        theirs = out[b.ids]
        out[b.ids] = np.maximum(theirs, b.scores) + tiebreak * np.minimum(theirs, b.scores)
        return _Part(dense=out, own=True)
    ids = _union([a.ids, b.ids])
    va, vb = np.zeros(len(ids)), np.zeros(len(ids))
    va[np.searchsorted(ids, a.ids)] = a.scores
    vb[np.searchsorted(ids, b.ids)] = b.scores
    return _Part(ids, _pair_values(va, vb, tiebreak))


def _best_of(seg: Segment, q: BestOf, run: _Run) -> _Part:
    subs = q.subqueries
    if not subs:
        return _EMPTY
    if len(subs) == 1:
        return _eval(seg, subs[0], run)
    # Whoosh's make_weighted_tree: sort (size, matcher) pairs, pair the first
    # two, insert the pair back. Matchers compare by class (in a way that
    # depends on the class hierarchy), so stand-ins of the right classes
    # reproduce the order of parts of equal size.
    items = [(_size(seg, s, run.sizes), _stand_in(_matcher_class(seg, s, run))) for s in subs]
    parts = {id(m): _eval(seg, s, run) for (_, m), s in zip(items, subs)}
    steps = _pairing(items)
    n, t = seg.doc_count, q.tiebreak
    if all(p.dense is None for p in parts.values()) \
            and sum(len(p) for p in parts.values()) * DENSE_SHARE <= n:
        # small parts: line them up once on the documents any of them matches
        ids = _union([p.ids for p in parts.values() if len(p)])
        values = {}
        for key, p in parts.items():
            values[key] = np.zeros(len(ids))
            if len(p):
                values[key][np.searchsorted(ids, p.ids)] = p.scores
        for a, b, pair in steps:
            values[pair] = _pair_values(values.pop(a), values.pop(b), t)
        out = _Part(ids, values[steps[-1][2]])
    else:
        for a, b, pair in steps:
            pa, pb = parts.pop(a), parts.pop(b)
            parts[pair] = _pair(pa, pb, t, n) if len(pa) >= len(pb) else _pair(pb, pa, t, n)
        out = parts[steps[-1][2]]
    return out


def _pairing(items: list[tuple[int, object]]) -> list[tuple[int, int, int]]:
    """The order in which Whoosh's ``make_weighted_tree`` pairs ``(size,
    matcher)`` items: ``(first, second, pair)`` by the ids of the items
    (and of a stand-in for each pair), in turn."""
    items = sorted(items)
    made = []  # the stand-ins, kept alive so that no id is reused meanwhile
    steps = []
    while len(items) > 1:
        (wa, ma), (wb, mb) = items.pop(0), items.pop(0)
        pair = _stand_in(BestOfMatcher)
        made.append(pair)
        steps.append((id(ma), id(mb), id(pair)))
        insort(items, (wa + wb, pair))
    return steps


def _pair_values(a: np.ndarray, b: np.ndarray, tiebreak: float) -> np.ndarray:
    """``max + tiebreak * min`` of two parts lined up on the same documents
    (0 where a part does not match: then the other's score, exactly)."""
    low = np.minimum(a, b)
    low *= tiebreak
    high = np.maximum(a, b)
    high += low
    return high


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Every id of the increasing arrays ``parts``, increasing."""
    if not parts:
        return _NO_IDS
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate(parts)
    if not len(ids):
        return ids
    ids.sort(kind="stable")
    keep = np.empty(len(ids), dtype=bool)
    keep[0] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def _matcher_class(seg: Segment, q: wq.Query, run: _Run) -> type:
    """The class of the matcher Whoosh builds for ``q``, without building it
    (the rules of ``Term``, ``Phrase`` and compound queries' ``matcher()``)."""
    kind = type(q)
    cls: type
    if kind is wq.Term:
        if not seg.doc_frequency(q.fieldname, q.text):
            return NullMatcherClass
        if q.boost != 1.0:
            return WrappingMatcher
        return FilterMatcher if seg.live is not None else ArrayLeafMatcher
    if kind is wq.Phrase:
        if not all(seg.doc_frequency(q.fieldname, w) for w in q.words):
            return NullMatcherClass
        cls = SpanNear2.SpanNear2Matcher
    elif kind is wq.ConstantScoreQuery:
        child = _matcher_class(seg, q.child, run)
        return child if child is NullMatcherClass else ListMatcher
    elif kind in (wq.And, BestOf):
        if not q.subqueries:
            return NullMatcherClass
        if len(q.subqueries) == 1:
            return _matcher_class(seg, q.subqueries[0], run)
        cls = IntersectionMatcher if kind is wq.And else BestOfMatcher
    else:
        return type(q.matcher(seg.sub, seg.sub.context()))
    return WrappingMatcher if q.boost != 1.0 else cls


def _stand_in(cls: type) -> object:
    """An uninitialised object of a matcher class: enough to compare."""
    return object.__new__(cls)


def _phrase(seg: Segment, q: wq.Phrase, run: _Run) -> _Part:
    """Whoosh scores a phrase as the sum of its words' scores, times its
    boost, where the words stand at positions in a row. A document holding
    the words joined as one indexed word (the compound 外国人 for 外国 人:
    the analyzer indexes a compound's parts in a row at its position) is
    not checked further."""
    field, words = q.fieldname, q.words
    if not all(seg.doc_frequency(field, w) for w in words):
        return _EMPTY
    # asked about a few documents (the phrase bonus of the best hits, a
    # clause checked on candidates), the words are looked up in those only
    together = _boolean(seg, wq.And([wq.Term(field, w) for w in words]), run)
    ids, scores = together.sparse()
    if not len(ids):
        return _EMPTY
    joined = seg.scores(field, "".join(words))
    known = member(ids, joined[0]) if joined is not None else np.zeros(len(ids), dtype=bool)
    unsure = ids[~known]
    if run.among is not None:
        unsure = unsure[member(unsure, run.among)]
    passed = member(ids, in_a_row(seg, field, words, unsure))
    keep = known | passed
    return _Part(ids[keep], scores[keep])


def in_a_row(seg: Segment, field: str, words, docs: np.ndarray) -> np.ndarray:
    """Those of ``docs`` (each holding every word) where the words stand at
    consecutive positions."""
    keys = None
    for i, word in enumerate(words):
        found, positions = seg.positions(field, word, docs)
        start = positions >= i
        # (document, position - i), increasing: documents come in order and
        # a posting's positions in order
        mine = (found[start] << 32) + (positions[start] - i)
        keys = mine if keys is None else keys[member(keys, mine)]
        if not len(keys):
            return _NO_IDS
    if keys is None:
        return _NO_IDS
    docs_found = keys >> 32
    first = np.empty(len(docs_found), dtype=bool)
    first[:1] = True
    np.not_equal(docs_found[1:], docs_found[:-1], out=first[1:])
    return docs_found[first]


def _size(seg: Segment, q: wq.Query, known: dict) -> int:
    """Whoosh's ``estimate_size`` of a query in a segment (which orders the
    parts of And and BestOf), with the sizes of this run's queries kept in
    ``known`` (by id, with the query, which keeps the id from being reused)."""
    found = known.get(id(q))
    if found is None or found[0] is not q:
        found = known[id(q)] = (q, _estimate(seg, q, known))
    return found[1]


def _estimate(seg: Segment, q: wq.Query, known: dict) -> int:
    kind = type(q)
    if kind is wq.Term:
        return seg.doc_frequency(q.fieldname, q.text)
    if kind is wq.Phrase:
        return min(seg.doc_frequency(q.fieldname, w) for w in q.words)
    if kind is wq.And:
        return min(_size(seg, s, known) for s in q.subqueries)
    if kind in (wq.Or, BestOf):
        return min(sum(_size(seg, s, known) for s in q.subqueries), seg.reader.doc_count())
    return q.estimate_size(seg.reader)


def value_counts(searcher, field: str, docnums) -> dict[str, int]:
    """How many of ``docnums`` hold each value of a one-value keyword field
    ("" for none). Each document's value is looked up in its segment's
    array of value codes."""
    docs = as_ids(docnums)
    counts: dict[str, int] = {}
    for seg, offset in postings.segments(searcher):
        local = docs[(docs >= offset) & (docs < offset + seg.doc_count)] - offset
        if not len(local):
            continue
        values, codes = seg.codes(field) if field in seg.schema else ([], None)
        if codes is None:
            counts[""] = counts.get("", 0) + len(local)
            continue
        tally = np.bincount(codes[local] + 1, minlength=len(values) + 1).tolist()
        for value, count in zip(["", *values], tally):
            if count:
                counts[value] = counts.get(value, 0) + count
    return counts


def _exact(seg: Segment, q: wq.Query, run: _Run) -> _Part:
    """Any query, through its own Whoosh matcher (visiting only the
    documents asked about, if any)."""
    sub = seg.sub
    m = q.matcher(sub, sub.context())
    ids: list[int] = []
    scores: list[float] = []
    if run.among is None or len(run.among) > SKIP_TO_MAX:
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
    else:
        for d in run.among.tolist():
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                ids.append(d)
                scores.append(m.score())
    return _Part(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))


def _boosted(part: _Part, boost: float) -> _Part:
    if boost == 1.0:
        return part
    if part.dense is not None:
        if part.own:
            part.dense *= boost
            return part
        return _Part(dense=part.dense * boost, own=True)
    return _Part(part.ids, part.scores * boost)
