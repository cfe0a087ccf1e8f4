"""Hashed string tables: strings stored as one byte array with their ends,
found by a 64-bit hash through a sorted index, verified byte for byte.

Two tables use it: a segment's terms (each string is a term's bytes, hashed
with its field's name; rows are in term order, so each field's terms are a
sorted range) and a segment's forward keys. Finding many strings at once is
one ``searchsorted`` over the hashes plus a comparison per string found;
equal hashes of different strings are told apart by their bytes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

import numpy as np

from . import format as fmt


def write_lexicon(storage, segment, strings: Sequence[bytes],
                  keys: Sequence[bytes] | np.ndarray | None,
                  exts: tuple[str, str, str, str]) -> None:
    """Write ``strings`` (row ``i`` is ``strings[i]``) with a hash index of
    ``keys`` (what each string is hashed as, default the string; or their
    hashes already, as an array)."""
    texts_ext, ends_ext, hash_ext, rows_ext = exts
    blob = np.frombuffer(b"".join(strings), dtype=fmt.BYTE_DTYPE)
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    ends = np.cumsum(lengths).astype(fmt.OFFSET_DTYPE)
    del lengths
    if isinstance(keys, np.ndarray):
        hashed = keys
    else:
        hashed = fmt.hashes(keys if keys is not None else strings)
    order = np.argsort(hashed, kind="stable")
    fmt.write_array(storage, segment, texts_ext, blob)
    fmt.write_array(storage, segment, ends_ext, ends)
    fmt.write_array(storage, segment, hash_ext, hashed[order])
    fmt.write_array(storage, segment, rows_ext, order.astype(np.uint32))


class Lexicon:
    """A hashed string table opened for reading (arrays over memory maps)."""

    def __init__(self, texts: np.ndarray, ends: np.ndarray, hashes: np.ndarray,
                 rows: np.ndarray) -> None:
        if not len(texts) == (int(ends[-1]) if len(ends) else 0) \
                or not len(ends) == len(hashes) == len(rows):
            raise fmt.FormatError("the parts of a string table do not fit together")
        self._texts = texts
        self._ends = ends
        self._hashes = hashes
        self._rows = rows
        self._buffer = memoryview(texts)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._ends)

    def text(self, row: int) -> bytes:
        """The bytes of row ``row``."""
        ends = self._ends
        return bytes(self._buffer[int(ends[row - 1]) if row else 0:int(ends[row])])

    def find(self, keys: Sequence[bytes], texts: Sequence[bytes],
             ranges: Sequence[tuple[int, int]] | None = None) -> np.ndarray:
        """The row of each string (-1 where it is not in the table): hashed as
        ``keys[i]``, its bytes ``texts[i]``, found only within row range
        ``ranges[i]`` when given."""
        out = np.full(len(keys), -1, dtype=np.int64)
        if not len(keys) or not len(self._hashes):
            return out
        wanted = fmt.hashes(keys)
        lo = np.searchsorted(self._hashes, wanted, "left").tolist()
        hi = np.searchsorted(self._hashes, wanted, "right").tolist()
        rows = self._rows
        for i, (a, b) in enumerate(zip(lo, hi)):
            for j in range(a, b):
                row = int(rows[j])
                if ranges is not None and not ranges[i][0] <= row < ranges[i][1]:
                    continue
                if self.text(row) == texts[i]:
                    out[i] = row
                    break
        return out

    def first_at_least(self, text: bytes, lo: int, hi: int) -> int:
        """The first row in ``[lo, hi)`` whose bytes are at least ``text``,
        for a range sorted by bytes (``hi`` if none)."""
        return bisect_left(_Rows(self), text, lo, hi)

    def texts_between(self, lo: int, hi: int) -> Iterator[bytes]:
        """The bytes of rows ``lo`` to ``hi - 1``, in order."""
        ends = self._ends[max(lo - 1, 0):hi].tolist()
        start = (ends.pop(0) if lo else 0) if ends else 0
        buffer = self._buffer
        for end in ends:
            yield bytes(buffer[start:end])
            start = end


class _Rows:
    """A lexicon's rows as a sequence of bytes, for ``bisect``."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    def __len__(self) -> int:
        return len(self._lexicon)

    def __getitem__(self, row: int) -> bytes:
        return self._lexicon.text(row)
