"""One term's postings as array views."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import format as fmt


@dataclass(frozen=True)
class TermPostings:
    """One term's postings as array views: ``ids``, ``weights``, ``ends``
    (value end of each posting, relative to the term's first value unit),
    ``values`` (the term's value units: positions, flattened
    position/startchar/endchar triples, or bytes; empty for KIND_NONE) and
    ``blocks`` (its BLOCK_DTYPE records)."""

    kind: int
    ids: np.ndarray
    weights: np.ndarray
    ends: np.ndarray
    values: np.ndarray
    blocks: np.ndarray

    def value_range(self, i: int) -> tuple[int, int]:
        """Posting ``i``'s value units are ``values[start:end]`` (times
        UNITS for position kinds: see :meth:`positions`)."""
        return (int(self.ends[i - 1]) if i else 0), int(self.ends[i])

    def positions(self, i: int) -> np.ndarray:
        """The positions of posting ``i`` (a view)."""
        start, end = self.value_range(i)
        if self.kind == fmt.KIND_CHARACTERS:
            return self.values[3 * start:3 * end:3]
        return self.values[start:end]
