"""The numpy merge against Whoosh's own merge (add_reader, per posting)."""

from __future__ import annotations

import math
import os
import shutil

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import OPTIMIZE

from sagashi.whoosh_ext.arrays import ArrayCodec, merge

from . import corpus


def segment_files(dirname) -> dict[str, bytes]:
    (segment,) = index.open_dir(dirname)._read_toc().segments
    sid = segment.segment_id()
    return {name[len(sid):]: open(os.path.join(dirname, name), "rb").read()
            for name in os.listdir(dirname) if name.startswith(sid)}


def by_id(searcher, q):
    return {searcher.stored_fields(h.docnum)["id"]: h.score
            for h in searcher.search(q, limit=None)}


@pytest.fixture(scope="module")
def merged(array_ix, w3_ix, tmp_path_factory):
    """The array index merged by Whoosh (per posting, array codec), by
    numpy, and the W3 index merged by Whoosh."""
    base = tmp_path_factory.mktemp("merged")
    paths = {}
    for name, source in (("whoosh", array_ix), ("numpy", array_ix), ("w3", w3_ix)):
        paths[name] = base / name
        shutil.copytree(source.storage.folder, paths[name])
    ix = index.open_dir(paths["whoosh"])
    ix.writer(codec=ArrayCodec()).commit(mergetype=OPTIMIZE)
    merge.optimize(index.open_dir(paths["numpy"]))
    index.open_dir(paths["w3"]).writer(codec=W3Codec()).commit(mergetype=OPTIMIZE)
    return paths


def test_numpy_merge_equals_whoosh_merge_byte_for_byte(merged):
    a, b = segment_files(merged["whoosh"]), segment_files(merged["numpy"])
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], name


def test_merging_a_few_postings_at_a_time_writes_the_same_bytes(array_ix, merged, tmp_path,
                                                                monkeypatch):
    monkeypatch.setattr(merge, "CHUNK_POSTINGS", 7)
    shutil.copytree(array_ix.storage.folder, tmp_path / "ix")
    merge.optimize(index.open_dir(tmp_path / "ix"))
    a, b = segment_files(merged["numpy"]), segment_files(tmp_path / "ix")
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], name


def test_merged_index_searches_as_w3_merged(merged, plan, queries):
    ix, w3 = index.open_dir(merged["numpy"]), index.open_dir(merged["w3"])
    assert len(ix._read_toc().segments) == 1
    with ix.searcher() as s, w3.searcher() as sw:
        assert s.doc_count_all() == s.doc_count() == len(plan.docs) - len(plan.deleted)
        assert list(s.reader().all_stored_fields()) == list(sw.reader().all_stored_fields())
        assert list(s.reader().all_terms()) == list(sw.reader().all_terms())
        for q in queries:
            assert by_id(s, q).keys() == by_id(sw, q).keys(), q


def test_merged_scores_equal_whoosh_merged(merged, queries):
    with index.open_dir(merged["numpy"]).searcher() as s, \
            index.open_dir(merged["whoosh"]).searcher() as sw:
        for q in queries:
            got, expected = by_id(s, q), by_id(sw, q)
            assert got.keys() == expected.keys()
            assert all(math.isclose(got[k], expected[k], rel_tol=1e-9) for k in got)


def test_policy_falls_back_to_whoosh_when_writer_has_documents(array_ix, plan, tmp_path):
    shutil.copytree(array_ix.storage.folder, tmp_path / "ix")
    ix = index.open_dir(tmp_path / "ix")
    w = ix.writer(codec=ArrayCodec())
    w.add_document(**{**plan.docs[0], "id": "extra"})
    w.commit(mergetype=merge.optimize_policy)
    with ix.searcher() as s:
        assert len(ix._read_toc().segments) == 1
        assert s.doc_count() == len(plan.docs) - len(plan.deleted) + 1
        assert by_id(s, corpus.query.Term("id", "extra")).keys() == {"extra"}


def test_merge_of_w3_segments_falls_back(w3_ix, tmp_path, plan):
    shutil.copytree(w3_ix.storage.folder, tmp_path / "ix")
    merge.optimize(index.open_dir(tmp_path / "ix"))
    ix = index.open_dir(tmp_path / "ix")
    (segment,) = ix._read_toc().segments
    assert isinstance(segment.codec(), ArrayCodec)
    assert ix.doc_count() == len(plan.docs) - len(plan.deleted)
