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
