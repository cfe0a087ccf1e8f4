"""A progress bar for long work, on stderr, on a terminal only.

Nothing is drawn during the first second, so quick builds stay silent; after
that the bar shows the count, the share done and the record rate. A quiet
ticker thread redraws it while no progress is reported (Whoosh writes its
segment after the last record is added), so every build that takes longer
than a second shows the bar, and it never looks frozen.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class ProgressBar:
    """Callable as ``progress(done, total)``; call :meth:`finish` at the end.

    ``tick`` is how often (seconds) the bar is redrawn between reports, or
    None for no ticker thread. Off a terminal the bar does nothing at all
    (``force`` draws anyway).
    """

    def __init__(self, label: str = "indexing", stream: TextIO | None = None,
                 delay: float = 1.0, width: int = 24, force: bool = False,
                 tick: float | None = 0.25) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.delay = delay
        self.width = width
        self.enabled = force or _isatty(self.stream)
        self.started = time.monotonic()
        self.drawn = False
        self._last = 0.0
        self._state = (0, 0)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if self.enabled and tick:
            self._thread = threading.Thread(target=self._tick, args=(tick,), daemon=True,
                                            name="sagashi-progress")
            self._thread.start()

    def __call__(self, done: int, total: int) -> None:
        self._state = (done, total)
        if self.enabled:
            self._draw(final=done >= total)

    def finish(self) -> None:
        """Stop redrawing and end the bar's line (if one was drawn)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.drawn:
                self.stream.write("\n")
                self.stream.flush()
                self.drawn = False

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            self._draw(final=False)

    def _draw(self, final: bool) -> None:
        with self._lock:
            done, total = self._state
            now = time.monotonic()
            elapsed = now - self.started
            if self._stop.is_set() or not total or elapsed < self.delay \
                    or (now - self._last < 0.1 and not final):
                return
            self._last = now
            share = done / total
            filled = int(share * self.width)
            rate = done / elapsed if elapsed > 0 else 0.0
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {share:4.0%} "
                              f"{rate:,.0f} records/s")
            self.stream.flush()
            self.drawn = True


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
