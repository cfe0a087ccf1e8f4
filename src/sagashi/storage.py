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
the next writer. The lock is an ``flock``: the kernel releases it when its
holder dies, so a crash leaves no stale lock.

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

from .errors import IndexLockedError, IndexMissingError, IndexUntrustedError

MARKER = "sagashi-index.json"
CURRENT = "CURRENT"
LOCK = "write.lock"
MANIFEST = "manifest.json"
FORMAT = "sagashi-index"
_GENERATION = re.compile(r"^gen-[0-9A-Za-z_.-]+$")
#: Files a folder may already hold when sagashi adopts it as an index folder.
_ADOPTABLE = {"README.md", ".gitkeep"}
#: Old generations kept for readers that resolved CURRENT a moment ago.
KEEP_OLD = 2
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
        strangers = [p.name for p in root.iterdir() if p.name not in _ADOPTABLE]
        if strangers:
            raise IndexUntrustedError(
                f"{root} is not empty and was not created by sagashi (it holds {strangers[0]})",
                "choose an empty or new folder for --index")
    root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(root, DIR_MODE)
    write_json_atomic(root / MARKER, {"format": FORMAT, "layout": 1})
    return root


def check_trusted(root: Path) -> None:
    """Refuse a folder sagashi did not create, or one others could have written.

    Runs before anything in the folder is unpickled.
    """
    root = Path(root)
    if not root.is_dir():
        raise IndexMissingError(f"no index at {root}", _reindex_hint(root))
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
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


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when there is none yet."""
    try:
        name = (Path(root) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _GENERATION.match(name):
        raise IndexUntrustedError(f"{root}/{CURRENT} names {name[:40]!r}, not a generation",
                                  _reindex_hint(root))
    gen = Path(root) / name
    if not gen.is_dir():
        return None
    _check_mode(gen)
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
    file system allows (Whoosh never rewrites a file in place)."""
    gen = new_generation(root)
    for item in source.iterdir():
        if item.is_file():
            try:
                os.link(item, gen / item.name)
            except OSError:
                shutil.copy2(item, gen / item.name)
    return gen


def publish(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation, atomically."""
    tmp = Path(root) / f"{CURRENT}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, Path(root) / CURRENT)
    _fsync_dir(root)


def collect_garbage(root: Path) -> None:
    """Remove unused generations (call with the write lock held), keeping the
    newest few old ones for readers that are just opening them."""
    live = current_generation(root)
    old = sorted((p for p in Path(root).iterdir()
                  if p.is_dir() and _GENERATION.match(p.name) and p != live),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    for gen in old[KEEP_OLD:]:
        shutil.rmtree(gen, ignore_errors=True)
    for tmp in Path(root).glob(f"{CURRENT}.*.tmp"):
        tmp.unlink(missing_ok=True)


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def write_json_atomic(path: Path, obj: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> dict | None:
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
                    f"gave up after {timeout:g} s",
                    "wait for it to finish and try again") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
