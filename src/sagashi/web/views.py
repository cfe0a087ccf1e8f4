"""Search results -> what the templates show: snippet pieces, facet links,
active filters, page links, a hit's other columns, and the URL of every
state.

The templates render the JSON the API returns (``SearchResults.to_json()``),
not the dataclasses, so whatever the search layer adds to that JSON (extra
columns, unmatched words, suggestions, a detected language) reaches the page
without a change here; each such addition is shown only when present.

Every URL is built here, from parameters percent-encoded by
:func:`urllib.parse.urlencode`; no record value ever becomes a link target
(a facet's header and value only ever go into a ``filter=`` parameter).
Templates escape every value they print (Jinja2 autoescaping).

A search's URL: ``/?q=難民&pref=東京都&entity=特非&filter=年度=2024&query_lang=ja&page=2``;
``filter`` is repeatable and written as the CLI's ``--filter`` (``HEADER=VALUE``,
``HEADER>=NUMBER`` ...); ``query_lang`` says what the query is written in (as
``--lang``), and ``lang`` is the interface's language, a separate choice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import urlencode

from ..analysis.chars import has_kanji, is_kana
from ..domain.columns import facet_value, header_key
from ..domain.languages import is_language
from ..query.filters import Condition, Operator
from ..results import JsonObject
from .i18n import QUERY_LANGUAGE_NAMES, InterfaceLanguage
from .params import MAX_CONDITION_CHARS, MAX_PAGE, PER_PAGE, SearchParams

#: Facets with a URL parameter of their own. Every other facet counts a
#: kept column, and filters with ``filter=HEADER=VALUE``.
FACET_PARAMS: dict[str, Literal["pref", "entity"]] = {"prefecture": "pref", "entity": "entity"}
#: How an active comparison on a numeric column reads.
OPERATOR_SIGNS: dict[Operator, str] = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}
#: A hit shows at most this many of its other columns, each cut to this
#: many characters (the project page shows them all, in full).
HIT_COLUMNS = 6
HIT_COLUMN_CHARS = 80
#: A facet value that names no filter (records whose prefecture is unknown).
UNKNOWN_VALUE = "(unknown)"
#: Page links shown on either side of the current page.
PAGE_WINDOW = 2
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class SnippetPiece:
    """A run of snippet text; ``marked`` when it matched the query."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    url: str | None  # None: shown, not a link
    active: bool = False


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]
    lang: Literal["ja"] | None = None  # "ja" for a column's header (data); None: the interface's


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap (…)
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Filter:
    """An active filter, with the URL that removes it. ``op`` is ``=`` but
    for a comparison on a numeric column; ``lang`` is ``ja`` when ``name``
    is a column's header (data), None when it is the interface's word."""

    name: str
    value: str
    remove_url: str
    op: Operator = "="
    lang: Literal["ja"] | None = None

    @property
    def sign(self) -> str:
        return OPERATOR_SIGNS.get(self.op, self.op)

    @property
    def text(self) -> str:
        """The filter in words, for the label of its remove link."""
        if self.lang is None:
            return self.value
        return f"{self.name}: {self.value}" if self.op == "=" else \
            f"{self.name} {self.sign} {self.value}"


class Urls:
    """The URLs of the page's states, keeping the interface language in them
    when the reader chose it with the switch."""

    def __init__(self, params: SearchParams, lang: InterfaceLanguage | None) -> None:
        self.params = params
        self.lang = lang

    def search(self, params: SearchParams | None = None, *,
               lang: InterfaceLanguage | None = None) -> str:
        p = params or self.params
        pairs = [("q", p.q), ("pref", p.pref), ("entity", p.entity),
                 *[("filter", str(c)) for c in p.filters], ("query_lang", p.query_lang),
                 ("page", str(p.page) if p.page > 1 else None), ("lang", lang or self.lang)]
        query = urlencode([(k, v) for k, v in pairs if v])
        return f"/?{query}" if query else "/"

    def with_(self, **changes: object) -> str:
        """The current search with some parameters changed (back to page 1
        unless ``page`` is among them)."""
        changes.setdefault("page", 1)
        return self.search(replace(self.params, **changes))  # type: ignore[arg-type]

    def with_column(self, header: str, value: str) -> str:
        """The current search, filtered to records whose column ``header``
        holds ``value`` (instead of another value it was filtered to)."""
        kept = tuple(c for c in self.params.filters
                     if not (c.op == "=" and header_key(c.header) == header_key(header)))
        return self.with_(filters=(*kept, Condition(header, "=", value)))

    def without(self, condition: Condition) -> str:
        """The current search without one column filter."""
        return self.with_(filters=tuple(c for c in self.params.filters if c != condition))

    def unfiltered(self) -> str:
        """The current search with no filter at all."""
        return self.with_(pref=None, entity=None, filters=())

    def query(self, q: str) -> str:
        """A new search for ``q`` (an example or a suggestion)."""
        return self.search(SearchParams(q))

    def project(self, no: int | str) -> str:
        return f"/projects/{int(no)}" + (f"?{urlencode({'lang': self.lang})}" if self.lang
                                         else "")

    def home(self) -> str:
        return self.search(SearchParams(""))

    def switch(self, path: str, lang: InterfaceLanguage) -> str:
        """This page in another interface language."""
        if path.startswith("/projects/"):
            return f"{path}?{urlencode({'lang': lang})}"
        return self.search(lang=lang)


def pieces(text: str, spans: Sequence[Sequence[int]]) -> list[SnippetPiece]:
    """A snippet cut into plain and matched runs; matches that touch are one
    run. Spans that overlap, run backwards or fall outside the text are
    ignored rather than trusted.

    >>> [(p.text, p.marked) for p in pieces("難民の支援", [[0, 2]])]
    [('難民', True), ('の支援', False)]
    >>> [(p.text, p.marked) for p in pieces("日本語教室", [[0, 3], [3, 5]])]
    [('日本語教室', True)]
    """
    out: list[SnippetPiece] = []
    last = 0
    for span in spans:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not last <= start < end <= len(text):
            continue
        if out and start == last and out[-1].marked:
            out[-1] = SnippetPiece(out[-1].text + text[start:end], True)
        else:
            out += [SnippetPiece(text[last:start]), SnippetPiece(text[start:end], True)]
        last = end
    out.append(SnippetPiece(text[last:]))
    return [p for p in out if p.text]


def facets(data: JsonObject, urls: Urls, label: Callable[[str], str]) -> list[Facet]:
    """The facets of a search's JSON, each value a link that filters by it:
    prefecture and entity type with their own parameters, a kept column
    (any other facet, named by its header) with ``filter=HEADER=VALUE``."""
    out: list[Facet] = []
    for name, counts in (data.get("facets") or {}).items():
        if not isinstance(counts, dict) or not counts:
            continue
        name = str(name)
        param = FACET_PARAMS.get(name)
        values: list[FacetValue] = []
        for value, count in counts.items():
            value = str(value)
            url: str | None = None  # records without a value: nothing to filter by
            if param:
                active = value == getattr(urls.params, param)
                if value != UNKNOWN_VALUE:
                    url = urls.with_(**{param: value})
            else:
                active = _filtered_to(urls.params, name, value)
                if value != UNKNOWN_VALUE and len(name) + 1 + len(value) <= MAX_CONDITION_CHARS:
                    url = urls.with_column(name, value)
            values.append(FacetValue(value, int(count), url, active))
        out.append(Facet(label(name) if param else name, tuple(values),
                         None if param else "ja"))
    return out


def _filtered_to(params: SearchParams, header: str, value: str) -> bool:
    return any(c.op == "=" and header_key(c.header) == header_key(header)
               and facet_value(c.value) == facet_value(value) for c in params.filters)


def active_filters(params: SearchParams, urls: Urls,
                   label: Callable[[str], str]) -> list[Filter]:
    """The filters in use, each with the URL that removes it."""
    out: list[Filter] = []
    for name, param in FACET_PARAMS.items():
        value = getattr(params, param)
        if value:
            out.append(Filter(label(name), value, urls.with_(**{param: None})))
    for c in params.filters:
        out.append(Filter(c.header, c.value, urls.without(c), c.op, "ja"))
    return out


def hit_columns(extra: object, limit: int = HIT_COLUMNS,
                width: int = HIT_COLUMN_CHARS) -> list[tuple[str, str]]:
    """The other columns a hit shows: those with a value, in the file's
    order, at most ``limit``, each value cut to ``width`` characters.

    >>> hit_columns({"年度": "2024", "担当者": "", "メモ": "あ" * 100}, width=5)
    [('年度', '2024'), ('メモ', 'あああああ…')]
    """
    if not isinstance(extra, dict):
        return []
    out: list[tuple[str, str]] = []
    for name, value in extra.items():
        value = "" if value is None else str(value)
        if value.strip():
            out.append((str(name), value if len(value) <= width else value[:width] + "…"))
    return out[:limit]


def page_links(params: SearchParams, total: int, urls: Urls) -> list[PageLink]:
    """Links to the first and last pages and those near the current one."""
    last = min(math.ceil(total / PER_PAGE), MAX_PAGE)
    if last <= 1:
        return []
    shown = {1, last} | set(range(max(1, params.page - PAGE_WINDOW),
                                  min(last, params.page + PAGE_WINDOW) + 1))
    out: list[PageLink] = []
    for n in sorted(shown):
        if out and out[-1].number is not None and n > out[-1].number + 1:
            out.append(PageLink(None))
        out.append(PageLink(n, urls.with_(page=n), n == params.page))
    return out


def language_tag(value: object) -> str | None:
    """A value fit for a ``lang`` attribute, or None."""
    return value if isinstance(value, str) and _LANGUAGE_TAG.fullmatch(value) else None


def query_language(query: str, understood: object = None) -> str | None:
    """The ``lang`` of a query as the page echoes it: the language the search
    layer says it understood (Japanese in Latin letters, romaji, is
    ``ja-Latn``), else ``ja`` for text with kanji or kana, else None (the
    page's own language).

    >>> query_language("難民"), query_language("kobe"), query_language("lop hoc", "vi")
    ('ja', None, 'vi')
    >>> query_language("kobe", "ja"), query_language("神戸 kobe", "ja")
    ('ja-Latn', 'ja')
    """
    japanese = has_kanji(query) or any(is_kana(c) for c in query)
    tag = language_tag(understood)
    if tag:
        return "ja-Latn" if tag == "ja" and not japanese else tag
    return "ja" if japanese else None


def language_name(code: str) -> str:
    """A query language's name in itself (``vi`` -> Tiếng Việt), or the code.

    >>> language_name("vi"), language_name("xx")
    ('Tiếng Việt', 'xx')
    """
    primary = code.split("-")[0]
    return QUERY_LANGUAGE_NAMES[primary] if is_language(primary) else code
