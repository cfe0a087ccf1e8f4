"""The manifest each index generation carries, and the check made before
opening one.

It records what decides the index's terms (schema version, analyzer settings,
Sudachi and dictionary versions, the reference tables used at index time),
where the data came from (path, checksum, size, mtime) and the record count.
An index built with other settings asks for a reindex instead of failing
obscurely or answering wrongly.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .. import __version__
from ..analysis import SudachiAnalysis, dictionary_version, sudachipy_version
from ..domain.entities import TABLE as ENTITY_TABLE
from ..domain.places import TABLES as PLACE_TABLES
from ..domain.resources import tables_checksum
from ..errors import GenerationGone, IndexMismatchError, IndexMissingError
from ..files import read_json, utc_now, write_json_atomic
from ..validate import shown
from . import storage
from .schema import SCHEMA_VERSION, make_analyzer
from .storage import FORMAT, MANIFEST

INDEX_TABLES = (ENTITY_TABLE, *PLACE_TABLES)


def index_settings(analysis: SudachiAnalysis | None = None) -> dict:
    """Everything that must match between an index and the code reading it."""
    analysis = analysis or SudachiAnalysis()
    return {
        "schema_version": SCHEMA_VERSION,
        "analyzer": {**analysis.settings(), "chain": _chain(make_analyzer(analysis))},
        "sudachipy": sudachipy_version(),
        "dictionary": {"name": analysis.dict_name,
                       "version": dictionary_version(analysis.dict_name)},
        "tables_sha256": tables_checksum(INDEX_TABLES),
    }


def _chain(analyzer) -> list[str]:
    items = getattr(analyzer, "items", [analyzer])
    return [type(item).__name__ for item in items]


def data_fingerprint(path: Path, sha256: str | None = None) -> dict:
    """Where the data came from, with a checksum (computed when not given)."""
    path = Path(path).resolve()
    st = path.stat()
    if sha256 is None:
        sha256 = file_sha256(path)
    return {"path": str(path), "sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_changed(manifest: dict) -> bool:
    """True when the data file the index was built from has changed since.

    Size and mtime are compared first; the checksum only when they differ.
    A data file that no longer exists counts as unchanged.
    """
    data = manifest.get("data") or {}
    path = data.get("path")
    if not path or not os.path.isfile(path):
        return False
    st = os.stat(path)
    if st.st_size == data.get("size") and st.st_mtime_ns == data.get("mtime_ns"):
        return False
    return file_sha256(Path(path)) != data.get("sha256")


def write_manifest(gen: Path, settings: dict, data: dict | None, records: int,
                   build_seconds: float, history: list | None = None) -> dict:
    manifest = {
        "format": FORMAT,
        "sagashi_version": __version__,
        **settings,
        "data": data,
        "records": records,
        "built_at": utc_now(),
        "build_seconds": round(build_seconds, 3),
        "history": history or [],
    }
    write_json_atomic(gen / MANIFEST, manifest)
    return manifest


def read_manifest(gen: Path) -> dict | None:
    manifest = read_json(gen / MANIFEST)
    return manifest if manifest and manifest.get("format") == FORMAT else None


def check_compatible(manifest: dict | None, expected: dict, root: Path) -> dict:
    """The manifest, when the index was built with the expected settings;
    else :class:`IndexMismatchError`, whose message names the first
    difference and asks for a reindex."""
    hint = f"reindex with: sagashi index build --index {root}"
    if manifest is None:
        raise IndexMismatchError(f"the index at {root} has no valid manifest; "
                                 "it needs a reindex", hint)
    for key, want in expected.items():
        have = manifest.get(key)
        if have != want:
            raise IndexMismatchError(
                f"the index at {root} was built with {key} {shown(have, 60)}, "
                f"but this sagashi uses {shown(want, 60)}; it needs a reindex", hint)
    return manifest


def live_generation(root: Path) -> tuple[Path, dict]:
    """The live generation of the index at ``root`` and its manifest, after
    every check that comes before unpickling: a folder sagashi created and
    others cannot write, an index present, built with these settings."""
    storage.check_trusted(root)
    live = storage.current_generation(root)
    if live is None:
        raise IndexMissingError(f"no index at {root}",
                                f"build it with: sagashi index build --index {root}")
    manifest = read_manifest(live)
    if manifest is None and not live.is_dir():
        raise GenerationGone(f"the index at {root} changed while it was opened",
                             "try again")
    return live, check_compatible(manifest, index_settings(), root)
