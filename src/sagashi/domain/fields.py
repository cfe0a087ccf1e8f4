"""The fields of a record as search sees them: which are searched, how much
each counts, and the names a query may use for them (``所在地:新宿``).

Kept apart from the Whoosh schema (:mod:`sagashi.index.schema`) so that the
query parser can know field names without importing Whoosh or Sudachi.
"""

from __future__ import annotations

import hashlib

#: Searchable text fields, in display order, with their query-time boosts.
TEXT_FIELDS: dict[str, float] = {
    "organization": 3.0,
    "title": 2.0,
    "location": 2.0,
    "entity": 1.0,
    "summary": 1.0,
}
#: The fields plain query words are looked for in. The entity field (which
#: holds e.g. 特定非営利活動法人) is searched through entity-type words and
#: ``法人格:`` only, or every NPO would match 活動.
DEFAULT_FIELDS: tuple[str, ...] = ("organization", "title", "location", "summary")
#: The fields snippets are drawn from, in order of preference; the index
#: keeps each document's units of these (a forward index) for highlighting.
SNIPPET_FIELDS: tuple[str, ...] = ("summary", "title")
#: Keyword fields: the record number, the derived prefecture, the entity code.
KEYWORD_FIELDS: tuple[str, ...] = ("no", "pref", "entity_code")
#: Field names a query may use, in English and as the data's Japanese headers.
FIELD_ALIASES: dict[str, str] = {
    "organization": "organization", "organisation": "organization", "org": "organization",
    "申請団体名": "organization", "団体名": "organization", "団体": "organization",
    "title": "title", "事業名": "title",
    "location": "location", "所在地": "location", "place": "location",
    "summary": "summary", "概要": "summary",
    "entity": "entity", "法人格": "entity",
    "no": "no", "pref": "pref", "prefecture": "pref", "都道府県": "pref",
}

#: Prefixes of the Whoosh fields each kept (ordinary) column of a data file
#: gets: its words (searched by ``header:value``), its whole value (filters
#: and facets) and, where the value is a number, the number (``>=`` ...).
COLUMN_WORDS, COLUMN_VALUE, COLUMN_NUMBER = "x_", "k_", "n_"


def column_field(header: str, kind: str = COLUMN_WORDS) -> str:
    """The Whoosh field of a kept column: ``kind`` (a prefix above) and a
    digest of the header, since a header may hold any character.

    >>> column_field("助成額"), column_field("助成額", COLUMN_NUMBER)
    ('x_50a22db4450e', 'n_50a22db4450e')
    """
    return kind + hashlib.blake2b(header.encode("utf-8"), digest_size=6).hexdigest()


def is_column_field(name: str) -> bool:
    """Whether a field name is that of a kept column's words."""
    return name.startswith(COLUMN_WORDS)
