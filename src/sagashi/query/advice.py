"""What to try when a query finds nothing.

Three kinds of advice, each from the index itself:

- *did you mean*: the query spelt as the index spells it. A word no record
  holds is replaced by the closest word the index does hold, by reading
  (きょうしづ is one kana from 教室's キョウシツ) or by spelling (教帥 is one
  character from 教室); kana read by the index's readings are shown in the
  records' own spelling (にほんご -> 日本語). Only a suggestion that finds
  something is offered.
- *filtered out*: a filter (``--pref``, ``--entity``) or an exclusion
  (``-x``, ``NOT x``) that leaves out every record the words find.
- *too common*: the known words of a query whose other words no record
  holds, when they are too common to search on alone (支援).

Nothing here runs unless a query found nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from ..analysis import (
    READING_PREFIX,
    SYNONYM_PREFIX,
    SudachiAnalysis,
    fold,
    has_kanji,
    is_kana,
    loose_reading,
    reading_term,
)
from ..domain import places
from ..domain.fields import DEFAULT_FIELDS
from .kana import PARTICLES, segment
from .plan import Clause, Plan

#: At most this many did-you-mean suggestions.
MAX_SUGGESTIONS = 3
#: How many candidate spellings of one word are tried, closest first.
MAX_CANDIDATES = 5
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")


def did_you_mean(searcher, analysis: SudachiAnalysis, plan: Plan,
                 finds: Callable[[str], bool]) -> tuple[str, ...]:
    """Queries like ``plan``'s, spelt as the index spells them, that find
    something (``finds(query)``): each word no record holds replaced by one
    of the closest spellings the index holds, the others as the records
    spell them. None when some word has no close spelling."""
    if not plan.unmatched or not plan.text:
        return ()
    reader = searcher.reader()
    known = {c.label: s for c in plan.leaves()
             if c.known and (s := _record_spelling(reader, analysis, c))}
    targets = dict.fromkeys(_kana_run(plan.text, word) or word for word in plan.unmatched)
    if not all(is_kana(w) or has_kanji(w) for w in targets):
        return ()  # a word in another script: the index spells nothing close to it
    if any(places.lookup(w) for w in targets):
        return ()  # a place no record is in (四国) is not a misspelling of 深刻
    options = {word: respell(searcher, analysis, word) for word in targets}
    if not all(options.values()):
        return ()  # a word with no close spelling would still match nothing
    out: list[str] = []
    for i in range(MAX_CANDIDATES):
        if not any(len(c) > i for c in options.values()):
            break
        replaced = plan.text
        for word, candidates in options.items():
            replaced = replaced.replace(word, candidates[min(i, len(candidates) - 1)], 1)
        for word, spelling in known.items():
            replaced = replaced.replace(word, spelling, 1)
        if replaced not in out and replaced != plan.text and finds(replaced):
            out.append(replaced)
        if len(out) >= MAX_SUGGESTIONS:
            break
    return tuple(out)


def respell(searcher, analysis: SudachiAnalysis, word: str) -> list[str]:
    """Spellings close to ``word`` that the index holds, closest first: a
    kana word as a whole, by its reading (ぼらんちあ -> ボランティア); other
    text piece by piece, each run of words no record holds replaced by the
    closest one (日本語教帥 -> 日本語教室)."""
    reader = searcher.reader()
    if is_kana(word):
        return close_words(searcher, analysis, word) or _respell_kana(searcher, analysis, word)
    chunks: list[tuple[str, bool]] = []  # (text, known), runs of Sudachi's finest words
    for unit in analysis.units(word):
        if unit.level == "C" or unit.stopped:
            continue
        known = any(reader.doc_frequency(f, unit.text) for f in DEFAULT_FIELDS)
        if chunks and chunks[-1][1] == known and not known:
            chunks[-1] = (chunks[-1][0] + unit.surface, False)
        else:
            chunks.append((unit.surface, known))
    if len(chunks) <= 1 or all(known for _, known in chunks):
        return close_words(searcher, analysis, word)  # one word, or known words never together
    choices = [[text] if known else close_words(searcher, analysis, text)
               for text, known in chunks]
    if not all(choices):  # a piece too short to respell alone (性 of 共性): the whole
        return close_words(searcher, analysis, word)
    return ["".join(c[min(i, len(c) - 1)] for c in choices)
            for i in range(max(len(c) for c in choices))]


def close_words(searcher, analysis: SudachiAnalysis, word: str) -> list[str]:
    """Words the index holds that are close to ``word`` in reading or in
    spelling (sharing its first character), closest first (then the
    commonest), as the records spell them."""
    reader = searcher.reader()
    found: dict[str, tuple[int, int]] = {}  # spelling -> (distance, -records)
    key = _reading_key(analysis, word)
    if key and len(key) >= 3:
        target = READING_PREFIX + key
        maxdist = 1 if len(key) <= 5 else 2
        # the first kana is kept, or voiced or unvoiced (ぎょうしつ for きょうしつ):
        # an automaton that may change the first kana too walks every reading
        terms: set[str] = set()
        for first in _voicings(key[0]):
            terms |= _within(searcher, READING_PREFIX + first + key[1:], maxdist, prefix=2)
        for term in terms:
            spelling = spelling_of(reader, analysis, term)
            if spelling:
                _keep(found, spelling, (distance(term, target), -_df(reader, term)))
    text = fold(word)
    if len(text) >= 2 and not is_kana(text):  # kana: its reading said it all
        for term in _within(searcher, text, 1 if len(text) <= 5 else 2, prefix=1):
            if term[:1] not in (READING_PREFIX, SYNONYM_PREFIX):
                _keep(found, term, (distance(term, text), -_df(reader, term)))
    found.pop(word, None)
    return sorted(found, key=lambda s: (found[s], s))[:MAX_CANDIDATES]


def spelling_of(reader, analysis: SudachiAnalysis, term: str) -> str | None:
    """How the records spell the word an index term stands for: a reading
    term (``~ニホンゴ``) as the first word found with that reading (日本語)."""
    if not term.startswith(READING_PREFIX):
        return term
    for field in DEFAULT_FIELDS:
        if not reader.doc_frequency(field, term):
            continue
        docnum = reader.postings(field, term).id()
        text = reader.stored_fields(docnum).get(field, "")
        for unit in analysis.units(text):
            if not unit.stopped and reading_term(unit.reading) == term:
                return unit.surface
    return None


def distance(a: str, b: str) -> int:
    """Levenshtein edit distance.

    >>> distance("教師", "教室"), distance("きょうしづ", "きょうしつ"), distance("ab", "ba")
    (1, 1, 2)
    """
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def too_common(plan: Plan, searchable: Plan | None) -> tuple[str, ...]:
    """The known words of a plain query that was not searched because its
    other words no record holds and these say too little on their own."""
    if searchable is not None or plan.strict is not None:
        return ()
    return tuple(c.label for c in plan.clauses if c.known and not c.required)


def _record_spelling(reader, analysis: SudachiAnalysis, clause: Clause) -> str | None:
    """A kana word found only through its reading (にほんご), as the
    records spell it (日本語); None for other words, kept as typed."""
    concept = clause.concept
    if concept is None or not is_kana(concept.label):
        return None
    readings = [a for a in concept.alternatives if a.source == "reading" and a.kind == "term"]
    if len(readings) != 1 or any(a.source == "literal" for a in concept.alternatives):
        return None
    return spelling_of(reader, analysis, readings[0].terms[0])


def _respell_kana(searcher, analysis: SudachiAnalysis, run: str) -> list[str]:
    """A kana run read piece by piece: the readings the index holds in the
    records' spelling, each stretch between them replaced by its closest
    spelling; a stretch with no close spelling takes in the next piece and
    tries again (にほんご + ぎょう + しつ -> 日本語 + 教室)."""
    reader = searcher.reader()

    def known(term: str) -> bool:
        return any(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS)

    pieces, _ = segment(run, known)
    out, pos, gap = "", 0, ""
    for piece in [*pieces, None]:
        start = run.index(piece.text, pos) if piece else len(run)
        gap += run[pos:start]
        if gap and not all(ch in PARTICLES for ch in gap):
            close = close_words(searcher, analysis, gap) if len(gap) >= 3 else []
            if not close:
                if piece is None:
                    return []
                gap += piece.text  # try again with the next piece taken in
                pos = start + len(piece.text)
                continue
            gap = close[0]
        out += gap
        gap = ""
        if piece:
            out += spelling_of(reader, analysis, piece.term) or piece.text
            pos = start + len(piece.text)
    return [out] if out != run else []


def _voicings(kana: str) -> list[str]:
    """A kana with its voiced, unvoiced and half-voiced forms.

    >>> _voicings("キ"), _voicings("ハ"), _voicings("ア")
    (['キ', 'ギ'], ['ハ', 'バ', 'パ'], ['ア'])
    """
    base = unicodedata.normalize("NFD", kana)[0]
    forms = [base, *(unicodedata.normalize("NFC", base + mark) for mark in "\u3099\u309a")]
    return list(dict.fromkeys([kana, *(f for f in forms if len(f) == 1)]))


def _kana_run(text: str, word: str) -> str | None:
    """The run of kana in ``text`` that holds ``word`` (a kana word Sudachi
    split into pieces no record holds: ぼら + ち of ぼらんちあ)."""
    if not is_kana(word):
        return None
    for m in _KANA_RUN.finditer(text):
        if word in m.group():
            return m.group()
    return None


def _reading_key(analysis: SudachiAnalysis, word: str) -> str | None:
    if is_kana(word):
        return loose_reading(word)
    units = [u for u in analysis.units(word) if not u.stopped and u.level != "C"]
    readings = "".join(u.reading for u in units)
    return loose_reading(readings) if readings and is_kana(readings) else None


def _within(searcher, text: str, maxdist: int, prefix: int) -> set[str]:
    """Index terms within ``maxdist`` edits of ``text`` that share its first
    ``prefix`` characters, segment by segment: a segment walks its term list
    with a Levenshtein automaton, where a reader over several segments would
    compare every term."""
    out: set[str] = set()
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        for field in DEFAULT_FIELDS:
            out.update(t.decode("utf-8") if isinstance(t, bytes) else t
                       for t in reader.terms_within(field, text, maxdist, prefix=prefix))
    return out


def _df(reader, term: str) -> int:
    return sum(reader.doc_frequency(field, term) for field in DEFAULT_FIELDS)


def _keep(found: dict[str, tuple[int, int]], spelling: str, rank: tuple[int, int]) -> None:
    if spelling not in found or rank < found[spelling]:
        found[spelling] = rank
