"""Loading data files: formats, encodings, and bad data that must change nothing.

Each bad-data case is checked twice: the error names the file, the line and
the column, and a build from the bad file leaves an existing index exactly
as it was (same generation, same files, same answers).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sagashi.cli.main import main
from sagashi.domain.records import Record, load_records, parse_records
from sagashi.engine import Engine
from sagashi.errors import DataError
from sagashi.index import storage
from sagashi.index.build import build_index

from .conftest import DATA, nos

HEADER = ["No", "法人格", "申請団体名", "所在地", "事業名", "概要"]
ENGLISH = ["no", "entity", "organization", "location", "title", "summary"]
ROWS = [
    ["1", "(特非)", "さくら日本語教室", "熊本県熊本市", "日本語教室の運営", "子どもに日本語を教える"],
    ["2", "(一社)", "みなと相談室", "大阪市港区", "外国人相談窓口", "生活相談と通訳"],
    ["3", "", "ひまわり会", "北海道札幌市", "防災訓練", "多言語で防災を学ぶ"],
]
EXPECTED = tuple(Record(int(r[0]), *r[1:]) for r in ROWS)


def tsv(rows, header=HEADER, newline="\n") -> str:
    return newline.join("\t".join(cells) for cells in [header, *rows]) + newline


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


# -- formats -------------------------------------------------------------------

def test_tsv():
    data = parse_records(tsv(ROWS), "p.tsv")
    assert data.records == EXPECTED and data.format == "tsv" and data.rows_read == 3


def test_csv_with_quoted_fields_holding_tabs_commas_newlines_and_quotes(tmp_path):
    text = ("No,法人格,申請団体名,所在地,事業名,概要\n"
            '1,(特非),"さくら, 日本語教室",熊本県熊本市,"日本語\t教室","一行目\n二行目 ""引用"""\n'
            "2,(一社),みなと相談室,大阪市港区,外国人相談窓口,生活相談と通訳\n")
    data = load_records(write(tmp_path, "p.csv", text))
    assert data.format == "csv"
    first, second = data.records
    assert first.organization == "さくら, 日本語教室" and first.title == "日本語\t教室"
    assert first.summary == '一行目\n二行目 "引用"'
    assert second == EXPECTED[1]


def test_json_lines(tmp_path):
    lines = [json.dumps(dict(zip(HEADER, r)), ensure_ascii=False) for r in ROWS]
    lines[0] = lines[0].replace('"1"', "1")  # a number as a JSON number
    data = load_records(write(tmp_path, "p.jsonl", "\n".join(lines) + "\n\n"))
    assert data.records == EXPECTED and data.format == "jsonl"


def test_json_lines_keep_unicode_line_separators_inside_values(tmp_path):
    obj = dict(zip(ENGLISH, ["1", "", "団体", "東京都", "事業", "前\u2028後"]))
    data = load_records(write(tmp_path, "p.jsonl", json.dumps(obj, ensure_ascii=False) + "\n"))
    assert data.records[0].summary == "前\u2028後"


def test_utf8_with_bom(tmp_path):
    data = load_records(write(tmp_path, "p.tsv", "\ufeff" + tsv(ROWS)))
    assert data.records == EXPECTED and data.encoding == "utf-8"


def test_cp932_is_detected(tmp_path):
    data = load_records(write(tmp_path, "p.tsv", tsv(ROWS), "cp932"))
    assert data.records == EXPECTED and data.encoding == "cp932"


@pytest.mark.parametrize("name", ["cp932", "Shift_JIS", "sjis"])
def test_cp932_named_with_encoding(tmp_path, name):
    rows = [[*ROWS[0][:5], "①②の髙橋"]]  # NEC and IBM extensions: CP932 only
    data = load_records(write(tmp_path, "p.tsv", tsv(rows), "cp932"), encoding=name)
    assert data.records[0].summary == "①②の髙橋" and data.encoding == name


def test_utf16_with_bom_as_excel_unicode_text(tmp_path):
    data = load_records(write(tmp_path, "p.txt", tsv(ROWS, newline="\r\n"), "utf-16"))
    assert data.records == EXPECTED and data.encoding == "utf-16"


def test_crlf_line_endings(tmp_path):
    data = load_records(write(tmp_path, "p.tsv", tsv(ROWS, newline="\r\n")))
    assert data.records == EXPECTED


def test_blank_lines_are_skipped_and_line_numbers_still_count_them(tmp_path):
    text = "\n\n" + tsv(ROWS[:1]) + "\n  \n" + "\t".join(ROWS[1]) + "\n\n"
    path = write(tmp_path, "p.tsv", text)
    assert load_records(path).records == EXPECTED[:2]
    with pytest.raises(DataError) as e:  # the bad row is on physical line 7
        load_records(write(tmp_path, "q.tsv", text.replace("外国人相談窓口\t生活相談と通訳", "\t")))
    assert (e.value.line, e.value.column) == (7, "事業名")


def test_english_column_names_in_any_order(tmp_path):
    order = [5, 0, 2, 1, 4, 3]
    header = [ENGLISH[i].upper() if i % 2 else ENGLISH[i] for i in order]
    rows = [[r[i] for i in order] for r in ROWS]
    assert load_records(write(tmp_path, "p.tsv", tsv(rows, header))).records == EXPECTED


def test_empty_columns_at_the_end_of_a_spreadsheet_export(tmp_path):
    text = "\n".join(",".join([*cells, "", ""]) for cells in [HEADER, *ROWS]) + "\n"
    assert load_records(write(tmp_path, "p.csv", text)).records == EXPECTED


def test_full_width_numbers_are_numbers():
    assert parse_records(tsv([["１２", *ROWS[0][1:]]])).records[0].no == 12


def test_the_bundled_corpus_loads():
    data = load_records(DATA)
    assert len(data.records) == data.rows_read == 17 and len(data.sha256) == 64


# -- bad data: the message names file, line and column; the index is unchanged --

def _bad_cases():
    good = tsv(ROWS)
    yield ("unnamed column", tsv([[*r[:3], "x", *r[3:]] for r in ROWS], [*HEADER[:3], "", *HEADER[3:]]),
           1, "4", "column 4 has no header")
    yield ("repeated column", tsv([[*r, "x"] for r in ROWS], [*HEADER, "概要"]), 1, "概要",
           "column '概要' appears twice")
    yield "empty No", good.replace("\n2\t", "\n\t"), 3, "No", "empty No"
    yield "duplicate No", good.replace("\n3\t", "\n1\t"), 4, "No", "duplicate No 1"
    yield "non-numeric No", good.replace("\n2\t", "\n2a\t"), 3, "No", "No must be a whole number"
    yield ("empty title and summary", good.replace("外国人相談窓口\t生活相談と通訳", " \t"), 3,
           "事業名", "empty 事業名 and 概要")
    yield ("empty title, no summary column", tsv([r[:4] + r[4:5] for r in ROWS], HEADER[:5])
           .replace("防災訓練", ""), 4, "事業名", "empty 事業名")
    yield ("undecodable bytes", good.encode().replace("通訳".encode(), b"\xff\xfe"), 3, "概要",
           "cannot be decoded as utf-8")
    yield ("ragged row", good.replace("\t生活相談と通訳", ""), 3, "概要",
           "ragged row: 5 cells where the header has 6")
    yield ("ragged row, too long", good.replace("生活相談と通訳", "生活相談と通訳\t余分"), 3, "7",
           "ragged row: 7 cells where the header has 6")
    yield ("unclosed quote", good.replace("生活相談と通訳", '"生活相談と通訳'), 3, "概要",
           "a quote is not closed")


BAD_CASES = list(_bad_cases())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A small index that every bad build below tries, and fails, to replace."""
    root = tmp_path_factory.mktemp("served") / "ix"
    build_index(write(root.parent, "good.tsv", tsv(ROWS)), root)
    return root


def _snapshot(root: Path):
    with Engine(root) as engine:
        answers = [nos(engine.search(q)) for q in ("日本語教室", "通訳", "防災")]
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name != storage.LOCK)
    return storage.current_generation(root).name, files, answers


@pytest.mark.parametrize("case, text, line, column, message", BAD_CASES,
                         ids=[c[0] for c in BAD_CASES])
def test_bad_data_is_located_and_changes_nothing(tmp_path, capsys, served, case, text, line,
                                                 column, message):
    path = write(tmp_path, "bad.tsv", text)
    before = _snapshot(served)
    with pytest.raises(DataError) as e:
        build_index(path, served)
    err = e.value
    assert (err.path, err.line, err.column) == (str(path), line, column)
    assert str(err).startswith(f"{path}:{line} column {column}: ")
    assert message in str(err)
    assert _snapshot(served) == before

    code = main(["index", "build", "--data", str(path), "--index", str(served)])
    _, stderr = capsys.readouterr()
    assert code == 1
    assert stderr.startswith(f"sagashi: error: {path}:{line} column {column}: ")
    assert stderr.count("\n") == 1 and message in stderr
    assert _snapshot(served) == before


def test_cp932_file_with_a_broken_byte_names_the_line(tmp_path):
    raw = tsv(ROWS).encode("cp932").replace("通訳".encode("cp932"), b"\x81\x7f")
    with pytest.raises(DataError, match="cannot be decoded as cp932") as e:
        load_records(write(tmp_path, "p.tsv", raw))
    assert (e.value.line, e.value.column) == (3, "概要")


def test_wrong_encoding_named_is_an_error_not_mojibake(tmp_path):
    path = write(tmp_path, "p.tsv", tsv(ROWS), "cp932")
    with pytest.raises(DataError, match="cannot be decoded as utf-8") as e:
        load_records(path, encoding="utf-8")
    assert e.value.line == 1 and "--encoding" in e.value.hint
    with pytest.raises(DataError, match="unknown encoding 'latin-9x'"):
        load_records(path, encoding="latin-9x")


def test_a_file_with_only_a_header_builds_nothing(tmp_path, served):
    before = _snapshot(served)
    with pytest.raises(DataError, match="no records; nothing was changed"):
        build_index(write(tmp_path, "empty.tsv", tsv([])), served)
    assert _snapshot(served) == before


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_records(tmp_path / "nope.tsv")
    with pytest.raises(DataError, match="no header and no records"):
        load_records(write(tmp_path, "empty.tsv", "\n\n"))
