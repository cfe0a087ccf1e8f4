"""Japanese analysis: SudachiPy units, character folding, readings, romaji.

Only this package imports ``sudachipy``.
"""

from .ngrams import BigramTokenizer, bigrams
from .chars import fold, is_kana, loose_reading, to_hiragana, to_katakana
from .sudachi import (STOP_POS, SudachiAnalysis, Unit, dictionary_version,
                      sudachipy_version)
from .tokenizer import (READING_PREFIX, SYNONYM_PREFIX, ReadingFilter, SudachiTokenizer,
                        SynonymFilter, japanese_analyzer, reading_term, synonym_term)

__all__ = [
    "BigramTokenizer", "bigrams", "STOP_POS", "READING_PREFIX", "SYNONYM_PREFIX", "ReadingFilter", "SudachiAnalysis",
    "SudachiTokenizer", "SynonymFilter", "Unit", "dictionary_version", "fold", "is_kana",
    "japanese_analyzer", "loose_reading", "reading_term", "sudachipy_version",
    "synonym_term", "to_hiragana", "to_katakana",
]
