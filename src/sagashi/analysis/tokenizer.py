"""The Whoosh side of the analysis: a tokenizer that wraps SudachiPy and two
filters that add reading and synonym-group terms beside each word.

A field analysed with :func:`japanese_analyzer` holds three kinds of terms:

- words: Sudachi's normalized form, width and case folded (``支援``, ``sns``);
- readings: ``~`` + the loose katakana reading (``~シエン``), so that kana and
  romaji queries find kanji;
- synonym groups: ``#`` + a SudachiDict synonym group id (``#16008``), so
  that 子ども finds 児童.

Literal words never start with ``~`` or ``#``: symbols are stopped.
"""

from __future__ import annotations

from whoosh.analysis import Filter, Token, Tokenizer

from .chars import has_kanji, is_kana, loose_reading
from .sudachi import SudachiAnalysis

READING_PREFIX = "~"
SYNONYM_PREFIX = "#"


def needs_reading(surface: str) -> bool:
    """Whether a word's reading says more than its spelling: kanji, or
    katakana (whose loose key forgives long vowels and small kana)."""
    return has_kanji(surface) or any("\u30a1" <= ch <= "\u30fa" for ch in surface)


def reading_term(reading: str) -> str | None:
    """The reading term for a katakana/hiragana reading, or None when the
    reading is not kana or too short to be useful.

    >>> reading_term("コウベ"), reading_term("umi"), reading_term("ク")
    ('~コベ', None, None)
    """
    if not is_kana(reading):
        return None
    key = loose_reading(reading)
    return READING_PREFIX + key if len(key) >= 2 else None


def synonym_term(group_id: int) -> str:
    return f"{SYNONYM_PREFIX}{group_id}"


class SudachiTokenizer(Tokenizer):
    """Whoosh tokenizer over :class:`SudachiAnalysis` units.

    Follows Whoosh's contract: one reused :class:`Token`; ``pos`` only with
    ``positions``; ``startchar``/``endchar`` only with ``chars``, as offsets
    into the original value; stopped units yielded with ``stopped=True`` when
    ``removestops=False``; ``tokenize=False`` yields the whole value. Each
    token also carries ``surface``, ``reading``, ``synonyms`` and ``level``
    for the filters below, and ``kind="word"``.

    >>> [t.text for t in SudachiTokenizer()("子どもの居場所")]
    ['子供', '居場所', '居', '場所']
    """

    def __init__(self, analysis: SudachiAnalysis | None = None) -> None:
        self.analysis = analysis or SudachiAnalysis()

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost, t.stopped, t.kind = 1.0, False, "word"
            t.surface, t.reading, t.synonyms, t.level = value, "", (), "CA"
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for unit in self.analysis.units(value):
            if unit.stopped and removestops:
                continue
            t.text = unit.text
            t.boost = 1.0
            t.stopped = unit.stopped
            t.kind = "word"
            t.surface, t.reading, t.synonyms, t.level = (unit.surface, unit.reading,
                                                         unit.synonyms, unit.level)
            if keeporiginal:
                t.original = unit.surface
            if positions:
                t.pos = start_pos + unit.position
            if chars:
                t.startchar, t.endchar = start_char + unit.start, start_char + unit.end
            yield t


class ReadingFilter(Filter):
    """After each word token written with kanji or katakana, add its reading
    term (``~コベ``) at the same position and offsets: kanji for kana and
    romaji queries, katakana for loanwords typed another way (ボランテイア).
    Compounds carry their own reading beside their parts' (日本語 is
    ``~ニホンゴ``, though its part 語 is too short to get one), so that kana
    typed for a compound finds it. Hiragana and Latin words need none (a
    kana query also searches its katakana and hiragana spellings). Skipped
    in query mode: queries ask for readings explicitly.

    >>> [t.text for t in (SudachiTokenizer() | ReadingFilter())("神戸のカフェと sns")]
    ['神戸', '~コベ', 'カフェ', '~カフエ', 'sns']
    """

    def __call__(self, tokens):
        for t in tokens:
            # Read what we need first: filters after this one reuse the token.
            wanted = (not t.stopped and t.kind == "word" and t.mode != "query"
                      and needs_reading(t.surface))
            term, text = reading_term(t.reading) if wanted else None, t.text
            yield t
            if term and term != text:
                t.text, t.kind, t.boost = term, "reading", 1.0
                yield t


class SynonymFilter(Filter):
    """After each word token, add a ``#id`` term for each SudachiDict synonym
    group it belongs to (the parts of a compound too: 労働 in 外国人労働者 is
    a synonym of 働く). Skipped in query mode."""

    def __call__(self, tokens):
        for t in tokens:
            wanted = not t.stopped and t.kind == "word" and t.mode != "query"
            groups = t.synonyms if wanted else ()
            yield t
            for group in groups:
                t.text, t.kind, t.boost = synonym_term(group), "synonym", 1.0
                yield t


def chain_settings(analyzer) -> tuple[SudachiAnalysis, bool, bool] | None:
    """What a :func:`japanese_analyzer` chain does: its analysis, and
    whether it adds reading and synonym terms; None for any other analyzer.

    >>> chain_settings(japanese_analyzer(readings=False))[1:]
    (False, True)
    """
    items = getattr(analyzer, "items", [analyzer])
    if not items or type(items[0]) is not SudachiTokenizer:
        return None
    rest = [type(item) for item in items[1:]]
    if rest not in ([], [ReadingFilter], [SynonymFilter], [ReadingFilter, SynonymFilter]):
        return None
    return items[0].analysis, ReadingFilter in rest, SynonymFilter in rest


def japanese_analyzer(analysis: SudachiAnalysis | None = None, readings: bool = True,
                      synonyms: bool = True):
    """The analyzer of sagashi's text fields: Sudachi words, plus reading and
    synonym-group terms unless switched off."""
    chain = SudachiTokenizer(analysis)
    if readings:
        chain = chain | ReadingFilter()
    if synonyms:
        chain = chain | SynonymFilter()
    return chain
