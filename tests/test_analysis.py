"""The Sudachi analysis and its Whoosh tokenizer: golden tests on corpus
sentences, offsets, positions, pickling, chunking and threads."""

from __future__ import annotations

import os
import pickle
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagashi.analysis import (
    SudachiAnalysis,
    SudachiTokenizer,
    japanese_analyzer,
    loose_reading,
    reading_term,
)
from sagashi.analysis.chars import clean
from sagashi.analysis.sudachi import CHUNK_CHARS, chunks

ANALYSIS = SudachiAnalysis()


def words(text: str) -> list[tuple[str, str, int]]:
    return [(u.text, u.level, u.position) for u in ANALYSIS.units(text) if not u.stopped]


# -- golden tests on sentences from data/projects.tsv --------------------------

def test_golden_summary_sentence_no15():
    # No 15: particles (が, や, を) and the symbol-free verb forms
    assert words("外国籍住民が法律や制度を利用するための支援") == [
        ("外国籍", "C", 0), ("外国", "A", 0), ("籍", "A", 1), ("住民", "CA", 2),
        ("法律", "CA", 3), ("制度", "CA", 4), ("利用", "CA", 5), ("為る", "CA", 6),
        ("為", "CA", 7), ("支援", "CA", 8)]


def test_golden_title_no11_folds_latin_and_splits_compounds():
    assert words("SNSを活用したアウトリーチ型在留外国人生活支援") == [
        ("sns", "CA", 0), ("活用", "CA", 1), ("為る", "CA", 2), ("アウトリーチ", "CA", 3),
        ("型", "CA", 4), ("在留", "CA", 5), ("外国人", "C", 6), ("外国", "A", 6),
        ("人", "A", 7), ("生活", "CA", 8), ("支援", "CA", 9)]


def test_golden_address_is_split_into_places():
    assert words("東京都新宿区") == [("東京都新宿区", "C", 0), ("東京", "A", 0), ("都", "A", 1),
                                  ("新宿", "A", 2), ("区", "A", 3)]


def test_compound_parts_make_fukushi_findable():
    texts = [t for t, _, _ in words("社会福祉協議会")]
    assert texts == ["社会福祉協議会", "社会", "福祉", "協議", "会"]


@pytest.mark.parametrize("variant, canonical", [
    ("ＳＮＳ", "sns"), ("ﾎﾞﾗﾝﾃｨｱ", "ボランティア"), ("子ども", "子供"), ("子供", "子供"),
    ("働ける", "働く"), ("ｳｸﾗｲﾅ", "ウクライナ"), ("Ｕｍｉ", "umi"),
])
def test_normalization_folds_width_case_and_spelling(variant, canonical):
    first = [u for u in ANALYSIS.units(variant) if not u.stopped][0]
    assert first.text == canonical


def test_stop_parts_of_speech_are_marked_not_indexed():
    units = ANALYSIS.units("難民のための、シェルター。")
    stopped = {u.surface for u in units if u.stopped}
    assert stopped == {"の", "、", "。"}
    assert "の" not in [t.text for t in japanese_analyzer()("難民のための")]


# -- the Whoosh tokenizer contract ----------------------------------------------

SENTENCE = "ＳＮＳを活用したアウトリーチ型の東京都新宿区での支援。ﾎﾞﾗﾝﾃｨｱ募集！"


def test_offsets_slice_the_original_text():
    kinds = set()
    for t in japanese_analyzer()(SENTENCE, chars=True):
        assert SENTENCE[t.startchar:t.endchar] == t.surface, t.text
        kinds.add(t.kind)
    assert kinds == {"word", "reading", "synonym"}


def test_word_offsets_match_surfaces():
    tokens = [(t.text, t.startchar, t.endchar, t.surface)
              for t in SudachiTokenizer()(SENTENCE, chars=True)]
    for _, start, end, surface in tokens:
        assert SENTENCE[start:end] == surface
    assert ("sns", 0, 3, "ＳＮＳ") in tokens


def test_positions_count_parts_and_skip_stops():
    pos = [(t.text, t.pos) for t in SudachiTokenizer()("東京都新宿区の支援", positions=True)]
    assert pos == [("東京都新宿区", 0), ("東京", 0), ("都", 1), ("新宿", 2), ("区", 3),
                   ("支援", 4)]


def test_start_pos_and_start_char_shift_everything():
    toks = [(t.pos, t.startchar) for t in SudachiTokenizer()("難民支援", positions=True,
                                                               chars=True, start_pos=10,
                                                               start_char=100)]
    assert toks == [(10, 100), (11, 102)]


def test_no_pos_or_chars_unless_asked():
    t = next(iter(SudachiTokenizer()("難民")))
    assert not hasattr(t, "pos") and not hasattr(t, "startchar")


def test_one_token_object_is_reused():
    ids = {id(t) for t in japanese_analyzer()("難民の支援と子どもの居場所")}
    assert len(ids) == 1


def test_removestops_false_yields_stopped_tokens():
    toks = [(t.text, t.stopped) for t in SudachiTokenizer()("難民の支援", removestops=False)]
    assert toks == [("難民", False), ("の", True), ("支援", False)]


def test_tokenize_false_yields_the_whole_value():
    toks = [(t.text, t.pos, t.startchar, t.endchar)
            for t in SudachiTokenizer()("東京都新宿区", tokenize=False, positions=True,
                                        chars=True)]
    assert toks == [("東京都新宿区", 0, 0, 6)]


def test_reading_and_synonym_terms_sit_beside_the_word():
    toks = [(t.text, t.pos) for t in japanese_analyzer()("神戸の子ども", positions=True)]
    assert ("神戸", 0) in toks and ("~コベ", 0) in toks
    assert ("子供", 1) in toks and ("#16008", 1) in toks


def test_query_mode_yields_words_only():
    toks = [t.text for t in japanese_analyzer()("神戸の子ども", mode="query")]
    assert toks == ["神戸", "子供"]


# -- pickling, threads, long input ------------------------------------------------

def test_analyzer_pickles_and_still_works():
    analyzer = japanese_analyzer()
    list(analyzer("ウォームアップ"))  # Sudachi objects exist now; they must not be pickled
    clone = pickle.loads(pickle.dumps(analyzer))
    assert clone == analyzer
    assert [t.text for t in clone("難民支援")] == [t.text for t in analyzer("難民支援")]
    assert b"sudachipy" not in pickle.dumps(analyzer)


def test_each_thread_gets_its_own_tokenizer():
    from sagashi.analysis import sudachi
    seen, errors = [], []

    def work():
        try:
            ANALYSIS.units("スレッドごとの解析")
            seen.append(sudachi._local.tokenizers[("core", os.getpid())])  # kept alive
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({id(t) for t in seen}) == 4


def test_long_input_is_chunked_and_offsets_stay_true():
    text = "外国人の生活相談支援を行う。" * 5000  # 70,000 characters, ~210 KB
    units = ANALYSIS.units(text)
    assert units[-1].end == len(text)
    for u in units[::997]:
        assert text[u.start:u.end] == u.surface
    positions = [u.position for u in units if not u.stopped and u.level != "A"]
    assert positions == sorted(positions)


def test_chunks_cover_the_text_exactly():
    text = ("あ" * 3000 + "。") * 5
    pieces = list(chunks(text, CHUNK_CHARS))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= CHUNK_CHARS for _, p in pieces)
    assert [o for o, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_lone_surrogates_do_not_break_analysis():
    units = ANALYSIS.units("難民\ud800支援")
    assert [u.text for u in units if not u.stopped][0] == "難民"
    assert units[-1].end == 5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_property_offsets_slice_any_text(text):
    units = ANALYSIS.units(text)
    cleaned = clean(text)  # lone surrogates become U+FFFD, same length
    for u in units:
        assert 0 <= u.start <= u.end <= len(text)
        assert cleaned[u.start:u.end] == u.surface
    words_ = [u for u in units if not u.stopped and u.level != "A"]
    assert [u.position for u in words_] == sorted(u.position for u in words_)


# -- readings ----------------------------------------------------------------------

@pytest.mark.parametrize("reading, key", [
    ("コウベ", "コベ"), ("おおさか", "オサカ"), ("トウキョウ", "トキョ"), ("ホッカイドウ", "ホッカイド"),
    ("ボランティア", "ボランテア"), ("ボランテイア", "ボランテア"), ("セーフティーネット", "セフテネット"),
])
def test_loose_reading_folds_long_vowels(reading, key):
    assert loose_reading(reading) == key


def test_reading_term_rejects_non_kana_and_single_kana():
    assert reading_term("コウベ") == "~コベ"
    assert reading_term("sns") is None
    assert reading_term("ク") is None


def test_dictionary_version_is_the_installed_distribution_version():
    from importlib.metadata import version

    from sagashi.analysis.sudachi import _dist_info_version, dictionary_version
    assert dictionary_version("core") == version("sudachidict-core")
    assert _dist_info_version("sudachidict_core") == version("sudachidict-core")
    assert _dist_info_version("no_such_package_here") is None
