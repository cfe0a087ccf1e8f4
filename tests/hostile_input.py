"""Hostile input, shared by the tests that feed it to each way in: the
catalogue of hostile queries (issue 6; through the library and the CLI in
tests/test_hostile.py, through the server in tests/test_web_hostile.py) and
the payloads of markup, event handlers, ``javascript:`` links and template
syntax that hostile records and parameters hold (tests/test_web_hostile.py,
tests/test_web_columns.py, tests/test_browser.py).

Not a test module: pytest collects nothing here."""

from __future__ import annotations

import json
from pathlib import Path

from sagashi.index.build import build_index
from sagashi.validate import MAX_QUERY_CHARS

# -- the query catalogue -----------------------------------------------------------------
#
# (id, query, expected): "results" (possibly none) or "error" (QueryError).

RESULTS, ERROR = "results", "error"
QUERIES = [
    # empty, or spaces only (full-width spaces included)
    ("empty", "", ERROR),
    ("space", " ", ERROR),
    ("spaces", "     ", ERROR),
    ("ideographic-space", "\u3000", ERROR),
    ("mixed-spaces", "\u3000 \u3000\t", ERROR),
    ("newlines", "\n\r\n", ERROR),
    # punctuation only
    ("ascii-punctuation", "!!!?...@#$%^&", RESULTS),
    ("japanese-punctuation", "。、・「」『』！？", RESULTS),
    ("backslashes", "\\\\\\", RESULTS),
    ("tilde-hash", "~ #", RESULTS),
    ("empty-quotes", '""', RESULTS),
    ("empty-parens", "()", RESULTS),
    # unbalanced quotes or parentheses
    ("open-quote", '"伴走支援', RESULTS),
    ("close-quote", '伴走支援"', RESULTS),
    ("lone-quote", '"', RESULTS),
    ("odd-quotes", '"難民" "支援', RESULTS),
    ("open-paren", "(難民 OR 移民", RESULTS),
    ("close-paren", "難民)", RESULTS),
    ("lone-paren", "(", RESULTS),
    ("reversed-parens", ")(", RESULTS),
    ("full-width-open-quote", "＂伴走支援", RESULTS),
    # dangling operators
    ("AND", "AND", RESULTS),
    ("OR", "OR", RESULTS),
    ("NOT", "NOT", RESULTS),
    ("lone-minus", "-", RESULTS),
    ("minus-minus", "- -", RESULTS),
    ("trailing-AND", "難民 AND", RESULTS),
    ("leading-OR", "OR 難民", RESULTS),
    ("trailing-NOT", "難民 NOT", RESULTS),
    ("trailing-minus", "難民 -", RESULTS),
    ("operators-only", "AND OR NOT - AND", RESULTS),
    ("double-OR", "難民 OR OR 支援", RESULTS),
    ("not-not", "NOT NOT 難民", RESULTS),
    ("only-negative", "-難民", RESULTS),
    # unknown or empty fields
    ("unknown-field", "foo:難民", RESULTS),
    ("unknown-field-only", "foo:", RESULTS),
    ("empty-field", "所在地:", RESULTS),
    ("empty-field-space", "所在地: ", RESULTS),
    ("empty-field-and-word", "難民 事業名:", RESULTS),
    ("colon", ":", RESULTS),
    ("colons", ":::", RESULTS),
    ("field-of-field", "所在地:所在地:東京", RESULTS),
    ("empty-pref-field", "pref:", RESULTS),
    ("unknown-pref-field", "pref:Atlantis", RESULTS),
    ("no-field-text", "no:abc", RESULTS),
    ("no-field-huge", "no:" + "9" * 200, RESULTS),
    ("url", "https://example.com/?q=難民", RESULTS),
    # the length limit
    ("at-the-limit", "x" * MAX_QUERY_CHARS, RESULTS),
    ("over-the-limit", "難" * (MAX_QUERY_CHARS + 1), ERROR),
    ("10000-chars", ("難民 " * 2500)[:10000], ERROR),
    # control characters, NUL, emoji, lone surrogates, RTL, mixed scripts
    ("nul", "\x00", RESULTS),
    ("nul-inside", "難\x00民", RESULTS),
    ("c0-controls", "".join(map(chr, range(1, 32))), RESULTS),
    ("escape-sequence", "\x1b[2J\x1b[31m難民", RESULTS),
    ("del-and-c1", "\x7f\x85\x9b難民", RESULTS),
    ("zero-width", "\u200b\u200c\u200d\ufeff", RESULTS),
    ("noncharacters", "\ufffe\uffff\U0010ffff", RESULTS),
    ("emoji", "😀", RESULTS),
    ("emoji-inside", "難民😀支援", RESULTS),
    ("emoji-zwj", "👨\u200d👩\u200d👧 🇯🇵", RESULTS),
    ("lone-high-surrogate", "\ud800", RESULTS),
    ("lone-low-surrogate-inside", "難民\udfff支援", RESULTS),
    ("surrogate-prefix", "\udc80*", RESULTS),
    ("surrogate-field", "所在地:\udcff", RESULTS),
    ("arabic", "مرحبا بالعالم", RESULTS),
    ("hebrew", "שלום עולם", RESULTS),
    ("rtl-override", "\u202e難民\u202c", RESULTS),
    ("mixed-scripts", "日本語 English 한국어 русский ελληνικά", RESULTS),
    ("combining-marks", "a\u0301\u0301\u0301", RESULTS),
    ("nfkc-expansion", "\ufdfa" * 50, RESULTS),
    ("half-width-kana", "ﾎﾞﾗﾝﾃｨｱ", RESULTS),
    # wildcards
    ("star", "*", RESULTS),
    ("stars", "***", RESULTS),
    ("leading-star", "*難民", RESULTS),
    ("both-stars", "*支援*", RESULTS),
    ("minus-star", "-*", RESULTS),
    ("one-letter-prefix", "s*", RESULTS),
    ("one-kanji-prefix", "支*", RESULTS),
    ("field-star", "所在地:*", RESULTS),
    ("inner-star", "a*b", RESULTS),
    ("star-colon-star", "*:*", RESULTS),
    ("reading-prefix", "~*", RESULTS),
    ("synonym-prefix", "#*", RESULTS),
    ("surrogate-star", "\ud800*", RESULTS),
    # nesting far deeper than anyone means
    ("deep-parens", "(" * 400 + "難民" + ")" * 400, RESULTS),
    ("deep-not", "NOT " * 200 + "難民", RESULTS),
    ("deep-fields", "所在地:" * 50 + "東京", RESULTS),
    ("deep-minus", "-(" * 300 + "難民", RESULTS),
]
QUERY_IDS = [case[0] for case in QUERIES]


# -- hostile records ----------------------------------------------------------------------

#: The one word every hostile record holds, to find them all.
WORD = "攻撃検証"
PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(2)>",
    "javascript:alert(3)",
    "</textarea></title><script>alert(4)</script>",
    "{{ 7*7 }}{% raw %}{{ config }}",
    "&lt;b&gt;&amp;",
    "<a href=\"javascript:alert(5)\">click</a>",
    "<style>body{display:none}</style>",
    "<iframe src=//example.com></iframe>",
    "\u202e<b>rtl</b>\u2028",
]


def build_hostile_index(folder: Path) -> Path:
    """An index of records holding the payloads in every field."""
    rows = [{"no": i, "entity": p, "organization": f"{p} 協会", "location": f"東京都新宿区{p}",
             "title": f"{p} 事業", "summary": f"{p} {WORD}のための相談支援を行う。"}
            for i, p in enumerate(PAYLOADS, start=1)]
    # one record whose location names no prefecture at all
    rows.append({"no": len(PAYLOADS) + 1, "entity": "(特非)", "organization": "<b>団体</b>",
                 "location": PAYLOADS[1], "title": "事業", "summary": WORD})
    data = folder / "hostile.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    build_index(data, folder / "ix")
    return folder / "ix"
