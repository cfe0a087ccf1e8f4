"""Loading and validating project records from TSV, CSV or JSON Lines files.

Spreadsheet exports are messy, so this module is strict about structure and
forgiving about encoding details: UTF-8 with or without a BOM, or Shift_JIS /
CP932 as Excel writes it; CRLF line endings; blank lines; quoted fields that
hold tabs, commas or newlines. Every problem raises :class:`DataError` naming
the file, the line and the column. No record is ever dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import DataError

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
    records, seen, count = [], {}, 0
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

    Without ``encoding``: UTF-8 (a BOM is dropped) and, when the bytes are not
    UTF-8 at all, CP932 as Excel writes it. A UTF-8 file with a few broken
    bytes is an error, not a CP932 file.
    """
    if encoding:
        try:
            codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
            return raw.decode(codec), encoding
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}", path,
                            hint="use for example utf-8 or cp932") from None
        except UnicodeDecodeError as e:
            raise _undecodable(raw, e, path, encoding) from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        if any(b >= 0x80 for b in raw[:e.start]):  # valid UTF-8 text came first
            raise _undecodable(raw, e, path, "utf-8") from None
        try:
            return raw.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            raise _undecodable(raw, e, path, "utf-8 or cp932") from None


def _undecodable(raw: bytes, e: UnicodeDecodeError, path: str, tried: str) -> DataError:
    line = raw[:e.start].count(b"\n") + 1
    column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
    return DataError(f"bytes that cannot be decoded as {tried} at byte {column} of the line "
                     f"({raw[e.start:e.start + 4]!r})", path, line,
                     hint="save the file as UTF-8, or name its encoding with --encoding")


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
            yield line, _row_values(header, cells, path, line)
    except csv.Error as e:
        raise DataError(f"malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({e})",
                        path, reader.line_num, hint="check the quoting of that row") from None


def _jsonl_rows(text: str, path: str):
    for line, raw in enumerate(text.splitlines(), 1):
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


def _header(cells: list[str], path: str, line: int) -> list[str]:
    names = []
    for cell in cells:
        key = unicodedata.normalize("NFKC", cell.strip().lstrip("\ufeff")).lower()
        name = COLUMN_NAMES.get(key)
        if name is None:
            raise DataError(f"unknown column {cell.strip()!r}", path, line, cell.strip(),
                            hint="columns are " + ", ".join(f"{ja} ({en})" for en, ja in COLUMNS))
        if name in names:
            raise DataError(f"column {cell.strip()!r} appears twice", path, line, cell.strip())
        names.append(name)
    missing = [ja for en, ja in COLUMNS if en not in names]
    if missing:
        raise DataError(f"missing column(s): {', '.join(missing)}", path, line,
                        hint="the header needs " + ", ".join(ja for _, ja in COLUMNS))
    return names


def _row_values(header: list[str], cells: list[str], path: str, line: int) -> dict[str, str]:
    extra = cells[len(header):]
    if len(cells) < len(header) or any(c.strip() for c in extra):
        raise DataError(f"ragged row: {len(cells)} cells where the header has {len(header)}",
                        path, line, hint="check for a stray or missing tab/comma in that row")
    return dict(zip(header, cells))


def _make_record(values: dict[str, str], path: str, line: int) -> Record:
    clean = {name: values.get(name, "").strip() for name, _ in COLUMNS}
    ja = dict(COLUMNS)
    no_text = unicodedata.normalize("NFKC", clean["no"])
    if not no_text:
        raise DataError("empty No", path, line, "No", hint="every record needs a number")
    if not no_text.isdecimal() or not no_text.isascii():
        raise DataError(f"No must be a whole number, got {clean['no']!r}", path, line, "No")
    for name in REQUIRED_VALUES:
        if not clean[name]:
            raise DataError(f"empty {ja[name]}", path, line, ja[name],
                            hint=f"every record needs {ja[name]} ({name})")
    clean["no"] = int(no_text)
    return Record(**clean)
