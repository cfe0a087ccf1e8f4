"""Writing records into a Whoosh index: the hot path of every build.

Kept apart from :mod:`sagashi.index.build` (which decides *where* and *when*
to write, and with how many processes) because this is where build speed is
won or lost. A build writes each share of the records as new segments
(:func:`write_share`), in this process (:func:`write_serial`) or in several
(:mod:`sagashi.index.parallel`): analysis is the larger cost, and it is
per-record work that parallelises. Segments are committed together and never
merged, since a merge would rewrite every posting in one process. Postings
are held packed per term (:class:`~sagashi.whoosh_ext.segments.PostingTable`)
and, when a segment's worth is held, written out, so memory stays bounded
whatever the number of records.

The files are Whoosh's own: any Whoosh reader opens them. Updates (add or
replace by No) go through Whoosh's writer unchanged (:func:`update_records`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
from collections.abc import Callable

from ..domain.records import Record
from ..whoosh_ext.segments import COMPOUND, SegmentWriter
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
#: Call ``progress`` every this many records.
PROGRESS_EVERY = 200


def update_records(ix, records: tuple[Record, ...], progress: Progress | None) -> None:
    """Add ``records`` to ``ix``, replacing those with the same No, and commit."""
    writer = ix.writer(limitmb=LIMIT_MB, compound=COMPOUND)
    try:
        total = len(records)
        for n, record in enumerate(records, 1):
            writer.update_document(**to_document(record))
            if progress and (n % PROGRESS_EVERY == 0 or n == total):
                progress(n, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def write_serial(ix, records: tuple[Record, ...], progress: Progress | None) -> None:
    """Add ``records`` to ``ix`` as new segments written by this process, and commit."""
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
    limit = (segment_mb or SEGMENT_MB) * 1024 * 1024
    writer: SegmentWriter | None = None
    try:
        writer = SegmentWriter(ix, _lk=False)
        for n, record in enumerate(records, 1):
            writer.add_document(**to_document(record))
            if progress and (n % PROGRESS_EVERY == 0 or n == total):
                progress(n, total)
            if writer.pool.size > limit and n < total:
                segments.append(writer.finish_segment())
                writer = None  # let the segment's memory go before the next one grows
                _give_back_memory()
                writer = SegmentWriter(ix, _lk=False)
        segments.append(writer.finish_segment())
    except BaseException:
        if writer is not None:
            writer.abandon()
        raise
    return segments


def _give_back_memory() -> None:
    """Return the memory of a written segment to the system (glibc keeps
    freed memory for reuse otherwise, and the next segment's postings are
    allocated elsewhere), so that the peak stays near one segment's worth."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
