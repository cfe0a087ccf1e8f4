"""Merging segments of the array codec with numpy: postings are gathered
term by term from the sources' arrays, document ids remapped, deleted
documents' postings dropped; the forward index is concatenated with its key
ids remapped. No Python runs per posting (the term table costs a hash per
term, stored fields a call per document and field).

The postings are those Whoosh's own merge (``add_reader``, one posting at a
time) writes with this codec (tests/test_arrays_merge.py).

    w = ix.writer(codec=ArrayCodec())
    w.commit(mergetype=optimize_policy)     # or: optimize(ix)
"""

from __future__ import annotations

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.writing import OPTIMIZE

from . import format as fmt
from .forward import ForwardField, empty_field
from .reading import ArrayPerDocReader, ArrayTermsReader, SegmentArrays
from .whoosh_private import mark_added, perdoc_reader_of, terms_reader_of
from .writing import ArrayFieldWriter, PostingBatch


def optimize(ix, codec=None) -> None:
    """Merge all segments of ``ix`` into one and commit (with the numpy
    merge when every segment is of the array codec)."""
    from .codec import ArrayCodec
    writer = ix.writer(codec=codec or ArrayCodec())
    writer.commit(mergetype=optimize_policy)


def optimize_policy(writer, segments):
    """A Whoosh merge policy (``writer.commit(mergetype=...)``) that merges
    every segment into the writer's new one: with numpy when the writer is
    fresh and of the array codec and so are all segments, else as Whoosh's
    ``OPTIMIZE``."""
    if not segments or not _can_merge(writer, segments):
        return OPTIMIZE(writer, segments)
    readers = [SegmentReader(writer.storage, writer.schema, s) for s in segments]
    try:
        merge_into(writer, readers)
    finally:
        for r in readers:
            r.close()
    return []


def _can_merge(writer, segments) -> bool:
    from .codec import ArrayCodec
    return (isinstance(writer.fieldwriter, ArrayFieldWriter) and not writer.doc_count()
            and all(isinstance(s.codec(), ArrayCodec) for s in segments))


def merge_into(writer, readers) -> None:
    """Add the live documents of ``readers`` (Whoosh SegmentReaders of array
    codec segments), in order, to a fresh array-codec ``SegmentWriter``."""
    if not isinstance(writer.fieldwriter, ArrayFieldWriter):
        raise TypeError("the writer must use the array codec")
    if writer.doc_count():
        raise ValueError("the writer already has documents: merge into a fresh writer")
    sources = [_Source(r) for r in readers]
    schema = writer.schema
    base = writer.docnum
    for source in sources:
        source.remap = _remap(source.reader, writer.docnum)
        # the field names as SegmentWriter.add_reader builds them (stored
        # dicts are pickled in the iteration order of this set)
        indexed = {n for n in source.reader.indexed_field_names() if n in schema}
        writer.write_per_doc(set(schema.names()) | indexed, source.reader)
    indexed_names = sorted({n for s in sources for n in s.reader.indexed_field_names()
                            if n in schema})
    for name in indexed_names:
        batch, kind = _merged_field(sources, name)
        if batch is None:
            continue
        if kind != fmt.kind_of(schema[name].format):
            raise ValueError(f"field {name!r} has another format in the schema than in the "
                             "segments merged: merge with Whoosh's OPTIMIZE instead")
        writer.fieldwriter.start_field(name, schema[name])
        writer.fieldwriter.write_batch(batch)
        writer.fieldwriter.finish_field()
        del batch
    doc_count = writer.docnum - base
    forward = merged_forward(sources, doc_count)
    if forward is not None:
        fields, keys = forward
        for name, field in fields.items():
            writer.perdocwriter.write_forward_field(name, field, doc_count)
        writer.perdocwriter.write_forward_keys(keys)
    mark_added(writer)


class _Source:
    """One segment being merged: its readers and its old-to-new id map."""

    def __init__(self, reader) -> None:
        terms = terms_reader_of(reader)
        perdoc = perdoc_reader_of(reader)
        if not isinstance(terms, ArrayTermsReader) or not isinstance(perdoc,
                                                                     ArrayPerDocReader):
            raise TypeError(f"{reader!r} is not a segment of the array codec")
        self.reader, self.arrays, self.perdoc = reader, terms.arrays, perdoc
        self.remap: np.ndarray = np.zeros(0, dtype=np.int64)

    def field_rows(self, name: str) -> tuple[list[bytes], np.ndarray]:
        """A field's terms in order, and their rows."""
        lo, hi = self.arrays.field_range(name)
        return list(self.arrays.lexicon.texts_between(lo, hi)), self.arrays.rows[lo:hi]


def _remap(reader, base: int) -> np.ndarray:
    """New document id of each old one (-1 for a deleted document)."""
    n = reader.doc_count_all()
    live = np.ones(n, dtype=bool)
    if reader.has_deletions():
        live[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
    remap = np.full(n, -1, dtype=np.int64)
    remap[live] = base + np.arange(int(live.sum()))
    return remap


def _merged_field(sources, name: str):
    """One field's merged postings as a PostingBatch (None if none is
    left), and the field's value kind."""
    parts = [(s, *s.field_rows(name)) for s in sources]
    parts = [(s, texts, rows) for s, texts, rows in parts if len(rows)]
    if not parts:
        return None, None
    kinds = {int(k) for _, _, rows in parts for k in np.unique(rows["kind"])}
    if len(kinds) != 1:
        raise ValueError(f"field {name!r} is stored differently in the segments merged")
    kind = kinds.pop()
    vocabulary = sorted(set().union(*(texts for _, texts, _ in parts)))
    index = {t: i for i, t in enumerate(vocabulary)}
    gathered = [_gather(s, name, texts, rows, index, kind) for s, texts, rows in parts]
    term = np.concatenate([g["term"] for g in gathered])
    source = np.concatenate([np.full(len(g["term"]), i) for i, g in enumerate(gathered)])
    # Postings of one term: by source, then (within a source) already by id.
    order = np.lexsort((np.arange(len(term)), source, term))
    del source
    fields = ("ids", "weights", "lengths", "counts")
    merged = {f: np.concatenate([g[f] for g in gathered])[order] for f in fields}
    values = _concat_values(gathered, order, kind)
    del gathered
    term = term[order]
    per_term = np.bincount(term, minlength=len(vocabulary))
    kept = np.flatnonzero(per_term)
    if not len(kept):
        return None, kind
    starts = np.concatenate(([0], np.cumsum(per_term[kept])))
    batch = PostingBatch([vocabulary[i] for i in kept.tolist()], starts,
                         merged["ids"].astype(np.uint32), merged["weights"],
                         merged["lengths"], merged["counts"], values)
    return batch, kind


def _gather(source: _Source, name: str, texts, rows, index, kind) -> dict:
    """The live postings of a field in one source, in its term order, with
    new ids, each posting's (new) term index and its value units."""
    arrays = source.arrays
    df = rows["df"].astype(np.int64)
    first = int(rows["post"][0])
    last = int(rows["post"][-1]) + int(df[-1])
    if not np.array_equal(rows["post"].astype(np.int64), first + np.cumsum(df) - df):
        raise fmt.FormatError(f"the postings of field {name!r} in a merged segment are "
                              "not contiguous")
    term = np.repeat(np.array([index[t] for t in texts], dtype=np.int64), df)
    ends = arrays.ends[first:last].astype(np.int64)
    counts = np.diff(ends, prepend=0)
    term_start = np.concatenate(([0], np.cumsum(df)[:-1]))
    counts[term_start] = ends[term_start]
    old_ids = arrays.ids[first:last]
    remapped = source.remap[old_ids]
    live = remapped >= 0
    lengths = source.perdoc.length_array(name)
    out = {"term": term[live], "ids": remapped[live],
           "weights": arrays.weights[first:last][live].astype(np.float64),
           "lengths": (lengths[old_ids][live].astype(np.uint32) if lengths is not None
                       else np.zeros(int(live.sum()), dtype=np.uint32)),
           "counts": counts[live]}
    out["values"] = _live_values(arrays, rows, kind, counts, live)
    return out


def _live_values(arrays: SegmentArrays, rows, kind, counts, live) -> np.ndarray:
    """The value units of the live postings, in order."""
    if kind == fmt.KIND_NONE:
        return np.zeros(0, dtype=np.uint32)
    unit = fmt.UNITS.get(kind, 1)
    data = arrays.positions if kind in fmt.UNITS else arrays.vbytes
    start = int(rows["value"][0])
    stop = start + unit * int(counts.sum())
    region = data[start:stop]
    if live.all():
        return np.asarray(region, dtype=np.uint32 if kind in fmt.UNITS else np.uint8)
    return region[np.repeat(live, counts * unit)]


def _concat_values(gathered, order, kind) -> np.ndarray:
    """Value units of all postings, reordered as ``order`` reorders postings."""
    if kind == fmt.KIND_NONE:
        return np.zeros(0, dtype=np.uint32)
    unit = fmt.UNITS.get(kind, 1)
    counts = np.concatenate([g["counts"] for g in gathered]) * unit
    values = np.concatenate([g["values"] for g in gathered])
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sizes = counts[order]
    index = np.repeat(starts[order] - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes)
    return values[index + np.arange(len(index))]


def merged_forward(sources, doc_count: int) -> tuple[dict[str, ForwardField], list[bytes]] | None:
    """The forward index of the merged documents (None when no source has
    one): each field's live documents' units in order, key ids remapped to
    the union of the sources' keys. A source without a field contributes
    documents without units."""
    names = sorted({name for s in sources for name in _forward_names(s)})
    if not names:
        return None
    keys: dict[bytes, int] = {}
    remaps = []
    for s in sources:
        lexicon = s.arrays.forward.keys if _forward_names(s) else None
        n = len(lexicon) if lexicon is not None else 0
        remap = np.empty(n + 1, dtype=np.int64)
        for i, text in enumerate(lexicon.texts_between(0, n) if lexicon is not None else ()):
            remap[i] = keys.setdefault(text, len(keys))
        remap[n] = -1
        remaps.append(remap)
    fields = {name: _merged_forward_field(sources, remaps, name, doc_count) for name in names}
    return fields, list(keys)


def _forward_names(source: _Source) -> list[str]:
    return [name for name in source.reader.indexed_field_names()
            if source.arrays.forward.field(name) is not None]


def _merged_forward_field(sources, remaps, name: str, doc_count: int) -> ForwardField:
    units, extras, unit_counts, extra_counts = [], [], [], []
    for s, remap in zip(sources, remaps):
        live = s.remap >= 0
        field = s.arrays.forward.field(name)
        if field is None:
            empty = empty_field(int(live.sum()))
            field, live = empty, np.ones(int(live.sum()), dtype=bool)
        per_doc = np.diff(field.unit_docs.astype(np.int64))
        kept = np.repeat(live, per_doc)
        part = np.array(field.units[kept])
        for column in ("word", "reading"):
            ids = part[column].astype(np.int64)
            known = ids != fmt.NO_KEY
            part[column] = np.where(known, remap[np.where(known, ids, len(remap) - 1)],
                                    fmt.NO_KEY)
        units.append(part)
        unit_counts.append(per_doc[live])
        per_doc_x = np.diff(field.extra_docs.astype(np.int64))
        part_x = np.array(field.extras[np.repeat(live, per_doc_x)])
        part_x["key"] = remap[part_x["key"].astype(np.int64)]
        extras.append(part_x)
        extra_counts.append(per_doc_x[live])
    unit_docs = np.concatenate(([0], np.cumsum(np.concatenate(unit_counts))))
    extra_docs = np.concatenate(([0], np.cumsum(np.concatenate(extra_counts))))
    if len(unit_docs) != doc_count + 1:
        raise ValueError(f"forward field {name!r}: {len(unit_docs) - 1} documents merged, "
                         f"{doc_count} expected")
    return ForwardField(np.concatenate(units), unit_docs.astype(fmt.OFFSET_DTYPE),
                        np.concatenate(extras), extra_docs.astype(fmt.OFFSET_DTYPE))
