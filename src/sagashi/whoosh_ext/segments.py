"""Writing new segments through Whoosh's own segment writer, faster.

:class:`SegmentWriter` is Whoosh's ``SegmentWriter`` for a new segment, with
postings held in a :class:`PostingTable` instead of Whoosh's posting pool,
and with the steps of a commit opened up so that several processes can each
write segments and one commits them all. It relies on these private parts of
``whoosh.writing.SegmentWriter``: ``_flush_segment``, ``_finalize_segment``,
``_close_segment``, ``_commit_toc``, ``_finish``, ``_check_state``,
``perdocwriter``, ``fieldwriter``, ``pool`` and ``is_closed``.
"""

from __future__ import annotations

import struct

from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

from .postings import read_length_column

#: Segments are written as separate files, not one compound file: Whoosh
#: opens a compound segment by copying its files into memory, which on a
#: 100,000-record index took 0.8 s and 600 MB on every open.
COMPOUND = False


class SegmentWriter(_WhooshSegmentWriter):
    """Whoosh's segment writer for a new segment, with postings kept in a
    :class:`PostingTable` and field lengths loaded once when it is written.
    The files are the same. Not for updates: it adds documents only."""

    is_closed: bool

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, compound=COMPOUND, **kwargs)
        self.pool = PostingTable()

    def _flush_segment(self):
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = {name: read_length_column(pdr, name) for name in self.pool.fieldnames}
            self.pool.write_to(self.fieldwriter, self.schema, lengths)
            self.fieldwriter.close()
        finally:
            pdr.close()

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
        """Commit the index with ``segments`` added after the existing ones,
        nothing merged, and release the lock. This writer adds nothing."""
        self._check_state()
        kept = list(self.segments)
        self._close_segment()
        self._commit_toc(kept + list(segments))
        self._finish()


class PostingTable:
    """A segment's postings in memory: for each field and term, its postings
    packed into one byte string, in document order.

    It stands in for Whoosh's ``PostingPool``, which keeps a tuple per
    posting (about 200 bytes), sorts them all when the segment is written
    and, past its limit, writes sorted runs to disk and merges them back.
    Here a posting costs its value plus 16 bytes and a term about 150 bytes
    (most terms of a wide vocabulary have a single posting, kept as
    ``bytes``; a second one turns it into a ``bytearray``), and only the
    terms are sorted. Documents must be added in order.
    """

    _HEAD = struct.Struct("<IdI")  # docnum, weight, length of the value
    _TERM_BYTES = 150

    def __init__(self) -> None:
        self._fields: dict[str, dict[bytes, bytes | bytearray]] = {}
        #: Estimated bytes held.
        self.size = 0

    @property
    def fieldnames(self) -> set[str]:
        return set(self._fields)

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        vbytes = vbytes or b""
        posting = self._HEAD.pack(docnum, weight, len(vbytes)) + vbytes
        packed = terms.get(tbytes)
        if packed is None:
            terms[tbytes] = posting
            self.size += self._TERM_BYTES + len(tbytes) + len(posting)
            return
        if type(packed) is bytes:
            packed = terms[tbytes] = bytearray(packed)
        packed += posting
        self.size += len(posting)

    def write_to(self, fieldwriter, schema, lengths: dict) -> None:
        """Write every posting list, in Whoosh's order (field, then term),
        through Whoosh's field writer; ``lengths`` holds each field's length
        column (length bytes by document), which goes with every posting."""
        head, unpack = self._HEAD.size, self._HEAD.unpack_from
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            column = lengths.get(fieldname) or b""
            fieldwriter.start_field(fieldname, schema[fieldname])
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                packed = terms[tbytes]
                at, end = 0, len(packed)
                while at < end:
                    docnum, weight, n = unpack(packed, at)
                    at += head
                    lbyte = column[docnum] if docnum < len(column) else 0
                    fieldwriter.add(docnum, weight, bytes(packed[at:at + n]),
                                    byte_to_length(lbyte) if lbyte else None)
                    at += n
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        self._fields = {}
        self.size = 0
