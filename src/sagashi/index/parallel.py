"""Building one index with several processes.

The records are cut into as many contiguous shares as there are processes.
The calling process writes the first share and ``procs - 1`` workers the
others, each analysing its share with its own Sudachi (they do not pickle;
:mod:`sagashi.analysis` creates them per process) and writing its own Whoosh
segments. The segments are then committed at once, in share order, so
documents are numbered as a one-process build numbers them. Segments are not
merged: a merge would rewrite every posting in one process.

Unlike Whoosh's ``MpWriter``, nothing is pickled to job files: each worker
is sent its share of the records through a pipe, pickled once (this process
then lets go of it), and reports its progress, its segments or its error on
a queue. Workers of large shares are spawned rather than forked, so that
they do not hold a copy of everything this process holds. The caller
working too saves a process:
its memory (the records, the dictionary pages) would otherwise be counted
again in an idle parent.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback

from ..errors import SagashiError
from ..whoosh_ext.segments import SegmentWriter
from .writer import Progress, write_share

#: Seconds between checks that the workers are still alive.
_POLL = 0.5
#: Workers of shares this large are spawned, not forked.
SPAWN_MIN_RECORDS = 20_000


def write_parallel(ix, records, procs: int, progress: Progress | None = None,
                   segment_morphemes: int | None = None) -> None:
    """Add ``records`` to the index ``ix`` with ``procs`` processes (this one
    included), each writing new segments (see
    :func:`sagashi.index.writer.write_share`), and commit. A list of
    records is emptied: this process keeps its own share only, and lets go
    of each record once it is written."""
    total = len(records)
    bounds = [total * i // procs for i in range(procs + 1)]
    # lists, which write_share empties as it writes them
    shares = [list(records[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
    if isinstance(records, list):
        records.clear()
    records = ()
    parent = SegmentWriter(ix)  # holds the index lock
    ctx = _context(len(shares[-1]))
    messages = ctx.Queue()
    pipes = [ctx.Pipe(duplex=False) for _ in shares[1:]]
    workers = [ctx.Process(target=_work, name=f"sagashi-index-{slot}", daemon=True,
                           args=(ix.storage, ix.indexname, receiver, slot, messages,
                                 segment_morphemes))
               for slot, (receiver, _) in enumerate(pipes, 1)]
    board = _Board(workers, messages, progress, total)
    try:
        for w in workers:
            w.start()
        for slot, (_, sender) in enumerate(pipes, 1):
            sender.send(shares[slot])  # pickled once; this process lets go of it
            shares[slot] = []  # (no loop variable keeps it either)
            sender.close()
        board.segments[0] = write_share(ix, shares[0], board.own_progress, segment_morphemes)
        board.wait()
        for w in workers:
            w.join()
        parent.commit_segments([s for share in board.segments for s in share])
    except BaseException:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()
        parent.cancel()
        raise
    finally:
        messages.close()


def _context(share: int):
    """Fork workers for small shares (they start at once); spawn them for
    large ones, so that a worker holds its own share of the records and not
    a copy of everything this process holds (the whole data file, and what
    reading it left behind): memory is the limit of a large build, and
    starting a fresh interpreter costs about a second."""
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and share < SPAWN_MIN_RECORDS else "spawn"
    return multiprocessing.get_context(method)


class _Board:
    """What the workers have reported: records done, segments, failures."""

    def __init__(self, workers, messages, progress: Progress | None, total: int) -> None:
        self.workers, self.messages = workers, messages
        self.progress, self.total = progress, total
        self.counts = [0] * (len(workers) + 1)
        self.segments: list = [None] * (len(workers) + 1)
        self.waiting = len(workers)

    def own_progress(self, done: int, _total: int) -> None:
        """Progress of this process's share; also takes in the workers'."""
        self.counts[0] = done
        self.read(block=False)
        self._report()

    def wait(self) -> None:
        """Wait for every worker's segments; raise if one fails or dies."""
        while self.waiting:
            if not self.read(block=True):
                for w in self.workers:
                    if w.exitcode not in (None, 0):
                        raise SagashiError(f"an indexing process died (exit code {w.exitcode}); "
                                           "nothing was changed",
                                           "if memory is short, build with --procs 1")

    def read(self, block: bool) -> bool:
        """Take in the waiting messages (or wait for one); False if none came."""
        got = False
        while True:
            try:
                kind, slot, value = (self.messages.get(timeout=_POLL) if block and not got
                                     else self.messages.get_nowait())
            except queue.Empty:
                return got
            got = True
            if kind == "progress":
                self.counts[slot] = value
                self._report()
            elif kind == "done":
                self.segments[slot] = value
                self.waiting -= 1
            else:  # "error": the worker's exception, or its text if it did not pickle
                if isinstance(value, SagashiError):
                    raise value
                detail = value if isinstance(value, str) else f"{type(value).__name__}: {value}"
                raise SagashiError(f"an indexing process failed: {detail}",
                                   "build with --procs 1 to see the full error")

    def _report(self) -> None:
        if self.progress:
            self.progress(sum(self.counts), self.total)


def _work(storage, indexname, receiver, slot, messages, segment_morphemes) -> None:
    """A worker: index the records it receives into segments of its own and
    send them back."""
    try:
        records = receiver.recv()
        receiver.close()
        def report(done: int, _total: int) -> None:
            messages.put(("progress", slot, done))

        segments = write_share(storage.open_index(indexname), records, report, segment_morphemes)
        messages.put(("done", slot, segments))
    except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
        messages.put(("error", slot, _portable(e)))


def _portable(error: BaseException):
    """The exception itself if it pickles, else a line of text."""
    import pickle
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        lines = traceback.format_exception_only(type(error), error)
        return lines[-1].strip()
