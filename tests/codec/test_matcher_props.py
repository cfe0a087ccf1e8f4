"""Properties of the leaf matcher, against plain lists (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.matching import ReadTooFar

from sagashi.whoosh_ext.arrays import format as fmt
from sagashi.whoosh_ext.arrays.matcher import ArrayLeafMatcher
from sagashi.whoosh_ext.arrays.term import TermPostings
from sagashi.whoosh_ext.arrays.writing import PostingBatch, _blocks


@st.composite
def postings(draw):
    ids = sorted(draw(st.sets(st.integers(0, 5000), min_size=1, max_size=700)))
    weights = draw(st.lists(st.integers(1, 9), min_size=len(ids), max_size=len(ids)))
    return ids, [float(w) for w in weights]


def make_matcher(ids, weights):
    n = len(ids)
    counts = np.array([int(w) for w in weights], dtype=np.int64)
    positions = np.concatenate([np.arange(c) * 3 + i % 5 for i, c in enumerate(counts)])
    batch = PostingBatch([b"t"], np.array([0, n]), np.array(ids, dtype=np.uint32),
                         np.array(weights), np.array([10 + i % 7 for i in range(n)],
                                                     dtype=np.uint32), counts, positions)
    blocks, _ = _blocks(batch, np.array([0, n]))
    p = TermPostings(fmt.KIND_POSITIONS, batch.ids, batch.weights,
                     np.cumsum(counts).astype(np.uint32), positions.astype(np.uint32), blocks)
    return ArrayLeafMatcher(p, formats.Positions(), term=("f", b"t")), positions, counts


operations = st.lists(st.one_of(st.just(("next",)), st.just(("copy",)),
                                st.tuples(st.just("skip"), st.integers(0, 5200))),
                      max_size=60)


@settings(max_examples=300, deadline=None)
@given(postings(), operations)
def test_operations_follow_the_list(data, ops):
    ids, weights = data
    m, positions, counts = make_matcher(ids, weights)
    starts = np.concatenate(([0], np.cumsum(counts)))
    i = 0
    for op in ops:
        if op[0] == "copy":
            m = m.copy()
        elif i >= len(ids):
            try:
                m.next() if op[0] == "next" else m.skip_to(op[1])
            except ReadTooFar:
                pass
            else:
                raise AssertionError("no ReadTooFar past the end")
        elif op[0] == "next":
            entered = m.next()
            i += 1
            assert entered == (i % fmt.BLOCK == 0 or i == len(ids))
        else:
            while i < len(ids) and ids[i] < op[1]:
                i += 1
            m.skip_to(op[1])
        assert m.is_active() == (i < len(ids))
        if i < len(ids):
            assert m.id() == ids[i] and m.weight() == weights[i]
            assert m.value_as("positions") == positions[starts[i]:starts[i + 1]].tolist()
            assert m.value_as("frequency") == counts[i]
            assert m.block_min_id() <= m.id() <= m.block_max_id()
            assert m.block_max_weight() >= m.weight()
            block = slice(i & ~(fmt.BLOCK - 1), (i | (fmt.BLOCK - 1)) + 1)
            assert m.block_max_id() == ids[block][-1]
            assert m.block_max_weight() == max(weights[block])


@settings(max_examples=200, deadline=None)
@given(postings(), st.integers(0, 800))
def test_all_ids_from_any_point(data, start):
    ids, weights = data
    m, _, _ = make_matcher(ids, weights)
    start = min(start, len(ids))
    for _ in range(start):
        m.next()
    copy = m.copy()
    assert list(m.all_ids()) == ids[start:]
    assert not m.is_active()
    assert list(copy.all_ids()) == ids[start:]
    copy.reset()
    assert copy.is_active() and copy.id() == ids[0]


@settings(max_examples=200, deadline=None)
@given(postings())
def test_value_round_trips_through_the_format(data):
    ids, weights = data
    m, _, _ = make_matcher(ids, weights)
    while m.is_active():
        value = m.value()
        assert m.format.decode_positions(value) == m.value_as("positions")
        assert m.format.decode_frequency(value) == m.value_as("frequency")
        m.next()


@settings(max_examples=200, deadline=None)
@given(postings(), st.floats(0, 12))
def test_skip_to_quality_skips_only_blocks_below(data, minquality):
    ids, weights = data

    class MaxWeight:
        def block_quality(self, matcher):
            return matcher.block_max_weight()

    m, _, _ = make_matcher(ids, weights)
    m.scorer = MaxWeight()
    m.skip_to_quality(minquality)
    skipped = ids[:ids.index(m.id())] if m.is_active() else ids
    blocks = [weights[k:k + fmt.BLOCK] for k in range(0, len(skipped), fmt.BLOCK)]
    assert all(max(b) <= minquality for b in blocks)
    if m.is_active():
        assert m.block_max_weight() > minquality
