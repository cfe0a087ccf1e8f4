"""The on-disk format of the array codec: file extensions, the header every
array file starts with, the dtypes, and how a file is opened as arrays.

Every array file of a segment is::

    offset  size  field
    0       4     magic b"SGAC"
    4       4     format version (uint32 LE), FORMAT_VERSION when written
    8       8     tag (ASCII, NUL padded): what the file holds, e.g. b"ids"
    16      8     dtype (ASCII numpy dtype string, e.g. b"<u4")
    24      8     count (uint64 LE): number of elements after the header
    32      32    zero
    64      ...   count elements of dtype, little-endian, no padding

so the data starts 64-byte aligned and opens as a zero-copy numpy view of a
memory map. A reader checks magic, version, tag, dtype and count before
using a file; anything else raises :class:`FormatError`.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
from hashlib import blake2b

import numpy as np

from ...errors import IndexMismatchError

#: Bumped whenever anything written by this package changes meaning or
#: layout. A segment records it in each file header, in its meta file and in
#: its pickled codec; the index manifest records it too. Readers refuse any
#: other value.
FORMAT_VERSION = 1
#: The codec's name in the index manifest.
CODEC_NAME = "sagashi-arrays"

MAGIC = b"SGAC"
HEADER_SIZE = 64
_HEADER = struct.Struct("<4sI8s8sQ")

#: Postings are cut into blocks of this many postings, from each term's
#: first posting; block ``k`` of a term holds its postings
#: ``[k * BLOCK, (k + 1) * BLOCK)``.
BLOCK_SHIFT = 7
BLOCK = 1 << BLOCK_SHIFT

# File extensions (after the segment id), and the tag in each header.
META_EXT = ".ameta"      # JSON: format version, fields and their term rows, dtypes
TERMS_EXT = ".atx"       # uint8 bytes of every term, in term order
TERM_ENDS_EXT = ".ato"   # uint64 end of each term's bytes in TERMS_EXT
TERM_ROWS_EXT = ".atr"   # TERM_DTYPE row of each term, in term order
TERM_HASH_EXT = ".ath"   # uint64 hash of each term's field and bytes, sorted
TERM_HASH_ROWS_EXT = ".atp"  # uint32 row of each hash in TERM_HASH_EXT
IDS_EXT = ".aid"         # uint32 document ids, one per posting
WEIGHTS_EXT = ".awt"     # weights, one per posting: u1, <u2, <f4 or <f8
ENDS_EXT = ".aen"        # uint32 end of each posting's value, relative to its term
POSITIONS_EXT = ".apo"   # <u2 or <u4 value units of position-like fields
BYTES_EXT = ".avb"       # uint8 value bytes of other formats
BLOCKS_EXT = ".abk"      # BLOCK_DTYPE records, one per block of 128 postings
LENGTHS_EXT = ".aln"     # u1/<u2/<u4 exact field length by document; one file per field
FORWARD_UNITS_EXT = ".afu"  # FORWARD dtype: the units of each document's forward fields
FORWARD_DOCS_EXT = ".afd"   # uint64 first unit of each (field, document), and the end
FORWARD_EXTRA_EXT = ".afx"  # EXTRA_DTYPE: (unit, key) for a unit's further keys
FORWARD_EXTRA_DOCS_EXT = ".afy"  # uint64 first extra key of each (field, document)
KEYS_EXT = ".akx"        # uint8 bytes of every forward key
KEY_ENDS_EXT = ".ako"    # uint64 end of each key's bytes
KEY_HASH_EXT = ".akh"    # uint64 hash of each key, sorted
KEY_HASH_ROWS_EXT = ".akp"  # uint32 key id of each hash in KEY_HASH_EXT

TAGS = {
    TERMS_EXT: b"terms", TERM_ENDS_EXT: b"termends", TERM_ROWS_EXT: b"termrows",
    TERM_HASH_EXT: b"termhash", TERM_HASH_ROWS_EXT: b"hashrows", IDS_EXT: b"ids",
    WEIGHTS_EXT: b"weights", ENDS_EXT: b"ends",
    POSITIONS_EXT: b"posits", BYTES_EXT: b"vbytes", BLOCKS_EXT: b"blocks",
    LENGTHS_EXT: b"lengths", FORWARD_UNITS_EXT: b"fwunits", FORWARD_DOCS_EXT: b"fwdocs",
    FORWARD_EXTRA_EXT: b"fwextra", FORWARD_EXTRA_DOCS_EXT: b"fwxdocs", KEYS_EXT: b"keys",
    KEY_ENDS_EXT: b"keyends", KEY_HASH_EXT: b"keyhash", KEY_HASH_ROWS_EXT: b"keyrows",
}

ID_DTYPE = np.dtype("<u4")
END_DTYPE = np.dtype("<u4")
OFFSET_DTYPE = np.dtype("<u8")
BYTE_DTYPE = np.dtype("u1")
#: Unsigned dtypes, smallest first: lengths and positions use the first
#: that holds every value of the segment.
UINT_DTYPES = (np.dtype("u1"), np.dtype("<u2"), np.dtype("<u4"))
#: Weight dtypes, smallest first: a segment uses the first that holds every
#: weight it has exactly.
WEIGHT_DTYPES = (np.dtype("u1"), np.dtype("<u2"), np.dtype("<f4"), np.dtype("<f8"))
#: One record per block: the bound ingredients of block-max WAND / MaxScore.
#: min_length is the shortest non-zero field length (0: none known).
BLOCK_DTYPE = np.dtype([("max_weight", "<f8"), ("min_id", "<u4"), ("max_id", "<u4"),
                        ("min_length", "<u4"), ("max_length", "<u4")])
#: A term's statistics and where its postings are.
TERM_DTYPE = np.dtype([
    ("kind", "u1"), ("weight", "<f8"), ("df", "<u4"), ("min_length", "<u4"),
    ("max_length", "<u4"), ("max_weight", "<f8"), ("min_id", "<u4"), ("max_id", "<u4"),
    ("post", "<u8"), ("block", "<u8"), ("value", "<u8"),
])
#: A unit of a forward field: its characters, its word key and reading key
#: (NO_KEY: none) and flags (FINEST: not a compound that also has parts).
FORWARD_DTYPE = np.dtype([("start", "<u4"), ("end", "<u4"), ("word", "<u4"),
                          ("reading", "<u4"), ("flags", "u1")])
#: A further key of a unit (a synonym group): the unit's index in its
#: document's units, and the key.
EXTRA_DTYPE = np.dtype([("unit", "<u4"), ("key", "<u4")])
NO_KEY = 0xFFFFFFFF
FINEST = 1
#: The record dtypes of the files that hold records (their headers say
#: only the record size, e.g. "|V24").
RECORDS = {BLOCKS_EXT: BLOCK_DTYPE, TERM_ROWS_EXT: TERM_DTYPE,
           FORWARD_UNITS_EXT: FORWARD_DTYPE, FORWARD_EXTRA_EXT: EXTRA_DTYPE}

# How a field's posting values are kept (the kind is stored per term).
KIND_NONE = 0        # no values (Existence): value() is None
KIND_POSITIONS = 1   # formats.Positions: one position per occurrence
KIND_CHARACTERS = 2  # formats.Characters: (position, startchar, endchar) per occurrence
KIND_BYTES = 3       # any other format: its encoded value bytes, verbatim
#: Value units per occurrence, for the kinds stored in the positions file.
UNITS = {KIND_POSITIONS: 1, KIND_CHARACTERS: 3}


class FormatError(IndexMismatchError):
    """A segment file is not one this code can read: another format version,
    another kind of file, or damaged."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "rebuild the index with: sagashi index build "
                                  "(an index is rebuilt from the data file it remembers)")


def check_version(version, where: str) -> None:
    """Raise :class:`FormatError` unless ``version`` is FORMAT_VERSION."""
    if version != FORMAT_VERSION:
        raise FormatError(f"{where} was written in array codec format {version!r}; this "
                          f"sagashi reads format {FORMAT_VERSION} only")


def pack_header(ext: str, dtype: np.dtype, count: int) -> bytes:
    """The 64-byte header of an array file."""
    head = _HEADER.pack(MAGIC, FORMAT_VERSION, TAGS[ext], dtype.str.encode("ascii"), count)
    return head + bytes(HEADER_SIZE - len(head))


def parse_header(head: bytes, name: str, ext: str) -> tuple[np.dtype, int]:
    """Check a header read from file ``name`` and return (dtype, count)."""
    if len(head) < HEADER_SIZE:
        raise FormatError(f"{name} is too short for an array codec file ({len(head)} bytes)")
    magic, version, tag, dtype, count = _HEADER.unpack_from(head)
    if magic != MAGIC:
        raise FormatError(f"{name} is not an array codec file (magic {magic!r})")
    check_version(version, name)
    tag = tag.rstrip(b"\0")
    if tag != TAGS[ext]:
        raise FormatError(f"{name} holds {tag!r}, expected {TAGS[ext]!r}")
    try:
        found = np.dtype(dtype.rstrip(b"\0").decode("ascii"))
    except (TypeError, UnicodeDecodeError):
        raise FormatError(f"{name} names an unknown dtype {dtype!r}") from None
    records = RECORDS.get(ext)
    if records is not None:
        if found.itemsize != records.itemsize:
            raise FormatError(f"{name} holds records of {found.itemsize} bytes, expected "
                              f"{records.itemsize}")
        return records, count
    return found, count


def smallest_uint(values: np.ndarray) -> np.dtype:
    """The first of UINT_DTYPES that holds every value."""
    top = int(values.max()) if len(values) else 0
    for dtype in UINT_DTYPES:
        if top < 1 << (8 * dtype.itemsize):
            return dtype
    raise ValueError(f"{top} does not fit in 32 bits")


def runs(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated ranges ``starts[i]:stops[i]``, and for each element
    the ``i`` it came from."""
    counts = stops - starts
    which = np.repeat(np.arange(len(counts)), counts)
    before = np.cumsum(counts) - counts
    return starts[which] + (np.arange(len(which)) - before[which]), which


def smallest_weight_dtype(weights: np.ndarray) -> np.dtype:
    """The first of WEIGHT_DTYPES that holds every weight exactly."""
    for dtype in WEIGHT_DTYPES:
        if dtype.kind == "u" and len(weights) and (
                weights.min() < 0 or weights.max() >= 1 << (8 * dtype.itemsize)):
            continue
        if np.array_equal(weights.astype(dtype), weights):
            return dtype
    return WEIGHT_DTYPES[-1]


def kind_of(format_) -> int:
    """How postings of a field with this Whoosh format are stored."""
    from whoosh import formats
    cls = type(format_)
    if cls is formats.Positions:
        return KIND_POSITIONS
    if cls is formats.Characters:
        return KIND_CHARACTERS
    if format_.fixed_value_size() == 0:
        return KIND_NONE
    return KIND_BYTES


def hashes(keys) -> np.ndarray:
    """Stable 64-bit hashes of byte strings (BLAKE2b), as uint64."""
    digest = b"".join(blake2b(k, digest_size=8).digest() for k in keys)
    return np.frombuffer(digest, dtype="<u8")


def term_key(fieldname: str, tbytes: bytes) -> bytes:
    """What a term is hashed as: its field's name, a NUL, its bytes."""
    return fieldname.encode("utf-8") + b"\0" + tbytes


class ArrayFile:
    """One array file of a segment, opened for reading: ``buffer`` is a
    read-only memory map of the file when the storage is a folder on disk,
    else the file's bytes. ``array(dtype=None)`` views its data."""

    def __init__(self, storage, name: str, ext: str, fd: int | None = None) -> None:
        self.name = name
        self._map: mmap.mmap | None = None
        self.buffer = self._open(storage, name, fd)
        self.dtype, self.count = parse_header(bytes(self.buffer[:HEADER_SIZE]), name, ext)
        size = HEADER_SIZE + self.count * self.dtype.itemsize
        if len(self.buffer) < size:
            raise FormatError(f"{name} is truncated ({len(self.buffer)} of {size} bytes)")

    def _open(self, storage, name: str, fd: int | None):
        if fd is not None:
            return self._mapped(fd)
        folder = _folder_of(storage)
        if folder is not None:
            with open(os.path.join(folder, name), "rb") as f:
                return self._mapped(f.fileno())
        f = storage.open_file(name)
        try:
            return f.read()
        finally:
            f.close()

    def _mapped(self, fd: int):
        if os.fstat(fd).st_size == 0:
            return b""
        self._map = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        return self._map

    def array(self, dtype: np.dtype | None = None) -> np.ndarray:
        """The file's elements as a read-only array (no copy)."""
        return np.frombuffer(self.buffer, dtype=dtype or self.dtype, count=self.count,
                             offset=HEADER_SIZE)

    def close(self) -> None:
        """Unmap the file, unless arrays over it are still alive (then the map
        goes when they do)."""
        if self._map is not None:
            with contextlib.suppress(BufferError):
                self._map.close()


def write_array(storage, segment, ext: str, data: np.ndarray, name: str | None = None) -> None:
    """Write one array file of a segment: the header, then ``data``."""
    f = storage.create_file(name or segment.make_filename(ext))
    try:
        f.write(pack_header(ext, data.dtype, len(data)))
        _write_chunks(f, data)
    finally:
        f.close()


class ArrayWriter:
    """An array file written in parts: a header whose count is set when it
    is closed, then the parts' elements as they come."""

    def __init__(self, storage, name: str, ext: str, dtype: np.dtype) -> None:
        self._ext, self._dtype, self.count = ext, np.dtype(dtype), 0
        self._file = storage.create_file(name)
        self._file.write(bytes(HEADER_SIZE))

    def write(self, data: np.ndarray) -> None:
        if data.dtype != self._dtype:
            raise ValueError(f"writing {data.dtype} into a file of {self._dtype}")
        _write_chunks(self._file, data)
        self.count += len(data)

    def close(self) -> None:
        self._file.seek(0)
        self._file.write(pack_header(self._ext, self._dtype, self.count))
        self._file.close()


def _write_chunks(f, data: np.ndarray, chunk: int = 1 << 24) -> None:
    data = np.ascontiguousarray(data)
    step = max(1, chunk // max(1, data.dtype.itemsize))
    for start in range(0, len(data), step):
        f.write(data[start:start + step].tobytes())


def hold_files(storage, segment) -> dict[str, int]:
    """Open (not read) every file of a segment in a folder, so that it can
    still be read after the folder is deleted: ``{name: file descriptor}``
    (empty for storage that is not a folder)."""
    folder = _folder_of(storage)
    if folder is None:
        return {}
    prefix = segment.make_filename("")
    held = {}
    try:
        for name in os.listdir(folder):
            if name.startswith(prefix):
                held[name] = os.open(os.path.join(folder, name), os.O_RDONLY)
    except OSError:
        release_files(held)
        raise
    return held


def release_files(held: dict[str, int]) -> None:
    """Close the file descriptors of :func:`hold_files`."""
    for fd in held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    held.clear()


def lengths_filename(segment, fieldname: str) -> str:
    """The name of the file of a field's exact lengths in a segment."""
    return segment.make_filename(f".{fieldname}{LENGTHS_EXT}")


def _folder_of(storage) -> str | None:
    from whoosh.filedb.filestore import FileStorage
    if isinstance(storage, FileStorage) and storage.supports_mmap and storage.folder:
        return str(storage.folder)
    return None
