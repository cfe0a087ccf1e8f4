"""Building and changing indexes: formats round-trip, update, delete, the
manifest check, the data-changed rebuild, stats, the CLI and the progress bar."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from pathlib import Path

import pytest

from sagashi.cli.progress import ProgressBar
from sagashi.domain.records import load_records
from sagashi.engine import Engine
from sagashi.errors import (
    IndexMismatchError,
    IndexMissingError,
    NotFoundError,
    UsageError,
)
from sagashi.index import storage
from sagashi.index.build import build_index, delete_records, index_stats, update_index
from sagashi.index.manifest import read_manifest

from .conftest import DATA, HEADER, REPO, file_hashes, nos, run_cli

QUERIES = ["在留資格のない外国人の医療", "新宿", "難民 シェルター", "日本語教室", "子供の居場所",
           "外国人 支援", "kobe", "所在地:東京都", "医療 OR 法律"]


def answers(root: Path) -> list[list[int]]:
    with Engine(root) as engine:
        return [nos(engine.search(q, limit=17)) for q in QUERIES]


def tiny(folder: Path, name: str = "tiny.tsv") -> Path:
    """A three-record data file: quick to index."""
    path = folder / name
    path.write_text(HEADER + "1\t(特非)\tさくら日本語教室\t熊本県熊本市\t日本語教室\t日本語を教える\n"
                    "2\t(一社)\tみなと相談室\t大阪市港区\t相談窓口\t生活相談と通訳\n"
                    "3\t\tひまわり会\t北海道札幌市\t防災訓練\t多言語で防災を学ぶ\n", encoding="utf-8")
    return path


def append_record(data: Path) -> None:
    text = data.read_text(encoding="utf-8").rstrip("\n")
    data.write_text(text + "\n18\t(特非)\t宇宙の会\t東京都港区\t宇宙旅行\t月へ行く\n",
                    encoding="utf-8")


# -- formats round-trip to the same answers --------------------------------------

def _as_excel_csv(records) -> bytes:
    """The corpus as Excel saves "CSV" on a Japanese Windows: CP932, CRLF,
    quotes where needed. CP932 has no em dash; Excel writes the horizontal bar."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["No", "法人格", "申請団体名", "所在地", "事業名", "概要"])
    for r in records:
        writer.writerow([r.no, r.entity, r.organization, r.location, r.title, r.summary])
    return out.getvalue().replace("\u2014", "\u2015").encode("cp932")


def _as_json_lines(records) -> str:
    return "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in records)


@pytest.mark.parametrize("kind", ["cp932 csv", "json lines"])
def test_other_formats_give_the_same_answers_as_the_tsv(tmp_path, corpus_index, kind):
    records = load_records(DATA).records
    if kind == "cp932 csv":
        path = tmp_path / "projects.csv"
        path.write_bytes(_as_excel_csv(records))
        assert b"\r\n" in path.read_bytes()
    else:
        path = tmp_path / "projects.jsonl"
        path.write_text(_as_json_lines(records), encoding="utf-8")
    report = build_index(path, tmp_path / "ix")
    assert (report.records_read, report.records_indexed) == (17, 17)
    assert (report.data_format, report.encoding) == (
        ("csv", "cp932") if kind == "cp932 csv" else ("jsonl", "utf-8"))
    expected = answers(corpus_index)
    assert all(expected) and answers(tmp_path / "ix") == expected


# -- update and delete -----------------------------------------------------------

def test_update_adds_and_replaces_by_no_and_leaves_the_old_generation_alone(
        tmp_path, fresh_index):
    old = storage.current_generation(fresh_index)
    old_files = file_hashes(old)
    data = tmp_path / "more.tsv"
    data.write_text(HEADER + "5\t(特非)\t北関東医療相談会\t群馬県太田市\t宇宙開発\t月面基地の建設\n"
                    "100\t(一社)\t新しい会\t沖縄県那覇市\tウクレレ教室\t外国人とウクレレを弾く\n",
                    encoding="utf-8")
    report = update_index(data, fresh_index)
    assert (report.records_read, report.added, report.replaced, report.records_indexed) == (
        2, 1, 1, 18)
    new = storage.current_generation(fresh_index)
    assert new != old and file_hashes(old) == old_files  # hard links, never rewritten
    with Engine(fresh_index) as engine:
        assert nos(engine.search("月面基地")) == [5]
        assert engine.get(5).summary == "月面基地の建設"
        assert 5 not in nos(engine.search("在留資格", limit=17))
        assert nos(engine.search("ウクレレ")) == [100]
        assert engine.get(100).organization == "新しい会"
    manifest = read_manifest(new)
    assert manifest["records"] == 18 and manifest["history"][-1]["action"] == "update"


def test_delete_removes_records_and_an_unknown_no_changes_nothing(fresh_index):
    old = storage.current_generation(fresh_index)
    old_files = file_hashes(old)
    report = delete_records([10, 13], fresh_index)
    assert (report.removed, report.records_indexed) == (2, 15)
    assert file_hashes(old) == old_files
    with Engine(fresh_index) as engine:
        assert not {10, 13} & set(nos(engine.search("難民", limit=17)))
        with pytest.raises(NotFoundError, match="no project with No 10"):
            engine.get(10)
    live = storage.current_generation(fresh_index)
    with pytest.raises(NotFoundError, match="no record with No 10, 999; nothing deleted"):
        delete_records([10, 999, 3], fresh_index)
    assert storage.current_generation(fresh_index) == live
    assert index_stats(fresh_index).records == 15


def test_update_and_delete_need_an_index(tmp_path):
    data = tmp_path / "one.tsv"
    data.write_text(HEADER + "1\t\t会\t東京都\t事業\t概要\n", encoding="utf-8")
    with pytest.raises(IndexMissingError, match="no index at"):
        update_index(data, tmp_path / "none")
    with pytest.raises(IndexMissingError):
        delete_records([1], tmp_path / "none")
    with pytest.raises(UsageError, match="at least one"):
        delete_records([], tmp_path / "none")


# -- the manifest ------------------------------------------------------------------

def test_manifest_records_what_the_index_was_built_with(corpus_index):
    manifest = read_manifest(storage.current_generation(corpus_index))
    assert manifest["schema_version"] >= 1 and manifest["records"] == 17
    assert manifest["analyzer"]["dict"] == "core" and manifest["analyzer"]["chain"]
    assert manifest["dictionary"]["name"] == "core" and manifest["dictionary"]["version"]
    assert manifest["sudachipy"] and manifest["sagashi_version"]
    assert manifest["data"]["sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest()


MISMATCHES = [("schema_version", 0), ("dictionary", {"name": "core", "version": "1999"}),
              ("analyzer", {"dict": "full"}), ("sudachipy", "0.1")]


def test_an_index_built_with_other_settings_asks_for_a_reindex(tmp_path):
    root = tmp_path / "ix"
    build_index(tiny(tmp_path), root)
    gen = storage.current_generation(root)
    manifest = read_manifest(gen)
    for key, value in MISMATCHES:
        storage.write_json_atomic(gen / storage.MANIFEST, {**manifest, key: value})
        for attempt in (lambda: Engine(root), lambda: index_stats(root),
                        lambda: delete_records([1], root), lambda: update_index(DATA, root)):
            with pytest.raises(IndexMismatchError) as e:
                attempt()
            assert f"built with {key}" in str(e.value) and "needs a reindex" in str(e.value)
            # the hint rebuilds from the file the index was built from, not the bundled corpus
            assert e.value.hint == (f"reindex with: sagashi index build --data "
                                    f"{tmp_path / 'tiny.tsv'} --index {root}")
    build_index(tiny(tmp_path), root)  # the cure
    with Engine(root) as engine:
        assert nos(engine.search("大阪")) == [2]


# -- data changed since the build ---------------------------------------------------

def test_default_index_rebuilds_itself_when_the_data_changes(tmp_path, monkeypatch):
    data = tiny(tmp_path, "projects.tsv")
    monkeypatch.setenv("SAGASHI_DATA", str(data))
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    notes = []
    with Engine(notify=notes.append) as engine:  # missing: built on first use
        assert nos(engine.search("大阪")) == [2] and "missing" in notes[-1]
    append_record(data)
    with Engine(notify=notes.append) as engine:
        assert nos(engine.search("宇宙旅行")) == [18]
    assert "changed since the index was built; rebuilding" in notes[-1]
    assert index_stats(tmp_path / "ix").records == 4


def test_default_index_keeps_the_data_it_was_built_from(tmp_path, monkeypatch):
    """SAGASHI_DATA says what a missing index is built from; an existing one
    is never replaced by another file behind the user's back: it says so."""
    first, second = tiny(tmp_path, "a.tsv"), tiny(tmp_path, "b.tsv")
    append_record(second)
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    monkeypatch.setenv("SAGASHI_DATA", str(first))
    Engine(notify=lambda note: None).close()
    monkeypatch.setenv("SAGASHI_DATA", str(second))
    notes = []
    with Engine(notify=notes.append) as engine:
        assert nos(engine.search("宇宙旅行")) == []
    assert notes == [f"the index at {tmp_path / 'ix'} was built from {first}, not from {second}; "
                     f"to build it from that: sagashi index build --data {second} "
                     f"--index {tmp_path / 'ix'}"]


def test_default_index_is_served_while_another_process_rebuilds_it(tmp_path, monkeypatch):
    data = tiny(tmp_path, "projects.tsv")
    monkeypatch.setenv("SAGASHI_DATA", str(data))
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    Engine(notify=lambda note: None).close()
    append_record(data)
    notes = []
    with storage.write_lock(tmp_path / "ix"):  # as if a reindex were running
        with Engine(notify=notes.append, lock_timeout=0.2) as engine:
            assert nos(engine.search("大阪")) == [2]  # the complete old index
    assert "using the existing index meanwhile" in notes[-1]


def test_explicit_index_only_warns_when_the_data_changes(tmp_path):
    data = tiny(tmp_path)
    build_index(data, tmp_path / "ix")
    gen = storage.current_generation(tmp_path / "ix")
    append_record(data)
    notes = []
    with Engine(tmp_path / "ix", notify=notes.append) as engine:
        assert engine.search("宇宙旅行").total == 0
    assert len(notes) == 1 and "changed since the index" in notes[0]
    assert notes[0].endswith(f"reindex with: sagashi index build --data {data} "
                             f"--index {tmp_path / 'ix'}")
    assert storage.current_generation(tmp_path / "ix") == gen


def test_touching_the_data_without_changing_it_is_not_a_change(tmp_path):
    data = tiny(tmp_path)
    build_index(data, tmp_path / "ix")
    os.utime(data, (1, 1))
    notes = []
    Engine(tmp_path / "ix", notify=notes.append).close()
    assert notes == []


# -- stats ---------------------------------------------------------------------------

def test_stats_show_every_listed_fact(corpus_index):
    stats = index_stats(corpus_index)
    assert stats.records == 17
    assert {"no", "organization", "title", "location", "summary", "entity"} <= set(stats.fields)
    assert stats.built_at.endswith("Z") and stats.build_seconds > 0
    assert stats.data["sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert stats.dictionary["version"] and stats.sudachipy and stats.analyzer["mode"]
    assert stats.schema_version >= 1 and stats.sagashi_version
    assert stats.size_bytes == storage.size_on_disk(storage.current_generation(corpus_index))


def test_stats_command_prints_them(capsys, corpus_index):
    code, out, err = run_cli(capsys, "index", "stats", "--index", corpus_index)
    assert code == 0 and err == ""
    rows = dict(line.split(None, 1) if "  " not in line else
                [part.strip() for part in line.split("  ", 1)] for line in out.splitlines())
    assert rows["records"] == "17"
    for key in ("fields", "built", "data sha256", "schema version", "analyzer", "dictionary",
                "sudachipy", "sagashi", "size on disk"):
        assert rows.get(key), key
    assert hashlib.sha256(DATA.read_bytes()).hexdigest() == rows["data sha256"]


# -- the CLI -----------------------------------------------------------------------

def test_index_commands_exit_codes_and_messages(capsys, tmp_path):
    ix = tmp_path / "ix"
    code, out, err = run_cli(capsys, "index", "build", "--index", ix, "--data", DATA)
    assert code == 0 and out == ""
    assert err.startswith(f"sagashi: read 17 records from {DATA}, indexed 17 in ")
    assert err.rstrip().endswith(f"(tsv, utf-8) into {ix}") and err.count("\n") == 1

    more = tmp_path / "more.tsv"
    more.write_text(HEADER + "5\t\t北関東医療相談会\t群馬県\t相談\t医療相談\n"
                    "99\t\t新しい会\t沖縄県\t三線\t三線教室\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "index", "update", more, "--index", ix)
    assert (code, out) == (0, "")
    assert err == f"sagashi: read 2 records: added 1, replaced 1; the index at {ix} now holds 18\n"

    code, _, err = run_cli(capsys, "index", "delete", "99", "3", "--index", ix)
    assert (code, err) == (0, f"sagashi: removed 2 records; 16 remain in {ix}\n")

    code, _, err = run_cli(capsys, "index", "delete", "999", "--index", ix)
    assert code == 1
    assert err == ("sagashi: error: no record with No 999; nothing deleted "
                   "(hint: see the numbers with: sagashi search QUERY)\n")

    code, out, _ = run_cli(capsys, "index", "stats", "--json", "--index", ix)
    stats = json.loads(out)
    assert code == 0 and stats["records"] == 16 and len(stats["history"]) == 3

    code, _, err = run_cli(capsys, "index", "update", tmp_path / "nope.tsv", "--index", ix)
    assert code == 1 and err.startswith(f"sagashi: error: {tmp_path / 'nope.tsv'}: no such file")


def test_index_commands_on_a_missing_index(capsys, tmp_path):
    for argv in (["update", DATA], ["delete", "1"], ["stats"]):
        code, _, err = run_cli(capsys, "index", *argv, "--index", tmp_path / "none")
        assert code == 2 and err.startswith(f"sagashi: error: no index at {tmp_path / 'none'}")
        assert "sagashi index build --index" in err and err.count("\n") == 1


def test_reindex_script(tmp_path):
    import subprocess
    script = REPO / "scripts" / "reindex"
    proc = subprocess.run([script, "--data", DATA, "--index", tmp_path / "ix"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout == ""
    assert proc.stderr.startswith(f"sagashi: read 17 records from {DATA}, indexed 17 in ")
    bad = tmp_path / "bad.tsv"
    bad.write_text(HEADER + "x\t\t会\t東京都\t事業\t概要\n", encoding="utf-8")
    proc = subprocess.run([script, "--data", bad, "--index", tmp_path / "ix"],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"sagashi: error: {bad}:2 column No: No must be a whole number")


# -- the progress bar ------------------------------------------------------------------

class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_bar_shows_the_rate_on_a_terminal_after_the_delay(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("sagashi.cli.progress.time.monotonic", lambda: clock[0])
    term = FakeTerminal(tty=True)
    bar = ProgressBar("indexing", stream=term, tick=None)
    bar(200, 1000)
    clock[0] += 0.9
    bar(400, 1000)
    assert term.getvalue() == ""  # quick work stays silent
    clock[0] += 1.1
    bar(800, 1000)
    assert term.getvalue() == "\rindexing [###################-----] 800/1,000  80% 400 records/s"
    clock[0] += 0.5
    bar(1000, 1000)
    bar.finish()
    assert term.getvalue().endswith("1,000/1,000 100% 400 records/s\n")


def test_progress_bar_is_silent_off_a_terminal(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("sagashi.cli.progress.time.monotonic", lambda: clock[0])
    piped = FakeTerminal(tty=False)
    bar = ProgressBar(stream=piped)
    clock[0] += 5
    bar(10, 10)
    bar.finish()
    assert piped.getvalue() == ""


def test_progress_bar_keeps_drawing_while_the_index_is_written():
    """After the last record is added Whoosh still writes the segment: the
    ticker shows the bar for any build longer than the delay."""
    term = FakeTerminal(tty=True)
    bar = ProgressBar("indexing", stream=term, delay=0.05, tick=0.01)
    bar(10, 10)  # every record added before the delay is over: nothing drawn yet
    assert term.getvalue() == ""
    deadline = time.monotonic() + 5
    while not term.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    bar.finish()
    assert term.getvalue().startswith("\rindexing [########################] 10/10 100% ")
    assert term.getvalue().endswith(" records/s\n")
    assert not bar._thread.is_alive()


def test_build_reports_progress_to_the_callback(tmp_path):
    calls = []
    build_index(tiny(tmp_path), tmp_path / "ix",
                progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (3, 3)


def test_optimize_merges_every_segment_into_one_keeping_the_records(tmp_path, capsys):
    """Updates add segments; 'sagashi index optimize' merges them (deleted
    records left out) in a new generation, and answers stay the same."""
    root = tmp_path / "ix"
    build_index(DATA, root)
    extra = tmp_path / "more.tsv"
    extra.write_text(HEADER + "101\t特非\t新しい会\t熊本県熊本市\t日本語教室の運営\t外国人に日本語を教える\n",
                     encoding="utf-8")
    update_index(extra, root)
    delete_records([3], root)
    before = index_stats(root)
    assert before.segments == 2
    with Engine(root) as engine:
        answers = [nos(engine.search(q)) for q in ("日本語教室", "外国人 支援", "熊本")]
    live_before = storage.current_generation(root)
    code, out, err = run_cli(capsys, "index", "optimize", "--index", root)
    assert code == 0 and out == ""
    assert err.startswith("sagashi: merged 2 segments into one in ")
    after = index_stats(root)
    assert (after.segments, after.records) == (1, before.records)
    assert after.history[-1]["action"] == "optimize"
    assert storage.current_generation(root) != live_before
    with Engine(root) as engine:
        assert [nos(engine.search(q)) for q in ("日本語教室", "外国人 支援", "熊本")] == answers
    code, out, _ = run_cli(capsys, "index", "stats", "--index", root)
    assert "segments             1\n" in out and "sagashi-arrays 1" in out
    code, _, err = run_cli(capsys, "index", "optimize", "--index", root)
    assert code == 0 and err.startswith(
        "sagashi: rewrote the index's one segment without its deleted records in ")


def test_an_index_in_another_storage_format_is_refused_with_a_rebuild_hint(tmp_path, capsys):
    """An index written by Whoosh's own codec (before the array codec), or
    by a future format, is refused before anything is read, in one line."""
    root = tmp_path / "ix"
    build_index(DATA, root)
    gen = storage.current_generation(root)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    for codec, said in ((None, "Whoosh's own storage format"),
                        ({"name": "sagashi-arrays", "format": 99}, "sagashi-arrays 99")):
        if codec is None:
            manifest.pop("codec", None)
        else:
            manifest["codec"] = codec
        (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        code, out, err = run_cli(capsys, "search", "外国人", "--index", root)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and said in err and "needs a rebuild" in err
        assert "sagashi index build" in err
