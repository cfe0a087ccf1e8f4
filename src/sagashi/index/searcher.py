"""Opening one generation of an index for searching."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from ..domain.fields import TEXT_FIELDS
from ..whoosh_ext import postings
from ..whoosh_ext.scoring import BlendedBM25F

#: How every sagashi searcher scores: BM25F with a Lucene IDF blended over
#: the text fields.
WEIGHTING = BlendedBM25F(tuple(TEXT_FIELDS))


def open_searcher(generation: Path):
    """Whoosh's index and a searcher on one generation folder, with every
    file it will read already open (see
    :func:`sagashi.whoosh_ext.postings.open_files`), so that it keeps
    working after a reindex has collected its generation."""
    ix = whoosh_index.open_dir(str(generation))
    searcher = ix.searcher(weighting=WEIGHTING)
    try:
        postings.open_files(searcher)
    except BaseException:
        searcher.close()
        raise
    return ix, searcher
