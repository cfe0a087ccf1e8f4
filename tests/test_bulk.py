"""sagashi.whoosh_ext.bulk scores queries as Whoosh's own matchers do: the same
documents with the same scores, on one segment and on several, with deleted
documents, and when asked about some documents only."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from sagashi.index.build import delete_records, update_index
from sagashi.index.searcher import open_searcher
from sagashi.index.storage import current_generation
from sagashi.whoosh_ext import bulk, postings
from sagashi.whoosh_ext.scoring import BestOf

from .conftest import DATA
from .query_mix import assert_same, check_all, whoosh_queries


@pytest.fixture
def searcher(corpus_index):
    """A searcher of its own on the shared index: its posting caches start
    empty, whatever other tests did."""
    _, searcher = open_searcher(current_generation(corpus_index))
    with searcher:
        yield searcher


def test_bulk_scores_equal_whoosh_scores_on_one_segment(corpus_index):
    assert check_all(corpus_index) > 200


def test_bulk_scores_equal_whoosh_scores_with_segments_and_deletions(fresh_index, tmp_path):
    lines = DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("No\t"))
    changed = tmp_path / "changed.tsv"
    rows = [line.replace("支援", "応援") for line in lines[header + 1:header + 5]]
    changed.write_text(lines[header] + "".join(rows), encoding="utf-8")
    update_index(changed, fresh_index)  # replaces four records: a new segment, deletions
    delete_records([9], fresh_index)
    _, searcher = open_searcher(current_generation(fresh_index))
    with searcher:
        assert searcher.reader().has_deletions() and len(searcher.leaf_searchers()) > 1
        docs = set(bulk.score_all(searcher, wq.Term("summary", "外国人")))
        expected: dict[str, int] = {}
        for d in docs:
            pref = searcher.stored_fields(d).get("pref", "")
            expected[pref] = expected.get(pref, 0) + 1
        assert bulk.value_counts(searcher, "pref", docs) == expected
        # the segments share one budget of kept parts, by their documents
        limits = [postings.segment(sub).parts.limit for sub, _ in searcher.leaf_searchers()]
        assert len(limits) > 1 and sum(limits) <= postings.CACHED_PART_BYTES
        assert max(limits) > min(limits)
    check_all(fresh_index)


def test_a_phrase_needs_its_words_in_a_row(searcher):
    for words in (["日本", "語", "教室"], ["外国", "人"], ["支援", "外国"], ["語", "日本"]):
        for field in ("summary", "title", "organization"):
            assert_same(searcher, wq.Phrase(field, words))
    assert bulk.score_all(searcher, wq.Phrase("summary", ["語", "日本"])) == {}


def test_kept_postings_stay_within_their_bound(searcher, monkeypatch):
    monkeypatch.setattr(postings, "CACHED_POSTINGS", 50)
    for q in whoosh_queries(searcher)[:40]:
        assert_same(searcher, q)
    for sub, _ in searcher.leaf_searchers():
        segment = postings.segment(sub)
        kept = segment._kept
        assert segment._kept_size <= 50 or len(kept) == 1
        assert segment._kept_size == sum(len(ids) for ids, _ in kept.values())


def test_facet_counts_cover_the_matching_documents(searcher):
    docs = set(bulk.score_all(searcher, wq.Term("summary", "支援")))
    counts = bulk.value_counts(searcher, "pref", docs)
    assert sum(counts.values()) == len(docs)
    for value, n in counts.items():
        assert n == len(docs & set(bulk.score_all(searcher, wq.Term("pref", value))))


def test_parts_kept_across_searches_score_as_whoosh(searcher):
    # each search builds its own query objects; the segment keeps what they
    # combine by shape, and a later search (asked about all documents or a
    # few) gets the same documents and scores from it
    qs = whoosh_queries(searcher)[:60]
    for _ in range(2):
        with bulk.memoized():
            for q in qs:
                assert_same(searcher, q)
    with bulk.memoized():
        for q in qs:
            assert_same(searcher, q, set(range(0, searcher.doc_count_all(), 5)))
    with bulk.memoized():  # kept in the search's memo, then asked about a few documents
        for q in qs:
            assert_same(searcher, q)
            assert_same(searcher, q, set(range(1, searcher.doc_count_all(), 9)))
    assert any(len(postings.segment(sub).parts) for sub, _ in searcher.leaf_searchers())


def test_a_kept_combination_serves_other_boosts_and_only_equal_shapes(searcher):
    def words(boost=1.0, field="summary"):
        return wq.And([wq.Term(field, "日本"), wq.Term(field, "語")], boost=boost)

    variants = [words(), words(2.5), BestOf([words(0.7), words(1.5, "title")], tiebreak=0.3),
                BestOf([words(0.7), words(1.5, "title")], tiebreak=0.1),
                BestOf([words(0.7), words(3.0, "title")], tiebreak=0.1),
                wq.Phrase("summary", ["日本", "語"], boost=2.0), wq.Phrase("summary", ["日本", "語"]),
                wq.Or([words(), wq.Term("title", "教室", boost=2.0)]),
                wq.Or([words(), wq.Term("title", "教室", boost=3.0)])]
    with bulk.memoized():
        for q in variants:
            assert_same(searcher, q)
    with bulk.memoized():
        for q in variants:
            assert_same(searcher, q, set(range(0, searcher.doc_count_all(), 2)))


def test_shapes_tell_apart_what_scores_differently():
    memo: dict = {}

    def shape(q):
        return bulk._shape(q, memo)

    a = BestOf([wq.Term("title", "支援", boost=2.0), wq.Term("summary", "支援")], tiebreak=0.3)
    same = BestOf([wq.Term("title", "支援", boost=2.0), wq.Term("summary", "支援")], tiebreak=0.3)
    assert shape(a) == shape(same)
    for other in (BestOf([wq.Term("title", "支援", boost=2.0), wq.Term("summary", "支援")],
                         tiebreak=0.1),
                  BestOf([wq.Term("title", "支援", boost=3.0), wq.Term("summary", "支援")],
                         tiebreak=0.3),
                  BestOf([wq.Term("summary", "支援"), wq.Term("title", "支援", boost=2.0)],
                         tiebreak=0.3),
                  wq.Or([wq.Term("title", "支援", boost=2.0), wq.Term("summary", "支援")])):
        assert shape(other) != shape(a)
    assert shape(wq.And([wq.Term("title", "支援"), wq.Not(wq.Term("title", "外国"))])) is None
    assert shape(wq.Or([wq.Term("title", "支援"), wq.Term("title", "外国")], scale=0.5)) is None


def test_kept_values_stay_within_their_bound():
    kept = postings.Kept(100)
    for i in range(10):
        kept.keep(i, str(i), 30)
        assert kept.size <= 100
    assert kept.get(0) is None and kept.get(9) == "9"
    assert len(kept) == 3 and kept.size == 90
    kept.keep("big", "x", 500)  # one value alone may exceed the bound
    assert len(kept) == 1 and kept.get("big") == "x"


def test_a_phrase_asked_about_some_documents_checks_those_only(searcher):
    among = set(range(0, searcher.doc_count_all(), 7))
    for words in (["日本", "語"], ["外国", "人"], ["支援", "外国"]):
        for field in ("summary", "title"):
            q = wq.Phrase(field, words, boost=1.5)
            assert_same(searcher, q, among)
            assert set(bulk.score_all(searcher, q, among)) <= among
