"""Indexes of the same random documents under W3, W3 with exact lengths,
and the array codec, built once per test session."""

from __future__ import annotations

import pytest
from whoosh.codec.whoosh3 import W3Codec

from sagashi.whoosh_ext.arrays import ArrayCodec
from sagashi.whoosh_ext.arrays.reading import ArrayPerDocReader
from sagashi.whoosh_ext.arrays.writing import ArrayPerDocWriter

from . import corpus


class W3ExactCodec(W3Codec):
    """The reference: W3's postings (pickled blocks, W3's matcher) with the
    array codec's exact field lengths, so that Whoosh scores both codecs'
    postings with the same lengths."""

    def per_document_writer(self, storage, segment):
        return ArrayPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return ArrayPerDocReader(storage, segment)


@pytest.fixture(scope="session")
def plan():
    return corpus.default_plan()


@pytest.fixture(scope="session")
def w3_ix(plan, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("w3"), plan, W3Codec())


@pytest.fixture(scope="session")
def exact_ix(plan, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("w3exact"), plan, W3ExactCodec())


@pytest.fixture(scope="session")
def array_ix(plan, tmp_path_factory):
    return corpus.build(tmp_path_factory.mktemp("array"), plan, ArrayCodec())


@pytest.fixture(scope="session")
def queries(plan):
    return corpus.random_queries(plan.docs, 300)
