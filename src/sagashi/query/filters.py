"""Filters: which records a search may return, whatever the query.

``--pref`` takes a prefecture, region or city as queries write it (兵庫,
ひょうご, hyogo, Kobe, 関西); ``--entity`` a legal entity type (特非, NPO法人,
社団法人); ``--filter HEADER=VALUE`` a kept column's whole value, and
``--filter HEADER>=NUMBER`` (``<=``, ``>``, ``<``) a numeric column's value.
Unknown places, types and columns are errors that list the known ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from whoosh import query as wq

from ..domain import entities, places
from ..domain.columns import Column, as_number, facet_value, header_key
from ..domain.fields import COLUMN_NUMBER, COLUMN_VALUE, column_field
from ..errors import UsageError

#: A comparison of a column's value with a filter's.
Operator = Literal[">=", "<=", "=", ">", "<"]
#: The operators, longest first (so ``>=`` is not read as ``>``).
OPERATORS: tuple[Operator, ...] = (">=", "<=", "=", ">", "<")
_OPERATOR = re.compile("|".join(re.escape(op) for op in OPERATORS))
#: Each operator by its text, for what ``_OPERATOR`` matched.
_OPERATOR_OF: dict[str, Operator] = {op: op for op in OPERATORS}


@dataclass(frozen=True)
class Condition:
    """One ``--filter``: a column's header, an operator and a value."""

    header: str
    op: Operator
    value: str

    def __str__(self) -> str:
        return f"{self.header}{self.op}{self.value}"


def parse_condition(text: str, headers: Iterable[str] = ()) -> Condition:
    """``HEADER=VALUE``, ``HEADER>=NUMBER`` ... as a :class:`Condition`.

    The first operator ends the header, unless the text starts with one of
    ``headers`` (an index's columns, longest first) followed by an
    operator: then that header is the column, so a header that holds ``=``,
    ``<`` or ``>`` can still be filtered on.

    >>> parse_condition("助成額>=1000000")
    Condition(header='助成額', op='>=', value='1000000')
    >>> str(parse_condition(" 年度 = 2024 "))
    '年度=2024'
    >>> parse_condition("<区分>=<A>", headers=["<区分>"])
    Condition(header='<区分>', op='=', value='<A>')
    """
    stripped = text.strip()
    for header in sorted(headers, key=len, reverse=True):
        if header and stripped.startswith(header):
            rest = stripped[len(header):].lstrip()
            m = _OPERATOR.match(rest)
            if m is not None and rest[m.end():].strip():
                return Condition(header, _OPERATOR_OF[m.group()], rest[m.end():].strip())
    m = _OPERATOR.search(text)
    if m is None or not text[:m.start()].strip() or not text[m.end():].strip():
        raise UsageError(f"a filter is HEADER=VALUE or HEADER>=NUMBER, got {text!r}",
                         "for example --filter '年度=2024' or --filter '助成額>=1000000'")
    return Condition(text[:m.start()].strip(), _OPERATOR_OF[m.group()], text[m.end():].strip())


def conditions(filters: Mapping[str, object] | Sequence[str] | None) -> list[Condition]:
    """The conditions of ``Engine.search(filters=...)``: ``{header: value}``
    where a value is text or a number (equal to it), text starting with an
    operator (``">=1000000"``), or a list of those (all must hold); or a list
    of ``"HEADER>=VALUE"`` texts."""
    if filters is None:
        return []
    if isinstance(filters, (str, bytes)) or not isinstance(filters, (Mapping, Sequence)):
        raise UsageError(f"filters must be a mapping of column to value, got "
                         f"{type(filters).__name__}",
                         "for example filters={'年度': 2024, '助成額': '>=1000000'}")
    if not isinstance(filters, Mapping):
        return [parse_condition(_text("filters", f)) for f in filters]
    out: list[Condition] = []
    for header, wanted in filters.items():
        if not isinstance(header, str) or not header.strip():
            raise UsageError(f"a filter's column must be a header (text), got {header!r}",
                             "for example filters={'年度': 2024}")
        values = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        for value in values:
            text = _text(f"filters[{header!r}]", value).strip()
            m = _OPERATOR.match(text)
            op: Operator = _OPERATOR_OF[m.group()] if m else "="
            rest = text[m.end():].strip() if m else text
            if not rest:
                raise UsageError(f"filters[{header!r}] has no value", "for example '>=1000000'")
            out.append(Condition(header.strip(), op, rest))
    return out


def _text(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UsageError(f"{name} must be text or a number, got {type(value).__name__}",
                         "for example filters={'年度': 2024, '助成額': '>=1000000'}")
    return str(value)


def filter_query(pref: str | None, entity: str | None, wanted: Sequence[Condition] = (),
                 columns: Sequence[Column] = (), reader=None) -> wq.Query | None:
    """The Whoosh filter for ``pref``, ``entity`` and the column conditions;
    :class:`UsageError` for an unknown place, entity type or column, or a
    comparison on a column that is not numeric. ``reader`` (optional) adds
    the entity types the index holds to the known ones."""
    subs: list[wq.Query] = []
    if pref:
        place = places.resolve(pref)
        if place is None:
            regions, prefectures = places.known_names()
            raise UsageError(f"unknown prefecture or region {pref!r}",
                             f"use a region ({', '.join(regions)}), a prefecture "
                             f"({', '.join(prefectures)}) or a city, in kanji, kana, romaji "
                             "or English")
        subs.append(wq.Or([wq.Term("pref", p) for p in place.prefectures]))
    if entity:
        subs.append(wq.Or([wq.Term("entity_code", c) for c in _entity_codes(entity, reader)]))
    subs += [_condition_query(c, columns) for c in wanted]
    if not subs:
        return None
    return subs[0] if len(subs) == 1 else wq.And(subs)


def _entity_codes(entity: str, reader) -> tuple[str, ...]:
    codes = entities.codes_for_alias(entity)
    if codes:
        return codes
    known = list(entities.known_codes())
    if reader is not None and "entity_code" in reader.schema:
        known += [t for t in _terms(reader, "entity_code") if t and t not in known]
    code = entities.entity_code(entity)
    if code in known:
        return (code,)
    names = [f"{c} ({entities.entity_name(c)})" if entities.entity_name(c) != c else c
             for c in known]
    raise UsageError(f"unknown entity type {entity!r}",
                     f"use one of {', '.join(names)}, or a name such as NPO法人 or 社団法人")


def _terms(reader, field: str) -> list[str]:
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.field_terms(field)]


def _column(header: str, columns: Sequence[Column]) -> Column:
    for column in columns:
        if column.header == header:
            return column
    for column in columns:
        if header_key(column.header) == header_key(header):
            return column
    hint = ("the columns are " + ", ".join(c.header for c in columns)) if columns else \
        "this index keeps no other columns; --pref and --entity filter by place and type"
    raise UsageError(f"no column {header!r} to filter on", hint)


def _condition_query(condition: Condition, columns: Sequence[Column]) -> wq.Query:
    column = _column(condition.header, columns)
    number = as_number(condition.value)
    numbers = column_field(column.header, COLUMN_NUMBER)
    if condition.op == "=":
        if column.numeric and number is not None:
            return wq.NumericRange(numbers, number, number)
        return wq.Term(column_field(column.header, COLUMN_VALUE), facet_value(condition.value))
    if not column.numeric:
        numeric = [c.header for c in columns if c.numeric]
        raise UsageError(f"column {column.header!r} does not hold numbers, so it cannot be "
                         f"compared with {condition.op}",
                         f"use = for it; the numeric columns are {', '.join(numeric)}"
                         if numeric else "use = for it; this index has no numeric column")
    if number is None:
        raise UsageError(f"{condition} compares {column.header!r} with {condition.value!r}, "
                         "which is not a number", f"for example {column.header}>=1000")
    low, high = (number, None) if condition.op.startswith(">") else (None, number)
    return wq.NumericRange(numbers, low, high, startexcl=condition.op == ">",
                           endexcl=condition.op == "<")
