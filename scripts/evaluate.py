#!/usr/bin/env python3
"""Score sagashi on a graded query file.

Pipes the query column of QUERIES.tsv through `sagashi search --json -`
(the JSON Lines mode) and scores the run with ../shared/eval/score.py.

Usage: python scripts/evaluate.py [QUERIES.tsv] [--index DIR] [--run OUT.jsonl] [score.py options]

Defaults: ../shared/eval/dev_queries.tsv, the bundled index. Options this
script does not know (--json, --k 5) go to score.py.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"


def read_queries(path: Path) -> list[str]:
    """The query column, split on tabs exactly as score.py does (no CSV
    quoting: a query may itself hold "quotes")."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip()]
    header = rows[0]
    if "query" not in header:
        sys.exit(f"evaluate: error: {path} has no 'query' column")
    col = header.index("query")
    return [r[col] for r in rows[1:] if len(r) > col]


def main() -> int:
    ap = argparse.ArgumentParser(description="Score sagashi on a graded query file.")
    ap.add_argument("queries", nargs="?", default=str(SHARED_EVAL / "dev_queries.tsv"))
    ap.add_argument("--index", help="index folder (default: the bundled index)")
    ap.add_argument("--run", help="also keep the run (JSON Lines) in this file")
    ap.add_argument("--scorer", default=str(SHARED_EVAL / "score.py"))
    args, rest = ap.parse_known_args()

    queries = read_queries(Path(args.queries))
    cmd = [sys.executable, "-m", "sagashi", "search", "--json", "-"]
    if args.index:
        cmd += ["--index", args.index]
    proc = subprocess.run(cmd, input="\n".join(queries) + "\n", capture_output=True,
                          text=True, encoding="utf-8")
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        return proc.returncode
    run_path = args.run or os.path.join(tempfile.mkdtemp(prefix="sagashi-eval-"), "run.jsonl")
    Path(run_path).write_text(proc.stdout, encoding="utf-8")
    return subprocess.call([sys.executable, args.scorer, args.queries, run_path, *rest])


if __name__ == "__main__":
    sys.exit(main())
