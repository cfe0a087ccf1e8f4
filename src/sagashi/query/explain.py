"""Why a document matched: for ``--explain``, each term that matched, in
which field, and the mechanism that produced it; and how a query was
understood, one line per clause."""

from __future__ import annotations

from whoosh import query as wq

from ..domain.fields import DEFAULT_FIELDS, TEXT_FIELDS
from ..results import Match, Related
from .expansions import is_weak, keyword_field
from .interpret import Alternative
from .plan import Clause, Plan, alternative_query
from .rank import matching


def explain(searcher, plan: Plan, docnum: int) -> tuple[Match, ...]:
    """The matches of document ``docnum`` for ``plan``: each alternative of
    each concept that matches it, in each field where it does."""
    out = []
    for clause in plan.leaves():
        concept = clause.concept
        if concept is None:
            if matching(searcher, clause.query, [docnum]):
                out.append(Match(clause.label, "*", clause.label, "query"))
            continue
        for alt in concept.alternatives:
            for field in _fields_of(alt, concept.fields):
                q = alternative_query(alt, (field,) if field in TEXT_FIELDS else None)
                if matching(searcher, q, [docnum]):
                    out.append(Match(concept.label, field, " ".join(alt.terms), alt.label))
    return tuple(out)


def related_only(searcher, plan: Plan, docnum: int) -> tuple[Related, ...]:
    """The words of the query that document ``docnum`` matches only through
    weak relations (ボランティア -> 支援者), each with the related words that
    matched."""
    out = []
    for clause in plan.leaves():
        concept = clause.concept
        if clause.direct is None or concept is None:
            continue
        if not matching(searcher, clause.query, [docnum]):
            continue
        if clause.direct is not wq.NullQuery and matching(searcher, clause.direct, [docnum]):
            continue
        words = [shown(alt.terms) for alt in concept.alternatives if is_weak(alt.source)
                 and matching(searcher, alternative_query(alt, concept.fields), [docnum])]
        if words:
            out.append(Related(concept.label, tuple(dict.fromkeys(words))))
    return tuple(out)


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
    """One line saying how a clause was understood: its forms, each with
    its mechanism and weight."""
    concept = clause.concept
    if concept is None:
        return clause.label
    alts = ", ".join(f"{' '.join(a.terms)} ({a.label} {a.weight:g})"
                     for a in concept.alternatives)
    return f"{concept.label}: {alts}"


def _fields_of(alt: Alternative, fields: tuple[str, ...] | None) -> tuple[str, ...]:
    field = keyword_field(alt.kind)
    if field is not None:
        return (field,)
    return fields or DEFAULT_FIELDS
