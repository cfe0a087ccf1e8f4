#!/usr/bin/env python3
"""Benchmark sagashi at growing corpus sizes, beside its peers, in one run.

Usage: python scripts/bench.py [--sizes 1000,10000,100000] [--queries 200]
       [--skip-peers] [--skip-optimize] [--smoke] [--workdir DIR] [--corpus FILE]
       [--procs N]

For each size N (the first N records of one generated corpus, see
scripts/make_corpus.py) it measures, in this order and in this one run:

- the raw SudachiPy rate: one process, one C-mode tokenizer, the same five
  text fields of each record (on at most --raw-sample records);
- the build, through ``sagashi.index.build.build_index`` in a child process:
  wall time, records/s, index size and segments, and the peak memory of the
  child and its workers (the sum of their RSS, and of their PSS, which
  counts shared pages such as the Sudachi dictionary once);
- warm queries through one ``sagashi.search.Engine``: p50/p95/p99 of a fixed
  mix (the dev queries plus generated words, pairs, places, names, phrases
  and questions, in a seeded order), after an untimed warm-up; a query is
  stopped at QUERY_TIMEOUT and counted at that time, and each system has
  --query-budget seconds per size, the rest of the mix being left out (the
  tables say how many were measured);
- ``sagashi index optimize`` (``optimize_index``) in a child process, which
  merges the segments into one: wall time, peak memory, the index size
  after; then the warm queries again on the merged index;
- the peers on the same records and queries: SQLite FTS5 with the trigram
  tokenizer (stdlib sqlite3) and a character-bigram BM25 (bm25s, or
  rank_bm25; reported as not installed when neither is).

Then the cold CLI: the median wall time of ``sagashi search`` on the bundled
corpus and on the largest index (as built, not optimized), against the floor
(a bare python that imports sudachipy and whoosh.index and loads the
dictionary), and of ``sagashi --help``; sagashi's modules are compiled to
bytecode first, as an installed package's are. Last, the figures against the
targets of issue 11 (those of issue 5 on growth are kept).

Markdown tables go to stdout, progress to stderr. Times drift on a shared
machine: read the ratios, which come from one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sagashi.analysis.chars import fold, nfkc

REPO = Path(__file__).resolve().parents[1]
DEV_QUERIES = REPO.parent / "shared" / "eval" / "dev_queries.tsv"
BUNDLED = REPO / "data" / "projects.tsv"
#: The query of the cold CLI runs.
COLD_QUERY = "在留資格のない外国人"
#: A query taking longer than this is stopped and counted at this time.
QUERY_TIMEOUT = 20.0
#: Generated queries are drawn from this many first records of the corpus.
QUERY_SOURCE = 1000
#: Untimed queries run first, to warm caches.
WARMUP_QUERIES = 10
#: The targets of issue 11, for this 2-core machine: at 100,000 records (and
#: any size below 1,000,000) ...
TARGET_BUILD_RATIO, TARGET_MEMORY_MB, TARGET_P99_MS = 0.5, 1024, 25.0
#: ... the index no larger than before the array codec (MB at 100,000) ...
TARGET_INDEX_MB = 770.0
#: ... cold search against the floor: the largest index, the bundled corpus;
TARGET_COLD, TARGET_COLD_BUNDLED = 1.5, 1.3
#: at 1,000,000 records.
TARGET_MILLION_MB, TARGET_MILLION_P50_MS, TARGET_MILLION_P99_MS = 1536, 10.0, 100.0
FLOOR_CODE = ("import sudachipy, whoosh.index; from sudachipy import Dictionary; "
              "Dictionary(dict='core').tokenizer()")
BUILD_CODE = """
import json, sys, time
from sagashi.index.build import build_index
procs = int(sys.argv[3]) if sys.argv[3] != "auto" else None
started = time.perf_counter()
report = build_index(sys.argv[1], sys.argv[2], procs=procs)
print(json.dumps({"seconds": time.perf_counter() - started, "records": report.records_indexed}))
"""
OPTIMIZE_CODE = """
import json, sys, time
from sagashi.index.build import optimize_index
started = time.perf_counter()
report = optimize_index(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "merged": report.removed + 1}))
"""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- corpus and queries --------------------------------------------------------

def make_corpus(n: int, path: Path, seed: int) -> None:
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_corpus.py"), str(n),
                    "--output", str(path), "--seed", str(seed)], check=True)


def corpus_prefix(corpus: Path, n: int, out: Path) -> Path:
    """The header and the first ``n`` records of ``corpus``."""
    with open(corpus, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        dst.write(src.readline())
        for i, line in enumerate(src):
            if i == n:
                break
            dst.write(line)
        else:
            if i + 1 < n:
                raise SystemExit(f"bench: error: {corpus} holds only {i + 1} records, "
                                 f"fewer than {n}")
    return out


def dev_queries(path: Path = DEV_QUERIES) -> list[str]:
    """The query column of the dev set (split on tabs: queries hold quotes)."""
    if not path.is_file():
        log(f"no dev queries at {path}: the mix is generated queries only")
        return []
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    col = rows[0].index("query")
    return [r[col] for r in rows[1:] if len(r) > col and r[col].strip()]


def generated_queries(records, count: int, seed: int) -> list[str]:
    """Queries drawn from the records: single nouns, pairs, place names,
    organization names and question-like sentences, in a seeded order."""
    from sagashi.analysis import SudachiAnalysis
    from sagashi.domain.places import prefecture_of
    rng = random.Random(seed)
    analysis = SudachiAnalysis()

    def nouns(text: str) -> list[str]:
        return [u.surface for u in analysis.units(text)
                if not u.stopped and u.level != "A" and u.pos[:2] == ("名詞", "普通名詞")
                and len(u.surface) >= 2]

    out: list[str] = []
    kinds = ("word", "word", "pair", "pair", "place", "name", "question", "phrase")
    while len(out) < count:
        record = rng.choice(records)
        kind = kinds[len(out) % len(kinds)]
        words = nouns(record.title + "。" + record.summary)
        if kind == "word" and words:
            out.append(rng.choice(words))
        elif kind == "pair" and len(words) >= 2:
            out.append(" ".join(rng.sample(words, 2)))
        elif kind == "place":
            pref = prefecture_of(record.location)
            out.append(rng.choice([pref, record.location]) if pref else record.location)
        elif kind == "name":
            out.append(record.organization)
        elif kind == "question" and len(words) >= 2:
            a, b = rng.sample(words, 2)
            out.append(rng.choice((f"{a}の{b}を支援している団体は？",
                                   f"{a}と{b}について教えてください",
                                   f"{a}で{b}をしている団体はありますか")))
        elif kind == "phrase" and words:
            out.append(f'"{rng.choice(words)}"')
    return out


# -- measurements ----------------------------------------------------------------

@dataclass
class Build:
    seconds: float
    records: int
    size_mb: float
    rss_mb: float | None
    pss_mb: float | None
    segments: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.seconds


@dataclass
class Optimize:
    """``sagashi index optimize`` on a built index, and the warm queries after."""

    seconds: float
    merged: int
    size_mb: float
    rss_mb: float | None
    warm: Latency | None = None


@dataclass
class Latency:
    """Per-query wall times in seconds, of the first ``len(times)`` of
    ``total`` queries (the rest fell outside the time budget)."""

    times: list
    total: int = 0
    with_hits: int = 0
    failed: int = 0
    timeouts: int = 0

    @property
    def measured(self) -> str:
        return f"{len(self.times)}/{self.total}"

    def pct(self, p: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.times)
        return 1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Peer:
    name: str
    build_seconds: float | None = None
    latency: Latency | None = None
    note: str = ""


@dataclass
class Row:
    n: int
    raw_rate: float
    build: Build
    warm: Latency
    peers: list = field(default_factory=list)
    optimized: Optimize | None = None


def raw_sudachi_rate(records) -> float:
    """Records per second that one C-mode SudachiPy tokenizer reaches on the
    texts the analyzer sees (the five text fields of each document)."""
    from sudachipy import Dictionary, SplitMode

    from sagashi.domain.fields import TEXT_FIELDS
    from sagashi.index.schema import to_document
    texts = [[doc[name] for name in TEXT_FIELDS] for doc in map(to_document, records)]
    tokenize = Dictionary(dict="core").tokenizer(SplitMode.C).tokenize
    tokenize("準備")
    started = time.perf_counter()
    for fields in texts:
        for text in fields:
            if text:
                tokenize(text)
    return len(texts) / (time.perf_counter() - started)


class MemorySampler(threading.Thread):
    """Peak summed RSS and PSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.rss = self.pss = 0.0
        self.available = Path(f"/proc/{pid}/smaps_rollup").exists()
        self._done = threading.Event()

    def run(self) -> None:
        while self.available and not self._done.is_set():
            rss = pss = 0
            for pid in _descendants(self.pid):
                try:
                    with open(f"/proc/{pid}/smaps_rollup") as f:
                        for line in f:
                            if line.startswith("Rss:"):
                                rss += int(line.split()[1])
                            elif line.startswith("Pss:"):
                                pss += int(line.split()[1])
                except OSError:
                    continue
            self.rss, self.pss = max(self.rss, rss / 1024), max(self.pss, pss / 1024)
            self._done.wait(self.every)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _child(code: str, *args: str) -> tuple[dict, MemorySampler]:
    """Run ``code`` in a child process, sampling its memory (and its
    workers'); its last line of output, as JSON."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                             text=True)
    sampler = MemorySampler(child.pid)
    sampler.start()
    out, _ = child.communicate()
    sampler.stop()
    if child.returncode:
        raise SystemExit(f"bench: error: {' '.join(args)}: exit {child.returncode}")
    return json.loads(out.strip().splitlines()[-1]), sampler


def build(data: Path, index_dir: Path, procs: int | None) -> Build:
    """Build in a child process, sampling its memory (and its workers')."""
    from sagashi.index.build import index_stats
    shutil.rmtree(index_dir, ignore_errors=True)
    result, sampler = _child(BUILD_CODE, str(data), str(index_dir), str(procs or "auto"))
    stats = index_stats(index_dir)
    return Build(result["seconds"], result["records"], stats.size_bytes / 1e6,
                 sampler.rss if sampler.available else None,
                 sampler.pss if sampler.available else None, stats.segments)


def optimize(index_dir: Path) -> Optimize:
    """``optimize_index`` in a child process, sampling its memory."""
    from sagashi.index.build import index_stats
    result, sampler = _child(OPTIMIZE_CODE, str(index_dir))
    return Optimize(result["seconds"], result["merged"], index_stats(index_dir).size_bytes / 1e6,
                    sampler.rss if sampler.available else None)


class QueryTimeout(BaseException):
    """Raised in a query that runs past QUERY_TIMEOUT. Not an ``Exception``,
    so that the engine's own error handling lets it through."""


def _timed(run, queries, budget: float) -> Latency:
    """Time ``run(query) -> number of hits`` over the queries, after an
    untimed pass over the first WARMUP_QUERIES (for at most a quarter of
    ``budget``). A query over QUERY_TIMEOUT is stopped and counted at that
    time; once ``budget`` seconds are spent, the remaining queries are left
    out (and reported as not measured)."""
    def expire(*_):
        raise QueryTimeout

    use_alarm = (hasattr(signal, "setitimer")
                 and threading.current_thread() is threading.main_thread())
    old = signal.signal(signal.SIGALRM, expire) if use_alarm else None
    try:
        for timed, mix in ((False, queries[:WARMUP_QUERIES]), (True, queries)):
            latency = Latency([], total=len(mix))
            phase_started = time.perf_counter()
            limit = budget if timed else budget / 4
            for q in mix:
                if latency.times and time.perf_counter() - phase_started > limit:
                    break
                started = time.perf_counter()
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, QUERY_TIMEOUT)
                try:
                    hits = run(q)
                except QueryTimeout:
                    hits, latency.timeouts = 0, latency.timeouts + 1
                    if timed:
                        log(f"query {q!r} stopped after {QUERY_TIMEOUT:.0f} s")
                except Exception as e:
                    hits, latency.failed = 0, latency.failed + 1
                    if timed:
                        log(f"query {q!r} failed: {type(e).__name__}: {e}")
                finally:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                latency.times.append(time.perf_counter() - started)
                latency.with_hits += hits > 0
        return latency
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, old)


def warm_queries(index_dir: Path, queries: list[str], budget: float) -> Latency:
    from sagashi.engine import Engine
    with Engine(index_dir) as engine:
        return _timed(lambda q: len(engine.search(q, 10).hits), queries, budget)


# -- peers -------------------------------------------------------------------------

_OPERATORS = {"AND", "OR", "NOT"}
_FIELD_PREFIX = re.compile(r"^[^\s:]{1,12}:")


def peer_terms(query: str) -> list[str]:
    """A query's words for the peers: NFKC, lower case, without sagashi's
    syntax (quotes, AND/OR/NOT, -word, field:)."""
    words = []
    for word in nfkc(query).replace('"', " ").split():
        if word in _OPERATORS:
            continue
        word = _FIELD_PREFIX.sub("", word.lstrip("-")).lower()
        if word:
            words.append(word)
    return words


def _doc_text(record) -> list[str]:
    from sagashi.domain.fields import TEXT_FIELDS
    from sagashi.index.schema import to_document
    doc = to_document(record)
    return [doc[name] for name in TEXT_FIELDS]


def fts5_peer(records, queries, path: Path, budget: float) -> Peer:
    """SQLite FTS5 with the trigram tokenizer; queries OR their words (a
    trigram index cannot match words under three characters)."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE VIRTUAL TABLE docs USING fts5(organization, title, location, "
                   "entity, summary, tokenize='trigram')")
    except sqlite3.OperationalError as e:
        return Peer("SQLite FTS5 trigram", note=f"unavailable ({e})")
    with db:
        db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", map(_doc_text, records))
    seconds = time.perf_counter() - started

    def run(query: str) -> int:
        words = [w for w in peer_terms(query) if len(w) >= 3]
        if not words:
            return 0
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return len(db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank "
                              "LIMIT 10", (match,)).fetchall())

    latency = _timed(run, queries, budget)
    db.close()
    return Peer("SQLite FTS5 trigram", seconds, latency)


def _bigrams(text: str) -> list[str]:
    text = fold(text)
    out = []
    for piece in text.split():
        out += [piece[i:i + 2] for i in range(len(piece) - 1)] or [piece]
    return out


def bigram_peer(records, queries, budget: float) -> Peer:
    """Character-bigram BM25 with bm25s (or rank_bm25)."""
    name = "bigram BM25"
    try:
        import bm25s
    except ImportError:
        bm25s = None
    if bm25s is None:
        try:
            from rank_bm25 import BM25Okapi
        except ImportError:
            return Peer(name, note="not installed (pip install bm25s)")
        started = time.perf_counter()
        index = BM25Okapi([_bigrams(" ".join(_doc_text(r))) for r in records])
        seconds = time.perf_counter() - started

        def run(query: str) -> int:
            tokens = _bigrams(" ".join(peer_terms(query)))
            scores = index.get_scores(tokens)
            return sum(1 for s in sorted(scores, reverse=True)[:10] if s > 0)

        return Peer(name + " (rank_bm25)", seconds, _timed(run, queries, budget))
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([_bigrams(" ".join(_doc_text(r))) for r in records], show_progress=False)
    seconds = time.perf_counter() - started
    vocab = retriever.vocab_dict
    k = min(10, len(records))

    def run(query: str) -> int:
        tokens = [t for t in _bigrams(" ".join(peer_terms(query))) if t in vocab]
        if not tokens:
            return 0
        _, scores = retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return int((scores[0] > 0).sum())

    return Peer(name + " (bm25s)", seconds, _timed(run, queries, budget))


# -- cold CLI -------------------------------------------------------------------------

def sagashi_command() -> list[str]:
    script = Path(sys.executable).with_name("sagashi")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sagashi"]


def cold_cli(indexes: dict[str, Path], reps: int) -> dict[str, float]:
    """Median wall seconds of the floor, ``sagashi --help`` and one
    ``sagashi search`` per index, run in turn ``reps`` times (after a warm-up
    round that fills the page cache, unless only one run is asked for)."""
    import sagashi
    # as an installed package: pip compiles to bytecode, and where
    # PYTHONDONTWRITEBYTECODE is set nothing would, every run compiling anew
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(sagashi.__file__).parent)],
                   check=True)
    cli = sagashi_command()
    commands = {"floor": [sys.executable, "-c", FLOOR_CODE], "help": cli + ["--help"]}
    for label, index_dir in indexes.items():
        commands[label] = cli + ["search", COLD_QUERY, "--index", str(index_dir),
                                 "--color", "never"]
    times: dict[str, list[float]] = {k: [] for k in commands}
    warmup = 1 if reps > 1 else 0
    for rep in range(reps + warmup):
        for label, cmd in commands.items():
            started = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            if rep >= warmup:
                times[label].append(time.perf_counter() - started)
    return {k: statistics.median(v) for k, v in times.items()}


# -- report ---------------------------------------------------------------------------

def machine() -> str:
    import whoosh

    from sagashi.analysis import dictionary_version, sudachipy_version
    cpu = "unknown CPU"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                    if line.startswith("model name")), cpu)
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        mem = next(int(line.split()[1]) for line in meminfo
                   if line.startswith("MemTotal")) / 1024 / 1024
        memory = f"{mem:.0f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}, {cores} cores, {memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, SudachiPy {sudachipy_version()}, "
            f"SudachiDict-core {dictionary_version()}, Whoosh {whoosh.versionstring()}, "
            f"SQLite {sqlite3.sqlite_version}")


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def _num(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(rows: list[Row], cold: dict[str, float], queries: int, dev: int,
           skip_peers: bool, machine_text: str, cold_label: str) -> str:
    out = [f"Machine: {machine_text}.", ""]
    out += ["### Build", "", table(
        ["records", "build (s)", "records/s", "µs per record", "raw Sudachi (records/s, 1 core)",
         "build ÷ raw", "index (MB)", "segments", "peak RSS (MB)", "peak PSS (MB)"],
        [[f"{r.n:,}", _num(r.build.seconds, 1), _num(r.build.rate), _num(1e6 / r.build.rate),
          _num(r.raw_rate), f"{r.build.rate / r.raw_rate:.2f}", _num(r.build.size_mb, 1),
          str(r.build.segments), _num(r.build.rss_mb), _num(r.build.pss_mb)] for r in rows]), ""]
    out += [f"### Warm queries ({queries} queries: {dev} dev + {queries - dev} generated; "
            "ms per query, in process, on the index as built)", "", table(
                ["records", "measured", "p50", "p95", "p99", "with hits", "stopped", "failed"],
                [[f"{r.n:,}", r.warm.measured, _ms(r.warm.pct(50)), _ms(r.warm.pct(95)),
                  _ms(r.warm.pct(99)), str(r.warm.with_hits), str(r.warm.timeouts),
                  str(r.warm.failed)] for r in rows]), ""]
    optimized = [r for r in rows if r.optimized is not None]
    if optimized:
        out += ["### `sagashi index optimize` (all segments merged into one)", "", table(
            ["records", "segments merged", "optimize (s)", "peak RSS (MB)", "index after (MB)",
             "warm p50 after (ms)", "warm p99 after (ms)"],
            [[f"{r.n:,}", str(o.merged), _num(o.seconds, 1), _num(o.rss_mb), _num(o.size_mb, 1),
              _ms(o.warm.pct(50) if o.warm else None), _ms(o.warm.pct(99) if o.warm else None)]
             for r in optimized for o in (r.optimized,) if o is not None]), ""]
    if not skip_peers:
        peer_rows = []
        for r in rows:
            peer_rows.append([f"{r.n:,}", "sagashi", _num(r.build.seconds, 1), "1.0",
                              r.warm.measured, _ms(r.warm.pct(50)), _ms(r.warm.pct(99)), "1.0",
                              str(r.warm.with_hits)])
            for p in r.peers:
                if p.latency is None:
                    peer_rows.append([f"{r.n:,}", p.name, p.note] + ["–"] * 6)
                    continue
                peer_rows.append([
                    f"{r.n:,}", p.name, _num(p.build_seconds, 1),
                    f"{r.build.seconds / p.build_seconds:,.1f}", p.latency.measured,
                    _ms(p.latency.pct(50)), _ms(p.latency.pct(99)),
                    f"{r.warm.pct(50) / max(p.latency.pct(50), 1e-3):,.1f}",
                    str(p.latency.with_hits)])
        out += ["### Peers (same records, same queries, same run)", "", table(
            ["records", "system", "build (s)", "sagashi build ÷ this", "measured", "p50 (ms)",
             "p99 (ms)", "sagashi p50 ÷ this", "with hits"], peer_rows), ""]
    if cold:
        floor = cold["floor"]
        cold_rows = [["floor: python, import sudachipy + whoosh.index, load dictionary",
                      f"{floor:.2f}", "1.00"]]
        cold_rows += [[f"`sagashi search {COLD_QUERY}` ({label})", f"{cold[label]:.2f}",
                       f"{cold[label] / floor:.2f}"]
                      for label in cold if label not in ("floor", "help")]
        cold_rows.append(["`sagashi --help`", f"{cold['help']:.2f}",
                          f"{cold['help'] / floor:.2f}"])
        out += [f"### Cold CLI (wall s, median of {cold_label})", "",
                table(["command", "seconds", "÷ floor"], cold_rows), ""]
    out += ["### Targets", "", table(["target", "measured", "met"], targets(rows, cold)), ""]
    return "\n".join(out)


def _bm25s(row: Row) -> Peer | None:
    return next((p for p in row.peers if p.name.startswith("bigram BM25") and p.latency), None)


def targets(rows: list[Row], cold: dict[str, float]) -> list[list[str]]:
    """The figures against the targets of issue 11 (and the growth targets
    of issue 5): those of 100,000 records at the largest size below
    1,000,000, those of 1,000,000 at any size from there."""
    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    out = []
    below = [r for r in rows if r.n < 1_000_000]
    if below:
        big = below[-1]
        peer = _bm25s(big)
        p50, p99 = big.warm.pct(50), big.warm.pct(99)
        if peer is not None and peer.latency is not None:
            out.append([f"warm p50 no slower than bigram BM25 (bm25s) at {big.n:,}",
                        f"{p50:,.1f} vs {peer.latency.pct(50):,.1f} ms "
                        f"({p50 / max(peer.latency.pct(50), 1e-3):,.1f}×)",
                        met(p50 <= peer.latency.pct(50))])
        out.append([f"warm p99 ≤ {TARGET_P99_MS:.0f} ms at {big.n:,}", f"{p99:,.1f} ms",
                    met(p99 <= TARGET_P99_MS)])
        if peer is not None and peer.build_seconds:
            out.append([f"build no longer than bigram BM25 (bm25s) at {big.n:,}",
                        f"{big.build.seconds:,.1f} vs {peer.build_seconds:,.1f} s "
                        f"({big.build.seconds / peer.build_seconds:,.1f}×)",
                        met(big.build.seconds <= peer.build_seconds)])
        ratio = big.build.rate / big.raw_rate
        out.append([f"build rate ≥ {TARGET_BUILD_RATIO}× raw single-core Sudachi at {big.n:,}",
                    f"{ratio:.2f}× ({big.build.rate:,.0f} vs {big.raw_rate:,.0f} records/s)",
                    met(ratio >= TARGET_BUILD_RATIO)])
        out += _memory_rows(big, TARGET_MEMORY_MB, met)
        out.append([f"index ≤ {TARGET_INDEX_MB:,.0f} MB at {big.n:,} (before the array codec, "
                    "at 100,000)", f"{big.build.size_mb:,.1f} MB",
                    met(big.build.size_mb <= TARGET_INDEX_MB)])
    for row in (r for r in rows if r.n >= 1_000_000):
        out += _memory_rows(row, TARGET_MILLION_MB, met)
        out.append([f"warm p50 ≤ {TARGET_MILLION_P50_MS:.0f} ms at {row.n:,}",
                    f"{row.warm.pct(50):,.1f} ms", met(row.warm.pct(50) <= TARGET_MILLION_P50_MS)])
        out.append([f"warm p99 ≤ {TARGET_MILLION_P99_MS:.0f} ms at {row.n:,}",
                    f"{row.warm.pct(99):,.1f} ms", met(row.warm.pct(99) <= TARGET_MILLION_P99_MS)])
    if len(rows) > 1:
        small, last = rows[0], rows[-1]
        growth = last.build.seconds / small.build.seconds
        per_record = [f"{1e6 / r.build.rate:,.0f}" for r in rows]
        out.append(["build time grows linearly with N (issue 5)",
                    f"×{growth:,.1f} for ×{last.n / small.n:,.0f} records; µs per record "
                    + " → ".join(per_record), met(growth <= 1.25 * last.n / small.n)])
        qgrowth = last.warm.pct(50) / max(small.warm.pct(50), 1e-6)
        out.append(["query latency grows clearly slower than N (issue 5)",
                    f"p50 ×{qgrowth:,.1f} for ×{last.n / small.n:,.0f} records ("
                    + " → ".join(f"{r.warm.pct(50):,.1f}" for r in rows) + " ms)",
                    met(qgrowth < last.n / small.n / 3)])
    for label in cold:
        if label in ("floor", "help"):
            continue
        target = TARGET_COLD_BUNDLED if label.startswith("bundled") else TARGET_COLD
        ratio = cold[label] / cold["floor"]
        out.append([f"cold `sagashi search` ≤ {target}× floor ({label})", f"{ratio:.2f}×",
                    met(ratio <= target)])
    return out


def _memory_rows(row: Row, limit: float, met) -> list[list[str]]:
    """Peak build memory against ``limit``: summed RSS counts the dictionary
    pages every process maps once per process; PSS shares them out."""
    if row.build.rss_mb is None:
        return []
    return [[f"build peak memory ≤ {limit:,.0f} MB at {row.n:,} (RSS, summed)",
             f"{row.build.rss_mb:,.0f} MB", met(row.build.rss_mb <= limit)],
            [f"build peak memory ≤ {limit:,.0f} MB at {row.n:,} (PSS, summed)",
             f"{row.build.pss_mb:,.0f} MB", met((row.build.pss_mb or 0) <= limit)]]


# -- main -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="corpus sizes, comma-separated (default 1000,10000,100000)")
    ap.add_argument("--queries", type=int, default=200,
                    help="queries in the mix: the dev queries (up to half) and generated "
                         "ones (default 200)")
    ap.add_argument("--skip-peers", action="store_true", help="measure sagashi only")
    ap.add_argument("--skip-optimize", action="store_true",
                    help="leave out 'sagashi index optimize' and the queries after it")
    ap.add_argument("--smoke", action="store_true",
                    help="a quick check that everything runs: N=200, 24 queries, 1 cold run")
    ap.add_argument("--workdir", help="folder for corpora and indexes (default: a temporary "
                    "folder, removed at the end)")
    ap.add_argument("--corpus", help="use this corpus (TSV) instead of generating one")
    ap.add_argument("--dev-queries", default=str(DEV_QUERIES),
                    help="the dev query file whose queries join the mix (default: "
                         "../shared/eval/dev_queries.tsv beside the checkout)")
    ap.add_argument("--seed", type=int, default=1, help="corpus and query seed (default 1)")
    ap.add_argument("--procs", type=int, help="build processes (default: automatic)")
    ap.add_argument("--raw-sample", type=int, default=10000,
                    help="records tokenized for the raw Sudachi rate (default 10000)")
    ap.add_argument("--query-budget", type=float, default=60.0,
                    help="seconds each system may spend on the timed queries at each size; "
                         "the rest of the mix is left out (default 60)")
    ap.add_argument("--cold-runs", type=int, default=5,
                    help="runs of each cold CLI command, after a warm-up (default 5)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    if args.smoke:
        args.sizes, args.queries, args.cold_runs = "200", 24, 1
        args.raw_sample, args.query_budget = 200, 10.0
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        ap.error(f"--sizes takes whole numbers separated by commas, got {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        ap.error("--sizes needs at least one size of at least 1")

    from sagashi.domain.records import load_records
    from sagashi.index.build import build_index

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="sagashi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        if args.corpus:
            corpus = Path(args.corpus)
        else:
            corpus = work / f"corpus-{sizes[-1]}.tsv"
            log(f"generating {sizes[-1]:,} records")
            make_corpus(sizes[-1], corpus, args.seed)
        dev = dev_queries(Path(args.dev_queries))[:args.queries // 2]  # at least half generated
        # queries from the first records (the same mix whatever the sizes)
        first = load_records(corpus_prefix(corpus, min(sizes[0], QUERY_SOURCE),
                                           work / "queries-source.tsv")).records
        queries = dev + generated_queries(first, args.queries - len(dev), args.seed)
        random.Random(args.seed).shuffle(queries)  # a budget cut keeps a fair sample
        rows: list[Row] = []
        indexes: dict[str, Path] = {}
        for n in sizes:
            data = corpus_prefix(corpus, n, work / f"data-{n}.tsv")
            log(f"{n:,} records: raw Sudachi rate")
            sample = corpus_prefix(corpus, min(n, args.raw_sample), work / "raw-sample.tsv")
            raw = raw_sudachi_rate(load_records(sample).records)
            log(f"{n:,} records: building")
            built = build(data, work / f"index-{n}", args.procs)
            log(f"{n:,} records: built in {built.seconds:.1f} s ({built.rate:,.0f} records/s, "
                f"{built.segments} segments); {len(queries)} warm queries")
            row = Row(n, raw, built, warm_queries(work / f"index-{n}", queries, args.query_budget))
            if not args.skip_peers:
                log(f"{n:,} records: peers")
                records = load_records(data).records
                row.peers = [fts5_peer(records, queries, work / f"fts5-{n}.sqlite",
                                       args.query_budget),
                             bigram_peer(records, queries, args.query_budget)]
                del records
                (work / f"fts5-{n}.sqlite").unlink(missing_ok=True)
            indexes = {f"{n:,} records": work / f"index-{n}"}
            if not args.skip_optimize:
                # on a copy (hard links: optimize never rewrites a file), since the
                # cold runs below use the index as built
                merged = work / f"optimized-{n}"
                shutil.rmtree(merged, ignore_errors=True)
                shutil.copytree(work / f"index-{n}", merged, copy_function=os.link)
                log(f"{n:,} records: optimize")
                row.optimized = optimize(merged)
                log(f"{n:,} records: optimized in {row.optimized.seconds:.1f} s; warm queries")
                row.optimized.warm = warm_queries(merged, queries, args.query_budget)
                shutil.rmtree(merged, ignore_errors=True)
            rows.append(row)
        cold: dict[str, float] = {}
        if args.cold_runs > 0:
            log("cold CLI")
            build_index(BUNDLED, work / "index-bundled")
            bundled = {f"bundled corpus, {len(load_records(BUNDLED).records)} records":
                       work / "index-bundled"}
            cold = cold_cli({**bundled, **indexes}, args.cold_runs)
        log(f"done in {time.perf_counter() - started:.0f} s")
        print(report(rows, cold, len(queries), len(dev), args.skip_peers, machine(),
                     f"{args.cold_runs} run{'s' if args.cold_runs != 1 else ''}"))
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif not args.keep:
            for path in (*work.glob("index-*"), *work.glob("optimized-*")):
                shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
