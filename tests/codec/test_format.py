"""Format safety, storages and reopening."""

from __future__ import annotations

import json
import os
import pickle
import struct

import numpy as np
import pytest
from whoosh import analysis, fields, index, query
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC

from sagashi.errors import IndexMismatchError
from sagashi.whoosh_ext.arrays import FORMAT_VERSION, ArrayCodec, FormatError
from sagashi.whoosh_ext.arrays import format as fmt
from sagashi.whoosh_ext.arrays.whoosh_private import terms_reader_of

from . import corpus


def results(ix, qs):
    with ix.searcher() as s:
        return [[(h.docnum, h.score) for h in s.search(q, limit=None)] for q in qs]


@pytest.fixture
def small(tmp_path, plan):
    """Two array segments of 150 documents, a few deleted."""
    os.makedirs(tmp_path / "ix")
    plan = corpus.Plan(plan.docs[:150], (0, 80, 150), plan.deleted[:5])
    return corpus.build(tmp_path / "ix", plan, ArrayCodec())


def search_all(ix):
    """Open the index and search every segment (files open on first use)."""
    with ix.searcher() as s:
        s.search(query.Or([query.Term("body", w) for w in ("が", "ぐ", "ご")]), limit=None)


def first_file(ix, ext):
    segment = ix._read_toc().segments[0]
    return os.path.join(ix.storage.folder, segment.make_filename(ext))


def first_term_arrays(reader):
    leaf = reader.leaf_readers()[0][0]
    return terms_reader_of(leaf).arrays


def test_format_errors_ask_for_a_rebuild():
    error = FormatError("x")
    assert isinstance(error, IndexMismatchError)
    assert "sagashi index build" in error.hint


@pytest.mark.parametrize("ext", [fmt.IDS_EXT, fmt.WEIGHTS_EXT, fmt.BLOCKS_EXT, fmt.TERM_HASH_EXT])
def test_other_version_in_a_file_header_is_refused(small, ext):
    path = first_file(small, ext)
    with open(path, "r+b") as f:
        f.seek(4)
        f.write(struct.pack("<I", FORMAT_VERSION + 1))
    with pytest.raises(FormatError, match=f"format {FORMAT_VERSION + 1}"):
        search_all(small)


def test_other_version_in_the_meta_file_is_refused(small):
    path = first_file(small, fmt.META_EXT)
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    meta["format"] = FORMAT_VERSION + 1
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f)
    with pytest.raises(FormatError, match=f"format {FORMAT_VERSION + 1}"):
        search_all(small)


def test_damaged_files_are_refused(small):
    path = first_file(small, fmt.IDS_EXT)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 4)
    with pytest.raises(FormatError, match="truncated"):
        search_all(small)
    with open(path, "r+b") as f:
        f.write(b"XXXX")
    with pytest.raises(FormatError, match="not an array codec file"):
        search_all(small)


def test_other_version_in_the_pickled_codec_is_refused(small):
    """A segment written by a future codec version (its pickled codec says
    so) is refused before any file is read."""
    toc = small._read_toc()
    toc.segments[0].codec().format_version = FORMAT_VERSION + 1
    TOC(toc.schema, toc.segments, toc.generation + 1).write(small.storage, small.indexname)
    with pytest.raises(FormatError, match=f"reads format {FORMAT_VERSION}"):
        index.open_dir(small.storage.folder).reader()


def test_codec_pickles_with_its_version():
    codec = pickle.loads(pickle.dumps(ArrayCodec()))
    assert codec.format_version == FORMAT_VERSION
    assert type(codec).__module__ == "sagashi.whoosh_ext.arrays.codec"


def test_compound_is_never_used(tmp_path, plan):
    ix = index.create_in(tmp_path, corpus.make_schema())
    w = ix.writer(codec=ArrayCodec(), compound=True)
    for doc in plan.docs[:20]:
        w.add_document(**doc)
    w.commit(merge=False)
    assert not ix._read_toc().segments[0].is_compound()
    assert not any(name.endswith(".seg") for name in os.listdir(tmp_path))
    search_all(ix)
    with ix.reader() as r:
        arrays = terms_reader_of(r).arrays
        arrays.term(0)
        assert arrays._files and all(f._map is not None for f in arrays._files.values())


def test_ram_storage_matches_file_storage(small, plan):
    ram = corpus.build(None, corpus.Plan(plan.docs[:150], (0, 80, 150), plan.deleted[:5]),
                       ArrayCodec(), storage=RamStorage())
    qs = corpus.random_queries(plan.docs[:150], 60, seed=5)
    assert results(ram, qs) == results(small, qs)
    with ram.reader() as r:
        arrays = first_term_arrays(r)
        arrays.term(0)
        assert arrays._files and all(f._map is None for f in arrays._files.values())


def test_reopen_after_close(small, plan):
    qs = corpus.random_queries(plan.docs[:150], 60, seed=6)
    before = results(small, qs)
    reader = small.reader()
    ids = first_term_arrays(reader).term(200).ids
    reader.close()
    assert ids.sum() >= 0  # views outlive the reader (the map closes with them)
    assert results(index.open_dir(small.storage.folder), qs) == before


def test_plain_writer_mixes_codecs(tmp_path, plan):
    """ix.writer() without codec= writes W3 segments: an index may mix them."""
    ix = index.create_in(tmp_path, corpus.make_schema())
    for codec in (ArrayCodec(), None):
        w = ix.writer(codec=codec) if codec else ix.writer()
        for doc in plan.docs[:10]:
            w.add_document(**doc)
        w.commit(merge=False)
    assert [type(s.codec()) for s in ix._read_toc().segments] == [ArrayCodec, W3Codec]
    with ix.searcher() as s:
        assert len(s.search(query.Every(), limit=None)) == 20


def test_smallest_dtypes():
    weights = fmt.smallest_weight_dtype
    assert weights(np.array([1.0, 255.0])) == np.dtype("u1")
    assert weights(np.array([1.0, 65535.0])) == np.dtype("<u2")
    assert weights(np.array([1.0, 65536.0])) == np.dtype("<f4")
    assert weights(np.array([1.5, 2.25])) == np.dtype("<f4")
    assert weights(np.array([0.1])) == np.dtype("<f8")
    assert weights(np.array([-1.0])) == np.dtype("<f4")
    assert fmt.smallest_uint(np.array([0, 255])) == np.dtype("u1")
    assert fmt.smallest_uint(np.array([70000])) == np.dtype("<u4")
    assert fmt.smallest_uint(np.array([], dtype=np.int64)) == np.dtype("u1")


def test_fractional_weights_are_exact(tmp_path):
    schema = fields.Schema(t=fields.TEXT(analyzer=analysis.SpaceSeparatedTokenizer()
                                         | analysis.DelimitedAttributeFilter(),
                                         phrase=False))
    ix = index.create_in(tmp_path, schema)
    w = ix.writer(codec=ArrayCodec())
    w.add_document(t="a^0.1 b a^0.2")
    w.add_document(t="a^0.3")
    w.commit(merge=False)
    with ix.reader() as r:
        postings = terms_reader_of(r).postings("t", b"a")
        assert postings.weights.dtype == np.float64
        assert postings.weights.tolist() == [0.1 + 0.2, 0.3]
        assert r.frequency("t", "a") == 0.1 + 0.2 + 0.3


def test_terms_are_found_by_hash_and_bytes(small):
    """Terms are looked up by a 64-bit hash; a hash that matches the wrong
    bytes, or a term of another field, is not a hit."""
    with small.reader() as r:
        arrays = first_term_arrays(r)
        lo, hi = arrays.field_range("body")
        some = [arrays.lexicon.text(row) for row in range(lo, hi, 7)]
        rows = arrays.find([("body", t) for t in some])
        assert rows.tolist() == list(range(lo, hi, 7))
        assert arrays.find([("title", b"\xff\xfe"), ("nosuchfield", some[0])]).tolist() \
            == [-1, -1]
        # the same bytes under another field's hash are not a hit either
        assert arrays.lexicon.find([fmt.term_key("title", some[0])], [some[0]],
                                   [(lo, hi)]).tolist() == [-1]
