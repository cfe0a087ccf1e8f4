#!/usr/bin/env python3
"""What reading queries in residents' languages costs, per query (warm).

Usage: python scripts/bench_languages.py [QUERIES ...] [--index DIR] [--repeat N]

QUERIES are files with one query per line, or TSV files with a ``query``
column (default: ../shared/eval/dev_multilingual.tsv and dev_queries.tsv when
present, else a built-in sample). For each query, after one warm-up search:

- detect: telling its language (``Engine.language``; what every query
  pays, Japanese included);
- read: cutting it into glossary words, dropped words and the rest
  (``Languages.read``), for queries not read as Japanese;
- plan: the whole understanding of the query (``Engine.understand``: the
  above, then the concepts, a translation read as Japanese would be), to
  compare queries in other languages with Japanese ones;
- search: the whole ``Engine.search``, for scale.

Prints milliseconds per query (the fastest of --repeat runs: on a shared
machine that is the steadiest figure for work this small; search is the
median), the mean, p50, p95 and max of detect + read, and the cold cost of
loading the glossaries.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sagashi import Engine
from sagashi.analysis import SudachiAnalysis
from sagashi.query.languages import Languages, load_languages

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
SAMPLE = [
    "người tị nạn Ukraina", "lop hoc tieng Nhat o Kumamoto", "aulas de japonês em Tóquio",
    "apoyo legal para trabajadores extranjeros", "tulong para sa mga dayuhang manggagawa",
    "bantuan makanan untuk pengungsi", "शरणार्थीहरूलाई सहायता", "외국인 노동자 상담",
    "越南人就业支援", "醫療諮詢", "where can I find a shelter for refugees",
    "熊本で日本語を教えている団体は？", "難民 シェルター", "在留資格のない外国人の医療", "kobe",
]


def read_queries(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = lines[0].split("\t")
    if "query" in header:
        col = header.index("query")
        return [row.split("\t")[col] for row in lines[1:] if len(row.split("\t")) > col]
    return lines


def timed(repeat: int, call, pick=min) -> float:
    """The fastest (or ``pick``) wall time of ``call`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return pick(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("queries", nargs="*")
    ap.add_argument("--index", help="index folder (default: the bundled index)")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    paths = [Path(p) for p in args.queries] or [
        p for p in (SHARED_EVAL / "dev_multilingual.tsv", SHARED_EVAL / "dev_queries.tsv")
        if p.exists()]
    queries = [q for p in paths for q in read_queries(p)] or SAMPLE

    start = time.perf_counter()
    cold = Languages(SudachiAnalysis())
    for code in ("en", "vi", "pt", "es", "tl", "id", "ne", "ko", "zh"):
        cold.table(code)
    print(f"cold: loading the nine glossaries takes {(time.perf_counter() - start) * 1000:.1f} ms "
          "(the seven Latin-letter ones load for the first Latin-letter query, "
          "Chinese and Korean on first use)")

    with Engine.open(args.index) as engine:
        languages = load_languages(SudachiAnalysis())
        rows = []
        for query in queries:
            engine.search(query)  # warm: glossaries, OpenCC, posting caches
            language = engine.language(query)
            detect = timed(args.repeat, lambda q=query: engine.language(q))
            read = 0.0 if language == "ja" else timed(
                args.repeat, lambda q=query, lang=language: languages.read(q, lang))
            plan = timed(args.repeat, lambda q=query: engine.understand(q))
            search = timed(max(3, args.repeat // 3), lambda q=query: engine.search(q),
                           statistics.median)
            rows.append((query, language, detect, read, plan, search))

    print(f"\n{'language':<9}{'detect':>9}{'read':>9}{'plan':>9}{'search':>10}  query  (ms)")
    for query, language, detect, read, plan, search in rows:
        print(f"{language:<9}{detect:>9.3f}{read:>9.3f}{plan:>9.2f}{search:>10.2f}  {query}")
    groups = (("all queries", list(rows)),
              ("not Japanese", [r for r in rows if r[1] != "ja"]),
              ("Japanese", [r for r in rows if r[1] == "ja"]))
    print()
    for label, group in groups:
        if not group:
            continue
        extra = sorted(r[2] + r[3] for r in group)
        p95 = extra[min(len(extra) - 1, round(0.95 * (len(extra) - 1)))]
        print(f"{label} ({len(group)}): detect + read mean {statistics.mean(extra):.3f} ms, "
              f"p50 {statistics.median(extra):.3f}, p95 {p95:.3f}, max {extra[-1]:.3f}; "
              f"plan mean {statistics.mean(r[4] for r in group):.2f} ms, "
              f"search median {statistics.median(r[5] for r in group):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
