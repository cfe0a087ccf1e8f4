"""Property tests (hypothesis): no text and no query syntax makes parsing or
searching fail with anything but sagashi's own error, and every answer is
well-formed. The command line never prints a traceback.

Runs are derandomized, so CI tests the same examples every time; set
SAGASHI_FUZZ=1 to explore fresh random examples instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagashi.domain.fields import FIELD_ALIASES
from sagashi.errors import QueryError, SagashiError
from sagashi.query.syntax import And, Field, Not, Or, Phrase, Prefix, Seq, Words, parse
from sagashi.validate import MAX_QUERY_CHARS

from .conftest import STRICT_IO, check_well_formed, watchdog

#: Examples per search property; two of them: 2,000 searches per run.
SEARCH_EXAMPLES = 1000
FUZZ = bool(os.environ.get("SAGASHI_FUZZ"))


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=not FUZZ,
                    database=None if not FUZZ else settings.default.database,
                    suppress_health_check=[HealthCheck.too_slow])


# -- strategies -------------------------------------------------------------------------

#: Every code point, lone surrogates and control characters included.
any_char = st.characters(exclude_categories=())
#: Characters that matter to sagashi: syntax, spaces, kana, kanji, width variants.
syntax_char = st.sampled_from(list('"()*-:＂（）＊－：　 \t\n\x00\x1b\u202e\ud800'
                                   "ANDORTanort難民支援東京日本語教室こうべｶﾅＡＢ😀"))
any_text = st.one_of(
    st.text(any_char, max_size=30),
    st.text(syntax_char, max_size=30),
    st.text(st.one_of(any_char, syntax_char), max_size=30),
)

VOCABULARY = [
    "難民", "支援", "外国人", "日本語", "教室", "新宿", "熊本", "関西", "子ども", "医療", "相談",
    "シェルター", "こうべ", "kobe", "SNS", "ＮＰＯ法人", "社団法人", "refugee", "Japanese class",
    "在留資格", "ﾎﾞﾗﾝﾃｨｱ", "x", "42", "😀", "مرحبا", "\x00", "\ud800", "ない",
]
FIELD_NAMES = [*FIELD_ALIASES, "foo", "所在", ""]
word = st.sampled_from(VOCABULARY)
stray = st.sampled_from(['"', "(", ")", "-", "*", ":", "AND", "OR", "NOT", "＂", "（", "）",
                         "ＡＮＤ", "－", "\u3000"])
leaf = st.one_of(
    word,
    word.map(lambda w: w + "*"),
    word.map(lambda w: "*" + w),
    st.lists(word, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"'),
    st.tuples(st.sampled_from(FIELD_NAMES), word).map(lambda t: f"{t[0]}:{t[1]}"),
    stray,
)


def _compound(children):
    return st.one_of(
        st.lists(children, min_size=1, max_size=3).map(" ".join),
        st.tuples(children, st.sampled_from([" AND ", " OR ", " NOT ", " ", "\u3000", ""]),
                  children).map("".join),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"NOT {c}"),
        st.tuples(st.sampled_from(FIELD_NAMES), children).map(lambda t: f"{t[0]}:({t[1]})"),
    )


query_syntax = st.recursive(leaf, _compound, max_leaves=6)


# -- parse() ---------------------------------------------------------------------------

NODE_TYPES = (Words, Phrase, Prefix, Field, Not, And, Or, Seq)


def _check_node(node, depth: int = 0) -> None:
    assert isinstance(node, NODE_TYPES) and depth < 100
    if isinstance(node, (Words, Phrase, Prefix)):
        assert isinstance(node.text, str)
        assert not any("\ud800" <= ch <= "\udfff" for ch in node.text)
    if isinstance(node, Prefix):
        assert node.text and not node.text.endswith("*")
    if isinstance(node, Phrase):
        assert node.text.strip()
    if isinstance(node, Field):
        assert node.field in set(FIELD_ALIASES.values())
        _check_node(node.item, depth + 1)
    if isinstance(node, Not):
        assert not isinstance(node.item, Not)
        _check_node(node.item, depth + 1)
    if isinstance(node, (And, Or, Seq)):
        assert len(node.items) >= 2
        for item in node.items:
            _check_node(item, depth + 1)


@_settings(1000)
@given(st.one_of(any_text, query_syntax))
def test_parse_never_fails(text):
    _check_node(parse(text))


@_settings(100)
@given(st.text(syntax_char, min_size=500, max_size=3000))
def test_parse_of_long_syntax_soup_never_fails(text):
    _check_node(parse(text))


# -- search() --------------------------------------------------------------------------

def _search(engine, query, limit):
    """search() answers well-formed results, or refuses with QueryError the
    queries it documents refusing (empty, too long). Any other error, and
    an internal error reported as sagashi's own ("could not run the query",
    with the real exception as its cause), fails the property."""
    try:
        with watchdog(10, repr(query)):
            results = engine.search(query, limit=limit)
    except SagashiError as e:
        assert isinstance(e, QueryError) and e.__cause__ is None, repr(e)
        assert not query.strip() or len(query) > MAX_QUERY_CHARS, repr(e)
        return
    check_well_formed(results, limit)


@_settings(SEARCH_EXAMPLES)
@given(any_text, st.integers(1, 20))
def test_search_of_any_text(engine, query, limit):
    _search(engine, query, limit)


@_settings(SEARCH_EXAMPLES)
@given(query_syntax, st.integers(1, 20))
def test_search_of_generated_query_syntax(engine, query, limit):
    _search(engine, query, limit)


# -- the command line ----------------------------------------------------------------

_lines = st.lists(st.one_of(any_text, query_syntax, st.binary(max_size=20)),
                  min_size=8, max_size=12)


@_settings(2)
@given(_lines)
def test_cli_batch_never_prints_a_traceback(corpus_index, items):
    """Lines of any text or bytes through ``sagashi search --json -`` (one
    process per example), with a strict output encoding: one answer per line."""
    chunks = [i if isinstance(i, bytes) else i.encode("utf-8", "surrogatepass") for i in items]
    chunks = [c.replace(b"\n", b" ") for c in chunks]
    proc = subprocess.run([sys.executable, "-m", "sagashi", "search", "--json", "-",
                           "--index", str(corpus_index)], input=b"\n".join(chunks) + b"\n",
                          capture_output=True, env={**os.environ, **STRICT_IO}, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in err, err
    answers = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(answers) == len(chunks)
