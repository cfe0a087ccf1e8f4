"""Every use of Whoosh's private API, in one place.

The rest of sagashi uses Whoosh's public API only (``whoosh.index``,
``whoosh.query``, ``whoosh.fields``, ``whoosh.analysis``,
``whoosh.scoring.BM25F``). The modules here rely on internals of
whoosh-reloaded 2.7.5, pinned in pyproject.toml; a test
(tests/test_layout.py) fails with a clear message when another version
is installed, since any of these may change without notice:

- :mod:`~sagashi.whoosh_ext.arrays` is a Whoosh codec (the storage of every
  sagashi index): it subclasses ``whoosh.codec.whoosh3.W3Codec``,
  ``W3Segment``, ``W3PerDocWriter`` and ``W3PerDocReader``, and implements
  ``whoosh.codec.base.TermsReader``, ``FieldCursor`` and ``FieldWriter``;
  it reads and sets ``W3PerDocWriter``'s ``_storedfields``,
  ``_fieldlengths``, ``_docnum``, ``_doccount``, ``_segment``, ``_storage``
  and ``W3PerDocReader``'s ``_segment``, ``_storage``, ``_doccount``; it
  reaches a ``SegmentReader``'s codec readers as ``_terms`` and ``_perdoc``,
  and writes through a ``SegmentWriter``'s ``perdocwriter``,
  ``fieldwriter``, ``docnum``, ``write_per_doc()`` and ``_added``. Each
  segment pickles its codec, so the class paths of ``ArrayCodec`` and
  ``ArraySegment`` are part of the format.
- :mod:`~sagashi.whoosh_ext.postings` scores a segment's postings as arrays:
  it reads the per-document reader's ``_cached_reader()`` with
  ``whoosh.codec.whoosh3.STORED_COLUMN`` (to open the stored fields early),
  a BM25F weighting's ``_field_B``, and the readers' ``deleted_docs_set``.
- :mod:`~sagashi.whoosh_ext.bulk` reproduces how Whoosh builds and pairs
  matchers: ``whoosh.matching.FilterMatcher``, ``IntersectionMatcher``,
  ``ListMatcher``, ``NullMatcherClass``, ``WrappingMatcher``,
  ``whoosh.query.spans.SpanNear2.SpanNear2Matcher``.
- :mod:`~sagashi.whoosh_ext.scoring` subclasses
  ``whoosh.matching.DisjunctionMaxMatcher`` and uses ``whoosh.matching.mcore``,
  ``UnionMatcher.skip_to_quality`` and ``DisjunctionMax._tree_matcher()``.
- :mod:`~sagashi.whoosh_ext.segments` subclasses
  ``whoosh.writing.SegmentWriter`` and uses its ``_flush_segment()``,
  ``_finalize_segment()``, ``_close_segment()``, ``_commit_toc()``,
  ``_finish()``, ``_check_state()``, ``_added``, ``perdocwriter``,
  ``fieldwriter`` and ``is_closed``.
"""

from __future__ import annotations

#: The Whoosh release whose internals this package was written against.
WHOOSH_VERSION = (2, 7, 5)


def installed_whoosh_version() -> tuple[int, ...]:
    """The version of the installed Whoosh, as a tuple of ints."""
    import whoosh
    return tuple(whoosh.__version__[:3])
