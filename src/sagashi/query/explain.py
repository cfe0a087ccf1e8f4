"""Why a document matched: for ``--explain``, each term that matched, in
which field, and the mechanism that produced it; and how a query was
understood, one line per clause."""

from __future__ import annotations

from ..domain.fields import DEFAULT_FIELDS, TEXT_FIELDS
from ..results import Match
from .expansions import keyword_field
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
