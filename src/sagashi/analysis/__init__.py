"""Japanese analysis: SudachiPy units, character folding, readings, romaji.

Only this package imports ``sudachipy`` (and ``opencc``, in
:mod:`~sagashi.analysis.chinese`). Its modules load lazily, so that
importing :mod:`sagashi.analysis.chars` (as the command line does) does not
pull in Whoosh or Sudachi:

- :mod:`~sagashi.analysis.chars`: width/case folding, kana, loose readings;
- :mod:`~sagashi.analysis.sudachi`: :class:`SudachiAnalysis` and its units;
- :mod:`~sagashi.analysis.tokenizer`: the Whoosh tokenizer and filters;
- :mod:`~sagashi.analysis.morphemes`: the same analysis for indexing, worked
  out once per distinct morpheme;
- :mod:`~sagashi.analysis.romaji`: romaji to hiragana;
- :mod:`~sagashi.analysis.ngrams`: character bigrams of names;
- :mod:`~sagashi.analysis.chinese`: Chinese characters as Japanese writes
  them (OpenCC).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "BigramTokenizer": "ngrams", "bigrams": "ngrams",
    "clean": "chars", "fold": "chars", "has_kanji": "chars", "is_kana": "chars",
    "loose_reading": "chars", "nfkc": "chars", "to_hiragana": "chars", "to_katakana": "chars",
    "STOP_POS": "sudachi", "SudachiAnalysis": "sudachi", "Unit": "sudachi",
    "dictionary_version": "sudachi", "sudachipy_version": "sudachi",
    "READING_PREFIX": "tokenizer", "SYNONYM_PREFIX": "tokenizer", "ReadingFilter": "tokenizer",
    "SudachiTokenizer": "tokenizer", "SynonymFilter": "tokenizer",
    "japanese_analyzer": "tokenizer", "reading_term": "tokenizer", "synonym_term": "tokenizer",
    "chain_settings": "tokenizer", "MorphemeTable": "morphemes", "Scanned": "morphemes",
    "romaji_to_hiragana": "romaji",
}
__all__ = [
    "STOP_POS", "READING_PREFIX", "SYNONYM_PREFIX", "BigramTokenizer", "MorphemeTable",
    "ReadingFilter", "Scanned", "chain_settings",
    "SudachiAnalysis", "SudachiTokenizer", "SynonymFilter", "Unit", "bigrams", "clean",
    "dictionary_version", "fold", "has_kanji", "is_kana", "japanese_analyzer", "loose_reading",
    "nfkc", "reading_term", "romaji_to_hiragana", "sudachipy_version", "synonym_term",
    "to_hiragana", "to_katakana",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from .chars import (
        clean,
        fold,
        has_kanji,
        is_kana,
        loose_reading,
        nfkc,
        to_hiragana,
        to_katakana,
    )
    from .morphemes import MorphemeTable, Scanned
    from .ngrams import BigramTokenizer, bigrams
    from .romaji import romaji_to_hiragana
    from .sudachi import STOP_POS, SudachiAnalysis, Unit, dictionary_version, sudachipy_version
    from .tokenizer import (
        READING_PREFIX,
        SYNONYM_PREFIX,
        ReadingFilter,
        SudachiTokenizer,
        SynonymFilter,
        chain_settings,
        japanese_analyzer,
        reading_term,
        synonym_term,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sagashi.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
