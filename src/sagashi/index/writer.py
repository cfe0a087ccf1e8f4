"""Writing records into an index: the hot path of every build and update.

Kept apart from :mod:`sagashi.index.build` (which decides *where* and *when*
to write, and with how many processes) because this is where build speed is
won or lost. Records are gathered a segment's worth at a time
(:class:`~sagashi.index.segment.SegmentBuilder`: each distinct morpheme is
analysed once, text becomes arrays of morpheme ids) and each segment is
written at once with numpy through the array codec
(:mod:`sagashi.whoosh_ext.arrays`). Segments are never merged on the way:
``sagashi index optimize`` does that. Memory stays bounded by the size of a
segment, whatever the number of records.

A build writes each share of the records as new segments
(:func:`write_share`), in this process (:func:`write_serial`) or in several
(:mod:`sagashi.index.parallel`). An update writes its records the same way
and marks the documents they replace as deleted (:func:`update_records`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
from collections.abc import Callable, Iterable, Sequence

from ..domain.records import Record
from ..whoosh_ext.segments import SegmentWriter
from .schema import to_document
from .segment import SegmentBuilder

#: ``progress(done, total)`` is called as records are indexed.
Progress = Callable[[int, int], None]
#: Below this many records per process, one process is faster than a pool
#: (starting a process and loading its dictionary costs about a second).
PARALLEL_MIN_RECORDS = 2000
#: At most this many processes by default (a build is CPU-bound).
MAX_PROCS = 4
#: Morphemes a segment holds before it is written (about 54,000 records of
#: the bundled corpus's shape, so a 100,000-record build on two cores writes
#: one segment per process). Writing them takes about 65 bytes each at the
#: peak, and what is held until then 16 bytes each, so this sets most of a
#: process's own memory: about 650 MB per process at 4,500,000 (besides the
#: shared dictionary), about 500 MB at 1,500,000. Smaller segments cost
#: searches more than they save a build: every search walks each segment,
#: and at 100,000 records six segments (1,500,000) answered 1.3-1.6x slower
#: than two, so latency wins over the build's memory here.
SEGMENT_MORPHEMES = 4_500_000
#: A morpheme table is started afresh (between segments) once it holds this
#: many distinct morphemes, about 600 bytes each with their strings: the
#: vocabulary grows with the corpus (100,000 records have about 150,000
#: per process), and the memory of a build should not.
TABLE_MORPHEMES = 300_000
#: Call ``progress`` every this many records.
PROGRESS_EVERY = 200

#: Per process: a MorphemeTable per analysis, kept across segments and builds.
_tables: dict = {}


def update_records(ix, records: tuple[Record, ...], progress: Progress | None) -> None:
    """Add ``records`` to ``ix`` as new segments, mark the documents with the
    same No as deleted, and commit."""
    parent = SegmentWriter(ix)  # holds the index lock
    try:
        for no in sorted({r.no for r in records}):
            parent.delete_by_term("no", str(no))
        segments = write_share(ix, records, progress)
        parent.commit_segments(segments)
    except BaseException:
        parent.cancel()
        raise


def delete_nos(ix, nos: Iterable[int]) -> None:
    """Mark the documents with these Nos as deleted, and commit."""
    writer = SegmentWriter(ix)
    try:
        for no in sorted(nos):
            writer.delete_by_term("no", str(no))
        writer.commit_segments([])
    except BaseException:
        writer.cancel()
        raise


def optimize(ix) -> None:
    """Merge every segment of ``ix`` into one, dropping deleted documents."""
    writer = SegmentWriter(ix)
    try:
        writer.optimize_all()
    except BaseException:
        writer.cancel()
        raise


def write_serial(ix, records: Sequence[Record], progress: Progress | None) -> None:
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
                segment_morphemes: int | None = None) -> list:
    """Write ``records`` as one or more new segments of ``ix`` (without the
    index lock, which the caller holds) and return them, uncommitted. A
    segment is written once it holds ``segment_morphemes`` morphemes
    (default SEGMENT_MORPHEMES). A list of records is emptied as its records
    are added (a segment's documents are stored as they come), so that
    memory holds no record that was written."""
    segments: list = []
    total = len(records)
    limit = segment_morphemes or SEGMENT_MORPHEMES
    builder: SegmentBuilder | None = None
    done = 0  # records before this one that were let go of
    try:
        for n, record in enumerate(records, 1):
            if builder is None:
                _bound_tables()
                builder = SegmentBuilder(SegmentWriter(ix, _lk=False), _tables)
            builder.add(to_document(record))
            if progress and (n % PROGRESS_EVERY == 0 or n == total):
                progress(n, total)
            if builder.morphemes > limit and n < total:
                done = _let_go(records, done, n)
                segments.append(_finish(builder))
                builder = None  # let the segment's memory go before the next one grows
                _give_back_memory()
        _let_go(records, done, total)
        if builder is not None:
            segments.append(_finish(builder))
            builder = None
            _give_back_memory()  # a worker's peak may be yet to come: hold nothing
    except BaseException:
        if builder is not None:
            builder.writer.abandon()
        raise
    return segments


def _let_go(records, done: int, n: int) -> int:
    """Drop the records ``done:n`` of a list (they are in the segment); return ``n``."""
    if isinstance(records, list):
        if n == len(records):
            records.clear()
        else:
            records[done:n] = [None] * (n - done)
    return n


def _bound_tables() -> None:
    """Drop the morpheme tables that have grown past TABLE_MORPHEMES (the
    next segment starts a new one)."""
    for key, table in list(_tables.items()):
        if len(table) > TABLE_MORPHEMES:
            del _tables[key]


def _finish(builder: SegmentBuilder):
    """Write a builder's postings and return its finished segment."""
    builder.write()
    return builder.writer.finish_segment()


def _give_back_memory() -> None:
    """Return the memory of a written segment to the system (glibc keeps
    freed memory for reuse otherwise, and the next segment's arrays are
    allocated elsewhere), so that the peak stays near one segment's worth."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
