"""Writing records into a Whoosh index: the hot path of every build.

Kept apart from :mod:`sagashi.indexing` (which decides *where* and *when* to
write) because this is where build speed is won or lost.

Where the time goes (py-spy, one build process, 100,000 generated records of
about 200 postings each; see scripts/bench.py): 42% in the analysis (16% in
SudachiPy itself, the rest in the Python around it and the filter chain),
18% in Whoosh turning tokens into postings, and 30% in writing segments,
mostly Whoosh's pure-Python posting code: one pickled and compressed block
and one term-table row per term, bookkeeping per posting. So a build:

- runs in several processes (:mod:`sagashi.parallel`), each analysing a
  contiguous share of the records with its own Sudachi and writing its own
  segments, which are committed together and never merged (a merge would
  rewrite every posting in one process);
- keeps postings packed per term in memory (:class:`PostingTable`) instead of
  Whoosh's pool of one tuple per posting, which is five times larger, is
  sorted as a whole and spills sorted runs to disk past its memory limit;
  when the table is full, the writer closes the segment and starts another;
- writes each posting list straight through Whoosh's field writer, with
  the field-length columns read once per segment instead of once per
  posting.

The files are Whoosh's own: any Whoosh reader opens them. Updates (add or
replace by No) go through Whoosh's writer unchanged.
"""

from __future__ import annotations

import ctypes
import gc
import os
import struct
from typing import Callable

from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

from .postings import read_length_column
from .records import Record
from .schema import to_document

#: ``progress(done, total)`` is called as records are indexed.
Progress = Callable[[int, int], None]
#: Below this many records per process, one process is faster than a pool
#: (starting a process and loading its dictionary costs about a second).
PARALLEL_MIN_RECORDS = 2000
#: At most this many processes by default (a build is CPU-bound).
MAX_PROCS = 4
#: Megabytes of postings a build process holds before it writes a segment.
SEGMENT_MB = 64
#: Megabytes of postings Whoosh's own pool holds (updates) before spilling.
LIMIT_MB = 128
#: Segments are written as separate files, not one compound file: Whoosh
#: opens a compound segment by copying its files into memory, which on a
#: 100,000-record index took 0.8 s and 600 MB on every open.
COMPOUND = False
#: Call ``progress`` every this many records.
PROGRESS_EVERY = 200


def write_records(ix, records: tuple[Record, ...], progress: Progress | None,
                  procs: int | None, update: bool = False) -> None:
    """Add (or with ``update``, add-or-replace by No) ``records`` and commit."""
    if update:
        writer = ix.writer(limitmb=LIMIT_MB, compound=COMPOUND)
        try:
            _update(writer, records, progress)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return
    procs = default_procs(len(records), procs)
    if procs > 1:
        from .parallel import write_parallel
        write_parallel(ix, records, procs, progress)
        return
    parent = SegmentWriter(ix)  # holds the index lock
    try:
        segments = write_share(ix, records, progress)
        parent.commit_segments(segments)
    except BaseException:
        parent.cancel()
        raise


def default_procs(total: int, procs: int | None = None) -> int:
    """How many processes write ``total`` records: ``procs`` if given (but
    never more than would each get PARALLEL_MIN_RECORDS), else one per core."""
    wanted = procs if procs is not None else min(_cores(), MAX_PROCS)
    return max(1, min(wanted, total // PARALLEL_MIN_RECORDS))


def write_share(ix, records, progress: Progress | None = None,
                segment_mb: int | None = None) -> list:
    """Write ``records`` as one or more new segments of ``ix`` (without the
    index lock, which the caller holds) and return them, uncommitted."""
    segments: list = []
    total = len(records)
    writer = SegmentWriter(ix, _lk=False)
    try:
        limit = (segment_mb or SEGMENT_MB) * 1024 * 1024
        for n, record in enumerate(records, 1):
            writer.add_document(**to_document(record))
            if progress and (n % PROGRESS_EVERY == 0 or n == total):
                progress(n, total)
            if writer.pool.size > limit and n < total:
                segments.append(writer.finish_segment())
                writer = None
                _give_back_memory()
                writer = SegmentWriter(ix, _lk=False)
        segments.append(writer.finish_segment())
    except BaseException:
        writer.abandon()
        raise
    return segments


def _update(writer, records, progress: Progress | None) -> None:
    total = len(records)
    for n, record in enumerate(records, 1):
        writer.update_document(**to_document(record))
        if progress and (n % PROGRESS_EVERY == 0 or n == total):
            progress(n, total)


class SegmentWriter(_WhooshSegmentWriter):
    """Whoosh's segment writer for a new segment, with postings kept in a
    :class:`PostingTable` and field lengths loaded once when it is written.
    The files are the same. Not for updates: it adds documents only."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, compound=COMPOUND, **kwargs)
        self.pool = PostingTable()

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = {name: read_length_column(pdr, name) for name in self.pool.fieldnames}
            self.pool.write_to(self.fieldwriter, self.schema, lengths)
            self.fieldwriter.close()
        finally:
            pdr.close()

    def finish_segment(self):
        """Write this writer's segment out and return it, without committing
        it to the index (:func:`write_share`, :mod:`sagashi.parallel`)."""
        return self._finalize_segment()

    def abandon(self) -> None:
        """Close this writer's files after a failure, leaving the temporary
        folder it shares with other writers (and the index) alone."""
        if not self.is_closed:
            self._close_segment()
            self.is_closed = True

    def commit_segments(self, segments) -> None:
        """Commit the index with ``segments`` added after the existing ones,
        nothing merged, and release the lock. This writer adds nothing."""
        self._check_state()
        kept = list(self.segments)
        self._close_segment()
        self._commit_toc(kept + list(segments))
        self._finish()


class PostingTable:
    """A segment's postings in memory: for each field and term, its postings
    packed into one byte string, in document order.

    It stands in for Whoosh's ``PostingPool``, which keeps a tuple per
    posting (about 200 bytes), sorts them all when the segment is written
    and, past its limit, writes sorted runs to disk and merges them back.
    Here a posting costs its value plus 16 bytes and a term about 150 bytes
    (most terms of a wide vocabulary have a single posting, kept as
    ``bytes``; a second one turns it into a ``bytearray``), and only the
    terms are sorted. Documents must be added in order.
    """

    _HEAD = struct.Struct("<IdI")  # docnum, weight, length of the value
    _TERM_BYTES = 150

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, bytes | bytearray]] = {}
        #: Estimated bytes held.
        self.size = 0

    @property
    def fieldnames(self) -> set[str]:
        return set(self._fields)

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        vbytes = vbytes or b""
        posting = self._HEAD.pack(docnum, weight, len(vbytes)) + vbytes
        packed = terms.get(tbytes)
        if packed is None:
            terms[tbytes] = posting
            self.size += self._TERM_BYTES + len(tbytes) + len(posting)
            return
        if type(packed) is bytes:
            packed = terms[tbytes] = bytearray(packed)
        packed += posting
        self.size += len(posting)

    def write_to(self, fieldwriter, schema, lengths: dict) -> None:
        """Write every posting list, in Whoosh's order (field, then term),
        through Whoosh's field writer; ``lengths`` holds each field's length
        column (length bytes by document), which goes with every posting."""
        head, unpack = self._HEAD.size, self._HEAD.unpack_from
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            column = lengths.get(fieldname) or b""
            fieldwriter.start_field(fieldname, schema[fieldname])
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                packed = terms[tbytes]
                at, end = 0, len(packed)
                while at < end:
                    docnum, weight, n = unpack(packed, at)
                    at += head
                    lbyte = column[docnum] if docnum < len(column) else 0
                    fieldwriter.add(docnum, weight, bytes(packed[at:at + n]),
                                    byte_to_length(lbyte) if lbyte else None)
                    at += n
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self._fields = {}
        self.size = 0


def _give_back_memory() -> None:
    """Return the memory of a written segment to the system (glibc keeps
    freed memory for reuse otherwise, and the next segment's postings are
    allocated elsewhere), so that the peak stays near one segment's worth."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
