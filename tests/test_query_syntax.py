"""The query language: what parse() makes of well-formed and malformed syntax.

Parsing never fails; malformed syntax is repaired (see query_syntax's
docstring), so these tests pin both the grammar and the repairs.
"""

from __future__ import annotations

import pytest

from sagashi.domain.fields import FIELD_ALIASES
from sagashi.query.syntax import (
    MAX_DEPTH,
    And,
    Field,
    Not,
    Or,
    Phrase,
    Prefix,
    Seq,
    Words,
    normalize_query,
    parse,
)

W = Words


# -- well-formed syntax ---------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ('"伴走支援"', Phrase("伴走支援")),
    ('"日本語  教室"', Phrase("日本語 教室")),
    ('難民 "伴走支援"', Seq((W("難民"), Phrase("伴走支援")))),
    ("外国人 留学生", W("外国人 留学生")),  # plain words side by side stay one run
])
def test_phrases_and_plain_words(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("難民 AND 支援", And((W("難民"), W("支援")))),
    ("難民 OR 支援", Or((W("難民"), W("支援")))),
    ("難民 NOT 支援", Seq((W("難民"), Not(W("支援"))))),
    ("NOT 支援", Not(W("支援"))),
    ("a OR b AND c", Or((W("a"), And((W("b"), W("c")))))),  # AND binds tighter
    ("a b AND c", And((W("a b"), W("c")))),
    ("and or not", W("and or not")),  # operators are upper case only
])
def test_and_or_not(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("難民 -ウクライナ", Seq((W("難民"), Not(W("ウクライナ"))))),
    ('難民 -"伴走 支援"', Seq((W("難民"), Not(Phrase("伴走 支援"))))),
    ("難民 -(東京 OR 大阪)", Seq((W("難民"), Not(Or((W("東京"), W("大阪"))))))),
    ("--ウクライナ", Not(W("ウクライナ"))),
    ("COVID-19", W("COVID-19")),  # a hyphen inside a word is part of it
])
def test_leading_minus(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("(難民 OR 移民) AND 支援", And((Or((W("難民"), W("移民"))), W("支援")))),
    ("((a))", W("a")),
    ("a (b OR (c AND d))", Seq((W("a"), Or((W("b"), And((W("c"), W("d")))))))),
])
def test_parentheses(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("alias, field", [
    ("所在地", "location"), ("事業名", "title"), ("申請団体名", "organization"),
    ("団体名", "organization"), ("概要", "summary"), ("法人格", "entity"),
    ("location", "location"), ("title", "title"), ("organization", "organization"),
    ("summary", "summary"), ("entity", "entity"), ("Title", "title"), ("SUMMARY", "summary"),
    ("pref", "pref"), ("no", "no"),
])
def test_field_aliases(alias, field):
    assert parse(f"{alias}:東京") == Field(field, W("東京"))


def test_every_alias_is_a_field():
    for alias, field in FIELD_ALIASES.items():
        assert parse(f"{alias}:x") == Field(field, W("x")), alias


@pytest.mark.parametrize("query, expected", [
    ('所在地:"東京 都"', Field("location", Phrase("東京 都", "location"))),
    ("所在地:(東京 OR 大阪)", Field("location", Or((W("東京"), W("大阪"))))),
    ("所在地: 東京", Field("location", W("東京"))),  # a space after the colon is fine
    ("-所在地:東京", Not(Field("location", W("東京")))),
    ("所在地:-東京", Not(Field("location", W("東京")))),
    ("NOT 所在地:東京", Not(Field("location", W("東京")))),
    ("所在地:東*", Field("location", Prefix("東"))),
    ("所在地：東京", Field("location", W("東京"))),  # full-width colon
])
def test_field_values(query, expected):
    assert parse(query) == expected


# -- malformed syntax is repaired -------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("foo:bar", W("foo:bar")),  # unknown field: plain text, colon and all
    ("unknown:難民 支援", W("unknown:難民 支援")),
    ("http://example.com", W("http://example.com")),
    ("12:30", W("12:30")),
    (":", W(":")),
    ("a:b:c", W("a:b:c")),
])
def test_unknown_field_is_plain_words(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("所在地:", W("")),
    ("難民 所在地:", W("難民")),
    ("所在地: AND 東京", W("東京")),
    ("所在地:NOT", W("")),
    ("所在地:*", W("")),
])
def test_empty_field_is_dropped(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ('"伴走支援', W("伴走支援")),
    ('伴走支援"', W("伴走支援")),
    ('"', W("")),
    ('""', W("")),
    ('" "', W("")),
    ('"a" "b', Seq((Phrase("a"), W("b")))),
    ('(unbalanced "quote', W("unbalanced quote")),
    ('難民 -ウクライナ "伴走', Seq((W("難民"), Not(W("ウクライナ")), W("伴走")))),
])
def test_unbalanced_quotes(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("(難民", W("難民")),
    ("難民)", W("難民")),
    ("((難民)", W("難民")),
    ("(a OR b", Or((W("a"), W("b")))),
    ("a OR b)", Or((W("a"), W("b")))),
    (")(", W("")),
    ("()", W("")),
    ("( )", W("")),
    ("x AND (y OR z", And((W("x"), Or((W("y"), W("z")))))),
])
def test_unbalanced_parentheses(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("AND", W("")), ("OR", W("")), ("NOT", W("")), ("-", W("")), ("- -", W("")),
    ("AND OR NOT", W("")),
    ("難民 AND", W("難民")), ("OR 難民", W("難民")), ("AND 難民", W("難民")),
    ("難民 NOT", W("難民")), ("難民 -", W("難民")), ("難民 - 支援", W("難民 支援")),
    ("a OR OR b", Or((W("a"), W("b")))),
    ("a AND AND b", And((W("a"), W("b")))),
    ("NOT NOT 難民", W("難民")),  # a double negation cancels out
    ("-*", W("")),
])
def test_dangling_operators(query, expected):
    assert parse(query) == expected


# -- full-width forms, prefixes, limits -------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("＂伴走支援＂", Phrase("伴走支援")),
    ("（難民 ＯＲ 移民）", Or((W("難民"), W("移民")))),
    ("難民 ＡＮＤ 支援", And((W("難民"), W("支援")))),
    ("難民\u3000支援", W("難民 支援")),
    ("\u3000難民\u3000", W("難民")),
    ("難民 －ウクライナ", Seq((W("難民"), Not(W("ウクライナ"))))),
    ("ＳＮＳ＊", Prefix("SNS")),
    ("ﾎﾞﾗﾝﾃｨｱ", W("ボランティア")),
])
def test_full_width_forms(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("支援*", Prefix("支援")),
    ("支援**", Prefix("支援")),
    ("*支援", W("支援")),  # leading wildcards are not supported: dropped
    ("*支援*", Prefix("支援")),
    ("**支援", W("支援")),
    ("*", W("")),
    ("**", W("")),
    ("a*b", W("a*b")),  # only a trailing * means a prefix
    ("難民 s*", Seq((W("難民"), Prefix("s")))),
])
def test_wildcards(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query", ["", " ", "\u3000", "\t\n"])
def test_empty_query_parses_to_empty_words(query):
    assert parse(query) == W("")


def test_deep_nesting_is_plain_words_not_a_recursion_error():
    assert parse("(" * 2000 + "難民" + ")" * 2000) == W("難民")
    assert parse("NOT " * 500 + "難民") == W("難民")
    assert isinstance(parse("所在地:" * 500 + "東京"), Words)
    nested = "(" * MAX_DEPTH + "難民" + ")" * MAX_DEPTH
    assert parse(nested) == W("難民")


def test_lone_surrogates_become_replacement_characters():
    assert parse("\ud800*") == Prefix("\ufffd")
    assert parse("難民\udfff") == W("難民\ufffd")
    assert normalize_query("\udc80 ＡＢＣ ") == "\ufffd ABC"
