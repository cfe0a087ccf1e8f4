"""The library: build, search, highlight, show and similar on the bundled corpus."""

from __future__ import annotations

import dataclasses

import pytest

from sagashi import Engine, EngineClosedError, IndexMissingError, NotFoundError, UsageError
from sagashi.results import Hit, SearchResults

from .conftest import DATA, HEADER, nos


def test_medical_care_without_status_ranks_project_5_first(engine):
    assert nos(engine.search("在留資格のない外国人の医療"))[0] == 5


def test_shinjuku_returns_its_three_projects_first(engine):
    assert sorted(nos(engine.search("新宿"))[:3]) == [6, 7, 8]


def test_results_are_plain_frozen_dataclasses(engine):
    results = engine.search("難民")
    assert isinstance(results, SearchResults) and isinstance(results[0], Hit)
    with pytest.raises(dataclasses.FrozenInstanceError):
        results[0].no = 99  # type: ignore[misc]
    assert "whoosh" not in type(results[0].snippet).__module__


def test_hit_carries_every_column(engine):
    hit = engine.search("北関東医療相談会")[0]
    assert (hit.no, hit.organization, hit.location, hit.entity) == (
        5, "北関東医療相談会", "群馬県太田市", "(特非)")
    assert hit.title.startswith("社会的周縁化") and hit.summary.startswith("主に在留資格")
    assert hit.prefecture == "群馬県" and hit.score > 0


def test_snippet_spans_mark_the_matched_words(engine):
    hit = engine.search("シェルター運営")[0]
    assert hit.no == 10
    marked = {hit.snippet.text[s:e] for s, e in hit.snippet.spans}
    assert {"シェルター", "運営"} <= marked


def test_snippet_spans_point_into_the_snippet_text(engine):
    for hit in engine.search("外国人 支援", limit=17):
        for s, e in hit.snippet.spans:
            assert 0 <= s < e <= len(hit.snippet.text)


def test_highlight_matches_normalized_forms(engine):
    # the query writes 子供, the record 子ども: the record's own text is marked
    hit = next(h for h in engine.search("子供の居場所") if h.no == 15)
    assert "子ども" in {hit.snippet.text[s:e] for s, e in hit.snippet.spans}


def test_limit_caps_the_hits_but_not_the_total(engine):
    results = engine.search("支援", limit=3)
    assert len(results) == 3 and results.total > 3


@pytest.mark.parametrize("limit", [0, -1, 1001, "10", 2.5, True])
def test_bad_limits_raise_usage_error(engine, limit):
    with pytest.raises(UsageError, match="limit"):
        engine.search("難民", limit=limit)


def test_offset_pages_through_the_same_ranking(engine):
    everything = engine.search("支援", limit=20, facets=True)
    pages = [engine.search("支援", limit=5, offset=o, facets=True) for o in (0, 5, 10, 15)]
    assert [n for page in pages for n in nos(page)] == nos(everything)
    assert {page.total for page in pages} == {everything.total}
    assert all(page.facets == everything.facets for page in pages)


def test_an_offset_past_the_last_hit_gives_no_hits_but_the_total(engine):
    results = engine.search("難民", offset=100)
    assert results.hits == () and results.total == len(engine.search("難民"))


@pytest.mark.parametrize("offset", [-1, 1001, "5", 2.5, True, None])
def test_bad_offsets_raise_usage_error(engine, offset):
    with pytest.raises(UsageError, match="offset"):
        engine.search("難民", offset=offset)


def test_show_returns_one_project_in_full(engine):
    p = engine.get(13)
    assert p.organization == "日本国際社会事業団 (ISSJ)" and p.entity == "(福)"
    assert p.prefecture == "東京都"
    with pytest.raises(NotFoundError, match="No 99"):
        engine.get(99)


def test_similar_finds_related_projects_but_not_itself(engine):
    results = engine.similar(10)  # 名古屋難民支援室: refugees
    found = nos(results)
    assert 10 not in found
    assert found[0] in (3, 6, 12, 13)  # the other projects about refugees and migrants


def test_round_trip_in_a_temporary_folder(tmp_path):
    from sagashi.index.build import build_index
    data = tmp_path / "mini.tsv"
    data.write_text(HEADER +
                    "1\t(特非)\tさくら日本語教室\t熊本県熊本市\t日本語教室の運営\t子どもに日本語を教える\n"
                    "2\t(一社)\tみなと相談室\t大阪市港区\t外国人相談窓口\t生活相談と通訳\n",
                    encoding="utf-8")
    report = build_index(data, tmp_path / "ix")
    assert (report.records_read, report.records_indexed) == (2, 2)
    with Engine(tmp_path / "ix") as engine:
        assert nos(engine.search("日本語教室")) == [1]
        assert nos(engine.search("通訳")) == [2]
        hit = engine.search("通訳")[0]
        assert hit.snippet.marked() == "生活相談と[通訳]"


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexMissingError, match="no index at") as e:
        Engine(tmp_path / "nothing")
    assert "sagashi index build" in e.value.hint


def test_closed_engine_raises_a_typed_error(corpus_index):
    engine = Engine(corpus_index)
    engine.close()
    with pytest.raises(EngineClosedError, match="closed"):
        engine.search("難民")


def test_engine_sees_a_reindex_without_reopening(fresh_index, tmp_path):
    from sagashi.index.build import build_index
    with Engine(fresh_index) as engine:
        assert engine.search("難民").total > 0
        data = tmp_path / "one.tsv"
        data.write_text(HEADER +
                        "1\t(特非)\t宇宙協会\t東京都港区\t宇宙旅行\t月へ行く\n", encoding="utf-8")
        build_index(data, fresh_index)
        assert nos(engine.search("宇宙旅行")) == [1]
        assert engine.search("難民").total == 0


def test_refresh_names_the_live_generation_and_switches_to_it(fresh_index, tmp_path):
    from sagashi.index.build import build_index
    with Engine(fresh_index) as engine:
        first = engine.refresh()
        assert first == engine.generation and engine.refresh() == first
        build_index(DATA, fresh_index)
        second = engine.refresh()
        assert second != first and engine.generation == second
    with pytest.raises(EngineClosedError):
        engine.refresh()
