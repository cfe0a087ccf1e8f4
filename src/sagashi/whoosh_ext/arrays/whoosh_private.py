"""The Whoosh internals the array codec builds on, in one place (each is
listed in the docstring of :mod:`sagashi.whoosh_ext`)."""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter, W3Segment

__all__ = ["W3Codec", "W3PerDocReader", "W3PerDocWriter", "W3Segment", "mark_added",
           "perdoc_reader_of", "terms_reader_of"]


def terms_reader_of(reader):
    """The codec's terms reader behind a Whoosh ``SegmentReader`` (None for
    any other reader)."""
    return getattr(reader, "_terms", None)


def perdoc_reader_of(reader):
    """The codec's per-document reader behind a Whoosh ``SegmentReader``
    (None for any other reader)."""
    return getattr(reader, "_perdoc", None)


def mark_added(writer) -> None:
    """Tell a ``SegmentWriter`` that it holds documents (added straight
    through its per-document and field writers), so that ``commit()`` writes
    its segment."""
    writer._added = True
