"""The array codec: Whoosh's W3 codec with the term table and postings kept
as numpy arrays.

Stored fields, columns, vectors and deletions stay Whoosh's; the term
table, postings, field lengths and the forward index are this package's
files. A segment pickles the codec that wrote it (Whoosh's TOC), so readers
of any index use the right codec per segment. The class paths
``sagashi.whoosh_ext.arrays.codec.ArrayCodec`` and ``.ArraySegment`` are
part of the format: moving them breaks existing indexes. Segments are
never compound (their files must be plain files to be memory-mapped).
"""

from __future__ import annotations

from . import format as fmt
from .reading import ArrayPerDocReader, ArrayTermsReader, SegmentArrays
from .whoosh_private import W3Codec, W3Segment
from .writing import ArrayFieldWriter, ArrayPerDocWriter


class ArrayCodec(W3Codec):
    """Postings as raw little-endian arrays, opened as memory maps; exact
    field lengths; block maxima every 128 postings; a hashed term table.
    Pass an instance to ``ix.writer(codec=ArrayCodec())``.

    Vectors, if a field has them, are still written by W3's postings writer
    (the inherited ``postings_writer``/``postings_reader``)."""

    def __init__(self) -> None:
        super().__init__()
        #: The format this codec instance writes; pickled with each segment.
        self.format_version = fmt.FORMAT_VERSION

    def _check(self, segment) -> None:
        fmt.check_version(getattr(self, "format_version", None), f"segment {segment}")

    def per_document_writer(self, storage, segment):
        return ArrayPerDocWriter(self, storage, segment)

    def field_writer(self, storage, segment):
        return ArrayFieldWriter(storage, segment)

    def per_document_reader(self, storage, segment):
        self._check(segment)
        return ArrayPerDocReader(storage, segment)

    def terms_reader(self, storage, segment):
        self._check(segment)
        return ArrayTermsReader(SegmentArrays(storage, segment))

    def new_segment(self, storage, indexname):
        return ArraySegment(self, indexname)


class ArraySegment(W3Segment):
    """A W3 segment that is never assembled into a compound file."""

    def should_assemble(self) -> bool:
        return False
