"""Romaji to hiragana, so a query such as ``kobe`` can also match こべ.

One word at a time, by a greedy longest-match parse over a syllable table.
Hepburn (shi, chi, tsu, fu, ji, sha), Kunrei/Nihon-shiki (si, ti, tu, hu,
zi, sya, di, du) and wapuro (ou, jya, wo, nn) spellings all read the same
way. Long vowels are not folded here: ``tokyo`` is ときょ and ``Tōkyō`` is
とうきょう; the search layer folds long vowels on its own.
"""

from __future__ import annotations

import unicodedata

__all__ = ["looks_like_romaji", "romaji_to_hiragana"]

_VOWELS = "aiueo"

# Consonant onset -> kana for a, i, u, e, o ("_" where there is no syllable).
# Kunrei/Nihon-shiki fall out of the rows: si, ti, tu, hu, zi, di, du.
_ROWS = {
    "": "あいうえお", "k": "かきくけこ", "s": "さしすせそ", "t": "たちつてと",
    "n": "なにぬねの", "h": "はひふへほ", "m": "まみむめも", "y": "や_ゆ_よ",
    "r": "らりるれろ", "w": "わ___を", "g": "がぎぐげご", "z": "ざじずぜぞ",
    "d": "だぢづでど", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
}
# Onset of a contracted syllable (kya, sha, ja...) -> its i-row kana.
_CONTRACTED = {
    "ky": "き", "sy": "し", "sh": "し", "ty": "ち", "ch": "ち", "ny": "に",
    "hy": "ひ", "my": "み", "ry": "り", "gy": "ぎ", "zy": "じ", "j": "じ",
    "jy": "じ", "dy": "ぢ", "by": "び", "py": "ぴ",
}
_HEPBURN = {"shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ", "ji": "じ"}

_SYLLABLES = dict(_HEPBURN)
for _onset, _kana in _ROWS.items():
    _SYLLABLES.update(
        (_onset + v, k) for v, k in zip(_VOWELS, _kana) if k != "_"
    )
for _onset, _kana in _CONTRACTED.items():
    _SYLLABLES.update((_onset + v, _kana + s) for v, s in zip("auo", "ゃゅょ"))
_LONGEST = max(map(len, _SYLLABLES))

# Macron and circumflex vowels spell long vowels; ō and ô are usually おう.
_LONG_VOWELS = str.maketrans({
    "ā": "aa", "ī": "ii", "ū": "uu", "ē": "ee", "ō": "ou",
    "â": "aa", "î": "ii", "û": "uu", "ê": "ee", "ô": "ou",
})
# Hyphens and long-vowel dashes are skipped, but after n they mark ん.
_SEPARATORS = frozenset("'’-‐ー")
# Doubled, these spell small っ (with "tch" for っち).
_GEMINATES = frozenset("bcdgjkpstz")


def romaji_to_hiragana(word: str) -> str | None:
    """Return *word* spelled in hiragana, or None if it is not romaji.

    Case-insensitive. ``n`` before a consonant or at the end is ん, and so
    is ``n'`` or ``n-`` before a vowel or y; ``m`` before b, m, p is ん;
    a doubled consonant is っ. Besides unparseable letters, three English
    tell-tales that Japanese words do not have are rejected: a leading ん,
    を anywhere but as the whole word, and a final ASCII ``ee``.

    >>> romaji_to_hiragana("Kumamoto")
    'くまもと'
    >>> romaji_to_hiragana("Tōkyō"), romaji_to_hiragana("tokyo")
    ('とうきょう', 'ときょ')
    >>> romaji_to_hiragana("shin'ya"), romaji_to_hiragana("shinya")
    ('しんや', 'しにゃ')
    >>> romaji_to_hiragana("shimbun"), romaji_to_hiragana("sapporo")
    ('しんぶん', 'さっぽろ')
    >>> romaji_to_hiragana("refugee") is None, romaji_to_hiragana("SNS")
    (True, None)
    """
    spelled = unicodedata.normalize("NFC", word).lower()
    kana = _parse(spelled.translate(_LONG_VOWELS))
    if (
        not kana
        or kana.startswith("ん")
        or ("を" in kana and kana != "を")
        or spelled.endswith("ee")
    ):
        return None
    return kana


def looks_like_romaji(word: str) -> bool:
    """True if *word* has at least two characters and reads as romaji.

    >>> looks_like_romaji("kobe"), looks_like_romaji("women"), looks_like_romaji("o")
    (True, False, False)
    """
    return len(word) >= 2 and romaji_to_hiragana(word) is not None


def _parse(text: str) -> str | None:
    """Greedy longest-match parse of lowercase romaji; None on a dead end."""
    out = []
    i = 0
    while i < len(text):
        char, after = text[i], text[i + 1 : i + 2]
        if char in _SEPARATORS:
            i += 1
            continue
        for size in range(_LONGEST, 0, -1):
            kana = _SYLLABLES.get(text[i : i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            if char == "n" or (char == "m" and after and after in "bmp"):
                out.append("ん")
                i += 1
                # Wapuro "nn" is one ん, unless the second n starts a syllable
                # (onna, konnichiwa).
                if char == "n" and after == "n":
                    third = text[i + 1 : i + 2]
                    if not (third and third in _VOWELS + "y"):
                        i += 1
            elif char in _GEMINATES and (after == char or text[i : i + 3] == "tch"):
                out.append("っ")
                i += 1
            else:
                return None
    return "".join(out)
