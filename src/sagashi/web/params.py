"""Query parameters of the page and the API, checked before any search runs.

Every limit lives here: the result count (``limit``, at most
:data:`MAX_API_LIMIT`), page numbers (no deeper than the engine's
``MAX_OFFSET``), the length of filter values. The query's own length is the
library's rule (:data:`sagashi.validate.MAX_QUERY_CHARS`), so the server and
the CLI refuse the same queries with the same message. Parameters nobody
asked for are ignored. A bad value raises :class:`ParamError`, which the
API answers with status 400 and the page with its message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..analysis.chars import clean
from ..errors import UsageError
from ..validate import MAX_OFFSET, shown

#: Hits on one page of the search page.
PER_PAGE = 10
#: The deepest page of the search page (it starts at the engine's MAX_OFFSET).
MAX_PAGE = MAX_OFFSET // PER_PAGE + 1
#: The most hits one API call returns (the CLI allows more; a server is shared).
MAX_API_LIMIT = 100
#: The most characters of a filter value (the longest region name has 7).
MAX_FILTER_CHARS = 100
_DIGITS = re.compile(r"[0-9]{1,7}")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


class ParamError(UsageError):
    """A query parameter the server refuses: HTTP status 400."""


@dataclass(frozen=True)
class SearchParams:
    """A search as the URL asks for it. ``q`` is as typed ("" when absent)."""

    q: str
    pref: str | None = None
    entity: str | None = None
    page: int = 1
    limit: int = PER_PAGE
    explain: bool = False

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def search_params(query: Mapping[str, str], *, api: bool) -> SearchParams:
    """Check the parameters of a search: ``q``, ``pref``, ``entity``,
    ``page``; for the API also ``limit`` and ``explain`` (the page shows
    :data:`PER_PAGE` hits, without explanations).

    >>> search_params({"q": "難民", "pref": "東京都", "page": "2", "x": "?"}, api=False)
    SearchParams(q='難民', pref='東京都', entity=None, page=2, limit=10, explain=False)
    >>> search_params({"q": "難民", "limit": "500"}, api=True)
    Traceback (most recent call last):
    ...
    sagashi.web.params.ParamError: limit must be between 1 and 100, got 500
    """
    q = clean(query.get("q", ""))
    limit = whole_number(query, "limit", PER_PAGE, 1, MAX_API_LIMIT) if api else PER_PAGE
    deepest = MAX_OFFSET // limit + 1
    page = whole_number(query, "page", 1, 1, deepest)
    return SearchParams(q, _filter(query, "pref"), _filter(query, "entity"), page, limit,
                        _flag(query, "explain") if api else False)


def whole_number(query: Mapping[str, str], name: str, default: int, low: int,
                 high: int) -> int:
    """Parameter ``name`` as a whole number from ``low`` to ``high``."""
    text = query.get(name)
    if text is None or text == "":
        return default
    if not _DIGITS.fullmatch(text):
        raise ParamError(f"{name} must be a whole number, got {shown(text)}",
                         f"for example {name}={default}")
    number = int(text)
    if not low <= number <= high:
        raise ParamError(f"{name} must be between {low} and {high}, got {number}",
                         f"pass a number from {low} to {high}")
    return number


def project_number(text: str) -> int:
    """A project number from a URL path (``/api/projects/5``), as the CLI's
    ``sagashi show NO`` takes it."""
    if not _DIGITS.fullmatch(text):
        raise ParamError(f"a project number is a whole number, got {shown(text)}",
                         "for example /api/projects/5")
    return int(text)


def _filter(query: Mapping[str, str], name: str) -> str | None:
    value = clean(query.get(name, "")).strip()
    if len(value) > MAX_FILTER_CHARS:
        raise ParamError(f"{name} is {len(value):,} characters; the limit is {MAX_FILTER_CHARS}",
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
