"""Character bigrams of a folded name, for substring lookups of names.

Organisation names are often coined words that a morphological analyser
splits differently from how a searcher types them (まなびと becomes 学び + the
particle と). A field of character bigrams with positions answers "does this
name contain the query text" as a phrase of bigrams, whatever the
segmentation. The value is folded (NFKC, lower case) before slicing, so this
field has no usable character offsets; it is for matching, never highlighting.
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from .chars import fold


def bigrams(text: str) -> list[str]:
    """The overlapping character bigrams of folded ``text`` (a single
    character yields itself).

    >>> bigrams("ＣＷＳ Japan")
    ['cw', 'ws', 's ', ' j', 'ja', 'ap', 'pa', 'an']
    >>> bigrams("ま")
    ['ま']
    """
    text = fold(text)
    if len(text) < 2:
        return [text] if text else []
    return [text[i:i + 2] for i in range(len(text) - 1)]


class BigramTokenizer(Tokenizer):
    """Whoosh tokenizer yielding :func:`bigrams` with consecutive positions."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        grams = bigrams(value) if tokenize else [value]
        for i, gram in enumerate(grams):
            t.text, t.boost, t.stopped = gram, 1.0, False
            if keeporiginal:
                t.original = gram
            if positions:
                t.pos = start_pos + i
            if chars:  # offsets into the folded value; see the module docstring
                t.startchar, t.endchar = start_char + i, start_char + i + len(gram)
            yield t
