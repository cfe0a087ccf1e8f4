"""Your own spreadsheet: any columns, Excel files, and an index that
remembers its data (issue 12).

A programme officer's own list, with its own headers (番号, 団体名,
プロジェクト名, 事業の説明 ...) and columns sagashi has no role for (助成額,
年度, 担当者), is indexed, searched, shown, filtered, counted, updated and
trimmed: through the CLI and the library, with the index named by --index
and by SAGASHI_INDEX. The bundled corpus is never read: looking it up
fails the test. The same list as an .xlsx workbook gives identical answers.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from sagashi import Engine, build_index, delete_records, index_stats, update_index
from sagashi.domain import resources
from sagashi.domain.columns import HEADERS, role_name
from sagashi.domain.records import load_records, parse_records
from sagashi.errors import DataError, UsageError
from sagashi.index import storage
from sagashi.index.manifest import built_from_bundled, rebuild_command

from .conftest import DATA, REPO, STRICT_IO, nos, run_cli
from .own_data import COLUMNS, HEADER, ROWS

#: Changes to the list: No 2 replaced, No 7 added.
UPDATE = [
    ["2", "一般社団法人みなと共生会", "外国人相談窓口", "大阪市港区で外国人の生活相談と通訳を行う",
     "大阪市港区", "900000", "2025", "山本"],
    ["7", "NPO法人ながさき虹の会", "長崎の多言語相談", "長崎市で外国人の暮らしを多言語で支える",
     "長崎県長崎市", "400000", "2025", "山本"],
]


def write_csv(path: Path, rows=ROWS, header=HEADER) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows=ROWS, header=HEADER, sheet: str = "名簿", before=()) -> Path:
    """The rows as an Excel workbook, numbers as numbers (as Excel keeps
    them), on sheet ``sheet`` after the sheets ``before``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in before:
        book.create_sheet(name).append(["メモ"])
    ws = book.create_sheet(sheet)
    ws.append(header)
    for row in rows:
        ws.append([int(c) if c.isdecimal() else c for c in row])
    book.save(path)
    return path


@pytest.fixture
def no_bundled_corpus(monkeypatch):
    """Fail the test if anything looks up or opens the bundled corpus."""
    def refuse(*args, **kwargs):
        raise AssertionError("the bundled corpus was looked up")

    monkeypatch.setattr(resources, "default_data_path", refuse)
    bundled = DATA.resolve()
    real_open, real_read = builtins.open, Path.read_bytes

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and Path(file).resolve() == bundled:
            raise AssertionError(f"the bundled corpus was opened: {file}")
        return real_open(file, *args, **kwargs)

    def guarded_read(self):
        if self.resolve() == bundled:
            raise AssertionError("the bundled corpus was read")
        return real_read(self)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)  # Path.open, read_text
    monkeypatch.setattr(Path, "read_bytes", guarded_read)


def test_the_guard_catches_any_use_of_the_bundled_corpus(tmp_path, monkeypatch,
                                                         no_bundled_corpus):
    """The proof below is only as good as this guard."""
    with pytest.raises(AssertionError, match="bundled corpus was read"):
        load_records(DATA)
    with pytest.raises(AssertionError, match="bundled corpus was opened"):
        DATA.read_text(encoding="utf-8")
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    with pytest.raises(AssertionError, match="bundled corpus was looked up"):
        Engine.open(notify=lambda note: None)  # a missing default index: built from it


# -- the same checks through four doors ----------------------------------------

class Cli:
    """``sagashi ...`` (in process), the index named by --index or SAGASHI_INDEX."""

    def __init__(self, capsys, index: Path | None) -> None:
        self.capsys, self.index = capsys, index

    def run(self, *argv) -> tuple[str, str]:
        extra = ["--index", self.index] if self.index is not None else []
        code, out, err = run_cli(self.capsys, *argv, *extra)
        assert code == 0, err
        return out, err

    def build(self, data: Path) -> str:
        return self.run("index", "build", "--data", data, "--columns", COLUMNS)[1]

    def search(self, query: str, *options: str) -> dict:
        out, err = self.run("search", query, "--json", "--limit", "50", *options)
        assert err == "", err
        return json.loads(out)

    def show(self, no: int) -> tuple[dict, str]:
        return json.loads(self.run("show", no, "--json")[0]), self.run("show", no)[0]

    def update(self, data: Path) -> None:
        self.run("index", "update", data)

    def delete(self, no: int) -> None:
        self.run("index", "delete", no)


class Library:
    """The library, the index passed explicitly or taken from SAGASHI_INDEX."""

    def __init__(self, index: Path | None) -> None:
        self.index = index
        self.notes: list[str] = []

    def build(self, data: Path) -> str:
        report = build_index(data, self.index, columns=COLUMNS)
        return "\n".join(report.notes)

    def search(self, query: str, *options: str) -> dict:
        kwargs: dict = {"filters": []}
        explain = "--explain" in options
        options = tuple(o for o in options if o != "--explain")
        for flag, value in zip(options[::2], options[1::2]):
            if flag == "--filter":
                kwargs["filters"].append(value)
            else:
                kwargs[flag.lstrip("-")] = value
        with Engine.open(self.index, notify=self.notes.append) as engine:
            return engine.search(query, 50, facets=True, explain=explain, **kwargs) \
                .to_json(explain)

    def show(self, no: int) -> tuple[dict, str]:
        with Engine.open(self.index, notify=self.notes.append) as engine:
            project = engine.get(no)
        from sagashi.cli.render import render_project
        return project.to_json(), render_project(project)

    def update(self, data: Path) -> None:
        update_index(data, self.index)

    def delete(self, no: int) -> None:
        delete_records([no], self.index)


def hits(answer: dict) -> list[int]:
    return sorted(h["no"] for h in answer["hits"])


def check_own_list(door, data: Path, tmp_path: Path) -> None:
    notes = door.build(data)
    assert "no column for entity type (法人格)" in notes  # said once, at build time

    # search: the user's own records, not the bundled corpus (17 records)
    answer = door.search("札幌")
    assert hits(answer) == [1] and answer["total"] == 1
    assert answer["hits"][0]["extra"] == {"助成額": "1200000", "年度": "2024", "担当者": "田中"}
    assert hits(door.search("外国人")) == [1, 2, 3, 4, 5, 6]

    # show: the kept columns, as text and JSON
    project, text = door.show(3)
    assert project["organization"] == "公益財団法人ひょうご国際交流"
    assert project["summary"] == "神戸市で外国人と多言語の防災訓練を行う"
    assert project["extra"] == {"助成額": "1500000", "年度": "2024", "担当者": "田中"}
    assert project["entity"] == "公益財団法人" and project["prefecture"] == "兵庫県"
    assert text.splitlines()[-3:] == ["助成額: 1500000", "年度: 2024", "担当者: 田中"]

    # field queries on kept columns; a value the column holds is not "unmatched"
    answer = door.search("担当者:田中")
    assert hits(answer) == [1, 3, 6] and answer["unmatched"] == []
    assert door.search("担当者:山田")["unmatched"] == ["山田"]
    assert hits(door.search("年度:2023")) == [2, 4]
    assert hits(door.search("外国人 担当者:鈴木")) == [2, 5]
    explained = door.search("担当者:田中", "--explain")["hits"][0]["explain"]
    assert {"concept": "田中", "field": "担当者", "term": "田中", "source": "literal"} in [
        {k: e[k] for k in ("concept", "field", "term", "source")} for e in explained]

    # --filter with = and comparisons, and the usual filters
    assert hits(door.search("外国人", "--filter", "年度=2024")) == [1, 3, 5, 6]
    assert hits(door.search("外国人", "--filter", "助成額>=1000000")) == [1, 3]
    assert hits(door.search("外国人", "--filter", "助成額<500000")) == [5, 6]
    assert hits(door.search("外国人", "--filter", "年度=2023", "--filter",
                            "助成額>=600000")) == [2]
    assert hits(door.search("外国人", "--filter", "担当者=田中")) == [1, 3, 6]
    assert hits(door.search("外国人", "--pref", "hyogo")) == [3]
    assert hits(door.search("外国人", "--entity", "NPO法人")) == [1]  # from the name

    # facets: prefecture, entity type, and the kept columns with few values
    facets = door.search("外国人")["facets"]
    assert facets["年度"] == {"2024": 4, "2023": 2}
    assert facets["担当者"] == {"田中": 3, "鈴木": 2, "佐藤": 1}
    assert "助成額" not in facets  # a value per record: not a facet
    assert facets["entity"] == {"(unknown)": 1, "一社": 1, "公財": 1, "株": 1, "特非": 1,
                                "福": 1}
    assert facets["prefecture"]["北海道"] == 1

    # update (replace 2, add 7) and delete
    door.update(write_csv(tmp_path / "update.csv", UPDATE))
    assert hits(door.search("担当者:山本")) == [2, 7]
    assert hits(door.search("外国人", "--filter", "年度=2025")) == [2, 7]
    assert door.show(2)[0]["extra"]["助成額"] == "900000"
    door.delete(7)
    assert hits(door.search("外国人")) == [1, 2, 3, 4, 5, 6]
    assert hits(door.search("長崎")) == []


@pytest.mark.parametrize("via", ["--index", "SAGASHI_INDEX"])
def test_own_list_through_the_cli(capsys, tmp_path, monkeypatch, no_bundled_corpus, via):
    data = write_csv(tmp_path / "mine.csv")
    index = tmp_path / "myidx"
    if via == "SAGASHI_INDEX":
        monkeypatch.setenv("SAGASHI_INDEX", str(index))
    check_own_list(Cli(capsys, index if via == "--index" else None), data, tmp_path)
    assert index_stats(index).records == 6


@pytest.mark.parametrize("via", ["argument", "SAGASHI_INDEX"])
def test_own_list_through_the_library(tmp_path, monkeypatch, no_bundled_corpus, via):
    data = write_csv(tmp_path / "mine.csv")
    index = tmp_path / "myidx"
    if via == "SAGASHI_INDEX":
        monkeypatch.setenv("SAGASHI_INDEX", str(index))
    door = Library(index if via == "argument" else None)
    check_own_list(door, data, tmp_path)
    assert door.notes == [] and index_stats(index).records == 6


def test_the_issue_as_typed(tmp_path):
    """SAGASHI_INDEX=$PWD/myidx sagashi index build --data mine.csv; sagashi
    search 札幌: real processes, as the issue ran them."""
    data = write_csv(tmp_path / "mine.csv")
    env = {**os.environ, **STRICT_IO, "SAGASHI_INDEX": str(tmp_path / "myidx")}

    def sagashi(*argv):
        return subprocess.run([sys.executable, "-m", "sagashi", *map(str, argv)], env=env,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)

    built = sagashi("index", "build", "--data", data, "--columns", COLUMNS)
    assert built.returncode == 0 and built.stderr.endswith(f"into {tmp_path / 'myidx'}\n")
    found = sagashi("search", "札幌")
    assert found.returncode == 0 and found.stderr == "", found.stderr
    assert "NPO法人さっぽろ多文化ネット" in found.stdout and "1 result" in found.stdout
    stats = json.loads(sagashi("index", "stats", "--json").stdout)
    assert stats["records"] == 6 and stats["data"]["path"] == str(data)


# -- Excel ------------------------------------------------------------------------

QUESTIONS = [("札幌", {}), ("外国人", {}), ("担当者:田中", {}), ("年度:2023", {}),
             ("外国人", {"filters": {"年度": 2024}}), ("外国人", {"filters": {"助成額": ">=1000000"}}),
             ("外国人", {"pref": "関西"}), ("外国人 担当者:鈴木", {"entity": "株式会社"})]


def answers(index: Path) -> list:
    with Engine(index) as engine:
        return [engine.search(q, facets=True, **kw).to_json() for q, kw in QUESTIONS] + \
            [engine.get(no).to_json() for no in range(1, 7)]


def test_the_same_list_as_xlsx_gives_identical_answers(tmp_path, no_bundled_corpus):
    csv_report = build_index(write_csv(tmp_path / "mine.csv"), tmp_path / "csv", columns=COLUMNS)
    xlsx = write_xlsx(tmp_path / "mine.xlsx")
    report = build_index(xlsx, tmp_path / "xlsx", columns=COLUMNS)
    assert (report.data_format, report.sheet, report.records_indexed) == ("xlsx", "名簿", 6)
    assert answers(tmp_path / "xlsx") == answers(tmp_path / "csv")
    assert all(a["total"] if "total" in a else a["extra"] for a in answers(tmp_path / "xlsx"))
    assert index_stats(tmp_path / "xlsx").columns == index_stats(tmp_path / "csv").columns
    assert report.notes == csv_report.notes == (
        "no column for entity type (法人格) among the headers 番号, 団体名, プロジェクト名, 事業の説明, "
        "活動地域, 助成額, 年度, 担当者; name one with --columns 'HEADER=role'",)


def test_xlsx_sheet_by_name_and_errors_name_sheet_row_and_column(tmp_path, capsys):
    book = write_xlsx(tmp_path / "book.xlsx", sheet="名簿", before=["表紙"])
    with pytest.raises(DataError) as e:
        load_records(book)  # the first sheet is the cover
    assert str(e.value) == f"{book}, sheet 表紙, row 1: no title or summary column (the headers are メモ)"
    assert len(load_records(book, columns=COLUMNS, sheet="名簿").records) == 6
    with pytest.raises(UsageError, match="has no sheet '一覧'") as e:
        load_records(book, sheet="一覧")
    assert e.value.hint == "its sheets are 表紙, 名簿"

    bad = [r[:] for r in ROWS]
    bad[2][2] = bad[2][3] = ""  # no title, no summary on row 4 (the header is row 1)
    path = write_xlsx(tmp_path / "bad.xlsx", bad)
    with pytest.raises(DataError) as e:
        load_records(path, columns=COLUMNS)
    assert (e.value.sheet, e.value.line, e.value.column) == ("名簿", 4, "プロジェクト名 (C)")
    assert str(e.value) == (f"{path}, sheet 名簿, row 4, column プロジェクト名 (C): "
                            "empty プロジェクト名 and 事業の説明")
    code, _, err = run_cli(capsys, "index", "build", "--data", path, "--columns", COLUMNS,
                           "--index", tmp_path / "ix")
    assert code == 1 and err.startswith(f"sagashi: error: {path}, sheet 名簿, row 4, ")
    code, _, err = run_cli(capsys, "index", "build", "--data", book, "--sheet", "一覧",
                           "--index", tmp_path / "ix")
    assert code == 2 and "has no sheet '一覧' (hint: its sheets are 表紙, 名簿)" in err
    code, _, err = run_cli(capsys, "index", "build", "--data", write_csv(tmp_path / "m.csv"),
                           "--sheet", "名簿", "--index", tmp_path / "ix")
    assert code == 2 and "--sheet is for .xlsx files" in err


def test_old_xls_and_broken_workbooks_are_refused_clearly(tmp_path):
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(DataError, match="Excel 97-2003") as e:
        load_records(xls)
    assert "save it as .xlsx" in e.value.hint
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataError, match="not a readable Excel workbook"):
        load_records(broken)


# -- columns: roles, recognised headers, what is said ---------------------------------

@pytest.mark.parametrize("role, header", [(r, h) for r, names in HEADERS.items() for h in names])
def test_every_listed_header_is_recognised(role, header):
    assert role_name(header) == role
    others = {"title": "事業名", "summary": "概要"}
    cells = [header, *(h for r, h in others.items() if r != role)]
    data = parse_records("\t".join(cells) + "\n" + "\t".join(["1"] * len(cells)) + "\n")
    assert data.roles[header.strip()] == role and data.extra == ()


def test_readme_lists_every_recognised_header():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your own data"):]
    section = section[:section.index("\n## ", 5)]
    missing = [h for names in HEADERS.values() for h in names if f"`{h}`" not in section]
    assert missing == []


def test_a_title_or_a_summary_is_all_a_file_needs(tmp_path):
    data = parse_records("概要\n外国人の相談\n多言語の防災\n")
    assert [(r.no, r.summary, r.title) for r in data.records] == [
        (1, "外国人の相談", ""), (2, "多言語の防災", "")]
    assert data.numbered_by_row
    assert data.notes[-1] == ("no id column: records are numbered by row, 1 to 2 (updates and "
                              "deletes need an id column: 番号, No or ID)")
    with pytest.raises(DataError, match=r"no title or summary column \(the headers are 団体名, "
                                        r"住所\)") as e:
        parse_records("団体名,住所\n会,札幌市\n", "p.csv")
    assert e.value.hint == "name one with --columns, for example --columns '団体名=title'"


def test_columns_option_errors_say_what_to_do():
    with pytest.raises(UsageError, match="unknown role 'body' for column '本文'") as e:
        parse_records("本文\nx\n", columns="本文=body")
    assert "summary" in e.value.hint and "extra" in e.value.hint
    with pytest.raises(UsageError, match="HEADER=role pairs"):
        parse_records("本文\nx\n", columns="本文")
    with pytest.raises(DataError, match="'説明文' named in --columns is not in the file"):
        parse_records("本文\nx\n", columns="説明文=summary")
    with pytest.raises(DataError, match="'本文' and 'メモ' are both mapped to summary"):
        parse_records("本文,メモ\nx,y\n", columns="本文=summary,メモ=summary")


def test_a_second_column_for_a_role_is_kept_and_said(tmp_path):
    data = parse_records("事業名,概要,事業内容\n教室,日本語,週二回\n")
    assert data.roles == {"事業名": "title", "概要": "summary"}
    assert data.records[0].extra == {"事業内容": "週二回"}
    assert data.notes[0] == ("column '事業内容' is kept as an ordinary column: '概要' is the "
                             "summary (choose with --columns '事業内容=summary')")


def test_a_non_numeric_id_can_be_kept_as_an_ordinary_column():
    with pytest.raises(DataError, match="ID must be a whole number, got 'R5-001'") as e:
        parse_records("ID,事業名\nR5-001,教室\n", "p.csv")
    assert e.value.hint == ("if ID is not a record number, keep it as an ordinary column: "
                            "--columns 'ID=extra'")
    data = parse_records("ID,事業名\nR5-001,教室\n", columns="ID=extra")
    assert data.records[0].no == 1 and data.records[0].extra == {"ID": "R5-001"}


@pytest.mark.parametrize("name, entity", [
    ("NPO法人まなびと", "NPO法人"), ("特定非営利活動法人まなびと", "特定非営利活動法人"),
    ("一般社団法人つなぐ", "一般社団法人"), ("公益財団法人国際交流", "公益財団法人"),
    ("社会福祉法人ひかり", "社会福祉法人"), ("株式会社グローバル", "株式会社"),
    ("グローバル株式会社", "株式会社"), ("（一社）つなぐ", "一社"), ("まなびと", "")])
def test_entity_type_from_the_organisation_name(name, entity):
    data = parse_records(f"団体名,法人格,事業名\n{name},,教室\n")
    assert data.records[0].entity == entity
    given = parse_records(f"団体名,法人格,事業名\n{name},(任意団体),教室\n")
    assert given.records[0].entity == "(任意団体)"  # a filled column wins


def test_updates_and_deletes_need_an_id_column(tmp_path, capsys):
    data = tmp_path / "noid.csv"
    data.write_text("団体名,事業名\n会,日本語教室\n会,防災訓練\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "index", "build", "--data", data, "--index", tmp_path / "ix")
    assert code == 0
    assert "sagashi: no id column: records are numbered by row, 1 to 2" in err
    for argv in (["update", data], ["delete", "1"]):
        code, _, err = run_cli(capsys, "index", *argv, "--index", tmp_path / "ix")
        assert code == 2 and err.count("\n") == 1
        assert "numbers its records by row" in err and "no id column" in err
        assert "(hint: give the data an id column (番号, No or ID" in err
    build_index(write_csv(tmp_path / "ids.csv"), tmp_path / "ids", columns=COLUMNS)
    with pytest.raises(DataError, match="the file has no id column") as e:
        update_index(data, tmp_path / "ids")
    assert "add an id column" in e.value.hint


# -- the index remembers its data: staleness and rebuilds --------------------------

@pytest.fixture
def own_default(tmp_path, monkeypatch, no_bundled_corpus) -> tuple[Path, Path]:
    """An index built from mine.csv, the default one through SAGASHI_INDEX."""
    data = write_csv(tmp_path / "mine.csv")
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "myidx"))
    build_index(data, columns=COLUMNS)
    return data, tmp_path / "myidx"


def test_an_edited_file_rebuilds_the_index_from_that_file(capsys, own_default):
    data, index = own_default
    write_csv(data, [*ROWS, UPDATE[1]])
    code, out, err = run_cli(capsys, "search", "長崎")
    assert code == 0 and "NPO法人ながさき虹の会" in out
    assert err == f"sagashi: {data} changed since the index was built; rebuilding it\n"
    stats = index_stats(index)
    assert stats.records == 7 and stats.data["options"] == {"columns": {"事業の説明": "summary"}}
    code, out, err = run_cli(capsys, "search", "長崎")  # and now it is current
    assert code == 0 and err == ""


def test_an_edited_file_under_an_explicit_index_is_named_in_the_hint(capsys, own_default):
    data, index = own_default
    write_csv(data, [*ROWS, UPDATE[1]])
    code, out, err = run_cli(capsys, "search", "長崎", "--index", index)
    assert code == 0 and "No results" in out
    assert err == (f"sagashi: {data} changed since the index at {index} was built; reindex with:"
                   f" sagashi index build --data {data} --columns '事業の説明=summary' "
                   f"--index {index}\n")
    # that command, and a plain `index build`, rebuild from mine.csv with its columns
    code, _, err = run_cli(capsys, "index", "build", "--index", index)
    assert code == 0 and f"read 7 records from {data}" in err
    assert index_stats(index).records == 7


def test_a_moved_file_leaves_the_index_answering_with_a_note(capsys, own_default, tmp_path):
    data, index = own_default
    gen = storage.current_generation(index)
    data.rename(tmp_path / "moved.csv")
    code, out, err = run_cli(capsys, "search", "札幌")
    assert code == 0 and "NPO法人さっぽろ多文化ネット" in out
    assert err == (f"sagashi: the data file the index at {index} was built from, {data}, is no "
                   "longer there (moved or deleted); answering from the index as it is (to "
                   f"rebuild it: sagashi index build --data FILE --index {index})\n")
    assert storage.current_generation(index) == gen
    with Engine.open(notify=(notes := []).append) as engine:
        assert nos(engine.search("札幌")) == [1]
    assert len(notes) == 1 and "no longer there" in notes[0]
    code, _, err = run_cli(capsys, "index", "build")  # nothing to rebuild from: said so
    assert code == 1 and f"was built from {data}, which is no longer there" in err
    assert storage.current_generation(index) == gen


def test_bad_rows_in_a_rebuild_leave_the_old_index_answering(capsys, own_default):
    data, index = own_default
    gen = storage.current_generation(index)
    data.write_text(data.read_text(encoding="utf-8") + "8,会,,,札幌市,1,2024,田中\n",
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "search", "札幌")
    assert code == 0 and "NPO法人さっぽろ多文化ネット" in out
    lines = err.splitlines()
    assert lines[0] == f"sagashi: {data} changed since the index was built; rebuilding it"
    assert lines[1] == (f"sagashi: warning: could not rebuild the index at {index}: {data}:8 "
                        "column プロジェクト名: empty プロジェクト名 and 事業の説明 (every record "
                        "needs a title or a summary); answering from the index as it was")
    assert len(lines) == 2 and storage.current_generation(index) == gen


def test_an_index_of_older_settings_is_rebuilt_from_its_own_file(own_default):
    data, index = own_default
    gen = storage.current_generation(index)
    manifest = json.loads((gen / storage.MANIFEST).read_text(encoding="utf-8"))
    storage.write_json_atomic(gen / storage.MANIFEST, {**manifest, "schema_version": 4})
    notes: list[str] = []
    with Engine.open(notify=notes.append) as engine:
        assert nos(engine.search("札幌")) == [1] and engine.search("外国人").total == 6
    assert notes == [f"the index at {index} was built with other settings; rebuilding it "
                     f"from {data}"]


def test_a_missing_default_index_is_built_from_the_default_data(tmp_path, monkeypatch,
                                                                  no_bundled_corpus):
    """SAGASHI_DATA names what a missing default index is built from; the
    index then remembers that file, even once SAGASHI_DATA is gone."""
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    monkeypatch.setenv("SAGASHI_DATA", str(write_csv(tmp_path / "mine.csv", header=[
        "番号", "団体名", "プロジェクト名", "概要", "活動地域", "助成額", "年度", "担当者"])))
    notes: list[str] = []
    with Engine.open(notify=notes.append) as engine:
        assert nos(engine.search("札幌")) == [1]
    assert notes == [f"the index at {tmp_path / 'ix'} is missing; building it from "
                     f"{tmp_path / 'mine.csv'}"]
    monkeypatch.delenv("SAGASHI_DATA")
    report = build_index()  # no --data: the file the index remembers
    assert report.data_path == str(tmp_path / "mine.csv") and report.records_indexed == 6


def test_a_default_index_built_from_the_bundled_corpus_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("SAGASHI_DATA", raising=False)
    monkeypatch.setenv("SAGASHI_INDEX", str(tmp_path / "ix"))
    Engine.open(notify=lambda note: None).close()
    data = index_stats(tmp_path / "ix").data
    assert data["bundled"] and data["path"] == str(DATA.resolve())
    assert rebuild_command(tmp_path / "ix", data) == f"sagashi index build --index {tmp_path / 'ix'}"


def test_manifests_from_before_say_bundled_by_their_path(tmp_path):
    assert built_from_bundled({"path": str(DATA.resolve())})
    assert not built_from_bundled({"path": str(tmp_path / "mine.csv")})
    assert not built_from_bundled({"path": str(DATA.resolve()), "bundled": False})
    assert rebuild_command(tmp_path / "ix", {"path": str(DATA.resolve())}) == \
        f"sagashi index build --index {tmp_path / 'ix'}"


# -- filters: what they accept, and errors that list the known values ---------------

def test_pref_filter_takes_places_as_queries_write_them(engine):
    hyogo = nos(engine.search("支援", limit=17, pref="兵庫"))
    assert hyogo
    for name in ("兵庫県", "hyogo", "Hyogo", "ひょうご", "ヒョウゴ", "kobe", "こうべ"):
        assert nos(engine.search("支援", limit=17, pref=name)) == hyogo, name
    assert nos(engine.search("支援", limit=17, pref="kansai")) == \
        nos(engine.search("支援", limit=17, pref="関西"))


def test_unknown_pref_and_entity_are_errors_listing_the_known_values(capsys, corpus_index):
    code, _, err = run_cli(capsys, "search", "支援", "--pref", "Atlantis", "--index", corpus_index)
    assert code == 2 and err.count("\n") == 1
    assert "unknown prefecture or region 'Atlantis'" in err
    assert "関東" in err and "兵庫" in err and "沖縄" in err and "romaji" in err
    code, _, err = run_cli(capsys, "search", "支援", "--entity", "XYZ", "--index", corpus_index)
    assert code == 2 and err.count("\n") == 1 and "unknown entity type 'XYZ'" in err
    assert "特非 (特定非営利活動法人)" in err and "任意団体" in err and "NPO法人" in err


def test_filter_errors_say_what_to_do(capsys, tmp_path):
    build_index(write_csv(tmp_path / "mine.csv"), tmp_path / "ix", columns=COLUMNS)
    cases = [("予算>=1", "no column '予算' to filter on (hint: the columns are 助成額, 年度, 担当者)"),
             ("担当者>=1", "column '担当者' does not hold numbers, so it cannot be compared with "
                        ">= (hint: use = for it; the numeric columns are 助成額, 年度)"),
             ("助成額>=多い", "which is not a number"),
             ("助成額", "a filter is HEADER=VALUE or HEADER>=NUMBER, got '助成額'")]
    for expr, message in cases:
        code, _, err = run_cli(capsys, "search", "外国人", "--filter", expr, "--index",
                               tmp_path / "ix")
        assert code == 2 and message in err and err.count("\n") == 1, err
    with Engine(tmp_path / "ix") as engine:
        with pytest.raises(UsageError, match="filters must be a mapping"):
            engine.search("外国人", filters="年度=2024")  # type: ignore[arg-type]
        assert nos(engine.search("外国人", filters={"年度": [">=2024", "<2025"],
                                                  "助成額": 1200000})) == [1]


def test_the_bundled_corpus_has_no_kept_columns(corpus_index, capsys):
    code, _, err = run_cli(capsys, "search", "難民", "--filter", "年度=2024", "--index",
                           corpus_index)
    assert code == 2 and "this index keeps no other columns" in err
    with Engine(corpus_index) as engine:
        assert engine.columns == () and engine.search("難民")[0].extra == {}


# -- Ctrl-C and the reindex script ----------------------------------------------------

def test_ctrl_c_during_a_build_says_the_old_index_is_unchanged(tmp_path):
    data = tmp_path / "many.csv"
    rows = [[str(i), f"団体{i}", f"日本語教室{i}", "外国人に日本語を教える" * 20, "札幌市", str(i),
             "2024", "田中"] for i in range(1, 3001)]
    write_csv(data, rows)
    index = tmp_path / "ix"
    build_index(write_csv(tmp_path / "mine.csv"), index, columns=COLUMNS)
    gen = storage.current_generation(index)
    proc = subprocess.Popen([sys.executable, "-m", "sagashi", "index", "build", "--data", data,
                             "--columns", COLUMNS, "--index", index, "--procs", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **STRICT_IO})
    deadline = time.monotonic() + 60
    while not [p for p in index.glob("gen-*") if p != gen] and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)  # inside the build
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err == f"sagashi: error: interrupted; the index at {index} is unchanged\n"
    assert out == "" and storage.current_generation(index) == gen
    with Engine(index) as engine:
        assert engine.search("外国人").total == 6


def test_reindex_script_works_from_a_fresh_clone(tmp_path):
    """The README's first quickstart command makes .venv; scripts/reindex
    then finds it. Without it, one line says what to run, no traceback."""
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "reindex", clone / "scripts" / "reindex")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"  # a system python3 without sagashi
    proc = subprocess.run([clone / "scripts" / "reindex"], capture_output=True, text=True,
                          env=env, cwd=clone)
    if proc.returncode == 0:
        pytest.skip("the system python3 has sagashi installed")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and "python3 -m venv .venv" in proc.stderr
    python = clone / ".venv" / "bin" / "python"  # stands in for the quickstart's venv
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    proc = subprocess.run([clone / "scripts" / "reindex", "--data", write_csv(tmp_path / "m.csv"),
                           "--columns", COLUMNS, "--index", tmp_path / "ix"],
                          capture_output=True, text=True, env=env, cwd=clone)
    assert proc.returncode == 0, proc.stderr
    assert f"sagashi: read 6 records from {tmp_path / 'm.csv'}" in proc.stderr
