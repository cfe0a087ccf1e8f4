"""SudachiPy morphological analysis, as plain multi-granularity units.

This is the only module that imports ``sudachipy``. :class:`SudachiAnalysis`
holds configuration only; the Sudachi dictionary is loaded once per process
and a tokenizer is created per thread (they are not thread-safe), so the
object pickles and is safe to share.

Each C unit (Sudachi's longest segmentation, e.g. 東京都新宿区) is yielded
together with its A units (東京 / 都 / 新宿 / 区). Positions count A units, so
a phrase written as A units matches inside a compound, and the C unit sits at
the position of its first A unit. Stopped units (particles, auxiliary verbs,
symbols, whitespace) consume no position.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from typing import Literal, NamedTuple

from .chars import clean, fold

#: Parts of speech (first level) that carry no content.
STOP_POS = ("助詞", "助動詞", "補助記号", "記号", "空白")
#: Sudachi refuses more than 49,149 bytes; 4,096 characters is at most 16 KB.
CHUNK_CHARS = 4096
_BREAK = re.compile(r"[。．！？!?\n]|\s")


#: ``C``: a compound that also yields its parts; ``A``: such a part; ``CA``:
#: a unit with no finer split.
Level = Literal["C", "A", "CA"]


class Unit(NamedTuple):
    """One analysed unit of text.

    ``text`` is the index term: Sudachi's normalized form, width and case
    folded. ``start``/``end`` are offsets into the original text. ``level`` is
    ``"C"`` for a compound that also yields parts, ``"A"`` for such a part and
    ``"CA"`` for a unit that has no finer split.
    """

    surface: str
    text: str
    reading: str
    pos: tuple[str, ...]
    start: int
    end: int
    level: Level
    position: int
    synonyms: tuple[int, ...]
    stopped: bool


_dictionaries: dict = {}
_local = threading.local()
_dict_lock = threading.Lock()


def dictionary_version(dict_name: str = "core") -> str:
    """The installed SudachiDict package version (part of the index manifest).

    Read from the name of the package's ``.dist-info`` folder beside it when
    there is one: ``importlib.metadata`` scans every installed distribution
    the first time, a sixth of a cold search here.
    """
    found = _versions.get(dict_name)
    if found is None:
        found = _versions[dict_name] = _dist_info_version(f"sudachidict_{dict_name}") \
            or _metadata_version(f"sudachidict-{dict_name}")
    return found


_versions: dict[str, str] = {}


def _dist_info_version(package: str) -> str | None:
    """The version in the name of ``package``'s one ``.dist-info`` folder, or None."""
    import importlib.util
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(os.path.dirname(os.path.abspath(spec.origin or
                                                           spec.submodule_search_locations[0])))
    try:
        infos = [n for n in os.listdir(site)
                 if n.startswith(package + "-") and n.endswith(".dist-info")]
    except OSError:
        return None
    if len(infos) != 1:
        return None
    return infos[0][len(package) + 1:-len(".dist-info")] or None


def _metadata_version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def sudachipy_version() -> str:
    import sudachipy
    return sudachipy.__version__


def _tokenizer(dict_name: str):
    """This thread's C-mode tokenizer (recreated after a fork)."""
    key = (dict_name, os.getpid())
    cache = getattr(_local, "tokenizers", None)
    if cache is None:
        cache = _local.tokenizers = {}
    tok = cache.get(key)
    if tok is None:
        from sudachipy import Dictionary, SplitMode
        with _dict_lock:
            dic = _dictionaries.get(key)
            if dic is None:
                dic = _dictionaries[key] = Dictionary(dict=dict_name)
        tok = cache[key] = dic.tokenizer(SplitMode.C)
    return tok


def _split_mode_a():
    from sudachipy import SplitMode
    return SplitMode.A


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split ``text`` into (offset, piece) pieces of at most ``size`` characters,
    at a line, sentence or space boundary where there is one."""
    start, n = 0, len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            cut = None
            for m in _BREAK.finditer(text, start + size // 2, end):
                cut = m.end()
            end = cut or end
        yield start, text[start:end]
        start = end


class SudachiAnalysis:
    """Configuration of the analysis, and the function that applies it.

    >>> [u.text for u in SudachiAnalysis().units("東京都新宿区で働ける") if not u.stopped]
    ['東京都新宿区', '東京', '都', '新宿', '区', '働く']
    """

    def __init__(self, dict_name: str = "core", stop_pos: tuple = STOP_POS,
                 split_compounds: bool = True) -> None:
        self.dict_name = dict_name
        self.stop_pos = tuple(stop_pos)
        self.split_compounds = split_compounds

    def settings(self) -> dict:
        """What changes the index terms; recorded in the index manifest."""
        return {"dict": self.dict_name, "mode": "C+A" if self.split_compounds else "C",
                "stop_pos": list(self.stop_pos), "form": "normalized+fold"}

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.settings() == self.settings()

    def __hash__(self) -> int:
        return hash(repr(self.settings()))

    def __repr__(self) -> str:
        return f"SudachiAnalysis({self.settings()!r})"

    def units(self, text: str) -> list[Unit]:
        """All units of ``text``, in order, stopped ones included and marked."""
        text = clean(text)
        out: list[Unit] = []
        position = 0
        for offset, piece in chunks(text):
            position = self._analyse(piece, offset, position, out)
        return out

    def _analyse(self, piece: str, offset: int, position: int, out: list) -> int:
        tok = _tokenizer(self.dict_name)
        mode_a = _split_mode_a()
        stop_pos = self.stop_pos
        for m in tok.tokenize(piece):
            pos = m.part_of_speech()
            start, end = m.begin() + offset, m.end() + offset
            if pos[0] in stop_pos:
                out.append(Unit(m.surface(), fold(m.normalized_form()), m.reading_form(), pos,
                                start, end, "CA", position, (), True))
                continue
            parts = m.split(mode_a) if self.split_compounds else ()
            level: Level = "C" if len(parts) > 1 else "CA"
            out.append(Unit(m.surface(), fold(m.normalized_form()), m.reading_form(), pos,
                            start, end, level, position, tuple(m.synonym_group_ids()), False))
            if level == "CA":
                position += 1
                continue
            for a in parts:
                a_pos = a.part_of_speech()
                if a_pos[0] not in stop_pos:
                    out.append(Unit(a.surface(), fold(a.normalized_form()), a.reading_form(),
                                    a_pos, a.begin() + offset, a.end() + offset, "A",
                                    position, tuple(a.synonym_group_ids()), False))
                position += 1
        return position
