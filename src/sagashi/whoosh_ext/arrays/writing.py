"""Writing a segment: postings and the term table as arrays, exact field
lengths and the forward index beside Whoosh's per-document data.

Both ways of writing postings end in :meth:`PostingStreams.write`, which
takes a :class:`PostingBatch` (consecutive terms of one field, as arrays):

- Whoosh's per-posting path (``FieldWriter.add`` for each posting, used by
  ``add_document``, ``add_reader`` and Whoosh's merges) collects postings
  in :class:`ArrayFieldWriter` and hands them over in batches;
- the bulk writer (:mod:`~sagashi.whoosh_ext.arrays.bulkwrite`) and the
  array merge (:mod:`~sagashi.whoosh_ext.arrays.merge`) build batches with
  numpy alone.

Everything written for a term is a function of its postings only, so both
paths write the same bytes for the same postings.
"""

from __future__ import annotations

import itertools
import json
from array import array
from dataclasses import dataclass
from pickle import loads

import numpy as np
from whoosh.codec.base import FieldWriter

from . import format as fmt
from .forward import ForwardField, write_forward_field, write_forward_keys, write_forward_parts
from .lexicon import write_lexicon
from .whoosh_private import W3PerDocWriter

#: The per-posting path hands postings over after this many (at a term's end).
FLUSH_POSTINGS = 1 << 16
_NO_LENGTH = np.uint32(0xFFFFFFFF)


@dataclass
class PostingBatch:
    """Postings of consecutive terms of one field, in term order.

    ``starts[t]:starts[t + 1]`` are term ``t``'s postings. Per posting:
    ``ids`` (uint32, increasing within a term), ``weights`` (float64),
    ``lengths`` (uint32 field length of its document, 0 if none) and
    ``counts`` (its value units: occurrences for position kinds, bytes for
    KIND_BYTES, 0 for KIND_NONE). ``values`` holds the value units of all
    postings in order: positions (or position/startchar/endchar triples) or
    bytes.
    """

    terms: list
    starts: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    lengths: np.ndarray
    counts: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


class PostingStreams:
    """The postings files and the term table of a segment being written.
    Ids, value ends, bytes and blocks are appended as batches come; weights
    and positions are kept until :meth:`close`, which writes them in the
    smallest exact dtype, and the term table (rows sorted by field, then
    term)."""

    def __init__(self, storage, segment) -> None:
        self._storage, self._segment = storage, segment
        self._files = {ext: segment.create_file(storage, ext) for ext in
                       (fmt.IDS_EXT, fmt.ENDS_EXT, fmt.BYTES_EXT, fmt.BLOCKS_EXT)}
        for f in self._files.values():
            f.write(bytes(fmt.HEADER_SIZE))
        self._weights: list[np.ndarray] = []
        self._positions: list[np.ndarray] = []
        self._counts = dict.fromkeys((*self._files, fmt.POSITIONS_EXT), 0)
        #: field name -> (kind, [terms], [rows], [hashes of the terms])
        self._fields: dict[str, tuple[int, list, list, list]] = {}

    def write(self, fieldname: str, kind: int, batch: PostingBatch) -> None:
        """Append a batch of ``fieldname``'s postings (its terms follow the
        terms written for the field before, in byte order)."""
        if not len(batch.terms):
            return
        batch.weights = np.asarray(batch.weights, dtype=np.float64)
        starts = np.asarray(batch.starts, dtype=np.int64)
        blocks, first_block = _blocks(batch, starts)
        ends, value_base = _value_ends(batch, starts)
        rows = self._term_rows(kind, batch, starts, blocks, first_block, value_base)
        self._append(fmt.IDS_EXT, batch.ids.astype(fmt.ID_DTYPE, copy=False))
        self._append(fmt.ENDS_EXT, ends)
        self._append(fmt.BLOCKS_EXT, blocks)
        if kind in fmt.UNITS:  # kept in the smallest dtype that holds them
            values = np.asarray(batch.values)
            self._positions.append(values.astype(fmt.smallest_uint(values), copy=False))
            self._counts[fmt.POSITIONS_EXT] += len(values)
        elif kind == fmt.KIND_BYTES:
            self._append(fmt.BYTES_EXT, batch.values.astype(fmt.BYTE_DTYPE, copy=False))
        self._weights.append(batch.weights.astype(fmt.smallest_weight_dtype(batch.weights),
                                                  copy=False))
        field = self._fields.setdefault(fieldname, (kind, [], [], []))
        if field[0] != kind:
            raise ValueError(f"field {fieldname!r} written with two kinds of values")
        field[1].extend(batch.terms)
        field[2].append(rows)
        prefix = fieldname.encode("utf-8") + b"\0"
        field[3].append(fmt.hashes(prefix + t for t in batch.terms))

    def _term_rows(self, kind, batch, starts, blocks, first_block, value_base) -> np.ndarray:
        first, last = starts[:-1], starts[1:] - 1
        rows = np.zeros(len(first), dtype=fmt.TERM_DTYPE)
        rows["kind"] = kind
        rows["weight"] = np.add.reduceat(batch.weights, first)
        rows["df"] = np.diff(starts)
        min_length = np.minimum.reduceat(_nonzero_or_max(blocks["min_length"]), first_block)
        rows["min_length"] = np.where(min_length == _NO_LENGTH, 0, min_length)
        rows["max_length"] = np.maximum.reduceat(blocks["max_length"], first_block)
        rows["max_weight"] = np.maximum.reduceat(blocks["max_weight"], first_block)
        rows["min_id"] = batch.ids[first]
        rows["max_id"] = batch.ids[last]
        rows["post"] = self._counts[fmt.IDS_EXT] + first
        rows["block"] = self._counts[fmt.BLOCKS_EXT] + first_block
        if kind in fmt.UNITS:
            rows["value"] = self._counts[fmt.POSITIONS_EXT] + value_base * fmt.UNITS[kind]
        elif kind == fmt.KIND_BYTES:
            rows["value"] = self._counts[fmt.BYTES_EXT] + value_base
        return rows

    def _append(self, ext: str, data: np.ndarray) -> None:
        self._files[ext].write(data.tobytes())
        self._counts[ext] += len(data)

    def close(self) -> None:
        """Write the headers, the weights, the positions and the term table,
        and close the files."""
        for ext, f in self._files.items():
            dtype = fmt.BLOCK_DTYPE if ext == fmt.BLOCKS_EXT else _DTYPES[ext]
            f.seek(0)
            f.write(fmt.pack_header(ext, dtype, self._counts[ext]))
            f.close()
        storage, segment = self._storage, self._segment
        weights = _concatenated(self._weights, fmt.WEIGHT_DTYPES, np.zeros(0, dtype="u1"))
        self._weights = []
        fmt.write_array(storage, segment, fmt.WEIGHTS_EXT, weights)
        del weights
        positions = _concatenated(self._positions, fmt.UINT_DTYPES, np.zeros(0, dtype="u1"))
        self._positions = []
        fmt.write_array(storage, segment, fmt.POSITIONS_EXT, positions)
        del positions
        self._write_terms()

    def _write_terms(self) -> None:
        names = sorted(self._fields)
        meta: dict = {"format": fmt.FORMAT_VERSION, "fields": {}}
        terms: list[bytes] = []
        rows, hashed = [], []
        for name in names:
            kind, texts, parts, hashes = self._fields.pop(name)
            meta["fields"][name] = {"rows": [len(terms), len(terms) + len(texts)],
                                    "kind": kind}
            terms.extend(texts)
            rows.extend(parts)
            hashed.extend(hashes)
        table = np.concatenate(rows) if rows else np.zeros(0, dtype=fmt.TERM_DTYPE)
        del rows
        storage, segment = self._storage, self._segment
        fmt.write_array(storage, segment, fmt.TERM_ROWS_EXT, table)
        del table
        write_lexicon(storage, segment, terms,
                      np.concatenate(hashed) if hashed else np.zeros(0, dtype="<u8"),
                      (fmt.TERMS_EXT, fmt.TERM_ENDS_EXT, fmt.TERM_HASH_EXT,
                       fmt.TERM_HASH_ROWS_EXT))
        f = storage.create_file(segment.make_filename(fmt.META_EXT))
        try:
            f.write(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        finally:
            f.close()


_DTYPES: dict[str, np.dtype] = {fmt.IDS_EXT: fmt.ID_DTYPE, fmt.ENDS_EXT: fmt.END_DTYPE,
                                 fmt.BYTES_EXT: fmt.BYTE_DTYPE}


def _concatenated(parts: list[np.ndarray], dtypes: tuple[np.dtype, ...],
                  empty: np.ndarray) -> np.ndarray:
    """The parts (each in one of ``dtypes``) as one array, in the largest
    of their dtypes (the order of ``dtypes``)."""
    if not parts:
        return empty
    dtype = max((p.dtype for p in parts), key=dtypes.index)
    if len(parts) == 1:
        return parts[0]
    out = np.empty(sum(len(p) for p in parts), dtype=dtype)
    at = 0
    for p in parts:
        out[at:at + len(p)] = p
        at += len(p)
    return out


def _blocks(batch: PostingBatch, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The block records of a batch, and each term's first block (batch
    local). Block k of a term holds its postings [k*BLOCK, (k+1)*BLOCK)."""
    df = np.diff(starts)
    per_term = (df + fmt.BLOCK - 1) >> fmt.BLOCK_SHIFT
    first_block = np.zeros(len(df), dtype=np.int64)
    np.cumsum(per_term[:-1], out=first_block[1:])
    term = np.repeat(np.arange(len(df)), per_term)
    begin = starts[term] + ((np.arange(len(term)) - first_block[term]) << fmt.BLOCK_SHIFT)
    end = np.minimum(begin + fmt.BLOCK, starts[term + 1])
    lengths = np.asarray(batch.lengths, dtype=np.uint32)
    blocks = np.zeros(len(begin), dtype=fmt.BLOCK_DTYPE)
    blocks["max_weight"] = np.maximum.reduceat(batch.weights, begin)
    blocks["min_id"] = batch.ids[begin]
    blocks["max_id"] = batch.ids[end - 1]
    min_length = np.minimum.reduceat(_nonzero_or_max(lengths), begin)
    blocks["min_length"] = np.where(min_length == _NO_LENGTH, 0, min_length)
    blocks["max_length"] = np.maximum.reduceat(lengths, begin)
    return blocks, first_block


def _nonzero_or_max(lengths: np.ndarray) -> np.ndarray:
    return np.where(lengths > 0, lengths, _NO_LENGTH).astype(np.uint32)


def _value_ends(batch: PostingBatch, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's value end relative to its term's first value unit,
    and each term's first unit (batch local)."""
    total = np.cumsum(batch.counts, dtype=np.int64)
    before = np.concatenate(([0], total))[starts[:-1]]
    ends = total - np.repeat(before, np.diff(starts))
    if len(ends) and ends.max() > np.iinfo(fmt.END_DTYPE).max:
        raise ValueError("a term has more than 2**32 - 1 value units in one segment; "
                         "write smaller segments")
    return ends.astype(fmt.END_DTYPE), before


class ArrayFieldWriter(FieldWriter):
    """Whoosh's ``FieldWriter`` interface (start_field, start_term, add,
    finish_term, finish_field, close, add_postings) over
    :class:`PostingStreams`. ``write_batch()`` writes a field's postings
    from arrays."""

    def __init__(self, storage, segment) -> None:
        self._streams = PostingStreams(storage, segment)
        self._fieldname: str | None = None
        self._kind = fmt.KIND_NONE
        self._buffer: _PostingBuffer | None = None
        self.is_closed = False

    def start_field(self, fieldname: str, fieldobj) -> None:
        self._fieldname = fieldname
        self._kind = fmt.kind_of(fieldobj.format)
        self._buffer = _PostingBuffer()

    def start_term(self, btext: bytes) -> None:
        assert self._buffer is not None
        self._buffer.start_term(btext)

    def add(self, docnum: int, weight: float, vbytes: bytes, length) -> None:
        assert self._buffer is not None
        self._buffer.add(docnum, weight, vbytes, length)

    def finish_term(self) -> None:
        assert self._buffer is not None
        self._buffer.finish_term()
        if self._buffer.size >= FLUSH_POSTINGS:
            self._flush()

    def finish_field(self) -> None:
        self._flush()
        self._buffer = None

    def write_batch(self, batch: PostingBatch) -> None:
        """Write a batch of this field's postings (after start_field, before
        finish_field, between terms). Its terms must follow the terms
        written before, in byte order."""
        self._flush()
        self._write(batch)

    def _flush(self) -> None:
        if self._buffer is not None and self._buffer.size:
            self._write(self._buffer.take(self._kind))

    def _write(self, batch: PostingBatch) -> None:
        assert self._fieldname is not None
        self._streams.write(self._fieldname, self._kind, batch)

    def close(self) -> None:
        self._streams.close()
        self.is_closed = True


class _PostingBuffer:
    """Postings collected one at a time, taken as a :class:`PostingBatch`."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.terms: list[bytes] = []
        self.starts = array("q", [0])
        self.ids = array("I")
        self.weights = array("d")
        self.lengths = array("I")
        self.values: list[bytes] = []
        self._term: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def start_term(self, btext: bytes) -> None:
        self._term = btext

    def add(self, docnum, weight, vbytes, length) -> None:
        self.ids.append(docnum)
        self.weights.append(weight)
        self.lengths.append(length or 0)
        self.values.append(vbytes or b"")

    def finish_term(self) -> None:
        if len(self.ids) > self.starts[-1]:
            assert self._term is not None
            self.terms.append(self._term)
            self.starts.append(len(self.ids))

    def take(self, kind: int) -> PostingBatch:
        counts, values = _decode_values(kind, self.values)
        batch = PostingBatch(self.terms, np.frombuffer(self.starts, dtype=np.int64).copy(),
                             np.frombuffer(self.ids, dtype=np.uint32).copy(),
                             np.frombuffer(self.weights, dtype=np.float64).copy(),
                             np.frombuffer(self.lengths, dtype=np.uint32).copy(),
                             counts, values)
        self._clear()
        return batch


def _decode_values(kind: int, values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(units per posting, all units) of Whoosh-encoded posting values."""
    if kind == fmt.KIND_NONE:
        return np.zeros(len(values), dtype=np.int64), np.zeros(0, dtype=np.uint32)
    if kind == fmt.KIND_BYTES:
        counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        return counts, np.frombuffer(b"".join(values), dtype=np.uint8)
    codes = [_unpickle_codes(v) for v in values]
    counts = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
    if kind == fmt.KIND_POSITIONS:
        deltas = np.fromiter(itertools.chain.from_iterable(codes), dtype=np.int64,
                             count=int(counts.sum()))
        return counts, segmented_cumsum(deltas, counts).astype(np.uint32)
    flat = np.fromiter(itertools.chain.from_iterable(itertools.chain.from_iterable(codes)),
                       dtype=np.int64, count=3 * int(counts.sum())).reshape(-1, 3)
    return counts, characters_from_codes(flat, counts)


def _unpickle_codes(vbytes: bytes) -> list:
    """The delta codes Whoosh's Positions/Characters ``encode`` pickled (a
    value the codec itself wrote, never one from outside)."""
    data = vbytes[4:]
    return loads(data if data.endswith(b".") else data + b".")


def segmented_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` that restart at each group of ``counts``."""
    total = np.cumsum(values)
    ends = np.cumsum(counts)
    before = np.concatenate(([0], total))[ends - counts]
    return total - np.repeat(before, counts)


def characters_from_codes(codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(position, startchar, endchar) triples, flattened, from Whoosh's
    Characters codes (position delta, startchar minus previous endchar,
    endchar minus startchar), per posting."""
    positions = segmented_cumsum(codes[:, 0], counts)
    endchars = segmented_cumsum(codes[:, 1] + codes[:, 2], counts)
    out = np.empty((len(codes), 3), dtype=np.uint32)
    out[:, 0], out[:, 1], out[:, 2] = positions, endchars - codes[:, 2], endchars
    return out.ravel()


class ArrayPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer (stored fields, columns, vectors), with
    each scorable field's exact length per document kept as an array file
    instead of W3's one-byte approximation, and the forward index of the
    fields given one (:meth:`write_forward_field`)."""

    def __init__(self, codec, storage, segment) -> None:
        super().__init__(codec, storage, segment)
        self._lengths: dict[str, array] = {}
        self._doclengths: dict[str, int] = {}

    def start_doc(self, docnum: int) -> None:
        super().start_doc(docnum)
        self._doclengths = {}

    def add_field(self, fieldname, fieldobj, value, length) -> None:
        if value is not None:
            self._storedfields[fieldname] = value
        if length:
            self._doclengths[fieldname] = length
            self._fieldlengths[fieldname] += length

    def finish_doc(self) -> None:
        for name, length in self._doclengths.items():
            column = self._lengths.setdefault(name, array("I"))
            _pad(column, self._docnum)
            column.append(length)
        self._doclengths = {}
        super().finish_doc()

    def cancel_doc(self) -> None:
        for name, length in self._doclengths.items():
            self._fieldlengths[name] -= length
        self._doclengths = {}
        super().cancel_doc()

    def set_lengths(self, fieldname: str, lengths: np.ndarray) -> None:
        """Set a field's lengths for all documents at once (bulk writing):
        ``lengths[d]`` for document d, counted from this writer's first."""
        column = array("I")
        column.frombytes(np.ascontiguousarray(lengths, dtype=np.uint32).tobytes())
        self._lengths[fieldname] = column
        self._fieldlengths[fieldname] += int(np.sum(lengths, dtype=np.int64))

    def write_forward_field(self, fieldname: str, field: ForwardField, doc_count: int) -> None:
        """Write one field's forward index over the segment's ``doc_count``
        documents (see :class:`ForwardField`); its key ids index the keys
        given to :meth:`write_forward_keys`."""
        write_forward_field(self._storage, self._segment, fieldname, field, doc_count)

    def write_forward_parts(self, fieldname: str, parts, doc_count: int) -> None:
        """Write one field's forward index from consecutive parts (each a
        :class:`ForwardField` of the next documents), held one at a time."""
        write_forward_parts(self._storage, self._segment, fieldname, parts, doc_count)

    def write_forward_keys(self, keys: list[bytes]) -> None:
        """Write the keys of the segment's forward index."""
        write_forward_keys(self._storage, self._segment, keys)

    def close(self) -> None:
        super().close()
        for name, column in self._lengths.items():
            _pad(column, self._doccount)
            lengths = np.frombuffer(column, dtype=np.uint32)[:self._doccount]
            fmt.write_array(self._storage, self._segment, fmt.LENGTHS_EXT,
                            lengths.astype(fmt.smallest_uint(lengths)),
                            name=fmt.lengths_filename(self._segment, name))


def _pad(column: array, size: int) -> None:
    """Extend a length column with zeros (documents without the field)."""
    if len(column) < size:
        column.frombytes(bytes(column.itemsize * (size - len(column))))
