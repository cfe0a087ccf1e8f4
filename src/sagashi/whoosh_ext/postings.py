"""A segment's postings, read in bulk and kept.

Whoosh's matchers hand out postings one method call at a time. Here a
term's whole posting list is decoded a block at a time (Whoosh's own blocks,
read through its matcher) and turned into BM25F scores in one loop, with
each document's field-length byte looked up in a table of 256 precomputed
norms. The most recently used lists are kept per segment searcher: common
words (支援, 外国, 人) recur across queries and, through synonyms and
compounds, within one.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from weakref import WeakKeyDictionary

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3LeafMatcher, _lenfield
from whoosh.scoring import BM25FScorer
from whoosh.util.numeric import byte_to_length

#: Postings kept per segment, as scores (about 100 bytes each).
CACHED_POSTINGS = 1_500_000

_caches: WeakKeyDictionary = WeakKeyDictionary()  # segment searcher -> _Kept


def bm25_scores(sub, field: str, text: str) -> dict[int, float] | None:
    """``{docnum: score}`` of a term in one segment (``sub``, a searcher of
    one segment, as ``leaf_searchers()`` gives), scored as its weighting's
    :class:`whoosh.scoring.BM25FScorer` scores it: ``idf * tf * (K1 + 1) /
    (tf + K1 * (1 - B + B * length / average length))``; None when that
    weighting does not score the field so. Shared: never change it."""
    kept = _cache(sub)
    key = (field, text)
    found = kept.recall(key)
    if found is None:
        scorer = sub.weighting.scorer(sub, field, text)
        if not isinstance(scorer, BM25FScorer):
            return None
        reader = sub.reader()
        column = length_column(sub, field) or bytes(reader.doc_count_all())
        norm = _norms(kept, field, scorer.K1, scorer.B, scorer.avgfl)
        c = scorer.idf * (scorer.K1 + 1)
        found = {}
        for ids, weights, _ in _blocks(reader, field, text):
            found.update({d: c * w / (w + norm[column[d]]) for d, w in zip(ids, weights)})
        kept.keep(key, found)
    return found


def _norms(kept: _Kept, field: str, k1: float, b: float, avg: float) -> list[float]:
    """``K1 * (1 - B + B * length / average length)`` by length byte, the
    length being 1 for byte 0 (as ``doc_field_length(docnum, field, 1)``)."""
    key = ("norms", field, k1, b, avg)
    norm = kept.fixed.get(key)
    if norm is None:
        norm = kept.fixed[key] = [k1 * ((1 - b) + b * (byte_to_length(i) if i else 1) / avg)
                                  for i in range(256)]
    return norm


def doc_frequency(sub, field: str, text: str) -> int:
    """The segment's document frequency of a term (kept)."""
    dfs = _cache(sub).dfs
    key = (field, text)
    df = dfs.get(key)
    if df is None:
        reader = sub.reader()
        df = dfs[key] = reader.doc_frequency(field, text) if field in reader.schema else 0
    return df


def positions(reader, field: str, text: str, docnums: set[int]) -> dict[int, list[int]]:
    """The positions of a term in each of ``docnums`` that holds it."""
    decode = reader.schema[field].format.decode_positions
    out: dict[int, list[int]] = {}
    for ids, _, values in _blocks(reader, field, text, sorted(docnums)):
        for i, d in enumerate(ids):
            if d in docnums:
                out[d] = decode(values()[i])
    return out


def _blocks(reader, field: str, text: str, wanted: list[int] | None = None):
    """``(ids, weights, values)`` of each block of a term's postings;
    ``values()`` decodes the block's values when called. With ``wanted``
    (sorted document numbers), blocks whose range holds none of them are
    left out, undecoded."""
    m = reader.postings(field, text)
    if not isinstance(m, W3LeafMatcher):  # inlined postings: a few
        ids, weights, values = [], [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            values.append(m.value())
            m.next()
        yield ids, weights, lambda: values
        return
    at = 0
    while m.is_active():
        if wanted is not None:
            if at == len(wanted):
                return
            if wanted[at] > m._maxid:  # nothing wanted in this block
                m._next_block()
                continue
            at = bisect_right(wanted, m._maxid, at)
        m.id(), m.weight()  # decode this block's ids and weights
        yield m._ids, m._weights, _values_of(m)
        m._next_block()


def _values_of(m):
    def values():
        if m._values is None:
            m._read_values()
        return m._values
    return values


def length_column(sub, field: str):
    """A segment's field-length bytes by document, read whole and kept;
    None when the field has no lengths. (Whoosh reads the column file once
    per posting.)"""
    fixed = _cache(sub).fixed
    key = ("lengths", field)
    if key not in fixed:
        fixed[key] = read_length_column(getattr(sub.reader(), "_perdoc", None), field)
    return fixed[key]


def read_length_column(perdoc, field: str):
    """The length bytes of ``field`` from a per-document reader, or None."""
    if perdoc is None or not perdoc.has_column(_lenfield(field)):
        return None
    column = perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN)
    if getattr(column, "_fixedlen", None) == 1 and not column._default:
        # one byte per document, stored as is: read them at once
        stored = column._dbfile.get(column._basepos, column._count)
        return stored + bytes(column._doccount - column._count)
    return column.load()


def open_files(searcher) -> None:
    """Open now every file of the searcher's segments that Whoosh would open
    on first use (stored fields, length and sort columns), and read the
    length columns. An open file stays readable after its generation is
    deleted; a file opened later would not be there."""
    for sub, _ in searcher.leaf_searchers():
        reader = sub.reader()
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is None:
            continue
        perdoc._cached_reader("_stored", STORED_COLUMN)
        for name, field in reader.schema.items():
            if field.scorable:
                length_column(sub, name)
            if field.column_type and perdoc.has_column(name):
                perdoc.column_reader(name, field.column_type)


def field_values(sub, field: str) -> dict[int, str]:
    """``{docnum: value}`` of a one-value keyword field, read once."""
    fixed = _cache(sub).fixed
    key = ("values", field)
    if key not in fixed:
        reader = sub.reader()
        found: dict[int, str] = {}
        if field in reader.schema:
            for text in reader.field_terms(field):
                for ids, _, _ in _blocks(reader, field, text):
                    found.update(dict.fromkeys(ids, text))
        fixed[key] = found
    return fixed[key]


def _cache(sub) -> _Kept:
    kept = _caches.get(sub)
    if kept is None:
        kept = _caches[sub] = _Kept()
    return kept


class _Kept(OrderedDict):
    """What is kept for one segment searcher: the least recently used
    posting lists, up to CACHED_POSTINGS postings in all; document
    frequencies; and in ``fixed`` what is read once (lengths, values)."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0
        self.dfs: dict = {}
        self.fixed: dict = {}

    def recall(self, key):
        """The list kept under ``key`` (now the most recently used), or None."""
        found = super().get(key)
        if found is not None:
            self.move_to_end(key)
        return found

    def keep(self, key, value: dict) -> None:
        """Keep ``value``, forgetting the least recently used lists past the bound."""
        self[key] = value
        self.size += len(value)
        while self.size > CACHED_POSTINGS and len(self) > 1:
            _, old = self.popitem(last=False)
            self.size -= len(old)
