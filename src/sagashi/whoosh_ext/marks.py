"""Which units of a document's field match a query, from the forward index.

Highlighting needs the character spans of the units that match the query's
words, readings and synonym groups, and of the runs of finest units that
spell its phrases. The array codec keeps each document's units of the
snippet fields (:mod:`sagashi.whoosh_ext.arrays.forward`), so this is array
lookups: the query's keys are found once per segment (hashed, verified),
then a document's units are compared with them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .arrays import format as fmt
from .arrays.forward import units_of
from .postings import Segment, segments

#: Key lookups kept per segment (one per recent query).
KEPT_LOOKUPS = 64


class Wanted(NamedTuple):
    """What to mark: word keys, reading keys and synonym-group keys (each
    matched against its own kind of key), and phrases (tuples of words that
    count only as a run of finest units)."""

    words: frozenset
    readings: frozenset
    groups: frozenset
    phrases: frozenset


class _Ids(NamedTuple):
    words: np.ndarray
    readings: np.ndarray
    groups: np.ndarray
    phrases: tuple[tuple[int, ...], ...]


def marked_spans(searcher, docnum: int, field: str,
                 wanted: Wanted) -> list[tuple[int, int]] | None:
    """The merged ``(start, end)`` character spans of the units of document
    ``docnum``'s ``field`` that match ``wanted``; None when its segment has
    no forward index of the field."""
    for seg, offset in segments(searcher):
        if offset <= docnum < offset + seg.doc_count:
            return _spans(seg, docnum - offset, field, wanted)
    return None


def _spans(seg: Segment, local: int, field: str, wanted: Wanted) -> list[tuple[int, int]] | None:
    forward = seg.arrays.forward.field(field)
    if forward is None:
        return None
    ids = _ids(seg, wanted)
    units, extras = units_of(forward, local)
    if not len(units):
        return []
    hit = np.isin(units["word"], ids.words)
    if len(ids.readings):
        hit |= np.isin(units["reading"], ids.readings)
    if len(ids.groups) and len(extras):
        hit[extras["unit"][np.isin(extras["key"], ids.groups)]] = True
    starts, ends = units["start"], units["end"]
    spans = list(zip(starts[hit].tolist(), ends[hit].tolist()))
    if ids.phrases:
        finest = np.flatnonzero(units["flags"] & fmt.FINEST)
        words = units["word"][finest]
        for phrase in ids.phrases:
            n = len(phrase)
            if n > len(words):
                continue
            at = np.ones(len(words) - n + 1, dtype=bool)
            for i, key in enumerate(phrase):
                at &= words[i:len(words) - n + 1 + i] == key
            for i in np.flatnonzero(at).tolist():
                spans.append((int(starts[finest[i]]), int(ends[finest[i + n - 1]])))
    return merge(sorted(spans))


def _ids(seg: Segment, wanted: Wanted) -> _Ids:
    """The segment's key ids of what is wanted (kept for recent queries)."""
    kept = seg.marks
    found = kept.get(wanted)
    if found is not None:
        kept.move_to_end(wanted)
        return found
    forward = seg.arrays.forward
    phrase_words = sorted({w for p in wanted.phrases for w in p})
    groups = [sorted(wanted.words), sorted(wanted.readings), sorted(wanted.groups), phrase_words]
    looked_up = forward.key_ids([k for group in groups for k in group]).tolist()
    parts, at = [], 0
    for group in groups:
        parts.append(looked_up[at:at + len(group)])
        at += len(group)
    phrase_ids = dict(zip(phrase_words, parts[3]))
    phrases = tuple(tuple(phrase_ids[w] for w in p) for p in sorted(wanted.phrases)
                    if all(phrase_ids[w] >= 0 for w in p))
    words, readings, synonyms = (np.array([i for i in part if i >= 0], dtype=np.int64)
                                 for part in parts[:3])
    found = _Ids(words, readings, synonyms, phrases)
    kept[wanted] = found
    while len(kept) > KEPT_LOOKUPS:
        kept.popitem(last=False)
    return found


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged (a compound and its parts)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
