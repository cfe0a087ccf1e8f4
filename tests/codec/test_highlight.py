"""Whoosh's highlighter gives the same fragments over both codecs."""

from __future__ import annotations

import random

from whoosh import highlight, query


def highlights(searcher, q, field, fragmenter):
    results = searcher.search(q, limit=None, terms=True)
    results.fragmenter = fragmenter
    results.formatter = highlight.UppercaseFormatter()
    return {searcher.stored_fields(h.docnum)["id"]: h.highlights(field, top=2) for h in results}


def phrase_or_terms(docs, rnd, field):
    words = rnd.choice(docs)[field].split()
    if rnd.random() < 0.5 and len(words) > 2:
        at = rnd.randint(0, len(words) - 2)
        return query.Phrase(field, words[at:at + 2])
    return query.Or([query.Term(field, w) for w in rnd.sample(words, min(2, len(words)))])


def test_highlights_equal(w3_ix, array_ix, plan):
    rnd = random.Random(17)
    fragmenters = [("body", highlight.ContextFragmenter(maxchars=60, surround=10)),
                   ("summary", highlight.PinpointFragmenter(maxchars=40, surround=8)),
                   ("summary", highlight.SentenceFragmenter()),
                   ("title", highlight.WholeFragmenter())]
    checked = 0
    with w3_ix.searcher() as sw, array_ix.searcher() as sa:
        for _ in range(40):
            for field, fragmenter in fragmenters:
                q = phrase_or_terms(plan.docs, rnd, field)
                got = highlights(sa, q, field, fragmenter)
                assert got == highlights(sw, q, field, fragmenter), q
                checked += sum(1 for v in got.values() if v)
    assert checked > 100


def test_pinpoint_reads_characters_from_postings(array_ix, plan):
    """The pinpoint fragmenter takes offsets from the postings
    (value_as("characters")), never re-tokenizing."""
    hl = highlight.Highlighter(fragmenter=highlight.PinpointFragmenter(surround=5))
    word = plan.docs[3]["summary"].split()[1]
    with array_ix.searcher() as sa:
        results = sa.search(query.Term("summary", word), terms=True, limit=None)
        assert hl.can_load_chars(results, "summary")
        for hit in results:
            text = hl.highlight_hit(hit, "summary")
            assert word + "</b>" in text
