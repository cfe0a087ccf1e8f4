"""The hand-reviewed word lists the query layer uses: domain synonyms
(data/synonyms.tsv) and the English glossary (data/glossary_en.tsv, plus the
English names of places).

Synonym terms are keyed by their analysed form (Sudachi's normalized words
joined), so that 子ども and 子供, or ＮＰＯ and NPO, find the same group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from .analysis import SudachiAnalysis
from .places import english_names
from .resources import read_table, split_list

#: Weight of a synonym relative to the literal word.
RELATION_WEIGHTS = {"equal": 0.6, "related": 0.35}
_PLURAL = re.compile(r"(?<=[a-z]{3})(es|s)$")


@dataclass(frozen=True)
class Synonym:
    term: str
    relation: str  # "equal" or "related"


def term_key(analysis: SudachiAnalysis, text: str) -> str:
    """A term's analysed key: its normalized C-unit words joined.

    >>> term_key(SudachiAnalysis(), "子ども"), term_key(SudachiAnalysis(), "ＮＰＯ法人")
    ('子供', 'npo法人')
    """
    return "".join(u.text for u in analysis.units(text) if not u.stopped and u.level != "A")


class Lexicon:
    """Synonym and glossary lookups. Synonym terms are keyed by
    :func:`term_key`, so lookups ignore spelling variants that Sudachi
    already unifies."""

    def __init__(self, analysis: SudachiAnalysis) -> None:
        self._analysis = analysis
        key = self.key
        self._synonyms: dict[str, dict[str, Synonym]] = {}
        for row in read_table("synonyms.tsv"):
            relation = row["relation"]
            if relation not in RELATION_WEIGHTS:
                continue
            terms = split_list(row["terms"])
            for term in terms:
                group = self._synonyms.setdefault(key(term), {})
                for other in terms:
                    if key(other) == key(term):
                        continue
                    known = group.get(other)
                    if known is None or known.relation == "related":
                        group[other] = Synonym(other, relation)
        self._glossary: dict[str, tuple[str, ...]] = {}
        for row in read_table("glossary_en.tsv"):
            self._glossary[row["english"].lower()] = tuple(split_list(row["japanese"]))
        self._places = english_names()

    def key(self, text: str) -> str:
        """The lookup key of a Japanese term (see :func:`term_key`)."""
        return term_key(self._analysis, text)

    def synonyms(self, term_key: str) -> tuple[Synonym, ...]:
        """Other terms of every group ``term_key`` belongs to."""
        return tuple(self._synonyms.get(term_key, {}).values())

    def has_synonyms(self, term_key: str) -> bool:
        return term_key in self._synonyms

    def english(self, words: str) -> tuple[tuple[str, ...], str]:
        """Japanese terms for an English word or phrase, and their source
        ("glossary" or "place"); ((), "") when unknown. Plurals fold to the
        singular when only the singular is listed.
        """
        text = " ".join(words.lower().replace("’", "'").split())
        for candidate in (text, _PLURAL.sub("", text), text[:-1] if text.endswith("s") else ""):
            if not candidate:
                continue
            if candidate in self._glossary:
                return self._glossary[candidate], "glossary"
            if candidate in self._places:
                return (self._places[candidate],), "place"
        return (), ""


@lru_cache(maxsize=4)
def load_lexicon(analysis: SudachiAnalysis) -> Lexicon:
    """The lexicon for an analysis, built once per process."""
    return Lexicon(analysis)
