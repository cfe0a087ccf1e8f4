"""A numpy postings codec for Whoosh 2.7 (whoosh-reloaded 2.7.5).

- :class:`~sagashi.whoosh_ext.arrays.codec.ArrayCodec`: pass to
  ``ix.writer(codec=ArrayCodec())``; every segment remembers its codec;
- :mod:`~sagashi.whoosh_ext.arrays.format`: the files and their version;
- :mod:`~sagashi.whoosh_ext.arrays.bulkwrite`: a whole segment written from
  token arrays;
- :mod:`~sagashi.whoosh_ext.arrays.merge`: segments merged with numpy alone;
- :mod:`~sagashi.whoosh_ext.arrays.forward`: each document's units, for
  highlighting without analysing again.

A segment ``<ix>_<id>`` holds Whoosh's stored-field and column files and::

    .ameta         JSON: format version, each indexed field's term rows and value kind
    .atx .ato      the bytes of every term (by field name, then bytes) and their ends
    .atr           each term's row: kind, weight, df, min/max length, max weight,
                   min/max id, first posting, first block, first value unit
    .ath .atp      64-bit hash of each term's field and bytes, sorted; the row of each
    .aid .awt .aen per posting: document id, weight, end of its value units
    .apo .avb      value units: positions (or position/start/end triples), or bytes
    .abk           per 128 postings of a term: max weight, min/max id, min/max length
    .<f>.aln       exact length of field f in each document
    .<f>.afu .afd .afx .afy   forward index of field f (units, extra keys)
    .akx .ako .akh .akp   the forward keys (a hashed string table like the terms)

Every array file starts with a 64-byte header (magic, format version, tag,
dtype, count); see :mod:`~sagashi.whoosh_ext.arrays.format`.
"""

from .codec import ArrayCodec, ArraySegment
from .format import CODEC_NAME, FORMAT_VERSION, FormatError

__all__ = ["CODEC_NAME", "FORMAT_VERSION", "ArrayCodec", "ArraySegment", "FormatError"]
