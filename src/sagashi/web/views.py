"""Search results -> what the templates show: snippet pieces, facet links,
page links, and the URL of every state.

The templates render the JSON the API returns (``SearchResults.to_json()``),
not the dataclasses, so whatever the search layer adds to that JSON (extra
columns, unmatched words, suggestions, a detected language) reaches the page
without a change here; each such addition is shown only when present.

Every URL is built here, from parameters percent-encoded by
:func:`urllib.parse.urlencode`; no record value ever becomes a link target.
Templates escape every value they print (Jinja2 autoescaping).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from ..analysis.chars import has_kanji, is_kana
from .params import MAX_PAGE, PER_PAGE, SearchParams

#: Facets the page can filter by, and the URL parameter of each. Others
#: (counts of extra columns, where the index has them) are shown as counts.
FACET_PARAMS = {"prefecture": "pref", "entity": "entity"}
#: A facet value that names no filter (records whose prefecture is unknown).
UNKNOWN_VALUE = "(unknown)"
#: Page links shown on either side of the current page.
PAGE_WINDOW = 2
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Piece:
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


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: a gap (…)
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class Filter:
    """An active filter, with the URL that removes it."""

    name: str
    value: str
    remove_url: str


class Urls:
    """The URLs of the page's states, keeping the interface language in them
    when the reader chose it with the switch."""

    def __init__(self, params: SearchParams, lang: str | None) -> None:
        self.params = params
        self.lang = lang

    def search(self, params: SearchParams | None = None, *, lang: str | None = None) -> str:
        p = params or self.params
        pairs = [("q", p.q), ("pref", p.pref), ("entity", p.entity),
                 ("page", str(p.page) if p.page > 1 else None), ("lang", lang or self.lang)]
        query = urlencode([(k, v) for k, v in pairs if v])
        return f"/?{query}" if query else "/"

    def with_(self, **changes: object) -> str:
        """The current search with some parameters changed (back to page 1
        unless ``page`` is among them)."""
        changes.setdefault("page", 1)
        return self.search(replace(self.params, **changes))  # type: ignore[arg-type]

    def query(self, q: str) -> str:
        """A new search for ``q`` (an example or a suggestion)."""
        return self.search(SearchParams(q))

    def project(self, no: int | str) -> str:
        return f"/projects/{int(no)}" + (f"?{urlencode({'lang': self.lang})}" if self.lang
                                         else "")

    def home(self) -> str:
        return self.search(SearchParams(""))

    def switch(self, path: str, lang: str) -> str:
        """This page in another interface language."""
        if path.startswith("/projects/"):
            return f"{path}?{urlencode({'lang': lang})}"
        return self.search(lang=lang)


def pieces(text: str, spans: list | tuple) -> list[Piece]:
    """A snippet cut into plain and matched runs; matches that touch are one
    run. Spans that overlap, run backwards or fall outside the text are
    ignored rather than trusted.

    >>> [(p.text, p.marked) for p in pieces("難民の支援", [[0, 2]])]
    [('難民', True), ('の支援', False)]
    >>> [(p.text, p.marked) for p in pieces("日本語教室", [[0, 3], [3, 5]])]
    [('日本語教室', True)]
    """
    out: list[Piece] = []
    last = 0
    for span in spans:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if not last <= start < end <= len(text):
            continue
        if out and start == last and out[-1].marked:
            out[-1] = Piece(out[-1].text + text[start:end], True)
        else:
            out += [Piece(text[last:start]), Piece(text[start:end], True)]
        last = end
    out.append(Piece(text[last:]))
    return [p for p in out if p.text]


def facets(data: dict, urls: Urls, label) -> list[Facet]:
    """The facets of a search's JSON, as links where the page can filter."""
    out = []
    for name, counts in (data.get("facets") or {}).items():
        if not isinstance(counts, dict) or not counts:
            continue
        param = FACET_PARAMS.get(name)
        current = getattr(urls.params, param) if param else None
        values = []
        for value, count in counts.items():
            value = str(value)
            url = urls.with_(**{param: value}) if param and value != UNKNOWN_VALUE else None
            values.append(FacetValue(value, int(count), url, value == current))
        out.append(Facet(label(name), tuple(values)))
    return out


def active_filters(params: SearchParams, urls: Urls, label) -> list[Filter]:
    out = []
    for name, param in FACET_PARAMS.items():
        value = getattr(params, param)
        if value:
            out.append(Filter(label(name), value, urls.with_(**{param: None})))
    return out


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
    layer says it understood, else ``ja`` for text with kanji or kana, else
    None (the page's own language).

    >>> query_language("難民"), query_language("kobe"), query_language("lop hoc", "vi")
    ('ja', None, 'vi')
    """
    tag = language_tag(understood)
    if tag:
        return tag
    return "ja" if has_kanji(query) or any(is_kana(c) for c in query) else None


def suggestion_text(item: object) -> str | None:
    """The query a suggestion proposes: the item itself if it is text, else
    its ``query`` / ``text`` / ``term`` (the search layer's shape may vary)."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("query", "text", "term", "word"):
            if isinstance(item.get(key), str):
                return item[key]
    return None


def as_text(item: object) -> str:
    """An unmatched word or note as text, whatever its JSON shape."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("word", "text", "term", "query"):
            if isinstance(item.get(key), str):
                return item[key]
    return str(item)
