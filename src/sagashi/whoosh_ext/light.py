"""Importing Whoosh without what searching never uses.

``whoosh.index`` and ``whoosh.query`` bind three names at import whose
modules cost about 50 ms to import, a third of a cold ``sagashi search``'s
own work: ``whoosh.compat`` takes ``urlretrieve`` from ``urllib.request``
(which brings http.client, ssl and email), ``whoosh.reading`` takes
``cached_property`` from the package of that name (which imports asyncio
for coroutine support), and ``whoosh.query.terms`` takes ``variations`` from
``whoosh.lang.morph_en`` (English morphology, for the Variations query).

:func:`import_whoosh` imports Whoosh with stand-ins for those three modules
in ``sys.modules`` and removes them at once: Whoosh keeps a ``urlretrieve``
and a ``variations`` that import the real ones when called, and a
``cached_property`` that does what the real one does for plain functions
(Whoosh has no coroutines). Every later import of those modules gets the
real ones. It does nothing once Whoosh is imported.
"""

from __future__ import annotations

import importlib
import sys
import types


class _CachedProperty:
    """``cached_property.cached_property`` for plain functions: computed
    once per instance, then an ordinary attribute."""

    def __init__(self, func) -> None:
        self.__doc__ = getattr(func, "__doc__", None)
        self.func = func

    def __get__(self, obj, cls):
        if obj is None:
            return self
        value = obj.__dict__[self.func.__name__] = self.func(obj)
        return value


def _later(module: str, name: str):
    """A function that imports ``module`` when called and calls its ``name``."""
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
    call.__name__ = name
    call.__doc__ = f"{module}.{name}, imported when first called."
    return call


def _stand_ins() -> dict[str, types.ModuleType]:
    urllib_request = types.ModuleType("urllib.request")
    urllib_request.urlretrieve = _later("urllib.request", "urlretrieve")  # type: ignore[attr-defined]
    cached = types.ModuleType("cached_property")
    cached.cached_property = _CachedProperty  # type: ignore[attr-defined]
    morph_en = types.ModuleType("whoosh.lang.morph_en")
    morph_en.variations = _later("whoosh.lang.morph_en", "variations")  # type: ignore[attr-defined]
    return {"urllib.request": urllib_request, "cached_property": cached,
            "whoosh.lang.morph_en": morph_en}


def import_whoosh() -> None:
    """Import ``whoosh.index`` and ``whoosh.query`` without their unused
    heavy imports (see the module docstring)."""
    if "whoosh.compat" in sys.modules:
        return
    stand_ins = {name: module for name, module in _stand_ins().items()
                 if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("whoosh.index")
        importlib.import_module("whoosh.query")
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
