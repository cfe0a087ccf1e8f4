"""From understood queries to ranked document numbers.

A parsed query (:mod:`sagashi.query_syntax`) becomes a list of
:class:`Clause` objects, one per concept, phrase or field term, each a Whoosh
query. Plain queries are ranked in tiers: documents that match every clause
first (BM25F with field boosts), then partial matches that hold enough of
the query's information (:func:`partial_enough`), by how many clauses they
match and then by score. Explicit AND / OR queries
are run as written. A concept scores the best of its alternative forms
(:class:`~sagashi.scoring.BestOf`), so a word found both literally and by
reading is not counted twice.
"""

from __future__ import annotations

import dataclasses
import heapq
from dataclasses import dataclass

from whoosh import query as wq

from . import bulk, entities, places
from .analysis import READING_PREFIX, SYNONYM_PREFIX, bigrams
from .errors import UsageError
from .interpret import Alternative, Concept, Interpreter
from .scoring import BestOf, blended_df, lucene_idf
from .query_syntax import And, Field, Not, Node, Or, Phrase, Prefix, Seq, Words
from .schema import DEFAULT_FIELDS, TEXT_FIELDS

#: Score a keyword-field match (prefecture, entity type) is worth, before weights.
KEYWORD_SCORE = 3.0
#: How far past ``limit`` relaxed matching looks for partial matches.
POOL_FACTOR, POOL_MIN = 5, 50
#: How many of the best full matches the phrase bonus may reorder.
RESCORE_WINDOW = 50
#: Prefix queries expand to at most this many indexed words, found in at
#: most this many records in all (shared by the prefixes of one query).
MAX_PREFIX_TERMS, MAX_PREFIX_DOCS = 64, 100_000
#: A query keeps at most this many distinct clauses (and phrase bonuses).
MAX_CLAUSES = 16
#: A concept keeps at most this many of its forms (the strongest).
MAX_ALTERNATIVES = 8
TIEBREAK = 0.1
#: A word found in several fields scores its best field plus this share of
#: the others ("best fields"), so a generic word in a name does not dominate.
FIELD_TIEBREAK = 0.3
#: Weight of the phrase bonus (words typed together found together).
PHRASE_WEIGHT = 1.0


@dataclass(frozen=True)
class Clause:
    """One thing a document is asked to match, as a Whoosh query, with the
    concept it came from (for explain and highlighting)."""

    label: str
    query: wq.Query
    concept: Concept | None = None
    required: bool = False  # quoted phrases and field:value are never relaxed
    weight: float = 1.0  # how informative a match is (IDF of its commonest form)
    known: bool = True  # whether any record could match it at all


@dataclass(frozen=True)
class Plan:
    """How to run a query: tiered clauses, or one strict Whoosh query."""

    clauses: tuple[Clause, ...]
    exclusions: tuple[Clause, ...]
    strict: wq.Query | None = None  # set for explicit AND / OR queries
    name: wq.Query | None = None  # the query text as part of an organisation name
    boost: wq.Query | None = None  # optional: words typed together, found together

    @property
    def empty(self) -> bool:
        return not self.clauses and self.strict is None


#: A partial match must hold this share of the query's information (IDF
#: weight) among the words the records know, and this share overall.
KNOWN_SHARE, OVERALL_SHARE = 0.2, 0.25


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


def plan(node: Node, interpreter: Interpreter, reader) -> Plan:
    """Compile a parsed query into a :class:`Plan`."""
    share = MAX_PREFIX_DOCS // max(1, _prefixes(node))  # the prefixes share one budget
    if isinstance(node, (And, Or)):
        clauses = _clauses(node, interpreter, reader, None, share)
        strict = _strict(node, interpreter, reader, None, share)
        return Plan(tuple(c for c in clauses), (), strict)
    items = tuple(dict.fromkeys(node.items))[:MAX_CLAUSES] if isinstance(node, Seq) else (node,)
    positive, negative, phrases = [], [], []
    for item in items:
        if isinstance(item, Not):
            negative += _clauses(item.item, interpreter, reader, None, share)
        elif isinstance(item, Words):
            understood = interpreter.understand(item.text)
            positive += [concept_clause(c, reader) for c in understood.concepts]
            phrases += understood.phrases
        else:  # quoted phrases, field:value and prefix* are what the searcher insisted on
            positive += [dataclasses.replace(c, required=True)
                         for c in _clauses(item, interpreter, reader, None, share)]
    name = _name_query(node.text) if isinstance(node, Words) and positive else None
    return Plan(_bounded(positive), _bounded(negative), name=name,
                boost=_phrase_boost(phrases[:MAX_CLAUSES]))


def _bounded(clauses: list[Clause]) -> tuple[Clause, ...]:
    """Each clause once (支援支援支援… asks for 支援 once), and at most
    MAX_CLAUSES of them, so no query, however long, is slow."""
    seen, out = set(), []
    for clause in clauses:
        key = (clause.label, clause.required)
        if key not in seen:
            seen.add(key)
            out.append(clause)
    return tuple(out[:MAX_CLAUSES])


def _phrase_boost(phrases: list[tuple[str, ...]]) -> wq.Query | None:
    """Optional clauses rewarding documents where words typed side by side
    occur side by side (a match_phrase rescoring, in Elasticsearch terms)."""
    subs = [wq.Phrase(field, list(words), boost=boost * PHRASE_WEIGHT)
            for words in phrases for field in DEFAULT_FIELDS
            for boost in (TEXT_FIELDS[field],)]
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def _name_query(text: str) -> wq.Query | None:
    """For a one-word query: its text inside an organisation name, whatever
    the segmentation (a phrase of character bigrams)."""
    grams = bigrams(text)
    if len(text.split()) != 1 or not grams or len(grams[0]) < 2:
        return None
    return wq.Term("name_grams", grams[0]) if len(grams) == 1 else \
        wq.Phrase("name_grams", grams)


def _prefixes(node: Node) -> int:
    """How many prefix* terms a query holds."""
    if isinstance(node, Prefix):
        return 1
    if isinstance(node, (Field, Not)):
        return _prefixes(node.item)
    if isinstance(node, (And, Or, Seq)):
        return sum(_prefixes(item) for item in node.items)
    return 0


def _clauses(node: Node, interpreter: Interpreter, reader, fields,
             prefix_docs: int = 0) -> list[Clause]:
    """The clauses of a leaf (or, for explain, of every leaf below a node);
    a prefix expands to words found in at most ``prefix_docs`` records in all
    (default MAX_PREFIX_DOCS)."""
    if isinstance(node, Words):
        return [concept_clause(c, reader) for c in interpreter.concepts(node.text, fields)]
    if isinstance(node, Phrase):
        concept = interpreter.phrase(node.text, _fields_of(node.field) or fields)
        return [concept_clause(concept, reader)] if concept else []
    if isinstance(node, Prefix):
        return [_prefix_clause(node.text, reader, fields, prefix_docs or MAX_PREFIX_DOCS)]
    if isinstance(node, Field):
        if node.field in ("no", "pref", "entity") and isinstance(node.item, Words):
            return [_keyword_clause(node.field, node.item.text)]
        return _clauses(node.item, interpreter, reader, _fields_of(node.field), prefix_docs)
    if isinstance(node, (And, Or, Seq)):
        return [c for item in tuple(dict.fromkeys(node.items))[:MAX_CLAUSES]
                for c in _clauses(item, interpreter, reader, fields, prefix_docs)]
    if isinstance(node, Not):
        return []
    raise TypeError(f"unknown query node {node!r}")


def _strict(node: Node, interpreter: Interpreter, reader, fields=None,
            prefix_docs: int = 0) -> wq.Query:
    if isinstance(node, (And, Seq, Or)):
        items = tuple(dict.fromkeys(node.items))[:MAX_CLAUSES]
        subs = [_strict(item, interpreter, reader, fields, prefix_docs) for item in items]
        return wq.Or(subs) if isinstance(node, Or) else wq.And(subs)
    if isinstance(node, Not):
        return wq.Not(_strict(node.item, interpreter, reader, fields, prefix_docs))
    clauses = _clauses(node, interpreter, reader, fields, prefix_docs)
    if not clauses:
        return wq.NullQuery
    return clauses[0].query if len(clauses) == 1 else wq.And([c.query for c in clauses])


def _fields_of(field: str | None) -> tuple[str, ...] | None:
    return (field,) if field in TEXT_FIELDS else None


def concept_clause(concept: Concept, reader=None) -> Clause:
    """The Whoosh query of a concept: the best of its alternatives.

    With a ``reader``, alternatives no record contains are left out (each
    costs a matcher on every query), and each expansion is scaled so that it
    scores like the literal word would (its weight times the literal's IDF,
    not its own): a rare synonym must not outrank the word the searcher
    actually typed.
    """
    literal = next((a for a in concept.alternatives if a.source == "literal"), None)
    if reader is None:
        subs = [alternative_query(alt, concept.fields) for alt in concept.alternatives]
        return Clause(concept.label, _best(subs), concept)
    dfs = {alt: _alternative_df(reader, alt) for alt in concept.alternatives}
    useful = _strongest([alt for alt in concept.alternatives if dfs[alt] > 0]
                        or [concept.alternatives[0]])
    target = _idf(reader, literal.terms) if literal and dfs[literal] else _idf(reader, ())
    subs = []
    for alt in useful:
        scale = 1.0
        if alt is not literal and alt.kind in ("words", "phrase", "term"):
            scale = target / _idf(reader, alt.terms)
        subs.append(alternative_query(alt, concept.fields, scale))
    # informativeness: of the word as typed when records contain it, else of
    # the commonest form that stands in for it
    df = dfs[literal] if literal else 0
    if df == 0:
        df = max(dfs.values())
    return Clause(concept.label, _best(subs), concept,
                  weight=lucene_idf(reader.doc_count_all(), df), known=df > 0)


def _strongest(alts: list[Alternative]) -> list[Alternative]:
    """Each form once (at its best weight), and at most MAX_ALTERNATIVES of
    them, the literal word first: every form costs matchers on every query."""
    best: dict[tuple, Alternative] = {}
    for alt in alts:
        key = (alt.kind, alt.terms)
        if key not in best or alt.weight > best[key].weight:
            best[key] = alt
    ranked = sorted(best.values(), key=lambda a: (a.source != "literal", -a.weight))
    return ranked[:MAX_ALTERNATIVES]


def _best(subs: list[wq.Query]) -> wq.Query:
    return subs[0] if len(subs) == 1 else BestOf(subs, tiebreak=TIEBREAK)


def _alternative_df(reader, alt: Alternative) -> int:
    """About how many records an alternative matches (a phrase: at most as
    many as its rarest word)."""
    if alt.kind in ("pref", "entity"):
        field = "pref" if alt.kind == "pref" else "entity_code"
        return sum(reader.doc_frequency(field, v) for v in alt.terms)
    return min(blended_df(reader, TEXT_FIELDS, t) for t in alt.terms)


def _idf(reader, terms: tuple[str, ...]) -> float:
    """Summed IDF of ``terms`` as :class:`~sagashi.scoring.BlendedBM25F`
    computes it; an empty tuple gives the IDF of a word found nowhere."""
    n = reader.doc_count_all()
    if not terms:
        return lucene_idf(n, 0)
    total = sum(lucene_idf(n, blended_df(reader, TEXT_FIELDS, t))
                for t in terms)
    return max(total, 1e-6)


def alternative_query(alt: Alternative, fields: tuple[str, ...] | None,
                      scale: float = 1.0) -> wq.Query:
    """A Whoosh query for one alternative form, over ``fields`` (default: all
    text fields, each with its boost)."""
    if alt.kind in ("pref", "entity"):
        field = "pref" if alt.kind == "pref" else "entity_code"
        terms = [wq.Term(field, value) for value in alt.terms]
        inner = terms[0] if len(terms) == 1 else wq.Or(terms)
        return wq.ConstantScoreQuery(inner, KEYWORD_SCORE * alt.weight)
    subs = []
    for field in fields or _fields_for(alt):
        boost = TEXT_FIELDS[field] * alt.weight * scale
        if alt.kind == "phrase" and len(alt.terms) > 1:
            subs.append(wq.Phrase(field, list(alt.terms), boost=boost))
        elif len(alt.terms) > 1:
            # a multi-word synonym or translation: its words in one field.
            # Positions would be more exact, but Whoosh's span matching costs
            # seconds per query on a large index, for little difference here.
            subs.append(wq.And([wq.Term(field, t) for t in alt.terms], boost=boost))
        else:
            subs.append(wq.Term(field, alt.terms[0], boost=boost))
    if len(subs) == 1:
        return subs[0]
    return BestOf(subs, tiebreak=FIELD_TIEBREAK)


#: Expansions that may name a place; others are not looked for in 所在地.
PLACE_SOURCES = {"literal", "compound", "reading", "romaji", "place name", "prefecture", "region"}


def _fields_for(alt: Alternative) -> tuple[str, ...]:
    """Where an alternative is looked for: what may name a place everywhere,
    other expansions everywhere but 所在地."""
    if alt.source in PLACE_SOURCES:
        return DEFAULT_FIELDS
    return tuple(f for f in DEFAULT_FIELDS if f != "location")


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


def _prefix_clause(text: str, reader, fields, max_docs: int) -> Clause:
    """Words starting with ``text``: at most MAX_PREFIX_TERMS of them, found
    in at most ``max_docs`` records in all (the work of a query grows with
    the postings it reads)."""
    from .analysis import fold
    prefix = fold(text)
    terms: set[str] = set()
    docs = 0
    if prefix[:1] not in (READING_PREFIX, SYNONYM_PREFIX):  # words only, never ~/# terms
        for field in fields or DEFAULT_FIELDS:
            for term in reader.expand_prefix(field, prefix):
                term = term.decode("utf-8") if isinstance(term, bytes) else term
                if term in terms:
                    continue
                docs += blended_df(reader, TEXT_FIELDS, term)
                if terms and docs > max_docs:
                    break
                terms.add(term)
                if len(terms) >= MAX_PREFIX_TERMS:
                    break
            if len(terms) >= MAX_PREFIX_TERMS or docs > max_docs:
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
    of matching documents; and every matching document (for facet counts)."""

    ranked: list
    total: int
    docnums: set


def run(searcher, plan_: Plan, limit: int, filter_q=None) -> Ranking:
    """Rank documents for a plan (see the module docstring).

    Every full match is scored (:mod:`sagashi.bulk`), which also counts them
    exactly; the phrase bonus rescores the best RESCORE_WINDOW of them only.
    Partial matches are looked for when the full ones do not fill the page.
    """
    allowed = bulk.docs_of(searcher, filter_q)
    masked = bulk.docs_of(searcher, wq.Or([c.query for c in plan_.exclusions])
                          if plan_.exclusions else None)
    n = len(plan_.clauses)
    window = max(limit, RESCORE_WINDOW) if plan_.boost is not None else limit
    full = _kept(bulk.score_all(searcher, plan_.strict if plan_.strict is not None
                                else _all(plan_.clauses)), allowed, masked)
    matching_docs = set(full)
    ranked = _rescore(searcher, [(d, s, n) for d, s in _top(full, window)],
                      plan_.boost)[:limit]
    if plan_.name is not None:  # name lookups first: 「まなびと」 finds まなびと
        by_name = _top(_kept(bulk.score_all(searcher, plan_.name), allowed, masked), limit)
        named = [(d, full.get(d, s), n) for d, s in by_name]
        matching_docs.update(d for d, _ in by_name)
        named_set = {d for d, _, _ in named}
        ranked = (named + [r for r in ranked if r[0] not in named_set])[:limit]
    optional = [c for c in plan_.clauses if not c.required]
    if plan_.strict is None and n > 1 and optional and len(ranked) < limit:
        required = [c.query for c in plan_.clauses if c.required]
        wanted = optional[0].query if len(optional) == 1 else wq.Or([c.query for c in optional])
        pool = _kept(bulk.score_all(searcher, wq.And([*required, wanted]) if required
                                    else wanted), allowed, masked)
        seen = {d for d, _, _ in ranked} | matching_docs
        candidates = [(d, s) for d, s in _top(pool, max(limit * POOL_FACTOR, POOL_MIN))
                      if d not in seen]
        matched = matches_by_doc(searcher, optional, [d for d, _ in candidates])
        base = n - len(optional)
        relaxed = [(d, s, base + len(matched[d])) for d, s in candidates
                   if 0 < len(matched[d]) < len(optional)  # full ones were counted above
                   and partial_enough(matched[d], optional)]
        weights = {d: sum(c.weight for c in matched[d]) for d, _, _ in relaxed}
        # more clauses first; among equals, the more informative words; then score
        relaxed.sort(key=lambda x: (-x[2], -weights[x[0]], -x[1]))
        ranked += relaxed[:limit - len(ranked)]
        matching_docs.update(d for d, _, _ in relaxed)
    return Ranking(ranked, len(matching_docs), matching_docs)


def _kept(scores: dict, allowed: set | None, masked: set | None) -> dict:
    """``scores`` of the documents the filter allows and the mask does not hide."""
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    if masked:
        scores = {d: s for d, s in scores.items() if d not in masked}
    return scores


def _top(scores: dict, k: int) -> list[tuple[int, float]]:
    """The ``k`` best ``(docnum, score)``, ties in document order (as Whoosh)."""
    return heapq.nsmallest(k, scores.items(), key=lambda x: (-x[1], x[0]))


def _rescore(searcher, ranked: list, boost: wq.Query | None) -> list:
    """Add the phrase bonus to each ranked document that earns it, and sort."""
    if boost is None or not ranked:
        return ranked
    bonus = bulk.score_all(searcher, boost, {d for d, _, _ in ranked})
    return sorted(((d, s + bonus.get(d, 0.0), m) for d, s, m in ranked),
                  key=lambda r: (-r[1], r[0]))


def _all(clauses) -> wq.Query:
    return clauses[0].query if len(clauses) == 1 else wq.And([c.query for c in clauses])


def matches_by_doc(searcher, clauses: list[Clause], docnums) -> dict[int, list[Clause]]:
    """For each of ``docnums``, the clauses it matches."""
    found: dict[int, list[Clause]] = {d: [] for d in docnums}
    for clause in clauses if found else ():
        for d in matching(searcher, clause.query, found):
            found[d].append(clause)
    return found


def matching(searcher, q: wq.Query, docnums) -> list[int]:
    """Those of ``docnums`` that ``q`` matches, in order."""
    return sorted(bulk.score_all(searcher, q, set(docnums)))
