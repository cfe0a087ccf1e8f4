"""A segment's postings for scoring: looked up in batches, scored with numpy,
and kept.

Every segment sagashi writes is of the array codec
(:mod:`sagashi.whoosh_ext.arrays`): a term's postings are slices of memory
maps and its BM25F scores one numpy expression over them. A
:class:`Segment` stands for one leaf searcher: it finds many terms at once
(one ``searchsorted`` over the segment's term hashes), keeps the rows it
found, and keeps the most recently used score arrays (common words such as
支援, 外国 and 人 recur across queries and, through synonyms and
compounds, within one).
"""

from __future__ import annotations

from collections import OrderedDict
from weakref import WeakKeyDictionary

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN
from whoosh.scoring import BM25F

from .arrays import FormatError
from .arrays import format as fmt
from .arrays.reading import ArrayPerDocReader, ArrayTermsReader, SegmentArrays
from .arrays.term import TermPostings
from .arrays.whoosh_private import perdoc_reader_of, terms_reader_of

#: Postings kept per segment, as score arrays (16 bytes each: id and score).
CACHED_POSTINGS = 2_000_000
#: Bytes of scored query parts kept per searcher, shared among its segments
#: by their numbers of documents (see :class:`Kept`).
CACHED_PART_BYTES = 96_000_000

_segments: WeakKeyDictionary = WeakKeyDictionary()  # leaf searcher -> Segment
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


def segment(sub) -> Segment:
    """The :class:`Segment` of a leaf searcher (one per searcher, kept)."""
    found = _segments.get(sub)
    if found is None:
        found = _segments[sub] = Segment(sub)
    return found


def segments(searcher) -> list[tuple[Segment, int]]:
    """``(segment, first docnum)`` of each segment of a searcher."""
    return [(segment(sub), offset) for sub, offset in searcher.leaf_searchers()]


class Segment:
    """One segment of a searcher, for scoring with arrays (see the module
    docstring). Document numbers are local to the segment."""

    def __init__(self, sub) -> None:
        reader = sub.reader()
        terms = terms_reader_of(reader)
        perdoc = perdoc_reader_of(reader)
        if not isinstance(terms, ArrayTermsReader) or not isinstance(perdoc, ArrayPerDocReader):
            raise FormatError(f"a segment of the index at {getattr(reader, 'storage', '?')} "
                              "was not written by sagashi's array codec")
        self.sub, self.reader, self.schema = sub, reader, reader.schema
        self.arrays: SegmentArrays = terms.arrays
        self.perdoc = perdoc
        self.doc_count = reader.doc_count_all()
        self.live: np.ndarray | None = None
        if reader.has_deletions():
            live = np.ones(self.doc_count, dtype=bool)
            live[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
            self.live = live
        self._rows: dict[tuple[str, str], int] = {}
        self._kept: OrderedDict = OrderedDict()
        self._kept_size = 0
        self._lengths: dict[str, np.ndarray] = {}
        self._norm_arrays: dict[tuple, np.ndarray] = {}
        self._scorers: dict[tuple[str, str], tuple] = {}
        self._codes: dict[str, tuple[list[str], np.ndarray]] = {}
        #: Forward-index key ids of recent queries' marks (see marks.py).
        self.marks: OrderedDict = OrderedDict()
        #: Recent queries' parts, scored for every document (see bulk.py).
        share = self.doc_count / max(1, sub.get_parent().doc_count_all())
        self.parts = Kept(int(CACHED_PART_BYTES * share))

    # -- terms ---------------------------------------------------------------

    def find(self, terms) -> None:
        """Look up ``(field, text)`` terms not looked up yet, all at once."""
        rows = self._rows
        missing = [t for t in dict.fromkeys(terms) if t not in rows]
        if not missing:
            return
        wanted, where = [], []
        for field, text in missing:
            tbytes = self._bytes(field, text)
            if tbytes is None:
                rows[(field, text)] = -1
            else:
                wanted.append((field, tbytes))
                where.append((field, text))
        if wanted:
            for key, row in zip(where, self.arrays.find(wanted).tolist()):
                rows[key] = row

    def _bytes(self, field: str, text) -> bytes | None:
        if isinstance(text, bytes):
            return text
        if field not in self.schema:
            return None
        try:
            return self.schema[field].to_bytes(text)
        except ValueError:
            return None

    def row(self, field: str, text) -> int:
        """The term's row in the segment's term table, or -1."""
        key = (field, text)
        found = self._rows.get(key)
        if found is None:
            self.find([key])
            found = self._rows[key]
        return found

    def doc_frequency(self, field: str, text) -> int:
        row = self.row(field, text)
        return int(self.arrays.rows[row]["df"]) if row >= 0 else 0

    def postings(self, field: str, text) -> TermPostings | None:
        row = self.row(field, text)
        return self.arrays.term(row) if row >= 0 else None

    # -- scores --------------------------------------------------------------

    def scores(self, field: str, text) -> tuple[np.ndarray, np.ndarray] | None:
        """``(ids, scores)`` of a term in this segment, deleted documents
        included, scored as its weighting's scorer scores it (BM25F:
        ``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average
        length))`` in Whoosh's order of operations; a field without lengths
        scores the weight); None when the weighting scores otherwise. Kept:
        never change them."""
        key = (field, text)
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        row = self.row(field, text)
        if row < 0:
            return _EMPTY_IDS, _EMPTY_SCORES
        scorer = self._scorer(field, text)
        if scorer is None:
            return None
        p = self.arrays.term(row)
        tf = p.weights.astype(np.float64)
        if scorer[0] == "weight":
            scores = tf
        else:
            _, idf, k1, b, avgfl = scorer
            scores = idf * ((tf * (k1 + 1)) / (tf + self._norms(field, k1, b, avgfl)[p.ids]))
        found = (p.ids.astype(np.int64), scores)
        self._keep(key, found)
        return found

    def _scorer(self, field: str, text) -> tuple | None:
        key = (field, text)
        found = self._scorers.get(key)
        if found is None:
            sub = self.sub
            weighting = sub.weighting
            if not self.schema[field].scorable:
                found = ("weight",)
            elif type(weighting).scorer is not BM25F.scorer:
                found = ("other",)
            else:
                b = weighting._field_B.get(field, weighting.B)
                parent = sub.get_parent()
                found = ("bm25", weighting.idf(sub, field, text), weighting.K1, b,
                         parent.avg_field_length(field) or 1)
            self._scorers[key] = found
        return None if found[0] == "other" else found

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length of ``field`` as float64, 1 where it has
        none (as ``doc_field_length(docnum, field, 1)``)."""
        found = self._lengths.get(field)
        if found is None:
            raw = self.perdoc.length_array(field)
            found = np.ones(self.doc_count) if raw is None else raw.astype(np.float64)
            found[found == 0] = 1.0
            self._lengths[field] = found
        return found

    def _norms(self, field: str, k1: float, b: float, avgfl: float) -> np.ndarray:
        """BM25F's length term ``K1 * (1 - B + B * length / average length)``
        of every document (elementwise as for one term's postings, so equal),
        computed once per field rather than for each term."""
        key = (field, k1, b, avgfl)
        found = self._norm_arrays.get(key)
        if found is None:
            fl = self.lengths(field)
            found = self._norm_arrays[key] = k1 * ((1 - b) + b * fl / avgfl)
        return found

    def _keep(self, key, value) -> None:
        self._kept[key] = value
        self._kept_size += len(value[0])
        while self._kept_size > CACHED_POSTINGS and len(self._kept) > 1:
            _, old = self._kept.popitem(last=False)
            self._kept_size -= len(old[0])

    # -- positions -----------------------------------------------------------

    def positions(self, field: str, text, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of a term in ``docs`` (sorted local docnums, each
        holding the term): ``(doc of each position, position)``."""
        p = self.postings(field, text)
        if p is None or p.kind not in fmt.UNITS or not len(docs):
            return _EMPTY_IDS, _EMPTY_IDS
        at = np.searchsorted(p.ids, docs)
        ends = p.ends.astype(np.int64)
        stops = ends[at]
        starts = np.where(at > 0, ends[np.maximum(at - 1, 0)], 0)
        index, which = fmt.runs(starts, stops)
        unit = fmt.UNITS[p.kind]
        return docs[which], p.values[index * unit].astype(np.int64)

    # -- keyword values --------------------------------------------------------

    def codes(self, field: str) -> tuple[list[str], np.ndarray]:
        """The values of a one-value keyword field, and the index of each
        document's value among them (-1: none). Read once."""
        found = self._codes.get(field)
        if found is None:
            arrays = self.arrays
            lo, hi = arrays.field_range(field)
            codes = np.full(self.doc_count, -1, dtype=np.int64)
            values: list[str] = []
            if hi > lo:
                from_bytes = self.schema[field].from_bytes
                values = [from_bytes(t) for t in arrays.lexicon.texts_between(lo, hi)]
                rows = arrays.rows[lo:hi]
                first = int(rows["post"][0])
                df = rows["df"].astype(np.int64)
                last = int(rows["post"][-1]) + int(df[-1])
                codes[arrays.ids[first:last]] = np.repeat(np.arange(hi - lo), df)
            found = self._codes[field] = (values, codes)
        return found


class Kept:
    """The most recently used values, by key, up to about ``limit`` bytes
    (each value's size given when kept; at least one value is kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._values: OrderedDict = OrderedDict()  # key -> (value, size)

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key):
        """The value kept under ``key`` (now the most recently used), or None."""
        found = self._values.get(key)
        if found is None:
            return None
        self._values.move_to_end(key)
        return found[0]

    def keep(self, key, value, size: int) -> None:
        """Keep ``value``, dropping the least recently used past the limit."""
        old = self._values.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._values[key] = (value, size)
        self.size += size
        while self.size > self.limit and len(self._values) > 1:
            _, (_, dropped) = self._values.popitem(last=False)
            self.size -= dropped


def open_files(searcher) -> None:
    """Open now every file of the searcher's segments (a segment's array
    files are mapped when first read, Whoosh's stored-field column is read
    through a reader opened here), and read each segment's meta file. An
    open file stays readable after its generation is deleted; a file opened
    later would not be there."""
    for sub, _ in searcher.leaf_searchers():
        seg = segment(sub)
        seg.perdoc.held = seg.arrays.hold()
        seg.perdoc._cached_reader("_stored", STORED_COLUMN)
        seg.arrays.meta  # noqa: B018 - read the meta file now
