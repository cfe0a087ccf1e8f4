"""The queries the scoring tests run: the probe set plus queries of every
syntax, and an interpreter over a searcher's index (as the engine's)."""

from __future__ import annotations

from sagashi.analysis import SudachiAnalysis
from sagashi.domain.fields import DEFAULT_FIELDS
from sagashi.domain.lexicon import load_lexicon
from sagashi.query.interpret import Interpreter

from .conftest import REPO

PROBES = REPO / "tests" / "relevance" / "probe_queries.tsv"
EXTRA = [
    "日本語教室", '"日本語 教室"', "外国人 -難民", "外国人 NOT 東京", "(子ども OR 女性) 相談",
    "所在地:大阪", "title:支援", "pref:東京都", "entity:特非", "ネット*", "相談 AND 医療",
    "こうべ", "kumamoto", "refugee women", "在留資格のない外国人の医療",
]


def queries() -> list[str]:
    rows = PROBES.read_text(encoding="utf-8").splitlines()
    col = rows[0].split("\t").index("query")
    return [r.split("\t")[col] for r in rows[1:] if r.strip()] + EXTRA


def interpreter(searcher) -> Interpreter:
    """An interpreter that looks words up in ``searcher``'s index, as the
    engine's does."""
    reader = searcher.reader()
    analysis = SudachiAnalysis()
    return Interpreter(analysis, load_lexicon(analysis),
                       lambda term: any(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS))
