"""Every use of Whoosh's private API, in one place.

The rest of sagashi uses Whoosh's public API only (``whoosh.index``,
``whoosh.query``, ``whoosh.fields``, ``whoosh.analysis``,
``whoosh.scoring.BM25F``). The modules here rely on internals of
whoosh-reloaded 2.7.5, pinned in pyproject.toml; a test
(tests/test_layout.py) fails with a clear message when another version
is installed, since any of these may change without notice:

- :mod:`~sagashi.whoosh_ext.postings` reads posting lists a block at a time:
  ``whoosh.codec.whoosh3.W3LeafMatcher`` and its ``_maxid``, ``_ids``,
  ``_weights``, ``_values``, ``_next_block()``, ``_read_values()``;
  ``whoosh.codec.whoosh3._lenfield``, ``LENGTHS_COLUMN``, ``STORED_COLUMN``;
  the segment reader's ``_perdoc`` and its ``_cached_reader()``; the length
  column reader's ``_fixedlen``, ``_default``, ``_dbfile``, ``_basepos``,
  ``_count``, ``_doccount``.
- :mod:`~sagashi.whoosh_ext.bulk` reproduces how Whoosh builds and pairs
  matchers: ``W3LeafMatcher``, ``whoosh.matching.FilterMatcher``,
  ``IntersectionMatcher``, ``ListMatcher``, ``NullMatcherClass``,
  ``WrappingMatcher``, ``whoosh.query.spans.SpanNear2.SpanNear2Matcher``,
  and the readers' ``deleted_docs_set``.
- :mod:`~sagashi.whoosh_ext.scoring` subclasses
  ``whoosh.matching.DisjunctionMaxMatcher`` and uses ``whoosh.matching.mcore``,
  ``UnionMatcher.skip_to_quality`` and ``DisjunctionMax._tree_matcher()``.
- :mod:`~sagashi.whoosh_ext.segments` subclasses
  ``whoosh.writing.SegmentWriter`` and uses its ``_flush_segment()``,
  ``_finalize_segment()``, ``_close_segment()``, ``_commit_toc()``,
  ``_finish()``, ``_check_state()``, ``perdocwriter``, ``fieldwriter``,
  ``pool`` and ``is_closed``.
"""

from __future__ import annotations

#: The Whoosh release whose internals this package was written against.
WHOOSH_VERSION = (2, 7, 5)


def installed_whoosh_version() -> tuple[int, ...]:
    """The version of the installed Whoosh, as a tuple of ints."""
    import whoosh
    return tuple(whoosh.__version__[:3])
