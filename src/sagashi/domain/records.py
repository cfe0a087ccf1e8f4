"""Loading and validating project records from TSV, CSV or JSON Lines files.

Spreadsheet exports are messy, so this module is strict about structure and
forgiving about encoding details: UTF-8 with or without a BOM, Shift_JIS /
CP932 as Excel writes it, or UTF-16 with a BOM; CRLF line endings; blank
lines; quoted fields that hold tabs, commas or newlines. Every problem raises
:class:`DataError` naming the file, the line and the column. No record is
ever dropped silently: not even by a quote left open, which would otherwise
turn the rows after it into the text of one value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, fields
from pathlib import Path

from ..analysis.chars import fold, nfkc
from ..errors import DataError

#: Record fields in file order, with the Japanese column header of each.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "No"),
    ("entity", "法人格"),
    ("organization", "申請団体名"),
    ("location", "所在地"),
    ("title", "事業名"),
    ("summary", "概要"),
)
REQUIRED_VALUES = ("organization", "title")

#: Every accepted spelling of a column name (compared case-insensitively).
COLUMN_NAMES: dict[str, str] = {
    **{ja.lower(): en for en, ja in COLUMNS},
    **{en: en for en, _ in COLUMNS},
    "番号": "no", "団体名": "organization", "organisation": "organization",
    "name": "organization", "entity_type": "entity", "place": "location",
}


@dataclass(frozen=True)
class Record:
    """One project: the six columns of the data file, cleaned."""

    no: int
    entity: str
    organization: str
    location: str
    title: str
    summary: str

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DataFile:
    """The validated records of one file, with what was detected about it."""

    path: str
    records: tuple[Record, ...]
    sha256: str
    format: str
    encoding: str
    rows_read: int


def load_records(path: str | Path, encoding: str | None = None) -> DataFile:
    """Read and validate every record of ``path``.

    The format (TSV, CSV or JSON Lines) is detected from the content, and the
    encoding too unless ``encoding`` names it. Raises :class:`DataError`.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file", str(path), hint="check the path") from None
    except IsADirectoryError:
        raise DataError("is a directory, not a data file", str(path)) from None
    except OSError as e:
        raise DataError(f"cannot read ({e.strerror})", str(path)) from None
    text, used = decode(raw, str(path), encoding)
    return parse_records(text, str(path), used, hashlib.sha256(raw).hexdigest())


def parse_records(text: str, path: str = "<text>", encoding: str = "utf-8",
                  sha256: str = "") -> DataFile:
    """Parse already decoded text (see :func:`load_records`)."""
    sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise DataError("the file holds no header and no records", path,
                        hint="a data file starts with a header line such as "
                             + "\\t".join(ja for _, ja in COLUMNS))
    if first.lstrip().startswith("{"):
        fmt, rows = "jsonl", _jsonl_rows(text, path)
    else:
        fmt = "tsv" if first.count("\t") >= first.count(",") else "csv"
        rows = _delimited_rows(text, path, "\t" if fmt == "tsv" else ",")
    records: list[Record] = []
    seen: dict[int, int] = {}
    count = 0
    for line, values in rows:
        count += 1
        record = _make_record(values, path, line)
        if record.no in seen:
            raise DataError(f"duplicate No {record.no} (first used on line {seen[record.no]})",
                            path, line, "No", hint="every record needs its own No")
        seen[record.no] = line
        records.append(record)
    return DataFile(path, tuple(records), sha256, fmt, encoding, count)


def decode(raw: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; return the text and the encoding used.

    Without ``encoding``: UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's
    "Unicode text") and, when the bytes are not UTF-8, CP932 as Excel writes
    it. A UTF-8 file with a few broken bytes is an error, not a CP932 file.
    Shift_JIS names mean CP932, Microsoft's superset that Excel really writes.
    """
    if encoding:
        codec = _CODECS.get(encoding.lower().replace("_", "-"), encoding)
        try:
            return raw.decode(codec), encoding
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}", path,
                            hint="use for example utf-8 or cp932") from None
        except UnicodeDecodeError as e:
            raise _undecodable(raw, e, path, encoding) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise _undecodable(raw, e, path, "utf-16") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        if _mostly_utf8(raw):
            raise _undecodable(raw, e, path, "utf-8") from None
        try:
            return raw.decode("cp932"), "cp932"
        except UnicodeDecodeError as e2:
            raise _undecodable(raw, e2, path, "cp932 (nor as utf-8)") from None


_CODECS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "shift-jis": "cp932", "sjis": "cp932",
           "s-jis": "cp932", "shiftjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
           "ms932": "cp932", "mskanji": "cp932"}


def _mostly_utf8(raw: bytes) -> bool:
    """True when most non-ASCII text decodes as UTF-8: a UTF-8 file with a few
    broken bytes. CP932 text almost never forms valid UTF-8 sequences."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if c > "\x7f") - bad
    return good > bad


def _undecodable(raw: bytes, e: UnicodeDecodeError, path: str, tried: str) -> DataError:
    line = raw[:e.start].count(b"\n") + 1
    line_start = raw.rfind(b"\n", 0, e.start) + 1
    column = _column_at(raw, line_start, e.start)
    return DataError(f"bytes that cannot be decoded as {tried} at byte {e.start - line_start + 1}"
                     f" of the line ({raw[e.start:e.start + 4]!r})", path, line, column,
                     hint="save the file as UTF-8, or name its encoding with --encoding")


def _column_at(raw: bytes, line_start: int, pos: int) -> str | None:
    """The name of the column holding byte ``pos`` of a delimited file, from
    its header (best effort: quoting is ignored; None for JSON Lines)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None
    header = next((line for line in raw.splitlines() if line.strip()), b"")
    if header.lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        return None
    delimiter = b"\t" if header.count(b"\t") >= header.count(b",") else b","
    cells = header.split(delimiter)
    index = raw[line_start:pos].count(delimiter)
    if index >= len(cells):
        return None
    for codec in ("utf-8-sig", "cp932"):
        try:
            name = COLUMN_NAMES.get(_key(cells[index].decode(codec)))
        except UnicodeDecodeError:
            continue
        if name is not None:
            return dict(COLUMNS)[name]
    return None


def _delimited_rows(text: str, path: str, delimiter: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, end = None, 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = _header(cells, path, line)
                continue
            _check_quoting(header, cells, path, line, delimiter)
            yield line, _row_values(header, cells, path, line)
    except csv.Error as e:
        raise DataError(f"malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({e})",
                        path, reader.line_num, hint="check the quoting of that row") from None


def _check_quoting(header: list[str], cells: list[str], path: str, line: int,
                   delimiter: str) -> None:
    """Refuse a quoted value that swallowed the records after it.

    A value opened with a quote that is closed lines later (or never) takes
    the rows in between as its text: records would vanish without an error.
    A line inside a value that starts like a record (a number, then the
    delimiter) gives it away.
    """
    starts_record = re.compile(rf"\s*\d+\s*{re.escape(delimiter)}(?!\d)")
    breaks = 0
    for index, cell in enumerate(cells):
        parts = _LINE_BREAK.split(cell)
        for k, part in enumerate(parts[1:], 1):
            if starts_record.match(part):
                name = dict(COLUMNS)[header[index]] if index < len(header) else None
                raise DataError(f"a quoted value that starts here runs on into line "
                                f"{line + breaks + k}, which looks like a record of its own "
                                f"({part.strip()[:20]!r}...); a quote is not closed",
                                path, line, name,
                                hint='close the quote; a " inside a quoted value is written ""')
        breaks += len(parts) - 1


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _jsonl_rows(text: str, path: str):
    # split on line feeds only: JSON text may hold U+2028 and friends
    for line, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise DataError(f"invalid JSON ({e.msg} at character {e.colno})", path, line) from None
        if not isinstance(obj, dict):
            raise DataError("each line must be a JSON object", path, line)
        header = _header(list(obj), path, line)
        yield line, {name: _json_value(value, path, line, key)
                     for name, (key, value) in zip(header, obj.items())}


def _json_value(value, path, line, key) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DataError(f"expected text or a whole number, got {type(value).__name__}",
                        path, line, key)
    return str(value)


def _key(cell: str) -> str:
    return fold(cell.strip().lstrip("\ufeff")).strip()


def _header(cells: list[str], path: str, line: int) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1].strip():  # spreadsheets add empty columns at the end
        cells.pop()
    names = []
    for cell in cells:
        name = COLUMN_NAMES.get(_key(cell))
        if name is None:
            raise DataError(f"unknown column {cell.strip()!r}", path, line,
                            cell.strip() or "(empty)",
                            hint="columns are " + ", ".join(f"{ja} ({en})" for en, ja in COLUMNS))
        if name in names:
            raise DataError(f"column {cell.strip()!r} appears twice", path, line, cell.strip())
        names.append(name)
    missing = [ja for en, ja in COLUMNS if en not in names]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}", path, line,
                        ", ".join(missing),
                        hint="the header needs " + ", ".join(ja for _, ja in COLUMNS))
    return names


def _row_values(header: list[str], cells: list[str], path: str, line: int) -> dict[str, str]:
    if len(cells) < len(header):
        missing = dict(COLUMNS)[header[len(cells)]]
        raise DataError(f"ragged row: {len(cells)} cells where the header has {len(header)} "
                        f"(no {missing} cell)", path, line, missing,
                        hint="check for a missing tab/comma in that row")
    extra = next((i for i in range(len(header), len(cells)) if cells[i].strip()), None)
    if extra is not None:
        raise DataError(f"ragged row: {len(cells)} cells where the header has {len(header)} "
                        f"(cell {extra + 1} is past the last column)", path, line,
                        str(extra + 1),
                        hint="check for a stray tab/comma in that row, or quote the value")
    return dict(zip(header, cells))


def _make_record(values: dict[str, str], path: str, line: int) -> Record:
    clean = {name: values.get(name, "").strip() for name, _ in COLUMNS}
    ja = dict(COLUMNS)
    no_text = nfkc(clean["no"])
    if not no_text:
        raise DataError("empty No", path, line, "No", hint="every record needs a number")
    if not no_text.isdecimal() or not no_text.isascii():
        raise DataError(f"No must be a whole number, got {clean['no']!r}", path, line, "No")
    for name in REQUIRED_VALUES:
        if not clean[name]:
            raise DataError(f"empty {ja[name]}", path, line, ja[name],
                            hint=f"every record needs {ja[name]} ({name})")
    return Record(**{**clean, "no": int(no_text)})  # type: ignore[arg-type]
