#!/usr/bin/env python3
"""The baseline sagashi has to beat: character-bigram BM25 over all columns.

Reads the query column of a query file (default ../shared/eval/dev_queries.tsv)
and writes a JSON Lines run in the shape `sagashi search --json -` writes, so
that ../shared/eval/score.py can score both the same way:

    python scripts/bigram_baseline.py > /tmp/bigram.jsonl
    python ../shared/eval/score.py ../shared/eval/dev_queries.tsv /tmp/bigram.jsonl

Standard library only; BM25 with k1=1.2, b=0.75 and Lucene's IDF; text is
NFKC-normalised and lower-cased; every bigram of the query is an OR clause.
"""

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from sagashi.analysis.chars import fold  # noqa: E402
from sagashi.domain.records import load_records  # noqa: E402


def bigrams(text: str) -> list[str]:
    text = fold(text)
    return [text[i:i + 2] for i in range(len(text) - 1) if not text[i:i + 2].isspace()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("queries", nargs="?", default=str(REPO.parent / "shared" / "eval" /
                                                      "dev_queries.tsv"))
    ap.add_argument("--data", default=str(REPO / "data" / "projects.tsv"))
    ap.add_argument("--k1", type=float, default=1.2)
    ap.add_argument("--b", type=float, default=0.75)
    args = ap.parse_args()

    records = load_records(args.data).records
    docs = [Counter(bigrams(" ".join((r.entity, r.organization, r.location, r.title,
                                      r.summary)))) for r in records]
    lengths = [sum(d.values()) for d in docs]
    avg = sum(lengths) / len(lengths)
    df = Counter(g for d in docs for g in d)
    n = len(docs)

    lines = Path(args.queries).read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    column = header.index("query")
    for line in lines[1:]:
        if not line.strip():
            continue
        query = line.split("\t")[column]
        scores = []
        for record, doc, length in zip(records, docs, lengths):
            score = 0.0
            for gram in set(bigrams(query)):
                tf = doc.get(gram, 0)
                if tf:
                    idf = math.log(1 + (n - df[gram] + 0.5) / (df[gram] + 0.5))
                    norm = args.k1 * (1 - args.b + args.b * length / avg)
                    score += idf * tf * (args.k1 + 1) / (tf + norm)
            if score > 0:
                scores.append((score, record.no))
        scores.sort(key=lambda x: (-x[0], x[1]))
        hits = [{"no": no, "score": round(s, 4)} for s, no in scores[:10]]
        print(json.dumps({"query": query, "total": len(scores), "hits": hits},
                         ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
