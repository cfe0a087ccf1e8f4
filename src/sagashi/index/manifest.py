"""The manifest each index generation carries, and the check made before
opening one.

It records what decides the index's terms (schema version, analyzer settings,
Sudachi and dictionary versions, the reference tables used at index time),
the data file it was built from (path, checksum, size, mtime, format, the
role of each column, and the options that read it: encoding, ``--columns``,
``--sheet``), the kept columns (which are numeric, which are counted in
facets) and the record count. An index built with other settings asks for
a reindex instead of failing obscurely or answering wrongly; staleness
checks, automatic rebuilds and every hint use the data file it remembers.
"""

from __future__ import annotations

import hashlib
import os
import shlex
from pathlib import Path
from typing import Literal

from .. import __version__
from ..analysis import SudachiAnalysis, dictionary_version, sudachipy_version
from ..domain.columns import Column
from ..domain.entities import TABLE as ENTITY_TABLE
from ..domain.places import TABLES as PLACE_TABLES
from ..domain.records import DataFile
from ..domain.resources import bundled_data_path, tables_checksum
from ..errors import (
    DataError,
    GenerationGone,
    IndexMismatchError,
    IndexMissingError,
    IndexStateError,
)
from ..files import read_json, utc_now, write_json_atomic
from ..validate import shown
from ..whoosh_ext.arrays.format import CODEC_NAME, FORMAT_VERSION
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
        "codec": {"name": CODEC_NAME, "format": FORMAT_VERSION},
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


def data_record(path: Path, loaded: DataFile, options: dict, bundled: bool) -> dict:
    """The manifest's ``data``: the file's fingerprint, what was found in it,
    and the ``options`` (encoding, columns, sheet) that rebuild it the same
    way. ``bundled``: it was the bundled corpus, found wherever the package
    is (a checkout may move), not a file the user named."""
    return {**data_fingerprint(path, loaded.sha256), "format": loaded.format,
            "encoding": loaded.encoding, "sheet": loaded.sheet, "roles": dict(loaded.roles),
            "numbered_by_row": loaded.numbered_by_row,
            "options": {k: v for k, v in options.items() if v}, "bundled": bundled}


def built_from_bundled(data: dict | None) -> bool:
    """Whether a manifest's ``data`` is the bundled corpus (for manifests
    written before sagashi said so: whether its path is the bundled one)."""
    data = data or {}
    if "bundled" in data:
        return bool(data["bundled"])
    try:
        return bool(data.get("path")) and Path(data["path"]) == bundled_data_path().resolve()
    except DataError:
        return False


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


DataState = Literal["unchanged", "changed", "gone", "unknown"]


def data_state(manifest: dict) -> DataState:
    """Whether the data file the index was built from has changed since:
    ``gone`` when it is no longer there, ``unknown`` when the manifest does
    not say which file it was.

    Size and mtime are compared first; the checksum only when they differ.
    """
    data = manifest.get("data") or {}
    path = data.get("path")
    if not path:
        return "unknown"
    try:
        st = os.stat(path)
    except OSError:
        return "gone"
    if not os.path.isfile(path):
        return "gone"
    if st.st_size == data.get("size") and st.st_mtime_ns == data.get("mtime_ns"):
        return "unchanged"
    try:
        return "changed" if file_sha256(Path(path)) != data.get("sha256") else "unchanged"
    except OSError:
        return "gone"


def data_changed(manifest: dict) -> bool:
    """True when the data file the index was built from has changed since
    (a file that no longer exists counts as unchanged; see :func:`data_state`)."""
    return data_state(manifest) == "changed"


def rebuild_options(data: dict | None) -> dict:
    """The keyword arguments of :func:`~sagashi.index.build.build_index`
    that read the remembered data file as it was read: encoding, columns, sheet."""
    options = dict((data or {}).get("options") or {})
    return {k: options[k] for k in ("encoding", "columns", "sheet") if options.get(k)}


def rebuild_command(root: Path, data: dict | None) -> str:
    """The command that rebuilds the index at ``root`` from the file it
    remembers, with the same options (the default data needs no ``--data``)."""
    words = ["sagashi", "index", "build"]
    if data and data.get("path") and not built_from_bundled(data):
        words += ["--data", str(data["path"])]
    options = rebuild_options(data)
    if options.get("encoding"):
        words += ["--encoding", options["encoding"]]
    if options.get("columns"):
        words += ["--columns", ",".join(f"{h}={r}" for h, r in options["columns"].items())]
    if options.get("sheet"):
        words += ["--sheet", options["sheet"]]
    words += ["--index", str(root)]
    return " ".join(shlex.quote(w) for w in words)


def columns_of(manifest: dict | None) -> tuple[Column, ...]:
    """The kept columns of an index, from its manifest."""
    return tuple(Column.from_json(c) for c in (manifest or {}).get("columns") or ())


def write_manifest(gen: Path, settings: dict, data: dict | None, records: int,
                   build_seconds: float, history: list | None = None,
                   columns: tuple[Column, ...] = ()) -> dict:
    manifest = {
        "format": FORMAT,
        "sagashi_version": __version__,
        **settings,
        "data": data,
        "columns": [c.to_json() for c in columns],
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
    hint = f"reindex with: {rebuild_command(root, (manifest or {}).get('data'))}"
    if manifest is None:
        raise IndexMismatchError(f"the index at {root} has no valid manifest; "
                                 "it needs a reindex", hint)
    codec = manifest.get("codec")
    if codec != expected.get("codec", codec):
        raise IndexMismatchError(f"the index at {root} was written in {_storage_format(codec)}, "
                                 f"which this sagashi does not read; it needs a rebuild", hint)
    for key, want in expected.items():
        have = manifest.get(key)
        if have != want:
            raise IndexMismatchError(
                f"the index at {root} was built with {key} {shown(have, 60)}, "
                f"but this sagashi uses {shown(want, 60)}; it needs a reindex", hint)
    return manifest


def _storage_format(codec) -> str:
    """How a manifest's ``codec`` names the storage format it records."""
    if not isinstance(codec, dict):
        return "Whoosh's own storage format (an index built before the array codec)"
    name, version = codec.get("name"), codec.get("format")
    if isinstance(name, str) and isinstance(version, int) and name.isprintable():
        return f"storage format {name[:30]} {version}"
    return f"storage format {shown(name, 30)} {shown(version, 10)}"


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


def remembered_data(root: Path) -> dict | None:
    """What the live index at ``root`` remembers of its data file (the
    manifest's ``data``), whatever settings it was built with; None when
    there is no index there, or nothing is remembered."""
    try:
        storage.check_trusted(root)
        live = storage.current_generation(root)
        manifest = read_manifest(live) if live is not None else None
    except (OSError, IndexMissingError, IndexStateError):
        return None
    data = (manifest or {}).get("data")
    return data if isinstance(data, dict) and data.get("path") else None
