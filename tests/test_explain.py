"""--explain in words a person can read: what the record holds, and the
mechanism by name; never a synonym group id (#16008) or a reading key (~コベ)."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import run_cli

INTERNAL = re.compile(r"[#~]\S")


def matches(engine, query, no):
    hit = next(h for h in engine.search(query, explain=True, limit=17) if h.no == no)
    return hit.explain


@pytest.mark.parametrize("query", ["児童", "こうべ", "kumamoto", "ボランテイア", "喫茶店",
                                   "refugee women", "関西 難民", "難民 (女性 OR シェルター)"])
def test_explain_never_shows_internal_terms(capsys, corpus_index, query):
    code, out, _ = run_cli(capsys, "search", query, "--explain", "--index", str(corpus_index),
                           "--color", "never")
    assert code == 0 and "score" in out
    assert not INTERNAL.search(out), out


def test_a_synonym_group_shows_the_records_words(engine):
    found = {(m.term, m.how) for m in matches(engine, "児童", 4)}
    assert ("子ども", "SudachiDict synonym") in found


def test_a_reading_shows_the_word_that_has_it(engine):
    found = {(m.term, m.field, m.how) for m in matches(engine, "こうべ", 16)}
    assert ("神戸", "location", "same reading") in found


def test_romaji_shows_the_word_it_reads_as(engine):
    assert any(m.term == "熊本" and m.how == "romaji reading"
               for m in matches(engine, "kumamoto", 17))


def test_a_spelling_variant_is_called_so(engine):
    found = {(m.term, m.how) for m in matches(engine, "子供の居場所", 15)}
    assert ("子ども", "another form of the word") in found


def test_a_keyword_match_shows_the_records_value(engine):
    assert any(m.term == "兵庫県" and m.field == "pref" for m in matches(engine, "関西", 14))


def test_the_raw_form_is_still_there_for_programs(engine):
    forms = {m.form for m in matches(engine, "児童", 4)}
    assert any(f.startswith("#") for f in forms)


def test_understood_as_names_forms_in_words(engine):
    lines = engine.search("児童", explain=True).interpretation
    assert "SudachiDict synonyms of 児童" in lines[0] and "#" not in lines[0]
    lines = engine.search("こうべ", explain=True).interpretation
    assert lines == ("こうべ: words read コベ (same reading, 0.7)",)


def test_understood_as_shows_a_group_with_its_words(engine):
    lines = engine.search("難民 (女性 OR シェルター)", explain=True).interpretation
    assert lines[1].startswith("(女性 OR シェルター), as written: 女性: 女性 (the word itself")
    assert "; シェルター: シェルター (the word itself" in lines[1]


def test_json_explain_carries_term_form_and_mechanism(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "児童", "--json", "--explain", "--index",
                           str(corpus_index))
    entry = json.loads(out)["hits"][0]["explain"][0]
    assert set(entry) == {"concept", "field", "term", "source", "form", "how"}


def test_a_word_of_several_parts_is_shown_whole_where_they_stand_together(engine):
    # 避難民 is related to 難民; it is stored as the parts 避 + 難民
    found = {(m.term, m.how) for m in matches(engine, "難民", 12)}
    assert ("避難民", "related word") in found
