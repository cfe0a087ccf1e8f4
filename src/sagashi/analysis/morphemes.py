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
from collections.abc import Iterator
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
        """The four columns as int32 arrays (views: do not change them)."""
        return tuple(np.frombuffer(a, dtype=np.int32)  # type: ignore[return-value]
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
        # A morpheme is its surface and dictionary word (sagashi uses a system
        # dictionary only, whose word ids are unique, unknown words included:
        # theirs encode the part of speech). Most surfaces have one word, so
        # the table is keyed by surface and checks the word; other words of
        # the same surface go in a second table.
        self._by_surface: dict[str, int] = {}
        self._by_word: dict[tuple[str, int], int] = {}
        self._word_ids = array("q")
        self._advance = array("i")
        self._emissions: dict[tuple[bool, bool], _Emissions] = {}
        # per morpheme a run of units (forward units and index tokens alike),
        # and a run of extra keys (synonym groups)
        self._unit_first = array("q", [0])
        self._unit_offset = array("i")  # position offset
        self._unit_start = array("i")
        self._unit_end = array("i")
        self._unit_word = array("i")
        self._unit_reading = array("i")  # reading key (-1: none)
        self._unit_index_reading = array("i")  # reading term the index holds (-1: none)
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
        tokenize = _tokenizer(self.analysis.dict_name).tokenize
        get = self._by_surface.get
        word_ids, advance = self._word_ids, self._advance
        add_entry, add_position = out.entries.append, out.positions.append
        add_begin, add_doc = out.begins.append, out.docs.append
        for offset, piece in chunks(clean(text)):
            for m in tokenize(piece):
                surface = m.surface()
                e = get(surface)
                if e is None or word_ids[e] != m.word_id():
                    e = self._entry(m, surface)
                step = advance[e]
                if step:
                    add_entry(e)
                    add_position(position)
                    add_begin(m.begin() + offset)
                    add_doc(doc)
                    position += step
        return position

    def _entry(self, m, surface: str) -> int:
        """The id of a morpheme not found by its surface alone (added if new)."""
        key = (surface, m.word_id())
        e = self._by_word.get(key)
        if e is None:
            e = self._add(m)
            if surface in self._by_surface:
                self._by_word[key] = e
            else:
                self._by_surface[surface] = e
        return e

    def use(self, readings: bool, synonyms: bool) -> None:
        """Prepare to make index tokens with (or without) reading and synonym
        terms (see :meth:`tokens`)."""
        if (readings, synonyms) in self._emissions:
            return
        out = self._emissions[(readings, synonyms)] = _Emissions()
        first = self._unit_first.tolist()
        xfirst = self._extra_first.tolist()
        for e in range(len(self)):
            self._emit(out, readings, synonyms, range(first[e], first[e + 1]),
                       self._extra_key[xfirst[e]:xfirst[e + 1]],
                       self._extra_unit[xfirst[e]:xfirst[e + 1]])

    def _emit(self, out: _Emissions, readings: bool, synonyms: bool, units: range,
              extra_keys, extra_units) -> None:
        """Append one morpheme's index tokens (its units' words, then each
        unit's synonym groups, then its reading term, as the analyzer chain
        yields them) to ``out``."""
        for i, u in enumerate(units):
            offset = self._unit_offset[u]
            out.terms.append(self._unit_word[u])
            out.offsets.append(offset)
            if synonyms:
                for key, unit in zip(extra_keys, extra_units):
                    if unit == i:
                        out.terms.append(key)
                        out.offsets.append(offset)
            reading = self._unit_index_reading[u]
            if readings and reading >= 0:
                out.terms.append(reading)
                out.offsets.append(offset)
        out.first.append(len(out.terms))

    def _add(self, m) -> int:
        """Work out what a new morpheme yields; return its id."""
        units, step = self._units(m)
        self._word_ids.append(m.word_id())
        self._advance.append(step)
        first, xfirst = len(self._unit_start), len(self._extra_unit)
        for i, (offset, word, index_reading, flags, start, end, groups, reading) \
                in enumerate(units):
            self._unit_offset.append(offset)
            self._unit_start.append(start)
            self._unit_end.append(end)
            self._unit_word.append(word)
            self._unit_reading.append(reading)
            self._unit_index_reading.append(index_reading)
            self._unit_flags.append(flags)
            for g in groups:
                self._extra_unit.append(i)
                self._extra_key.append(g)
        self._unit_first.append(len(self._unit_start))
        self._extra_first.append(len(self._extra_unit))
        for (readings, synonyms), out in self._emissions.items():
            self._emit(out, readings, synonyms, range(first, len(self._unit_start)),
                       self._extra_key[xfirst:], self._extra_unit[xfirst:])
        return len(self._advance) - 1

    def _units(self, m) -> tuple[list[tuple], int]:
        """The units of a morpheme (none if it is stopped) and the positions
        it takes. A unit is ``(position offset, word id, index reading id,
        flags, start, end, synonym ids, reading key id)``: ids interned
        (-1: none), offsets relative to the morpheme."""
        stop_pos = self.analysis.stop_pos
        if m.part_of_speech()[0] in stop_pos:
            return [], 0
        base = m.begin()
        parts = m.split(_split_mode_a()) if self.analysis.split_compounds else ()
        if len(parts) < 2:
            return [self._unit(m, 0, FINEST, base)], 1
        units = [self._unit(m, 0, COMPOUND, base)]
        units += [self._unit(a, step, FINEST, base) for step, a in enumerate(parts)
                  if a.part_of_speech()[0] not in stop_pos]
        return units, len(parts)

    def _unit(self, m, offset: int, flags: int, base: int) -> tuple:
        intern = self.intern
        text = fold(m.normalized_form())
        word = intern(text)
        term = reading_term(m.reading_form())
        reading = intern(term) if term else -1
        index_reading = -1
        if term and term != text and needs_reading(m.surface()):
            index_reading = reading
        groups = tuple(intern(synonym_term(g)) for g in m.synonym_group_ids())
        return (offset, word, index_reading, flags, m.begin() - base, m.end() - base, groups,
                reading)

    def tokens(self, scanned: Scanned, readings: bool = True, synonyms: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The index tokens of scanned morphemes, in order: term ids
        (:attr:`strings`), documents and positions (int32 arrays, made a
        chunk of morphemes at a time)."""
        self.use(readings, synonyms)
        out = self._emissions[(readings, synonyms)]
        entries, positions, _, docs = scanned.arrays()
        first = np.frombuffer(out.first, dtype=np.int64)
        total = _total(first, entries)
        terms_out = np.empty(total, dtype=np.int32)
        docs_out = np.empty(total, dtype=np.int32)
        positions_out = np.empty(total, dtype=np.int32)
        all_terms = np.frombuffer(out.terms, dtype=np.int32)
        all_offsets = np.frombuffer(out.offsets, dtype=np.int32)
        at = 0
        for lo in range(0, len(entries), CHUNK_MORPHEMES):
            mine = entries[lo:lo + CHUNK_MORPHEMES]
            index, which = _runs(first[mine], first[mine + 1])
            n = len(index)
            terms_out[at:at + n] = all_terms[index]
            docs_out[at:at + n] = docs[lo:lo + CHUNK_MORPHEMES][which]
            np.add(positions[lo:lo + CHUNK_MORPHEMES][which], all_offsets[index],
                   out=positions_out[at:at + n])
            at += n
        return terms_out, docs_out, positions_out

    def forward_keys(self, scanned: Scanned) -> np.ndarray:
        """The ids of every key the forward units of scanned morphemes have
        (words, readings, synonym groups), increasing."""
        entries = np.unique(scanned.arrays()[0])
        first = np.frombuffer(self._unit_first, dtype=np.int64)
        at, _ = _runs(first[entries], first[entries + 1])
        xfirst = np.frombuffer(self._extra_first, dtype=np.int64)
        xat, _ = _runs(xfirst[entries], xfirst[entries + 1])
        keys = np.concatenate((np.frombuffer(self._unit_word, dtype=np.int32)[at],
                               np.frombuffer(self._unit_reading, dtype=np.int32)[at],
                               np.frombuffer(self._extra_key, dtype=np.int32)[xat]))
        keys = np.unique(keys)
        return keys[keys >= 0]

    def forward_sizes(self, scanned: Scanned) -> tuple[int, int]:
        """How many units and extra keys :meth:`forward_units` yields."""
        entries = scanned.arrays()[0]
        return (_total(np.frombuffer(self._unit_first, dtype=np.int64), entries),
                _total(np.frombuffer(self._extra_first, dtype=np.int64), entries))

    def forward_units(self, scanned: Scanned) -> Iterator[tuple[np.ndarray, ...]]:
        """The units of scanned morphemes, in order, a chunk of morphemes at a
        time: documents, start and end characters, word and reading key ids
        (-1: none), flags; and their extra keys: the unit (an index into all
        the units) and the key id."""
        entries, _, begins, docs = scanned.arrays()
        first = np.frombuffer(self._unit_first, dtype=np.int64)
        xfirst = np.frombuffer(self._extra_first, dtype=np.int64)
        unit_start = np.frombuffer(self._unit_start, dtype=np.int32)
        unit_end = np.frombuffer(self._unit_end, dtype=np.int32)
        unit_word = np.frombuffer(self._unit_word, dtype=np.int32)
        unit_reading = np.frombuffer(self._unit_reading, dtype=np.int32)
        unit_flags = np.frombuffer(self._unit_flags, dtype=np.int8)
        extra_unit = np.frombuffer(self._extra_unit, dtype=np.int32)
        extra_key = np.frombuffer(self._extra_key, dtype=np.int32)
        units_before = 0
        for lo in range(0, len(entries), CHUNK_MORPHEMES):
            mine = entries[lo:lo + CHUNK_MORPHEMES]
            at, which = _runs(first[mine], first[mine + 1])
            base = begins[lo:lo + CHUNK_MORPHEMES][which]
            # extra keys, each tied to its morpheme's first unit plus its unit offset
            xat, xwhich = _runs(xfirst[mine], xfirst[mine + 1])
            per_morpheme = (first[mine + 1] - first[mine]).astype(np.int64)
            unit_of_morpheme = units_before + np.cumsum(per_morpheme) - per_morpheme
            yield (docs[lo:lo + CHUNK_MORPHEMES][which], base + unit_start[at],
                   base + unit_end[at], unit_word[at], unit_reading[at], unit_flags[at],
                   unit_of_morpheme[xwhich] + extra_unit[xat], extra_key[xat])
            units_before += len(at)


#: Morphemes turned into tokens or units at a time.
CHUNK_MORPHEMES = 1 << 19


def _total(first: np.ndarray, entries: np.ndarray) -> int:
    """How many items the ``first`` runs of ``entries`` hold in all."""
    total = 0
    for lo in range(0, len(entries), CHUNK_MORPHEMES):
        mine = entries[lo:lo + CHUNK_MORPHEMES]
        total += int((first[mine + 1] - first[mine]).sum())
    return total


def _runs(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated ranges ``starts[i]:ends[i]``, and for each element
    the ``i`` it came from (int32 both: a segment holds fewer than 2**31
    tokens)."""
    counts = (ends - starts).astype(np.int32)
    which = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    at = np.arange(len(which), dtype=np.int32)
    at -= np.repeat(np.cumsum(counts, dtype=np.int32) - counts, counts)
    at += np.repeat(starts.astype(np.int32), counts)
    return at, which
