"""Random Japanese-like documents over a Zipf vocabulary, the schema they
are indexed with, and random queries over them (shared by the tests)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from whoosh import analysis, fields, index, query
from whoosh.query import spans

KANA = ("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
        "がぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽ")
KANJI = "日本語学校会社支援外国人事業活動地域福祉教育文化環境医療団体法人協会財団市町村県都"


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """``size`` distinct words of 1 to 4 kana or kanji."""
    words: set[str] = set()
    chars = KANA + KANJI
    while len(words) < size:
        words.add("".join(rng.choice(chars) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def zipf_words(vocab: list[str], count: int, rng: np.random.Generator, s: float = 1.1) -> list[str]:
    """``count`` words drawn with probability ~ 1 / rank**s."""
    ranks = np.arange(1, len(vocab) + 1)
    p = 1.0 / ranks ** s
    return [vocab[i] for i in rng.choice(len(vocab), size=count, p=p / p.sum())]


def analyzer():
    """A whitespace tokenizer: no lowercasing, no stop words."""
    return analysis.SpaceSeparatedTokenizer()


def make_schema() -> fields.Schema:
    ws = analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        cat=fields.ID(stored=True, sortable=True),
        title=fields.TEXT(analyzer=ws, phrase=True, stored=True),        # <= 10 tokens
        body=fields.TEXT(analyzer=ws, phrase=True, stored=True),
        summary=fields.TEXT(analyzer=ws, phrase=True, chars=True, stored=True),
        tags=fields.KEYWORD(stored=True),
    )


TEXT_FIELDS = ("title", "body", "summary")
CATEGORIES = ("npo", "corp", "city", "school", "other")


def make_docs(n: int, seed: int = 7, vocab_size: int = 3000) -> list[dict]:
    """``n`` documents; titles have at most 10 words, so W3's one-byte
    length of a title is exact."""
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    vocab = vocabulary(vocab_size, rnd)
    docs = []
    for i in range(n):
        docs.append({
            "id": f"d{i:05d}",
            "cat": CATEGORIES[int(rng.integers(len(CATEGORIES)))],
            "title": " ".join(zipf_words(vocab, int(rng.integers(1, 11)), rng)),
            "body": " ".join(zipf_words(vocab, int(rng.integers(20, 160)), rng)),
            "summary": " ".join(zipf_words(vocab, int(rng.integers(5, 40)), rng)),
            "tags": " ".join(zipf_words(vocab[:40], int(rng.integers(0, 4)), rng)),
        })
    return docs


@dataclass(frozen=True)
class Plan:
    """How the test index is built: documents split into segments, then
    some deleted by id."""

    docs: tuple
    cuts: tuple = (0, 220, 420, 600)
    deleted: tuple = ()


def default_plan(n: int = 360) -> Plan:
    docs = tuple(make_docs(n))
    rnd = random.Random(11)
    deleted = tuple(sorted(rnd.sample([d["id"] for d in docs], n // 15)))
    return Plan(docs, (0, n * 11 // 30, n * 7 // 10, n), deleted)


def build(dirname, plan: Plan, codec, storage=None):
    """Index ``plan`` into a new index with ``codec`` (one commit per
    segment, no merging), delete its documents, return the index."""
    ix = storage.create_index(make_schema()) if storage is not None else index.create_in(
        dirname, make_schema())
    for start, end in zip(plan.cuts, plan.cuts[1:]):
        w = ix.writer(codec=codec)
        for doc in plan.docs[start:end]:
            w.add_document(**doc)
        w.commit(merge=False)
    if plan.deleted:
        w = ix.writer(codec=codec)
        for doc_id in plan.deleted:
            w.delete_by_term("id", doc_id)
        w.commit(merge=False)
    return ix


def random_queries(docs, count: int, seed: int = 3) -> list[query.Query]:
    """Queries of every kind, over words that occur in ``docs``."""
    rnd = random.Random(seed)
    makers = [_term, _and, _or, _not, _phrase, _prefix, _dismax, _nested, _wildcard, _span]
    return [rnd.choice(makers)(docs, rnd) for _ in range(count)]


def _word(docs, rnd, field=None) -> tuple[str, str]:
    field = field or rnd.choice(TEXT_FIELDS)
    words = rnd.choice(docs)[field].split()
    while not words:
        words = rnd.choice(docs)[field].split()
    return field, rnd.choice(words)


def _term(docs, rnd):
    if rnd.random() < 0.15:
        return query.Term("cat", rnd.choice(CATEGORIES))
    if rnd.random() < 0.1:
        doc = rnd.choice(docs)
        if doc["tags"]:
            return query.Term("tags", rnd.choice(doc["tags"].split()))
    return query.Term(*_word(docs, rnd), boost=rnd.choice((1.0, 1.0, 2.5)))


def _and(docs, rnd):
    field = rnd.choice(TEXT_FIELDS)
    return query.And([query.Term(*_word(docs, rnd, field)) for _ in range(rnd.randint(2, 3))])


def _or(docs, rnd):
    return query.Or([query.Term(*_word(docs, rnd)) for _ in range(rnd.randint(2, 5))])


def _not(docs, rnd):
    return query.And([query.Term(*_word(docs, rnd, "body")),
                      query.Not(query.Term(*_word(docs, rnd, "body")))])


def _phrase(docs, rnd):
    field = rnd.choice(TEXT_FIELDS)
    words = rnd.choice(docs)[field].split()
    if len(words) < 2:
        return _term(docs, rnd)
    n = rnd.randint(2, min(3, len(words)))
    at = rnd.randint(0, len(words) - n)
    return query.Phrase(field, words[at:at + n], slop=rnd.choice((1, 1, 2)))


def _prefix(docs, rnd):
    field, word = _word(docs, rnd)
    return query.Prefix(field, word[:1])


def _wildcard(docs, rnd):
    field, word = _word(docs, rnd)
    return query.Wildcard(field, "*" + word[-1:])


def _dismax(docs, rnd):
    word = _word(docs, rnd)[1]
    return query.DisjunctionMax([query.Term(f, word) for f in TEXT_FIELDS],
                                tiebreak=rnd.choice((0.0, 0.1, 0.5)))


def _span(docs, rnd):
    field = rnd.choice(("body", "summary"))
    words = rnd.choice(docs)[field].split()
    a, b = rnd.choice(words), rnd.choice(words)
    return spans.SpanNear(query.Term(field, a), query.Term(field, b), slop=rnd.randint(1, 4))


def _nested(docs, rnd):
    parts = [rnd.choice([_and, _or, _phrase, _dismax, _term])(docs, rnd) for _ in range(3)]
    if rnd.random() < 0.5:
        return query.Or(parts)
    return query.And([query.Or(parts[:2]), query.Or([parts[2], query.Term(*_word(docs, rnd))])])
