"""Writing a whole segment from token arrays, without Python per posting.

For each field the caller gives its token occurrences as arrays (term id,
document, position; characters and boosts optional) plus the vocabulary.
One stable lexsort by (term bytes rank, document) groups occurrences into
postings and postings into terms; weights, field lengths, positions and
blocks follow with numpy. The files are those ``add_document`` would give
for the same documents (tests/test_arrays_bulkwrite.py compares them byte
for byte).

Stored fields and sortable columns go through Whoosh's per-document writer,
one Python call per document and field (as ``add_document``).

    w = ix.writer(codec=ArrayCodec())
    write_documents(w, doc_count, {"body": FieldTokens(vocab, tids, dids, pos)},
                    documents=[{"id": "1", "body": text}, ...])
    w.commit(merge=False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import formats
from whoosh.fields import UnknownFieldError

from . import format as fmt
from .forward import ForwardField
from .whoosh_private import mark_added
from .writing import ArrayFieldWriter, ArrayPerDocWriter, PostingBatch


@dataclass
class FieldTokens:
    """One field's token occurrences in the documents of a new segment.

    ``terms`` is the vocabulary (unique texts, or bytes); per occurrence,
    in each document's token order: ``term_ids`` (index into ``terms``),
    ``doc_ids`` (0 for the segment's first document), ``positions`` (needed
    by fields that store positions), ``chars`` ((n, 2) start and end
    character, for Characters fields) and ``boosts`` (1.0 when None).
    """

    terms: Sequence
    term_ids: np.ndarray
    doc_ids: np.ndarray
    positions: np.ndarray | None = None
    chars: np.ndarray | None = None
    boosts: np.ndarray | None = None


def write_documents(writer, doc_count: int, fields: Mapping[str, FieldTokens],
                    documents: Sequence[Mapping] | None = None,
                    forward: tuple[dict[str, ForwardField], list[bytes]] | None = None) -> None:
    """Add ``doc_count`` documents to a fresh Whoosh ``SegmentWriter``
    opened with the array codec: their postings from ``fields``, their
    stored values and sortable columns from ``documents`` (one dict per
    document, as for ``add_document``), and the forward index ``forward``
    (fields and their keys). Commit the writer afterwards (or finish its
    segment); it must not get any other document."""
    _check_writer(writer)
    schema = writer.schema
    for name in fields:
        if name not in schema or not schema[name].indexed:
            raise ValueError(f"{name!r} is not an indexed field of the schema")
    if documents is not None and len(documents) != doc_count:
        raise ValueError(f"{len(documents)} documents for doc_count={doc_count}")
    if documents is not None:
        unknown = {n for doc in documents for n in doc if n not in schema and n[:1] != "_"}
        if unknown:
            raise UnknownFieldError(f"no fields named {sorted(unknown)} in the schema")
    for name, tokens in fields.items():  # check everything before writing anything
        _checked(tokens, fmt.kind_of(schema[name].format), doc_count)
    _write_per_doc(writer, doc_count, documents)
    for name in sorted(fields):
        fieldobj = schema[name]
        batch, lengths = field_batch(fieldobj, fields[name], doc_count)
        if fieldobj.scorable and lengths.any():
            writer.perdocwriter.set_lengths(name, lengths)
        del lengths
        writer.fieldwriter.start_field(name, fieldobj)
        writer.fieldwriter.write_batch(batch)
        writer.fieldwriter.finish_field()
        del batch
    if forward is not None:
        writer.perdocwriter.set_forward(*forward)
    writer.docnum += doc_count
    mark_added(writer)


def _check_writer(writer) -> None:
    if not isinstance(writer.fieldwriter, ArrayFieldWriter) or not isinstance(
            writer.perdocwriter, ArrayPerDocWriter):
        raise TypeError("the writer must use the array codec: ix.writer(codec=ArrayCodec())")
    if writer.doc_count():
        raise ValueError("the writer already has documents: bulk writing needs a fresh writer")


def _write_per_doc(writer, doc_count: int, documents) -> None:
    """Stored values and columns, as ``add_document`` writes them."""
    schema, pdw = writer.schema, writer.perdocwriter
    base = writer.docnum
    fields: dict = {}
    for d in range(doc_count):
        pdw.start_doc(base + d)
        doc = documents[d] if documents is not None else {}
        for name in sorted(doc):
            value = doc[name]
            if value is None or name.startswith("_"):
                continue
            field = fields.get(name)
            if field is None:
                field = fields[name] = schema[name]
            value = doc.get(f"_stored_{name}", value)
            pdw.add_field(name, field, value if field.stored else None, 0)
            if field.column_type:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        pdw.finish_doc()


def field_batch(fieldobj, tokens: FieldTokens, doc_count: int
                ) -> tuple[PostingBatch, np.ndarray]:
    """A field's postings as one :class:`PostingBatch`, and the field length
    of each document (what Whoosh counts: occurrences, or distinct terms for
    an Existence field)."""
    format_ = fieldobj.format
    kind = fmt.kind_of(format_)
    if kind == fmt.KIND_BYTES and type(format_) is not formats.Frequency:
        raise ValueError(f"bulk writing supports Existence, Frequency, Positions and "
                         f"Characters formats, not {type(format_).__name__}")
    term_ids, doc_ids = _checked(tokens, kind, doc_count)
    tbytes = [t if isinstance(t, bytes) else fieldobj.to_bytes(t) for t in tokens.terms]
    by_bytes = sorted(range(len(tbytes)), key=tbytes.__getitem__)
    rank = np.empty(len(tbytes), dtype=np.int64)
    rank[by_bytes] = np.arange(len(tbytes))
    ranks = rank[term_ids]
    order = np.lexsort((doc_ids, ranks))
    ranks, docs = ranks[order], doc_ids[order]
    first = _group_starts(ranks, docs)
    counts = np.diff(np.append(first, len(ranks)))
    post_rank, post_doc = ranks[first], docs[first]
    del ranks
    term_first = _group_starts(post_rank)
    starts = np.append(term_first, len(first))
    terms = [tbytes[by_bytes[r]] for r in post_rank[term_first].tolist()]
    doc_lengths = np.bincount(post_doc if kind == fmt.KIND_NONE else docs,
                              minlength=doc_count).astype(np.uint32)
    del docs
    lengths = doc_lengths[post_doc] if fieldobj.scorable else np.zeros(len(first), np.uint32)
    weights = _weights(format_, kind, tokens.boosts, order, first, counts)
    value_counts, values = _values(kind, tokens, order, counts)
    batch = PostingBatch(terms, starts, post_doc.astype(np.uint32), weights, lengths,
                         value_counts, values)
    return batch, doc_lengths


def _checked(tokens: FieldTokens, kind: int, doc_count: int) -> tuple[np.ndarray, np.ndarray]:
    term_ids = np.asarray(tokens.term_ids, dtype=np.int64)
    doc_ids = np.asarray(tokens.doc_ids, dtype=np.int64)
    if term_ids.shape != doc_ids.shape or term_ids.ndim != 1:
        raise ValueError("term_ids and doc_ids must be 1-d arrays of the same length")
    if len(term_ids) and (term_ids.min() < 0 or term_ids.max() >= len(tokens.terms)):
        raise ValueError("term_ids must index terms")
    if len(doc_ids) and (doc_ids.min() < 0 or doc_ids.max() >= doc_count):
        raise ValueError(f"doc_ids must be in [0, {doc_count})")
    if kind in fmt.UNITS and (tokens.positions is None
                              or len(tokens.positions) != len(term_ids)):
        raise ValueError("this field stores positions: give one per occurrence")
    if kind == fmt.KIND_CHARACTERS and (tokens.chars is None
                                        or np.shape(tokens.chars) != (len(term_ids), 2)):
        raise ValueError("this field stores characters: give (start, end) per occurrence")
    return term_ids, doc_ids


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Indexes where any of the sorted ``keys`` changes (0 included)."""
    n = len(keys[0])
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
        for k in keys:
            new[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(new)


def _weights(format_, kind, boosts, order, first, counts) -> np.ndarray:
    """Weights as Whoosh's formats compute them: the field boost for
    Existence, else the summed token boosts times the field boost."""
    boost = format_.field_boost
    if kind == fmt.KIND_NONE:
        return np.full(len(first), boost, dtype=np.float64)
    if boosts is None:
        return counts.astype(np.float64) * boost
    return np.add.reduceat(np.asarray(boosts, dtype=np.float64)[order], first) * boost


def _values(kind, tokens: FieldTokens, order, counts) -> tuple[np.ndarray, np.ndarray]:
    """Value units per posting, and all units (see PostingBatch)."""
    if kind == fmt.KIND_NONE:
        return np.zeros(len(counts), dtype=np.int64), np.zeros(0, dtype=np.uint32)
    if kind == fmt.KIND_BYTES:  # Frequency: the frequency as a big-endian uint32
        return np.full(len(counts), 4, dtype=np.int64), counts.astype(">u4").view(np.uint8)
    assert tokens.positions is not None
    positions = np.asarray(tokens.positions)[order].astype(np.uint32)
    if kind == fmt.KIND_POSITIONS:
        return counts, positions
    chars = np.asarray(tokens.chars)[order].astype(np.uint32)
    return counts, np.column_stack((positions, chars)).ravel()
