"""Kana typed in place of kanji reaches the kanji words whose reading it is,
also inside compounds: a kana string is split by the readings the index
holds, longest first, where Sudachi's own reading of it finds less."""

from __future__ import annotations

import pytest

from sagashi.analysis import SudachiAnalysis, japanese_analyzer
from sagashi.query.kana import read_by_index, segment

from .conftest import nos


def texts(pieces):
    return [p.text for p in pieces]


# -- the split, on made-up readings -------------------------------------------------

def test_the_longest_readings_win():
    known = {"~シャカイ", "~フクシ", "~シャカイフクシ", "~キョギカイ", "~キョギ"}.__contains__
    pieces, covered = segment("しゃかいふくしきょうぎかい", known)
    assert texts(pieces) == ["しゃかいふくし", "きょうぎかい"] and covered == 13
    assert [p.term for p in pieces] == ["~シャカイフクシ", "~キョギカイ"]


def test_particles_may_stand_between_pieces():
    known = {"~ガイコクジン", "~シゴト"}.__contains__
    pieces, covered = segment("がいこくじんのしごと", known)
    assert texts(pieces) == ["がいこくじん", "しごと"] and covered == 10


def test_a_kana_or_two_may_be_left_over():
    known = {"~ブンカ", "~キョセ"}.__contains__
    pieces, covered = segment("たぶんかきょうせい", known)  # た of 多 has no reading of its own
    assert texts(pieces) == ["ぶんか", "きょうせい"] and covered == 8


def test_words_written_in_katakana_count_as_pieces():
    known = {"カフェ", "~ニホンゴ"}.__contains__
    assert texts(segment("にほんごかふぇ", known)[0]) == ["にほんご", "かふぇ"]


def test_wo_is_never_part_of_a_piece():
    # its loose reading is オ, which would make しごとを read as シゴト
    known = {"~シゴト"}.__contains__
    assert texts(segment("しごとを", known)[0]) == ["しごと"]


def test_nothing_known_means_no_pieces():
    pieces, covered = segment("みらくる", lambda term: False)
    assert pieces == [] and covered == 0


def test_sudachi_is_kept_where_it_reads_as_much():
    analysis = SudachiAnalysis()
    known = {"~コミュニテ", "~カフエ", "コミュニティー", "カフェ"}.__contains__
    assert read_by_index("コミュニティカフェ", analysis, known) == []
    # question scaffolding Sudachi reads (探す) counts as read
    assert read_by_index("しごとをさがす", analysis, {"~シゴト", "仕事"}.__contains__,
                         {"探す"}.__contains__) == []


def test_with_too_much_left_over_only_long_pieces_are_kept():
    known = {"~カイゴ", "~ケト", "~ナンミン", "~シツ"}.__contains__
    assert texts(read_by_index("かいごろけっと", SudachiAnalysis(), known)) == ["かいご"]
    # しつ (two kana) could be anything: the rest of the string is Sudachi's
    assert texts(read_by_index("なんみんぎょうしつ", SudachiAnalysis(), known)) == ["なんみん"]


# -- the index holds readings of compounds -------------------------------------------

def test_compounds_carry_their_own_reading():
    terms = [t.text for t in japanese_analyzer()("日本語教室")]
    assert "~ニホンゴ" in terms and "~ニホン" in terms and "~キョシツ" in terms


# -- on the bundled corpus -------------------------------------------------------------

@pytest.mark.parametrize("query, first", [
    ("しゃかいふくしきょうぎかい", {4, 8}),  # 社会福祉協議会
    ("がいこくじんろうどうしゃ", {9}),  # 外国人労働者
    ("こどものいばしょ", {15}),  # 子ども + 居場所
    ("たぶんかきょうせい", {2}),  # 多文化共生
    ("ざいりゅうしかく", {5}),  # 在留資格
    ("いりょうそうだん", {5}),  # 医療相談
    ("ニホンゴキョウシツ", {17}),  # katakana in place of 日本語教室
    ("しょくりょうしえん", {10, 15}),  # 食料支援
    ("にほんごがくしゅう", {6, 16}),  # 日本語学習
])
def test_kana_compounds_find_their_kanji(engine, query, first):
    found = nos(engine.search(query))
    assert set(found[:len(first)]) == first, found
    assert not engine.search(query).unmatched


def test_a_kana_word_sudachi_reads_well_keeps_its_synonyms(engine):
    # しごと is 仕事 to Sudachi, and 仕事 ~ 就労: No 14 has 就労 but not 仕事
    understood = engine.understand("かいごしごと")
    assert understood.labels == ["かいご", "しごと"]
    assert any(f.source == "synonym" for f in understood.concepts[1].forms)
    assert nos(engine.search("かいごしごと"))[0] == 14


def test_kana_that_spells_nothing_indexed_stays_unmatched(engine):
    results = engine.search("ろけっとのうちあげ")
    assert results.total == 0 and results.unmatched
