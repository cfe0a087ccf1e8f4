"""Hits found only through a weak relation (a "related" row of
data/synonyms.tsv: ボランティア -> 支援者) rank below every hit found directly,
and say so."""

from __future__ import annotations

import json

import pytest

from sagashi import Engine
from sagashi.index.build import build_index

from .conftest import HEADER, nos, run_cli


@pytest.fixture(scope="module")
def migrants(tmp_path_factory):
    """移民 is only related to 外国人: records with 移民 everywhere but no
    外国人 must still come after the one that says 外国人 once."""
    root = tmp_path_factory.mktemp("weak")
    data = root / "d.tsv"
    data.write_text(HEADER +
                    "1\t(特非)\t移民ネット\t東京都港区\t移民の移民による移民のための相談\t移民の生活相談\n"
                    "2\t(特非)\tB会\t東京都港区\t地域の相談窓口\t地域で暮らす外国人の生活相談と学習の場づくり"
                    "を行い、多くの住民とともに地域の課題に取り組む。\n"
                    "3\t(特非)\tC会\t東京都港区\t移民支援\t移民と地域をつなぐ\n"
                    "4\t(特非)\tD会\t東京都港区\t夜の学習会\t地域の子どもの学習\n", encoding="utf-8")
    build_index(data, root / "ix")
    with Engine(root / "ix") as engine:
        yield engine


def test_a_direct_match_outranks_any_weak_one(migrants):
    results = migrants.search("外国人")
    assert nos(results) == [2, 1, 3] or nos(results) == [2, 3, 1]
    assert results[0].related_only == ()
    assert all(h.related_only and h.related_only[0].concept == "外国人" for h in results[1:])
    assert results[1].related_only[0].words == ("移民",)


def test_equal_synonyms_are_direct(migrants):
    # 移住者 = 移民 (equal), and only related to 外国人
    results = migrants.search("移住者")
    assert set(nos(results)[:2]) == {1, 3} and nos(results)[2] == 2
    assert [bool(h.related_only) for h in results] == [False, False, True]


def test_a_word_matched_directly_elsewhere_is_not_weak(engine):
    # No 12 matches ウクライナ directly and 難民 only as 避難民: it is the answer
    results = engine.search("難民 ウクライナ")
    assert results[0].no == 12


def test_volunteer_hits_through_supporters_come_last_and_are_labelled(engine):
    results = engine.search("ボランティア", limit=17)
    weak = [h.related_only != () for h in results]
    assert weak.count(False) >= 3 and weak == sorted(weak)  # direct ones first
    assert all(r.concept == "ボランティア" for h in results for r in h.related_only)


def test_cli_labels_weak_hits(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "ボランティア", "--index", str(corpus_index),
                           "--color", "never")
    assert code == 0 and "related words only: ボランティア → 支援者" in out
    first = out.split("\n\n")[0]
    assert "related words only" not in first
    code, out, _ = run_cli(capsys, "search", "ボランティア", "--json", "--limit", "17", "--index",
                           str(corpus_index))
    hits = json.loads(out)["hits"]
    assert "related_only" not in hits[0]
    assert {"concept": "ボランティア", "words": ["支援者"]} in hits[-1]["related_only"]


def test_a_partial_match_found_directly_outranks_a_weak_one(migrants):
    # No 4 holds 学習 only; No 1 and 3 hold 移民 only, which is merely related
    # to 外国人 (a rarer word than 学習 here, so it would otherwise rank first)
    results = migrants.search("外国人 学習")
    assert nos(results)[:2] == [2, 4] and set(nos(results)[2:]) == {1, 3}
    assert all(h.related_only for h in results[2:])
