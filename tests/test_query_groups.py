"""Bracketed groups, OR, NOT, ``-``, phrases and fields beside other words.

A group beside a word means AND with the group, as an explicit AND does:
``難民 (女性 OR シェルター)`` is ``難民 AND (女性 OR シェルター)``. Every
combination is checked against the explicit AND (a differential test), with
one more word on either side, and a few are pinned to the records they find.
"""

from __future__ import annotations

import pytest

from sagashi.query.syntax import bracketed, parse, unparse

from .conftest import nos

ALL = 17

# Each expression E is searched as "難民 E", "E 難民", "難民 AND E" and "E AND 難民".
EXPRESSIONS = [
    "(女性 OR シェルター)",
    "(女性 OR シェルター OR ウクライナ)",
    "(東京 AND 女性)",
    "(東京 -ウクライナ)",
    "(東京 NOT ウクライナ)",
    "(ウクライナ OR NOT 東京)",
    '(女性 OR "伴走支援")',
    "(所在地:愛知 OR 女性)",
    "-ウクライナ",
    "NOT ウクライナ",
    "-(ウクライナ OR 女性)",
    "NOT (ウクライナ OR 女性)",
    "-(ウクライナ AND 文化)",
    "-(ウクライナ AND 食料)",
    '"伴走支援"',
    '-"伴走支援"',
    "所在地:東京",
    "-所在地:東京",
    "所在地:(東京 OR 愛知)",
    "所在地:(東京 -港区)",
    '概要:"伴走支援"',
    "事業名:(女性 OR シェルター)",
    "シェル*",
    "-シェル*",
]


def found(engine, query: str) -> set[int]:
    return set(nos(engine.search(query, limit=ALL)))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_a_word_beside_an_expression_means_and(engine, expr):
    explicit = found(engine, f"難民 AND {expr}")
    assert found(engine, f"難民 {expr}") == explicit
    assert found(engine, f"{expr} 難民") == found(engine, f"{expr} AND 難民") == explicit


@pytest.mark.parametrize("query, expected", [
    ("難民 (女性 OR シェルター)", {10, 13}),
    ("(女性 OR シェルター) 難民", {10, 13}),
    ("難民 (ベトナム OR ウクライナ)", {12}),  # the 難民 (ウクライナ OR ベトナム), reordered
    ("食料 (シェルター OR 東京)", {6, 10, 15}),
    ("難民 -(ウクライナ OR 女性)", {3, 6, 10}),
    ("難民 -(ウクライナ AND 文化)", {3, 6, 10, 13}),  # only records with both are left out
    ("難民 -(ウクライナ AND 食料)", {3, 6, 10, 12, 13}),  # no record has both
    ("難民 所在地:(東京 OR 愛知)", {3, 6, 10, 12, 13}),
    ("難民 所在地:(東京 -港区)", {3, 6, 13}),
    ("難民 (東京 -ウクライナ)", {3, 6, 13}),
    ("難民 (ウクライナ OR NOT 東京)", {10, 12}),
    ('難民 (女性 OR "伴走支援")', {3, 13}),
])
def test_groups_beside_words_find_what_they_say(engine, query, expected):
    assert found(engine, query) == expected


def test_or_without_brackets_binds_looser_than_words_side_by_side(engine):
    # as with AND (a OR b AND c is a OR (b AND c)): 難民 女性 OR ウクライナ is
    # (難民 女性) OR ウクライナ
    assert found(engine, "難民 女性 OR ウクライナ") == found(engine, "(難民 AND 女性) OR ウクライナ")
    assert found(engine, "難民 女性 OR ウクライナ") == {12, 13}


def test_two_words_beside_a_group_are_still_relaxed(engine):
    # the group is required; 難民 and 食料 may be matched in part, below full matches
    results = engine.search("難民 食料 (東京 OR 愛知)", limit=ALL)
    assert set(nos(results)) <= found(engine, "東京 OR 愛知")
    assert set(nos(results)[:2]) == found(engine, "難民 AND 食料") == {6, 10}
    assert {3, 12, 13, 15} <= set(nos(results))  # one of the two words, and the group


def test_a_group_is_one_thing_asked_for(engine):
    understood = engine.understand("支援 (女性 OR シェルター)")
    assert understood.labels == ["支援", "(女性 OR シェルター)"]
    group = understood.concepts[1]
    assert group.required and [p.label for p in group.parts] == ["女性", "シェルター"]


def test_words_inside_a_group_are_highlighted(engine):
    hit = engine.search("難民 (女性 OR シェルター)")[0]
    marked = hit.snippet.marked()
    assert "[シェルター]" in marked or "[女性]" in marked


def test_explain_names_the_words_inside_a_group(engine):
    hit = next(h for h in engine.search("難民 (女性 OR シェルター)", explain=True) if h.no == 10)
    assert {m.concept for m in hit.explain} == {"難民", "シェルター"}


@pytest.mark.parametrize("query", ["難民 (女性 OR シェルター)", '難民 -(東京 AND "伴走 支援")',
                                   "所在地:(東京 OR 愛知) -港区", "a OR b AND c", "x (y z*)"])
def test_unparse_reads_back_as_the_same_query(query):
    node = parse(query)
    assert parse(unparse(node)) == node
    assert parse(bracketed(node)) == node
