"""Which language a query is written in, from its script and its words.

- Hangul is Korean and Devanagari Nepali.
- Words in Latin letters are scored for each Latin-letter language
  (Vietnamese, Portuguese, Spanish, Tagalog, Indonesian, romanized Nepali,
  English): one point for each word its reading covers (its glossary, then
  English, which residents mix in), half a point when only the word without
  its diacritics is listed (de is Portuguese, and also Vietnamese để),
  nothing when three glossaries or more list the word (visa, online,
  nihongo and the country names say nothing about the language) or when
  Japanese writes it the same way (SNS, NPO, DV), and one
  for each word with letters only that language writes (ư ơ đ ạ; ñ; ç ã õ).
  The best score wins; English wins a tie, since a resident's language only
  wins by words English does not cover.
- Chinese characters alone (no kana) are Chinese when they include a
  character Japanese does not write (simplified 语, traditional 醫), or a
  word of the Chinese glossary that Japanese does not read as words the
  records contain (社区, 外籍, 食品支援); otherwise Japanese.
- Anything else is Japanese, including Latin letters no glossary lists
  (names, romaji, place names: the Japanese reading has rules for them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from ...analysis import SudachiAnalysis
from ...domain.glossaries import chinese_variants
from ...domain.languages import Language
from .glossary import Table
from .words import Token, vietnamese_letters

#: The Latin-letter languages, in the order that breaks a tie.
LATIN: tuple[Language, ...] = ("en", "vi", "pt", "es", "tl", "id", "ne")
#: A word this many Latin glossaries list is no evidence of a language.
SHARED = 3
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff\uff66-\uff9d]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPANISH = re.compile("[ñ¿¡]", re.IGNORECASE)
_PORTUGUESE = re.compile("[çãõ]", re.IGNORECASE)


def detect(text: str, found: list[Token], table: Callable[[Language], Table],
           known: Callable[[str], bool], analysis: SudachiAnalysis) -> Language:
    """The language code of ``text`` (whose words are ``found``)."""
    scripts = {t.script for t in found}
    if "hangul" in scripts:
        return "ko"
    if "devanagari" in scripts:
        return "ne"
    latin = [t for t in found if t.script == "latin"]
    if latin:
        best = latin_language(latin, table)
        if best:
            return best
    if not _KANA.search(text) and _HAN.search(text) and (
            chinese_marks(text) or chinese_words(text, table("zh"), known, analysis)):
        return "zh"
    return "ja"


def latin_language(words: list[Token], table: Callable[[Language], Table]) -> Language | None:
    """The Latin-letter language with the most evidence; when the only
    words any glossary lists are shared ones (visa, brasil, karihomen), the
    reading that covers most of them, English first; None when no glossary
    lists any word (names, romaji)."""
    tables = dict(zip(LATIN, (table(code) for code in LATIN)))
    listed = {code: [t.knows(w.text) for w in words] for code, t in tables.items()}
    shared = Counter(i for row in listed.values() for i, hit in enumerate(row) if hit)
    neutral = [any(t.forms(w.text)[0] in t.same for t in tables.values())
               for w in words]  # SNS, NPO: Japanese writes them so too
    english = listed["en"]

    def point(code: Language, i: int, shared_too: bool = False) -> float:
        """A word's evidence for a language whose reading covers it."""
        if neutral[i] or shared[i] >= SHARED and not shared_too:
            return 0.0
        word = words[i].text
        covering = tables[code] if listed[code][i] else tables["en"]
        return 1.0 if not word.isascii() or covering.knows_plain(word) else 0.5

    scores = {code: sum(point(code, i) for i, hit in enumerate(row) if hit or english[i])
              for code, row in listed.items()}
    for w in words:
        if vietnamese_letters(w.text):
            scores["vi"] += 1
        elif _PORTUGUESE.search(w.text):
            scores["pt"] += 1
        if _SPANISH.search(w.text):
            scores["es"] += 1
    best = max(LATIN, key=lambda code: (scores[code], -LATIN.index(code)))
    if scores[best] > 0:
        return best
    # only shared words (brasil, karihomen, covid): the reading that knows most of them
    covered = {code: sum(point(code, i, shared_too=True) for i, hit in enumerate(row)
                         if hit or english[i])
               for code, row in listed.items()}
    best = max(LATIN, key=lambda code: (covered[code], -LATIN.index(code)))
    return best if covered[best] > 0 else None


def chinese_marks(text: str) -> bool:
    """Whether ``text`` holds a Chinese character Japanese does not write:
    one that CP932 (the Japanese character set) lacks, as simplified ones
    (语, 馆, 们), or a traditional form Japanese replaced (醫, 學).

    >>> chinese_marks("难民"), chinese_marks("醫療"), chinese_marks("難民支援")
    (True, True, False)
    """
    variants = chinese_variants()
    for ch in _HAN.findall(text):
        if ch in variants:
            return True
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            return True
    return False


def chinese_words(text: str, table: Table, known: Callable[[str], bool],
                  analysis: SudachiAnalysis) -> bool:
    """Whether ``text`` holds a Chinese glossary key of two characters or
    more that Japanese does not read as words the records contain: the
    Chinese reading of words the Japanese one cannot find."""
    longest = max(len(k) for k in table.folded)
    for i in range(len(text)):
        for length in range(min(longest, len(text) - i), 1, -1):
            key = text[i:i + length]
            if key in table.folded and not all(
                    known(u.text) for u in analysis.units(key)
                    if not u.stopped and u.level != "A"):
                return True
    return False
