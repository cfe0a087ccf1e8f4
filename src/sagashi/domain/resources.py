"""Where sagashi's bundled files live, and reading its small reference tables.

The reference tables (places, legal entity types, synonyms, glossary) and the
bundled corpus live in the repository's ``data/`` folder. An installed wheel
carries a copy as ``sagashi/_data``; an editable install reads ``data/``
directly.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from ..errors import DataError

_PACKAGE = Path(__file__).resolve().parents[1]  # the sagashi package
_REPO = _PACKAGE.parents[1]


def data_dir() -> Path:
    """The folder that holds the bundled data and reference tables."""
    for candidate in (_PACKAGE / "_data", _REPO / "data"):
        if (candidate / "projects.tsv").is_file():
            return candidate
    raise DataError("sagashi's bundled data folder is missing",
                    hint="reinstall sagashi (pip install -e . from the repository)")


def default_data_path() -> Path:
    """The data a new default index is built from: ``SAGASHI_DATA`` if set,
    else the bundled corpus. An index built from another file is never
    rebuilt from it (see :class:`sagashi.Engine`)."""
    return data_override() or bundled_data_path()


def bundled_data_path() -> Path:
    """The bundled corpus, data/projects.tsv."""
    return data_dir() / "projects.tsv"


def data_override() -> Path | None:
    """The data file ``SAGASHI_DATA`` names, if it is set."""
    env = os.environ.get("SAGASHI_DATA")
    return Path(env) if env else None


def default_index_dir() -> Path:
    """The default index folder: ``SAGASHI_INDEX`` if set, else the
    repository's ``index/`` for a source checkout, else a per-user cache."""
    env = os.environ.get("SAGASHI_INDEX")
    if env:
        return Path(env)
    if (_REPO / "pyproject.toml").is_file() and (_REPO / "index").is_dir():
        return _REPO / "index"
    return cache_dir() / "index"


def cache_dir() -> Path:
    """sagashi's per-user cache folder (``SAGASHI_CACHE``, else under
    ``XDG_CACHE_HOME`` or ``~/.cache``). Nothing in it is needed: it only
    saves work."""
    env = os.environ.get("SAGASHI_CACHE")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "sagashi"


def data_lines(path: Path, what: str) -> list[tuple[int, str]]:
    """The lines of a bundled table that hold data, with their line numbers:
    blank lines and comments (``#`` first) left out. A file that cannot be
    read is a :class:`DataError` that says ``what`` it is."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise DataError(f"cannot read {what} ({e.strerror})", str(path)) from None
    return [(n, line) for n, line in enumerate(lines, 1)
            if line.strip() and not line.startswith("#")]


@cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled TSV table as dicts keyed by its header (see
    :func:`data_lines` for the lines read)."""
    path = data_dir() / name
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for n, line in data_lines(path, "reference table"):
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = cells
            continue
        if len(cells) != len(header):
            raise DataError(f"{len(cells)} cells where the header has {len(header)}",
                            str(path), n)
        rows.append(dict(zip(header, cells)))
    return tuple(rows)


def split_list(cell: str) -> list[str]:
    """A comma-separated cell as a list; ``-`` or empty means none."""
    return [] if cell in ("", "-") else [p.strip() for p in cell.split(",") if p.strip()]


def tables_checksum(names: tuple[str, ...]) -> str:
    """One SHA-256 over the named tables, for the index manifest."""
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode())
        h.update((data_dir() / name).read_bytes())
    return h.hexdigest()
