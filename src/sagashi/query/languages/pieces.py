"""What reading a query in a resident's language gives: the query text cut
into pieces, in order, each a translation, a dropped word, an unknown word,
or text left to the Japanese analysis."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.languages import Language


@dataclass(frozen=True)
class Translated:
    """Words a glossary knows: ``words`` as typed, their Japanese ``terms``,
    the ``language`` of the glossary that knew them. For a phrase made of
    shorter keys (``lớp học`` + ``tiếng Nhật`` in ``lớp học tiếng Nhật``),
    ``parts`` holds their translations, one tuple per key, so that records
    holding those words apart are found too."""

    words: str
    terms: tuple[str, ...]
    language: Language
    parts: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Dropped:
    """A function word or question scaffolding (a ``-`` row)."""

    words: str
    language: Language


@dataclass(frozen=True)
class Unknown:
    """A word in a script Japanese text never holds (hangul, Devanagari)
    that no glossary knows: it can match nothing."""

    word: str


@dataclass(frozen=True)
class Untranslated:
    """Text for the Japanese analysis: Japanese words, names, romaji and
    Latin-letter words no glossary knows (Chinese already in Japanese
    character forms)."""

    text: str


Piece = Translated | Dropped | Unknown | Untranslated
