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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import formats
from whoosh.fields import UnknownFieldError

from . import format as fmt
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
                    forward: tuple[Mapping, list[bytes]] | None = None
                    ) -> None:
    """Add ``doc_count`` documents to a fresh Whoosh ``SegmentWriter``
    opened with the array codec: their postings from ``fields``, their
    stored values and sortable columns from ``documents`` (one dict per
    document, as for ``add_document``), and the forward index ``forward``
    (fields and their keys; a field is a :class:`ForwardField` or makes
    itself into a ``ForwardWriter``, see
    :func:`~sagashi.whoosh_ext.arrays.forward.write_forward_field`). Commit
    the writer afterwards (or finish its segment); it must not get any other
    document."""
    _check_writer(writer)
    if writer.doc_count():
        raise ValueError("the writer already has documents: bulk writing needs a fresh writer")
    _check_fields(writer.schema, fields)
    if documents is not None and len(documents) != doc_count:
        raise ValueError(f"{len(documents)} documents for doc_count={doc_count}")
    if documents is not None:
        unknown = {n for doc in documents for n in doc if n not in writer.schema
                   and n[:1] != "_"}
        if unknown:
            raise UnknownFieldError(f"no fields named {sorted(unknown)} in the schema")
    # postings first: each field's tokens are checked before anything is written
    write_postings(writer, doc_count, fields, forward, stored=False)
    for d in range(doc_count):
        store_document(writer, documents[d] if documents is not None else {})


def store_document(writer, doc: Mapping, _fields: dict | None = None) -> None:
    """Write the stored values and sortable columns of the writer's next
    document (as ``add_document`` writes them); its postings come later,
    with every document's, from :func:`write_postings`."""
    schema, pdw = writer.schema, writer.perdocwriter
    fields = _fields if _fields is not None else {}
    pdw.start_doc(writer.docnum)
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
    writer.docnum += 1


def write_postings(writer, doc_count: int, fields: Mapping[str, FieldTokens],
                   forward: tuple[Mapping, list[bytes]] | None = None,
                   stored: bool = True) -> None:
    """Write the postings of the writer's ``doc_count`` documents from
    ``fields`` (each field's tokens, made when asked for: memory holds one
    field's postings at a time), and their forward index. With ``stored``,
    the documents were given to :func:`store_document` already."""
    _check_writer(writer)
    if stored and writer.doc_count() != doc_count:
        raise ValueError(f"the writer holds {writer.doc_count()} documents, not {doc_count}")
    schema = writer.schema
    _check_fields(schema, fields)
    for name in sorted(fields):
        fieldobj = schema[name]
        lengths, batches = field_batches(fieldobj, fields[name], doc_count)
        if fieldobj.scorable and lengths.any():
            writer.perdocwriter.set_lengths(name, lengths)
        del lengths
        writer.fieldwriter.start_field(name, fieldobj)
        for batch in batches:
            writer.fieldwriter.write_batch(batch)
        writer.fieldwriter.finish_field()
        del batches
    if forward is not None:
        forward_fields, keys = forward
        for name in forward_fields:
            writer.perdocwriter.write_forward_field(name, forward_fields[name], doc_count)
        writer.perdocwriter.write_forward_keys(keys)
    mark_added(writer)


def _check_writer(writer) -> None:
    if not isinstance(writer.fieldwriter, ArrayFieldWriter) or not isinstance(
            writer.perdocwriter, ArrayPerDocWriter):
        raise TypeError("the writer must use the array codec: ix.writer(codec=ArrayCodec())")


def _check_fields(schema, fields: Mapping) -> None:
    for name in fields:
        if name not in schema or not schema[name].indexed:
            raise ValueError(f"{name!r} is not an indexed field of the schema")


#: At most about this many tokens of a field are sorted into postings at a
#: time (a term's tokens are never split), so that memory holds a field's
#: tokens plus a chunk's postings.
CHUNK_TOKENS = 1 << 19


def field_batches(fieldobj, tokens: FieldTokens, doc_count: int, chunk: int | None = None
                  ) -> tuple[np.ndarray, Iterator[PostingBatch]]:
    """A field's length in each document (what Whoosh counts: occurrences,
    or distinct terms for an Existence field), and its postings as
    :class:`PostingBatch` es of consecutive terms, each made when the one
    before has been taken (the tokens are checked first)."""
    format_ = fieldobj.format
    kind = fmt.kind_of(format_)
    if kind == fmt.KIND_BYTES and type(format_) is not formats.Frequency:
        raise ValueError(f"bulk writing supports Existence, Frequency, Positions and "
                         f"Characters formats, not {type(format_).__name__}")
    term_ids, doc_ids = _checked(tokens, kind, doc_count)
    tbytes = [t if isinstance(t, bytes) else fieldobj.to_bytes(t) for t in tokens.terms]
    by_bytes = sorted(range(len(tbytes)), key=tbytes.__getitem__)
    rank = np.empty(len(tbytes), dtype=np.int32)
    rank[by_bytes] = np.arange(len(tbytes), dtype=np.int32)
    ranks = rank[term_ids]
    del term_ids, rank
    in_order = len(doc_ids) < 2 or bool((doc_ids[1:] >= doc_ids[:-1]).all())
    terms = [tbytes[i] for i in by_bytes]
    del tbytes
    if kind == fmt.KIND_NONE:  # lengths count postings: make them at once (ID fields: small)
        batch = _batch(fieldobj, kind, tokens, terms, ranks, doc_ids, None, in_order,
                       None, doc_count)
        lengths = np.bincount(batch.ids, minlength=doc_count).astype(np.uint32)
        batch.lengths = lengths[batch.ids] if fieldobj.scorable else batch.lengths
        return lengths, iter([batch])
    lengths = _tally(doc_ids, doc_count).astype(np.uint32)
    cuts = _cuts(_tally(ranks, len(terms)), chunk or CHUNK_TOKENS)

    def batches() -> Iterator[PostingBatch]:
        for lo, hi in zip(cuts, cuts[1:]):
            chosen = None if len(cuts) == 2 else np.flatnonzero((ranks >= lo) & (ranks < hi))
            yield _batch(fieldobj, kind, tokens, terms, ranks, doc_ids, chosen, in_order,
                         lengths, doc_count)

    return lengths, batches()


def _tally(values: np.ndarray, size: int, step: int = 1 << 20) -> np.ndarray:
    """``np.bincount(values, minlength=size)``, a million values at a time
    (bincount copies int32 input to int64 whole)."""
    out = np.zeros(size, dtype=np.int64)
    for lo in range(0, len(values), step):
        out += np.bincount(values[lo:lo + step], minlength=size)
    return out


def _cuts(per_rank: np.ndarray, chunk: int) -> list[int]:
    """Rank boundaries ``[0, ..., len(per_rank)]`` such that each range holds
    about ``chunk`` tokens (at least one rank each)."""
    total = int(per_rank.sum())
    if total <= chunk:
        return [0, len(per_rank)]
    before = np.cumsum(per_rank) - per_rank
    cuts = np.searchsorted(before, np.arange(chunk, total, chunk), side="right").tolist()
    return sorted({0, *(c for c in cuts if 0 < c < len(per_rank)), len(per_rank)})


def _batch(fieldobj, kind: int, tokens: FieldTokens, terms: list[bytes], ranks: np.ndarray,
           doc_ids: np.ndarray, chosen: np.ndarray | None, in_order: bool,
           lengths: np.ndarray | None, doc_count: int) -> PostingBatch:
    """The postings of the tokens ``chosen`` (all when None), which hold
    every token of their terms."""
    mine = ranks if chosen is None else ranks[chosen]
    docs = doc_ids if chosen is None else doc_ids[chosen]
    if in_order:  # a stable sort by term keeps document (and token) order within terms
        order = np.argsort(mine, kind="stable")
    else:
        order = np.lexsort((docs, mine))
    mine, docs = mine[order], docs[order]
    if chosen is not None:
        order = chosen[order]
    first = _group_starts(mine, docs)
    counts = np.diff(np.append(first, len(mine)))
    post_rank, post_doc = mine[first], docs[first]
    del mine, docs
    term_first = _group_starts(post_rank)
    starts = np.append(term_first, len(first))
    batch_terms = [terms[r] for r in post_rank[term_first].tolist()]
    del post_rank, term_first
    if fieldobj.scorable and lengths is not None:
        post_lengths = lengths[post_doc]
    else:
        post_lengths = np.zeros(len(first), np.uint32)
    weights = _weights(fieldobj.format, kind, tokens.boosts, order, first, counts)
    value_counts, values = _values(kind, tokens, order, counts)
    return PostingBatch(batch_terms, starts, post_doc.astype(np.uint32), weights, post_lengths,
                        value_counts, values)


def _checked(tokens: FieldTokens, kind: int, doc_count: int) -> tuple[np.ndarray, np.ndarray]:
    if len(tokens.terms) >= 1 << 31 or doc_count >= 1 << 31:
        raise ValueError("a segment holds fewer than 2**31 terms and documents")
    term_ids = np.asarray(tokens.term_ids).astype(np.int32, copy=False)
    doc_ids = np.asarray(tokens.doc_ids).astype(np.int32, copy=False)
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
