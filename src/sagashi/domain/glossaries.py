"""The glossaries of residents' languages: words and phrases with the
Japanese search terms they stand for (data/glossary_XX.tsv).

Each table starts with comment lines saying where its entries come from,
then a header row (the language, then ``japanese``) and one entry per line:
a key as written in that language, lower case, and a comma-separated list
of Japanese terms, most common first; a ``-`` marks a function word or
question scaffolding, dropped from a query. How a query's words are matched
against the keys (case and diacritics, particles, suffixes, plurals) is the
query layer's business (:mod:`sagashi.query.languages`); this module only
reads and checks the tables.

>>> next(e.terms for e in glossary("vi") if e.key == "tị nạn")
('難民',)
>>> next(e.dropped for e in glossary("pt") if e.key == "para")
True
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import DataError
from .languages import GLOSSARY_LANGUAGES, LANGUAGES, Language
from .resources import data_dir, data_lines

__all__ = ["CHINESE_VARIANTS", "GLOSSARY_LANGUAGES", "LANGUAGES", "Entry", "chinese_variants",
           "glossary", "glossary_file", "read_glossary"]
#: Characters written in Chinese but not in Japanese text although Japanese
#: encodings hold them (traditional forms such as 醫 for 医); see the file.
CHINESE_VARIANTS = "zh_variants.txt"


@dataclass(frozen=True)
class Entry:
    """One glossary row: ``key`` in the language, its Japanese ``terms``
    (none for a dropped word), and the line it came from."""

    key: str
    terms: tuple[str, ...]
    line: int

    @property
    def dropped(self) -> bool:
        """Whether the key is a function word or question scaffolding."""
        return not self.terms


def glossary_file(code: Language) -> str:
    """The file name of a language's glossary."""
    return f"glossary_{code}.tsv"


@cache
def glossary(code: Language) -> tuple[Entry, ...]:
    """The entries of a language's bundled glossary (see :func:`read_glossary`)."""
    return read_glossary(data_dir() / glossary_file(code))


def read_glossary(path: Path) -> tuple[Entry, ...]:
    """The entries of a glossary file, checked: a header row, two cells on
    every line, no empty key or term, no key twice; :class:`DataError`
    (file and line) otherwise."""
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    header = False
    for n, line in data_lines(path, "the glossary"):
        cells = line.split("\t")
        if len(cells) != 2 or not all(c.strip() for c in cells):
            raise DataError(f"a glossary line holds a key and its Japanese terms, two cells "
                            f"separated by a tab; found {len(cells)} cell(s)", str(path), n)
        if not header:
            if cells[1].strip() != "japanese":
                raise DataError("the first row names the language, then 'japanese'",
                                str(path), n)
            header = True
            continue
        key = cells[0].strip()
        if not key.isascii():
            key = unicodedata.normalize("NFC", key)
        if key in seen:
            raise DataError(f"{key!r} is listed twice (first on line {seen[key]})",
                            str(path), n, hint="keep one row per key")
        seen[key] = n
        value = cells[1].strip()
        terms = () if value == "-" else tuple(t.strip() for t in value.split(","))
        if any(not t or t == "-" for t in terms):
            raise DataError(f"an empty term in {value!r}", str(path), n,
                            hint='terms are separated by single commas; "-" stands alone')
        entries.append(Entry(key, terms, n))
    return tuple(entries)


@cache
def chinese_variants() -> frozenset[str]:
    """Characters that mark text as Chinese although Japanese encodings hold
    them (醫, 學, 國 ...): those OpenCC's traditional-to-Japanese conversion
    changes. Simplified characters need no list: Japanese encodings lack
    them (see :func:`sagashi.query.languages.detect.chinese_marks`)."""
    lines = data_lines(data_dir() / CHINESE_VARIANTS, "the Chinese character list")
    return frozenset(ch for _, line in lines for ch in line.strip())
