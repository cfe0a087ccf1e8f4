"""The columns of a data file: which role each one plays, and the rest.

A record has six roles: ``no`` (its id), ``entity`` (the legal entity type),
``organization``, ``location``, ``title`` and ``summary``. Each role is
recognised from the common Japanese and English headers for it
(:data:`HEADERS`); ``columns={"事業の説明": "summary"}`` (``--columns``) names
the others. Only a title or a summary is required. Every other column is
kept: stored with the record, searchable as ``header:value``, filterable,
and counted in facets when it holds few distinct values (see
:func:`profile`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..analysis.chars import fold, nfkc
from ..errors import DataError, UsageError

#: The roles, in the order of the bundled data's columns.
ROLES: tuple[str, ...] = ("no", "entity", "organization", "location", "title", "summary")
#: How messages name a role when the file has no column for it.
ROLE_LABELS: dict[str, str] = {
    "no": "id (No)", "entity": "entity type (法人格)", "organization": "organisation (団体名)",
    "location": "location (所在地)", "title": "title (事業名)", "summary": "summary (概要)",
}
#: The name ``--columns`` uses for "keep this column as an ordinary column".
EXTRA = "extra"

#: Recognised headers of each role, best first: when several columns of a
#: file fit one role, the first in this list takes it and the others are
#: kept as ordinary columns. Compared after :func:`header_key`.
HEADERS: dict[str, tuple[str, ...]] = {
    "no": ("No", "番号", "通し番号", "整理番号", "管理番号", "事業番号", "受付番号", "ID",
           "number", "#"),
    "entity": ("法人格", "法人種別", "法人の種類", "団体種別", "団体の種類", "組織形態",
               "entity", "entity type", "legal form", "legal entity"),
    "organization": ("申請団体名", "団体名", "法人名", "団体名称", "法人・団体名", "組織名",
                     "実施団体名", "実施団体", "事業者名", "申請者名", "申請者", "申請団体", "団体",
                     "organization", "organisation", "organization name",
                     "organisation name", "org", "name", "applicant", "grantee"),
    "location": ("所在地", "住所", "団体所在地", "事務所所在地", "活動地域", "活動場所", "実施地域",
                 "実施場所", "地域", "location", "address", "place", "area", "region",
                 "都道府県", "prefecture"),
    "title": ("事業名", "プロジェクト名", "事業名称", "助成事業名", "事業タイトル", "活動名",
              "企画名", "件名", "タイトル", "title", "project", "project name", "project title"),
    "summary": ("概要", "事業概要", "事業の概要", "事業内容", "事業の内容", "活動内容", "内容",
                "概要説明", "説明", "詳細", "summary", "description", "abstract", "overview",
                "details"),
}
#: Names ``--columns`` accepts for a role, beside the recognised headers.
ROLE_NAMES: dict[str, str] = {
    "no": "no", "id": "no", "entity": "entity", "entity_type": "entity",
    "organization": "organization", "organisation": "organization", "org": "organization",
    "location": "location", "place": "location", "address": "location",
    "title": "title", "summary": "summary", "description": "summary",
    EXTRA: EXTRA, "other": EXTRA,
}
_SEPARATORS = re.compile(r"[\s_\-・.。:：]+")


def header_key(header: str) -> str:
    """A header as compared: width, case, spaces and separators folded.

    >>> header_key("Ｎｏ."), header_key("Project_Name"), header_key(" 事業 概要 ")
    ('no', 'projectname', '事業概要')
    """
    key = _SEPARATORS.sub("", fold(header.strip().lstrip("\ufeff")))
    return key or header.strip()


#: Recognised header key -> (role, rank): lower rank wins.
_RECOGNISED: dict[str, tuple[str, int]] = {
    header_key(h): (role, rank) for role, names in HEADERS.items()
    for rank, h in enumerate(names)}


def role_name(name: str) -> str | None:
    """The role a ``--columns`` value names (``summary``, ``概要``, ``extra``), or None."""
    key = header_key(name)
    if key in ROLE_NAMES:
        return ROLE_NAMES[key]
    found = _RECOGNISED.get(key)
    return found[0] if found else None


def parse_mapping(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``--columns 'HEADER=role,HEADER=role'`` (or a mapping) as ``{header: role}``.

    Raises :class:`UsageError` for a malformed pair or an unknown role.

    >>> parse_mapping("事業の説明=summary, 代表団体=organisation")
    {'事業の説明': 'summary', '代表団体': 'organization'}
    """
    if spec is None:
        return {}
    if isinstance(spec, str):
        pairs: list[tuple[str, str]] = []
        for part in (p for p in spec.split(",") if p.strip()):
            header, eq, role = part.partition("=")
            if not eq or not header.strip() or not role.strip():
                raise UsageError(f"--columns takes HEADER=role pairs, got {part.strip()!r}",
                                 "for example --columns '事業の説明=summary,代表団体=organization'")
            pairs.append((header.strip(), role.strip()))
    elif isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        raise UsageError(f"columns must be a mapping of header to role, got "
                         f"{type(spec).__name__}", "for example columns={'事業の説明': 'summary'}")
    out: dict[str, str] = {}
    for header, role in pairs:
        if not isinstance(header, str) or not isinstance(role, str) or not header.strip():
            raise UsageError(f"columns maps a header to a role, both text; got {header!r}: "
                             f"{role!r}", "for example columns={'事業の説明': 'summary'}")
        resolved = role_name(role)
        if resolved is None:
            raise UsageError(f"unknown role {role!r} for column {header!r}",
                             f"roles are {', '.join((*ROLES, EXTRA))} (extra: keep it as an "
                             "ordinary column)")
        out[header.strip()] = resolved
    return out


@dataclass(frozen=True)
class Layout:
    """The columns of a file: each header as written, and the role it plays
    (None: an ordinary column, kept as is)."""

    headers: tuple[str, ...]
    roles: tuple[str | None, ...]
    notes: tuple[str, ...] = ()

    def header(self, role: str) -> str | None:
        """The header of the column that plays ``role``, if any."""
        for header, r in zip(self.headers, self.roles):
            if r == role:
                return header
        return None

    def label(self, role: str) -> str:
        """How messages name a role's column: its header, else the usual one."""
        return self.header(role) or dict(zip(ROLES, ("No", "法人格", "申請団体名", "所在地",
                                                     "事業名", "概要")))[role]

    @property
    def extra(self) -> tuple[str, ...]:
        """The headers of the ordinary columns, in file order."""
        return tuple(h for h, r in zip(self.headers, self.roles) if r is None)

    def as_dict(self) -> dict[str, str]:
        """``{header: role}`` of the columns that play a role."""
        return {h: r for h, r in zip(self.headers, self.roles) if r is not None}


def resolve(headers: Iterable[str], mapping: Mapping[str, str], path: str,
            line: int | None, *, required: bool = True, sheet: str | None = None,
            optional: Mapping[str, str] | None = None) -> Layout:
    """The :class:`Layout` of a header row: ``mapping`` (header -> role, from
    :func:`parse_mapping`) first, then the recognised headers. ``optional``
    maps headers like ``mapping`` where the file has them (an update reads
    its file with the mapping its index was built with). ``sheet`` names a
    workbook's sheet in errors.

    Raises :class:`DataError` for an empty or repeated header, a mapped
    header the file lacks, two headers mapped to one role, or (when
    ``required``) no title and no summary column.
    """
    headers = [h.strip().lstrip("\ufeff").strip() for h in headers]
    seen: dict[str, int] = {}
    for i, header in enumerate(headers):
        if not header:
            raise DataError(f"column {i + 1} has no header", path, line, str(i + 1),
                            sheet=sheet,
                            hint="give every column a name in the header row, or delete it")
        if header in seen:
            raise DataError(f"column {header!r} appears twice", path, line, header,
                            sheet=sheet, hint="rename one of them")
        seen[header] = i
    keys = {header_key(h): h for h in headers}
    present = {h: r for h, r in (optional or {}).items() if header_key(h) in keys}
    mapping = {**present, **mapping}
    roles: list[str | None] = [None] * len(headers)
    taken: dict[str, str] = {}
    for wanted, role in mapping.items():
        found = keys.get(header_key(wanted))
        if found is None:
            raise DataError(f"column {wanted!r} named in --columns is not in the file",
                            path, line, sheet=sheet,
                            hint="the headers are " + ", ".join(headers))
        if role == EXTRA:
            continue
        if role in taken:
            raise DataError(f"columns {taken[role]!r} and {found!r} are both mapped to {role}",
                            path, line, sheet=sheet, hint="map one column to each role")
        roles[seen[found]] = role
        taken[role] = found
    mapped = {header_key(h) for h in mapping}
    candidates = sorted((_RECOGNISED[header_key(h)][1], i) for i, h in enumerate(headers)
                        if header_key(h) in _RECOGNISED and header_key(h) not in mapped)
    notes: list[str] = []
    for _, i in candidates:
        role = _RECOGNISED[header_key(headers[i])][0]
        if role in taken:
            notes.append(f"column {headers[i]!r} is kept as an ordinary column: "
                         f"{taken[role]!r} is the {role} (choose with --columns "
                         f"'{headers[i]}={role}')")
            continue
        roles[i] = role
        taken[role] = headers[i]
    if required and "title" not in taken and "summary" not in taken:
        raise DataError(f"no title or summary column (the headers are "
                        f"{', '.join(headers)})", path, line, sheet=sheet,
                        hint="name one with --columns, for example --columns "
                             f"'{headers[0]}=title'")
    missing = [ROLE_LABELS[r] for r in ROLES if r not in taken]
    if missing and required:
        notes.append(f"no column for {', '.join(missing)} among the headers "
                     f"{', '.join(headers)}; name one with --columns 'HEADER=role'")
    return Layout(tuple(headers), tuple(roles), tuple(notes))


# -- ordinary columns: numbers and facets ------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_CURRENCY = re.compile(r"^[¥￥$]|円$")
#: A column is counted in facets when it holds at most this many distinct
#: values, and fewer than the records that have a value (some value repeats).
FACET_MAX_VALUES = 20


def as_number(text: str) -> float | None:
    """A cell as a number (``1,000,000``, ``￥1500``, ``2024``, ``0.5``), or None.

    >>> as_number("1,000,000"), as_number("￥1,500円"), as_number("２０２４"), as_number("約5")
    (1000000.0, 1500.0, 2024.0, None)
    """
    text = _CURRENCY.sub("", nfkc(text).strip()).strip()
    if not text or not _NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", ""))


def facet_value(text: str) -> str:
    """A cell as facets count it and ``--filter HEADER=VALUE`` compares it:
    NFKC, spaces trimmed."""
    return " ".join(nfkc(text).split())


@dataclass(frozen=True)
class Column:
    """An ordinary column of an index: its header, whether every value in it
    is a number (then it takes ``>=``, ``<=``, ``>``, ``<``), and whether it is
    counted in facets (few distinct values)."""

    header: str
    numeric: bool = False
    facet: bool = False

    def to_json(self) -> dict[str, str | bool]:
        return {"header": self.header, "numeric": self.numeric, "facet": self.facet}

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> Column:
        return cls(str(obj["header"]), bool(obj.get("numeric")), bool(obj.get("facet")))


def profile(headers: Iterable[str], rows: Iterable[Mapping[str, str]]) -> tuple[Column, ...]:
    """The :class:`Column` of each header, from the values of every record
    (``rows`` are records' ``extra`` mappings).

    >>> [c.numeric for c in profile(["額", "名"], [{"額": "1,000", "名": "田中"}, {"額": "5"}])]
    [True, False]
    """
    headers = list(dict.fromkeys(headers))
    values: dict[str, set[str]] = {h: set() for h in headers}
    numeric = dict.fromkeys(headers, True)
    filled = dict.fromkeys(headers, 0)
    for row in rows:
        for header, value in row.items():
            if header not in values or not value.strip():
                continue
            filled[header] += 1
            if len(values[header]) <= FACET_MAX_VALUES:
                values[header].add(facet_value(value))
            if numeric[header] and as_number(value) is None:
                numeric[header] = False
    return tuple(Column(h, numeric[h] and filled[h] > 0,
                        0 < len(values[h]) <= FACET_MAX_VALUES and len(values[h]) < filled[h])
                 for h in headers)
