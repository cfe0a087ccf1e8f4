"""Queries in residents' own languages: Vietnamese, Portuguese, Spanish,
Tagalog, Indonesian, Nepali, Chinese, Korean and English.

A query is read in three steps, each its own module:

1. :mod:`~.detect`: the language, from the script and the words
   (``--lang`` overrides it);
2. :mod:`~.words`: the language's words, and the forms they are looked up
   in (case and diacritics folded, particles, postpositions, clitics and
   plural endings taken off when the glossary lists the shorter word);
3. :mod:`~.glossary` (:mod:`~.chinese` for Chinese): the glossary's
   longest phrases first, dropped words included, then each word; English is
   the fallback for words a resident's glossary does not list.

The result is a list of :mod:`~.pieces`: translations, dropped words,
unknown words, and text left to the Japanese analysis (Japanese words in a
mixed query, names, romaji, place names). :class:`sagashi.query.interpret.
Interpreter` turns them into concepts. The glossaries are read on first use,
each once per process; Chinese conversion (OpenCC) loads only for a query
read as Chinese.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache

from ...analysis import SudachiAnalysis
from ...domain.languages import GLOSSARY_LANGUAGES, LANGUAGES, Language
from .chinese import segment_chinese
from .detect import detect
from .glossary import Table, segment
from .pieces import Dropped, Piece, Translated, Unknown, Untranslated
from .words import tokens

__all__ = ["GLOSSARY_LANGUAGES", "LANGUAGES", "Dropped", "Languages", "Piece", "Translated",
           "Unknown", "Untranslated", "load_languages"]


class Languages:
    """Detects a query's language and reads it through its glossary."""

    def __init__(self, analysis: SudachiAnalysis) -> None:
        self._analysis = analysis
        self._tables: dict[Language, Table] = {}
        self._lock = threading.Lock()

    def table(self, code: Language) -> Table:
        """The glossary table of a language, loaded on first use."""
        found = self._tables.get(code)
        if found is None:
            with self._lock:
                found = self._tables.get(code)
                if found is None:
                    found = self._tables[code] = Table.load(code)
        return found

    def detect(self, text: str, known: Callable[[str], bool]) -> Language:
        """The language ``text`` is written in (a code of :data:`LANGUAGES`);
        ``known(term)`` says whether the index holds a Japanese word."""
        return detect(text, tokens(text), self.table, known, self._analysis)

    def read(self, text: str, language: Language) -> list[Piece]:
        """``text`` in ``language`` as pieces; Japanese text is one
        :class:`Untranslated` piece."""
        if language == "ja":
            return [Untranslated(text)]
        if language == "zh":
            return segment_chinese(text, self.table("zh"), self._analysis)
        chain = [self.table(language)] + ([self.table("en")] if language != "en" else [])
        return segment(text, tokens(text), chain)


@lru_cache(maxsize=4)
def load_languages(analysis: SudachiAnalysis) -> Languages:
    """The reader of residents' languages for an analysis, once per process."""
    return Languages(analysis)
