"""From understood queries to Whoosh queries: the plan of a search.

A parsed query (:mod:`sagashi.query.syntax`) becomes a :class:`Plan`: a list
of :class:`Clause` objects, one per concept, phrase or field term, each a
Whoosh query, plus exclusions, an optional phrase bonus and a name lookup.
A concept scores the best of its alternative forms
(:class:`~sagashi.whoosh_ext.scoring.BestOf`), so a word found both
literally and by reading is not counted twice; how much each form counts
comes from :mod:`sagashi.query.expansions`. Explicit AND / OR queries get one
strict Whoosh query, run as written. :mod:`sagashi.query.rank` runs a plan.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from whoosh import query as wq

from ..analysis import READING_PREFIX, SYNONYM_PREFIX, bigrams, fold
from ..domain import entities, places
from ..domain.fields import DEFAULT_FIELDS, TEXT_FIELDS, is_column_field
from ..domain.languages import Language
from ..whoosh_ext.scoring import BestOf, blended_df, lucene_idf
from .expansions import is_weak, keyword_field, names_place, weight
from .interpret import Alternative, Concept, Interpreter, alternative
from .syntax import And, Field, Node, Not, Or, Phrase, Prefix, Seq, Words, bracketed, plain_text

#: Score a keyword-field match (prefecture, entity type) is worth, before weights.
KEYWORD_SCORE = 3.0
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
    required: bool = False  # quoted phrases, field:value and groups are never relaxed
    weight: float = 1.0  # how informative a match is (IDF of its commonest form)
    known: bool = True  # whether any record could match it at all
    #: For a bracketed group run as written (``(ウクライナ OR ベトナム)``): the
    #: clauses of the words inside it, for explain, highlights and messages.
    parts: tuple[Clause, ...] = ()
    #: For a concept with weak forms (ボランティア ~ 支援者): the query of its
    #: other forms, which find it directly. None when it has no weak forms.
    direct: wq.Query | None = None

    def leaves(self) -> tuple[Clause, ...]:
        """The clauses of single words this clause stands for: its parts for
        a group, else itself."""
        return self.parts or (self,)


@dataclass(frozen=True)
class Plan:
    """How to run a query: tiered clauses, or one strict Whoosh query."""

    clauses: tuple[Clause, ...]
    exclusions: tuple[Clause, ...]
    strict: wq.Query | None = None  # set for explicit AND / OR queries
    name: wq.Query | None = None  # the query text as part of an organisation name
    boost: wq.Query | None = None  # optional: words typed together, found together
    language: Language = "ja"  # the language the query was read in
    text: str = ""  # the query as typed (normalized), for messages

    @property
    def empty(self) -> bool:
        return not self.clauses and self.strict is None

    def leaves(self) -> tuple[Clause, ...]:
        """The clauses of the single words the query asks for (a group's
        words included)."""
        return tuple(leaf for clause in self.clauses for leaf in clause.leaves())

    @property
    def unmatched(self) -> tuple[str, ...]:
        """The words of the query (as typed) that no record contains, in
        any of their forms; unknown words typed as one (量子 + コンピュータ)
        are named as one (量子コンピュータ)."""
        out: list[str] = []
        joinable = False
        for clause in self.leaves():
            if clause.known:
                joinable = False
                continue
            if joinable and out[-1] + clause.label in self.text:
                out[-1] += clause.label
            else:
                out.append(clause.label)
            joinable = True
        return tuple(dict.fromkeys(out))


def make_plan(node: Node, interpreter: Interpreter, reader, language: Language | None = None,
              text: str = "") -> Plan:
    """Compile a parsed query into a :class:`Plan`, reading its words in
    ``language`` (default: the one it is detected to be written in);
    ``text`` is the query as typed, for messages."""
    language = language or interpreter.detect(plain_text(node))
    interpreter = interpreter.reading(language)
    share = MAX_PREFIX_DOCS // max(1, _prefixes(node))  # the prefixes share one budget
    if isinstance(node, (And, Or)):
        clauses = _clauses(node, interpreter, reader, None, share)
        strict = _strict(node, interpreter, reader, None, share)
        return Plan(tuple(c for c in clauses), (), strict, language=language, text=text)
    items = tuple(dict.fromkeys(node.items))[:MAX_CLAUSES] if isinstance(node, Seq) else (node,)
    positive, negative, phrases = [], [], []
    for item in items:
        if isinstance(item, Not):  # what it excludes, as written: -(a AND b) hides a and b together
            negative.append(_group_clause(item.item, interpreter, reader, share))
        elif isinstance(item, Words):
            understood = interpreter.understand(item.text)
            positive += [concept_clause(c, reader) for c in understood.concepts]
            phrases += understood.phrases
        elif _has_group(item):  # 難民 (ウクライナ OR ベトナム) is 難民 AND (ウクライナ OR ベトナム)
            positive.append(_group_clause(item, interpreter, reader, share))
        else:  # quoted phrases, field:value and prefix* are what the searcher insisted on
            positive += [dataclasses.replace(c, required=True)
                         for c in _clauses(item, interpreter, reader, None, share)]
    name = _name_query(node.text) if isinstance(node, Words) and positive else None
    return Plan(_bounded(positive), _bounded(negative), name=name,
                boost=_phrase_boost(phrases[:MAX_CLAUSES]), language=language, text=text)


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


def _has_group(node: Node) -> bool:
    """Whether a node holds a bracketed group, to be run as written: AND,
    OR, or several items in parentheses (``(a -b)``)."""
    if isinstance(node, (And, Or, Seq)):
        return True
    if isinstance(node, (Field, Not)):
        return _has_group(node.item)
    return False


def _group_clause(node: Node, interpreter: Interpreter, reader, prefix_docs: int) -> Clause:
    """One required clause for a part of a query run as written (a
    bracketed group, or what a ``-`` or NOT excludes); the clauses of its
    words are kept as its parts."""
    parts = tuple(_clauses(node, interpreter, reader, None, prefix_docs))
    query = _strict(node, interpreter, reader, None, prefix_docs)
    return Clause(bracketed(node), query, None, required=True,
                  weight=max((p.weight for p in parts), default=1.0),
                  known=any(p.known for p in parts) or not parts, parts=parts)


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
        if interpreter.translates(node.text):  # "aulas de japonês": what it translates to
            return [concept_clause(c, reader)
                    for c in interpreter.concepts(node.text, _fields_of(node.field) or fields)]
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
    if isinstance(node, Field) and _has_group(node.item):
        return _strict(_field_inside(node.field, node.item), interpreter, reader, fields,
                       prefix_docs)
    clauses = _clauses(node, interpreter, reader, fields, prefix_docs)
    if not clauses:
        return wq.NullQuery
    return clauses[0].query if len(clauses) == 1 else wq.And([c.query for c in clauses])


def _field_inside(field: str, node: Node) -> Node:
    """``field:(a OR -b)`` as ``field:a OR -field:b``: the field applied to
    each word of a group (a field written inside it wins)."""
    if isinstance(node, (And, Or, Seq)):
        return type(node)(tuple(_field_inside(field, item) for item in node.items))
    if isinstance(node, Not):
        return Not(_field_inside(field, node.item))
    if isinstance(node, Field):
        return node
    if isinstance(node, Phrase):
        return Field(field, Phrase(node.text, field))
    return Field(field, node)


def _fields_of(field: str | None) -> tuple[str, ...] | None:
    return (field,) if field is not None and (field in TEXT_FIELDS or is_column_field(field)) \
        else None


def concept_clause(concept: Concept, reader=None) -> Clause:
    """The Whoosh query of a concept: the best of its alternatives.

    With a ``reader``, alternatives no record contains are left out (each
    costs a matcher on every query), and each expansion is scaled so that it
    scores like the literal word would (its weight times the literal's IDF,
    not its own): a rare synonym must not outrank the word the searcher
    actually typed.
    """
    literal = primary(concept)
    if reader is None:
        subs = [alternative_query(alt, concept.fields) for alt in concept.alternatives]
        return Clause(concept.label, _best(subs), concept)
    dfs = {alt: _alternative_df(reader, alt, concept.fields) for alt in concept.alternatives}
    useful = _strongest([alt for alt in concept.alternatives if dfs[alt] > 0]
                        or [concept.alternatives[0]], literal)
    target = _idf(reader, literal.terms) if literal and dfs[literal] else _idf(reader, ())
    subs, direct = [], []
    for alt in useful:
        scale = 1.0
        if alt is not literal and alt.kind in ("words", "phrase", "term"):
            scale = target / _idf(reader, alt.terms)
        subs.append(alternative_query(alt, concept.fields, scale))
        if not is_weak(alt.source):
            direct.append(subs[-1])
    # informativeness: of the word as typed when records contain it, else of
    # the commonest form that stands in for it. A word no record holds counts
    # as one a single record holds: as informative as a word can be, but no
    # more (the smoothed IDF of a word found nowhere is an artefact that
    # would let one unknown word outweigh any ordinary word beside it).
    df = dfs[literal] if literal else 0
    if df == 0:
        df = max(dfs.values())
    return Clause(concept.label, _best(subs), concept,
                  weight=lucene_idf(reader.doc_count_all(), max(df, 1)), known=df > 0,
                  direct=None if len(direct) == len(subs) else
                  _best(direct) if direct else wq.NullQuery)


def primary(concept: Concept) -> Alternative | None:
    """The form that stands for what was typed, which the other forms are
    scaled to: the word itself, or for a word of another language, its
    main translation (so 난민 scores as 難民 would)."""
    found = next((a for a in concept.alternatives if a.source == "literal"), None)
    if found is None and concept.language:
        found = next((a for a in concept.alternatives if a.source == "glossary"), None)
    return found


def _strongest(alts: list[Alternative], first: Alternative | None = None) -> list[Alternative]:
    """Each form once (at its best weight), and at most MAX_ALTERNATIVES of
    them, ``first`` (the word as typed, or its translation) first: every
    form costs matchers on every query."""
    best: dict[tuple, Alternative] = {}
    for alt in alts:
        key = (alt.kind, alt.terms)
        if key not in best or alt.weight > best[key].weight or alt is first:
            best[key] = alt
    ranked = sorted(best.values(), key=lambda a: (a is not first, -a.weight))
    return ranked[:MAX_ALTERNATIVES]


def _best(subs: list[wq.Query]) -> wq.Query:
    return subs[0] if len(subs) == 1 else BestOf(subs, tiebreak=TIEBREAK)


def _alternative_df(reader, alt: Alternative, fields: tuple[str, ...] | None = None) -> int:
    """About how many records an alternative matches (a phrase: at most as
    many as its rarest word), in ``fields`` when the query names them (a
    kept column: 担当者:鈴木), else in the text fields."""
    field = keyword_field(alt.kind)
    if field is not None:
        return sum(reader.doc_frequency(field, v) for v in alt.terms)
    return min(blended_df(reader, fields or TEXT_FIELDS, t) for t in alt.terms)


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
    field = keyword_field(alt.kind)
    if field is not None:
        terms = [wq.Term(field, value) for value in alt.terms]
        inner = terms[0] if len(terms) == 1 else wq.Or(terms)
        return wq.ConstantScoreQuery(inner, KEYWORD_SCORE * alt.weight)
    subs = []
    for field in fields or _fields_for(alt):
        boost = TEXT_FIELDS.get(field, 1.0) * alt.weight * scale  # a kept column counts 1
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


def _fields_for(alt: Alternative) -> tuple[str, ...]:
    """Where an alternative is looked for: what may name a place everywhere,
    other expansions everywhere but 所在地."""
    if names_place(alt.source):
        return DEFAULT_FIELDS
    return tuple(f for f in DEFAULT_FIELDS if f != "location")


def _keyword_clause(field: str, value: str) -> Clause:
    value = value.strip()
    if field == "no":
        return Clause(f"no:{value}", wq.Term("no", value))
    if field == "pref":
        place = places.lookup(value)
        prefs = place.prefectures if place else (value,)
        alt = alternative("pref", prefs, "prefecture")
    else:
        alt = alternative("entity", entities.codes_for(value), "entity")
    concept = Concept(value, (alt,))
    return Clause(value, alternative_query(alt, None), concept)


def _prefix_clause(text: str, reader, fields, max_docs: int) -> Clause:
    """Words starting with ``text``: at most MAX_PREFIX_TERMS of them, found
    in at most ``max_docs`` records in all (the work of a query grows with
    the postings it reads)."""
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
    full = 1 / weight("prefix")  # the prefix itself, as a word, counts fully
    alts = tuple(alternative("words", (t,), "prefix", full if t == prefix else 1.0)
                 for t in sorted(terms))
    if not alts:
        alts = (alternative("words", (prefix,), "literal"),)
    concept = Concept(text + "*", alts, fields)
    query = wq.Or([alternative_query(a, fields) for a in alts])
    return Clause(concept.label, query, concept)
