"""Character-level helpers: width and case folding, kana conversion and the
"loose" reading key that lets kana and romaji queries find kanji.

These change token text only, never offsets: they run after tokenizing.
"""

from __future__ import annotations

import re
import unicodedata

_HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
_KATA_TO_HIRA = {c + 0x60: c for c in range(0x3041, 0x3097)}
_KANA = re.compile(r"^[\u3041-\u3096\u30a1-\u30fa\u30fc\u309d\u309e\u30fd\u30fe]+$")
_KANJI = re.compile(r"[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# The vowel each katakana ends in, for folding long vowels.
_VOWEL_ROWS = {
    "a": "アカサタナハマヤラワガザダバパァャヮ",
    "i": "イキシチニヒミリギジヂビピィ",
    "u": "ウクスツヌフムユルグズヅブプゥュヴ",
    "e": "エケセテネヘメレゲゼデベペェ",
    "o": "オコソトノホモヨロヲゴゾドボポォョ",
}
_VOWEL_OF = {k: v for v, row in _VOWEL_ROWS.items() for k in row}
# A vowel kana that only lengthens the vowel before it (as romaji drops it):
# コウ, コオ -> コ; キイ -> キ; ケイ, ケエ -> ケ; クウ -> ク; カア -> カ.
_LENGTHENS = {"a": "ア", "i": "イ", "u": "ウ", "e": "イエ", "o": "ウオ"}
_LOOSE_MAP = str.maketrans({"ヲ": "オ", "ヂ": "ジ", "ヅ": "ズ", "ヱ": "エ", "ヰ": "イ",
                            # small vowels typed large: ボランテイア = ボランティア
                            "ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ"})


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width ASCII to ASCII, half-width kana to full width.

    >>> nfkc("ＮＰＯ法人　ﾎﾞﾗﾝﾃｨｱ")
    'NPO法人 ボランティア'
    """
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """Fold width and case: ＳＮＳ -> sns, ﾎﾞﾗﾝﾃｨｱ -> ボランティア.

    >>> fold("ＳＮＳ"), fold("ﾎﾞﾗﾝﾃｨｱ"), fold("Ｕｍｉ")
    ('sns', 'ボランティア', 'umi')
    """
    if text.isascii():
        return text.lower()
    return nfkc(text).lower()


def clean(text: str) -> str:
    """Replace lone surrogates by U+FFFD, keeping the length (and so offsets)."""
    return _SURROGATE.sub("\ufffd", text)


def has_kanji(text: str) -> bool:
    """True when ``text`` holds at least one CJK ideograph (漢字, 々 included).

    >>> has_kanji("神戸市"), has_kanji("カフェ"), has_kanji("佐々木")
    (True, False, True)
    """
    return bool(_KANJI.search(text))


def is_kana(text: str) -> bool:
    """True for a non-empty run of hiragana/katakana (and the long-vowel mark)."""
    return bool(_KANA.match(text))


def to_katakana(text: str) -> str:
    """Hiragana to katakana; other characters unchanged.

    >>> to_katakana("こうべ")
    'コウベ'
    """
    return text.translate(_HIRA_TO_KATA)


def to_hiragana(text: str) -> str:
    """Katakana to hiragana; other characters unchanged."""
    return text.translate(_KATA_TO_HIRA)


def loose_reading(reading: str) -> str:
    """A reading key that ignores long vowels, as romaji usually does.

    Kobe, こうべ and コウベ all give コベ; Osaka and おおさか give オサカ. Small
    vowels count as large ones, so a misspelt ボランテイア still matches.

    >>> loose_reading("コウベ"), loose_reading("おおさか"), loose_reading("トウキョウ")
    ('コベ', 'オサカ', 'トキョ')
    >>> loose_reading("ボランティア") == loose_reading("ボランテイア")
    True
    """
    kata = to_katakana(reading).translate(_LOOSE_MAP)
    out: list[str] = []
    for ch in kata:
        if ch == "ー":
            continue
        if out and ch in _LENGTHENS.get(_VOWEL_OF.get(out[-1], ""), ""):
            continue
        out.append(ch)
    return "".join(out)
