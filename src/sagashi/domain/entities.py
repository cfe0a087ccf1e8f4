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


def entity_in_name(name: str) -> str:
    """The legal entity type an organisation's name carries, as written in
    it, or "" (for records whose entity type column is missing or empty).

    >>> entity_in_name("NPO法人まなびと"), entity_in_name("札幌ケア株式会社")
    ('NPO法人', '株式会社')
    >>> entity_in_name("（一社）つなぐ"), entity_in_name("まなびと")
    ('一社', '')
    """
    text = nfkc(name).strip()
    bare, bracketed = _name_forms()
    for form in bare:
        if text.startswith(form) or text.endswith(form):
            return form
    for form in bracketed:
        for opening, closing in ("()", "[]", "【】"):
            if text.startswith(f"{opening}{form}{closing}") or \
                    text.endswith(f"{opening}{form}{closing}"):
                return form
    return ""


def known_codes() -> tuple[str, ...]:
    """Every entity type code of the table (特非, 一社 ...), in table order."""
    return tuple(dict.fromkeys(code for row in read_table(TABLE)
                               for code in split_list(row["codes"])))


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


@cache
def _name_forms() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What may open or close a name to give its entity type, longest first:
    bare, the full names and the aliases of one type that end like one
    (NPO法人, 株式会社); in brackets, also the codes ((特非), (株)), since bare
    short codes would match ordinary names."""
    bare: set[str] = set()
    bracketed: set[str] = set()
    for row in read_table(TABLE):
        codes = split_list(row["codes"])
        if len(codes) != 1:
            continue
        for form in (row["name"], *split_list(row["aliases"])):
            if len(form) >= 3 and form.endswith(("法人", "会社", "組合", "団体")):
                bare.add(nfkc(form))
            bracketed.add(nfkc(form))
        bracketed.update(nfkc(code) for code in codes)

    def longest_first(forms: set[str]) -> tuple[str, ...]:
        return tuple(sorted(forms, key=lambda f: (-len(f), f)))
    return longest_first(bare), longest_first(bracketed)
