"""Looking a query's words up in a glossary: longest phrase first, dropped
words included (a phrase may hold one: ``karahasan sa tahanan``), then the
words left over.

A :class:`Table` is one language's glossary (:mod:`sagashi.domain.glossaries`)
keyed for lookup; :func:`segment` cuts query text into
:mod:`~sagashi.query.languages.pieces` with a chain of tables (the query's
language, then English, which residents mix in).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...domain.glossaries import glossary
from ...domain.languages import Language
from .pieces import Dropped, Piece, Translated, Unknown, Untranslated
from .words import WORDS, Token, WordRules

#: At most this many words form one phrase (the longest Vietnamese keys).
MAX_WORDS = 8


@dataclass
class Table:
    """One language's glossary, keyed for lookup: ``exact`` by the words as
    written (lower case), ``folded`` by :meth:`WordRules.key`; ``vocabulary`` is
    every folded word of every key (and, for languages whose keys join
    without spaces, each whole key), ``plain`` those some key writes without
    diacritics, ``same`` the words Japanese writes the same way (sns -> SNS,
    npo -> NPO); ``longest`` the most words in a key."""

    language: Language
    words: WordRules
    exact: dict[str, tuple[str, ...]]
    folded: dict[str, tuple[str, ...]]
    vocabulary: frozenset[str]
    plain: frozenset[str]
    same: frozenset[str]
    longest: int
    _forms: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, language: Language) -> Table:
        """The table of a language's bundled glossary."""
        words = WORDS[language]
        exact: dict[str, tuple[str, ...]] = {}
        folded: dict[str, tuple[str, ...]] = {}
        vocabulary: set[str] = set()
        plain: set[str] = set()
        same: set[str] = set()
        longest = 1
        keyed = []
        for entry in glossary(language):
            parts = entry.key.split()
            folds = [words.fold(p) for p in parts]
            keyed.append((folds, entry.terms))
            exact.setdefault(words.joiner.join(parts), entry.terms)
            folded.setdefault(words.joiner.join(folds), entry.terms)  # the first spelling wins
            vocabulary.update(folds)
            plain.update(f for p, f in zip(parts, folds) if p.lower() == f)
            if len(folds) == 1 and any(t.lower() == folds[0] for t in entry.terms):
                same.add(folds[0])
            if words.joiner == "":
                vocabulary.add(words.joiner.join(folds))
            longest = max(longest, min(len(parts), MAX_WORDS))
        for folds, terms in keyed:  # other word orders, after every listed key
            for order in words.orders(folds, vocabulary):
                folded.setdefault(words.joiner.join(order), terms)
                vocabulary.update(order)
        return cls(language, words, exact, folded, frozenset(vocabulary), frozenset(plain),
                   frozenset(same), longest)

    def forms(self, word: str) -> tuple[str, ...]:
        """The forms ``word`` is looked up in (see :meth:`WordRules.forms`)."""
        found = self._forms.get(word)
        if found is None:
            if len(self._forms) > 10_000:
                self._forms.clear()
            found = self._forms[word] = self.words.forms(word, self.vocabulary)
        return found

    def knows(self, word: str) -> bool:
        """Whether some key holds ``word`` (in one of its forms)."""
        return self.forms(word)[0] in self.vocabulary

    def knows_plain(self, word: str) -> bool:
        """Whether some key writes ``word`` (in one of its forms) without
        diacritics: ``de`` is Portuguese as it is, but only Vietnamese
        ``để`` without its marks."""
        return self.forms(word)[0] in self.plain

    def lookup(self, words: Sequence[str]) -> tuple[str, ...] | None:
        """The Japanese terms of the typed ``words`` as one key (() for a
        dropped word), or None: tried as written, folded, and with each
        word in its first, then its last known form."""
        joiner = self.joiner
        forms = [self.forms(w) for w in words]
        candidates = (
            (self.exact, joiner.join(unicodedata.normalize("NFC", w.lower()) for w in words)),
            (self.folded, joiner.join(self.words.fold(w) for w in words)),
            (self.folded, joiner.join(f[0] for f in forms)),
            (self.folded, joiner.join(f[-1] for f in forms)),
        )
        for table, key in candidates:
            found = table.get(key)
            if found is not None:
                return found
        return None

    @property
    def joiner(self) -> str:
        return self.words.joiner


@dataclass(frozen=True)
class _Match:
    start: int  # token index
    length: int
    terms: tuple[str, ...]
    language: Language


def segment(text: str, found: list[Token], chain: Sequence[Table]) -> list[Piece]:
    """``text`` (whose words are ``found``) as pieces: the longest phrases
    any table of ``chain`` knows, earlier tables first at equal length;
    Latin-letter words no table knows stay in the text left to the Japanese
    analysis, words in other scripts become :class:`Unknown`."""
    found = _compounds(found, chain)
    joined = [text[a.end:b.start].strip() == "" for a, b in zip(found, found[1:])]
    pieces: list[Piece] = []
    last, i = 0, 0
    while i < len(found):
        match = _longest(found, joined, i, len(found), chain)
        token = found[i]
        if match is None:
            if token.script != "latin":
                _rest(pieces, text[last:token.start])
                pieces.append(Unknown(token.text))
                last = token.end
            i += 1
            continue
        _rest(pieces, text[last:token.start])
        pieces += _expand(text, found, joined, match, chain)
        last = found[i + match.length - 1].end
        i += match.length
    _rest(pieces, text[last:])
    return pieces


def _rest(pieces: list[Piece], text: str) -> None:
    if any(ch.isalnum() for ch in text):
        pieces.append(Untranslated(text))


def _longest(found: list[Token], joined: list[bool], i: int, end: int,
             chain: Sequence[Table], below: int = MAX_WORDS + 1) -> _Match | None:
    """The longest key at token ``i`` (fewer than ``below`` words, not past
    token ``end``) that a table of ``chain`` knows."""
    run = 1
    while i + run < end and joined[i + run - 1] and run < MAX_WORDS:
        run += 1
    for length in range(min(run, below - 1), 0, -1):
        words = [t.text for t in found[i:i + length]]
        for table in chain:
            if length > table.longest or not all(table.knows(w) for w in words):
                continue
            terms = table.lookup(words)
            if terms is not None:
                return _Match(i, length, terms, table.language)
    return None


def _expand(text: str, found: list[Token], joined: list[bool], match: _Match,
            chain: Sequence[Table]) -> list[Piece]:
    """The piece of a matched phrase, with the translations of the shorter
    keys it is made of when there are two or more (and nothing unknown)."""
    words = text[found[match.start].start:found[match.start + match.length - 1].end]
    if not match.terms:
        return [Dropped(words, match.language)]
    parts: list[tuple[str, ...]] = []
    i, end = match.start, match.start + match.length
    while i < end and match.length > 1:
        part = _longest(found, joined, i, end, chain, below=match.length)
        if part is None:
            parts = []
            break
        if part.terms:
            parts.append(part.terms)
        i += part.length
    return [Translated(words, match.terms, match.language,
                       tuple(parts) if len(parts) > 1 else ())]


def _compounds(found: list[Token], chain: Sequence[Table]) -> list[Token]:
    """Words written as several keys together (Korean) as those keys, each
    a token of its own inside the word."""
    out: list[Token] = []
    for token in found:
        table = next((t for t in chain if t.words.compounds), None)
        if table is None or token.script == "latin" or table.knows(token.text):
            out.append(token)
            continue
        parts = table.words.split(token.text, table.folded)
        if not parts:
            out.append(token)
            continue
        start = token.start
        for n, part in enumerate(parts):
            end = token.end if n == len(parts) - 1 else start + len(part)
            out.append(Token(token.text[start - token.start:end - token.start], start, end,
                             token.script))
            start = end
    return out
