"""Building and changing an index: build, update, delete, stats.

Every change goes through :mod:`sagashi.storage`: validate the input first
(a bad file writes nothing), take the write lock, write a new generation,
verify that it holds every record, write its manifest, then swap it in
atomically and clean up. A failure before the swap removes the new
generation; the live one is never touched.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index

from ..domain.records import DataFile, Record, load_records
from ..domain.resources import default_data_path, default_index_dir
from ..errors import DataError, NotFoundError
from ..files import utc_now
from ..validate import check_nos
from ..whoosh_ext.segments import COMPOUND
from . import storage
from .manifest import data_fingerprint, index_settings, live_generation, write_manifest
from .parallel import write_parallel
from .schema import make_schema
from .writer import Progress, default_procs, update_records, write_serial


@dataclass(frozen=True)
class BuildReport:
    """What a build, update or delete did.

    ``records_read`` counts the records of the data file, ``records_indexed``
    those the new index holds (after a build the two are equal, or the build
    fails); an update says how many it ``added`` and ``replaced``.
    """

    index_dir: str
    generation: str
    records_read: int
    records_indexed: int
    seconds: float
    data_format: str = ""
    encoding: str = ""
    removed: int = 0
    added: int = 0
    replaced: int = 0


@dataclass(frozen=True)
class IndexStats:
    """What ``sagashi index stats`` shows."""

    index_dir: str
    generation: str
    records: int
    fields: tuple[str, ...]
    built_at: str
    build_seconds: float
    data: dict
    schema_version: int
    analyzer: dict
    sudachipy: str
    dictionary: dict
    sagashi_version: str
    size_bytes: int
    history: tuple


def build_index(data: str | Path | None = None, index_dir: str | Path | None = None, *,
                encoding: str | None = None, procs: int | None = None,
                progress: Progress | None = None, lock_timeout: float = 30.0) -> BuildReport:
    """Build a complete index of ``data`` into ``index_dir`` and swap it in.

    Defaults: the bundled data and the default index folder. The data is
    validated before anything is written; readers keep using the old index
    until the new one is complete. Waits up to ``lock_timeout`` seconds for
    another writer, then raises :class:`IndexLockedError`.
    """
    started = time.perf_counter()
    data_path = Path(data) if data is not None else default_data_path()
    loaded = _load(data_path, encoding)
    root = storage.create_root(_root(index_dir))
    settings = index_settings()
    with storage.write_lock(root, lock_timeout):
        gen = storage.new_generation(root)
        with _discarded_on_error(root, gen):
            ix = whoosh_index.create_in(str(gen), make_schema())
            _write_all(ix, loaded.records, progress, procs)
            indexed = _verified_count(ix, len(loaded.records))
            seconds = time.perf_counter() - started
            write_manifest(gen, settings, data_fingerprint(data_path, loaded.sha256), indexed,
                           seconds, [_event("build", loaded, indexed)])
        _publish(root, gen)
    return BuildReport(str(root), gen.name, loaded.rows_read, indexed, seconds,
                       loaded.format, loaded.encoding, added=indexed)


def update_index(data: str | Path, index_dir: str | Path | None = None, *,
                 encoding: str | None = None, progress: Progress | None = None,
                 lock_timeout: float = 30.0) -> BuildReport:
    """Add the records of ``data``, replacing any with the same No.

    Like a build, the change is made in a new generation (sharing the
    unchanged files with the live one) and swapped in atomically.
    """
    started = time.perf_counter()
    loaded = _load(Path(data), encoding)
    _open_for_change(index_dir)  # fail early, before waiting for the lock
    root = _root(index_dir)
    with storage.write_lock(root, lock_timeout):
        root, live, manifest = _open_for_change(index_dir)  # read under the lock
        gen = storage.copy_generation(live, root)
        with _discarded_on_error(root, gen):
            ix = whoosh_index.open_dir(str(gen))
            nos_before = _nos(ix)
            new_nos = {r.no for r in loaded.records}
            update_records(ix, loaded.records, progress)
            indexed = _verified_count(ix, len(nos_before | new_nos))
            replaced = len(nos_before & new_nos)
            history = [*manifest.get("history", []),
                       {**_event("update", loaded, len(loaded.records)),
                        "added": len(new_nos) - replaced, "replaced": replaced}]
            write_manifest(gen, index_settings(), manifest.get("data"), indexed,
                           time.perf_counter() - started, history)
        _publish(root, gen)
    return BuildReport(str(root), gen.name, loaded.rows_read, indexed,
                       time.perf_counter() - started, loaded.format, loaded.encoding,
                       added=len(new_nos) - replaced, replaced=replaced)


def delete_records(nos: Iterable[int], index_dir: str | Path | None = None, *,
                   lock_timeout: float = 30.0) -> BuildReport:
    """Remove the records with these numbers. Every number must exist;
    otherwise nothing is removed."""
    started = time.perf_counter()
    wanted = check_nos(nos)
    _open_for_change(index_dir)
    root = _root(index_dir)
    with storage.write_lock(root, lock_timeout):
        root, live, manifest = _open_for_change(index_dir)
        nos_before = _nos(whoosh_index.open_dir(str(live)))
        missing = sorted(wanted - nos_before)
        if missing:
            raise NotFoundError(f"no record with No {', '.join(map(str, missing))}; "
                                "nothing deleted", "see the numbers with: sagashi search QUERY")
        gen = storage.copy_generation(live, root)
        with _discarded_on_error(root, gen):
            ix = whoosh_index.open_dir(str(gen))
            with ix.writer(compound=COMPOUND) as writer:
                for no in sorted(wanted):
                    writer.delete_by_term("no", str(no))
            indexed = _verified_count(ix, len(nos_before - wanted))
            history = [*manifest.get("history", []),
                       {"action": "delete", "nos": sorted(wanted), "at": utc_now()}]
            write_manifest(gen, index_settings(), manifest.get("data"), indexed,
                           time.perf_counter() - started, history)
        _publish(root, gen)
    return BuildReport(str(root), gen.name, 0, indexed, time.perf_counter() - started,
                       removed=len(wanted))


def index_stats(index_dir: str | Path | None = None) -> IndexStats:
    """Facts about the live index: counts, settings, data checksum, size."""
    root, live, manifest = _open_for_change(index_dir)
    ix = whoosh_index.open_dir(str(live))
    return IndexStats(
        index_dir=str(root), generation=live.name, records=ix.doc_count(),
        fields=tuple(ix.schema.names()), built_at=manifest.get("built_at", ""),
        build_seconds=manifest.get("build_seconds", 0.0), data=manifest.get("data") or {},
        schema_version=manifest.get("schema_version", 0), analyzer=manifest.get("analyzer", {}),
        sudachipy=manifest.get("sudachipy", ""), dictionary=manifest.get("dictionary", {}),
        sagashi_version=manifest.get("sagashi_version", ""),
        size_bytes=storage.size_on_disk(live), history=tuple(manifest.get("history", [])))


def _write_all(ix, records: tuple[Record, ...], progress: Progress | None,
               procs: int | None) -> None:
    """Write a whole data file's records into the empty index ``ix``: in
    several processes when there are enough records to pay for them."""
    procs = default_procs(len(records), procs)
    if procs > 1:
        write_parallel(ix, records, procs, progress)
    else:
        write_serial(ix, records, progress)


def _load(path: Path, encoding: str | None) -> DataFile:
    loaded = load_records(path, encoding)
    if not loaded.records:
        raise DataError("the file holds a header but no records; nothing was changed",
                        loaded.path, hint="to remove records use: sagashi index delete NO...")
    return loaded


@contextmanager
def _discarded_on_error(root: Path, gen: Path):
    """Remove the unpublished generation ``gen`` if building it fails."""
    try:
        yield
    except BaseException:
        storage.discard(root, gen)
        raise


def _publish(root: Path, gen: Path) -> None:
    storage.publish(root, gen)
    storage.collect_garbage(root)


def _root(index_dir) -> Path:
    return Path(index_dir) if index_dir is not None else default_index_dir()


def _open_for_change(index_dir) -> tuple[Path, Path, dict]:
    root = _root(index_dir)
    live, manifest = live_generation(root)
    return root, live, manifest


def _verified_count(ix, expected: int) -> int:
    """Reopen the written index and check that no record went missing."""
    with ix.refresh().searcher() as searcher:
        count = searcher.doc_count()
    if count != expected:
        raise DataError(f"indexed {count} records where {expected} were expected; "
                        "the new index was not used")
    return count


def _nos(ix) -> set[int]:
    with ix.searcher() as searcher:
        return {int(fields["no"]) for fields in searcher.all_stored_fields()}


def _event(action: str, loaded: DataFile, count: int) -> dict:
    return {"action": action, "path": str(Path(loaded.path).resolve()), "sha256": loaded.sha256,
            "records": count, "at": utc_now()}
