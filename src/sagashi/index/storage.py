"""The on-disk layout of an index folder, and the rules that keep it safe.

::

    index/
      sagashi-index.json    marker: this folder was created by sagashi
      CURRENT               the name of the live generation, swapped atomically
      write.lock            held (flock) by the one writer at a time
      gen-.../              one complete Whoosh index + manifest.json each

Every change (build, update, delete) writes a new generation beside the live
one, finishes it, writes its manifest, and only then replaces ``CURRENT`` with
``os.replace``. Readers resolve ``CURRENT`` when they open, so they see the
complete old index or the complete new one, never a half-built one. A process
killed at any moment leaves at worst an unused generation folder, removed by
the next writer. Old generations are renamed to ``trash-...`` before they are
deleted, so a half-deleted one never looks like an index. The lock is an
``flock``: the kernel releases it when its holder dies, so a crash leaves no
stale lock (the file stays, holding the pid of its last holder).

Whoosh unpickles objects stored in an index, so opening one from an untrusted
source could run code. :func:`check_trusted` refuses folders without the
marker, and folders others can write to, before anything is unpickled.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexLockedError, IndexMissingError, IndexUntrustedError
from ..files import fsync, write_atomic, write_json_atomic

MARKER = "sagashi-index.json"
CURRENT = "CURRENT"
LOCK = "write.lock"
MANIFEST = "manifest.json"
FORMAT = "sagashi-index"
TRASH = "trash-"
_GENERATION = re.compile(r"^gen-[0-9A-Za-z_.-]+$")
#: Files a folder may already hold when sagashi adopts it as an index folder
#: (and the marker's temporary file, left by a first build killed early).
_ADOPTABLE = {"README.md", ".gitkeep"}
#: Whoosh's own lock file: per folder, never shared between generations.
_WHOOSH_LOCK = "MAIN_WRITELOCK"
#: Old generations kept for readers that resolved CURRENT a moment ago: the
#: newest few, and any that was live less than GRACE_SECONDS ago (a burst of
#: quick updates must not delete a generation a reader is just opening).
KEEP_OLD = 2
GRACE_SECONDS = 10.0
DIR_MODE = 0o755


def _reindex_hint(root: Path) -> str:
    return f"build it with: sagashi index build --index {root}"


def create_root(root: Path) -> Path:
    """Create (or adopt) an index folder and mark it as sagashi's."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise IndexUntrustedError(f"{root} exists and is not a folder",
                                  "choose another --index path")
    if (root / MARKER).is_file():
        check_trusted(root)
        return root
    if root.is_dir():
        strangers = [p.name for p in root.iterdir() if p.name not in _ADOPTABLE
                     and not (p.name.startswith(MARKER) and p.name.endswith(".tmp"))]
        if strangers:
            raise IndexUntrustedError(
                f"{root} is not empty and was not created by sagashi (it holds {strangers[0]})",
                "choose an empty or new folder for --index")
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(root, DIR_MODE)
    write_json_atomic(root / MARKER, {"format": FORMAT, "layout": 1})
    return root


def check_reachable(root: Path) -> None:
    """Refuse an index folder that is a file or cannot be read, with a clear
    message, before anything opens it (a missing one is reported when it is
    opened, or built)."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        return
    except OSError as e:
        raise IndexMissingError(f"cannot reach the index folder {root} ({e.strerror})",
                                "check the path and the permissions of the folders above it") \
            from None
    if not stat.S_ISDIR(st.st_mode):
        raise IndexMissingError(f"{root} is a file, not an index folder",
                                "pass the folder an index was built into")
    if not os.access(root, os.R_OK | os.X_OK):
        raise IndexMissingError(f"cannot read the index folder {root} (permission denied)",
                                f"check its permissions: ls -ld {root}")


def check_trusted(root: Path) -> None:
    """Refuse a folder sagashi did not create, or one others could have written.

    Runs before anything in the folder is unpickled.
    """
    root = Path(root)
    if not root.is_dir():
        raise IndexMissingError(f"no index at {root}", _reindex_hint(root))
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except PermissionError:
        raise _unreadable(root / MARKER) from None
    except (OSError, ValueError):
        marker = None
    if not isinstance(marker, dict) or marker.get("format") != FORMAT:
        if not (root / CURRENT).exists() and not any(root.glob("*.toc")):
            raise IndexMissingError(f"no index at {root}", _reindex_hint(root))
        raise IndexUntrustedError(
            f"{root} was not created by sagashi; refusing to open it (an index can run code)",
            "rebuild it yourself with: sagashi index build --index DIR")
    _check_mode(root)


def _check_mode(path: Path) -> None:
    st = path.stat()
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise IndexUntrustedError(f"{path} is writable by other users; refusing to open it",
                                  f"fix it with: chmod go-w {path}")
    if hasattr(os, "getuid") and st.st_uid not in (os.getuid(), 0):
        raise IndexUntrustedError(f"{path} belongs to another user; refusing to open it",
                                  "build your own index with: sagashi index build --index DIR")


def _unreadable(path: Path) -> IndexMissingError:
    return IndexMissingError(f"cannot read {path} (permission denied)",
                             "check the index folder's permissions, or build your own index "
                             "with: sagashi index build --index DIR")


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when there is none yet. Every file
    in it is checked like the folders (owner, no group/world write) before
    anything is unpickled from it."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except PermissionError:
        raise _unreadable(Path(root) / CURRENT) from None
    if not _GENERATION.match(name):
        raise IndexUntrustedError(f"{root}/{CURRENT} names {name[:40]!r}, not a generation",
                                  _reindex_hint(root))
    gen = Path(root) / name
    if not gen.is_dir():
        return None
    _check_mode(gen)
    try:
        for item in gen.iterdir():
            _check_mode(item)
            if item.is_file() and not os.access(item, os.R_OK):
                raise _unreadable(item)
    except FileNotFoundError:
        return None  # collected while we looked: the caller looks again
    except PermissionError:
        raise _unreadable(gen) from None
    return gen


def new_generation(root: Path) -> Path:
    """A new, empty generation folder (call with the write lock held)."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    name = f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
    gen = Path(root) / name
    gen.mkdir(mode=DIR_MODE)
    os.chmod(gen, DIR_MODE)
    return gen


def copy_generation(source: Path, root: Path) -> Path:
    """A new generation holding a copy of ``source``, by hard links where the
    file system allows.

    Sharing files is safe because Whoosh never rewrites a file in place: a
    commit writes new segment and TOC files and records deletions in the
    TOC. The lock file and the manifest are not shared (the manifest is
    rewritten anyway, and replacing a hard link leaves the source's copy alone).
    """
    gen = new_generation(root)
    for item in source.iterdir():
        if not item.is_file() or item.name in (_WHOOSH_LOCK, MANIFEST) \
                or item.name.endswith(".tmp"):
            continue
        try:
            os.link(item, gen / item.name)
        except OSError:
            shutil.copy2(item, gen / item.name)
    return gen


def publish(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation, atomically.

    Its files are flushed to disk first, so even a power cut cannot leave
    ``CURRENT`` naming a generation whose data never reached the disk.
    """
    for item in gen.iterdir():
        _drop_shared_write(item)  # whatever the umask: nobody else may write here
        if item.is_file():
            fsync(item)
    fsync(gen)
    write_atomic(Path(root) / CURRENT, gen.name + "\n")


def is_complete(gen: Path) -> bool:
    """True when ``gen`` was finished: its manifest is written last, just
    before it is published."""
    return (Path(gen) / MANIFEST).is_file()


def collect_garbage(root: Path, keep: int = KEEP_OLD, grace: float | None = None) -> list[str]:
    """Remove unused generations (call with the write lock held); returns
    the names removed.

    Unfinished generations (no manifest: a writer died while building) were
    never live, so no reader can be using them: they go at once. Finished
    old ones stay while they are among the ``keep`` newest or were replaced
    less than ``grace`` seconds ago (default :data:`GRACE_SECONDS`), for
    readers that resolved ``CURRENT`` a moment before it changed. Each is
    renamed to ``trash-...`` first, so a crash halfway through deleting
    leaves nothing that looks like a generation; leftover trash goes too.
    """
    root = Path(root)
    grace = GRACE_SECONDS if grace is None else grace
    live = current_generation(root)
    finished: list[Path] = []
    doomed: list[Path] = []
    for p in root.iterdir():
        if p.is_dir() and _GENERATION.match(p.name) and p != live:
            (finished if is_complete(p) else doomed).append(p)
    finished.sort(key=_mtime, reverse=True)
    now = time.time()
    replaced_at = _mtime(live) if live is not None else now  # when the next newer one came
    for rank, gen in enumerate(finished):
        if rank >= keep and now - replaced_at >= grace:
            doomed.append(gen)
        replaced_at = _mtime(gen)
    removed = [gen.name for gen in doomed if discard(root, gen)]
    for trash in root.glob(f"{TRASH}*"):
        shutil.rmtree(trash, ignore_errors=True)
    for tmp in root.glob(f"{CURRENT}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def discard(root: Path, gen: Path) -> bool:
    """Delete a generation that is not live: rename it to ``trash-...`` (one
    atomic step), then remove it. False when it could not be renamed."""
    trash = Path(root) / f"{TRASH}{gen.name}"
    try:
        os.replace(gen, trash)
    except OSError:
        return False
    shutil.rmtree(trash, ignore_errors=True)
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _drop_shared_write(path: Path) -> None:
    mode = path.lstat().st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH) and not path.is_symlink():
        os.chmod(path, stat.S_IMODE(mode) & ~(stat.S_IWGRP | stat.S_IWOTH))


@contextmanager
def write_lock(root: Path, timeout: float = 30.0):
    """Hold the index's write lock, waiting up to ``timeout`` seconds for it."""
    path = Path(root) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, path: Path, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: single-writer not enforced
        return
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text(encoding="utf-8", errors="replace").strip() or "?"
                raise IndexLockedError(
                    f"another process (pid {holder}) is writing the index at {path.parent}; "
                    f"gave up waiting after {timeout:g} s; nothing was changed",
                    "try again when it has finished, or wait longer with --wait SECONDS"
                    ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
