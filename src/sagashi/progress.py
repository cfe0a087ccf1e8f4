"""A progress bar for long work, on stderr, on a terminal only.

Nothing is drawn during the first second, so quick builds stay silent; after
that the bar shows the count, the share done and the record rate.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Callable as ``progress(done, total)``; call :meth:`finish` at the end."""

    def __init__(self, label: str = "indexing", stream: TextIO | None = None,
                 delay: float = 1.0, width: int = 24, force: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.delay = delay
        self.width = width
        self.enabled = force or _isatty(self.stream)
        self.started = time.monotonic()
        self.drawn = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.started
        if elapsed < self.delay or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(share * self.width)
        rate = done / elapsed if elapsed > 0 else 0.0
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done:,}/{total:,} {share:4.0%} "
                          f"{rate:,.0f} records/s")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
