"""How much each kind of query expansion counts, and where it is looked for.

A concept of a query (:mod:`sagashi.query.interpret`) is found through
alternative forms, each produced by one mechanism, its *source*: the word
as typed, its compound parts, a synonym, its reading, a translation, a place
or an entity type. This table is the one place that says, for each source,
its weight relative to the literal word and whether it may name a place
(and so be looked for in 所在地). Change how an expansion counts here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What an alternative is made of. ``words``: one term, or several in one
#: field (a multi-word synonym or translation); ``phrase``: words side by
#: side, in order; ``term``: a reading (``~...``) or synonym-group (``#...``)
#: term; ``pref`` / ``entity``: values of the keyword fields.
Kind = Literal["words", "phrase", "term", "pref", "entity"]

#: The mechanism that produced an alternative.
Source = Literal["literal", "compound", "sudachi synonym", "synonym", "related", "reading",
                 "romaji", "glossary", "glossary words", "place", "place name", "prefecture",
                 "region", "entity", "prefix"]


@dataclass(frozen=True)
class Expansion:
    """How one source counts: ``weight`` relative to the literal word;
    whether what it produces may name a place; and whether it is a weak
    relation (a record found only through it ranks below every record
    found directly, and says so)."""

    weight: float
    names_place: bool = False
    weak: bool = False


EXPANSIONS: dict[Source, Expansion] = {
    "literal": Expansion(1.0, names_place=True),
    "compound": Expansion(0.9, names_place=True),  # 日本語教室 -> 日本 語 教室
    "sudachi synonym": Expansion(0.5),  # SudachiDict groups: 子ども ~ 児童
    "synonym": Expansion(0.6),  # data/synonyms.tsv, relation "equal"
    "related": Expansion(0.35, weak=True),  # data/synonyms.tsv, relation "related"
    "reading": Expansion(0.7, names_place=True),  # こうべ -> 神戸
    "romaji": Expansion(0.7, names_place=True),  # kobe -> 神戸
    "glossary": Expansion(0.8),  # words of other languages: data/glossary_XX.tsv
    # a glossary phrase as its words translated one by one, together in a
    # field (aulas de japonês -> 教室 日本語): below the phrase's own translation
    "glossary words": Expansion(0.5),
    # An English place name: "place name" is the prefectures it covers; "place"
    # its Japanese words (神戸 for kobe), found in 所在地 through the former
    # and through the reading that romaji gives.
    "place name": Expansion(0.9, names_place=True),
    "place": Expansion(0.9),
    "prefecture": Expansion(1.0, names_place=True),  # a place word -> records there
    "region": Expansion(1.0, names_place=True),
    "entity": Expansion(1.0),  # NPO法人 -> (特非)
    "prefix": Expansion(0.8),  # ボランティ* -> ボランティア (the prefix itself: 1.0)
}

#: A glossary translation that is part of one listed before it (japanese:
#: 日本語, then 日本) is the broader word; it counts for this share.
BROADER_TRANSLATION = 0.5


def translation_scale(terms: tuple[str, ...] | list[str], i: int) -> float:
    """How much the ``i``-th translation of a glossary row counts: fully,
    unless an earlier one contains it (日本 after 日本語, 外国 after 外国人),
    when it is the broader word. Spelling variants and other equals
    (食料支援, 食糧支援; 移民, 移住者) count alike.

    >>> translation_scale(("日本語", "日本"), 1), translation_scale(("食料支援", "食糧支援"), 1)
    (0.5, 1.0)
    """
    term = terms[i]
    return BROADER_TRANSLATION if any(term in earlier for earlier in terms[:i]) else 1.0

#: The source of a synonym of each relation in data/synonyms.tsv.
RELATION_SOURCES: dict[str, Source] = {"equal": "synonym", "related": "related"}

#: The keyword field each keyword kind is looked for in.
KEYWORD_FIELDS: dict[str, str] = {"pref": "pref", "entity": "entity_code"}


def weight(source: Source) -> float:
    """The weight of a source relative to the literal word (1.0).

    >>> weight("literal"), weight("related")
    (1.0, 0.35)
    """
    return EXPANSIONS[source].weight


def names_place(source: Source) -> bool:
    """Whether an alternative from ``source`` may name a place (and so is
    looked for in 所在地 too)."""
    return EXPANSIONS[source].names_place


def is_weak(source: Source) -> bool:
    """Whether ``source`` is a weak relation (ボランティア -> 支援者).

    >>> is_weak("related"), is_weak("synonym")
    (True, False)
    """
    return EXPANSIONS[source].weak


def keyword_field(kind: Kind) -> str | None:
    """The keyword field of a ``pref`` or ``entity`` alternative; None for
    the text kinds."""
    return KEYWORD_FIELDS.get(kind)
