"""Projects like a given one: its most distinctive words, searched for in
the others."""

from __future__ import annotations

import math

from whoosh import query as wq

from ..analysis import SudachiAnalysis
from ..domain.fields import TEXT_FIELDS

#: How many of a record's words stand for it.
KEY_TERMS = 12


def key_terms(analysis: SudachiAnalysis, reader, fields: dict,
              count: int = KEY_TERMS) -> list[tuple[str, float]]:
    """The ``count`` most distinctive nouns of a record's title and summary,
    by tf-idf over the index, with their weights; a word in every record
    says nothing and is left out."""
    n = max(reader.doc_count(), 1)
    tf: dict[str, int] = {}
    for name in ("title", "summary"):
        for unit in analysis.units(fields.get(name, "")):
            if (not unit.stopped and len(unit.text) > 1 and unit.pos[0] == "名詞"
                    and unit.pos[1] not in ("数詞", "代名詞")):
                tf[unit.text] = tf.get(unit.text, 0) + 1
    scored = []
    for term, freq in tf.items():
        df = max(reader.doc_frequency("summary", term), reader.doc_frequency("title", term))
        if n > 1 and df >= n:
            continue
        scored.append((term, freq * math.log(1 + n / (1 + df))))
    scored.sort(key=lambda x: -x[1])
    return scored[:count]


def similar_query(terms: list[tuple[str, float]]) -> wq.Query:
    """A query for the key terms in titles, summaries and names, each
    weighted by its tf-idf and the field's boost."""
    return wq.Or([wq.Term(f, t, boost=w * TEXT_FIELDS[f])
                  for t, w in terms for f in ("title", "summary", "organization")])
