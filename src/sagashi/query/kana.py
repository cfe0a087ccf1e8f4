"""Kana typed in place of kanji, read by the index's own readings.

Sudachi reads a kana string as the words its dictionary spells that way,
which is often not what was meant: にほんごきょうしつ becomes にほん + 御教室,
かいごしゅうろう becomes かい + ごし + ... The index knows better: beside each
word it holds the word's reading (``~ニホンゴ`` beside 日本語, compounds
included). :func:`read_by_index` splits a kana string into the readings the
index holds, fewest pieces first (so the longest readings win), with a
particle or two left over, and keeps that split only where it reads the
string better than Sudachi's words do (longer words the index knows).

>>> known = {"~ニホンゴ", "~キョシツ", "~ニホン"}.__contains__
>>> [p.text for p in segment("にほんごきょうしつ", known)[0]]
['にほんご', 'きょうしつ']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..analysis import SudachiAnalysis, fold, reading_term, to_katakana

#: Kana runs longer than this are left to Sudachi (the split costs index
#: look-ups that grow with the square of the length).
MAX_RUN = 40
#: The longest piece tried, in kana.
MAX_PIECE = 16
#: Pieces are at least this long: one kana reads as too many words.
MIN_PIECE = 2
#: At most this many kana may be left over (besides one-kana particles).
MAX_LEFTOVER = 2
#: With more left over, only pieces this long are kept (and the rest is left
#: to Sudachi): shorter readings are too often chance.
SURE_PIECE = 3
#: One-kana particles, which may stand between pieces (こどものいばしょ).
PARTICLES = frozenset("のをにでとへがはもや")


@dataclass(frozen=True)
class KanaPiece:
    """A piece of a kana string, as typed, and the index term it spells: a
    reading (``~ニホンゴ``) or a word written in kana (``カフェ``);
    ``start`` is where it begins in the string."""

    text: str
    term: str
    start: int = 0


def piece_term(piece: str, known: Callable[[str], bool]) -> str | None:
    """The index term a kana piece spells, if the index holds one: its
    reading first, then the word in katakana or as typed."""
    if len(piece) < MIN_PIECE or "を" in piece or "ヲ" in piece:
        return None  # を is a particle, never part of a word (its loose reading is オ)
    for term in (reading_term(piece), fold(to_katakana(piece)), fold(piece)):
        if term and known(term):
            return term
    return None


def segment(run: str, known: Callable[[str], bool]) -> tuple[list[KanaPiece], int]:
    """The split of ``run`` into indexed readings that leaves the fewest
    kana over (particles are free), then has the fewest pieces; returns the
    pieces and how many kana they (and the particles) account for.

    >>> known = {"~コドモ", "~イバショ", "~バショ"}.__contains__
    >>> pieces, covered = segment("こどものいばしょ", known)
    >>> [p.text for p in pieces], covered
    (['こども', 'いばしょ'], 8)
    """
    n = len(run)
    # best[i]: (kana left over, pieces, -lengths of the pieces, pieces) for run[:i]
    best: list[tuple[int, int, tuple[int, ...], tuple[KanaPiece, ...]] | None] = [None] * (n + 1)
    best[0] = (0, 0, (), ())
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        left, count, lengths, pieces = here
        options = [(left + (run[i] not in PARTICLES), count, lengths, pieces, i + 1)]
        for j in range(i + MIN_PIECE, min(n, i + MAX_PIECE) + 1):
            term = piece_term(run[i:j], known)
            if term:
                piece = KanaPiece(run[i:j], term, i)
                options.append((left, count + 1, (*lengths, i - j), (*pieces, piece), j))
        for left2, count2, lengths2, pieces2, end in options:
            candidate = (left2, count2, lengths2, pieces2)
            current = best[end]
            if current is None or candidate[:3] < current[:3]:
                best[end] = candidate
    final = best[n]
    assert final is not None  # leaving every kana over always reaches the end
    left, _, _, pieces = final
    uncovered = sum(1 for ch in run if ch not in PARTICLES) if not pieces else left
    return list(pieces), n - uncovered


def sudachi_score(run: str, analysis: SudachiAnalysis, known: Callable[[str], bool],
                  scaffolding: Callable[[str], bool] = lambda word: False) -> int:
    """How well Sudachi reads ``run``: the squared lengths of its finest words
    of two kana or more that the index holds (literally or by reading) or
    that are question scaffolding (さがす), plus one for each particle.
    Squares favour long words: なんみん read as one word says more than
    何 + 見る (なん + みん)."""
    score = 0
    for unit in analysis.units(run):
        if unit.level == "C":
            continue
        if unit.stopped:
            score += len(unit.surface)
            continue
        reading = reading_term(unit.reading)
        if len(unit.surface) >= MIN_PIECE and (
                known(unit.text) or scaffolding(unit.text)
                or (reading is not None and known(reading))):
            score += len(unit.surface) ** 2
    return score


def read_by_index(run: str, analysis: SudachiAnalysis, known: Callable[[str], bool],
                  scaffolding: Callable[[str], bool] = lambda word: False) -> list[KanaPiece]:
    """The pieces of a kana string read by the index's readings, or [] when
    Sudachi reads it as well (its known words, or ``scaffolding`` a question
    is phrased with, as long or longer), or when the string is too long to
    try. With more than a kana or two left over, only the long pieces are
    kept; the caller leaves the rest of the string to Sudachi."""
    if len(run) > MAX_RUN:
        return []
    seen: dict[str, bool] = {}

    def cached(term: str) -> bool:
        if term not in seen:
            seen[term] = known(term)
        return seen[term]

    pieces, covered = segment(run, cached)
    if len(run) - covered > MAX_LEFTOVER:
        pieces = [p for p in pieces if len(p.text) >= SURE_PIECE]
    ours = sum(len(p.text) ** 2 for p in pieces) + sum(
        1 for ch in run if ch in PARTICLES) * bool(pieces)
    if not pieces or ours <= sudachi_score(run, analysis, cached, scaffolding):
        return []
    return pieces
