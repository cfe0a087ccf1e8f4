"""The leaf matcher over one term's postings arrays.

It walks an index ``i`` into the term's arrays. Blocks are the codec's
blocks of 128 postings (block ``i >> 7``), so block statistics come straight
from the blocks array; ids and weights of the current block are turned into
Python lists when first asked for, as Whoosh's W3 matcher decodes a block.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from whoosh.matching import LeafMatcher, ReadTooFar

from . import format as fmt
from .term import TermPostings

_MASK = fmt.BLOCK - 1


class ArrayLeafMatcher(LeafMatcher):
    """Whoosh's Matcher interface over a :class:`TermPostings`.

    ``next()`` returns True when it enters a new block (as W3's matcher
    does: collectors then check the block's quality). ``value()`` re-encodes
    the posting's value in the field's format; ``value_as("positions")``,
    ``("characters")`` and ``("frequency")`` read the arrays directly.
    """

    def __init__(self, postings: TermPostings, format_, term=None, scorer=None,
                 terminfo=None, i: int = 0) -> None:
        self._p = postings
        self.format = format_
        self._term = term
        self.scorer = scorer
        self._terminfo = terminfo
        self._n = len(postings.ids)
        self._block_max_ids = None
        self._goto(i)

    # Position

    def _goto(self, i: int) -> None:
        self._i = i
        self._ids = None
        self._weights = None

    def is_active(self) -> bool:
        return self._i < self._n

    def reset(self) -> None:
        self._goto(0)

    def copy(self) -> ArrayLeafMatcher:
        return ArrayLeafMatcher(self._p, self.format, self._term, self.scorer,
                                self._terminfo, self._i)

    def next(self) -> bool:
        if self._i >= self._n:
            raise ReadTooFar
        self._i += 1
        if not self._i & _MASK or self._i == self._n:
            self._ids = self._weights = None
            return True
        return False

    def skip_to(self, target) -> None:
        if self._i >= self._n:
            raise ReadTooFar
        if target <= self.id():
            return
        block = self._i >> fmt.BLOCK_SHIFT
        maxima = self._max_ids()
        if target > maxima[block]:
            block = bisect_left(maxima, target, block + 1)
            if block == len(maxima):
                self._goto(self._n)
                return
            self._goto(block << fmt.BLOCK_SHIFT)
        ids = self._block_ids()
        self._i = (self._i & ~_MASK) + bisect_left(ids, target, self._i & _MASK)

    def all_ids(self):
        ids = self._p.ids[self._i:].tolist()
        self._goto(self._n)
        return iter(ids)

    # Current posting

    def _block_ids(self) -> list:
        ids = self._ids
        if ids is None:
            start = self._i & ~_MASK
            ids = self._ids = self._p.ids[start:start + fmt.BLOCK].tolist()
        return ids

    def id(self) -> int:
        ids = self._ids
        if ids is None:
            ids = self._block_ids()
        return ids[self._i & _MASK]

    def weight(self) -> float:
        weights = self._weights
        if weights is None:
            start = self._i & ~_MASK
            weights = self._weights = self._p.weights[start:start + fmt.BLOCK].astype(
                np.float64).tolist()
        return weights[self._i & _MASK]

    def value(self):
        kind = self._p.kind
        if kind == fmt.KIND_NONE:
            return None
        if kind == fmt.KIND_BYTES:
            start, end = self._p.value_range(self._i)
            return self._p.values[start:end].tobytes()
        return self.format.encode(self._decoded())

    def _decoded(self) -> list:
        """The current posting's positions (or characters triples)."""
        start, end = self._p.value_range(self._i)
        if self._p.kind == fmt.KIND_CHARACTERS:
            return [tuple(t) for t in self._p.values[3 * start:3 * end].reshape(-1, 3).tolist()]
        return self._p.values[start:end].tolist()

    def value_as(self, astype):
        kind = self._p.kind
        if kind in fmt.UNITS:
            if astype == "positions":
                return self._p.positions(self._i).tolist()
            if astype == "characters" and kind == fmt.KIND_CHARACTERS:
                return self._decoded()
            if astype == "frequency":
                start, end = self._p.value_range(self._i)
                return end - start
        return self.format.decoder(astype)(self.value())

    # Blocks

    def _max_ids(self) -> list:
        maxima = self._block_max_ids
        if maxima is None:
            maxima = self._block_max_ids = self._p.blocks["max_id"].tolist()
        return maxima

    def _block(self):
        return self._p.blocks[self._i >> fmt.BLOCK_SHIFT]

    def block_min_id(self) -> int:
        return int(self._block()["min_id"])

    def block_max_id(self) -> int:
        return int(self._block()["max_id"])

    def block_min_length(self) -> int:
        return int(self._block()["min_length"])

    def block_max_length(self) -> int:
        return int(self._block()["max_length"])

    def block_max_weight(self) -> float:
        return float(self._block()["max_weight"])

    def skip_to_quality(self, minquality) -> int:
        skipped = 0
        while self._i < self._n and self.block_quality() <= minquality:
            self._goto(min(((self._i >> fmt.BLOCK_SHIFT) + 1) << fmt.BLOCK_SHIFT, self._n))
            skipped += 1
        return skipped
