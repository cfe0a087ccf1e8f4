#!/usr/bin/env python3
"""Generate a synthetic corpus of N project records, for benchmarks.

Usage: python scripts/make_corpus.py N --output FILE [--seed S]

The records have the shape of the bundled corpus (data/projects.tsv) and the
same TSV format, and they are deterministic for a given seed (and the same
SudachiDict):

- Structure comes from the real corpus. Titles and summaries are the real
  ones with their nouns replaced: each real title or sentence is analysed
  once, and every common-noun unit becomes a slot. Summaries join one to
  as many real sentences as a real summary has; some titles carry a real subtitle. Entity types
  follow the real distribution (mostly 特非), locations are a prefecture
  (weighted by population) with a city, and organization names follow the
  real patterns (place + nouns + 協会, katakana + 支援会, an acronym ...).
- The vocabulary is wide and Zipf-distributed: the real corpus's nouns,
  most frequent first, then common nouns from SudachiDict's lexicon
  (``Dictionary.entries()``) in a seeded order. A slot draws rank r with
  probability proportional to 1 / (r + 2.7), so 支援 is everywhere and
  most words occur in a handful of records.

Progress goes to stderr; the file is written atomically.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import re
import string
import sys
import time
from collections import Counter
from pathlib import Path

from sagashi.analysis import SudachiAnalysis
from sagashi.domain.records import COLUMNS, load_records
from sagashi.domain.resources import default_data_path, read_table

#: Zipf-Mandelbrot parameters of the noun vocabulary.
ZIPF_S, ZIPF_Q = 1.0, 2.7
#: Chance that a noun slot keeps the real word, and that it becomes two nouns.
KEEP_REAL, COMPOUND = 0.15, 0.15
#: Lexicon words: kanji or katakana only, 2 to 6 characters.
_WORD = re.compile(r"^[\u4e00-\u9fff\u30a1-\u30fa\u30fc]{2,6}$")
_KANJI_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]{3,8}$")
#: Common-noun subclasses the lexicon draws from.
_NOUN_CLASSES = {("普通名詞", "一般"), ("普通名詞", "サ変可能"), ("普通名詞", "形状詞可能")}

#: Legal entity types, weighted like the real corpus (12 of 17 are 特非).
ENTITIES = {"特非": 60, "任意団体": 10, "一社": 8, "公社": 5, "福": 5, "公財": 3, "一財": 3,
            "学": 2, "生協": 2, "株": 2}
#: Population of each prefecture in 10,000s (2020 census, rounded), in JIS order.
POPULATION = (522, 124, 121, 230, 96, 107, 183, 287, 193, 194, 734, 628, 1405, 924, 220,
              103, 113, 77, 81, 205, 198, 363, 754, 177, 141, 258, 884, 547, 132, 92, 55,
              67, 189, 280, 134, 72, 95, 133, 69, 514, 81, 131, 174, 112, 107, 159, 147)
ORG_SUFFIXES = ("協会", "支援会", "の会", "会", "相談会", "センター", "ネットワーク", "支援室",
                "事業団", "オフィス", "研究所", "機構", "クラブ", "協議会", "連絡会", "フォーラム")


class Vocabulary:
    """Nouns by rank, drawn Zipf-style."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        weights = (1.0 / (r + ZIPF_Q) ** ZIPF_S for r in range(1, len(words) + 1))
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self.cum, rng.random() * self.total)]


def lexicon(seed: int) -> tuple[list[str], list[str], list[str]]:
    """Common nouns, kanji place stems and katakana names from SudachiDict,
    each sorted then shuffled with ``seed`` (entries() has no fixed order)."""
    from sudachipy import Dictionary
    dic = Dictionary(dict="core")
    kinds: dict[int, int] = {}  # part-of-speech id -> 0 noun, 1 place, 2 name
    for pos_id in itertools.count():
        pos = dic.pos_of(pos_id)
        if pos is None:
            break
        if pos[0] == "名詞" and pos[1:3] in _NOUN_CLASSES:
            kinds[pos_id] = 0
        elif pos[:3] == ("名詞", "固有名詞", "地名"):
            kinds[pos_id] = 1
        elif pos[:3] == ("名詞", "固有名詞", "一般"):
            kinds[pos_id] = 2
    found: tuple[set, set, set] = (set(), set(), set())
    shapes = (_WORD, _KANJI_PLACE, _KATAKANA)
    for m in dic.entries():
        kind = kinds.get(m.part_of_speech_id())
        if kind is None:
            continue
        surface = m.surface()
        if shapes[kind].match(surface) and surface == m.normalized_form():
            found[kind].add(surface)
    out = []
    for words in found:
        ordered = sorted(words)
        random.Random(seed).shuffle(ordered)
        out.append(ordered)
    return out[0], out[1], out[2]


def template(analysis: SudachiAnalysis, text: str, counts: Counter) -> list:
    """``text`` as a list of literal strings and ``None`` noun slots; the
    replaced nouns are counted in ``counts``."""
    parts, at = [], 0
    for unit in analysis.units(text):
        if unit.level == "A":
            continue
        if unit.start > at:
            parts.append(text[at:unit.start])
        if (not unit.stopped and unit.pos[:2] == ("名詞", "普通名詞")
                and _WORD.match(unit.surface)):
            parts.append(None)
            parts.append(unit.surface)  # the real word, kept now and then
            counts[unit.surface] += 1
        else:
            parts.append(unit.surface)
        at = unit.end
    parts.append(text[at:])
    return parts


class Generator:
    """Records from real templates and a Zipf vocabulary."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        analysis = SudachiAnalysis()
        real = load_records(default_data_path()).records
        counts: Counter = Counter()
        self.titles, self.subtitles, self.sentences = [], [], []
        self.sentence_counts = []
        for r in real:
            main, _, sub = r.title.partition(" —")
            self.titles.append(template(analysis, main, counts))
            if sub:
                self.subtitles.append(template(analysis, " —" + sub, counts))
            sentences = re.findall(r"[^。]+。?", r.summary)
            self.sentence_counts.append(len(sentences))
            for sentence in sentences:
                self.sentences.append(template(analysis, sentence, counts))
        head = [w for w, _ in counts.most_common()]
        nouns, self.place_stems, self.names = lexicon(seed)
        seen = set(head)
        self.vocab = Vocabulary(head + [w for w in nouns if w not in seen])
        prefs = read_table("prefectures.tsv")
        self.prefectures = [(row["prefecture"], row["short"]) for row in prefs]
        self.pref_cum = list(itertools.accumulate(POPULATION[:len(prefs)]))
        self.cities: dict[str, list[str]] = {}
        for row in read_table("cities.tsv"):
            self.cities.setdefault(row["prefecture"], []).append(row["city"])
        self.entity_codes = list(ENTITIES)
        self.entity_cum = list(itertools.accumulate(ENTITIES.values()))

    def noun(self) -> str:
        word = self.vocab.draw(self.rng)
        if self.rng.random() < COMPOUND:
            word += self.vocab.draw(self.rng)
        return word

    def fill(self, parts: list) -> str:
        out, slot = [], False
        for part in parts:
            if part is None:
                slot = True
                continue
            if slot:
                out.append(part if self.rng.random() < KEEP_REAL else self.noun())
                slot = False
            else:
                out.append(part)
        return "".join(out)

    def location(self) -> tuple[str, str]:
        """An address and the short prefecture name."""
        rng = self.rng
        pref, short = rng.choices(self.prefectures, cum_weights=self.pref_cum)[0]
        cities = self.cities.get(pref, [])
        if cities and rng.random() < 0.6:
            city = rng.choice(cities)
            return (city if rng.random() < 0.15 and city.endswith("市") else pref + city), short
        stem = rng.choice(self.place_stems)
        return pref + stem + rng.choices(("市", "町", "村"), (70, 25, 5))[0], short

    def organization(self, place: str) -> str:
        rng = self.rng
        kind = rng.randrange(7)
        if kind == 0:
            return place + self.noun() + rng.choice(ORG_SUFFIXES)
        if kind == 1:
            return rng.choice(self.names) + rng.choice(ORG_SUFFIXES)
        if kind == 2:
            return self.noun() + "と" + self.noun() + rng.choice(("の会", "研究センター",
                                                                 "ネットワーク"))
        if kind == 3:
            acronym = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 5)))
            return acronym + rng.choice(("", " Japan", "ジャパン", "サービス"))
        if kind == 4:
            return rng.choice(self.names) + rng.choice(("", "ズ")) + place
        return self.noun() + self.noun() + rng.choice(ORG_SUFFIXES)

    def record(self, no: int) -> tuple:
        rng = self.rng
        entity = "(" + rng.choices(self.entity_codes, cum_weights=self.entity_cum)[0] + ")"
        location, short = self.location()
        title = self.fill(rng.choice(self.titles))
        if rng.random() < 0.35:
            title += self.fill(rng.choice(self.subtitles))
        summary = "".join(self.fill(rng.choice(self.sentences))
                          for _ in range(rng.choice(self.sentence_counts)))
        return (str(no), entity, self.organization(short), location, title, summary)


def clean(value: str) -> str:
    return value.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, metavar="N", help="number of records")
    ap.add_argument("--output", "-o", required=True, metavar="FILE", help="TSV file to write")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    started = time.perf_counter()
    gen = Generator(args.seed)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(ja for _, ja in COLUMNS) + "\n")
        for no in range(1, args.n + 1):
            f.write("\t".join(map(clean, gen.record(no))) + "\n")
            if no % 100_000 == 0:
                print(f"make_corpus: {no:,} records", file=sys.stderr)
    os.replace(tmp, out)
    print(f"make_corpus: wrote {args.n:,} records to {out} in "
          f"{time.perf_counter() - started:.1f} s (vocabulary {len(gen.vocab.words):,} nouns)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
