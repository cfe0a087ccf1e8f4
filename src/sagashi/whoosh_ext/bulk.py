"""Scoring a query for every matching document at once.

Whoosh scores through a tree of matcher objects and calls Python methods per
posting at every node: on a 100,000-record index a common concept
(外国人 with its synonyms and readings, in four fields, some 30 terms) costs
seconds per query, and top-k block skipping barely helps, because BM25
scores of this kind of text are flat. Here each term's postings come scored
in bulk (:mod:`sagashi.whoosh_ext.postings`) and the query tree is folded over
dictionaries ``{docnum: score}``, as Whoosh's matchers would score them:

- ``Term``: BM25F, as :class:`whoosh.scoring.BM25FScorer`;
- ``And``: documents in every part, scores summed; ``Or``: in any, summed;
- ``Phrase``: as ``And``, where the words stand in a row;
- :class:`~sagashi.whoosh_ext.scoring.BestOf`: the best part plus ``tiebreak`` times
  the other, paired as Whoosh pairs them (smallest first; among parts of
  equal size, by the classes of their matchers);
- ``ConstantScoreQuery``: its constant for every document of its child;
- a boost multiplies, except on a compound of one part (Whoosh drops it).

Any other query (NOT, wildcards, sloppy phrases) is scored by its own
Whoosh matcher.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import (
    FilterMatcher,
    IntersectionMatcher,
    ListMatcher,
    NullMatcherClass,
    WrappingMatcher,
)
from whoosh.query.spans import SpanNear2

from . import postings
from .scoring import BestOf, BestOfMatcher

#: ``{docnum: score}`` of the documents a query matches.
Scores = dict[int, float]
#: Past this many documents asked about, a Whoosh matcher walks them all
#: rather than skip to each.
SKIP_TO_MAX = 2000


def score_all(searcher, q: wq.Query, among: set[int] | None = None) -> Scores:
    """``{docnum: score}`` for every document ``q`` matches (global docnums),
    or with ``among``, for those of them in ``among`` (phrases then check
    positions in those only). May be shared: never change it."""
    leaves = searcher.leaf_searchers()
    if len(leaves) == 1 and among is None:
        sub, _ = leaves[0]
        return _eval(sub, q, _Run(sub.context(), None, {}))
    out: Scores = {}
    for sub, offset in leaves:
        local = among if among is None or not offset else {d - offset for d in among}
        part = _eval(sub, q, _Run(sub.context(), local, {}))
        if local is not None:
            part = {d: s for d, s in part.items() if d in local}
        if offset:
            out.update({d + offset: s for d, s in part.items()})
        else:
            out.update(part)
    return out


@dataclass(frozen=True)
class _Run:
    """What every node of one evaluation in one segment needs: Whoosh's
    search context, the documents asked about (None: all), and the sizes
    of queries estimated so far."""

    context: object
    among: set[int] | None
    sizes: dict  # id(query) -> (query, estimated size), in this segment


def docs_of(searcher, q: wq.Query | None) -> set[int] | None:
    """The documents ``q`` matches (None for no query)."""
    return None if q is None else set(score_all(searcher, q))


def _eval(sub, q: wq.Query, run) -> Scores:
    kind = type(q)
    if kind is wq.Term:
        return _term(sub, q, run)
    if kind is BestOf:
        return _best_of(sub, q, run)
    if kind in (wq.And, wq.Or) and not any(isinstance(s, wq.Not) for s in q.subqueries):
        if kind is wq.Or and q.scale is not None:
            return _exact(sub, q, run)
        return _boolean(sub, q, run)
    if kind is wq.Phrase and q.slop == 1 and len(q.words) > 1:
        return _phrase(sub, q, run)
    if kind is wq.ConstantScoreQuery:
        return dict.fromkeys(_eval(sub, q.child, run), q.score)
    if q is wq.NullQuery or kind is type(wq.NullQuery):
        return {}
    return _exact(sub, q, run)


def _boolean(sub, q, run) -> Scores:
    subs = q.subqueries
    if not subs:
        return {}
    if len(subs) == 1:  # as Whoosh: one part is matched alone, without the boost
        return _eval(sub, subs[0], run)
    if type(q) is wq.And:
        # the smallest part first; the others are asked about its documents
        ordered = sorted(subs, key=lambda s: _size(sub, s, run.sizes))
        out = _eval(sub, ordered[0], run)
        for later in ordered[1:]:
            if not out:
                break
            among = out.keys() & run.among if run.among is not None else set(out)
            part = _eval(sub, later, _Run(run.context, among, run.sizes))
            out = {d: s + part[d] for d, s in out.items() if d in part}
    else:
        parts = [_eval(sub, s, run) for s in subs]
        out = dict(parts[0])
        for part in parts[1:]:
            for d, s in part.items():
                out[d] = out.get(d, 0.0) + s
    return _boosted(out, q.boost)


def _best_of(sub, q: BestOf, run) -> Scores:
    subs = q.subqueries
    if not subs:
        return {}
    if len(subs) == 1:
        return _eval(sub, subs[0], run)
    # Whoosh's make_weighted_tree: sort (size, matcher) pairs, pair the first
    # two, insert the pair back. Matchers compare by class (in a way that
    # depends on the class hierarchy), so stand-ins of the right classes
    # reproduce the order of parts of equal size.
    items = [(_size(sub, s, run.sizes), _stand_in(_matcher_class(sub, s, run))) for s in subs]
    scores = {id(m): _eval(sub, s, run) for (_, m), s in zip(items, subs)}
    own: set[int] = set()  # the scores made here, free to change
    items.sort()
    while len(items) > 1:
        (wa, ma), (wb, mb) = items.pop(0), items.pop(0)
        a, b = scores.pop(id(ma)), scores.pop(id(mb))
        if len(a) < len(b):
            a, b, ma = b, a, mb
        pair = _stand_in(BestOfMatcher)
        scores[id(pair)] = _pair(a if id(ma) in own else dict(a), b, q.tiebreak)
        own.add(id(pair))
        insort(items, (wa + wb, pair))
    return _boosted(scores[id(items[0][1])], q.boost)


def _matcher_class(sub, q: wq.Query, run: _Run) -> type:
    """The class of the matcher Whoosh builds for ``q``, without building it
    (the rules of ``Term``, ``Phrase`` and compound queries' ``matcher()``)."""
    kind = type(q)
    if kind is wq.Term:
        if not postings.doc_frequency(sub, q.fieldname, q.text):
            return NullMatcherClass
        if q.boost != 1.0:
            return WrappingMatcher
        reader = sub.reader()
        if getattr(reader, "deleted_docs_set", None):
            return FilterMatcher
        return ListMatcher if reader.term_info(q.fieldname, q.text).is_inlined() \
            else W3LeafMatcher
    if kind is wq.Phrase:
        if not all(postings.doc_frequency(sub, q.fieldname, w) for w in q.words):
            return NullMatcherClass
        cls = SpanNear2.SpanNear2Matcher
    elif kind is wq.ConstantScoreQuery:
        child = _matcher_class(sub, q.child, run)
        return child if child is NullMatcherClass else ListMatcher
    elif kind in (wq.And, BestOf):
        if not q.subqueries:
            return NullMatcherClass
        if len(q.subqueries) == 1:
            return _matcher_class(sub, q.subqueries[0], run)
        cls = IntersectionMatcher if kind is wq.And else BestOfMatcher
    else:
        return type(q.matcher(sub, run.context))
    return WrappingMatcher if q.boost != 1.0 else cls


def _stand_in(cls: type) -> object:
    """An uninitialised object of a matcher class: enough to compare."""
    return object.__new__(cls)


def _pair(out: Scores, b: Scores, tiebreak: float) -> Scores:
    """Fold ``b`` into ``out``: ``max + tiebreak * min`` where both score."""
    for d, sb in b.items():
        sa = out.get(d)
        out[d] = sb if sa is None else (sa + tiebreak * sb if sa >= sb else sb + tiebreak * sa)
    return out


def _term(sub, q: wq.Term, run) -> Scores:
    field, text = q.fieldname, q.text
    if not postings.doc_frequency(sub, field, text):  # 0 for a field not in the schema
        return {}
    scores = postings.bm25_scores(sub, field, text)
    if scores is None:
        return _exact(sub, q, run)
    return _boosted(scores, q.boost)


def _phrase(sub, q: wq.Phrase, run) -> Scores:
    """Whoosh scores a phrase as the sum of its words' scores, times its
    boost, where the words stand at positions in a row. A document holding
    the words joined as one indexed word (the compound 外国人 for 外国 人:
    the analyzer indexes a compound's parts in a row at its position) is
    not checked further."""
    reader = sub.reader()
    field, words = q.fieldname, q.words
    if not all(postings.doc_frequency(sub, field, w) for w in words):
        return {}
    together = _boolean(sub, wq.And([wq.Term(field, w) for w in words]), run)
    joined = "".join(words)
    known = _term(sub, wq.Term(field, joined), run)
    unsure = {d for d in together if d not in known
              and (run.among is None or d in run.among)}
    found = [postings.positions(reader, field, w, unsure) for w in words] if unsure else []
    return {d: s * q.boost for d, s in together.items()
            if d in known or (d in unsure and _in_a_row([p[d] for p in found]))}


def _in_a_row(lists: list[list[int]]) -> bool:
    """Whether the words at these positions occur one after the other."""
    starts = set(lists[0])
    for i, later in enumerate(lists[1:], 1):
        starts.intersection_update(p - i for p in later)
        if not starts:
            return False
    return True


def _size(sub, q: wq.Query, known: dict) -> int:
    """Whoosh's ``estimate_size`` of a query in a segment (which orders the
    parts of And and BestOf), with the sizes of this run's queries kept in
    ``known`` (by id, with the query, which keeps the id from being reused)."""
    found = known.get(id(q))
    if found is None or found[0] is not q:
        found = known[id(q)] = (q, _estimate(sub, q, known))
    return found[1]


def _estimate(sub, q: wq.Query, known: dict) -> int:
    kind = type(q)
    if kind is wq.Term:
        return postings.doc_frequency(sub, q.fieldname, q.text)
    if kind is wq.Phrase:
        return min(postings.doc_frequency(sub, q.fieldname, w) for w in q.words)
    if kind is wq.And:
        return min(_size(sub, s, known) for s in q.subqueries)
    if kind in (wq.Or, BestOf):
        return min(sum(_size(sub, s, known) for s in q.subqueries), sub.reader().doc_count())
    return q.estimate_size(sub.reader())


def value_counts(searcher, field: str, docnums) -> dict[str, int]:
    """How many of ``docnums`` hold each value of a one-value keyword field
    ("" for none). Each document is looked up in its own segment's values,
    so nothing the size of the index is built per call."""
    leaves = searcher.leaf_searchers()
    offsets = [offset for _, offset in leaves]
    values = [postings.field_values(sub, field) for sub, _ in leaves]
    counts: dict[str, int] = {}
    for d in docnums:
        i = bisect_right(offsets, d) - 1
        value = values[i].get(d - offsets[i], "")
        counts[value] = counts.get(value, 0) + 1
    return counts


def _exact(sub, q: wq.Query, run: _Run) -> Scores:
    """Any query, through its own Whoosh matcher (visiting only the
    documents asked about, if any)."""
    m = q.matcher(sub, run.context)
    out: Scores = {}
    if run.among is None or len(run.among) > SKIP_TO_MAX:
        while m.is_active():
            out[m.id()] = m.score()
            m.next()
        return out
    for d in sorted(run.among):
        if not m.is_active():
            break
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                break
        if m.id() == d:
            out[d] = m.score()
    return out


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}
