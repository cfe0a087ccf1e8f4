"""A segment written in bulk (morphemes analysed once, postings made with
numpy) holds, file for file, what Whoosh's own add_document writes through
the array codec for the same records, plus the forward index."""

from __future__ import annotations

import os

from whoosh import index

from sagashi.domain.records import load_records
from sagashi.index import writer
from sagashi.index.schema import make_schema, to_document
from sagashi.index.segment import SegmentBuilder
from sagashi.whoosh_ext.arrays import ArrayCodec
from sagashi.whoosh_ext.segments import SegmentWriter

from .conftest import DATA

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
