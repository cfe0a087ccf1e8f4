#!/usr/bin/env python3
"""Load-test ``sagashi serve`` on loopback, then again while it is reindexed.

Usage: python scripts/load.py [--clients 8] [--duration 30] [--reindexes 5]
       [--seed 1] [--json]

It builds a temporary index of the bundled corpus, starts ``sagashi serve``
on a free loopback port, and runs two bounded phases, each ``--duration``
seconds of ``--clients`` concurrent clients (threads, one keep-alive
connection each, each sending its next request as soon as the last answer
is read). Every client walks a seeded mix of requests:

- the search page (``/?q=``) and the API (``/api/search?q=``) for Japanese
  keywords, questions, kana, romaji, English, phrases, boolean and field
  queries;
- facet and page links (``&pref=``, ``&entity=``, ``&page=2``);
- project pages with their similar projects, and ``/api/projects/{no}``.

**steady**: the bundled corpus, as it is. **reindexing**: the same records
in two versions, "A" (each summary ends with the word 春季; 17 records) and
"B" (秋季; the 17 records and 9 copies, 26 in all); the index starts as A,
and ``--reindexes`` builds alternate B, A, B ... through ``sagashi index
build`` in another process, spread over the phase. Beside the mix, clients
ask ``/api/search?q=春季 OR 秋季`` and check that the total is 17 or 26 and
that every hit holds the one marker of that version: anything else would be
a half-built index.

A request fails when its status is not 200 (404 for a project page that
the live version does not hold is not asked for), when it raises, or when
its body is cut short. Latency is from sending the request to reading the
last byte, on the client. Results on stdout (a table, or one JSON object
with --json), progress on stderr. It ends by itself: the phases are timed,
and the server is stopped with SIGINT at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sagashi.domain.records import load_records

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "projects.tsv"
HEADER = "No\t法人格\t申請団体名\t所在地\t事業名\t概要"
MARK_A, MARK_B = "春季", "秋季"
EXTRA_IN_B = 9
#: Queries of the kinds people type (see the README's Queries section).
QUERIES = [
    "難民", "支援", "日本語教室", "在留資格のない外国人の医療", "熊本で日本語を教えている団体は？",
    "ベトナム人の就労支援", "子どもの居場所", "シェルター", "外国人 就労", "介護",
    "こうべ", "あまくさ", "kobe", "Kumamoto", "refugee women", "medical care",
    "\"伴走支援\"", "難民 NOT ウクライナ", "ベトナム OR ウクライナ", "所在地:新宿", "ボランティ*",
    "関西", "NPO法人", "ロケットの打ち上げ",
]
FILTERED = [{"q": "支援", "pref": "東京都"}, {"q": "支援", "entity": "特非"},
            {"q": "支援", "page": "2"}, {"q": "外国人", "pref": "関西"}]
PROJECTS = range(1, 18)  # in both versions of the reindexing phase
CHECK_QUERY = f"{MARK_A} OR {MARK_B}"


@dataclass
class Sample:
    kind: str
    path: str
    ms: float
    ok: bool
    note: str = ""


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    checks: int = 0
    inconsistent: int = 0
    reindexes: list[dict] = field(default_factory=list)
    load_average: float = 0.0  # the machine's 1-minute load average as the phase ended

    def summary(self) -> dict:
        ms = sorted(s.ms for s in self.samples)
        failed = [s for s in self.samples if not s.ok]
        return {
            "phase": self.name, "requests": len(ms), "seconds": round(self.seconds, 2),
            "throughput": round(len(ms) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(_percentile(ms, 50), 1), "p90_ms": round(_percentile(ms, 90), 1),
            "p99_ms": round(_percentile(ms, 99), 1), "max_ms": round(ms[-1], 1) if ms else 0.0,
            "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
            "distinct_requests": len({s.path for s in self.samples}),
            "load_average": round(self.load_average, 2),
            "failed": len(failed), "failures": sorted({f"{s.kind}: {s.note}" for s in failed})[:10],
            "index_checks": self.checks, "inconsistent": self.inconsistent,
            "reindexes": len(self.reindexes),
            "reindexes_ok": sum(r["returncode"] == 0 for r in self.reindexes),
            "reindex_seconds": [r["seconds"] for r in self.reindexes],
            "by_kind": {kind: {"requests": len(v), "p50_ms": round(_percentile(v, 50), 1),
                               "p99_ms": round(_percentile(v, 99), 1)}
                        for kind, v in sorted(_by_kind(self.samples).items())},
        }


def _percentile(sorted_ms: list[float], p: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not sorted_ms:
        return 0.0
    rank = max(1, -(-len(sorted_ms) * p // 100))
    return sorted_ms[int(rank) - 1]


def _by_kind(samples: list[Sample]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for s in samples:
        out.setdefault(s.kind, []).append(s.ms)
    return {k: sorted(v) for k, v in out.items()}


def note(message: str) -> None:
    print(f"load: {message}", file=sys.stderr, flush=True)


# -- data and server -----------------------------------------------------------------

def write_versions(folder: Path) -> tuple[Path, Path, int, int]:
    """The A and B versions of the bundled corpus (see the module docstring)."""
    records = load_records(BUNDLED).records

    def row(no, r, mark, title_suffix=""):
        return "\t".join([str(no), r.entity, r.organization, r.location, r.title + title_suffix,
                          f"{r.summary}{mark}プログラムとして実施する。"])

    a = [row(r.no, r, MARK_A) for r in records]
    b = [row(r.no, r, MARK_B) for r in records]
    top = max(r.no for r in records)
    b += [row(top + i + 1, records[i % len(records)], MARK_B, "（第2期）")
          for i in range(EXTRA_IN_B)]
    paths = folder / "a.tsv", folder / "b.tsv"
    for path, rows in zip(paths, (a, b)):
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return paths[0], paths[1], len(a), len(b)


def sagashi(*argv: str) -> list[str]:
    return [sys.executable, "-m", "sagashi", *map(str, argv)]


def build(data: Path, index: Path) -> subprocess.CompletedProcess:
    return subprocess.run(sagashi("index", "build", "--data", data, "--index", index),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


class Server:
    """``sagashi serve --index INDEX --port 0``, until :meth:`stop`."""

    def __init__(self, index: Path, cache: int) -> None:
        self.process = subprocess.Popen(sagashi("serve", "--index", index, "--port", "0",
                                                "--cache", cache),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8")
        assert self.process.stderr is not None
        for line in self.process.stderr:
            match = re.search(r" at http://([^/]+)/ ", line)
            if match:
                host, _, port = match.group(1).rpartition(":")
                self.host, self.port = host.strip("[]"), int(port)
                break
        else:
            raise SystemExit(f"load: sagashi serve did not start (exit {self.process.wait()})")
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip("\n"))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


# -- clients -------------------------------------------------------------------------

def request_mix(rng: random.Random, checking: bool) -> list[tuple[str, str]]:
    """One client's seeded sequence of ``(kind, path)``."""
    mix: list[tuple[str, str]] = []
    for _ in range(40):
        q = rng.choice(QUERIES)
        mix += [("page", "/?" + urlencode({"q": q})),
                ("api", "/api/search?" + urlencode({"q": q, "limit": 10}))]
    for params in FILTERED:
        mix += [("facet", "/?" + urlencode(params))] * 3
    for _ in range(8):
        no = rng.choice(PROJECTS)
        mix += [("project", f"/projects/{no}"), ("api_project", f"/api/projects/{no}")]
    if checking:
        mix += [("check", "/api/search?" + urlencode({"q": CHECK_QUERY, "limit": 30}))] * 12
    rng.shuffle(mix)
    return mix


class Client(threading.Thread):
    def __init__(self, host: str, port: int, mix: list[tuple[str, str]], until: float,
                 phase: Phase, lock: threading.Lock, totals: tuple[int, int] | None) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.mix, self.until = host, port, mix, until
        self.phase, self.lock, self.totals = phase, lock, totals
        self.samples: list[Sample] = []
        self.checks = self.inconsistent = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        i = 0
        while time.monotonic() < self.until:
            kind, path = self.mix[i % len(self.mix)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Language": "ja"})
                response = conn.getresponse()
                body = response.read()
                ms = (time.perf_counter() - start) * 1000
                ok, why = self.judge(kind, response.status, body)
            except (OSError, http.client.HTTPException) as e:
                ms = (time.perf_counter() - start) * 1000
                ok, why = False, f"{type(e).__name__}: {e}"
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.samples.append(Sample(kind, path, ms, ok, why))
        conn.close()
        with self.lock:
            self.phase.samples += self.samples
            self.phase.checks += self.checks
            self.phase.inconsistent += self.inconsistent

    def judge(self, kind: str, status: int, body: bytes) -> tuple[bool, str]:
        if status != 200:
            return False, f"status {status}"
        if kind in ("page", "facet", "project"):
            return (True, "") if body.rstrip().endswith(b"</html>") else (False, "cut short")
        data = json.loads(body)
        if kind == "check":
            self.checks += 1
            if not self.consistent(data):
                self.inconsistent += 1
                return False, f"half-built index? total {data.get('total')}"
        return True, ""

    def consistent(self, data: dict) -> bool:
        """A complete A or a complete B: the total of one version, and every
        hit's snippet showing that version's marker and not the other's."""
        assert self.totals is not None
        total_a, total_b = self.totals
        mark = {total_a: MARK_A, total_b: MARK_B}.get(data["total"])
        if mark is None or len(data["hits"]) != min(data["total"], 30):
            return False
        other = MARK_B if mark == MARK_A else MARK_A
        return all(mark in h["snippet"] and other not in h["snippet"] for h in data["hits"])


def run_phase(name: str, server: Server, clients: int, duration: float, seed: int,
              reindex: list[Path] | None = None, index: Path | None = None,
              totals: tuple[int, int] | None = None) -> Phase:
    phase = Phase(name)
    lock = threading.Lock()
    rng = random.Random(seed)
    warm_up = {}  # one request of each kind, untimed: the engine's first use
    for kind, path in request_mix(random.Random(-seed), bool(reindex)):
        warm_up.setdefault(kind, path)
    for path in warm_up.values():
        http_get(server, path)
    start = time.monotonic()
    until = start + duration
    workers = [Client(server.host, server.port, request_mix(random.Random(rng.random()),
                                                            bool(reindex)),
                      until, phase, lock, totals) for _ in range(clients)]
    for w in workers:
        w.start()
    if reindex:
        assert index is not None
        # builds spread over the phase: one starts at each k/(n+1) of it
        for k, data in enumerate(reindex, start=1):
            time.sleep(max(0.0, start + duration * k / (len(reindex) + 1) - time.monotonic()))
            began = time.monotonic()
            proc = build(data, index)
            phase.reindexes.append({"data": data.name, "returncode": proc.returncode,
                                    "seconds": round(time.monotonic() - began, 2),
                                    "finished_in_phase": time.monotonic() < until,
                                    "stderr": proc.stderr.strip()[-300:]})
            note(f"reindex {k}/{len(reindex)} from {data.name}: exit {proc.returncode} in "
                 f"{phase.reindexes[-1]['seconds']} s")
    for w in workers:
        w.join()
    phase.seconds = time.monotonic() - start
    phase.load_average = os.getloadavg()[0]
    return phase


def http_get(server: Server, path: str) -> int:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


# -- main ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--reindexes", type=int, default=5,
                        help="builds during the second phase (0: skip that phase)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=int, default=1000,
                        help="sagashi serve --cache: answers kept (0: every request searches)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 64 and 0 < args.duration <= 600 and 0 <= args.reindexes <= 50):
        parser.error("--clients 1-64, --duration up to 600 s, --reindexes 0-50")

    work = Path(tempfile.mkdtemp(prefix="sagashi-load-"))
    phases: list[Phase] = []
    try:
        steady_index = work / "steady"
        note("building the index of the bundled corpus")
        _check_build(build(BUNDLED, steady_index))
        server = Server(steady_index, args.cache)
        try:
            note(f"steady: {args.clients} clients for {args.duration:g} s on "
                 f"http://{server.host}:{server.port}/")
            phases.append(run_phase("steady", server, args.clients, args.duration, args.seed))
        finally:
            _check_stop(server)
        if args.reindexes:
            a, b, total_a, total_b = write_versions(work)
            index = work / "reindexing"
            _check_build(build(a, index))
            server = Server(index, args.cache)
            try:
                note(f"reindexing: {args.clients} clients for {args.duration:g} s, "
                     f"{args.reindexes} builds")
                order = [b if k % 2 == 0 else a for k in range(args.reindexes)]
                phases.append(run_phase("reindexing", server, args.clients, args.duration,
                                        args.seed + 1, order, index, (total_a, total_b)))
            finally:
                _check_stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = {"clients": args.clients, "duration_s": args.duration, "seed": args.seed,
              "cache": args.cache,
              "machine": f"{platform.machine()}, {os.cpu_count()} cores; "
                         f"Python {platform.python_version()}",
              "phases": [p.summary() for p in phases]}
    for p, summary in zip(phases, report["phases"]):
        summary["reindexes_in_phase"] = sum(r["finished_in_phase"] and r["returncode"] == 0
                                            for r in p.reindexes)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(render(report))
    bad = any(s["failed"] or s["inconsistent"] or s["reindexes_ok"] != s["reindexes"]
              for s in report["phases"])
    return 1 if bad else 0


def _check_build(proc: subprocess.CompletedProcess) -> None:
    if proc.returncode != 0:
        raise SystemExit(f"load: the build failed: {proc.stderr.strip()}")


def _check_stop(server: Server) -> None:
    code = server.stop()
    if code != 0:
        note(f"the server exited with {code}: {server.log[-5:]}")


def render(report: dict) -> str:
    lines = [f"{report['clients']} clients, {report['duration_s']:g} s per phase, "
             f"sagashi serve --cache {report['cache']}; {report['machine']}", "",
             "| phase | requests | distinct | req/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) "
             "| failed | reindexes done | index checks | inconsistent | load average |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["phases"]:
        done = f"{s['reindexes_in_phase']}/{s['reindexes']}" if s["reindexes"] else "–"
        lines.append(f"| {s['phase']} | {s['requests']:,} | {s['distinct_requests']} | "
                     f"{s['throughput']:,} | {s['p50_ms']} | {s['p90_ms']} | {s['p99_ms']} | "
                     f"{s['max_ms']} | {s['failed']} | {done} | {s['index_checks'] or '–'} | "
                     f"{s['inconsistent'] if s['index_checks'] else '–'} | "
                     f"{s['load_average']} |")
    for s in report["phases"]:
        lines += ["", f"{s['phase']}, by request:", "",
                  "| request | count | p50 (ms) | p99 (ms) |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v['requests']:,} | {v['p50_ms']} | {v['p99_ms']} |"
                  for k, v in s["by_kind"].items()]
        if s["reindex_seconds"]:
            lines += ["", f"reindex builds (s): {', '.join(map(str, s['reindex_seconds']))}"]
        if s["failures"]:
            lines += ["", "failures: " + "; ".join(s["failures"])]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
