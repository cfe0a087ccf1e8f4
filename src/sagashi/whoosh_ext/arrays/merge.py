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

from collections.abc import Iterator

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
        kind = _field_kind(sources, name)
        if kind is None:
            continue
        if kind != fmt.kind_of(schema[name].format):
            raise ValueError(f"field {name!r} has another format in the schema than in the "
                             "segments merged: merge with Whoosh's OPTIMIZE instead")
        writer.fieldwriter.start_field(name, schema[name])
        for batch in _merged_batches(sources, name, kind):
            writer.fieldwriter.write_batch(batch)
        writer.fieldwriter.finish_field()
    write_merged_forward(writer.perdocwriter, sources, writer.docnum - base)
    mark_added(writer)


#: About how many postings are merged at a time (a field's terms are taken
#: in chunks), so that memory holds a chunk, not a field.
CHUNK_POSTINGS = 1 << 21


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


def _field_kind(sources, name: str) -> int | None:
    """How a field's values are kept in the sources (None: no source has
    postings of it)."""
    kinds: set[int] = set()
    for s in sources:
        lo, hi = s.arrays.field_range(name)
        if hi > lo:
            kinds.update(int(k) for k in np.unique(s.arrays.rows[lo:hi]["kind"]))
    if len(kinds) > 1:
        raise ValueError(f"field {name!r} is stored differently in the segments merged")
    return kinds.pop() if kinds else None


def _merged_batches(sources, name: str, kind: int) -> Iterator[PostingBatch]:
    """One field's merged postings, as PostingBatches of consecutive terms
    holding about CHUNK_POSTINGS postings each."""
    parts = [(s, *s.field_rows(name)) for s in sources]
    parts = [(s, texts, rows) for s, texts, rows in parts if len(rows)]
    vocabulary = sorted(set().union(*(texts for _, texts, _ in parts)))
    index = {t: i for i, t in enumerate(vocabulary)}
    term_ids = [np.array([index[t] for t in texts], dtype=np.int64) for _, texts, _ in parts]
    del index
    df = np.zeros(len(vocabulary), dtype=np.int64)
    for ids, (_, _, rows) in zip(term_ids, parts):
        df[ids] += rows["df"].astype(np.int64)
    before = np.cumsum(df) - df
    cuts = np.searchsorted(before, np.arange(CHUNK_POSTINGS, max(int(df.sum()), 1),
                                             CHUNK_POSTINGS), side="right").tolist()
    cuts = sorted({0, *(c for c in cuts if 0 < c < len(vocabulary)), len(vocabulary)})
    for lo, hi in zip(cuts, cuts[1:]):
        gathered = []
        for ids, (s, _, rows) in zip(term_ids, parts):
            a, b = np.searchsorted(ids, [lo, hi]).tolist()
            if b > a:
                gathered.append(_gather(s, name, rows[a:b], ids[a:b] - lo, kind))
        batch = _merged(gathered, vocabulary[lo:hi], kind)
        if batch is not None:
            yield batch


def _merged(gathered: list[dict], vocabulary: list[bytes], kind: int) -> PostingBatch | None:
    """The postings gathered from the sources (for terms of ``vocabulary``)
    as one PostingBatch, term by term, source by source (None if none is
    left)."""
    if not gathered:
        return None
    term = np.concatenate([g["term"] for g in gathered])
    source = np.concatenate([np.full(len(g["term"]), i) for i, g in enumerate(gathered)])
    # Postings of one term: by source, then (within a source) already by id.
    order = np.lexsort((np.arange(len(term)), source, term))
    del source
    fields = ("ids", "weights", "lengths", "counts")
    merged = {f: np.concatenate([g[f] for g in gathered])[order] for f in fields}
    values = _concat_values(gathered, order, kind)
    term = term[order]
    per_term = np.bincount(term, minlength=len(vocabulary))
    kept = np.flatnonzero(per_term)
    if not len(kept):
        return None
    starts = np.concatenate(([0], np.cumsum(per_term[kept])))
    return PostingBatch([vocabulary[i] for i in kept.tolist()], starts,
                        merged["ids"].astype(np.uint32), merged["weights"],
                        merged["lengths"], merged["counts"], values)


def _gather(source: _Source, name: str, rows, term_ids: np.ndarray, kind) -> dict:
    """The live postings of consecutive terms of a field in one source (their
    ``rows``), in its term order, with new ids, each posting's term index
    (``term_ids``, one per row) and its value units."""
    arrays = source.arrays
    df = rows["df"].astype(np.int64)
    first = int(rows["post"][0])
    last = int(rows["post"][-1]) + int(df[-1])
    if not np.array_equal(rows["post"].astype(np.int64), first + np.cumsum(df) - df):
        raise fmt.FormatError(f"the postings of field {name!r} in a merged segment are "
                              "not contiguous")
    term = np.repeat(term_ids, df)
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
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[order]
    index, _ = fmt.runs(starts, starts + counts[order])
    return values[index]


def write_merged_forward(perdocwriter, sources, doc_count: int) -> None:
    """Write the forward index of the merged documents (if any source has
    one): each field's live documents' units in order, source by source,
    key ids remapped to the union of the sources' keys. A source without a
    field contributes documents without units."""
    names = sorted({name for s in sources for name in _forward_names(s)})
    if not names:
        return
    keys: dict[bytes, int] = {}
    remaps = []
    for s in sources:
        lexicon = s.arrays.forward.keys if _forward_names(s) else None
        n = len(lexicon) if lexicon is not None else 0
        remap = np.empty(n + 1, dtype=np.int64)
        for i, text in enumerate(lexicon.texts_between(0, n) if lexicon is not None else ()):
            remap[i] = keys.setdefault(text, len(keys))
        remap[n] = fmt.NO_KEY
        remaps.append(remap)
    for name in names:
        perdocwriter.write_forward_parts(name, _forward_parts(sources, remaps, name), doc_count)
    perdocwriter.write_forward_keys(list(keys))


def _forward_names(source: _Source) -> list[str]:
    return [name for name in source.reader.indexed_field_names()
            if source.arrays.forward.field(name) is not None]


def _forward_parts(sources, remaps, name: str) -> Iterator[ForwardField]:
    """Each source's live documents' forward index of a field (its units
    counted per document), key ids remapped."""
    for s, remap in zip(sources, remaps):
        live = s.remap >= 0
        field = s.arrays.forward.field(name)
        if field is None:
            yield empty_field(int(live.sum()))
            continue
        per_doc = np.diff(field.unit_docs.astype(np.int64))
        units = np.array(field.units[np.repeat(live, per_doc)])
        for column in ("word", "reading"):
            ids = units[column].astype(np.int64)
            units[column] = remap[np.where(ids == fmt.NO_KEY, len(remap) - 1, ids)]
        per_doc_x = np.diff(field.extra_docs.astype(np.int64))
        extras = np.array(field.extras[np.repeat(live, per_doc_x)])
        extras["key"] = remap[extras["key"].astype(np.int64)]
        yield ForwardField(units, _offsets(per_doc[live]), extras, _offsets(per_doc_x[live]))


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=fmt.OFFSET_DTYPE)
    np.cumsum(counts, out=out[1:])
    return out
