"""Loading and validating project records from TSV, CSV, JSON Lines or
Excel (.xlsx) files.

Spreadsheet exports are messy, so this module is strict about structure and
forgiving about encoding details: UTF-8 with or without a BOM, Shift_JIS /
CP932 as Excel writes it, or UTF-16 with a BOM; CRLF line endings; blank
lines; quoted fields that hold tabs, commas or newlines. Which column plays
which role (id, title ...) is decided by :mod:`sagashi.domain.columns`;
other columns are kept as the record's ``extra``. Every problem raises
:class:`DataError` naming the file (and sheet), the line (or row) and the
column. No record is ever dropped silently: not even by a quote left open,
which would otherwise turn the rows after it into the text of one value.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..analysis.chars import nfkc
from ..errors import DataError, UsageError
from . import excel
from .columns import ROLES, Layout, parse_mapping, resolve
from .entities import entity_in_name

#: The bundled data's columns: each role with its usual Japanese header.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "No"),
    ("entity", "法人格"),
    ("organization", "申請団体名"),
    ("location", "所在地"),
    ("title", "事業名"),
    ("summary", "概要"),
)


@dataclass(frozen=True)
class Record:
    """One project: its six roles, cleaned, and its other columns as
    ``extra`` (``{header: value}``, in file order, empty values left out)."""

    no: int
    entity: str
    organization: str
    location: str
    title: str
    summary: str
    extra: dict[str, str] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DataFile:
    """The validated records of one file, with what was detected about it:
    its format and encoding (or sheet), the role of each column, whether
    records were numbered by row (no id column), the headers of the other
    columns, and notes worth telling the user once."""

    path: str
    records: tuple[Record, ...]
    sha256: str
    format: str
    encoding: str
    rows_read: int
    roles: dict[str, str] = field(default_factory=dict, hash=False)
    extra: tuple[str, ...] = ()
    numbered_by_row: bool = False
    sheet: str | None = None
    notes: tuple[str, ...] = ()


def load_records(path: str | Path, encoding: str | None = None, *,
                 columns: str | Mapping[str, str] | None = None,
                 sheet: str | None = None,
                 known_columns: Mapping[str, str] | None = None) -> DataFile:
    """Read and validate every record of ``path``.

    The format (TSV, CSV, JSON Lines or an Excel .xlsx workbook) is detected
    from the content, and the encoding too unless ``encoding`` names it.
    ``columns`` maps headers to roles (``{"事業の説明": "summary"}`` or
    ``"事業の説明=summary"``); ``known_columns`` maps headers the same way
    where the file has them; ``sheet`` names a workbook's sheet (default:
    the first). Raises :class:`DataError`, or :class:`UsageError` for a bad
    ``columns`` or ``sheet``.
    """
    mapping = _Mapping(parse_mapping(columns), dict(known_columns or {}))
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("no such file", str(path), hint="check the path") from None
    except IsADirectoryError:
        raise DataError("is a directory, not a data file", str(path)) from None
    except OSError as e:
        raise DataError(f"cannot read ({e.strerror})", str(path)) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    if raw.startswith(excel.OLE_MAGIC):
        raise DataError("an Excel 97-2003 (.xls) workbook, which sagashi cannot read",
                        str(path), hint="save it as .xlsx (Excel workbook) or as CSV")
    if excel.is_workbook(raw, str(path)):
        name, rows = excel.read_sheet(raw, str(path), sheet)
        src = _Source(str(path), name)
        return _table(rows, src, mapping, "xlsx", "", sha256)
    if sheet is not None:
        raise UsageError(f"{path} is not an Excel workbook; --sheet is for .xlsx files",
                         "leave out --sheet")
    text, used = decode(raw, str(path), encoding)
    return parse_records(text, str(path), used, sha256, columns=mapping.given,
                         known_columns=mapping.known)


def parse_records(text: str, path: str = "<text>", encoding: str = "utf-8",
                  sha256: str = "", *, columns: str | Mapping[str, str] | None = None,
                  known_columns: Mapping[str, str] | None = None) -> DataFile:
    """Parse already decoded text (see :func:`load_records`)."""
    mapping = _Mapping(parse_mapping(columns), dict(known_columns or {}))
    sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise DataError("the file holds no header and no records", path,
                        hint="a data file starts with a header line such as "
                             + "\\t".join(ja for _, ja in COLUMNS))
    if first.lstrip().startswith("{"):
        return _jsonl(text, _Source(path), mapping, sha256, encoding)
    fmt = "tsv" if first.count("\t") >= first.count(",") else "csv"
    rows = _delimited_rows(text, path, "\t" if fmt == "tsv" else ",")
    return _table(rows, _Source(path), mapping, fmt, encoding, sha256)


@dataclass(frozen=True)
class _Mapping:
    """Headers mapped to roles: ``given`` for this file, ``known`` from a
    previous build (applied where the file has those headers)."""

    given: dict[str, str]
    known: dict[str, str]

    def resolve(self, headers, path: str, line: int, sheet: str | None = None) -> Layout:
        return resolve(headers, self.given, path, line, sheet=sheet, optional=self.known)


@dataclass(frozen=True)
class _Source:
    """Where rows come from, to locate errors: a file, or a workbook's sheet
    (whose columns are also named by letter, as Excel shows them)."""

    path: str
    sheet: str | None = None

    def error(self, message: str, line: int | None = None, column: str | None = None,
              index: int | None = None, hint: str = "") -> DataError:
        if self.sheet is not None and column and index is not None:
            column = f"{column} ({excel.column_letter(index)})"
        return DataError(message, self.path, line, column, hint=hint, sheet=self.sheet)


def _table(rows: Iterable[tuple[int, list[str]]], src: _Source, mapping: _Mapping,
           fmt: str, encoding: str, sha256: str) -> DataFile:
    """The records of rows of cells whose first non-blank row is the header."""
    layout: Layout | None = None
    records: list[Record] = []
    numbers = _Numbers(src)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if layout is None:
            while cells and not cells[-1].strip():  # spreadsheets add empty columns at the end
                cells = cells[:-1]
            layout = mapping.resolve(cells, src.path, line, src.sheet)
            continue
        values = _row_values(layout, cells, src, line)
        records.append(numbers.check(_make_record(layout, values, src, line, len(records) + 1),
                                     line, layout))
    if layout is None:
        raise src.error("the file holds no header and no records",
                        hint="a data file starts with a header line such as "
                             + ", ".join(ja for _, ja in COLUMNS))
    return DataFile(src.path, tuple(records), sha256, fmt, encoding, len(records),
                    layout.as_dict(), layout.extra, layout.header("no") is None, src.sheet,
                    _notes(layout, len(records)))


def _notes(layout: Layout, count: int) -> tuple[str, ...]:
    notes = list(layout.notes)
    if layout.header("no") is None and count:
        notes.append(f"no id column: records are numbered by row, 1 to {count:,} "
                     "(updates and deletes need an id column: 番号, No or ID)")
    return tuple(notes)


class _Numbers:
    """Checks that every record's No is unique in the file."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        self.seen: dict[int, int] = {}

    def check(self, record: Record, line: int, layout: Layout) -> Record:
        if record.no in self.seen:
            header = layout.label("no")
            raise self.src.error(f"duplicate {header} {record.no} (first used on "
                                 f"{'row' if self.src.sheet is not None else 'line'} "
                                 f"{self.seen[record.no]})", line, header,
                                 _index(layout, "no"), hint=f"every record needs its own {header}")
        self.seen[record.no] = line
        return record


def _index(layout: Layout, role: str) -> int | None:
    return layout.roles.index(role) if role in layout.roles else None


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
    """The header of the column holding byte ``pos`` of a delimited file
    (best effort: quoting is ignored; None for JSON Lines)."""
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
            return cells[index].decode(codec).strip().strip('"').strip() or None
        except UnicodeDecodeError:
            continue
    return None


def _delimited_rows(text: str, path: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, end = None, 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = cells
            else:
                _check_quoting(header, cells, path, line, delimiter)
            yield line, cells
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
                name = header[index].strip() or None if index < len(header) else None
                raise DataError(f"a quoted value that starts here runs on into line "
                                f"{line + breaks + k}, which looks like a record of its own "
                                f"({part.strip()[:20]!r}...); a quote is not closed",
                                path, line, name,
                                hint='close the quote; a " inside a quoted value is written ""')
        breaks += len(parts) - 1


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _jsonl(text: str, src: _Source, mapping: _Mapping, sha256: str,
           encoding: str) -> DataFile:
    """The records of a JSON Lines file: each object's keys are its headers."""
    layouts: dict[tuple[str, ...], Layout] = {}
    first: Layout | None = None
    extra: dict[str, None] = {}
    records: list[Record] = []
    numbers = _Numbers(src)
    # split on line feeds only: JSON text may hold U+2028 and friends
    for line, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise DataError(f"invalid JSON ({e.msg} at character {e.colno})",
                            src.path, line) from None
        if not isinstance(obj, dict):
            raise DataError("each line must be a JSON object", src.path, line)
        obj = _flattened(obj, src.path, line)
        keys = tuple(obj)
        layout = layouts.get(keys)
        if layout is None:
            layout = layouts[keys] = mapping.resolve(keys, src.path, line)
        if first is None:
            first = layout
        elif (layout.header("no") is None) != (first.header("no") is None):
            raise DataError("this record has no id (No) where the first has one, or the other "
                            "way round", src.path, line,
                            hint="give every record an id, or none")
        extra.update(dict.fromkeys(layout.extra))
        values = [_json_value(value, src.path, line, key) for key, value in obj.items()]
        records.append(numbers.check(_make_record(layout, values, src, line, len(records) + 1),
                                     line, layout))
    assert first is not None  # parse_records saw a first line
    return DataFile(src.path, tuple(records), sha256, "jsonl", encoding, len(records),
                    first.as_dict(), tuple(extra), first.header("no") is None, None,
                    _notes(first, len(records)))


def _flattened(obj: dict, path: str, line: int) -> dict:
    """An object whose ``"extra"`` is an object (as :meth:`Record.as_dict`
    writes it) with those columns among its own."""
    nested = obj.get("extra")
    if not isinstance(nested, dict):
        return obj
    out = {k: v for k, v in obj.items() if k != "extra"}
    for key, value in nested.items():
        if key in out:
            raise DataError(f"column {key!r} appears twice (also in \"extra\")", path, line,
                            key, hint="rename one of them")
        out[key] = value
    return out


def _json_value(value, path, line, key) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DataError(f"expected text or a number, got {type(value).__name__}",
                        path, line, key)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _row_values(layout: Layout, cells: list[str], src: _Source, line: int) -> list[str]:
    width = len(layout.headers)
    if len(cells) < width:
        if src.sheet is not None:  # a sheet's rows end at their last filled cell
            return cells + [""] * (width - len(cells))
        missing = layout.headers[len(cells)]
        raise DataError(f"ragged row: {len(cells)} cells where the header has {width} "
                        f"(no {missing} cell)", src.path, line, missing,
                        hint="check for a missing tab/comma in that row")
    extra = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
    if extra is not None:
        if src.sheet is not None:
            raise src.error(f"a value in column {excel.column_letter(extra)}, which has no "
                            "header", line, hint="give that column a header, or clear it")
        raise DataError(f"ragged row: {len(cells)} cells where the header has {width} "
                        f"(cell {extra + 1} is past the last column)", src.path, line,
                        str(extra + 1),
                        hint="check for a stray tab/comma in that row, or quote the value")
    return cells[:width]


def _make_record(layout: Layout, cells: list[str], src: _Source, line: int,
                 ordinal: int) -> Record:
    """A record from one row's cells (in header order); ``ordinal`` numbers
    it when the file has no id column."""
    clean: dict[str, str] = dict.fromkeys(ROLES, "")
    extra: dict[str, str] = {}
    for header, role, cell in zip(layout.headers, layout.roles, cells):
        value = cell.strip()
        if role is not None:
            clean[role] = value
        elif value:
            extra[header] = value
    no = ordinal
    if layout.header("no") is not None:
        header, index = layout.label("no"), _index(layout, "no")
        no_text = nfkc(clean["no"])
        if not no_text:
            raise src.error(f"empty {header}", line, header, index,
                            hint="every record needs a number")
        if not no_text.isdecimal() or not no_text.isascii():
            raise src.error(f"{header} must be a whole number, got {clean['no']!r}", line,
                            header, index,
                            hint=f"if {header} is not a record number, keep it as an ordinary "
                                 f"column: --columns '{header}=extra'")
        no = int(no_text)
    if not clean["title"] and not clean["summary"]:
        present = [r for r in ("title", "summary") if layout.header(r) is not None]
        labels = [layout.label(r) for r in present]
        raise src.error(f"empty {' and '.join(labels)}", line, labels[0],
                        _index(layout, present[0]),
                        hint="every record needs a title or a summary")
    if not clean["entity"]:
        clean["entity"] = entity_in_name(clean["organization"])
    return Record(no, clean["entity"], clean["organization"], clean["location"],
                  clean["title"], clean["summary"], extra)
