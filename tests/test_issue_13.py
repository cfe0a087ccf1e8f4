"""The table of issue 13, row by row: what each query gave, and what the
user wanted. (The mechanisms have their own tests on other examples:
test_unknown_words, test_query_groups, test_kana, test_glossary_order,
test_advice, test_weak_relations, test_explain, test_render.)"""

from __future__ import annotations

from .conftest import nos

REFUGEES = {3, 6, 10, 12, 13}  # the records 難民 finds


def test_refugees_and_a_country_no_record_mentions(engine):
    results = engine.search("難民 ブラジル")
    assert set(nos(results)) == REFUGEES and results.unmatched == ("ブラジル",)


def test_refugees_and_a_made_up_word(engine):
    results = engine.search("難民 foo")
    assert set(nos(results)) == REFUGEES and results.unmatched == ("foo",)


def test_refugees_and_a_bracketed_group(engine):
    assert nos(engine.search("難民 (ウクライナ OR ベトナム)")) == [12]
    assert nos(engine.search("難民 AND (ウクライナ OR ベトナム)")) == [12]


def test_support_and_a_bracketed_group(engine):
    assert set(nos(engine.search("支援 (ウクライナ OR ベトナム)"))) == {11, 12}


def test_japanese_language_class_in_kana(engine):
    assert nos(engine.search("にほんごきょうしつ"))[0] == 17


def test_japanese_ranks_the_japanese_class_first(engine):
    assert nos(engine.search("japanese"))[0] == 17


# English function words are dropped by the glossaries' '-' rows (issue 14)

def test_help_for_refugees(engine):
    assert set(nos(engine.search("help for refugees"))) == REFUGEES


def test_where_can_i_learn_japanese(engine):
    assert nos(engine.search("where can I learn japanese"))[0] == 17


def test_i_want_to_go_to_hospital(engine):
    assert nos(engine.search("i want to go to hospital"))[0] == 5


def test_no_results_says_more_than_no_results(engine):
    # the text output and --explain said nothing when nothing was found
    results = engine.search("にほんごぎょうしつ")
    assert results.unmatched and results.advice.did_you_mean[0] == "日本語教室"
