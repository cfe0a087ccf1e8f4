"""Reading the rows of an Excel workbook (.xlsx), with openpyxl in read-only
mode: one sheet, its cells as text, in row order.

Cells become the text a person sees in a plain cell: whole numbers without
``.0``, dates as ``2024-04-01``, booleans as ``TRUE``/``FALSE``; formulas as
their last computed value (what Excel saved). openpyxl is imported only when
a workbook is read.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from ..errors import DataError, UsageError

#: The first bytes of a zip archive (.xlsx) and of an OLE file (Excel 97-2003 .xls).
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(raw: bytes, path: str) -> bool:
    """Whether ``raw`` is an .xlsx workbook (by content, or by name)."""
    return raw.startswith(ZIP_MAGIC) or path.lower().endswith(EXCEL_SUFFIXES)


def read_sheet(raw: bytes, path: str, sheet: str | None = None
               ) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The name of the sheet read (the first, unless ``sheet`` names one) and
    its rows as ``(row number, cells as text)``.

    Raises :class:`DataError` for a file that is not a readable workbook and
    :class:`UsageError` for a sheet it does not hold.
    """
    import zipfile  # here, not at the top: a search imports this module and never reads a workbook

    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise DataError("reading Excel files needs openpyxl, which is not installed", path,
                        hint="pip install openpyxl, or save the sheet as CSV") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DataError(f"not a readable Excel workbook ({type(e).__name__}: {e})", path,
                        hint="open it in Excel and save it again as .xlsx, or as CSV") from None
    names = list(book.sheetnames)
    if sheet is None:
        if not names:
            raise DataError("the workbook has no sheets", path)
        name = names[0]
    elif sheet in names:
        name = sheet
    else:
        book.close()
        raise UsageError(f"{path} has no sheet {sheet!r}",
                         "its sheets are " + ", ".join(names))
    return name, _rows(book, name)


def _rows(book, name: str) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(book[name].iter_rows(values_only=True), 1):
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A cell's value as text.

    >>> cell_text(1000000), cell_text(2.50), cell_text(3.0), cell_text(None)
    ('1000000', '2.5', '3', '')
    >>> cell_text(dt.datetime(2024, 4, 1)), cell_text(True)
    ('2024-04-01', 'TRUE')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def column_letter(index: int) -> str:
    """Excel's name of the column at 0-based ``index``.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
