"""Small file-system helpers shared by the index and the caches: atomic
writes, tolerant JSON reads, and the timestamp format of manifests."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

FILE_MODE = 0o644


def write_atomic(path: Path, text: str, durable: bool = True) -> None:
    """Write ``text`` to ``path`` so that readers see the old content or the
    new, never a part: a temporary file beside it, renamed over it. With
    ``durable`` the data reaches the disk before the rename (an index file);
    without, a crash may lose it (a cache)."""
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "w",
                       encoding="utf-8") as f:
            f.write(text)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync(path.parent)


def write_json_atomic(path: Path, obj: dict, durable: bool = True) -> None:
    """:func:`write_atomic` of ``obj`` as indented JSON, Japanese readable."""
    write_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n", durable)


def read_json(path: Path) -> dict | None:
    """The JSON object in ``path``, or None when it is missing, unreadable,
    malformed or not an object."""
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def fsync(path: Path) -> None:
    """Flush a file or a folder to disk (best effort: some file systems refuse)."""
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


def utc_now() -> str:
    """The current time as manifests write it: ``2026-11-25T23:22:36Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
