"""Terminal output: matches highlighted in titles as well as snippets, and
long lines wrapped under their own indent."""

from __future__ import annotations

import os
import pty
import re
import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from sagashi.cli.render import MARK, RESET, render_results, wrap
from sagashi.results import Hit, SearchResults, Snippet

SGR = re.compile(r"\033\[[0-9;]*m")


def columns(text: str) -> int:
    """Terminal columns: wide characters two, combining marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF"
               else 1 for c in SGR.sub("", text))


def hit(title="外国人の生活相談と日本語教室", spans=((9, 14),)):
    return Hit(3, 1.0, "テスト会", title, "東京都港区", "(特非)", "", "東京都",
               Snippet("地域で日本語教室を開く。" * 8, ((3, 8),)), 1, 1, title_spans=spans)


def test_title_matches_are_highlighted_in_colour():
    out = render_results(SearchResults("日本語教室", 1, (hit(),)), colour=True)
    assert f"   外国人の生活相談と{MARK}日本語教室{RESET}" in out.splitlines()


def test_titles_stay_plain_without_colour():
    out = render_results(SearchResults("日本語教室", 1, (hit(),)), colour=False)
    assert "   外国人の生活相談と日本語教室" in out.splitlines()


def test_the_engine_finds_matches_in_titles(engine):
    first = engine.search("介護人材")[0]
    assert first.no == 14 and first.title_spans
    assert all(first.title[s:e] for s, e in first.title_spans)
    assert any("介護" in first.title[s:e] for s, e in first.title_spans)


def test_long_lines_wrap_under_their_indent():
    out = render_results(SearchResults("日本語教室", 1, (hit(),)), colour=True, width=40)
    lines = out.splitlines()
    assert all(columns(line) <= 40 for line in lines)
    body = lines[1:lines.index("")]
    assert len(body) > 3 and all(line.startswith("   ") for line in body)
    assert not any(line.startswith(RESET) for line in body)


def test_wrapping_keeps_every_character_and_the_colour():
    line = "   " + "地域で" + MARK + "日本語教室" + RESET + "を開く。" * 10
    parts = wrap(line, 14)
    assert "".join(SGR.sub("", p)[3:] for p in parts) == SGR.sub("", line)[3:]
    # a highlight cut by the line end is closed there and reopened after the indent
    assert parts[:2] == ["   地域で" + MARK + "日本" + RESET, "   " + MARK + "語教室" + RESET + "を開"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 日本語、。ｱ\u0301"), max_size=120),
       st.integers(min_value=8, max_value=60))
def test_wrapped_lines_fit_and_lose_nothing_but_spaces(text, width):
    parts = wrap("   " + text, width)
    assert all(columns(p) <= width for p in parts)
    assert all(p.startswith("   ") for p in parts)
    kept = "".join(p[3:] for p in parts).replace(" ", "")
    assert kept == text.replace(" ", "")


def test_the_command_wraps_only_on_a_terminal(corpus_index):
    pid, fd = pty.fork()
    if pid == 0:  # the child: sagashi on a 50-column terminal
        os.environ["COLUMNS"] = "50"
        os.execv(sys.executable, [sys.executable, "-m", "sagashi", "search", "日本語教室",
                                  "--limit", "1", "--index", str(corpus_index)])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    lines = out.decode().replace("\r", "").splitlines()
    assert all(columns(line) <= 50 for line in lines)
    assert sum(1 for line in lines if line.startswith("   ")) >= 4
    assert MARK in out.decode()  # colour on a terminal, titles included
