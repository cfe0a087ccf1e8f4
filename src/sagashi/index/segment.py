"""One new segment's documents, gathered as token arrays and written in bulk.

A :class:`SegmentBuilder` takes Whoosh documents (:func:`~sagashi.index.schema.
to_document`) one at a time. Text fields analysed by sagashi's analyzer
chain are scanned into morpheme ids (:class:`~sagashi.analysis.MorphemeTable`,
which works out each distinct morpheme once); other indexed fields (IDs,
numbers, name bigrams) go through their Whoosh field as ``add_document``
would. :meth:`SegmentBuilder.write` then turns everything into postings and
the forward index of the snippet fields with array arithmetic and writes the
segment through the array codec's bulk writer.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping

import numpy as np
from whoosh import fields
from whoosh.analysis import IDTokenizer

from ..analysis import BigramTokenizer, MorphemeTable, Scanned, bigrams, chain_settings
from ..domain.fields import SNIPPET_FIELDS
from ..whoosh_ext.arrays import format as fmt
from ..whoosh_ext.arrays.bulkwrite import FieldTokens


class _Other:
    """The tokens of a field sagashi does not analyse itself: its terms,
    and per occurrence the term, document and position."""

    def __init__(self) -> None:
        self.terms: dict[bytes, int] = {}
        self.term_ids = array("i")
        self.docs = array("i")
        self.positions = array("i")


class SegmentBuilder:
    """The documents of one new segment (see the module docstring), written
    by ``writer`` (a fresh :class:`~sagashi.whoosh_ext.segments.SegmentWriter`):
    stored fields as documents come, postings and the forward index by
    :meth:`write`. ``tables`` holds a :class:`MorphemeTable` per analysis,
    kept by the caller across segments so that morphemes are worked out once."""

    def __init__(self, writer, tables: dict) -> None:
        self.writer = writer
        self.schema = writer.schema
        self.count = 0
        self._tables = tables
        self._scanned: dict[str, tuple[MorphemeTable, bool, bool, Scanned]] = {}
        self._other: dict[str, _Other] = {}
        self._plans: dict[str, tuple] = {}

    def __len__(self) -> int:
        return self.count

    @property
    def morphemes(self) -> int:
        """How many morphemes (and other tokens) the documents hold: what
        writing them will take memory for."""
        return (sum(len(s[3]) for s in self._scanned.values())
                + sum(len(o.term_ids) for o in self._other.values()))

    def add(self, document: dict) -> None:
        """Add a Whoosh document (as for ``add_document``)."""
        doc = self.count
        for name, value in document.items():
            if value is None or name.startswith("_"):
                continue
            plan = self._plans.get(name)
            if plan is None:
                plan = self._plans[name] = self._plan(name)
            if plan[0] == "scan":
                _, table, scanned = plan
                table.scan(value, doc, scanned)
            elif plan[0] == "other":
                self._add_other(name, plan, value, doc)
        self.writer.store(document)
        self.count += 1

    def _plan(self, name: str) -> tuple:
        field = self.schema[name]
        if not field.indexed:
            return ("stored",)
        settings = chain_settings(getattr(field, "analyzer", None))
        if settings is not None and fmt.kind_of(field.format) == fmt.KIND_POSITIONS:
            analysis, readings, synonyms = settings
            table = self._tables.get(analysis)
            if table is None:
                table = self._tables[analysis] = MorphemeTable(analysis)
            table.use(readings, synonyms)
            scanned = Scanned.empty()
            self._scanned[name] = (table, readings, synonyms, scanned)
            return ("scan", table, scanned)
        self._other[name] = _Other()
        return ("other", field, _tokens_of(field))

    def _add_other(self, name: str, plan: tuple, value, doc: int) -> None:
        other = self._other[name]
        _, field, tokens_of = plan
        tokens = tokens_of(value)
        terms = other.terms
        for tbytes, position in tokens:
            other.term_ids.append(terms.setdefault(tbytes, len(terms)))
            other.docs.append(doc)
            other.positions.append(position)

    def fields(self) -> Mapping[str, FieldTokens]:
        """Every indexed field's tokens, each made when asked for (so that
        only one field's are held at a time)."""
        return _Fields(self)

    def tokens(self, name: str) -> FieldTokens:
        """One field's tokens."""
        if name in self._scanned:
            table, readings, synonyms, scanned = self._scanned[name]
            gids, docs, positions = table.tokens(scanned, readings, synonyms)
            present = np.zeros(len(table.strings), dtype=bool)
            present[gids] = True
            used = np.flatnonzero(present)
            local = np.cumsum(present, dtype=np.int32) - 1  # table id -> index in used
            term_ids = local[gids]
            del gids, present, local
            strings = table.strings
            return FieldTokens([strings[i] for i in used.tolist()], term_ids, docs, positions)
        other = self._other[name]
        return FieldTokens(list(other.terms), _ints(other.term_ids), _ints(other.docs),
                           _ints(other.positions))

    def forward(self) -> tuple[Mapping[str, _ForwardMaker], list[bytes]] | None:
        """The forward index of the snippet fields (each field's made when
        asked for), and its keys."""
        names = [n for n in SNIPPET_FIELDS if n in self._scanned]
        tables = {id(self._scanned[n][0]): self._scanned[n][0] for n in names}
        if len(tables) != 1:
            return None  # none, or fields analysed differently (never in sagashi)
        (table,) = tables.values()
        used = np.unique(np.concatenate([table.forward_keys(self._scanned[n][3])
                                         for n in names]))
        keys = [table.strings[i].encode("utf-8") for i in used.tolist()]
        return _Forward(self, names, table, used), keys

    def forward_field(self, name: str, table: MorphemeTable, used: np.ndarray) -> _ForwardMaker:
        """One snippet field's forward index, its key ids indexing ``used``:
        made a chunk of morphemes at a time as it is written."""
        return _ForwardMaker(table, self._scanned[name][3], used)

    def write(self) -> None:
        """Write the postings and the forward index of the documents added."""
        self.writer.write_postings(self.fields(), self.forward())


class _Forward(Mapping):
    """A builder's forward fields, each made on access."""

    def __init__(self, builder: SegmentBuilder, names: list[str], table: MorphemeTable,
                 used: np.ndarray) -> None:
        self._builder, self._names, self._table, self._used = builder, names, table, used

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __getitem__(self, name: str) -> _ForwardMaker:
        if name not in self._names:
            raise KeyError(name)
        return self._builder.forward_field(name, self._table, self._used)


def _tokens_of(field) -> Callable[[object], list[tuple[bytes, int]]]:
    """How to turn a value of a field sagashi does not analyse itself into
    ``(term bytes, position)`` tokens, as ``add_document`` would: directly
    for a plain ID field and for name bigrams (the common cases, kept
    cheap), else through the field."""
    analyzer = getattr(field, "analyzer", None)
    if fmt.kind_of(field.format) == fmt.KIND_NONE:
        if type(field) is fields.ID and type(analyzer) is IDTokenizer:
            return lambda value: [(value.encode("utf-8"), 0)] if isinstance(value, str) \
                else [(tbytes, 0) for tbytes, _, _, _ in field.index(value)]
        return lambda value: [(tbytes, 0) for tbytes, _, _, _ in field.index(value)]
    if type(analyzer) is BigramTokenizer:
        return lambda value: [(gram.encode("utf-8"), i)
                              for i, gram in enumerate(bigrams(str(value)))]
    return lambda value: [(field.to_bytes(t.text), t.pos)
                          for t in field.analyzer(value, positions=True, mode="index")]


class _Fields(Mapping):
    """A builder's fields, whose tokens are made on each access."""

    def __init__(self, builder: SegmentBuilder) -> None:
        self._builder = builder
        self._names = [*builder._scanned, *builder._other]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __getitem__(self, name: str) -> FieldTokens:
        if name not in self._names:
            raise KeyError(name)
        return self._builder.tokens(name)


def _ints(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32)


class _ForwardMaker:
    """A field's forward index, made from scanned morphemes a chunk at a time
    into a :class:`~sagashi.whoosh_ext.arrays.forward.ForwardWriter`."""

    def __init__(self, table: MorphemeTable, scanned: Scanned, used: np.ndarray) -> None:
        self._table, self._scanned, self._used = table, scanned, used

    def write_to(self, out, doc_count: int) -> None:
        used = self._used
        unit_counts = np.zeros(doc_count, dtype=np.int64)  # units of each document so far
        extra_counts = np.zeros(doc_count, dtype=np.int64)
        before = 0  # units of earlier chunks
        for docs, start, end, word, reading, flags, xunit, xkey in \
                self._table.forward_units(self._scanned):
            units = np.zeros(len(docs), dtype=fmt.FORWARD_DTYPE)
            units["start"], units["end"], units["flags"] = start, end, flags
            units["word"] = np.searchsorted(used, word)
            units["reading"] = np.where(reading >= 0, np.searchsorted(used, reading), fmt.NO_KEY)
            # an extra key's unit, counted within its document: the document's
            # units in earlier chunks, then those before it in this one
            local = xunit - before
            xdocs = docs[local]
            extras = np.zeros(len(xkey), dtype=fmt.EXTRA_DTYPE)
            extras["unit"] = unit_counts[xdocs] + (local - np.searchsorted(docs, xdocs))
            extras["key"] = np.searchsorted(used, xkey)
            out.add(units, extras)
            unit_counts += np.bincount(docs, minlength=doc_count)
            extra_counts += np.bincount(xdocs, minlength=doc_count)
            before += len(docs)
        out.finish(unit_counts, extra_counts, doc_count)
