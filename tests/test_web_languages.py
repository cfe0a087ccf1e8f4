"""Queries in residents' languages on the web: the examples and the search
box's placeholder (real glossary words, each read in its language and
finding projects in the bundled corpus, marked with its ``lang``), and the
query language a reader or an API client chooses (``query_lang``), kept
apart from the interface's language (``lang``)."""

from __future__ import annotations

import json

import pytest

from sagashi.domain.languages import GLOSSARY_LANGUAGES, LANGUAGES
from sagashi.domain.resources import bundled_data_path
from sagashi.web import i18n

from .conftest import page, run_cli
from .html_page import assert_inert, query_of


def glossary_words(code: str) -> set[str]:
    """The words and phrases data/glossary_XX.tsv translates (its first
    column, without its header row)."""
    path = bundled_data_path().parent / f"glossary_{code}.tsv"
    rows = [line.split("\t")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return set(rows[1:])


# -- the examples -------------------------------------------------------------------------

@pytest.mark.parametrize("example", i18n.EXAMPLES, ids=[e.text for e in i18n.EXAMPLES])
def test_each_example_is_read_in_its_language_and_finds_projects(engine, example):
    results = engine.search(example.text)
    assert results.language == example.lang.split("-")[0]
    assert results.total > 0 and len(results.hits) > 0


def test_there_is_an_example_in_every_language_a_query_may_be_written_in():
    assert {e.lang.split("-")[0] for e in i18n.EXAMPLES} == set(LANGUAGES)


@pytest.mark.parametrize("example", [e for e in i18n.EXAMPLES if e.lang in GLOSSARY_LANGUAGES
                                     or e.lang.split("-")[0] in GLOSSARY_LANGUAGES],
                         ids=lambda e: e.lang)
def test_foreign_examples_are_glossary_words(example):
    words = glossary_words(example.lang.split("-")[0])
    text = example.text.casefold()
    assert text in words or all(w in words for w in text.split()), example


def test_the_placeholder_gives_examples_in_japanese_and_other_languages():
    by_text = {e.text: e for e in i18n.EXAMPLES}
    assert set(i18n.PLACEHOLDER) <= set(by_text)  # so each is tested above
    languages = {by_text[t].lang.split("-")[0] for t in i18n.PLACEHOLDER}
    assert "ja" in languages and len(languages - {"ja"}) >= 4
    for lang in i18n.LANGUAGES:
        placeholder = i18n.Strings(lang).placeholder()
        assert all(t in placeholder for t in i18n.PLACEHOLDER)


@pytest.mark.parametrize("interface", ["ja", "en"])
def test_example_links_carry_the_language_they_are_written_in(client, interface):
    p = page(client, f"/?lang={interface}")
    links = p.within(p.one("section", class_="examples"), "a")
    assert [(a.text, a.attrs["lang"]) for a in links] == [(e.text, e.lang)
                                                        for e in i18n.EXAMPLES]
    for a in links:
        assert query_of(a.attrs["href"]) == {"q": a.text, "lang": interface}
    box = p.one("input", id="q")
    assert box.attrs["placeholder"] == i18n.Strings(interface).placeholder()
    assert "lang" not in box.attrs  # an empty box's language is not known


# -- choosing the query language -------------------------------------------------------------

def test_the_page_offers_a_labelled_query_language_select_that_detects_by_default(client):
    p = page(client, "/")
    select = p.one("select", name="query_lang")
    assert p.one("label", for_=select.attrs["id"]).text.strip() == "質問の言語"
    options = p.within(select, "option")
    assert [o.attrs["value"] for o in options] == ["", *LANGUAGES]
    assert options[0].text == "自動判定" and "selected" in options[0].attrs
    assert [o.attrs.get("lang") for o in options[1:]] == list(LANGUAGES)
    assert [o.text for o in options[1:]] == list(i18n.QUERY_LANGUAGE_NAMES.values())
    assert list(i18n.QUERY_LANGUAGE_NAMES) == list(LANGUAGES)


def test_a_chosen_query_language_is_used_shown_and_kept_by_every_link(client, engine):
    detected = page(client, "/?q=lop+hoc+tieng+nhat")
    assert len(detected.find("li", class_="hit")) == engine.search("lop hoc tieng nhat").total
    assert detected.one("p", class_="understood").text.split() == ["質問の言語:",
                                                                  "Tiếng", "Việt（自動判定）"]
    chosen = page(client, "/?q=lop+hoc+tieng+nhat&query_lang=ja")
    assert engine.search("lop hoc tieng nhat", language="ja").total == 0
    assert not chosen.find("li", class_="hit") and "見つかりませんでした" in chosen.text
    assert "日本語（指定）" in chosen.one("p", class_="understood").text
    assert chosen.one("input", id="q").attrs["lang"] == "ja-Latn"

    p = page(client, "/?q=支援&query_lang=ko")
    selected = [o for o in p.find("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == ["ko"]
    for href, _ in p.links():
        if href.startswith("/?q=%E6%94%AF%E6%8F%B4"):  # facets, pages, the language switch
            assert query_of(href)["query_lang"] == "ko", href
    assert query_of(p.link("2")) == {"q": "支援", "query_lang": "ko", "page": "2"}


def test_the_query_language_and_the_interface_language_are_separate(client):
    p = page(client, "/?q=難民&query_lang=zh&lang=en")
    assert p.one("html").attrs["lang"] == "en" and "Results for" in p.text
    assert "中文 (chosen)" in " ".join(p.one("p", class_="understood").text.split())
    assert p.one("input", name="lang").attrs["value"] == "en"
    assert [o.attrs["value"] for o in p.find("option") if "selected" in o.attrs] == ["zh"]
    switch = p.link("日本語")
    assert query_of(switch) == {"q": "難民", "query_lang": "zh", "lang": "ja"}
    # an example is a new search, in the language it is written in
    assert "query_lang" not in query_of(page(client, "/?query_lang=ko").link("lớp học tiếng Nhật"))


@pytest.mark.parametrize("value", ["xx", "japanese", "vi-VN", "<script>", "detect"])
def test_an_unknown_query_language_is_refused_with_the_languages_listed(client, value):
    api = client.get("/api/search", params={"q": "難民", "query_lang": value})
    assert api.status_code == 400
    body = api.json()
    assert body["error"].startswith("unknown query language")
    assert all(code in body["hint"] for code in LANGUAGES)
    response = client.get("/", params={"q": "難民", "query_lang": value})
    assert response.status_code == 400
    p = assert_inert(response.text)
    assert p.one("p", class_="message").text == body["error"]
    assert "絞り込みを外して探す" not in p.text  # not a filter's mistake


@pytest.mark.parametrize("value, expected", [("VI", "vi"), (" ko ", "ko"), ("", "ja")])
def test_query_lang_is_read_as_the_cli_reads_lang(client, value, expected):
    body = client.get("/api/search", params={"q": "支援", "query_lang": value}).json()
    assert body["language"] == expected


@pytest.mark.parametrize("params, argv", [
    ({"q": "lop hoc tieng nhat", "query_lang": "vi"}, ["--lang", "vi"]),
    ({"q": "lop hoc tieng nhat", "query_lang": "ja"}, ["--lang", "ja"]),
    ({"q": "難民", "query_lang": "zh", "limit": "3"}, ["--lang", "zh", "--limit", "3"]),
    ({"q": "refugee", "query_lang": "tl", "pref": "関東"}, ["--lang", "tl", "--pref", "関東"]),
    ({"q": "nihongo", "query_lang": "tl", "explain": "true"}, ["--lang", "tl", "--explain"]),
])
def test_api_query_lang_answers_as_the_cli_lang(client, capsys, corpus_index, params, argv):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200
    code, out, err = run_cli(capsys, "search", params["q"], *argv, "--json", "--index",
                             str(corpus_index))
    assert code == 0, err
    assert response.json() == json.loads(out)


def test_the_api_ignores_the_interface_language(client):
    plain = client.get("/api/search", params={"q": "lop hoc tieng nhat"}).json()
    assert client.get("/api/search", params={"q": "lop hoc tieng nhat", "lang": "ja"}).json() \
        == plain and plain["language"] == "vi"


def test_openapi_describes_query_lang(client):
    doc = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["query_lang"]["schema"]["enum"] == list(LANGUAGES)
    assert "lang" not in params
