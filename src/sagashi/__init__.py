"""sagashi (探し): full-text search for Japanese records.

SudachiPy analysis, a Whoosh index and a ranking query layer, usable as a
library or from the ``sagashi`` command line::

    from sagashi import Engine
    with Engine.open() as engine:          # the bundled index, built on demand
        for hit in engine.search("熊本 日本語教室"):
            print(hit.no, hit.organization, hit.title)

Heavy modules load lazily, so ``import sagashi`` stays cheap.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "Engine": "engine", "SearchResults": "results", "Hit": "results", "Snippet": "results",
    "Project": "results", "Understanding": "results",
    "Record": "domain.records", "load_records": "domain.records",
    "build_index": "index.build", "update_index": "index.build",
    "delete_records": "index.build", "index_stats": "index.build",
    "SagashiError": "errors", "UsageError": "errors", "QueryError": "errors",
    "DataError": "errors", "IndexStateError": "errors", "IndexMissingError": "errors",
    "IndexMismatchError": "errors", "IndexUntrustedError": "errors",
    "IndexLockedError": "errors", "EngineClosedError": "errors", "NotFoundError": "errors",
    "InternalError": "errors",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sagashi' has no attribute {name!r}")
    import importlib
    if module == "engine":
        from .whoosh_ext.light import import_whoosh
        import_whoosh()  # without the heavy imports searching never uses
    return getattr(importlib.import_module(f"sagashi.{module}"), name)
