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

import numpy as np

from ..analysis import MorphemeTable, Scanned, chain_settings
from ..domain.fields import SNIPPET_FIELDS
from ..whoosh_ext.arrays import format as fmt
from ..whoosh_ext.arrays.bulkwrite import FieldTokens
from ..whoosh_ext.arrays.forward import ForwardField

#: Estimated bytes a scanned morpheme costs until its segment is written
#: (the scan itself, then the token arrays sorted into postings).
BYTES_PER_MORPHEME = 120
#: Estimated bytes another token costs.
BYTES_PER_TOKEN = 40


class _Other:
    """The tokens of a field sagashi does not analyse itself: its terms,
    and per occurrence the term, document and position."""

    def __init__(self) -> None:
        self.terms: dict[bytes, int] = {}
        self.term_ids = array("i")
        self.docs = array("i")
        self.positions = array("i")


class SegmentBuilder:
    """The documents of one new segment, as token arrays (see the module
    docstring). ``tables`` holds a :class:`MorphemeTable` per analysis, kept
    by the caller across segments so that morphemes are worked out once."""

    def __init__(self, schema, tables: dict) -> None:
        self.schema = schema
        self.documents: list[dict] = []
        self._tables = tables
        self._scanned: dict[str, tuple[MorphemeTable, bool, bool, Scanned]] = {}
        self._other: dict[str, _Other] = {}
        self._plans: dict[str, tuple] = {}

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def size(self) -> int:
        """About how many bytes writing the segment will take."""
        morphemes = sum(len(s[3]) for s in self._scanned.values())
        tokens = sum(len(o.term_ids) for o in self._other.values())
        return morphemes * BYTES_PER_MORPHEME + tokens * BYTES_PER_TOKEN

    def add(self, document: dict) -> None:
        """Add a Whoosh document (as for ``add_document``)."""
        doc = len(self.documents)
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
        self.documents.append(document)

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

    def fields(self) -> dict[str, FieldTokens]:
        """Every indexed field's tokens."""
        out = {}
        for name, (table, readings, synonyms, scanned) in self._scanned.items():
            gids, docs, positions = table.tokens(scanned, readings, synonyms)
            used, term_ids = np.unique(gids, return_inverse=True)
            strings = table.strings
            out[name] = FieldTokens([strings[i] for i in used.tolist()], term_ids, docs,
                                    positions)
        for name, other in self._other.items():
            out[name] = FieldTokens(list(other.terms), _ints(other.term_ids),
                                    _ints(other.docs), _ints(other.positions))
        return out

    def forward(self) -> tuple[dict[str, ForwardField], list[bytes]] | None:
        """The forward index of the snippet fields, and its keys."""
        names = [n for n in SNIPPET_FIELDS if n in self._scanned]
        if not names:
            return None
        count = len(self.documents)
        parts = {}
        for name in names:
            table, _, _, scanned = self._scanned[name]
            parts[name] = (table, table.forward_units(scanned))
        tables = {id(t): t for t, _ in parts.values()}
        if len(tables) != 1:
            return None  # fields analysed differently: no shared keys (never in sagashi)
        (table,) = tables.values()
        used = np.unique(np.concatenate(
            [np.concatenate((u[3], u[4], u[7])) for _, u in parts.values()]))
        used = used[used >= 0]
        keys = [table.strings[i].encode("utf-8") for i in used.tolist()]
        fields = {name: _forward_field(units, used, count) for name, (_, units) in parts.items()}
        return fields, keys

    def write(self, writer) -> None:
        """Write the documents into a fresh segment writer of the array codec
        (see :meth:`sagashi.whoosh_ext.segments.SegmentWriter.write_bulk`)."""
        writer.write_bulk(len(self.documents), self.fields(), self.documents, self.forward())


def _ints(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=np.int32).astype(np.int64)


def _forward_field(units: tuple[np.ndarray, ...], used: np.ndarray,
                   doc_count: int) -> ForwardField:
    """A field's forward index from :meth:`MorphemeTable.forward_units`, its
    key ids renumbered to index ``used``."""
    docs, start, end, word, reading, flags, xunit, xkey = units
    out = np.zeros(len(docs), dtype=fmt.FORWARD_DTYPE)
    out["start"], out["end"], out["flags"] = start, end, flags
    out["word"] = np.searchsorted(used, word)
    out["reading"] = np.where(reading >= 0, np.searchsorted(used, reading), fmt.NO_KEY)
    bounds = np.arange(doc_count + 1)
    unit_docs = np.searchsorted(docs, bounds)
    xdocs = docs[xunit]
    extras = np.zeros(len(xunit), dtype=fmt.EXTRA_DTYPE)
    extras["unit"] = xunit - unit_docs[xdocs]
    extras["key"] = np.searchsorted(used, xkey)
    return ForwardField(out, unit_docs.astype(fmt.OFFSET_DTYPE), extras,
                        np.searchsorted(xdocs, bounds).astype(fmt.OFFSET_DTYPE))
