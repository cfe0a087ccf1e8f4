"""Recent answers, kept until the index changes.

People ask the same things: the example queries, a facet, the next page and
back, a project page. The engine scores every match of a query, and one
engine answers one query at a time, so under load a queue forms; a repeated
request served from memory skips the engine altogether. The same
cache keeps the JSON answers of the engine and the HTML of the pages made
from them (per interface language).

Answers are kept per index generation: the key starts with the generation
the engine serves (:meth:`~sagashi.engine.Engine.refresh`), and the first
answer under a new generation drops every older one. A reindex therefore
shows at the next request, exactly as without the cache. Errors are not
kept. The values (JSON objects, HTML text) are shared by every request that
hits them: nothing may change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

#: Answers kept by default: at most a few tens of MB of JSON and HTML.
DEFAULT_SIZE = 1000


class AnswerCache:
    """A least-recently-used map of ``(generation, request) -> answer``.

    >>> cache = AnswerCache(2)
    >>> cache.get("g1", ("search", "難民"), lambda: {"total": 5})
    {'total': 5}
    >>> cache.get("g1", ("search", "難民"), lambda: 1 / 0)  # kept: not computed again
    {'total': 5}
    >>> cache.get("g2", ("search", "難民"), lambda: {"total": 6})  # a reindex: dropped
    {'total': 6}
    >>> cache.hits, cache.misses
    (1, 2)
    """

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._generation: str | None = None
        self._lock = threading.Lock()

    def get(self, generation: str | None, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for ``key`` under ``generation``, or ``compute()``
        (run without holding the cache's lock), kept for next time."""
        if self.size <= 0:
            return compute()
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._generation = generation
            full_key = (generation, key)
            if full_key in self._items:
                self._items.move_to_end(full_key)
                self.hits += 1
                return self._items[full_key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self.misses += 1
            if generation == self._generation:
                self._items[full_key] = value
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
