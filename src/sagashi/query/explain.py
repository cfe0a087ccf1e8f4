"""Why a document matched: for ``--explain``, each form that matched, in
which field, what the record holds there and the mechanism that produced the
form; and how a query was understood, one line per clause. Everything is said
in words a person can read: a SudachiDict synonym group as the record's words
(not ``#8390``), a reading as the word that has it (not ``~コベ``)."""

from __future__ import annotations

from whoosh import query as wq

from ..analysis import READING_PREFIX, SYNONYM_PREFIX, SudachiAnalysis
from ..domain.fields import DEFAULT_FIELDS, TEXT_FIELDS, is_column_field
from ..results import Match, Related
from .expansions import is_weak, keyword_field
from .highlight import Marks, match_spans
from .interpret import Alternative
from .plan import Clause, Plan, alternative_query
from .rank import matching

#: How ``--explain`` names each mechanism.
SOURCE_NAMES = {
    "literal": "the word itself", "compound": "the parts of the word",
    "sudachi synonym": "SudachiDict synonym", "synonym": "synonym",
    "related": "related word", "reading": "same reading", "romaji": "romaji reading",
    "glossary": "glossary", "glossary words": "its words translated one by one",
    "place": "English place name",
    "place name": "English place name", "prefecture": "records in the prefecture",
    "region": "records in the region", "entity": "legal entity type",
    "prefix": "prefix match", "query": "as written",
}
#: How ``--explain`` names a literal match written otherwise in the record.
VARIANT = "another form of the word"
#: The stored field a keyword field's value is shown from.
_SHOWN_KEYWORD = {"pref": "pref", "entity_code": "entity_raw"}


def explain(searcher, plan: Plan, docnum: int,
            analysis: SudachiAnalysis | None = None) -> tuple[Match, ...]:
    """The matches of document ``docnum`` for ``plan``: each alternative of
    each concept that matches it, in each field where it does, with the
    words of the record it matched there."""
    analysis = analysis or SudachiAnalysis()
    stored = searcher.stored_fields(docnum)
    out = []
    for clause in plan.leaves():
        concept = clause.concept
        if concept is None:
            if matching(searcher, clause.query, [docnum]):
                out.append(Match(clause.label, "*", clause.label, "query", clause.label,
                                 how("query")))
            continue
        for alt in concept.alternatives:
            for field in _fields_of(alt, concept.fields):
                own = field in TEXT_FIELDS or is_column_field(field)
                q = alternative_query(alt, (field,) if own else None)
                if matching(searcher, q, [docnum]):
                    found = _found(stored, field, alt, analysis)
                    said = how(alt.label)
                    if alt.label == "literal" and found and concept.label not in found.split("、"):
                        said = VARIANT  # 子供 for 子ども, 働く for 働ける, SNS for ＳＮＳ
                    out.append(Match(concept.label, field, found or form_text(alt, concept.label),
                                     alt.label, " ".join(alt.terms), said))
    return tuple(dict.fromkeys(out))  # 子ども, 子供 and こども are one synonym: said once


def how(label: str) -> str:
    """A mechanism (or a chain, ``glossary+synonym``) in words.

    >>> how("sudachi synonym"), how("glossary+synonym")
    ('SudachiDict synonym', 'glossary, then synonym')
    """
    return ", then ".join(SOURCE_NAMES.get(part, part) for part in label.split("+"))


def form_text(alt: Alternative, label: str) -> str:
    """What an alternative form looks for, in words.

    >>> from sagashi.query.interpret import alternative
    >>> form_text(alternative("term", ("#8390",), "sudachi synonym"), "ボランティア")
    'SudachiDict synonyms of ボランティア'
    >>> form_text(alternative("term", ("~コベ",), "reading"), "こうべ")
    'words read コベ'
    >>> form_text(alternative("words", ("支援", "者"), "related"), "ボランティア")
    '支援者'
    """
    if alt.kind in ("pref", "entity"):
        return ", ".join(alt.terms)
    if len(alt.terms) == 1 and alt.terms[0].startswith(SYNONYM_PREFIX):
        return f"SudachiDict synonyms of {label}"
    if len(alt.terms) == 1 and alt.terms[0].startswith(READING_PREFIX):
        return f"words read {alt.terms[0][len(READING_PREFIX):]}"
    return shown(alt.terms)


def _found(stored: dict, field: str, alt: Alternative, analysis: SudachiAnalysis) -> str:
    """The words of the record's ``field`` that ``alt`` matched, as written
    there ("" if they cannot be pointed at)."""
    if field in _SHOWN_KEYWORD:
        return str(stored.get(_SHOWN_KEYWORD[field], ""))
    text = stored.get(field, "")
    if not text:
        return ""
    marks = Marks(words=frozenset(t for t in alt.terms if t[:1] not in
                                  (READING_PREFIX, SYNONYM_PREFIX)),
                  readings=frozenset(t for t in alt.terms if t.startswith(READING_PREFIX)),
                  groups=frozenset(t for t in alt.terms if t.startswith(SYNONYM_PREFIX)))
    spans = []
    if len(alt.terms) > 1:  # words of one expression: where they stand together, if they do
        spans = match_spans(text, analysis, Marks(phrases=frozenset({alt.terms})))
    if not spans and alt.kind != "phrase":
        spans = match_spans(text, analysis, marks)
    return "、".join(dict.fromkeys(text[s:e] for s, e in spans))


def related_only(searcher, plan: Plan, docnums: list[int]) -> dict[int, tuple[Related, ...]]:
    """For each of ``docnums``, the words of the query it matches only
    through weak relations (ボランティア -> 支援者), each with the related
    words that matched. Each clause is evaluated once for all documents."""
    found: dict[int, list[Related]] = {d: [] for d in docnums}
    for clause in plan.leaves():
        concept = clause.concept
        if clause.direct is None or concept is None or not docnums:
            continue
        matched = set(matching(searcher, clause.query, docnums))
        if clause.direct is not wq.NullQuery:
            matched -= set(matching(searcher, clause.direct, matched))
        if not matched:
            continue
        words: dict[int, list[str]] = {d: [] for d in matched}
        for alt in concept.alternatives:
            if is_weak(alt.source):
                for d in matching(searcher, alternative_query(alt, concept.fields), matched):
                    words[d].append(shown(alt.terms))
        for d in sorted(matched):
            if words[d]:
                found[d].append(Related(concept.label, tuple(dict.fromkeys(words[d]))))
    return {d: tuple(r) for d, r in found.items()}


def shown(terms: tuple[str, ...]) -> str:
    """Index terms as a person would write them: Japanese words run
    together (支援 者 -> 支援者), Latin ones spaced.

    >>> shown(("支援", "者")), shown(("human", "rights")), shown(("sns", "相談"))
    ('支援者', 'human rights', 'sns相談')
    """
    out = ""
    for term in terms:
        if out and out[-1].isascii() and out[-1].isalnum() and term[:1].isascii() \
                and term[:1].isalnum():
            out += " "
        out += term
    return out


def describe(clause: Clause) -> str:
    """One line saying how a clause was understood: a translation first
    (``lớp học → 教室 (vi)``), then its forms in words, each with its
    mechanism and weight; a group as written, with its words.

    >>> from sagashi.query.interpret import Concept, alternative
    >>> from sagashi.query.plan import concept_clause
    >>> print(describe(concept_clause(Concept("児童", (alternative("words", ("児童",), "literal"),
    ...     alternative("term", ("#16008",), "sudachi synonym"))))))
    児童: 児童 (the word itself, 1), SudachiDict synonyms of 児童 (SudachiDict synonym, 0.5)
    """
    if clause.parts:
        return f"{clause.label}, as written: " + "; ".join(describe(p) for p in clause.parts)
    concept = clause.concept
    if concept is None:
        return clause.label
    name = _japanese(concept)
    alts = ", ".join(dict.fromkeys(f"{form_text(a, name)} ({how(a.label)}, {a.weight:g})"
                                   for a in concept.alternatives))
    if concept.language:
        return f"{concept.label} → {', '.join(concept.translated)} ({concept.language}): {alts}"
    return f"{concept.label}: {alts}"


def _japanese(concept) -> str:
    """The Japanese a concept stands for: its label, or for words of another
    language their translation (``learn japanese (学習)`` -> 学習)."""
    if not concept.language or not concept.translated:
        return concept.label
    if concept.label.endswith(")") and " (" in concept.label:
        return concept.label[concept.label.rindex(" (") + 2:-1]
    return concept.translated[0]


def _fields_of(alt: Alternative, fields: tuple[str, ...] | None) -> tuple[str, ...]:
    field = keyword_field(alt.kind)
    if field is not None:
        return (field,)
    return fields or DEFAULT_FIELDS
