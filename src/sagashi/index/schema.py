"""The Whoosh schema of a sagashi index, and how a record becomes a document.

Searchable text fields (analysed with Sudachi, see :mod:`sagashi.analysis`):
``organization``, ``title``, ``location``, ``summary`` and ``entity`` (the
entity type with its full name). Keyword fields: ``no`` (unique),
``entity_code`` and ``pref`` (the derived prefecture), both sortable for
filters and facets; ``name_grams``, character bigrams of the organisation
name for name lookups. Raw values are stored for display.

A data file's other columns are kept: ``extra`` stores them (``{header:
value}``), and each gets dynamic fields named after a digest of its header
(:func:`sagashi.domain.fields.column_field`): ``x_...`` its words (for
``header:value``), ``k_...`` its whole value (filters, facets) and
``n_...`` its value as a number where it is one (``>=`` ...). Which columns an
index has, and which are numeric, is in its manifest.

Bump :data:`SCHEMA_VERSION` whenever fields or analysis change what is
indexed: an index with another version asks to be rebuilt.
"""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import Composable

from ..analysis import BigramTokenizer, SudachiAnalysis, japanese_analyzer
from ..domain.columns import as_number, facet_value
from ..domain.entities import entity_code, entity_name
from ..domain.fields import (
    COLUMN_NUMBER,
    COLUMN_VALUE,
    COLUMN_WORDS,
    TEXT_FIELDS,
    column_field,
)
from ..domain.places import prefecture_of
from ..domain.records import Record

SCHEMA_VERSION = 6


def make_analyzer(analysis: SudachiAnalysis | None = None) -> Composable:
    """The analyzer every text field uses."""
    return japanese_analyzer(analysis)


def make_schema(analysis: SudachiAnalysis | None = None) -> fields.Schema:
    """A fresh schema; the analyzer is pickled into the index with it."""
    analyzer = make_analyzer(analysis)
    text = {name: fields.TEXT(analyzer=analyzer, stored=True, phrase=True)
            for name in TEXT_FIELDS}
    # entity types are matched by code and by 法人格:, never by reading or synonym
    text["entity"] = fields.TEXT(analyzer=japanese_analyzer(analysis, readings=False,
                                                            synonyms=False),
                                 stored=True, phrase=True)
    schema = fields.Schema(
        no=fields.ID(stored=True, unique=True),
        entity_raw=fields.STORED(),
        entity_code=fields.ID(stored=True, sortable=True),
        pref=fields.ID(stored=True, sortable=True),
        name_grams=fields.TEXT(analyzer=BigramTokenizer(), phrase=True),
        extra=fields.STORED(),
        **text,
    )
    schema.add(COLUMN_WORDS + "*", fields.TEXT(analyzer=analyzer, phrase=True), glob=True)
    schema.add(COLUMN_VALUE + "*", fields.ID(), glob=True)
    schema.add(COLUMN_NUMBER + "*", fields.NUMERIC(numtype=float, bits=64), glob=True)
    return schema


def to_document(record: Record) -> dict:
    """The Whoosh document of a record."""
    code = entity_code(record.entity) if record.entity else ""
    name = entity_name(code)
    return {
        "no": str(record.no),
        "entity_raw": record.entity,
        "entity_code": code,
        "pref": prefecture_of(record.location),
        "organization": record.organization,
        "name_grams": record.organization,
        "title": record.title,
        "location": record.location,
        "summary": record.summary,
        "entity": " ".join(dict.fromkeys(v for v in (record.entity, name) if v)),
        **({"extra": dict(record.extra)} if record.extra else {}),
        **_column_fields(record.extra),
    }


def _column_fields(extra: dict[str, str]) -> dict:
    """The dynamic fields of a record's kept columns."""
    out: dict = {}
    for header, value in extra.items():
        out[column_field(header, COLUMN_WORDS)] = value
        out[column_field(header, COLUMN_VALUE)] = facet_value(value)
        number = as_number(value)
        if number is not None:
            out[column_field(header, COLUMN_NUMBER)] = number
    return out


def to_record(stored: dict) -> Record:
    """The record back from a document's stored fields."""
    return Record(no=int(stored["no"]), entity=stored.get("entity_raw", ""),
                  organization=stored.get("organization", ""),
                  location=stored.get("location", ""), title=stored.get("title", ""),
                  summary=stored.get("summary", ""), extra=dict(stored.get("extra") or {}))
