"""Words no record contains: they do not empty an otherwise good query, and
the answer says which words matched nothing. A query of unknown words, or
one whose known words say too little (支援 is in every record), still finds
nothing: the rule for partial matches decides."""

from __future__ import annotations

import json

import pytest
from whoosh import query as wq

from sagashi.query.plan import Clause, Plan
from sagashi.query.rank import without_unmatched

from .conftest import nos, run_cli


@pytest.mark.parametrize("query, word, alone", [
    ("シェルター ネパール", "ネパール", "シェルター"),
    ("介護 xyzzy", "xyzzy", "介護"),
    ("ミャンマー 女性", "ミャンマー", "女性"),
    ("ウクライナ ロケット", "ロケット", "ウクライナ"),
    ("食料支援 ペルー", "ペルー", "食料支援"),
])
def test_an_unknown_word_does_not_empty_a_good_query(engine, query, word, alone):
    results = engine.search(query, limit=17)
    assert results.unmatched == (word,)
    assert set(nos(results)) == set(nos(engine.search(alone, limit=17)))
    assert results.total == engine.search(alone, limit=17).total


def test_records_with_every_known_word_come_first(engine):
    results = engine.search("難民 女性 ネパール")
    assert results[0].no == 13 and results.unmatched == ("ネパール",)
    assert {3, 6, 10, 12} <= set(nos(results))  # 難民 alone: below


@pytest.mark.parametrize("query", [
    "宇宙ステーションの建設",  # no word occurs anywhere
    "ペットの支援",  # 支援 is in every record: it says nothing
    "外国人 ミャンマー",  # 外国人 is in most records
    "支援団体 ネパール",  # 団体 is scaffolding, 支援 everywhere
])
def test_known_words_that_say_too_little_still_find_nothing(engine, query):
    results = engine.search(query)
    assert results.total == 0 and results.unmatched


def test_words_the_searcher_insisted_on_are_not_dropped(engine):
    # a quoted phrase, a field or an explicit AND that matches nothing empties the query
    for query in ('シェルター "ネパール料理"', "シェルター 概要:ネパール", "シェルター AND ネパール"):
        results = engine.search(query)
        assert results.total == 0, query
        assert results.unmatched, query


def test_unknown_words_inside_a_group_are_reported(engine):
    results = engine.search("難民 (ネパール OR ウクライナ)")
    assert nos(results) == [12] and results.unmatched == ("ネパール",)


def test_cli_says_which_words_matched_nothing(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "シェルター", "ネパール", "--index",
                           str(corpus_index), "--color", "never")
    assert code == 0 and "[No 10]" in out
    assert out.splitlines()[-1] == "ネパール: no record mentions it"
    code, out, _ = run_cli(capsys, "search", "--json", "シェルター ネパール", "--index",
                           str(corpus_index))
    assert json.loads(out)["unmatched"] == ["ネパール"]
    code, out, _ = run_cli(capsys, "search", "--json", "シェルター", "--index", str(corpus_index))
    assert json.loads(out)["unmatched"] == []


def _clause(label: str, weight: float, known: bool = True, required: bool = False) -> Clause:
    return Clause(label, wq.Term("summary", label), None, required, weight, known)


def test_without_unmatched_keeps_informative_known_words():
    rare, unknown = _clause("rare", 1.2), _clause("gone", 2.5, known=False)
    plan = Plan((rare, unknown), ())
    assert without_unmatched(plan) == Plan((rare,), ())


def test_without_unmatched_gives_up_when_the_known_words_say_little():
    common, unknown = _clause("common", 0.05), _clause("gone", 2.5, known=False)
    assert without_unmatched(Plan((common, unknown), ())) is None
    assert without_unmatched(Plan((unknown,), ())) is None


def test_without_unmatched_leaves_required_and_strict_plans_alone():
    rare, unknown = _clause("rare", 1.2), _clause("gone", 2.5, known=False, required=True)
    assert without_unmatched(Plan((rare, unknown), ())) == Plan((rare, unknown), ())
    strict = Plan((rare, _clause("gone", 2.5, known=False)), (), strict=wq.NullQuery)
    assert without_unmatched(strict) is strict


def test_unknown_words_typed_as_one_are_named_as_one(engine):
    # Sudachi splits 宇宙飛行士 into 宇宙 + 飛行士; neither is in a record
    assert engine.search("シェルター 宇宙飛行士").unmatched == ("宇宙飛行士",)
    assert engine.search("宇宙 飛行士").unmatched == ("宇宙", "飛行士")
