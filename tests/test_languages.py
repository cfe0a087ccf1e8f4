"""Queries in residents' own languages: detection, each language's
normalisation, every glossary on a sample of its own entries end to end,
empty answers, the command line and explain. None of these is a dev query."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagashi import UsageError
from sagashi.analysis import SudachiAnalysis
from sagashi.analysis.chinese import to_japanese, to_simplified
from sagashi.domain.glossaries import (
    GLOSSARY_LANGUAGES,
    LANGUAGES,
    chinese_variants,
    glossary,
    read_glossary,
)
from sagashi.errors import DataError
from sagashi.query.interpret import QUERY_STOPWORDS
from sagashi.query.languages import Dropped, Translated, Untranslated, load_languages
from sagashi.query.languages.detect import chinese_marks
from sagashi.query.languages.words import WORDS, fold_latin, tokens

from .conftest import REPO, check_well_formed, nos, run_cli

#: How many of each glossary's own entries are checked end to end.
SAMPLE = 8


@pytest.fixture(scope="module")
def languages():
    return load_languages(SudachiAnalysis())


def language(engine, query):
    return engine.understand(query).language


def forms(code, word):
    table = load_languages(SudachiAnalysis()).table(code)
    return table.forms(word)


# -- detection ----------------------------------------------------------------------

@pytest.mark.parametrize("query, code", [
    ("hỗ trợ người nước ngoài ở Osaka", "vi"),
    ("ho tro nguoi nuoc ngoai", "vi"),  # Vietnamese without its diacritics
    ("apoio para mães solteiras", "pt"),
    ("apoyo para madres solteras", "es"),
    ("tulong para sa mga bata", "tl"),
    ("bantuan untuk anak-anak", "id"),
    ("बालबालिकाको शिक्षा", "ne"),
    ("balbalikako shiksha", "ne"),  # romanized Nepali
    ("외국인 주민 상담", "ko"),
    ("外国人居民咨询", "zh"),  # simplified: 询 and 咨 are not Japanese
    ("醫療與法律諮詢", "zh"),  # traditional: 醫 is not how Japanese writes it
    ("外籍女性", "zh"),  # Japanese characters, but no record reads 外籍 as Japanese
    ("where can i get legal advice", "en"),
    ("医療相談", "ja"),
    ("熊本で日本語を教えている団体は？", "ja"),
    ("POSSE", "ja"),  # a name: no glossary lists it
    ("NPO 兵庫", "ja"),  # Japanese writes NPO, SNS, DV the same way
    ("アウトリーチ AND SNS", "ja"),  # operators are no words
    ("brasil", "vi"),  # listed by several glossaries alike: still translated
])
def test_the_language_is_detected_from_script_and_words(engine, query, code):
    assert language(engine, query) == code


def test_engine_language_says_what_a_query_is_read_in(engine):
    assert engine.language("apoio jurídico") == "pt"
    assert engine.understand("brasil").concepts[0].translated == ("ブラジル",)
    with pytest.raises(UsageError):
        engine.language("")


def test_mixed_queries_are_read_in_the_residents_language(engine):
    assert language(engine, "lớp học tiếng Nhật 熊本") == "vi"
    assert language(engine, "japanese class 熊本") == "en"
    # a Latin word written against Japanese is part of the Japanese
    assert language(engine, "SNSを活用した支援") == "ja"


def test_lang_overrides_detection(engine):
    results = engine.search("pobreza infantil", language="es")
    assert results.language == "es"
    assert engine.search("pobreza infantil").language == "pt"  # a tie is the first listed
    assert engine.understand("ajuda", language="PT").language == "pt"


def test_an_unknown_language_code_is_a_usage_error(engine):
    with pytest.raises(UsageError, match="unknown language") as e:
        engine.search("ajuda", language="xx")
    assert "vi" in e.value.hint


def test_chinese_marks():
    assert chinese_marks("语言") and chinese_marks("學習")
    assert not chinese_marks("日本語教室") and not chinese_marks("難民")


# -- each language's words -----------------------------------------------------------

def test_diacritics_and_case_fold():
    assert fold_latin("Người Tị Nạn") == "nguoi ti nan"
    assert fold_latin("Educação") == "educacao" and fold_latin("NIÑOS") == "ninos"
    assert fold_latin("Đà Nẵng") == "da nang"


def test_vietnamese_and_portuguese_match_without_diacritics(engine):
    assert engine.understand("nguoi ti nan").concepts[0].translated == \
        engine.understand("người tị nạn").concepts[0].translated
    assert set(nos(engine.search("aulas de japones"))) == \
        set(nos(engine.search("aulas de japonês")))


def test_plural_endings_come_off_only_for_listed_words():
    assert forms("pt", "trabalhadores")[-1] == "trabalhador"
    assert forms("es", "refugiadas")[-1] in ("refugiada", "refugiado")
    assert forms("en", "volunteers")[-1] == "volunteer"
    assert "estudar" in forms("pt", "estudam") and "aprender" in forms("es", "aprendo")


def test_korean_particles_come_off_only_for_listed_words():
    assert forms("ko", "난민을") == ("난민",)
    assert forms("ko", "아이들의")[-1] == "아이"  # plural and particle
    assert forms("ko", "지원하는")[-1] == "지원"  # a 하다 ending
    assert forms("ko", "아이")[0] == "아이"  # listed as it is: 이 is not cut off


def test_korean_compounds_split_into_listed_words(languages):
    pieces = languages.read("외국인노동자상담을", "ko")
    assert [p.terms[0] for p in pieces if isinstance(p, Translated)] == ["外国人労働者", "相談"]


def test_nepali_postpositions_come_off_only_for_unlisted_words():
    assert "शरणार्थी" in forms("ne", "शरणार्थीहरूलाई")  # two suffixes
    assert forms("ne", "ओसाका")[0] == "ओसाका"  # ends like मा/का, but listed
    assert "sharanarthi" in forms("ne", "sharanarthiharulai")
    # phone keyboards put joiners inside conjuncts
    assert WORDS["ne"].fold("शरणार्\u200dथी") == "शरणार्थी"


def test_indonesian_reduplication_and_clitics():
    assert forms("id", "anak-anak") == ("anak",)
    assert forms("id", "bantuannya") == ("bantuan",)
    assert forms("id", "laki-laki")[0] == "laki-laki"  # listed as it is


def test_tagalog_linker_and_word_order(languages):
    assert forms("tl", "dayuhang")[0] == "dayuhang"
    [piece] = [p for p in languages.read("manggagawang dayuhan", "tl")
               if isinstance(p, Translated)]
    assert piece.terms[0] == "外国人労働者"


def test_chinese_converts_to_japanese_characters():
    assert to_japanese("越南人就业支援") == "越南人就業支援"
    assert to_japanese("醫療") == "医療"
    assert to_japanese("雇用和连携") == "雇用和連携"  # OpenCC gives 僱 and 攜: repaired
    assert to_simplified("醫療諮詢") == "医疗咨询"


def test_chinese_glossary_words_and_the_rest_in_japanese(languages):
    pieces = languages.read("我想找难民的法律咨询", "zh")
    translated = [p.terms[0] for p in pieces if isinstance(p, Translated)]
    rest = [p.text for p in pieces if isinstance(p, Untranslated)]
    assert "法律相談" in translated and any("難民" in r for r in rest)
    assert any(isinstance(p, Dropped) for p in pieces)  # 我想找


def test_the_chinese_variant_list_matches_opencc():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from make_zh_variants import variants
    finally:
        sys.path.pop(0)
    assert frozenset(variants()) == chinese_variants()


def test_phrases_match_before_function_words_drop(languages):
    pieces = languages.read("karahasan sa tahanan", "tl")
    assert [type(p) for p in pieces] == [Translated]
    assert pieces[0].terms[0] == "DV"


def test_words_are_found_in_latin_hangul_and_devanagari():
    assert [t.script for t in tokens("abc 난민 शरणार्थी")] == ["latin", "hangul", "devanagari"]
    assert [t.text for t in tokens("¿Dónde hay mag-aaral?")] == ["Dónde", "hay", "mag-aaral"]


# -- every glossary, on a sample of its own entries ---------------------------------

def _sample(engine, code):
    """Entries whose Japanese finds something and is not question
    scaffolding (団体, 情報: dropped, tested below)."""
    entries = [e for e in glossary(code) if e.terms and e.terms[0] not in QUERY_STOPWORDS]
    random.Random(f"sagashi-{code}").shuffle(entries)
    out = []
    for entry in entries:
        if engine.search(entry.terms[0], limit=3, language="ja").total:
            out.append(entry)
        if len(out) == SAMPLE:
            break
    return out


@pytest.mark.parametrize("code", GLOSSARY_LANGUAGES)
def test_glossary_entries_find_what_their_japanese_finds(engine, code):
    for entry in _sample(engine, code):
        japanese = nos(engine.search(entry.terms[0], limit=3, language="ja"))
        results = engine.search(entry.key, limit=100, language=code)
        assert results.language == code
        assert set(japanese) <= set(nos(results)), (entry.key, entry.terms[0])


@pytest.mark.parametrize("code", GLOSSARY_LANGUAGES)
def test_every_glossary_loads_and_says_where_it_comes_from(code):
    entries = glossary(code)
    assert len(entries) > 400
    head = (REPO / "data" / f"glossary_{code}.tsv").read_text(encoding="utf-8")[:2000]
    assert "glossary" in head.lower() and ("source" in head.lower() or "come from" in head)


def test_a_broken_glossary_line_names_file_and_line(tmp_path):
    path = tmp_path / "glossary_xx.tsv"
    path.write_text("# a comment\nxx\tjapanese\nabc\t支援\nabc\t相談\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"glossary_xx.tsv:4: 'abc' is listed twice"):
        read_glossary(path)
    path.write_text("xx\tjapanese\nabc\t支援,,相談\n", encoding="utf-8")
    with pytest.raises(DataError, match=":2: an empty term"):
        read_glossary(path)
    path.write_text("xx\tjapanese\nabc 支援\n", encoding="utf-8")
    with pytest.raises(DataError, match=":2: a glossary line holds"):
        read_glossary(path)


def test_words_translated_to_japanese_scaffolding_are_dropped(engine):
    # Japanese drops 団体 and 情報 from a question; so do their translations
    understood = engine.understand("organizações que ajudam mulheres")
    assert understood.language == "pt"
    assert [c.translated[0] for c in understood.concepts] == ["支援", "女性"]


# -- empty answers ------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "dự báo thời tiết ngày mai",  # vi: tomorrow's weather forecast
    "previsão do tempo para amanhã",  # pt
    "receta de pastel de chocolate",  # es
    "presyo ng ginto ngayon",  # tl: the price of gold today
    "resep kue coklat",  # id: chocolate cake recipe
    "भोलिको मौसम",  # ne: tomorrow's weather
    "내일 날씨 예보",  # ko: tomorrow's weather forecast
    "明天股票价格",  # zh: tomorrow's share prices
    "stock market prices tomorrow",  # en
])
def test_a_query_no_record_covers_finds_nothing_in_any_language(engine, query):
    assert engine.search(query).total == 0


@pytest.mark.parametrize("query, code", [
    ("where can i find", "en"), ("para que", "es"), ("của những", "vi"),
    ("어디 있나요", "ko"), ("有没有", "zh"), ("apakah ada", "id"),
])
def test_a_query_of_function_words_only_finds_nothing(engine, query, code):
    results = engine.search(query, language=code)
    assert results.total == 0 and results.language == code


# -- results, the command line and explain -------------------------------------------

def test_explain_shows_each_translation(engine):
    understood = engine.understand("phụ nữ tị nạn")
    assert understood.language == "vi"
    women = next(c for c in understood.concepts if c.label == "phụ nữ")
    assert women.language == "vi" and women.translated == ("女性",)
    results = engine.search("phụ nữ tị nạn", explain=True)
    assert "phụ nữ → 女性 (vi): 女性 (glossary, 0.8)" in results.interpretation[0]
    assert "SudachiDict synonyms of 女性" in results.interpretation[0]
    assert any(m.source.startswith("glossary") for hit in results for m in hit.explain)


def test_cli_lang_and_the_json_language_field(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "refugiados", "--json", "--index", corpus_index)
    assert code == 0 and json.loads(out)["language"] == "pt"
    code, out, _ = run_cli(capsys, "search", "refugiados", "--lang", "es", "--json",
                           "--index", corpus_index)
    assert json.loads(out)["language"] == "es" and json.loads(out)["total"] > 0
    code, out, _ = run_cli(capsys, "search", "難民", "--json", "--index", corpus_index)
    assert json.loads(out)["language"] == "ja"


def test_cli_text_output_says_how_the_query_was_read(capsys, corpus_index):
    code, out, _ = run_cli(capsys, "search", "người tị nạn", "--explain", "--color", "never",
                           "--index", corpus_index)
    assert code == 0 and "(read as Vietnamese)" in out
    assert "tị nạn → 難民 (vi)" in out or "người tị nạn → 難民 (vi)" in out


def test_cli_unknown_lang_is_a_usage_error(capsys, corpus_index):
    code, _, err = run_cli(capsys, "search", "ajuda", "--lang", "xx", "--index", corpus_index)
    assert code == 2 and "invalid choice" in err


def test_the_cli_help_lists_every_language(capsys):
    code, out, _ = run_cli(capsys, "search", "--help")
    text = " ".join(out.split())
    assert code == 0 and "--lang CODE" in text
    assert all(f"{code} ({name})" in text for code, name in LANGUAGES.items())


def test_opencc_loads_only_for_chinese_queries(corpus_index):
    script = (
        "import sys\n"
        "from sagashi import Engine\n"
        f"e = Engine({str(corpus_index)!r})\n"
        "for q in ('難民 シェルター', 'refugee women', 'người tị nạn', '난민 여성'):\n"
        "    e.search(q)\n"
        "print('opencc' in sys.modules)\n"
        "e.search('难民女性')\n"
        "print('opencc' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    assert out == ["False", "True"]


def test_mixed_language_and_japanese_words_both_count(engine):
    both = set(nos(engine.search("người tị nạn 名古屋")))
    assert 10 in both  # 名古屋難民支援室
    assert nos(engine.search("người tị nạn 名古屋"))[0] == 10


# -- any text, in any language ----------------------------------------------------

_WORDS = st.sampled_from([
    "người", "tị nạn", "de", "aulas", "japonês", "mga", "sa", "anak-anak", "bantuannya",
    "शरणार्थीहरूलाई", "मा", "난민을", "지원하는", "외국인노동자상담", "难民", "醫療", "的", "吗",
    "where", "can", "refugees", "熊本", "日本語教室", "NPO", "-", "\"", "AND", "(", "title:",
    "ẩn", "\u200d", "¿", "ñ", "𠮟", "\ufffd", " ",
])


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORDS | st.text(max_size=6), min_size=1, max_size=8),
       code=st.sampled_from([None, *LANGUAGES]))
def test_no_text_in_any_language_breaks_a_search(engine, words, code):
    query = " ".join(words)
    if not query.strip():
        return
    results = engine.search(query[:1000], language=code)
    check_well_formed(results)
    assert results.language in LANGUAGES
