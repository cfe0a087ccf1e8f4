"""Issue 6, the catalogue of hostile input: no query, file or call makes
sagashi crash or hang.

Bad input gets results (possibly none) or one clear error: a typed
:class:`SagashiError` from the library, one line on stderr and exit status 2
from the command line. Never a traceback, never a hang. Each query of the
catalogue runs through the library, through ``main()`` and, in one batch,
through a real ``python -m sagashi`` process; the cases that only a real
process can show (bytes that are not UTF-8, strict output encodings, argv)
run as subprocesses of their own.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import stat
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sagashi import (
    DataError,
    EngineClosedError,
    IndexMissingError,
    IndexUntrustedError,
    NotFoundError,
    QueryError,
    SagashiError,
    UsageError,
)
from sagashi.engine import Engine
from sagashi.index.build import build_index

from .conftest import HEADER, STRICT_IO, check_well_formed, run_cli, run_process, watchdog
from .hostile_input import ERROR, QUERIES, QUERY_IDS, RESULTS

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# -- the catalogue (tests/hostile_input.py) through the library ---------------------

@pytest.mark.parametrize("case", QUERIES, ids=QUERY_IDS)
def test_library_answers_or_refuses_clearly(engine, case):
    _, query, expected = case
    if expected == ERROR:
        with pytest.raises(QueryError) as e:
            engine.search(query)
        assert e.value.hint and e.value.__cause__ is None
        return
    for limit in (1, 10):  # with limit 1 Whoosh skips blocks: another code path
        with watchdog(10, repr(query)):
            results = engine.search(query, limit=limit)
        check_well_formed(results, limit)


def test_empty_query_says_what_to_do(engine):
    with pytest.raises(QueryError, match="empty query") as e:
        engine.search("\u3000 ")
    assert "type some words" in e.value.hint


def test_the_length_limit_is_clear(engine):
    with pytest.raises(QueryError) as e:
        engine.search("x" * 10_000)
    assert str(e.value) == "query is 10,000 characters; the limit is 1,000"
    assert "shorten" in e.value.hint


def test_punctuation_only_finds_nothing_without_error(engine):
    assert engine.search("。、・！？").total == 0


def test_leading_wildcard_is_dropped_not_an_error(engine):
    assert [h.no for h in engine.search("*難民")] == [h.no for h in engine.search("難民")]


def test_negated_phrase_is_excluded_not_searched_for(engine):
    with_phrase = {h.no for h in engine.search("難民", limit=20)}
    without = {h.no for h in engine.search('難民 -"難民"', limit=20)}
    assert with_phrase and not without


# -- the catalogue through the command line ----------------------------------------

def check_cli(code, out, err, expected=None):
    """Exit 0 with results on stdout and nothing on stderr, or exit 2 (a usage
    mistake) or 1 (nothing found by that number) with one line on stderr and
    nothing on stdout."""
    assert "Traceback" not in err and "internal error" not in err
    if expected is not None:
        assert code == (0 if expected == RESULTS else 2), err
    if code == 0:
        assert out and not err
        assert not any(ch < " " and ch != "\n" for ch in out), "raw control character"
    else:
        assert code in (1, 2), err
        assert code == 2 or "no project with No" in err, err
        assert not out
        assert err.count("\n") == 1 and err.startswith("sagashi"), err


# a lone "-" on the command line means "read queries from stdin" (tested below)
CLI_QUERIES = [case for case in QUERIES if case[1] != "-"]


@pytest.mark.parametrize("case", CLI_QUERIES, ids=[case[0] for case in CLI_QUERIES])
def test_cli_answers_or_refuses_in_one_line(capsys, corpus_index, case):
    _, query, expected = case
    with watchdog(10, repr(query)):
        code, out, err = run_cli(capsys, "search", query, "--index", str(corpus_index),
                             "--color", "never")
    check_cli(code, out, err, expected)


def test_cli_refuses_a_long_query_with_the_limit(capsys, corpus_index):
    code, _, err = run_cli(capsys, "search", "x" * 10_000, "--index", str(corpus_index))
    assert code == 2
    assert err == ("sagashi: error: query is 10,000 characters; the limit is 1,000 "
                   "(hint: shorten the query to its key words)\n")


def test_cli_shows_control_characters_as_escapes(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "\x1b[2J難民\u202e", "--index", str(corpus_index),
                       "--color", "never")
    assert code == 0 and "「\\x1b[2J難民\\u202e」" in out


def test_minus_words_on_the_command_line_exclude(capsys, corpus_index):
    ix = str(corpus_index)
    _, out, _ = run_cli(capsys, "search", "難民", "--json", "--limit", "20", "--index", ix)
    everything = {h["no"] for h in json.loads(out)["hits"]}
    code, out, err = run_cli(capsys, "search", "難民", "-シェルター", "--json", "--limit", "20",
                         "--index", ix)
    assert code == 0 and json.loads(out)["query"] == "難民 -シェルター", err
    assert {h["no"] for h in json.loads(out)["hits"]} < everything
    code, out, _ = run_cli(capsys, "search", "-シェルター", "--json", "難民", "--index", ix)
    assert code == 0 and sorted(json.loads(out)["query"].split()) == ["-シェルター", "難民"]
    code, _, err = run_cli(capsys, "search", "難民", "--jsn", "--index", ix)
    assert code == 2 and "unrecognized arguments: --jsn" in err  # --options stay strict


def test_catalogue_in_one_real_process(corpus_index):
    """Every query of the catalogue that fits on a line, through
    ``sagashi search --json -`` with a strict output encoding."""
    lines = [q for _, q, _ in QUERIES if "\n" not in q and "\r" not in q]
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    proc = subprocess.run([sys.executable, "-m", "sagashi", "search", "--json", "-",
                           "--index", str(corpus_index)], input=data, capture_output=True,
                          env={**os.environ, **STRICT_IO}, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0 and "Traceback" not in err, err
    answers = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(answers) == len(lines)  # one answer per line, blank ones included
    assert [a["query"] for a in answers] == [
        q.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for q in lines]
    refused = [a for a in answers if "error" in a]
    assert len(refused) == 2 and all("the limit is 1,000" in a["error"] for a in refused)
    assert err.count("\n") == len(refused)  # one line each


# the rest of the catalogue goes through main() above and the batch process
ARGV_CASES = [
    ("ideographic-space", "\u3000".encode(), 2), ("10000-chars", b"x" * 10_000, 2),
    ("emoji-rtl-escape", "😀 مرحبا \x1b[2J難民 -\u202e".encode(), 0),
    ("not-utf8", b"\xff\xfe\x80\xe9\x9b", 0),
    ("not-utf8-inside", "難民".encode() + b"\xff" + "支援".encode(), 0),
]


@pytest.mark.parametrize("case", ARGV_CASES, ids=[c[0] for c in ARGV_CASES])
def test_real_process_argv(corpus_index, case):
    """Real argv (bytes that are not UTF-8 arrive as lone surrogates) and a
    strict output encoding: no traceback, one line or results."""
    _, query, status = case
    proc = subprocess.run([os.fsencode(sys.executable), b"-m", b"sagashi", b"search", query,
                           b"--index", os.fsencode(corpus_index), b"--json"],
                          capture_output=True, env={**os.environ, **STRICT_IO}, timeout=60)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == status and "Traceback" not in err, err
    if status == 0:
        answer = json.loads(proc.stdout.decode("utf-8"))  # valid UTF-8: no surrogates leak
        assert "\udcff" not in answer["query"] and err == ""
    else:
        assert not proc.stdout and err.count("\n") == 1


def test_stdin_that_is_not_utf8_does_not_crash(corpus_index):
    proc = subprocess.run([sys.executable, "-m", "sagashi", "search", "-", "--index",
                           str(corpus_index)], input=b"\xff\xfe\n\x80\x81 \xe9\x9b\xa3\n",
                          capture_output=True, env={**os.environ, **STRICT_IO}, timeout=60)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    assert proc.stdout.decode("utf-8").count("No results for") == 2


def test_lone_minus_on_the_command_line_reads_stdin(corpus_index):
    proc = subprocess.run([sys.executable, "-m", "sagashi", "search", "-", "--index",
                           str(corpus_index)], input=b"", capture_output=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


# -- --limit and other options ----------------------------------------------------------

def sagashi(*argv, **kwargs):
    return run_process(*argv, env=STRICT_IO, **kwargs)


@pytest.mark.parametrize("limit", ["0", "-1", "1001", "99999999999999999999", "abc", "",
                                   "1.5", "1e3", "0x10", "NaN", " "])
def test_bad_limit_is_one_line_and_exit_2(limit):
    proc = sagashi("search", "難民", "--limit", limit)
    assert proc.returncode == 2 and not proc.stdout
    assert proc.stderr.count("\n") == 1 and "--limit" in proc.stderr, proc.stderr
    assert proc.stderr.startswith("sagashi search: error:")


@pytest.mark.parametrize("limit, shown", [("1", 1), ("1000", 17), ("５", 5), (" 3 ", 3)])
def test_good_limits_including_full_width_digits(capsys, corpus_index, limit, shown):
    code, out, err = run_cli(capsys, "search", "支援", "--limit", limit, "--json",
                         "--index", str(corpus_index))
    assert code == 0 and len(json.loads(out)["hits"]) == shown


@pytest.mark.parametrize("argv", [["show", "-1"], ["show", "abc"], ["similar", "1.5"],
                                  ["similar", "1", "--limit", "0"], ["search"],
                                  ["search", "難民", "--bogus=\x1b[2J\nx"],
                                  ["search", "難民", "--color", "rainbow"]])
def test_other_bad_arguments_are_one_line_and_exit_2(argv):
    proc = sagashi(*argv)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "\x1b" not in proc.stderr


@pytest.mark.parametrize("argv, status", [
    (["search", "難民", "--pref", "Atlantis"], 2),
    (["search", "難民", "--pref", ""], 0),
    (["search", "難民", "--pref", "\x00\ud800"], 2),
    (["search", "難民", "--entity", "\x00\ud800"], 2),  # unknown entity types are errors
    (["search", "難民", "--entity", ""], 0),
    (["show", "99999999999999999999999"], 1),
    (["similar", "99999999999999999999999"], 1),
])
def test_hostile_option_values(capsys, corpus_index, argv, status):
    code, out, err = run_cli(capsys, *argv, "--index", str(corpus_index))
    assert code == status
    check_cli(code, out, err)


# -- missing, unreadable and refused --index folders -----------------------------------

def _index_error(tmp_path, index: str):
    proc = sagashi("search", "難民", "--index", index)
    assert proc.returncode == 2 and not proc.stdout, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("sagashi: error:")
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_missing_index_folder(tmp_path):
    err = _index_error(tmp_path, str(tmp_path / "none"))
    assert "no index at" in err and "sagashi index build --index" in err
    with pytest.raises(IndexMissingError, match="no index at") as e:
        Engine(tmp_path / "none")
    assert "sagashi index build" in e.value.hint


def test_index_path_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    assert "is a file, not an index folder" in _index_error(tmp_path, str(tmp_path / "file"))
    with pytest.raises(IndexMissingError, match="is a file"):
        Engine(tmp_path / "file")


def test_index_path_below_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    err = _index_error(tmp_path, str(tmp_path / "file" / "ix"))
    assert "cannot reach the index folder" in err
    with pytest.raises(IndexMissingError, match="Not a directory"):
        Engine(tmp_path / "file" / "ix")


def test_empty_index_argument(tmp_path):
    assert "empty path" in _index_error(tmp_path, "")
    with pytest.raises(UsageError, match="empty path"):
        Engine("")


@pytest.mark.skipif(IS_ROOT, reason="root reads any folder")
def test_unreadable_index_folder(tmp_path, corpus_index):
    ix = tmp_path / "ix"
    shutil.copytree(corpus_index, ix)
    ix.chmod(0)
    try:
        assert "cannot read the index folder" in _index_error(tmp_path, str(ix))
        with pytest.raises(IndexMissingError, match="permission denied"):
            Engine(ix)
    finally:
        ix.chmod(0o755)


@pytest.mark.skipif(IS_ROOT, reason="root reads any file")
def test_unreadable_files_inside_an_index(tmp_path, corpus_index):
    ix = tmp_path / "ix"
    shutil.copytree(corpus_index, ix)
    toc = next(ix.glob("gen-*/*.toc"))
    toc.chmod(0)
    try:
        with pytest.raises(IndexMissingError):
            Engine(ix)
    finally:
        toc.chmod(0o644)


def test_folder_with_other_files_is_not_an_index(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    assert "no index at" in _index_error(tmp_path, str(folder))


# -- the index is code: refuse what sagashi did not make -------------------------------

class _Canary:
    """Unpickling this creates the folder ``path``: it stands for the code a
    hostile index could run."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def _hostile_whoosh_index(folder: Path, canary: Path) -> None:
    """A real Whoosh index whose pickled schema runs code when opened."""
    from whoosh import fields, index
    schema = fields.Schema(text=fields.TEXT(stored=True))
    schema["text"].payload = _Canary(canary)
    folder.mkdir(parents=True, exist_ok=True)
    index.create_in(str(folder), schema)


def _whoosh_would_run_it(folder: Path, canary: Path) -> None:
    """The control experiment: opening the folder with Whoosh does run the code."""
    from whoosh import index
    index.open_dir(str(folder))
    assert canary.is_dir()


def test_a_plain_whoosh_index_is_refused_before_unpickling(tmp_path):
    folder, canary = tmp_path / "hostile", tmp_path / "canary"
    _hostile_whoosh_index(folder, canary)
    with pytest.raises(IndexUntrustedError, match="not created by sagashi") as e:
        Engine(folder)
    assert "index build" in e.value.hint
    err = _index_error(tmp_path, str(folder))
    assert "refusing to open it" in err
    assert not canary.exists()
    _whoosh_would_run_it(folder, canary)


def test_a_planted_generation_without_the_marker_is_refused(tmp_path):
    root, canary = tmp_path / "ix", tmp_path / "canary"
    _hostile_whoosh_index(root / "gen-planted", canary)
    (root / "CURRENT").write_text("gen-planted\n")
    with pytest.raises(IndexUntrustedError):
        Engine(root)
    assert not canary.exists()
    _whoosh_would_run_it(root / "gen-planted", canary)


@pytest.fixture
def planted(tmp_path, corpus_index):
    """A copy of a real sagashi index whose live generation was swapped for
    a hostile one (no manifest): (root, canary)."""
    root, canary = tmp_path / "ix", tmp_path / "canary"
    shutil.copytree(corpus_index, root)
    _hostile_whoosh_index(root / "gen-planted", canary)
    (root / "gen-planted").chmod(0o755)
    (root / "CURRENT").write_text("gen-planted\n")
    return root, canary


def test_a_generation_without_a_manifest_is_not_unpickled(planted):
    root, canary = planted
    with pytest.raises(SagashiError, match="manifest"):
        Engine(root)
    assert not canary.exists()


@pytest.mark.parametrize("where", ["root", "generation"])
def test_group_or_world_writable_folders_are_refused(tmp_path, planted, where):
    root, canary = planted
    folder = root if where == "root" else root / "gen-planted"
    folder.chmod(0o775 if where == "root" else 0o757)
    with pytest.raises(IndexUntrustedError, match="writable by other users") as e:
        Engine(root)
    assert e.value.hint.startswith("fix it with: chmod go-w")
    assert "writable by other users" in _index_error(tmp_path, str(root))
    assert not canary.exists()


@pytest.mark.skipif(not IS_ROOT or not hasattr(os, "chown"), reason="needs root to chown")
def test_an_index_owned_by_another_user_is_refused(tmp_path, corpus_index):
    root = tmp_path / "ix"
    shutil.copytree(corpus_index, root)
    os.chown(root, 65534, 65534)  # nobody
    with pytest.raises(IndexUntrustedError, match="belongs to another user"):
        Engine(root)


@pytest.fixture
def permissive_umask():
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _tiny_data(tmp_path) -> Path:
    data = tmp_path / "tiny.tsv"
    data.write_text(HEADER +
                    "1\t(特非)\tさくら日本語教室\t熊本県熊本市\t日本語教室の運営\t子どもに日本語を教える\n",
                    encoding="utf-8")
    return data


def _writable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def test_index_folders_are_created_without_group_or_world_write(tmp_path, permissive_umask):
    report = build_index(_tiny_data(tmp_path), tmp_path / "ix")
    root = Path(report.index_dir)
    for folder in (root, root / report.generation):
        assert not _writable_by_others(folder), oct(folder.stat().st_mode)
    with Engine(root) as engine:  # and sagashi opens its own index
        assert engine.search("日本語").total == 1


def test_nothing_in_an_index_is_created_group_or_world_writable(tmp_path, permissive_umask):
    report = build_index(_tiny_data(tmp_path), tmp_path / "ix")
    loose = [str(p) for p in Path(report.index_dir).rglob("*") if _writable_by_others(p)]
    assert not loose


def test_a_world_writable_toc_is_refused(tmp_path, corpus_index):
    root = tmp_path / "ix"
    shutil.copytree(corpus_index, root)
    next(root.glob("gen-*/*.toc")).chmod(0o666)
    with pytest.raises(IndexUntrustedError):
        Engine(root)


# -- library misuse ------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda e: e.search("難民"), lambda e: e.get(5), lambda e: e.similar(5),
], ids=["search", "get", "similar"])
def test_closed_engine_says_what_to_do(corpus_index, call):
    engine = Engine(corpus_index)
    engine.close()
    engine.close()  # closing twice is fine
    with pytest.raises(EngineClosedError, match="closed") as e:
        call(engine)
    assert "Engine.open" in e.value.hint
    assert "closed" in repr(engine)


def test_engine_used_after_its_with_block(corpus_index):
    with Engine(corpus_index) as engine:
        engine.search("難民")
    with pytest.raises(EngineClosedError):
        engine.search("難民")


class _Index:
    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


@pytest.mark.parametrize("kwargs, match", [
    (dict(query=None), "query must be text"),
    (dict(query=b"\xe9\x9b\xa3\xe6\xb0\x91"), "query must be text"),
    (dict(query=123), "query must be text"),
    (dict(query=["難民"]), "query must be text"),
    (dict(query="難民", limit="10"), "limit must be a whole number"),
    (dict(query="難民", limit=2.5), "limit must be a whole number"),
    (dict(query="難民", limit=None), "limit must be a whole number"),
    (dict(query="難民", limit=True), "limit must be a whole number"),
    (dict(query="難民", limit=0), "between 1 and 1000"),
    (dict(query="難民", limit=-1), "between 1 and 1000"),
    (dict(query="難民", limit=10 ** 100), "between 1 and 1000"),
    (dict(query="難民", limit=math.inf), "limit must be a whole number"),
    (dict(query="難民", pref=13), "pref must be text"),
    (dict(query="難民", entity=["特非"]), "entity must be text"),
    (dict(query="難民", pref="Atlantis"), "unknown prefecture"),
], ids=lambda v: repr(v)[:40] if isinstance(v, dict) else None)
def test_wrong_search_arguments_raise_usage_errors(engine, kwargs, match):
    with pytest.raises(UsageError, match=match) as e:
        engine.search(**kwargs)
    assert e.value.hint
    assert len(str(e.value)) < 200


def test_bytes_query_hint_says_decode(engine):
    with pytest.raises(UsageError) as e:
        engine.search(b"abc")
    assert "decode" in e.value.hint


def test_integer_like_limits_are_accepted(engine):
    assert len(engine.search("支援", limit=_Index(2))) == 2


@pytest.mark.parametrize("call, error, match", [
    (lambda e: e.get("5"), UsageError, "whole number"),
    (lambda e: e.get(None), UsageError, "whole number"),
    (lambda e: e.get(5.0), UsageError, "whole number"),
    (lambda e: e.get(-1), UsageError, "not negative, got -1"),
    (lambda e: e.get(10 ** 30), NotFoundError, "no project with No 1000"),
    (lambda e: e.similar(10 ** 30), NotFoundError, "no project with No 1000"),
    (lambda e: e.similar("x"), UsageError, "whole number"),
    (lambda e: e.similar(5, limit=0), UsageError, "between 1 and 1000"),
], ids=["get-str", "get-none", "get-float", "get-negative", "get-huge", "similar-huge",
        "similar-str", "similar-limit"])
def test_wrong_get_and_similar_arguments(engine, call, error, match):
    with pytest.raises(error, match=match):
        call(engine)


@pytest.mark.parametrize("kwargs, match", [
    (dict(index_dir=123), "index_dir must be a path"),
    (dict(index_dir=b"/tmp"), "index_dir must be a path"),
    (dict(index_dir=["ix"]), "index_dir must be a path"),
    (dict(index_dir=""), "empty path"),
    (dict(index_dir="IX", data=42), "data must be a path"),
    (dict(index_dir="IX", auto_build="yes"), "auto_build must be"),
    (dict(index_dir="IX", notify="print"), "notify must be a function"),
    (dict(index_dir="IX", lock_timeout=math.nan), "lock_timeout must be"),
    (dict(index_dir="IX", lock_timeout=-1), "lock_timeout must be"),
], ids=["int", "bytes", "list", "empty", "data-int", "auto-build-str", "notify-str",
        "lock-timeout-nan", "lock-timeout-negative"])
def test_wrong_engine_arguments_raise_usage_errors(corpus_index, kwargs, match):
    if kwargs.get("index_dir") == "IX":
        kwargs["index_dir"] = corpus_index
    with pytest.raises(UsageError, match=match):
        Engine(**kwargs)


def test_empty_folder_and_no_data_is_index_missing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for kwargs in ({}, {"auto_build": True}):
        with pytest.raises(IndexMissingError, match="no index at") as e:
            Engine(empty, **kwargs)
        assert e.value.hint == f"build it with: sagashi index build --index {empty}"


def test_default_engine_with_no_data_to_build_from(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    monkeypatch.setenv("SAGASHI_DATA", str(tmp_path / "missing.tsv"))
    with pytest.raises(DataError, match="no such file") as e:
        Engine(notify=lambda note: None)
    assert e.value.hint == "check the path"
    assert not (tmp_path / "ix").exists()  # nothing half-built


# -- bounded work: wildcards, prefixes and long queries ------------------------------------

PREFIX_WORDS = 3000


@pytest.fixture(scope="module")
def prefix_index(tmp_path_factory):
    """An index where thousands of distinct words share the prefix ``pfx``:
    3,000 in summaries, and 300 others each in names and titles."""
    def words(prefix: str, n: int, k: int) -> list[str]:
        combos = itertools.product(string.ascii_lowercase, repeat=k)
        return ["".join((prefix, *c)) for c in itertools.islice(combos, n)]
    summaries, names, titles = words("pfxs", PREFIX_WORDS, 3), words("pfxo", 300, 2), \
        words("pfxt", 300, 2)
    rows = [HEADER.rstrip("\n")]
    for i in range(300):
        rows.append(f"{i + 1}\t(特非)\t{names[i]}\t東京都新宿区\t{titles[i]}\t"
                    f"{' '.join(summaries[i * 10:(i + 1) * 10])}")
    folder = tmp_path_factory.mktemp("prefix")
    (folder / "data.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    build_index(folder / "data.tsv", folder / "ix")
    with Engine(folder / "ix") as engine:
        engine.search("pfxsaaa")  # warm up
        yield engine


def _expanded(results) -> int:
    return sum(line.count("(prefix match, ") for line in results.interpretation)


@pytest.mark.parametrize("query", ["pfx*", "p*", "pfxs*", "pfxsa*", "~*", "#*"])
def test_prefix_query_is_quick_and_well_formed(prefix_index, query):
    from sagashi.query.plan import MAX_PREFIX_TERMS
    started = time.perf_counter()
    results = prefix_index.search(query, explain=True)
    took = time.perf_counter() - started
    check_well_formed(results)
    assert took < 5, f"{query!r} took {took:.2f} s"
    assert _expanded(results) <= MAX_PREFIX_TERMS + 4  # see the strict test below


def test_prefix_expansion_stops_at_the_limit(prefix_index):
    from sagashi.query.plan import MAX_PREFIX_TERMS
    assert _expanded(prefix_index.search("pfx*", explain=True)) <= MAX_PREFIX_TERMS


def test_the_prefixes_of_a_query_share_one_budget_of_records(prefix_index, monkeypatch):
    from sagashi.query import plan as ranking
    monkeypatch.setattr(ranking, "MAX_PREFIX_DOCS", 20)  # each pfx word is in one record
    assert _expanded(prefix_index.search("pfxs*", explain=True)) == 20
    both = prefix_index.search("pfxs* pfxt*", explain=True)
    assert _expanded(both) == 20
    assert all("(prefix match, " in line for line in both.interpretation)  # each got its share


def test_a_query_of_many_prefixes_is_quick(prefix_index):
    started = time.perf_counter()
    prefix_index.search("pfx* " * 40)
    assert time.perf_counter() - started < 1.0


def test_a_long_query_of_one_repeated_word_is_quick(engine):
    started = time.perf_counter()
    engine.search("支援" * 100)
    assert time.perf_counter() - started < 1.0


def test_a_word_twice_with_limit_1_does_not_hang(engine):
    # also 難民 AND 難民, 難民 OR 難民, 難民難民, refugee refugee
    with watchdog(1.5, "難民 難民"):
        engine.search("難民 難民", limit=1)


def test_total_does_not_depend_on_limit(engine):
    totals = {limit: engine.search("支援 外国人", limit=limit).total for limit in (1, 3, 17)}
    assert len(set(totals.values())) == 1 and totals[17] <= 17, totals
