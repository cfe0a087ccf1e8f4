"""The forward index: for some fields, each document's units in order, with
their character offsets and keys, so that highlighting a hit is array
lookups instead of analysing its text again.

A unit is a piece of text the analysis found (a word, a compound, a part of
a compound). It has a word key, at most one reading key, any number of
further keys (synonym groups, kept apart as ``extra`` rows) and a flag
saying whether it is among the finest units (the sequence in which phrases
are matched). Keys are strings, stored once per segment in a hashed string
table (:mod:`~sagashi.whoosh_ext.arrays.lexicon`); units refer to them by id.

Files of a segment ``<seg>``, per forward field ``<f>``: ``<seg>.<f>.afu``
the units (FORWARD_DTYPE), ``<seg>.<f>.afd`` the first unit of each
document and the end, ``<seg>.<f>.afx`` / ``.afy`` the extra keys and where
each document's begin; and once per segment ``.akx`` / ``.ako`` / ``.akh``,
the keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from . import format as fmt
from .lexicon import Lexicon, write_lexicon


@dataclass
class ForwardField:
    """One field's forward index over a segment's documents (0 = the
    segment's first): ``units`` (FORWARD_DTYPE) of all documents in order,
    ``unit_docs[d]:unit_docs[d + 1]`` being document d's; ``extras``
    (EXTRA_DTYPE, ``unit`` counted within its document) likewise with
    ``extra_docs``. Key ids index the segment's forward keys."""

    units: np.ndarray
    unit_docs: np.ndarray
    extras: np.ndarray
    extra_docs: np.ndarray


def empty_field(doc_count: int) -> ForwardField:
    """A forward field in which no document has a unit."""
    zeros = np.zeros(doc_count + 1, dtype=fmt.OFFSET_DTYPE)
    return ForwardField(np.zeros(0, dtype=fmt.FORWARD_DTYPE), zeros,
                        np.zeros(0, dtype=fmt.EXTRA_DTYPE), zeros.copy())


def field_filenames(segment, fieldname: str) -> dict[str, str]:
    """The names of a forward field's files in a segment, by extension."""
    return {ext: segment.make_filename(f".{fieldname}{ext}")
            for ext in (fmt.FORWARD_UNITS_EXT, fmt.FORWARD_DOCS_EXT, fmt.FORWARD_EXTRA_EXT,
                        fmt.FORWARD_EXTRA_DOCS_EXT)}


class ForwardWriter:
    """One field's forward index written as it is made: units and extra keys
    appended a chunk at a time (:meth:`add`), then each document's counts of
    them (:meth:`finish`), so that memory never holds the whole field."""

    def __init__(self, storage, segment, fieldname: str) -> None:
        self._storage, self._segment, self._fieldname = storage, segment, fieldname
        self._names = field_filenames(segment, fieldname)
        self._units = fmt.ArrayWriter(storage, self._names[fmt.FORWARD_UNITS_EXT],
                                      fmt.FORWARD_UNITS_EXT, fmt.FORWARD_DTYPE)
        self._extras = fmt.ArrayWriter(storage, self._names[fmt.FORWARD_EXTRA_EXT],
                                       fmt.FORWARD_EXTRA_EXT, fmt.EXTRA_DTYPE)

    def add(self, units: np.ndarray, extras: np.ndarray) -> None:
        """Append units (FORWARD_DTYPE) and extra keys (EXTRA_DTYPE), in order."""
        self._units.write(units)
        self._extras.write(extras)

    def finish(self, unit_counts: np.ndarray, extra_counts: np.ndarray, doc_count: int) -> None:
        """Close the files, writing where each document's units and extra
        keys begin, from how many each has."""
        self._units.close()
        self._extras.close()
        for ext, counts, total in ((fmt.FORWARD_DOCS_EXT, unit_counts, self._units.count),
                                   (fmt.FORWARD_EXTRA_DOCS_EXT, extra_counts,
                                    self._extras.count)):
            if len(counts) != doc_count or int(np.sum(counts)) != total:
                raise ValueError(f"forward field {self._fieldname!r}: counts for "
                                 f"{len(counts)} documents and {np.sum(counts)} items, "
                                 f"{doc_count} and {total} written")
            offsets = np.zeros(doc_count + 1, dtype=fmt.OFFSET_DTYPE)
            np.cumsum(counts, out=offsets[1:])
            fmt.write_array(self._storage, self._segment, ext, offsets, name=self._names[ext])


def write_forward_field(storage, segment, fieldname: str, field, doc_count: int) -> None:
    """Write one field's forward index over a segment of ``doc_count``
    documents: a :class:`ForwardField`, or anything with a
    ``write_to(ForwardWriter, doc_count)`` method that makes it as it goes."""
    out = ForwardWriter(storage, segment, fieldname)
    if isinstance(field, ForwardField):
        if len(field.unit_docs) != doc_count + 1 or len(field.extra_docs) != doc_count + 1:
            raise ValueError(f"forward field {fieldname!r} does not cover {doc_count} documents")
        out.add(field.units, field.extras)
        out.finish(np.diff(field.unit_docs.astype(np.int64)),
                   np.diff(field.extra_docs.astype(np.int64)), doc_count)
    else:
        field.write_to(out, doc_count)


def write_forward_parts(storage, segment, fieldname: str, parts: Iterable[ForwardField],
                        doc_count: int) -> None:
    """Write one field's forward index from consecutive parts, each the
    :class:`ForwardField` of the next documents (its offsets from 0), held
    one at a time."""
    out = ForwardWriter(storage, segment, fieldname)
    unit_counts, extra_counts = [], []
    for part in parts:
        out.add(part.units, part.extras)
        unit_counts.append(np.diff(part.unit_docs.astype(np.int64)))
        extra_counts.append(np.diff(part.extra_docs.astype(np.int64)))
    joined = [np.concatenate(c) if c else np.zeros(0, dtype=np.int64)
              for c in (unit_counts, extra_counts)]
    out.finish(joined[0], joined[1], doc_count)


def write_forward_keys(storage, segment, keys: list[bytes]) -> None:
    """Write the keys a segment's forward fields refer to."""
    write_lexicon(storage, segment, keys, None, (fmt.KEYS_EXT, fmt.KEY_ENDS_EXT,
                                                 fmt.KEY_HASH_EXT, fmt.KEY_HASH_ROWS_EXT))


class ForwardReader:
    """The forward index of one segment, opened lazily, file by file."""

    def __init__(self, storage, segment, open_array, held: dict[str, int] | None = None) -> None:
        self._storage, self._segment = storage, segment
        self._open = open_array  # (name, ext) -> np.ndarray
        self.held = held if held is not None else {}  # name -> open file descriptor
        self._fields: dict[str, ForwardField | None] = {}
        self._keys: Lexicon | None = None

    def field(self, fieldname: str) -> ForwardField | None:
        """The field's forward index, or None when the segment has none."""
        if fieldname not in self._fields:
            names = field_filenames(self._segment, fieldname)
            found = None
            units = names[fmt.FORWARD_UNITS_EXT]
            if units in self.held or (not self.held and self._storage.file_exists(units)):
                found = ForwardField(*(self._open(names[ext], ext) for ext in names))
            self._fields[fieldname] = found
        return self._fields[fieldname]

    @property
    def keys(self) -> Lexicon:
        if self._keys is None:
            name = self._segment.make_filename
            self._keys = Lexicon(self._open(name(fmt.KEYS_EXT), fmt.KEYS_EXT),
                                 self._open(name(fmt.KEY_ENDS_EXT), fmt.KEY_ENDS_EXT),
                                 self._open(name(fmt.KEY_HASH_EXT), fmt.KEY_HASH_EXT),
                                 self._open(name(fmt.KEY_HASH_ROWS_EXT), fmt.KEY_HASH_ROWS_EXT))
        return self._keys

    def key_ids(self, keys: list[str]) -> np.ndarray:
        """The ids of ``keys`` (-1 for those no unit of the segment has)."""
        data = [k.encode("utf-8") for k in keys]
        return self.keys.find(data, data)


def units_of(field: ForwardField, docnum: int) -> tuple[np.ndarray, np.ndarray]:
    """Document ``docnum``'s units and extra keys."""
    a, b = field.unit_docs[docnum:docnum + 2].tolist()
    c, d = field.extra_docs[docnum:docnum + 2].tolist()
    return field.units[a:b], field.extras[c:d]
