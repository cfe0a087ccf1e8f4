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
    words: frozenset[int]
    readings: frozenset[int]
    groups: frozenset[int]
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
    # a document has tens of units: plain lists and sets beat numpy calls here
    words = units["word"].tolist()
    readings = units["reading"].tolist()
    starts, ends = units["start"].tolist(), units["end"].tolist()
    hit = {i for i, w in enumerate(words) if w in ids.words}
    if ids.readings:
        hit.update(i for i, r in enumerate(readings) if r in ids.readings)
    if ids.groups and len(extras):
        hit.update(u for u, k in zip(extras["unit"].tolist(), extras["key"].tolist())
                   if k in ids.groups)
    spans = [(starts[i], ends[i]) for i in hit]
    if ids.phrases:
        finest = [i for i, f in enumerate(units["flags"].tolist()) if f & fmt.FINEST]
        sequence = [words[i] for i in finest]
        for phrase in ids.phrases:
            n = len(phrase)
            for at in range(len(sequence) - n + 1):
                if tuple(sequence[at:at + n]) == phrase:
                    spans.append((starts[finest[at]], ends[finest[at + n - 1]]))
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
    words, readings, synonyms = (frozenset(i for i in part if i >= 0) for part in parts[:3])
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
