"""Snippets: the best window of a field's text, with the matched units marked.

The index keeps each document's units of the snippet fields (a forward
index), so a hit's matches are array lookups (:func:`indexed_spans`):
words match by their normalized form (so 子供 marks 子ども), kana and romaji
queries by reading, synonym groups by their id, and spans are exact offsets
into the original text. Text the index does not hold is analysed again
(:func:`match_spans`), with the same result. Overlapping units (a compound
and its parts) merge into one span.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis import READING_PREFIX, SudachiAnalysis, reading_term, synonym_term
from ..results import Snippet
from ..whoosh_ext.marks import Wanted, marked_spans

SNIPPET_CHARS = 120
_LEAD = 20  # characters of context kept before the first match
ELLIPSIS = "…"


@dataclass(frozen=True)
class Marks:
    """What to mark: word terms, reading terms (``~...``) and synonym-group
    terms (``#...``)."""

    words: frozenset = frozenset()
    readings: frozenset = frozenset()
    groups: frozenset = frozenset()
    phrases: frozenset = frozenset()  # tuples of words that count only together

    def __bool__(self) -> bool:
        return bool(self.words or self.readings or self.groups or self.phrases)


def marks_for(plan) -> Marks:
    """What to mark for a :class:`~sagashi.query.plan.Plan`: the words, the
    reading and synonym-group terms, and the phrases of its concepts'
    alternatives (keyword alternatives mark nothing)."""
    words: set[str] = set()
    readings: set[str] = set()
    groups: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    for clause in plan.leaves():
        if clause.concept is None:
            continue
        for alt in clause.concept.alternatives:
            if alt.kind in ("words", "phrase") and len(alt.terms) > 1:
                phrases.add(alt.terms)  # marked only where the words stand together
            elif alt.kind == "words":
                words.update(alt.terms)
            elif alt.kind == "term":
                for t in alt.terms:
                    (readings if t.startswith(READING_PREFIX) else groups).add(t)
    return Marks(frozenset(words), frozenset(readings), frozenset(groups), frozenset(phrases))


def indexed_spans(searcher, docnum: int, field: str, marks: Marks
                  ) -> list[tuple[int, int]] | None:
    """The merged spans of the units of a document's field that match,
    from the index's forward index; None when it has none for the field."""
    if not marks:
        return []
    return marked_spans(searcher, docnum, field,
                        Wanted(marks.words, marks.readings, marks.groups, marks.phrases))


def match_spans(text: str, analysis: SudachiAnalysis, marks: Marks) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` spans of the units of ``text`` that match."""
    spans = []
    units = [u for u in analysis.units(text) if not u.stopped]
    for unit in units:
        if (unit.text in marks.words
                or (marks.readings and reading_term(unit.reading) in marks.readings)
                or any(synonym_term(g) in marks.groups for g in unit.synonyms)):
            spans.append((unit.start, unit.end))
    if marks.phrases:
        finest = [u for u in units if u.level != "C"]
        texts = [u.text for u in finest]
        for phrase in marks.phrases:
            n = len(phrase)
            for i in range(len(texts) - n + 1):
                if tuple(texts[i:i + n]) == phrase:
                    spans.append((finest[i].start, finest[i + n - 1].end))
    return _merge(sorted(spans))


def snippet(text: str, analysis: SudachiAnalysis, marks: Marks, field_name: str = "summary",
            width: int = SNIPPET_CHARS, spans: list[tuple[int, int]] | None = None) -> Snippet:
    """The window of ``text`` (at most ``width`` characters plus ellipses)
    holding the most matched characters, with spans relative to it. The
    matched ``spans`` are found again by analysis when not given."""
    if spans is None:
        spans = match_spans(text, analysis, marks) if marks else []
    if len(text) <= width:
        return Snippet(text, tuple(spans), field_name)
    start = _best_start(spans, width, len(text))
    end = min(len(text), start + width)
    prefix = ELLIPSIS if start > 0 else ""
    shift = len(prefix) - start
    inside = tuple((max(s, start) + shift, min(e, end) + shift)
                   for s, e in spans if s < end and e > start)
    return Snippet(prefix + text[start:end] + (ELLIPSIS if end < len(text) else ""),
                   inside, field_name)


def _best_start(spans: list[tuple[int, int]], width: int, length: int) -> int:
    if not spans:
        return 0
    best, best_covered = 0, -1
    for s, _ in spans:
        start = max(0, min(s - _LEAD, length - width))
        covered = sum(min(e, start + width) - max(b, start)
                      for b, e in spans if b < start + width and e > start)
        if covered > best_covered:
            best, best_covered = start, covered
    return best


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:  # overlapping (a compound and its parts)
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
