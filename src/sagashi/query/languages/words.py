"""Words of residents' languages: splitting query text into them, and the
forms in which each language's words are looked up.

:func:`tokens` finds the words written in Latin letters, hangul or
Devanagari, with their offsets; everything else (Japanese, punctuation) lies
between them. A Latin word written against Japanese text (``SNSを``,
``NPO法人``) is part of the Japanese, not a word of its own.

Each language has a :class:`WordRules` that says how its glossary keys and a
query's words are compared:

- ``key`` folds case (and, for Latin letters, diacritics: "lop hoc" finds
  "lớp học", "japones" finds "japonês");
- ``forms`` gives the forms a typed word may be looked up as, the word
  itself first: a form with an ending removed (a plural, a Korean particle,
  a Nepali postposition, an Indonesian clitic, a Tagalog linker) is offered
  only when the glossary lists it, so a word that merely ends like an ending
  (ओसाका, 아이) is never cut.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ...domain.languages import Language

_LATIN_LETTER = "0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_WORD = re.compile(
    rf"[{_LATIN_LETTER}][{_LATIN_LETTER}\u0300-\u036f]*(?:['’\-][{_LATIN_LETTER}][{_LATIN_LETTER}\u0300-\u036f]*)*"
    r"|[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+"
    r"|[\u0900-\u0963\u0966-\u097f\u200c\u200d]+")
_JAPANESE = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ー]")
#: Letters Vietnamese writes and Portuguese and Spanish do not.
_VIETNAMESE_LETTERS = re.compile("[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_FOLD_LETTERS = {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "’": "'", "ß": "ss"}
_JOINERS = str.maketrans("", "", "\u200c\u200d")


#: The scripts a word of a query is found in (others lie between the words).
Script = Literal["latin", "hangul", "devanagari"]


@dataclass(frozen=True)
class Token:
    """A word of a query, with its offsets into the text and its script."""

    text: str
    start: int
    end: int
    script: Script


def tokens(text: str) -> list[Token]:
    """The words of ``text`` in Latin letters, hangul and Devanagari.

    >>> [t.text for t in tokens("lớp học tiếng Nhật 熊本, SNSを活用 난민을")]
    ['lớp', 'học', 'tiếng', 'Nhật', '난민을']
    """
    out = []
    for m in _WORD.finditer(text):
        word, start, end = m.group(), m.start(), m.end()
        first = word[0]
        script: Script = ("hangul" if "\uac00" <= first <= "\ud7a3" or "\u1100" <= first <= "\u11ff"
                  or "\u3130" <= first <= "\u318f"
                  else "devanagari" if "\u0900" <= first <= "\u097f" or first in "\u200c\u200d"
                  else "latin")
        if script == "latin" and (_JAPANESE.match(text, end) or
                                  (start and _JAPANESE.match(text, start - 1))):
            continue  # written against Japanese: part of it (NPO法人, SNSを)
        out.append(Token(word, start, end, script))
    return out


def fold_latin(word: str) -> str:
    """Lower case without diacritics: what a Latin-letter key is compared by.

    >>> fold_latin("Người"), fold_latin("japonês"), fold_latin("ĐẠI"), fold_latin("niño")
    ('nguoi', 'japones', 'dai', 'nino')
    """
    word = word.lower()
    return word if word.isascii() else word.translate(_latin_folds())


@cache
def _latin_folds() -> dict[int, str | None]:
    """Each accented Latin letter to its base letter; combining marks to
    nothing. A table built once, so that folding a word is one
    ``str.translate``: every query folds every word, and decomposing each
    through NFD is much slower."""
    table: dict[int, str | None] = dict.fromkeys(range(0x300, 0x370))
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp))
                       if not unicodedata.combining(c))
        if base != chr(cp):
            table[cp] = base
    table.update((ord(k), v) for k, v in _FOLD_LETTERS.items())
    return table


def vietnamese_letters(word: str) -> bool:
    """Whether ``word`` holds a letter only Vietnamese writes (ư, ơ, đ, ạ ...)."""
    return bool(_VIETNAMESE_LETTERS.search(word))


def _endings(*pairs: tuple[str, str]) -> Callable[[str], list[str]]:
    """A function giving a word's forms with one of ``pairs`` (ending,
    replacement) changed, longest ending first, keeping 3 letters or more."""
    ordered = sorted(pairs, key=lambda p: -len(p[0]))

    def forms(word: str) -> list[str]:
        return [word[:-len(end)] + new for end, new in ordered
                if word.endswith(end) and len(word) - len(end) + len(new) >= 3]
    return forms


#: Plural, gender and verb endings by language (folded spelling): a typed
#: word is looked up as itself, then with these changed.
_ENGLISH = _endings(("ies", "y"), ("es", ""), ("s", ""))
_PORTUGUESE = _endings(("oes", "ao"), ("aes", "ao"), ("aos", "ao"), ("ais", "al"),
                       ("eis", "el"), ("ois", "ol"), ("ns", "m"), ("es", ""), ("s", ""),
                       ("as", "o"), ("a", "o"),
                       # verbs: ensinam, aprendo, ajudando -> the infinitive
                       ("am", "ar"), ("em", "er"), ("em", "ir"), ("a", "ar"), ("e", "er"),
                       ("e", "ir"), ("o", "ar"), ("o", "er"), ("o", "ir"), ("ando", "ar"),
                       ("endo", "er"), ("indo", "ir"))
_SPANISH = _endings(("ces", "z"), ("es", ""), ("s", ""), ("as", "o"), ("a", "o"),
                    # verbs: enseñan, aprendo, ayudando -> the infinitive
                    ("an", "ar"), ("en", "er"), ("en", "ir"), ("a", "ar"), ("e", "er"),
                    ("e", "ir"), ("o", "ar"), ("o", "er"), ("o", "ir"), ("ando", "ar"),
                    ("iendo", "er"), ("iendo", "ir"))
_TAGALOG = _endings(("ng", ""), ("g", ""))  # the linker: batang -> bata, tahanang -> tahanan
_INDONESIAN_CLITICS = ("nya", "lah", "kah", "ku", "mu")
_NEPALI_SUFFIXES = tuple(sorted("""
हरूलाई हरुलाई हरूको हरुको हरूका हरुका हरूकी हरुकी हरूमा हरुमा हरूले हरुले हरूबाट हरुबाट
हरूसँग हरुसँग हरू हरु लाई बाट सँग संग देखि को का की मा ले
harulai haruko haruka haruma harule harubata haru lai bata sanga ko ka ki ma le
""".split(), key=len, reverse=True))
_KOREAN_PARTICLES = tuple(sorted("""
에서는 에게는 으로는 에서의 에서도 이라도 까지 부터 에서 에게 한테 으로 이나 이랑 하고 에는 로는
와의 과의 에도 라도 을 를 이 가 은 는 의 에 께 와 과 도 로 만 나 랑
""".split(), key=len, reverse=True))
_KOREAN_HADA = tuple(sorted("하는 하고 하다 합니다 해요 해서 하며 하여 하기 할 한 해".split(),
                            key=len, reverse=True))


def _indonesian(word: str) -> list[str]:
    """anak-anak -> anak; bantuannya -> bantuan; apakah -> apa."""
    out = []
    first, _, rest = word.partition("-")
    bases = [first] if rest and rest == first else []
    for base in [word, *bases]:
        out += [base[:-len(c)] for c in _INDONESIAN_CLITICS
                if base.endswith(c) and len(base) - len(c) >= 3]
    return bases + out


def _nepali(word: str) -> list[str]:
    """One or two postpositions off: शरणार्थीहरूलाई -> शरणार्थी, ओसाकामा -> ओसाका."""
    out = []
    for suffix in _NEPALI_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[:-len(suffix)]
            out.append(stem)
            out += [stem[:-len(s)] for s in _NEPALI_SUFFIXES
                    if stem.endswith(s) and len(stem) - len(s) >= 2]
    return out


def _korean(word: str) -> list[str]:
    """A particle, plural 들 (+ particle) or a 하다 ending off:
    난민을 -> 난민, 아이들의 -> 아이, 지원하는 -> 지원."""
    out = [word[:-len(p)] for p in _KOREAN_PARTICLES if word.endswith(p) and len(word) > len(p)]
    for base in (word, *out):
        if base.endswith("들") and len(base) > 1:
            out.append(base[:-1])
    out += [word[:-len(h)] for h in _KOREAN_HADA if word.endswith(h) and len(word) > len(h)]
    return out


@dataclass(frozen=True)
class WordRules:
    """How one language's words are compared with its glossary keys.

    ``joiner`` joins the words of a phrase key (Korean keys are compared
    with their spaces removed: 일본어 교실 = 일본어교실); ``endings`` gives a
    folded word's shortened forms, to be looked up when the word itself is
    not listed; ``compounds``: a word may be several keys written together
    (Korean 난민지원); ``orders`` gives the other word orders a key's folded
    words may be written in (Tagalog dayuhang manggagawa = manggagawang
    dayuhan).
    """

    fold: Callable[[str], str]
    endings: Callable[[str], list[str]] = lambda word: []
    joiner: str = " "
    compounds: bool = False
    orders: Callable[[list[str], Container[str]], list[list[str]]] = lambda words, vocab: []

    def key(self, text: str) -> str:
        """The comparison key of a glossary key (or of typed words)."""
        return self.joiner.join(self.fold(w) for w in text.split())

    def forms(self, word: str, vocabulary: Container[str]) -> tuple[str, ...]:
        """The forms of a typed word to look up: the folded word, then its
        shortened forms that the glossary uses; the folded word is left out
        when the glossary does not use it and a shortened form is."""
        folded = self.fold(word)
        known = [f for f in dict.fromkeys(self.endings(folded))
                 if f != folded and f in vocabulary]
        if folded in vocabulary or not known:
            return (folded, *known)
        return tuple(known)

    def split(self, word: str, keys: Container[str]) -> list[str]:
        """A word the glossary does not list, as the keys it is written
        from, longest first (Korean 외국인노동자상담 -> 외국인노동자 + 상담);
        [] when it is not made of keys (a particle may end it)."""
        if not self.compounds:
            return []
        parts: list[str] = []
        rest = self.fold(word)
        while rest:
            for end in range(len(rest), 0, -1):
                if rest[:end] in keys and (end > 1 or parts):
                    parts.append(rest[:end])
                    rest = rest[end:]
                    break
            else:
                if parts and (rest in _KOREAN_PARTICLES or rest in _KOREAN_HADA):
                    return parts
                return []
        return parts if len(parts) > 1 else []


def _tagalog_orders(words: list[str], vocabulary: Container[str]) -> list[list[str]]:
    """A Tagalog modifier joined by the linker (-ng after a vowel, -g after
    n) may stand on either side of its noun: dayuhang manggagawa and
    manggagawang dayuhan are both "foreign worker"."""
    if len(words) != 2:
        return []
    first, second = words
    bare = next((w for w in (first[:-1], first[:-2])
                 if first.endswith("ng") and w in vocabulary and _linked(w) == first), None)
    linked = _linked(second)
    return [[linked, bare]] if bare and linked else []


def _linked(word: str) -> str | None:
    """A Tagalog word with the linker attached, if it takes one."""
    if word[-1:] in "aeiou" and word:
        return word + "ng"
    if word.endswith("n"):
        return word + "g"
    return None


def _lower(word: str) -> str:
    return word.lower()


def _nepali_fold(word: str) -> str:
    """NFC, without the joiners phone keyboards put inside conjuncts."""
    return unicodedata.normalize("NFC", word.translate(_JOINERS).lower())


#: Each glossary language's words.
WORDS: dict[Language, WordRules] = {
    "en": WordRules(fold_latin, _ENGLISH),
    "vi": WordRules(fold_latin),
    "pt": WordRules(fold_latin, _PORTUGUESE),
    "es": WordRules(fold_latin, _SPANISH),
    "tl": WordRules(fold_latin, _TAGALOG, orders=_tagalog_orders),
    "id": WordRules(fold_latin, _indonesian),
    "ne": WordRules(lambda w: fold_latin(_nepali_fold(w)) if w.isascii() else _nepali_fold(w),
                _nepali),
    "ko": WordRules(_lower, _korean, joiner="", compounds=True),
    "zh": WordRules(_lower),  # keys are looked up character by character (query.languages.chinese)
}
