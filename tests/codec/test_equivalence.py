"""The array codec against Whoosh's W3 codec on the same documents: terms,
postings, stored fields, lengths, and hundreds of queries."""

from __future__ import annotations

import math

import pytest
from whoosh import query

from sagashi.whoosh_ext.arrays import ArrayCodec, ArraySegment
from sagashi.whoosh_ext.arrays.reading import ArrayTermsReader

from . import corpus


def leaves(ix):
    reader = ix.reader()
    return reader, [r for r, _ in reader.leaf_readers()]


def hits(searcher, q, limit=None):
    return [(h.docnum, h.score) for h in searcher.search(q, limit=limit)]


def test_segments_are_array_segments_not_compound(array_ix):
    segments = array_ix._read_toc().segments
    assert len(segments) == 3
    assert all(isinstance(s, ArraySegment) and not s.is_compound() for s in segments)
    assert all(isinstance(s.codec(), ArrayCodec) for s in segments)


def test_same_terms_and_frequencies(w3_ix, array_ix):
    with w3_ix.reader() as rw, array_ix.reader() as ra:
        terms = list(rw.all_terms())
        assert list(ra.all_terms()) == terms
        for field, text in terms:
            assert ra.doc_frequency(field, text) == rw.doc_frequency(field, text)
            assert ra.frequency(field, text) == rw.frequency(field, text)
        assert ra.doc_count() == rw.doc_count() and ra.doc_count_all() == rw.doc_count_all()


def test_same_postings(w3_ix, array_ix):
    rw, leaves_w = leaves(w3_ix)
    ra, leaves_a = leaves(array_ix)
    with rw, ra:
        for lw, la in zip(leaves_w, leaves_a):
            assert isinstance(la._terms, ArrayTermsReader)
            for field, text in lw.all_terms():
                mw, ma = lw.postings(field, text), la.postings(field, text)
                while mw.is_active():
                    assert ma.is_active() and ma.id() == mw.id()
                    assert ma.weight() == mw.weight()
                    if field in ("title", "body", "summary"):
                        assert ma.value_as("positions") == mw.value_as("positions")
                        assert ma.value_as("frequency") == mw.value_as("frequency")
                    if field == "summary":
                        assert ma.value_as("characters") == mw.value_as("characters")
                    assert ma.value() == mw.value()
                    mw.next()
                    ma.next()
                assert not ma.is_active()


def test_term_info_is_exact(w3_ix, array_ix, plan):
    with array_ix.reader() as ra, w3_ix.reader() as rw:
        for field, text in list(ra.all_terms())[::37]:
            ta, tw = ra.term_info(field, text), rw.term_info(field, text)
            assert (ta.doc_frequency(), ta.weight(), ta.max_weight()) == (
                tw.doc_frequency(), tw.weight(), tw.max_weight())
            assert (ta.min_id(), ta.max_id()) == (tw.min_id(), tw.max_id())


def test_stored_fields_and_columns_equal(w3_ix, array_ix):
    with w3_ix.reader() as rw, array_ix.reader() as ra:
        assert list(ra.all_stored_fields()) == list(rw.all_stored_fields())
        for d in range(ra.doc_count_all()):
            assert ra.stored_fields(d) == rw.stored_fields(d)
        assert list(ra.column_reader("cat")) == list(rw.column_reader("cat"))


def test_lengths_are_exact(array_ix, w3_ix, plan):
    by_id = {d["id"]: d for d in plan.docs}
    with array_ix.reader() as ra, w3_ix.reader() as rw:
        for d in range(ra.doc_count_all()):
            doc = by_id[ra.stored_fields(d)["id"]]
            for field in corpus.TEXT_FIELDS:
                assert ra.doc_field_length(d, field) == len(doc[field].split())
        for field in corpus.TEXT_FIELDS:
            assert ra.field_length(field) == rw.field_length(field)
            exact = [len(d[field].split()) for d in plan.docs]
            assert ra.max_field_length(field) == max(exact)
            assert ra.min_field_length(field) == min(exact)


def test_query_doc_sets_equal_to_w3(w3_ix, array_ix, queries):
    with w3_ix.searcher() as sw, array_ix.searcher() as sa:
        for q in queries:
            assert {d for d, _ in hits(sa, q)} == {d for d, _ in hits(sw, q)}, q


def test_scores_equal_with_exact_lengths(exact_ix, array_ix, queries):
    """Whoosh's matcher tree and BM25F over the array codec's postings score
    every query as over W3's postings when both have exact lengths."""
    with exact_ix.searcher() as se, array_ix.searcher() as sa:
        for q in queries:
            expected, got = hits(se, q), hits(sa, q)
            assert [d for d, _ in got] == [d for d, _ in expected], q
            for (_, s1), (_, s2) in zip(got, expected):
                assert math.isclose(s1, s2, rel_tol=1e-9), q


def test_ranked_equal_to_w3_where_lengths_are_exact(w3_ix, array_ix, plan):
    """Titles have at most 10 words, which W3's length byte keeps exactly:
    there W3 and the array codec rank the same, top-k block skipping
    included."""
    rnd = __import__("random").Random(5)
    qs = []
    for _ in range(150):
        words = rnd.choice(plan.docs)["title"].split()
        qs.append(query.Or([query.Term("title", w) for w in rnd.sample(words, min(2, len(words)))]
                           + [query.Term("cat", rnd.choice(corpus.CATEGORIES))]))
        qs.append(query.Term("title", rnd.choice(words)))
    with w3_ix.searcher() as sw, array_ix.searcher() as sa:
        for q in qs:
            assert hits(sa, q) == hits(sw, q), q
            assert hits(sa, q, limit=5) == hits(sw, q, limit=5), q


def contains(q, cls) -> bool:
    return isinstance(q, cls) or any(contains(c, cls) for c in q.children())


@pytest.mark.parametrize("limit", [1, 10])
def test_top_k_with_block_skipping(array_ix, exact_ix, queries, limit):
    """Top-k collection skips blocks by their quality (max weight, min
    length). The top k equal W3's (with exact lengths), and the full
    ranking's where Whoosh's matchers skip correctly: not under And or Not,
    whose matchers lose top documents on W3 too. DisjunctionMax is left
    out: Whoosh's DisjunctionMaxMatcher borrows scores across documents, so
    its top k depend on W3's rounded block lengths."""
    with array_ix.searcher() as sa, exact_ix.searcher() as se:
        for q in queries:
            if contains(q, query.DisjunctionMax):
                continue
            got = hits(sa, q, limit=limit)
            if not (contains(q, query.Not) or contains(q, query.And)):
                assert got == sorted(hits(sa, q), key=lambda h: (-h[1], h[0]))[:limit], q
            expected = hits(se, q, limit=limit)
            assert [d for d, _ in got] == [d for d, _ in expected], q
            assert all(math.isclose(a, b, rel_tol=1e-9) for (_, a), (_, b) in zip(got, expected))
