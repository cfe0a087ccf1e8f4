"""The queries the scoring tests run: the probe set plus queries of every
syntax, an interpreter over a searcher's index (as the engine's), and the
check that sagashi's scoring equals Whoosh's own on every Whoosh query
ranking runs for them."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq

from sagashi.analysis import SudachiAnalysis
from sagashi.domain.fields import DEFAULT_FIELDS
from sagashi.domain.lexicon import load_lexicon
from sagashi.index.searcher import open_searcher
from sagashi.index.storage import current_generation
from sagashi.query.interpret import Interpreter
from sagashi.query.plan import make_plan
from sagashi.query.syntax import parse
from sagashi.whoosh_ext import bulk

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


def whoosh_queries(searcher) -> list[wq.Query]:
    """Every Whoosh query ranking runs for the test queries."""
    out = []
    understand = interpreter(searcher)
    for text in queries():
        plan = make_plan(parse(text), understand, searcher.reader())
        if plan.empty:
            continue
        if plan.strict is not None:
            out.append(plan.strict)
        elif len(plan.clauses) > 1:
            out.append(wq.And([c.query for c in plan.clauses]))
        out += [c.query for c in plan.clauses]
        out += [q for q in (plan.name, plan.boost) if q is not None]
    return out


def whoosh_scores(searcher, q: wq.Query) -> dict[int, float]:
    return {h.docnum: h.score for h in searcher.search(q, limit=None, optimize=False)}


def assert_same(searcher, q: wq.Query, among: set[int] | None = None) -> None:
    expected = whoosh_scores(searcher, q)
    if among is not None:
        expected = {d: s for d, s in expected.items() if d in among}
    got = bulk.score_all(searcher, q, among)
    assert set(got) == set(expected), q
    for d, s in expected.items():
        assert got[d] == pytest.approx(s, rel=1e-9, abs=1e-12), (q, d)


def check_all(index_dir: Path) -> int:
    _, searcher = open_searcher(current_generation(index_dir))
    with searcher:
        qs = whoosh_queries(searcher)
        for q in qs:
            assert_same(searcher, q)
            assert_same(searcher, q, set(range(0, searcher.doc_count_all(), 3)))
    return len(qs)
