"""Reading a segment written by the array codec: the term table, the
postings arrays (memory maps, no copy), exact field lengths and the forward
index. Files are opened (mapped, their header checked) when first used."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import numpy as np
from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.reading import TermInfo, TermNotFound

from . import format as fmt
from .forward import ForwardReader
from .lexicon import Lexicon
from .matcher import ArrayLeafMatcher
from .term import TermPostings
from .whoosh_private import W3PerDocReader


class ArrayTermInfo(TermInfo):
    """Whoosh's term statistics (exact lengths and weights) plus where the
    term's postings are: ``post`` (first posting), ``block`` (first block),
    ``value`` (first value unit) and ``kind``."""

    def __init__(self, row) -> None:
        super().__init__(float(row["weight"]), int(row["df"]), int(row["min_length"]),
                         int(row["max_length"]), float(row["max_weight"]),
                         int(row["min_id"]), int(row["max_id"]))
        self.kind = int(row["kind"])
        self.post = int(row["post"])
        self.block = int(row["block"])
        self.value = int(row["value"])

    def is_inlined(self) -> bool:
        return False


class SegmentArrays:
    """The array files of one segment, each opened (memory-mapped, its
    header checked) when first used."""

    def __init__(self, storage, segment) -> None:
        self._storage = storage
        self._segment = segment
        self._files: dict[str, fmt.ArrayFile] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._meta: dict | None = None
        self._lexicon: Lexicon | None = None
        #: Open file descriptors of the segment's files (see :meth:`hold`).
        self.held: dict[str, int] = {}
        self.forward = ForwardReader(storage, segment, self.open_named, self.held)

    def hold(self) -> dict[str, int]:
        """Open every file of the segment now (mapping them later), so that
        they stay readable after the index folder is deleted."""
        if not self.held:
            self.held.update(fmt.hold_files(self._storage, self._segment))
        return self.held

    def open_named(self, name: str, ext: str, dtype=None) -> np.ndarray:
        """The array in file ``name`` (of kind ``ext``), opened once."""
        found = self._arrays.get(name)
        if found is None:
            f = self._files.get(name)
            if f is None:
                f = self._files[name] = fmt.ArrayFile(self._storage, name, ext,
                                                      self.held.get(name))
            found = self._arrays[name] = f.array(dtype)
        return found

    def _array(self, ext: str, dtype=None) -> np.ndarray:
        return self.open_named(self._segment.make_filename(ext), ext, dtype)

    @property
    def meta(self) -> dict:
        """The segment's meta file: format version, fields and their rows."""
        if self._meta is None:
            name = self._segment.make_filename(fmt.META_EXT)
            try:
                meta = json.loads(self._read(name).decode("utf-8"))
            except ValueError:
                raise fmt.FormatError(f"{name} is not an array codec meta file") from None
            fmt.check_version(meta.get("format") if isinstance(meta, dict) else None, name)
            self._meta = meta
        return self._meta

    def _read(self, name: str) -> bytes:
        fd = self.held.get(name)
        if fd is not None:
            return os.pread(fd, os.fstat(fd).st_size, 0)
        f = self._storage.open_file(name)
        try:
            return f.read()
        finally:
            f.close()

    @property
    def fields(self) -> dict[str, dict]:
        """``{field: {"rows": [first, end], "kind": k}}`` of the indexed fields."""
        return self.meta["fields"]

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon(self._array(fmt.TERMS_EXT), self._array(fmt.TERM_ENDS_EXT),
                                    self._array(fmt.TERM_HASH_EXT),
                                    self._array(fmt.TERM_HASH_ROWS_EXT))
        return self._lexicon

    @property
    def rows(self) -> np.ndarray:
        return self._array(fmt.TERM_ROWS_EXT)

    @property
    def ids(self) -> np.ndarray:
        return self._array(fmt.IDS_EXT)

    @property
    def weights(self) -> np.ndarray:
        weights = self._array(fmt.WEIGHTS_EXT)
        if weights.dtype not in fmt.WEIGHT_DTYPES:
            raise fmt.FormatError(f"{self._segment.make_filename(fmt.WEIGHTS_EXT)} holds "
                                  f"weights of dtype {weights.dtype}")
        return weights

    @property
    def ends(self) -> np.ndarray:
        return self._array(fmt.ENDS_EXT)

    @property
    def positions(self) -> np.ndarray:
        return self._array(fmt.POSITIONS_EXT)

    @property
    def vbytes(self) -> np.ndarray:
        return self._array(fmt.BYTES_EXT)

    @property
    def blocks(self) -> np.ndarray:
        return self._array(fmt.BLOCKS_EXT, fmt.BLOCK_DTYPE)

    def field_range(self, fieldname: str) -> tuple[int, int]:
        """The term rows ``[first, end)`` of a field (empty if it has none)."""
        found = self.fields.get(fieldname)
        return (found["rows"][0], found["rows"][1]) if found else (0, 0)

    def find(self, terms: list[tuple[str, bytes]]) -> np.ndarray:
        """The term row of each ``(field, term bytes)`` (-1 where missing)."""
        ranges = [self.field_range(f) for f, _ in terms]
        keys = [fmt.term_key(f, t) for f, t in terms]
        return self.lexicon.find(keys, [t for _, t in terms], ranges)

    def row(self, fieldname: str, tbytes: bytes) -> int:
        """The term row of one term, or -1."""
        return int(self.find([(fieldname, tbytes)])[0])

    def term(self, row: int) -> TermPostings:
        """A term's postings, by its row."""
        r = self.rows[row]
        kind, post, df = int(r["kind"]), int(r["post"]), int(r["df"])
        ends = self.ends[post:post + df]
        units = int(ends[-1]) if df else 0
        value = int(r["value"])
        if kind in fmt.UNITS:
            values = self.positions[value:value + units * fmt.UNITS[kind]]
        elif kind == fmt.KIND_BYTES:
            values = self.vbytes[value:value + units]
        else:
            values = _NO_VALUES
        block = int(r["block"])
        nblocks = (df + fmt.BLOCK - 1) >> fmt.BLOCK_SHIFT
        return TermPostings(kind, self.ids[post:post + df], self.weights[post:post + df],
                            ends, values, self.blocks[block:block + nblocks])

    def close(self) -> None:
        self._arrays.clear()
        for f in self._files.values():
            f.close()
        fmt.release_files(self.held)


_NO_VALUES = np.zeros(0, dtype=np.uint32)


class ArrayFieldCursor(FieldCursor):
    """A cursor over one field's terms, in order."""

    def __init__(self, arrays: SegmentArrays, fieldname: str, fieldobj) -> None:
        self._arrays = arrays
        self._fieldobj = fieldobj
        self._lo, self._hi = arrays.field_range(fieldname)
        self._row = self._lo - 1
        self.next()

    def first(self):
        self._row = self._lo - 1
        return self.next()

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._row = self._arrays.lexicon.first_at_least(term, self._lo, self._hi) - 1
        return self.next()

    def next(self):
        self._row = min(self._row + 1, self._hi)
        return self.text()

    def text(self):
        if not self.is_valid():
            return None
        return self._fieldobj.from_bytes(self._arrays.lexicon.text(self._row))

    def term_info(self):
        return ArrayTermInfo(self._arrays.rows[self._row]) if self.is_valid() else None

    def is_valid(self) -> bool:
        return self._row < self._hi


class ArrayTermsReader(TermsReader):
    """Whoosh's terms reader interface over the segment's term table; its
    matchers read the segment's arrays (``self.arrays``)."""

    def __init__(self, arrays: SegmentArrays) -> None:
        self.arrays = arrays
        arrays.meta  # noqa: B018 - check the format when the segment is opened

    def __contains__(self, term) -> bool:
        fieldname, tbytes = term
        return self.arrays.row(fieldname, tbytes) >= 0

    def indexed_field_names(self):
        return self.arrays.fields.keys()

    def cursor(self, fieldname, fieldobj):
        return ArrayFieldCursor(self.arrays, fieldname, fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        for fieldname in sorted(self.arrays.fields):
            lo, hi = self.arrays.field_range(fieldname)
            for tbytes in self.arrays.lexicon.texts_between(lo, hi):
                yield fieldname, tbytes

    def terms_from(self, fieldname, prefix) -> Iterator[tuple[str, bytes]]:
        for (name, tbytes), _ in self._rows_from(fieldname, prefix):
            yield name, tbytes

    def items(self):
        return self.items_from("", b"")

    def items_from(self, fieldname, prefix):
        rows = self.arrays.rows
        for term, row in self._rows_from(fieldname, prefix):
            yield term, ArrayTermInfo(rows[row])

    def _rows_from(self, fieldname: str, prefix: bytes):
        """``((field, term), row)`` of every term from ``(fieldname,
        prefix)`` on, in order (fields by name, then terms by bytes)."""
        lexicon = self.arrays.lexicon
        for name in sorted(self.arrays.fields):
            if name < fieldname:
                continue
            lo, hi = self.arrays.field_range(name)
            start = lexicon.first_at_least(prefix, lo, hi) if name == fieldname else lo
            for row, tbytes in enumerate(lexicon.texts_between(start, hi), start):
                yield (name, tbytes), row

    def term_info(self, fieldname, tbytes) -> ArrayTermInfo:
        row = self.arrays.row(fieldname, tbytes)
        if row < 0:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return ArrayTermInfo(self.arrays.rows[row])

    def frequency(self, fieldname, tbytes) -> float:
        row = self.arrays.row(fieldname, tbytes)
        if row < 0:
            raise KeyError((fieldname, tbytes))
        return float(self.arrays.rows[row]["weight"])

    def doc_frequency(self, fieldname, tbytes) -> int:
        row = self.arrays.row(fieldname, tbytes)
        if row < 0:
            raise KeyError((fieldname, tbytes))
        return int(self.arrays.rows[row]["df"])

    def postings(self, fieldname: str, tbytes: bytes) -> TermPostings:
        """A term's postings as arrays (raises TermNotFound)."""
        row = self.arrays.row(fieldname, tbytes)
        if row < 0:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return self.arrays.term(row)

    def matcher(self, fieldname, tbytes, format_, scorer=None):
        row = self.arrays.row(fieldname, tbytes)
        if row < 0:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return ArrayLeafMatcher(self.arrays.term(row), format_, term=(fieldname, tbytes),
                                scorer=scorer, terminfo=ArrayTermInfo(self.arrays.rows[row]))

    def close(self) -> None:
        self.arrays.close()


class ArrayPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, with exact field lengths."""

    def __init__(self, storage, segment) -> None:
        super().__init__(storage, segment)
        self._length_files: dict[str, fmt.ArrayFile] = {}
        self._length_arrays: dict[str, np.ndarray | None] = {}
        #: Open file descriptors of the segment's files, when held (shared
        #: with its terms reader: see :meth:`SegmentArrays.hold`).
        self.held: dict[str, int] = {}

    def length_array(self, fieldname: str) -> np.ndarray | None:
        """Exact lengths of a field by document number (a read-only view),
        or None when no document of the segment has the field."""
        if fieldname not in self._length_arrays:
            name = fmt.lengths_filename(self._segment, fieldname)
            found = None
            fd = self.held.get(name)
            if fd is not None or (not self.held and self._storage.file_exists(name)):
                f = self._length_files[fieldname] = fmt.ArrayFile(self._storage, name,
                                                                  fmt.LENGTHS_EXT, fd)
                if f.count != self._doccount:
                    raise fmt.FormatError(f"{name} holds {f.count} lengths for "
                                          f"{self._doccount} documents")
                found = f.array()
            self._length_arrays[fieldname] = found
        return self._length_arrays[fieldname]

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = self.length_array(fieldname)
        if lengths is None:
            return default
        return int(lengths[docnum]) or default

    def min_field_length(self, fieldname):
        lengths = self.length_array(fieldname)
        return int(lengths.min()) if lengths is not None and len(lengths) else 0

    def max_field_length(self, fieldname):
        lengths = self.length_array(fieldname)
        return int(lengths.max()) if lengths is not None and len(lengths) else 0

    def close(self):
        super().close()
        self._length_arrays.clear()
        for f in self._length_files.values():
            f.close()
