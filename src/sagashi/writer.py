"""Writing records into a Whoosh index: the hot path of every build.

Kept apart from :mod:`sagashi.indexing` (which decides *where* and *when* to
write) because this is where build speed is won or lost.
"""

from __future__ import annotations

import os
from typing import Callable

from .records import Record
from .schema import to_document

#: ``progress(done, total)`` is called as records are indexed.
Progress = Callable[[int, int], None]
#: Below this many records one process is faster than a pool.
PARALLEL_MIN_RECORDS = 4000


def write_records(ix, records: tuple[Record, ...], progress: Progress | None,
                  procs: int | None, update: bool = False) -> None:
    """Add (or with ``update``, add-or-replace by No) ``records`` and commit."""
    total = len(records)
    if procs is None:
        procs = min(os.cpu_count() or 1, 4) if total >= PARALLEL_MIN_RECORDS else 1
    if procs > 1 and not update:
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    else:
        writer = ix.writer(limitmb=128)
    add = writer.update_document if update else writer.add_document
    try:
        for done, record in enumerate(records, 1):
            add(**to_document(record))
            if progress and (done % 200 == 0 or done == total):
                progress(done, total)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
