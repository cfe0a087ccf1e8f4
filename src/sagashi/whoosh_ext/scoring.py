"""Scoring: a Whoosh query that scores the best of its parts plus a share of
the rest, and BM25F with a blended Lucene IDF.

Whoosh's own ``DisjunctionMax`` accepts a ``tiebreak`` but ignores it; its
matcher's ``score()`` takes the max of both sides even when they sit on
different documents (so a document can borrow another's score); and its
``replace()`` turns into a null matcher when only one side is left active,
which silently drops matches once top-k skipping starts. :class:`BestOf`
fixes all three; ranking uses it wherever a
document should score the best of several alternatives (fields of one word,
forms of one concept).
"""

from __future__ import annotations

from functools import partial
from math import log
from weakref import WeakKeyDictionary

from whoosh import matching
from whoosh.matching import mcore
from whoosh.query import DisjunctionMax
from whoosh.scoring import BM25F


class BestOfMatcher(matching.DisjunctionMaxMatcher):
    """``max(a, b) + tiebreak * min(a, b)`` for documents both sides match."""

    def replace(self, minquality=0):
        # Scores add (through the tiebreak), so a side that cannot reach
        # minquality alone may still matter: replace children without it.
        a, b = self.a.replace(), self.b.replace()
        a_active, b_active = a.is_active(), b.is_active()
        if not (a_active or b_active):
            return mcore.NullMatcher()
        if not a_active:
            return b
        if not b_active:
            return a
        if minquality and self.max_quality() < minquality:
            return mcore.NullMatcher()
        if a is not self.a or b is not self.b:
            return BestOfMatcher(a, b, tiebreak=self.tiebreak)
        return self

    def score(self):
        a_active, b_active = self.a.is_active(), self.b.is_active()
        if a_active and b_active and self.a.id() == self.b.id():
            sa, sb = self.a.score(), self.b.score()
            return max(sa, sb) + self.tiebreak * min(sa, sb)
        if a_active and (not b_active or self.a.id() < self.b.id()):
            return self.a.score()
        return self.b.score()

    def max_quality(self):
        qa, qb = self.a.max_quality(), self.b.max_quality()
        return max(qa, qb) + self.tiebreak * min(qa, qb)

    # Block skipping works as for a sum (Whoosh's union): max + tiebreak * min
    # never exceeds a + b, so no block that could still reach minquality is
    # skipped. block_quality() must use the same bound as skip_to_quality(),
    # or a parent that waits for the quality to rise loops for ever.
    def block_quality(self):
        return self.a.block_quality() + self.b.block_quality()

    skip_to_quality = matching.UnionMatcher.skip_to_quality


class BestOf(DisjunctionMax):
    """Matches what any subquery matches; scores the best subquery's score
    plus ``tiebreak`` times the others'."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        # Whoosh's weighted tree builder drops keyword arguments: bind tiebreak.
        matcher_class = partial(BestOfMatcher, tiebreak=self.tiebreak)
        return self._tree_matcher(subs, matcher_class, searcher, context,
                                  lambda q: q.estimate_size(reader))


class BlendedBM25F(BM25F):
    """BM25F with Lucene's IDF, blended across the text fields.

    Whoosh's default IDF, ``log(N / (df + 1)) + 1``, never falls below 1, so
    a word in every record still counts; Lucene's ``log(1 + (N - df + 0.5) /
    (df + 0.5))`` tends to 0 for such words. And Whoosh takes df per field,
    so a common word that is rare in one field (支援 in organisation names)
    looks rare there; like Elasticsearch's ``cross_fields``, the df here is
    the largest over the text fields, i.e. about how many records hold the
    word anywhere.
    """

    def __init__(self, blend: tuple[str, ...], B: float = 0.75, K1: float = 1.2, **kwargs):
        super().__init__(B=B, K1=K1, **kwargs)
        self.blend = tuple(blend)

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        fields = self.blend if fieldname in self.blend else (fieldname,)
        return lucene_idf(parent.doc_count_all(), blended_df(parent.reader(), fields, text))


#: Per reader: ``{(fields, text): df}``; every term is looked up in several
#: fields, by several alternatives, on every query.
_dfs: WeakKeyDictionary = WeakKeyDictionary()


def blended_df(reader, fields, text) -> int:
    """The largest document frequency of ``text`` over ``fields``: about how
    many records hold the word anywhere. Kept per reader."""
    cache = _dfs.get(reader)
    if cache is None:
        cache = _dfs[reader] = {}
    key = (tuple(fields), text)
    df = cache.get(key)
    if df is None:
        df = cache[key] = max(reader.doc_frequency(f, text) for f in fields)
    return df


def lucene_idf(n: int, df: int) -> float:
    """``log(1 + (N - df + 0.5) / (df + 0.5))``: near 0 for a word in every
    document, largest for one in none.

    >>> round(lucene_idf(17, 17), 3), round(lucene_idf(17, 1), 3)
    (0.028, 2.485)
    """
    return log(1 + (n - df + 0.5) / (df + 0.5))
