"""Query parameters of the page and the API, checked before any search runs.

Every limit lives here: the result count (``limit``, at most
:data:`MAX_API_LIMIT`), page numbers (no deeper than the engine's
``MAX_OFFSET``), the length and number of filters. The query's own length is the
library's rule (:data:`sagashi.validate.MAX_QUERY_CHARS`), so the server and
the CLI refuse the same queries with the same message. Parameters nobody
asked for are ignored. A bad value raises :class:`ParamError`, which the
API answers with status 400 and the page with its message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..analysis.chars import clean
from ..domain.languages import LANGUAGES, Language
from ..errors import UsageError
from ..query.filters import Condition, parse_condition
from ..validate import MAX_OFFSET, MAX_QUERY_CHARS, check_language, in_range, shown

#: Hits on one page of the search page.
PER_PAGE = 10
#: The deepest page of the search page (it starts at the engine's MAX_OFFSET).
MAX_PAGE = MAX_OFFSET // PER_PAGE + 1
#: The most hits one API call returns (the CLI allows more; a server is shared).
MAX_API_LIMIT = 100
#: The most characters of a filter value (the longest region name has 7).
MAX_FILTER_CHARS = 100
#: The most column filters (``filter=``) one search takes, and the most
#: characters of each (a header and a value).
MAX_FILTERS = 20
MAX_CONDITION_CHARS = MAX_QUERY_CHARS
_DIGITS = re.compile(r"[0-9]{1,7}")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


class ParamError(UsageError):
    """A query parameter the server refuses: HTTP status 400."""


class FilterError(ParamError):
    """A filter parameter (``pref``, ``entity``, ``filter``) the server
    refuses: the page offers the same search without the filters."""


@dataclass(frozen=True)
class SearchParams:
    """A search as the URL asks for it. ``q`` is as typed ("" when absent);
    ``filters`` are conditions on the index's kept columns; ``query_lang``
    the language the query is to be read in (None: detected)."""

    q: str
    pref: str | None = None
    entity: str | None = None
    page: int = 1
    limit: int = PER_PAGE
    explain: bool = False
    filters: tuple[Condition, ...] = ()
    query_lang: Language | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def column_filters(self) -> dict[str, list[str]] | None:
        """``filters`` as ``Engine.search(filters=...)`` takes them. Each
        value carries its operator, ``=`` too, so a value that starts with
        one (``<A>``) is not read as a comparison."""
        if not self.filters:
            return None
        out: dict[str, list[str]] = {}
        for c in self.filters:
            out.setdefault(c.header, []).append(c.op + c.value)
        return out


def search_params(query: Mapping[str, str], *, api: bool,
                  headers: Sequence[str] = ()) -> SearchParams:
    """Check the parameters of a search: ``q``, ``pref``, ``entity``,
    ``filter`` (repeatable), ``query_lang``, ``page``; for the API also
    ``limit`` and ``explain`` (the page shows :data:`PER_PAGE` hits, without
    explanations). ``headers`` are the index's kept columns, to read a
    ``filter`` whose header holds an operator (see
    :func:`~sagashi.query.filters.parse_condition`).

    >>> search_params({"q": "難民", "pref": "東京都", "page": "2", "x": "?"}, api=False)
    ... # doctest: +NORMALIZE_WHITESPACE
    SearchParams(q='難民', pref='東京都', entity=None, page=2, limit=10, explain=False,
                 filters=(), query_lang=None)
    >>> search_params({"q": "lop hoc", "filter": "年度=2024", "query_lang": "VI"},
    ...               api=True).column_filters()
    {'年度': ['=2024']}
    >>> search_params({"q": "難民", "limit": "500"}, api=True)
    Traceback (most recent call last):
    ...
    sagashi.web.params.ParamError: limit must be between 1 and 100, got 500
    """
    q = clean(query.get("q", ""))
    limit = whole_number_param(query, "limit", PER_PAGE, 1, MAX_API_LIMIT) if api else PER_PAGE
    deepest = MAX_OFFSET // limit + 1
    page = whole_number_param(query, "page", 1, 1, deepest)
    return SearchParams(q, _filter(query, "pref"), _filter(query, "entity"), page, limit,
                        _flag(query, "explain") if api else False,
                        column_filters(_all(query, "filter"), headers),
                        chosen_language(query.get("query_lang")))


def column_filters(texts: Sequence[str], headers: Sequence[str] = ()) -> tuple[Condition, ...]:
    """``filter`` parameters, each as the CLI's ``--filter`` takes it
    (``年度=2024``, ``助成額>=1000000``), refused with the CLI's message when
    malformed. Whether the column exists is the engine's to say."""
    texts = [t for t in (clean(t).strip() for t in texts) if t]
    if len(texts) > MAX_FILTERS:
        raise FilterError(f"{len(texts)} filters; the limit is {MAX_FILTERS}",
                         "filter by fewer columns")
    out: list[Condition] = []
    for text in texts:
        if len(text) > MAX_CONDITION_CHARS:
            raise FilterError(f"a filter is {len(text):,} characters; the limit is "
                             f"{MAX_CONDITION_CHARS:,}", "for example filter=年度=2024")
        try:
            out.append(parse_condition(text, headers))
        except UsageError as e:
            raise FilterError(e.message, e.hint) from None
    return tuple(dict.fromkeys(out))  # a filter given twice is one filter


def chosen_language(value: str | None) -> Language | None:
    """``query_lang``: a language code sagashi reads queries in (any case),
    or None (absent or empty) to detect it, as the CLI's ``--lang``.

    >>> chosen_language(" Vi "), chosen_language(""), chosen_language(None)
    ('vi', None, None)
    """
    if value is None or not value.strip():
        return None
    try:
        return check_language(value)
    except UsageError:
        raise ParamError(f"unknown query language {shown(clean(value))}",
                         "use one of " + ", ".join(f"{code} ({name})" for code, name in
                                                  LANGUAGES.items())
                         + ", or leave query_lang out to detect it") from None


def whole_number_param(query: Mapping[str, str], name: str, default: int, low: int,
                 high: int) -> int:
    """Parameter ``name`` as a whole number from ``low`` to ``high``."""
    text = query.get(name)
    if text is None or text == "":
        return default
    if not _DIGITS.fullmatch(text):
        raise ParamError(f"{name} must be a whole number, got {shown(text)}",
                         f"for example {name}={default}")
    return in_range(name, int(text), low, high, ParamError)


def project_number(text: str) -> int:
    """A project number from a URL path (``/api/projects/5``), as the CLI's
    ``sagashi show NO`` takes it."""
    if not _DIGITS.fullmatch(text):
        raise ParamError(f"a project number is a whole number, got {shown(text)}",
                         "for example /api/projects/5")
    return int(text)


def _all(query: Mapping[str, str], name: str) -> list[str]:
    """Every value of a repeatable parameter (Starlette's ``getlist``; one
    value from a plain mapping)."""
    getlist = getattr(query, "getlist", None)
    if getlist is not None:
        return list(getlist(name))
    return [query[name]] if name in query else []


def _filter(query: Mapping[str, str], name: str) -> str | None:
    value = clean(query.get(name, "")).strip()
    if len(value) > MAX_FILTER_CHARS:
        raise FilterError(f"{name} is {len(value):,} characters; the limit is {MAX_FILTER_CHARS}",
                         "use a name such as 東京都, 大阪 or 関西" if name == "pref"
                         else "use a type such as 特非 or 一社")
    return value or None


def _flag(query: Mapping[str, str], name: str) -> bool:
    value = query.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParamError(f"{name} must be true or false, got {shown(query[name])}",
                     f"for example {name}=true")
