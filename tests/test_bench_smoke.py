"""The benchmark scripts keep working: a tiny run (N = 200) of
scripts/make_corpus.py and scripts/bench.py --smoke. Nothing is timed here;
the figures are the scripts' business. Needs no network and no benchmark-only
package (the bigram peer reports itself as not installed)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

from .conftest import REPO

SCRIPTS = REPO / "scripts"
HEADER = ["No", "法人格", "申請団体名", "所在地", "事業名", "概要"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def tables(markdown: str) -> dict[str, list[list[str]]]:
    """Each ``### heading`` of the report with the rows of its table (the
    header row first, the separator row left out)."""
    out: dict[str, list[list[str]]] = {}
    heading = None
    for line in markdown.splitlines():
        if line.startswith("### "):
            heading = line[4:]
            out[heading] = []
        elif line.startswith("|") and heading is not None:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                out[heading].append(cells)
    return out


def load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPTS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_corpus_is_deterministic_for_a_seed(tmp_path):
    make_corpus = load_make_corpus()
    paths = [tmp_path / name for name in ("a.tsv", "b.tsv", "c.tsv")]
    for path, seed in zip(paths, (7, 7, 8)):
        assert make_corpus.main(["40", "--output", str(path), "--seed", str(seed)]) == 0
    a, b, c = (p.read_bytes() for p in paths)
    assert a == b and a != c


def test_corpus_and_bench_smoke(tmp_path):
    corpus = tmp_path / "corpus.tsv"
    made = run(str(SCRIPTS / "make_corpus.py"), "200", "--output", str(corpus), "--seed", "3")
    assert made.returncode == 0, made.stderr
    lines = corpus.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == HEADER
    assert len(lines) == 201
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 6 and all(r) for r in rows)
    assert [int(r[0]) for r in rows] == list(range(1, 201))
    assert len({r[4] for r in rows}) > 190  # titles vary

    bench = run(str(SCRIPTS / "bench.py"), "--smoke", "--corpus", str(corpus),
                "--workdir", str(tmp_path / "work"))
    assert bench.returncode == 0, bench.stderr
    assert bench.stdout.startswith("Machine: ")
    found = tables(bench.stdout)
    build = found["Build"]
    assert build[0][:3] == ["records", "build (s)", "records/s"]
    assert [row[0] for row in build[1:]] == ["200"]
    assert all(len(row) == len(build[0]) for row in build)
    warm = next(rows for name, rows in found.items() if name.startswith("Warm queries"))
    assert warm[0][:5] == ["records", "measured", "p50", "p95", "p99"]
    assert warm[1][0] == "200" and float(warm[1][2].replace(",", "")) > 0
    peers = next(rows for name, rows in found.items() if name.startswith("Peers"))
    systems = [row[1] for row in peers[1:]]
    assert systems[0] == "sagashi" and "SQLite FTS5 trigram" in systems
    assert any(s.startswith("bigram BM25") for s in systems)
    cold = next(rows for name, rows in found.items() if name.startswith("Cold CLI"))
    assert cold[1][0].startswith("floor") and any("sagashi --help" in r[0] for r in cold)
    targets = found["Targets"]
    assert targets[0] == ["target", "measured", "met"] and len(targets) > 4
    assert not list((tmp_path / "work").glob("index-*"))  # big files cleaned up
