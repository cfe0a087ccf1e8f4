"""A glossary translation that is part of one listed before it is the
broader word and counts for less (BROADER_TRANSLATION): japanese is
日本語 before 日本 (Japan), so an English word finds its main sense first.
Translations that are equals (食料支援, 食糧支援; 移民, 移住者) count alike."""

from __future__ import annotations

from sagashi import Engine
from sagashi.index.build import build_index
from sagashi.query.expansions import BROADER_TRANSLATION, weight

from .conftest import HEADER, nos


def forms(engine, query):
    concept = engine.understand(query).concepts[-1]
    return {" ".join(f.terms): f.weight for f in concept.forms if f.source == "glossary"}


def test_a_broader_translation_counts_for_less(engine):
    found = forms(engine, "foreign")  # glossary: foreign -> 外国人, 外国
    assert found["外国人"] == weight("glossary")
    assert found["外国"] == weight("glossary") * BROADER_TRANSLATION


def test_equal_translations_count_alike(engine):
    found = forms(engine, "migrant")  # glossary: migrant -> 移民, 移住者
    assert found["移民"] == found["移住 者"] == weight("glossary")


def test_the_main_sense_ranks_first(tmp_path):
    # japanese -> 日本語, 日本: the record about the language comes before the
    # one with 日本 (Japan) in its name, though names count most
    data = tmp_path / "d.tsv"
    data.write_text(HEADER +
                    "1\t(特非)\t日本タイ協会\t東京都港区\t地域交流の場づくり\t地域の交流会\n"
                    "2\t(特非)\tB会\t東京都港区\t夜間の日本語クラス\t地域の交流会\n"
                    "3\t(特非)\tC会\t東京都港区\t相談窓口\t生活相談\n", encoding="utf-8")
    build_index(data, tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine:
        assert nos(engine.search("japanese")) == [2, 1]


def test_learning_japanese_as_a_verb_asks_for_a_class(engine):
    # learn / study japanese (where one learns it: a class) and the noun
    # japanese language learning (the activity) are glossary rows of their own
    for verb in ("study japanese", "learn japanese"):
        assert engine.understand(verb).concepts[0].translated[0] == "日本語教室"
    assert engine.understand("japanese language learning").concepts[0].translated[0] == "日本語学習"
