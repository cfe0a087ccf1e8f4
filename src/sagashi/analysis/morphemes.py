"""Analysis for indexing, at SudachiPy's own speed: everything derived from a
morpheme is worked out once per distinct morpheme, and a text becomes a
list of morpheme ids.

The vocabulary is Zipf-shaped, so most morphemes of a text were seen
before. A :class:`MorphemeTable` keeps, for each distinct one (its surface,
dictionary word and dictionary), what the analysis makes of it: whether it
is stopped, how many positions it takes, and its units (the word itself, or
a compound and its parts) with their index terms (word, reading, synonym
groups), positions and offsets relative to the morpheme. :meth:`scan` then
costs a dictionary lookup per morpheme beyond Sudachi's tokenizing; turning
scanned morphemes into tokens (:meth:`MorphemeTable.tokens`,
:meth:`MorphemeTable.forward_units`) is array arithmetic.

What comes out is exactly what the Whoosh analyzer chain
(:func:`~sagashi.analysis.tokenizer.japanese_analyzer`) yields and what
:meth:`SudachiAnalysis.units <sagashi.analysis.sudachi.SudachiAnalysis.units>`
finds (tests/test_morphemes.py checks both on real text).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from .chars import clean, fold
from .sudachi import SudachiAnalysis, _split_mode_a, _tokenizer, chunks
from .tokenizer import needs_reading, reading_term, synonym_term

#: Unit flags: a compound that also yields its parts; a unit among the
#: finest (not such a compound).
COMPOUND, FINEST = 2, 1


@dataclass
class Scanned:
    """Morphemes scanned from texts, one entry per morpheme that is not
    stopped: its id in the table, the position it starts at and its first
    character, and the document it belongs to."""

    entries: array
    positions: array
    begins: array
    docs: array

    @classmethod
    def empty(cls) -> Scanned:
        return cls(array("i"), array("i"), array("i"), array("i"))

    def __len__(self) -> int:
        return len(self.entries)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The four columns as int64 arrays."""
        return tuple(np.frombuffer(a, dtype=np.int32).astype(np.int64)  # type: ignore[return-value]
                     for a in (self.entries, self.positions, self.begins, self.docs))


class _Emissions:
    """One way of turning a table's morphemes into index tokens (with or
    without reading and synonym terms): per morpheme a run of tokens, each
    a term id and a position offset."""

    def __init__(self) -> None:
        self.first = array("q", [0])  # tokens of morpheme m: first[m]:first[m + 1]
        self.terms = array("i")
        self.offsets = array("i")


class MorphemeTable:
    """Everything derived from each distinct morpheme seen, for one
    :class:`SudachiAnalysis` (in one process: Sudachi objects do not
    pickle). Terms and keys are strings interned as ids (:attr:`strings`)."""

    def __init__(self, analysis: SudachiAnalysis | None = None) -> None:
        self.analysis = analysis or SudachiAnalysis()
        self.strings: list[str] = []
        self._string_ids: dict[str, int] = {}
        self._ids: dict[tuple, int] = {}
        self._advance = array("i")
        self._emissions = {(True, True): _Emissions(), (False, False): _Emissions(),
                           (True, False): _Emissions(), (False, True): _Emissions()}
        # forward units: per morpheme a run of units, and a run of extra keys
        self._unit_first = array("q", [0])
        self._unit_start = array("i")
        self._unit_end = array("i")
        self._unit_word = array("i")
        self._unit_reading = array("i")
        self._unit_flags = array("b")
        self._extra_first = array("q", [0])
        self._extra_unit = array("i")
        self._extra_key = array("i")

    def __len__(self) -> int:
        return len(self._advance)

    def intern(self, text: str) -> int:
        """The id of a term or key string."""
        found = self._string_ids.get(text)
        if found is None:
            found = self._string_ids[text] = len(self.strings)
            self.strings.append(text)
        return found

    def scan(self, text: str, doc: int, out: Scanned, position: int = 0) -> int:
        """Append the morphemes of ``text`` (document ``doc``) that are not
        stopped to ``out``; return the position after the last one."""
        text = clean(text)
        tok = _tokenizer(self.analysis.dict_name)
        ids = self._ids
        advance = self._advance
        entries, positions, begins, docs = out.entries, out.positions, out.begins, out.docs
        for offset, piece in chunks(text):
            for m in tok.tokenize(piece):
                key = (m.surface(), m.word_id(), m.dictionary_id())
                e = ids.get(key)
                if e is None:
                    e = ids[key] = self._add(m)
                step = advance[e]
                if step:
                    entries.append(e)
                    positions.append(position)
                    begins.append(m.begin() + offset)
                    docs.append(doc)
                    position += step
        return position

    def _add(self, m) -> int:
        """Work out what a new morpheme yields; return its id."""
        stop_pos = self.analysis.stop_pos
        pos = m.part_of_speech()
        units: list[tuple] = []  # (surface, text, reading, offset, start, end, flags, groups)
        step = 0
        if pos[0] not in stop_pos:
            base = m.begin()
            parts = m.split(_split_mode_a()) if self.analysis.split_compounds else ()
            compound = len(parts) > 1
            units.append((m.surface(), fold(m.normalized_form()), m.reading_form(), 0, 0,
                          m.end() - base, COMPOUND if compound else FINEST,
                          tuple(m.synonym_group_ids())))
            if not compound:
                step = 1
            else:
                for a in parts:
                    if a.part_of_speech()[0] not in stop_pos:
                        units.append((a.surface(), fold(a.normalized_form()), a.reading_form(),
                                      step, a.begin() - base, a.end() - base, FINEST,
                                      tuple(a.synonym_group_ids())))
                    step += 1
        self._advance.append(step)
        for (readings, synonyms), out in self._emissions.items():
            for surface, text, reading, offset, _, _, flags, groups in units:
                out.terms.append(self.intern(text))
                out.offsets.append(offset)
                if synonyms:
                    for g in groups:
                        out.terms.append(self.intern(synonym_term(g)))
                        out.offsets.append(offset)
                if readings and not flags & COMPOUND and needs_reading(surface):
                    term = reading_term(reading)
                    if term and term != text:
                        out.terms.append(self.intern(term))
                        out.offsets.append(offset)
            out.first.append(len(out.terms))
        for i, (_, text, reading, _, start, end, flags, groups) in enumerate(units):
            self._unit_start.append(start)
            self._unit_end.append(end)
            self._unit_word.append(self.intern(text))
            term = reading_term(reading)
            self._unit_reading.append(self.intern(term) if term else -1)
            self._unit_flags.append(flags)
            for g in groups:
                self._extra_unit.append(i)
                self._extra_key.append(self.intern(synonym_term(g)))
        self._unit_first.append(len(self._unit_start))
        self._extra_first.append(len(self._extra_unit))
        return len(self._advance) - 1

    def tokens(self, scanned: Scanned, readings: bool = True, synonyms: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The index tokens of scanned morphemes, in order: term ids
        (:attr:`strings`), documents and positions."""
        out = self._emissions[(readings, synonyms)]
        entries, positions, _, docs = scanned.arrays()
        first = np.frombuffer(out.first, dtype=np.int64)
        at, which = _runs(first[entries], first[entries + 1])
        terms = np.frombuffer(out.terms, dtype=np.int32)[at]
        offsets = np.frombuffer(out.offsets, dtype=np.int32)[at]
        return terms, docs[which], positions[which] + offsets

    def forward_units(self, scanned: Scanned) -> tuple[np.ndarray, ...]:
        """The units of scanned morphemes, in order: documents, start and end
        characters, word and reading key ids (-1: none), flags; and their
        extra keys: the unit (an index into the units) and the key id."""
        entries, _, begins, docs = scanned.arrays()
        first = np.frombuffer(self._unit_first, dtype=np.int64)
        at, which = _runs(first[entries], first[entries + 1])
        start = begins[which] + np.frombuffer(self._unit_start, dtype=np.int32)[at]
        end = begins[which] + np.frombuffer(self._unit_end, dtype=np.int32)[at]
        word = np.frombuffer(self._unit_word, dtype=np.int32)[at]
        reading = np.frombuffer(self._unit_reading, dtype=np.int32)[at]
        flags = np.frombuffer(self._unit_flags, dtype=np.int8)[at]
        # extra keys, each tied to its morpheme's first unit plus its own unit offset
        xfirst = np.frombuffer(self._extra_first, dtype=np.int64)
        xat, xwhich = _runs(xfirst[entries], xfirst[entries + 1])
        unit_of_morpheme = np.concatenate(([0], np.cumsum(first[entries + 1] - first[entries])))
        xunit = unit_of_morpheme[xwhich] + np.frombuffer(self._extra_unit, dtype=np.int32)[xat]
        xkey = np.frombuffer(self._extra_key, dtype=np.int32)[xat]
        return docs[which], start, end, word, reading, flags, xunit, xkey


def _runs(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated ranges ``starts[i]:ends[i]``, and for each element
    the ``i`` it came from."""
    counts = ends - starts
    which = np.repeat(np.arange(len(counts)), counts)
    before = np.cumsum(counts) - counts
    return starts[which] + (np.arange(len(which)) - before[which]), which
