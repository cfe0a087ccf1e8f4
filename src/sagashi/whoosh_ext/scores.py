"""Matching documents and their scores, as two arrays.

:class:`Scores` is what scoring a query returns: document numbers in
increasing order and their scores. It answers the questions ranking asks
with numpy (the best ``k``, membership, restriction to a set, union) and is
also a read-only mapping ``{docnum: score}`` for code that wants one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np

_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)


class Scores(Mapping):
    """Documents (``ids``, increasing int64) and their ``scores`` (float64)."""

    __slots__ = ("ids", "scores")

    def __init__(self, ids: np.ndarray = _NO_IDS, scores: np.ndarray = _NO_SCORES) -> None:
        self.ids = ids
        self.scores = scores

    @classmethod
    def of(cls, pairs: Mapping[int, float] | Iterable[tuple[int, float]]) -> Scores:
        """Scores from ``{docnum: score}`` or ``(docnum, score)`` pairs."""
        if isinstance(pairs, Scores):
            return pairs
        items = sorted(pairs.items() if isinstance(pairs, Mapping) else pairs)
        return cls(np.array([d for d, _ in items], dtype=np.int64),
                   np.array([s for _, s in items], dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __contains__(self, docnum) -> bool:
        return self._at(docnum) >= 0

    def __getitem__(self, docnum) -> float:
        at = self._at(docnum)
        if at < 0:
            raise KeyError(docnum)
        return float(self.scores[at])

    def get(self, docnum, default=None):
        at = self._at(docnum)
        return default if at < 0 else float(self.scores[at])

    def _at(self, docnum) -> int:
        if not isinstance(docnum, (int, np.integer)):
            return -1
        at = int(np.searchsorted(self.ids, docnum))
        return at if at < len(self.ids) and self.ids[at] == docnum else -1

    def items(self):
        return list(zip(self.ids.tolist(), self.scores.tolist()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{d}: {s:.4g}" for d, s in self.items()[:5])
        return f"Scores({{{shown}{', ...' if len(self) > 5 else ''}}}, {len(self)} documents)"

    def top(self, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(docnum, score)``, ties in document order (as Whoosh)."""
        n = len(self.ids)
        if n > k > 0:
            kth = np.partition(self.scores, n - k)[n - k]
            chosen = np.flatnonzero(self.scores >= kth)
        else:
            chosen = np.arange(n) if k > 0 else _NO_IDS
        ids, scores = self.ids[chosen], self.scores[chosen]
        order = np.lexsort((ids, -scores))[:k]
        return list(zip(ids[order].tolist(), scores[order].tolist()))

    def where(self, keep: np.ndarray) -> Scores:
        """The documents where the boolean array ``keep`` is true."""
        return Scores(self.ids[keep], self.scores[keep])

    def among(self, docs: np.ndarray | Scores | Iterable[int]) -> Scores:
        """Those of these documents that are also in ``docs``."""
        return self.where(member(self.ids, as_ids(docs)))

    def without(self, docs: np.ndarray | Scores | Iterable[int]) -> Scores:
        """These documents but those in ``docs``."""
        docs = as_ids(docs)
        return self.where(~member(self.ids, docs)) if len(docs) else self


def as_ids(docs: np.ndarray | Scores | Iterable[int] | None) -> np.ndarray:
    """Document numbers as an increasing int64 array without repeats."""
    if docs is None:
        return _NO_IDS
    if isinstance(docs, Scores):
        return docs.ids
    if isinstance(docs, np.ndarray):
        ids = docs.astype(np.int64, copy=False)
    else:
        ids = np.fromiter(docs, dtype=np.int64)
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        # Sorted and deduplicated by hand: np.unique imports numpy.ma, a
        # noticeable share of a cold search.
        ids = np.sort(ids)
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    return ids


#: Past this many ids searched for (and in), a bitmap of the documents
#: beats binary searches.
_BITMAP_MIN = 4096


def member(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``docs`` (both increasing)."""
    if not len(docs) or not len(ids):
        return np.zeros(len(ids), dtype=bool)
    if len(ids) > _BITMAP_MIN and len(docs) > _BITMAP_MIN:
        top = int(max(ids[-1], docs[-1])) + 1
        if top <= 16 * (len(ids) + len(docs)):  # dense enough for a bitmap
            bitmap = np.zeros(top, dtype=bool)
            bitmap[docs] = True
            return bitmap[ids]
    at = np.searchsorted(docs, ids)
    np.minimum(at, len(docs) - 1, out=at)
    return docs[at] == ids


def union(*docs: np.ndarray | Scores | Iterable[int]) -> np.ndarray:
    """Every document in any of ``docs``, increasing."""
    parts = [as_ids(d) for d in docs]
    parts = [p for p in parts if len(p)]
    if not parts:
        return _NO_IDS
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate(parts)
    ids.sort(kind="stable")  # runs already in order: merged, not sorted again
    keep = np.empty(len(ids), dtype=bool)
    keep[0] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]
