"""Legal entity types (法人格): canonical codes and the names that mean them.

The data writes them short and in brackets, e.g. ``(特非)``; searchers type
特定非営利活動法人, NPO法人 or 社団法人 (which covers both (公社) and (一社)).
The table is data/entities.tsv.
"""

from __future__ import annotations

from functools import cache

from ..analysis.chars import fold, nfkc
from .resources import read_table, split_list

TABLE = "entities.tsv"


def entity_code(raw: str) -> str:
    """The canonical code of an entity value as the data writes it.

    >>> entity_code("(特非)"), entity_code("（任意団体）"), entity_code("NPO法人")
    ('特非', '任意団体', '特非')
    """
    text = nfkc(raw).strip().strip("()[]【】「」 ")
    codes = _aliases().get(text.lower())
    return codes[0] if codes and len(codes) == 1 else text


def entity_name(code: str) -> str:
    """The full name of a code (特非 -> 特定非営利活動法人), or the code itself."""
    return _names().get(code, code)


def codes_for_alias(text: str) -> tuple[str, ...]:
    """The codes a searcher's word stands for, or () when it names no type.

    >>> codes_for_alias("社団法人"), codes_for_alias("NPO法人"), codes_for_alias("支援")
    (('公社', '一社'), ('特非',), ())
    """
    return _aliases().get(fold(text).strip(), ())


def codes_for(text: str) -> tuple[str, ...]:
    """The codes a filter or field value stands for: those of the alias it
    names, else its own code (an unknown type matches itself only).

    >>> codes_for("社団法人"), codes_for("(特非)"), codes_for("任意団体")
    (('公社', '一社'), ('特非',), ('任意団体',))
    """
    return codes_for_alias(text) or (entity_code(text),)


def alias_table() -> dict[str, tuple[str, ...]]:
    """Every alias (NFKC, lower case) with the codes it stands for."""
    return dict(_aliases())


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for row in read_table(TABLE):
        codes = tuple(split_list(row["codes"]))
        own = list(codes) if len(codes) == 1 else []
        for alias in [row["name"], *split_list(row["aliases"]), *own]:
            out[fold(alias)] = codes
    return out


@cache
def _names() -> dict[str, str]:
    return {row["codes"]: row["name"] for row in read_table(TABLE) if "," not in row["codes"]}
