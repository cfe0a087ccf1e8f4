"""The analysis for indexing (worked out once per distinct morpheme) yields
exactly what the Whoosh analyzer chain yields, and the units SudachiAnalysis
finds, on real text."""

from __future__ import annotations

import numpy as np
import pytest

from sagashi.analysis import (
    MorphemeTable,
    Scanned,
    SudachiAnalysis,
    japanese_analyzer,
    morphemes,
    reading_term,
    synonym_term,
)
from sagashi.domain.records import load_records

from .conftest import DATA

EXTRA = ["ｸﾞﾛｰﾊﾞﾙ化と𠮷野家のXYZZYabcﾎﾟｽﾄ　〓〓です😀", "東京都新宿区で働ける外国人労働者",
         "子どもの居場所づくり、ＳＮＳでの発信。" * 3, "", "　", "の", "a" * 5000 + "。日本語" * 900]


def texts() -> list[str]:
    records = load_records(DATA).records
    return [t for r in records for t in (r.title, r.summary, r.organization, r.location)] + EXTRA


@pytest.fixture(scope="module")
def scanned():
    table = MorphemeTable()
    out = Scanned.empty()
    for doc, text in enumerate(texts()):
        table.scan(text, doc, out)
    return table, out


@pytest.mark.parametrize("readings,synonyms,chunk", [(True, True, 1 << 19), (False, False, 5),
                                                     (True, False, 1 << 19)])
def test_tokens_equal_the_analyzer_chain(scanned, monkeypatch, readings, synonyms, chunk):
    monkeypatch.setattr(morphemes, "CHUNK_MORPHEMES", chunk)
    table, out = scanned
    terms, docs, positions = table.tokens(out, readings, synonyms)
    got: dict[int, list] = {}
    for t, d, p in zip(terms.tolist(), docs.tolist(), positions.tolist()):
        got.setdefault(d, []).append((table.strings[t], p))
    analyzer = japanese_analyzer(readings=readings, synonyms=synonyms)
    for doc, text in enumerate(texts()):
        expected = [(t.text, t.pos) for t in analyzer(text, positions=True, mode="index")]
        assert got.get(doc, []) == expected, text[:40]


@pytest.mark.parametrize("chunk", [1 << 19, 7])
def test_forward_units_equal_the_analysis_units(scanned, monkeypatch, chunk):
    """Also when the units are made a few morphemes at a time."""
    monkeypatch.setattr(morphemes, "CHUNK_MORPHEMES", chunk)
    table, out = scanned
    chunks = list(table.forward_units(out))
    docs, start, end, word, reading, flags, xunit, xkey = (
        np.concatenate([c[i] for c in chunks]) for i in range(8))
    assert table.forward_sizes(out) == (len(docs), len(xkey))
    extras: dict[int, list] = {}
    for u, k in zip(xunit.tolist(), xkey.tolist()):
        extras.setdefault(u, []).append(table.strings[k])
    got: dict[int, list] = {}
    for i, d in enumerate(docs.tolist()):
        got.setdefault(d, []).append((
            int(start[i]), int(end[i]), table.strings[word[i]],
            table.strings[reading[i]] if reading[i] >= 0 else None,
            tuple(extras.get(i, ())), bool(flags[i] & 1)))
    analysis = SudachiAnalysis()
    for doc, text in enumerate(texts()):
        expected = [(u.start, u.end, u.text, reading_term(u.reading),
                     tuple(synonym_term(g) for g in u.synonyms), u.level != "C")
                    for u in analysis.units(text) if not u.stopped]
        assert got.get(doc, []) == expected, text[:40]
