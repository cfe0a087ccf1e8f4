"""The bulk writer writes the same bytes as Whoosh's per-posting path."""

from __future__ import annotations

import os

import numpy as np
import pytest
from whoosh import fields, index

from sagashi.whoosh_ext.arrays import ArrayCodec, bulkwrite, writing
from sagashi.whoosh_ext.arrays.bulkwrite import FieldTokens, write_documents

from . import corpus


def field_tokens(schema, docs, name) -> FieldTokens:
    """A field's tokens as the field's analyzer yields them."""
    field = schema[name]
    vocab: dict[str, int] = {}
    term_ids, doc_ids, positions, chars = [], [], [], []
    for d, doc in enumerate(docs):
        value = doc.get(name)
        if value is None:
            continue
        for t in field.analyzer(value, positions=True, chars=True, mode="index"):
            term_ids.append(vocab.setdefault(t.text, len(vocab)))
            doc_ids.append(d)
            positions.append(t.pos)
            chars.append((t.startchar, t.endchar))
    if type(field.format).__name__ == "Existence":  # one posting per distinct term
        pairs = dict.fromkeys(zip(term_ids, doc_ids))
        term_ids, doc_ids = [p[0] for p in pairs], [p[1] for p in pairs]
        positions, chars = [0] * len(term_ids), [(0, 0)] * len(term_ids)
    return FieldTokens(list(vocab), np.array(term_ids, dtype=np.int64),
                       np.array(doc_ids, dtype=np.int64), np.array(positions, dtype=np.int64),
                       np.array(chars, dtype=np.int64).reshape(-1, 2))


def segment_files(dirname) -> dict[str, bytes]:
    """The files of an index's only segment, by name without the segment id."""
    ix = index.open_dir(dirname)
    (segment,) = ix._read_toc().segments
    sid = segment.segment_id()
    return {name[len(sid):]: open(os.path.join(dirname, name), "rb").read()
            for name in os.listdir(dirname) if name.startswith(sid)}


def build_per_posting(dirname, schema, docs):
    os.makedirs(dirname, exist_ok=True)
    ix = index.create_in(dirname, schema)
    w = ix.writer(codec=ArrayCodec())
    for doc in docs:
        w.add_document(**doc)
    w.commit(merge=False)


def build_bulk(dirname, schema, docs):
    os.makedirs(dirname, exist_ok=True)
    ix = index.create_in(dirname, schema)
    w = ix.writer(codec=ArrayCodec())
    names = [n for n in schema.names() if schema[n].indexed]
    write_documents(w, len(docs), {n: field_tokens(schema, docs, n) for n in names}, docs)
    w.commit(merge=False)


@pytest.mark.parametrize("flush,chunk", [(writing.FLUSH_POSTINGS, bulkwrite.CHUNK_TOKENS),
                                         (50, 7)])
def test_bulk_equals_per_posting_byte_for_byte(tmp_path, plan, monkeypatch, flush, chunk):
    """Also when postings are handed over in small batches, and when the
    bulk writer sorts a few tokens at a time."""
    monkeypatch.setattr(writing, "FLUSH_POSTINGS", flush)
    monkeypatch.setattr(bulkwrite, "CHUNK_TOKENS", chunk)
    docs = list(plan.docs[:300])
    schema = corpus.make_schema()
    build_per_posting(tmp_path / "a", schema, docs)
    build_bulk(tmp_path / "b", schema, docs)
    a, b = segment_files(tmp_path / "a"), segment_files(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert {".ameta", ".atx", ".ato", ".atr", ".ath", ".aid", ".awt", ".aen", ".apo", ".avb",
            ".abk", ".body.aln", "._stored.col", ".cat.col"} <= set(a)
    for name in a:
        assert a[name] == b[name], name


def test_bulk_with_boosted_field(tmp_path):
    """Weights of a boosted field are fractional: stored as float32."""
    ws = corpus.analyzer()
    schema = fields.Schema(t=fields.TEXT(analyzer=ws, phrase=True, field_boost=1.5))
    docs = [{"t": "a b a"}, {"t": "b c"}, {"t": "c c c a"}]
    build_per_posting(tmp_path / "a", schema, docs)
    build_bulk(tmp_path / "b", schema, docs)
    a, b = segment_files(tmp_path / "a"), segment_files(tmp_path / "b")
    assert a == b
    assert b"<f4" in a[".awt"][:64]


def test_bulk_rejects_bad_input(tmp_path):
    schema = corpus.make_schema()
    ix = index.create_in(tmp_path, schema)
    w = ix.writer(codec=ArrayCodec())
    tokens = FieldTokens(["a"], np.array([0]), np.array([3]), np.array([0]))
    with pytest.raises(ValueError, match="doc_ids"):
        write_documents(w, 2, {"title": tokens})
    with pytest.raises(ValueError, match="positions"):
        write_documents(w, 5, {"title": FieldTokens(["a"], np.array([0]), np.array([0]))})
    with pytest.raises(ValueError, match="not an indexed field"):
        write_documents(w, 5, {"nope": tokens})
    w.cancel()
    w = ix.writer()
    with pytest.raises(TypeError, match="array codec"):
        write_documents(w, 5, {"title": tokens})
    w.cancel()


def test_bulk_segment_searches_like_per_posting(tmp_path, plan):
    docs = list(plan.docs[:200])
    schema = corpus.make_schema()
    build_per_posting(tmp_path / "a", schema, docs)
    build_bulk(tmp_path / "b", schema, docs)
    qs = corpus.random_queries(docs, 100, seed=21)
    with index.open_dir(tmp_path / "a").searcher() as sa, \
            index.open_dir(tmp_path / "b").searcher() as sb:
        for q in qs:
            assert [(h.docnum, h.score) for h in sa.search(q, limit=None)] == \
                   [(h.docnum, h.score) for h in sb.search(q, limit=None)]
