"""A segment written in bulk (morphemes analysed once, postings made with
numpy) holds, file for file, what Whoosh's own add_document writes through
the array codec for the same records, plus the forward index; and a build
cut into many small segments (memory is bounded per segment) answers as a
build in one does."""

from __future__ import annotations

import os

from whoosh import index

from sagashi.domain.records import load_records
from sagashi.engine import Engine
from sagashi.index import writer
from sagashi.index.build import build_index, index_stats
from sagashi.index.schema import make_schema, to_document
from sagashi.index.segment import SegmentBuilder
from sagashi.index.storage import current_generation
from sagashi.whoosh_ext.arrays import ArrayCodec
from sagashi.whoosh_ext.segments import SegmentWriter

from .conftest import DATA
from .query_mix import queries

FORWARD = (".afu", ".afd", ".afx", ".afy", ".akx", ".ako", ".akh", ".akp")


def segment_files(folder) -> dict[str, bytes]:
    (segment,) = index.open_dir(str(folder))._read_toc().segments
    sid = segment.segment_id()
    return {name[len(sid):]: (folder / name).read_bytes()
            for name in os.listdir(folder) if name.startswith(sid)}


def records():
    """The bundled records, and a few with kept columns (x_, k_, n_ fields)."""
    base = list(load_records(DATA).records)
    extra = [r.__class__(no=1000 + i, entity=r.entity, organization=r.organization,
                         location=r.location, title=r.title, summary=r.summary,
                         extra={"年度": str(2020 + i % 3), "担当者": "田中 花子" if i % 2 else "鈴木",
                                "助成額": str(1000 * (i + 1))})
             for i, r in enumerate(base[:6])]
    return base + extra


def test_bulk_segment_equals_add_document(tmp_path):
    recs = records()
    bulk_dir, whoosh_dir = tmp_path / "bulk", tmp_path / "whoosh"
    for folder in (bulk_dir, whoosh_dir):
        folder.mkdir()
    ix = index.create_in(str(bulk_dir), make_schema())
    builder = SegmentBuilder(SegmentWriter(ix, _lk=False), writer._tables)
    for r in recs:
        builder.add(to_document(r))
    builder.write()
    parent = SegmentWriter(ix)
    parent.commit_segments([builder.writer.finish_segment()])

    ix2 = index.create_in(str(whoosh_dir), make_schema())
    w = ix2.writer(codec=ArrayCodec())
    for r in recs:
        w.add_document(**to_document(r))
    w.commit(merge=False)

    bulk, whoosh = segment_files(bulk_dir), segment_files(whoosh_dir)
    assert set(whoosh) == {name for name in bulk if not name.endswith(FORWARD)}
    assert any(name.endswith(".afu") for name in bulk)
    assert b'"n_' in bulk[".ameta"] and b'"x_' in bulk[".ameta"]  # kept columns too
    for name, data in whoosh.items():
        assert bulk[name] == data, name




def test_small_segments_find_the_same_records(tmp_path, monkeypatch, engine):
    """A build cut into many segments (a few records each) finds what a
    one-segment build finds, with the same snippets. (Scores of queries of
    several words may differ a little: like Whoosh's, they pair the parts
    of a query in each segment by their sizes there.)"""
    monkeypatch.setattr(writer, "SEGMENT_MORPHEMES", 300)
    build_index(DATA, tmp_path / "ix", procs=1)
    assert index_stats(tmp_path / "ix").segments >= 4
    with Engine(tmp_path / "ix") as small:
        for q in queries():
            want, got = engine.search(q, limit=30), small.search(q, limit=30)
            assert sorted((h.no, h.snippet, h.title_spans) for h in got) == \
                sorted((h.no, h.snippet, h.title_spans) for h in want), q



def test_a_fresh_morpheme_table_changes_no_answer(tmp_path, monkeypatch):
    """Starting the morpheme table afresh between segments changes no
    posting and no answer (the forward index numbers its keys in the
    table's order, so only it differs, byte for byte)."""
    monkeypatch.setattr(writer, "SEGMENT_MORPHEMES", 300)
    roots = []
    for name, table_limit in (("kept", 10**9), ("fresh", 100)):
        monkeypatch.setattr(writer, "TABLE_MORPHEMES", table_limit)
        writer._tables.clear()
        roots.append(tmp_path / name)
        build_index(DATA, roots[-1], procs=1)
    files = [{name: path.read_bytes() for name, path in _segment_files(root)}
             for root in roots]
    assert files[0].keys() == files[1].keys()
    assert [n for n in files[0] if files[0][n] != files[1][n] and not n.endswith(FORWARD)] == []
    with Engine(roots[0]) as kept, Engine(roots[1]) as fresh:
        for q in queries():
            assert fresh.search(q, limit=30) == kept.search(q, limit=30), q


def _segment_files(root):
    """(segment number and extension, path) of the files of an index's segments."""
    folder = current_generation(root)
    ids = [s.segment_id() for s in index.open_dir(str(folder))._read_toc().segments]
    return [(f"{i}{p.name[len(sid):]}", p) for i, sid in enumerate(ids)
            for p in folder.iterdir() if p.name.startswith(sid)]


def test_a_share_of_records_is_let_go_of_as_it_is_written(tmp_path):
    recs = records()
    ix = index.create_in(str(tmp_path), make_schema())
    segments = writer.write_share(ix, recs, None, segment_morphemes=300)
    assert recs == [] and len(segments) >= 4
