"""What to try instead: did you mean (a close reading or spelling the index
holds), filters that left out everything, words too common to search on
alone; in the text output and in JSON fields."""

from __future__ import annotations

import json

import pytest

from sagashi.query.advice import close_words, distance

from .conftest import nos, run_cli


@pytest.mark.parametrize("query, suggestion", [
    ("ぼらんちあ", "ボランティア"),  # a kana slip in a loanword, read as a whole
    ("しゃかいふくしぎょうぎかい", "社会福祉協議会"),  # a voiced kana in a kana compound
    ("居場書", "居場所"),  # one kanji wrong
    ("伴走支緩", "伴走支援"),  # one kanji wrong, inside a compound
    ("ネットワーグ", "ネットワーク"),
    ("多文化共性", "多文化共生"),  # known words, never written together
])
def test_did_you_mean_offers_the_index_spelling(engine, query, suggestion):
    results = engine.search(query)
    assert results.advice.did_you_mean[0] == suggestion
    assert engine.search(suggestion).hits  # and it finds something


def test_a_suggestion_keeps_the_other_words(engine):
    advice = engine.search("難民 居場書").advice
    assert advice.did_you_mean[0] == "難民 居場所"


@pytest.mark.parametrize("query, suggestion", [
    ("かいごぎょうしつ", "介護教室"), ("なんみんぎょうしつ", "難民教室"),
])
def test_kana_read_by_the_index_is_shown_as_the_records_spell_it(engine, query, suggestion):
    # かいご reads as 介護 in the records; the slip ぎょうしつ is closest to 教室
    results = engine.search(query)
    assert results.hits and results.advice.did_you_mean[0] == suggestion


def test_no_suggestion_without_a_close_spelling(engine):
    results = engine.search("量子コンピュータ")
    assert results.total == 0 and results.advice.did_you_mean == ()


def test_no_advice_for_a_query_that_found_everything(engine):
    assert not engine.search("シェルター").advice


def test_close_words_are_closest_first(engine):
    found = close_words(engine._check(), engine._analysis, "居場書")
    assert found[0] == "居場所"
    assert distance("居場書", found[0]) == 1


@pytest.mark.parametrize("kwargs, expected", [
    ({"pref": "東京都"}, [("pref", "東京都", 1)]),  # シェルター: No 10, in 愛知県
    ({"entity": "一社"}, [("entity", "一社", 1)]),
    ({"pref": "関西", "entity": "一社"}, [("pref", "関西", 1), ("entity", "一社", 1)]),
])
def test_filters_that_left_out_everything_are_named(engine, kwargs, expected):
    results = engine.search("シェルター", **kwargs)
    assert results.total == 0
    assert [(f.name, f.value, f.results) for f in results.advice.filtered_out] == expected


def test_an_exclusion_that_left_out_everything_is_named(engine):
    results = engine.search("シェルター -名古屋")
    assert results.total == 0
    assert [(f.name, f.value, f.results) for f in results.advice.filtered_out] == \
        [("exclude", "-名古屋", 1)]


def test_a_filter_that_left_some_is_not_blamed(engine):
    results = engine.search("ウクライナ -シェルター", pref="東京都")
    assert nos(results) == [12] and not results.advice


def test_words_too_common_alone_are_named(engine):
    assert engine.search("支援 ミャンマー").advice.too_common == ("支援",)
    assert engine.search("ミャンマー").advice.too_common == ()


def test_cli_text_suggests_what_to_try(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "居場書", "--index", str(corpus_index))
    assert code == 0 and out.splitlines() == ["No results for 「居場書」.",
                                              "居場書: no record mentions it",
                                              "did you mean 居場所?"]
    code, out, _ = run_cli(capsys, "search", "シェルター", "--pref", "東京都", "--index",
                           str(corpus_index))
    assert out.splitlines()[-1] == "--pref 東京都 leaves out the 1 result; try without it"
    code, out, _ = run_cli(capsys, "search", "支援 ミャンマー", "--index", str(corpus_index))
    assert out.splitlines()[-1] == \
        "支援: in too many records to search on alone; add a more specific word"


def test_json_carries_the_same_advice(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "--json", "居場書", "--index", str(corpus_index))
    assert json.loads(out)["did_you_mean"] == ["居場所"]
    code, out, _ = run_cli(capsys, "search", "--json", "シェルター", "--entity", "一社", "--index",
                           str(corpus_index))
    assert json.loads(out)["filtered_out"] == [{"name": "entity", "value": "一社", "results": 1}]
    code, out, _ = run_cli(capsys, "search", "--json", "支援 ミャンマー", "--index",
                           str(corpus_index))
    obj = json.loads(out)
    assert obj["too_common"] == ["支援"] and obj["unmatched"] == ["ミャンマー"]
    code, out, _ = run_cli(capsys, "search", "--json", "シェルター", "--index", str(corpus_index))
    assert not {"did_you_mean", "filtered_out", "too_common"} & set(json.loads(out))


def test_a_column_filter_that_left_out_everything_is_named(tmp_path):
    from sagashi import Engine
    from sagashi.index.build import build_index
    data = tmp_path / "d.csv"
    data.write_text("No,申請団体名,所在地,事業名,概要,年度\n"
                    "1,A会,東京都港区,難民の相談,難民の生活相談,2023\n"
                    "2,B会,東京都港区,子どもの学習,学習支援,2024\n", encoding="utf-8")
    build_index(data, tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine:
        results = engine.search("難民", filters={"年度": 2024})
        assert results.total == 0
        assert [(f.name, f.value, f.results) for f in results.advice.filtered_out] == \
            [("filter", "年度=2024", 1)]


def test_a_place_no_record_is_in_is_not_respelt(engine):
    """四国 is a region sagashi knows; no record is there, and that is the
    answer, not a misspelling of 深刻 or 資格."""
    results = engine.search("四国")
    assert results.total == 0 and results.unmatched == ("四国",)
    assert results.advice.did_you_mean == ()


def test_suggestions_come_in_the_same_order_in_every_process(corpus_index):
    """Candidates that are equally close are ordered by their spelling, not
    by the order a set happens to hold them in (which changes per process)."""
    import os
    import subprocess
    import sys
    code = ("import json, sys; from sagashi import Engine; e = Engine(sys.argv[1]); "
            "print(json.dumps([e.search(q).advice.did_you_mean for q in "
            "('しこく', '就働', '健庫')]))")
    outs = {subprocess.run([sys.executable, "-c", code, str(corpus_index)], capture_output=True,
                           text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                           check=True).stdout
            for seed in ("1", "2", "3")}
    assert len(outs) == 1, outs
