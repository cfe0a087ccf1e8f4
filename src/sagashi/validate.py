"""Checking the arguments of library calls, eagerly, with messages that say
what was wrong and how to fix it.

Every public function validates here before it does any work, so a wrong
argument is a :class:`~sagashi.errors.UsageError` with a hint, never a
``TypeError`` from deep inside Whoosh.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import QueryError, UsageError

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from .domain.languages import Language

#: Queries longer than this are refused with a clear message.
MAX_QUERY_CHARS = 1000
#: The most results one call returns.
MAX_LIMIT = 1000
#: The most hits a search may skip (so a page never asks to rank more than
#: MAX_OFFSET + MAX_LIMIT records).
MAX_OFFSET = 1000


def shown(value: object, width: int = 40) -> str:
    """A short repr of a value, for an error message.

    >>> shown("x" * 50)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def whole_number(name: str, value: object) -> int:
    """``value`` as an int (numpy integers too); never a bool, float or str."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            pass
    raise UsageError(f"{name} must be a whole number, got {shown(value)}",
                     "pass an int, for example 10")


def check_query(query: object) -> str:
    """A query: text, not empty, at most MAX_QUERY_CHARS characters."""
    if not isinstance(query, str):
        hint = "decode it first: query.decode('utf-8')" if isinstance(query, bytes) else \
            "pass the query as a str"
        raise UsageError(f"query must be text, got {type(query).__name__}", hint)
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(query):,} characters; the limit is {MAX_QUERY_CHARS:,}",
                         "shorten the query to its key words")
    if not query.strip():
        raise QueryError("empty query", "type some words to search for")
    return query


def in_range(name: str, number: int, low: int, high: int,
             error: type[UsageError] = UsageError) -> int:
    """``number`` when it is from ``low`` to ``high``; otherwise ``error``
    (the web's parameter errors pass their own) saying so.

    >>> in_range("limit", 5000, 1, 1000)
    Traceback (most recent call last):
    ...
    sagashi.errors.UsageError: limit must be between 1 and 1000, got 5000
    """
    if not low <= number <= high:
        raise error(f"{name} must be between {low} and {high}, got {shown(number)}",
                    f"pass a number from {low} to {high}")
    return number


def check_limit(limit: object) -> int:
    """A number of results: 1 to MAX_LIMIT."""
    return in_range("limit", whole_number("limit", limit), 1, MAX_LIMIT)


def check_offset(offset: object) -> int:
    """A number of hits to skip: 0 to MAX_OFFSET."""
    return in_range("offset", whole_number("offset", offset), 0, MAX_OFFSET)


def check_no(no: object) -> int:
    """A project number: a whole number, not negative."""
    number = whole_number("a project number", no)
    if number < 0:
        raise UsageError(f"a project number is not negative, got {number}",
                         "pass the No of a project")
    return number


def check_nos(nos: Iterable[object]) -> set[int]:
    """At least one project number; each checked as :func:`check_no`."""
    if isinstance(nos, (str, bytes)) or not isinstance(nos, Iterable):
        raise UsageError(f"record numbers must be a list of whole numbers, got {shown(nos)}",
                         "for example [12, 15]")
    wanted = {check_no(no) for no in nos}
    if not wanted:
        raise UsageError("name at least one record number to delete")
    return wanted


def check_text(name: str, value: object, example: str) -> str | None:
    """An optional text argument (a filter value)."""
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{name} must be text or None, got {type(value).__name__}",
                         f"for example {name}={example!r}")
    return value


def check_language(value: object) -> Language | None:
    """An optional language code: one of :data:`sagashi.domain.languages.LANGUAGES`
    (any case), or None to detect it."""
    from .domain.languages import LANGUAGES, is_language
    if value is None:
        return None
    code = value.strip().lower() if isinstance(value, str) else None
    if not is_language(code):
        raise UsageError(f"unknown language {shown(value)}",
                         f"use one of {', '.join(LANGUAGES)}, or None to detect it")
    return code


def check_path(name: str, value: object) -> str | None:
    """A path argument: None, or a non-empty str or os.PathLike naming a str path."""
    if value is None:
        return None
    path = os.fspath(value) if isinstance(value, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise UsageError(f"{name} must be a path (str or pathlib.Path), "
                         f"got {type(value).__name__}", "for example Engine('path/to/index')")
    if not path:
        raise UsageError(f"{name} is an empty path", "name a folder, or pass None for the default")
    return path


def check_seconds(name: str, value: object, example: str = "30") -> float:
    """A finite, non-negative number of seconds (nan and inf would wait forever)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not 0 <= value < float("inf"):
        raise UsageError(f"{name} must be a number of seconds, got {shown(value)}",
                         f"for example {name}={example}")
    return float(value)
