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
from collections.abc import Iterator, Mapping

import numpy as np

from ..analysis import MorphemeTable, Scanned, chain_settings
from ..domain.fields import SNIPPET_FIELDS
from ..whoosh_ext.arrays import format as fmt
from ..whoosh_ext.arrays.bulkwrite import FieldTokens
from ..whoosh_ext.arrays.forward import ForwardField


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
                self._add_other(name, plan[1], value, doc)
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
        return ("other", field)

    def _add_other(self, name: str, field, value, doc: int) -> None:
        other = self._other[name]
        if fmt.kind_of(field.format) == fmt.KIND_NONE:
            tokens = [(tbytes, 0) for tbytes, _, _, _ in field.index(value)]
        else:
            tokens = [(field.to_bytes(t.text), t.pos) for t in
                      field.analyzer(value, positions=True, mode="index")]
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

    def forward(self) -> tuple[Mapping[str, ForwardField], list[bytes]] | None:
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

    def forward_field(self, name: str, table: MorphemeTable, used: np.ndarray) -> ForwardField:
        """One snippet field's forward index, its key ids indexing ``used``."""
        scanned = self._scanned[name][3]
        count = self.count
        units_total, extras_total = table.forward_sizes(scanned)
        units = np.zeros(units_total, dtype=fmt.FORWARD_DTYPE)
        extras = np.zeros(extras_total, dtype=fmt.EXTRA_DTYPE)
        unit_counts = np.zeros(count, dtype=np.int64)
        extra_counts = np.zeros(count, dtype=np.int64)
        unit_docs_so_far = np.zeros(count, dtype=np.int64)  # units of each doc before this chunk
        u = x = 0
        for docs, start, end, word, reading, flags, xunit, xkey in table.forward_units(scanned):
            n, m = len(docs), len(xkey)
            part = units[u:u + n]
            part["start"], part["end"], part["flags"] = start, end, flags
            part["word"] = np.searchsorted(used, word)
            part["reading"] = np.where(reading >= 0, np.searchsorted(used, reading), fmt.NO_KEY)
            # a unit's index within its document: units before it in the
            # document (earlier chunks, and earlier in this one)
            local = xunit - u
            xdocs = docs[local]
            first_in_chunk = np.searchsorted(docs, xdocs)
            xpart = extras[x:x + m]
            xpart["unit"] = unit_docs_so_far[xdocs] + (local - first_in_chunk)
            xpart["key"] = np.searchsorted(used, xkey)
            chunk_counts = np.bincount(docs, minlength=count)
            unit_docs_so_far += chunk_counts
            unit_counts += chunk_counts
            extra_counts += np.bincount(xdocs, minlength=count)
            u, x = u + n, x + m
        return ForwardField(units, _offsets(unit_counts), extras, _offsets(extra_counts))

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

    def __getitem__(self, name: str) -> ForwardField:
        if name not in self._names:
            raise KeyError(name)
        return self._builder.forward_field(name, self._table, self._used)


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


def _offsets(counts: np.ndarray) -> np.ndarray:
    """Where each document's items begin, and the end."""
    out = np.zeros(len(counts) + 1, dtype=fmt.OFFSET_DTYPE)
    np.cumsum(counts, out=out[1:])
    return out
