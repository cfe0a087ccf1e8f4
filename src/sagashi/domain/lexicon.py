"""The hand-reviewed word lists the query layer uses: domain synonyms
(data/synonyms.tsv) and the English glossary (data/glossary_en.tsv, plus the
English names of places).

Synonym terms are keyed by their analysed form (Sudachi's normalized words
joined), so that 子ども and 子供, or ＮＰＯ and NPO, find the same group.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ..analysis import SudachiAnalysis, dictionary_version
from ..files import write_atomic
from .places import english_names
from .resources import cache_dir, data_dir, read_table, split_list

#: How close a synonym is: ``equal`` (interchangeable for search) or
#: ``related`` (close; a match counts for less). The weights are the query
#: layer's (:mod:`sagashi.query.expansions`).
Relation = Literal["equal", "related"]
RELATIONS: tuple[Relation, ...] = ("equal", "related")
_PLURAL = re.compile(r"(?<=[a-z]{3})(es|s)$")


@dataclass(frozen=True)
class Synonym:
    term: str
    relation: Relation


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
        self._keys_file = _keys_file(analysis)
        self._keys: dict[str, str] = _load_keys(self._keys_file)
        cached = len(self._keys)
        key = self.key
        self._synonyms: dict[str, dict[str, Synonym]] = {}
        for row in read_table("synonyms.tsv"):
            relation = row["relation"]
            if relation not in RELATIONS:
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
        if len(self._keys) > cached:
            _save_keys(self._keys_file, self._keys)
        self._glossary: dict[str, tuple[str, ...]] = {}
        for row in read_table("glossary_en.tsv"):
            japanese = tuple(split_list(row["japanese"]))
            if japanese:  # "-": a function word, which the query layer drops
                self._glossary[row["english"].lower()] = japanese
        self._places = english_names()

    def key(self, text: str) -> str:
        """The lookup key of a Japanese term (see :func:`term_key`), computed
        once per term."""
        found = self._keys.get(text)
        if found is None:
            found = self._keys[text] = term_key(self._analysis, text)
        return found

    def synonyms(self, term_key: str) -> tuple[Synonym, ...]:
        """Other terms of every group ``term_key`` belongs to."""
        return tuple(self._synonyms.get(term_key, {}).values())

    def has_synonyms(self, term_key: str) -> bool:
        return term_key in self._synonyms

    def english(self, words: str) -> tuple[tuple[str, ...], Literal["glossary", "place", ""]]:
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


def _keys_file(analysis: SudachiAnalysis) -> Path:
    """Where the analysed keys of the synonym terms are cached: computing
    them takes a few hundred Sudachi calls, a tenth of a second that every
    cold ``sagashi search`` would pay. The name changes with the table, the
    analysis and the dictionary, so a stale file is never read."""
    h = hashlib.sha256(repr(analysis.settings()).encode())
    h.update(dictionary_version(analysis.dict_name).encode())
    h.update((data_dir() / "synonyms.tsv").read_bytes())
    return cache_dir() / f"synonym-keys-{h.hexdigest()[:16]}.json"


def _load_keys(path: Path) -> dict[str, str]:
    try:
        keys = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()) else {}


def _save_keys(path: Path, keys: dict[str, str]) -> None:
    try:  # a cache: failing to write it costs only time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(keys, ensure_ascii=False), durable=False)
    except OSError:
        pass


@lru_cache(maxsize=4)
def load_lexicon(analysis: SudachiAnalysis) -> Lexicon:
    """The lexicon for an analysis, built once per process."""
    return Lexicon(analysis)
