"""Highlighting from the index's forward index marks exactly what analysing
the text again marks: every document of the bundled corpus, for the marks
of the probe queries and more."""

from __future__ import annotations

from sagashi.analysis import SudachiAnalysis
from sagashi.domain.fields import SNIPPET_FIELDS
from sagashi.index.searcher import open_searcher
from sagashi.index.storage import current_generation
from sagashi.query.highlight import Marks, indexed_spans, marks_for, match_spans
from sagashi.query.plan import make_plan
from sagashi.query.syntax import parse

from .conftest import DATA
from .query_mix import check_all, interpreter, queries


def test_indexed_spans_equal_spans_found_by_analysis(corpus_index):
    analysis = SudachiAnalysis()
    _, searcher = open_searcher(current_generation(corpus_index))
    with searcher:
        understand = interpreter(searcher)
        all_marks = [marks_for(make_plan(parse(q), understand, searcher.reader()))
                     for q in queries()]
        all_marks.append(Marks(phrases=frozenset({("日本", "語"), ("外国", "人", "支援")})))
        marked = 0
        for marks in all_marks:
            for docnum in range(searcher.doc_count_all()):
                stored = searcher.stored_fields(docnum)
                for field in SNIPPET_FIELDS:
                    expected = match_spans(stored.get(field, ""), analysis, marks) if marks else []
                    assert indexed_spans(searcher, docnum, field, marks) == expected, \
                        (marks, docnum, field)
                    marked += len(expected)
        assert marked > 500


def test_a_segment_without_a_forward_index_says_so(tmp_path):
    from whoosh import fields, index

    from sagashi.whoosh_ext.arrays import ArrayCodec
    ix = index.create_in(str(tmp_path), fields.Schema(summary=fields.TEXT(stored=True)))
    w = ix.writer(codec=ArrayCodec())
    w.add_document(summary="hello world")
    w.commit(merge=False)
    with ix.searcher() as searcher:
        assert indexed_spans(searcher, 0, "summary", Marks(words=frozenset({"hello"}))) is None
        assert indexed_spans(searcher, 0, "summary", Marks()) == []


def test_forward_units_made_in_chunks_are_the_same(tmp_path, monkeypatch):
    """The forward index of a segment written a few morphemes at a time
    marks what analysis marks (a unit's place in its document counts the
    units of earlier chunks)."""
    from sagashi.analysis import morphemes
    from sagashi.index.build import build_index

    monkeypatch.setattr(morphemes, "CHUNK_MORPHEMES", 13)
    build_index(DATA, tmp_path / "ix")
    analysis = SudachiAnalysis()
    _, searcher = open_searcher(current_generation(tmp_path / "ix"))
    with searcher:
        marks = Marks(words=frozenset({"外国", "人", "支援", "日本語"}),
                      readings=frozenset({"~シエン"}), groups=frozenset({"#16008"}),
                      phrases=frozenset({("日本", "語")}))
        for docnum in range(searcher.doc_count_all()):
            stored = searcher.stored_fields(docnum)
            for field in SNIPPET_FIELDS:
                assert indexed_spans(searcher, docnum, field, marks) == \
                    match_spans(stored.get(field, ""), analysis, marks)


def test_an_optimized_index_marks_and_scores_as_before(fresh_index, tmp_path):
    """Merging segments (with deleted records) concatenates the forward
    index with its keys renumbered: highlighting still equals analysis, and
    the merged index scores as Whoosh does."""
    from sagashi.index.build import delete_records, optimize_index, update_index

    from .conftest import HEADER
    changed = tmp_path / "changed.tsv"
    lines = DATA.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("No\t"))
    rows = lines[header + 1:header + 4]
    changed.write_text(HEADER + "".join(r.replace("支援", "応援") + "\n" for r in rows),
                       encoding="utf-8")
    update_index(changed, fresh_index)
    delete_records([9], fresh_index)
    report = optimize_index(fresh_index)
    assert report.removed >= 1
    assert check_all(fresh_index) > 200
    analysis = SudachiAnalysis()
    _, searcher = open_searcher(current_generation(fresh_index))
    with searcher:
        assert len(searcher.leaf_searchers()) == 1 and not searcher.reader().has_deletions()
        understand = interpreter(searcher)
        for text in queries()[::3]:
            marks = marks_for(make_plan(parse(text), understand, searcher.reader()))
            for docnum in range(searcher.doc_count_all()):
                stored = searcher.stored_fields(docnum)
                for field in SNIPPET_FIELDS:
                    expected = match_spans(stored.get(field, ""), analysis, marks) if marks else []
                    assert indexed_spans(searcher, docnum, field, marks) == expected
