"""Chinese queries: glossary words first, the rest in Japanese characters.

Chinese writes no spaces, so the glossary's keys (two characters or more,
in simplified characters) are looked for by longest match over the query
put in simplified characters. What no key covers is put in Japanese
character forms (:func:`sagashi.analysis.chinese.to_japanese`) and goes
through the Japanese analysis: 难民女性 is 難民女性, which Japanese reads as
it is. The glossary covers the words Japanese says otherwise (就业 -> 就労,
咨询 -> 相談, 越南 -> ベトナム).

The one-character function words (在, 和, 与, 吗 ...) are dropped only where
the Japanese analysis makes them a word of their own, never inside
在留資格 or 和平; 的 and 们 are dropped anywhere (Japanese would read
女性的 as "feminine").
"""

from __future__ import annotations

from ...analysis import SudachiAnalysis
from ...analysis.chinese import to_japanese, to_simplified
from .glossary import Table
from .pieces import Dropped, Piece, Translated, Untranslated

#: Dropped wherever they stand.
ALWAYS_DROPPED = frozenset("的们")


def segment_chinese(text: str, table: Table, analysis: SudachiAnalysis) -> list[Piece]:
    """``text`` as pieces: glossary keys by longest match, the rest in
    Japanese characters."""
    simplified = to_simplified(text)
    shown = text if len(simplified) == len(text) else simplified  # labels as typed
    longest = max(len(k) for k in table.folded)
    drop_one = frozenset(k for k, terms in table.folded.items() if len(k) == 1 and not terms)
    pieces: list[Piece] = []
    last = i = 0
    while i < len(simplified):
        for length in range(min(longest, len(simplified) - i), 1, -1):
            terms = table.folded.get(simplified[i:i + length])
            if terms is not None:
                break
        else:
            if simplified[i] in ALWAYS_DROPPED:
                _rest(pieces, shown[last:i], drop_one, analysis)
                last = i + 1
            i += 1
            continue
        _rest(pieces, shown[last:i], drop_one, analysis)
        words = shown[i:i + length]
        pieces.append(Translated(words, terms, "zh") if terms else Dropped(words, "zh"))
        last = i = i + length
    _rest(pieces, shown[last:], drop_one, analysis)
    return pieces


def _rest(pieces: list[Piece], text: str, drop_one: frozenset[str],
          analysis: SudachiAnalysis) -> None:
    """Text no key covers, in Japanese characters, without the one-character
    function words the Japanese analysis reads as words of their own."""
    if not any(ch.isalnum() for ch in text):
        return
    japanese = to_japanese(text)
    chars = list(japanese)
    for unit in analysis.units(japanese):
        if unit.level != "A" and unit.end - unit.start == 1 and \
                to_simplified(unit.surface) in drop_one:
            chars[unit.start] = " "
    rest = "".join(chars)
    if any(ch.isalnum() for ch in rest):
        pieces.append(Untranslated(rest))
