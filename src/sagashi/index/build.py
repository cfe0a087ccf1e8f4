"""Building and changing an index: build, update, delete, stats.

Every change goes through :mod:`sagashi.storage`: validate the input first
(a bad file writes nothing), take the write lock, write a new generation,
verify that it holds every record, write its manifest, then swap it in
atomically and clean up. A failure before the swap removes the new
generation; the live one is never touched.
"""

from __future__ import annotations

import dataclasses
import shlex
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from ..domain import resources
from ..domain.columns import Column, parse_mapping, profile
from ..domain.records import DataFile, Record, load_records
from ..errors import DataError, NotFoundError, UsageError
from ..files import utc_now
from ..validate import check_nos
from . import storage
from .manifest import (
    built_from_bundled,
    columns_of,
    data_record,
    index_settings,
    live_generation,
    rebuild_command,
    rebuild_options,
    remembered_data,
    write_manifest,
)
from .parallel import write_parallel
from .schema import make_schema
from .writer import Progress, default_procs, delete_nos, optimize, update_records, write_serial


@dataclass(frozen=True)
class BuildReport:
    """What a build, update or delete did.

    ``records_read`` counts the records of the data file, ``records_indexed``
    those the new index holds (after a build the two are equal, or the build
    fails); an update says how many it ``added`` and ``replaced``. ``notes``
    are worth telling the user once: a role no column fills, records
    numbered by row for want of an id column.
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
    data_path: str = ""
    sheet: str | None = None
    notes: tuple[str, ...] = ()


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
    columns: tuple[Column, ...] = ()
    segments: int = 0
    codec: dict | None = None


def build_index(data: str | Path | None = None, index_dir: str | Path | None = None, *,
                encoding: str | None = None, columns: str | Mapping[str, str] | None = None,
                sheet: str | None = None, procs: int | None = None,
                progress: Progress | None = None, lock_timeout: float = 30.0) -> BuildReport:
    """Build a complete index of ``data`` into ``index_dir`` and swap it in.

    ``index_dir`` defaults to the default index folder (``SAGASHI_INDEX`` if
    set). Without ``data``, an existing index is rebuilt from the file it
    remembers, read as it was read (its encoding, columns and sheet, unless
    given here), and a new one from the bundled data. ``columns`` maps
    headers to roles (``{"事業の説明": "summary"}``); ``sheet`` names the sheet
    of an Excel workbook. The data is validated before anything is written;
    readers keep using the old index until the new one is complete. Waits
    up to ``lock_timeout`` seconds for another writer, then raises
    :class:`IndexLockedError`.
    """
    started = time.perf_counter()
    root_path = _root(index_dir)
    data_path, options, bundled = _source(data, root_path, encoding, columns, sheet)
    loaded = _load(data_path, **options)
    root = storage.create_root(root_path)
    settings = index_settings()
    kept = profile(loaded.extra, (r.extra for r in loaded.records))
    # the writers take the records (and let go of each share as it is handed on)
    records, count = list(loaded.records), len(loaded.records)
    loaded = dataclasses.replace(loaded, records=())
    with storage.write_lock(root, lock_timeout):
        gen = storage.new_generation(root)
        with _discarded_on_error(root, gen):
            ix = whoosh_index.create_in(str(gen), make_schema())
            _write_all(ix, records, progress, procs)
            indexed = _verified_count(ix, count)
            seconds = time.perf_counter() - started
            write_manifest(gen, settings, data_record(data_path, loaded, options, bundled),
                           indexed, seconds, [_event("build", loaded, indexed)], kept)
        _publish(root, gen)
    return BuildReport(str(root), gen.name, loaded.rows_read, indexed, seconds,
                       loaded.format, loaded.encoding, added=indexed, data_path=loaded.path,
                       sheet=loaded.sheet, notes=loaded.notes)


def update_index(data: str | Path, index_dir: str | Path | None = None, *,
                 encoding: str | None = None, columns: str | Mapping[str, str] | None = None,
                 sheet: str | None = None, progress: Progress | None = None,
                 lock_timeout: float = 30.0) -> BuildReport:
    """Add the records of ``data``, replacing any with the same id (No).

    Columns are read with the mapping the index was built with, and
    ``columns`` on top. Both the index and the file need an id column (an
    index whose records were numbered by row cannot be updated). Like a
    build, the change is made in a new generation (sharing the unchanged
    files with the live one) and swapped in atomically.
    """
    started = time.perf_counter()
    root, _, manifest = _open_for_change(index_dir)  # fail early, before reading the file
    _needs_ids(root, manifest, "update")
    loaded = _load(Path(data), encoding=encoding, columns=columns, sheet=sheet,
                   known_columns=rebuild_options(manifest.get("data")).get("columns"))
    if loaded.numbered_by_row:
        raise DataError("the file has no id column, so its records cannot replace those of "
                        "the index by id; nothing was changed", loaded.path,
                        hint="add an id column (番号, No or ID), or name one with --columns "
                             "'HEADER=id'")
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
                           time.perf_counter() - started, history,
                           _kept_columns(ix, columns_of(manifest), loaded.extra))
        _publish(root, gen)
    return BuildReport(str(root), gen.name, loaded.rows_read, indexed,
                       time.perf_counter() - started, loaded.format, loaded.encoding,
                       added=len(new_nos) - replaced, replaced=replaced,
                       data_path=loaded.path, sheet=loaded.sheet,
                       notes=tuple(n for n in loaded.notes if not n.startswith("no column")))


def delete_records(nos: Iterable[int], index_dir: str | Path | None = None, *,
                   lock_timeout: float = 30.0) -> BuildReport:
    """Remove the records with these numbers. Every number must exist;
    otherwise nothing is removed. The index needs ids from an id column (an
    index whose records were numbered by row cannot delete by number)."""
    started = time.perf_counter()
    wanted = check_nos(nos)
    root, _, manifest = _open_for_change(index_dir)
    _needs_ids(root, manifest, "delete")
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
            delete_nos(ix, wanted)
            indexed = _verified_count(ix, len(nos_before - wanted))
            history = [*manifest.get("history", []),
                       {"action": "delete", "nos": sorted(wanted), "at": utc_now()}]
            write_manifest(gen, index_settings(), manifest.get("data"), indexed,
                           time.perf_counter() - started, history,
                           _kept_columns(ix, columns_of(manifest), ()))
        _publish(root, gen)
    return BuildReport(str(root), gen.name, 0, indexed, time.perf_counter() - started,
                       removed=len(wanted))


def optimize_index(index_dir: str | Path | None = None, *,
                   lock_timeout: float = 30.0) -> BuildReport:
    """Merge every segment of the live index into one, leaving deleted
    records out. Searching one segment costs less than searching several
    (a build writes a segment per process and per 4.5 million morphemes,
    an update one more). Like every change it is made in a new generation, with numpy
    (no Python per posting), and swapped in atomically; the report's
    ``removed`` counts the segments merged away."""
    started = time.perf_counter()
    root, _, _ = _open_for_change(index_dir)
    with storage.write_lock(root, lock_timeout):
        root, live, manifest = _open_for_change(index_dir)
        gen = storage.copy_generation(live, root)
        with _discarded_on_error(root, gen):
            ix = whoosh_index.open_dir(str(gen))
            before = _segment_count(ix)
            records = ix.doc_count()
            optimize(ix)
            indexed = _verified_count(ix, records)
            history = [*manifest.get("history", []),
                       {"action": "optimize", "segments": before, "at": utc_now()}]
            write_manifest(gen, index_settings(), manifest.get("data"), indexed,
                           manifest.get("build_seconds", 0.0), history, columns_of(manifest))
        _publish(root, gen)
    return BuildReport(str(root), gen.name, 0, indexed, time.perf_counter() - started,
                       removed=max(before - 1, 0))


def _segment_count(ix) -> int:
    with ix.reader() as reader:
        return len(reader.leaf_readers())


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
        size_bytes=storage.size_on_disk(live), history=tuple(manifest.get("history", [])),
        columns=columns_of(manifest), segments=_segment_count(ix), codec=manifest.get("codec"))


def _write_all(ix, records: list[Record], progress: Progress | None,
               procs: int | None) -> None:
    """Write a whole data file's records into the empty index ``ix``: in
    several processes when there are enough records to pay for them. The
    list is emptied (see :func:`~sagashi.index.parallel.write_parallel`)."""
    procs = default_procs(len(records), procs)
    if procs > 1:
        write_parallel(ix, records, procs, progress)
    else:
        write_serial(ix, records, progress)


def _source(data: str | Path | None, root: Path, encoding: str | None, columns,
            sheet: str | None) -> tuple[Path, dict, bool]:
    """The data file a build reads, the options it reads it with, and
    whether it is the bundled corpus. Without ``data``: the file the index at
    ``root`` remembers (with its options, unless given), else the default
    data (``SAGASHI_DATA``, else the bundled corpus)."""
    options = {"encoding": encoding, "columns": parse_mapping(columns), "sheet": sheet}
    if data is not None:
        return Path(data), options, False
    remembered = remembered_data(root)
    if remembered is None:
        return resources.default_data_path(), options, resources.data_override() is None
    given = {k: v for k, v in options.items() if v}
    if built_from_bundled(remembered):
        return resources.bundled_data_path(), {**options, **rebuild_options(remembered),
                                               **given}, True
    path = Path(remembered["path"])
    if not path.is_file():
        raise DataError(f"the index at {root} was built from {path}, which is no longer "
                        "there", hint=f"name the data file: sagashi index build --data FILE "
                                      f"--index {shlex.quote(str(root))}")
    return path, {**options, **rebuild_options(remembered), **given}, False


def _needs_ids(root: Path, manifest: dict, action: str) -> None:
    """Refuse to update or delete by id in an index numbered by row."""
    data = manifest.get("data") or {}
    if data.get("numbered_by_row"):
        raise UsageError(
            f"cannot {action} records by id: the index at {root} numbers its records by row, "
            f"since {data.get('path', 'its data file')} has no id column; nothing was changed",
            "give the data an id column (番号, No or ID; or name one with --columns "
            f"'HEADER=id') and rebuild: {rebuild_command(root, data)}")


def _kept_columns(ix, before: tuple[Column, ...], added: Iterable[str]) -> tuple[Column, ...]:
    """The kept columns of a changed index, profiled again over every record
    it holds (an update may bring new columns and values)."""
    headers = [*(c.header for c in before), *added]
    with ix.refresh().searcher() as searcher:
        return profile(headers, (f.get("extra") or {} for f in searcher.all_stored_fields()))


def _load(path: Path, encoding: str | None = None, columns=None, sheet: str | None = None,
          known_columns: dict | None = None) -> DataFile:
    loaded = load_records(path, encoding, columns=columns, sheet=sheet,
                          known_columns=known_columns)
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
    return Path(index_dir) if index_dir is not None else resources.default_index_dir()


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
    event = {"action": action, "path": str(Path(loaded.path).resolve()),
             "sha256": loaded.sha256, "records": count, "at": utc_now()}
    if loaded.sheet is not None:
        event["sheet"] = loaded.sheet
    return event
