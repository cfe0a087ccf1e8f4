"""Writing new segments with the array codec, in bulk, through Whoosh's own
segment writer.

:class:`SegmentWriter` is Whoosh's ``SegmentWriter`` for a new segment of
the array codec (:mod:`sagashi.whoosh_ext.arrays`), whose documents are
stored one by one (:meth:`SegmentWriter.store`) and whose postings are
written at once from token arrays (:meth:`SegmentWriter.write_postings`), with
the steps of a commit opened up so that several processes can each write
segments and one commits them all, and deletions recorded on the way. It
relies on these private parts of ``whoosh.writing.SegmentWriter``:
``_finalize_segment``, ``_close_segment``, ``_commit_toc``, ``_finish``,
``_check_state``, ``_added``, ``perdocwriter``, ``fieldwriter`` and
``is_closed``. A commit never merges: Whoosh's merges rewrite every posting
in Python, and ``sagashi index optimize`` merges with numpy.
"""

from __future__ import annotations

from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

from .arrays import ArrayCodec
from .arrays.bulkwrite import store_document, write_postings
from .arrays.merge import optimize_policy

#: Segments are written as separate files, never one compound file: the
#: array codec memory-maps them.
COMPOUND = False


class SegmentWriter(_WhooshSegmentWriter):
    """Whoosh's segment writer for a new segment of the array codec, filled
    by :meth:`store` and :meth:`write_postings` (or by ``add_document``,
    Whoosh's way, if never bulk-written). Commits never merge segments."""

    is_closed: bool

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, codec=ArrayCodec(), compound=COMPOUND, **kwargs)
        self._bulk = False
        self._stored_fields: dict = {}

    def store(self, document) -> None:
        """Write the stored values and columns of the next document; its
        postings come with every document's from :meth:`write_postings`."""
        store_document(self, document, self._stored_fields)
        self._bulk = True

    def write_postings(self, fields, forward=None) -> None:
        """Write the postings (and the forward index) of the documents
        stored: see :func:`sagashi.whoosh_ext.arrays.bulkwrite.write_postings`."""
        write_postings(self, self.doc_count(), fields, forward)
        self._bulk = True

    def _flush_segment(self):
        if not self._bulk:
            return super()._flush_segment()
        self.perdocwriter.close()
        self.fieldwriter.close()
        return None

    def finish_segment(self):
        """Write this writer's segment out and return it, without committing
        it to the index (for :func:`sagashi.index.writer.write_share`)."""
        return self._finalize_segment()

    def abandon(self) -> None:
        """Close this writer's files after a failure, leaving the temporary
        folder it shares with other writers (and the index) alone."""
        if not self.is_closed:
            self._close_segment()
            self.is_closed = True

    def commit_segments(self, segments) -> None:
        """Commit the index with ``segments`` added after the existing ones
        (with the deletions made through this writer), nothing merged, and
        release the lock. This writer adds nothing."""
        self._check_state()
        kept = list(self.segments)
        self._close_segment()
        self._commit_toc(kept + list(segments))
        self._finish()

    def commit(self, mergetype=None, optimize=None, merge=None):
        """Whoosh's commit, never merging segments unless asked to with a
        ``mergetype``."""
        super().commit(mergetype=mergetype, merge=False)

    def optimize_all(self) -> None:
        """Merge every segment into one (with numpy when all are of the array
        codec) and commit. This writer must add nothing."""
        self._check_state()
        if self._added:
            raise ValueError("optimize_all() merges existing segments only")
        super().commit(mergetype=optimize_policy)
