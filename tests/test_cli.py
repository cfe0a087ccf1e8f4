"""The sagashi command: output shape, JSON and JSON Lines, exit codes, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sagashi import __version__
from sagashi.cli.main import build_parser, main

from .conftest import DATA, imported_modules, run_cli, run_process


def test_search_text_output_shape(capsys, corpus_index):
    code, out, err = run_cli(capsys, "search", "在留資格のない外国人の医療", "--index",
                         str(corpus_index), "--color", "never")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "1. 北関東医療相談会 (特非)  群馬県太田市  [No 5]"
    assert lines[1] == "   社会的周縁化された在留外国人に連携を活用して困窮を抜け出す"
    assert lines[2].startswith("   主に[在留資格]のない[外国人]を対象に")
    assert lines[-1].endswith("results for 「在留資格のない外国人の医療」")


def test_search_words_are_joined_into_one_query(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "--json", "熊本", "日本語", "--index", str(corpus_index))
    assert json.loads(out)["query"] == "熊本 日本語"


def test_search_json_is_one_object_with_readable_japanese(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "--json", "新宿", "--limit", "2",
                       "--index", str(corpus_index))
    assert code == 0 and "新宿" in out  # not \\u escapes
    obj = json.loads(out)
    assert set(obj) >= {"query", "total", "hits"}
    assert obj["query"] == "新宿" and obj["total"] == 3 and len(obj["hits"]) == 2
    assert set(obj["hits"][0]) >= {"no", "score", "organization", "title", "location",
                                   "entity", "snippet"}
    assert obj["facets"]["prefecture"] == {"東京都": 3}


def test_search_json_lines_from_stdin(corpus_index):
    proc = run_process("search", "--json", "-", "--index", str(corpus_index),
                   stdin="新宿\n\n難民 シェルター\nkobe\n")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["query"] for o in lines] == ["新宿", "", "難民 シェルター", "kobe"]
    assert lines[2]["hits"][0]["no"] == 10 and lines[3]["hits"][0]["no"] == 16


def test_json_lines_answer_every_input_line(corpus_index):
    # blank and space-only lines, a refused line, a stray CR and no final newline:
    # still one answer per line, in order, so answers line up with questions
    queries = ["シェルター", "", "   ", "\u3000", "x" * 1001, "介護\r就労", "xyzzy", "食料"]
    proc = run_process("search", "--json", "-", "--index", str(corpus_index),
                       stdin="\n".join(queries))
    assert proc.returncode == 0
    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(answers) == len(queries)
    assert [a["query"] for a in answers] == queries
    assert answers[1]["hits"] == answers[2]["hits"] == answers[3]["hits"] == []
    assert "error" not in answers[1] and "the limit is 1,000" in answers[4]["error"]
    assert answers[5]["hits"] and answers[6]["unmatched"] == ["xyzzy"] and answers[7]["hits"]
    assert proc.stderr.count("\n") == 1  # the refused line only


def test_no_results_is_not_an_error(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "量子コンピュータ", "--index", str(corpus_index))
    assert code == 0 and out.splitlines()[0] == "No results for 「量子コンピュータ」."
    assert "量子コンピュータ: no record mentions it" in out.splitlines()


def test_colour_only_when_asked_or_on_a_terminal(capsys, corpus_index):
    _, plain, _ = run_cli(capsys, "search", "難民", "--index", str(corpus_index))
    _, coloured, _ = run_cli(capsys, "search", "難民", "--index", str(corpus_index),
                         "--color", "always")
    assert "\033[" not in plain and "\033[1;33m難民\033[0m" in coloured


def test_show_prints_every_column(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "show", "5", "--index", str(corpus_index))
    assert code == 0
    assert out.splitlines()[:4] == ["No: 5", "法人格: (特非)", "申請団体名: 北関東医療相談会",
                                    "所在地: 群馬県太田市 (群馬県)"]


def test_similar_lists_other_projects(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "similar", "10", "--json", "--index", str(corpus_index))
    hits = json.loads(out)["hits"]
    assert code == 0 and hits and 10 not in [h["no"] for h in hits]


def test_analyze_shows_units_with_offsets_and_levels(capsys):
    code, out, _ = run_cli(capsys, "analyze", "東京都新宿区で働ける")
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0][:3] == ["surface", "normalized", "reading"]
    assert ["新宿", "新宿", "シンジュク", "名詞-固有名詞-地名-一般", "3-5", "A", "2", "-"] in rows
    assert any(r[0] == "働ける" and r[1] == "働く" for r in rows)


def test_index_build_and_stats(capsys, tmp_path):
    code, _, err = run_cli(capsys, "index", "build", "--index", str(tmp_path / "ix"))
    assert code == 0 and f"read 17 records from {DATA}, indexed 17" in err
    code, out, _ = run_cli(capsys, "index", "stats", "--json", "--index", str(tmp_path / "ix"))
    stats = json.loads(out)
    assert stats["records"] == 17 and stats["dictionary"]["name"] == "core"
    assert len(stats["data"]["sha256"]) == 64 and stats["size_bytes"] > 0


def test_missing_index_is_one_line_with_a_hint_and_exit_2(tmp_path):
    # the user named the folder: a bad argument (issue 6), so exit 2
    proc = run_process("search", "難民", "--index", str(tmp_path / "none"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("sagashi: error: no index at")
    assert "sagashi index build --index" in proc.stderr


@pytest.mark.parametrize("argv", [["search", "難民", "--limit", "0"],
                                  ["search", "難民", "--limit", "x"],
                                  ["show", "abc"], ["index", "delete"], ["nope"]])
def test_usage_errors_exit_2_in_one_line(argv):
    proc = run_process(*argv)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("sagashi")


def _all_commands(parser, prefix=()):
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _all_commands(sub, (*prefix, name))


COMMANDS = list(_all_commands(build_parser()))


def test_every_command_is_listed():
    assert set(COMMANDS) >= {("search",), ("show",), ("similar",), ("analyze",), ("index",),
                             ("index", "build"), ("index", "update"), ("index", "delete"),
                             ("index", "stats")}


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "sagashi")
def test_every_command_has_help_and_version(capsys, command):
    with pytest.raises(SystemExit) as e:
        main([*command, "--help"])
    out, _ = capsys.readouterr()
    assert e.value.code == 0 and "usage: sagashi" in out
    with pytest.raises(SystemExit) as e:
        main([*command, "--version"])
    out, _ = capsys.readouterr()
    assert e.value.code == 0 and out.strip() == f"sagashi {__version__}"


def test_help_does_not_load_the_dictionary():
    code = ("import sys; from sagashi.cli.main import main\n"
            "try: main(['search', '--help'])\n"
            "except SystemExit: pass\n"
            "assert 'sudachipy' not in sys.modules and 'whoosh' not in sys.modules\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


#: Modules a search has no use for, each of which costs a cold
#: ``sagashi search`` milliseconds: Whoosh's imports of asyncio and
#: urllib.request and its English morphology (whoosh_ext/light.py keeps them
#: out), numpy.ma (np.unique imports it), and what reads Excel workbooks.
UNUSED_BY_A_SEARCH = {"asyncio", "urllib.request", "whoosh.lang.morph_en", "numpy.ma",
                      "zipfile", "openpyxl"}


@pytest.mark.parametrize("argv", [("search", "在留資格のない外国人"), ("search", "難民 -ウクライナ", "--json"),
                                  ("search", "help for refugees")])
def test_a_cold_search_imports_nothing_it_does_not_use(corpus_index, argv):
    imported = imported_modules(*argv, "--index", str(corpus_index))
    assert not imported & UNUSED_BY_A_SEARCH, imported & UNUSED_BY_A_SEARCH


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_a_search_starts_no_blas_threads(corpus_index):
    """numpy's OpenBLAS would start a thread per core at import (sagashi never
    uses it); the CLI asks for one, so a search runs on its main thread alone."""
    code = ("import contextlib, io, os, sys\n"
            "from sagashi.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    status = main(['search', '難民', '--index', sys.argv[1]])\n"
            "print(status, len(os.listdir('/proc/self/task')))\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    proc = subprocess.run([sys.executable, "-c", code, str(corpus_index)], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.stdout.split() == ["0", "1"], proc.stderr[-2000:]
