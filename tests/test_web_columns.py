"""The web page and the API over an index of a user's own spreadsheet: its
other columns shown on hits and project pages, their facets as links that
filter, filters as shareable URLs (``filter=年度=2024``) and as API
parameters that answer as ``sagashi search --filter``, errors as the CLI's.

The spreadsheet is tests/own_data.py's, plus columns whose headers and
values are hostile (markup, quotes, ``javascript:``, operators), so that
every facet, filter and link is checked with them too."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from sagashi.engine import Engine
from sagashi.index.build import build_index
from sagashi.web.app import create_app
from sagashi.web.params import MAX_FILTERS
from sagashi.web.views import HIT_COLUMNS

from .conftest import hit_nos, page, run_cli
from .hostile_input import PAYLOADS
from .html_page import HtmlPage, assert_inert
from .own_data import COLUMNS, HEADER, ROWS

#: Hostile headers: markup, quotes, a link scheme, operators inside.
SCRIPT = "<script>alert('h')</script>"
QUOTES = "\"><img src=x onerror=alert(1)>"
LINK = "javascript:alert(2)"
OPERATORS = "区分>=<A>"
HOSTILE_HEADERS = [SCRIPT, QUOTES, LINK, OPERATORS]
#: Their values: two per column, so every column is a facet.
HOSTILE_VALUES = [
    ["<script>alert(3)</script>", "\"'><b>"],
    ["javascript:alert(4)", "' onmouseover='alert(5)"],
    ["<A>", ">=5"],
    ["=1+2", "\"quoted\" 'single'"],
]


def rows_with_hostile_columns() -> list[list[str]]:
    return [row + [values[i % 2] for values in HOSTILE_VALUES] for i, row in enumerate(ROWS)]


@pytest.fixture(scope="module")
def own_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("own-web")
    data = folder / "own.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER + HOSTILE_HEADERS, *rows_with_hostile_columns()])
    build_index(data, folder / "ix", columns={COLUMNS.split("=")[0]: "summary"})
    return folder / "ix"


@pytest.fixture(scope="module")
def own_engine(own_index):
    with Engine(own_index) as engine:
        yield engine


@pytest.fixture(scope="module")
def client(own_engine):
    """The web app over the spreadsheet's index (in place of conftest's,
    over the bundled corpus)."""
    with TestClient(create_app(own_engine)) as c:
        yield c


def filters_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("filter", [])


def facet_links(p: HtmlPage, heading: str) -> dict[str, str]:
    """The links of one facet: value -> href."""
    for section in p.find("section", class_="facet"):
        if " ".join(p.within(section, "h3")[0].text.split()) == heading:
            return {" ".join(a.text.split()): a.attrs["href"] for a in p.within(section, "a")}
    raise AssertionError(f"no facet {heading!r}")


# -- facets are links that filter ------------------------------------------------------

def test_every_column_facet_is_a_link_that_filters(client, own_engine):
    p = page(client, "/?q=外国人")
    facets = own_engine.search("外国人", facets=True).facets
    columns = [c.header for c in own_engine.columns if c.facet]
    assert {"年度", "担当者", *HOSTILE_HEADERS} <= set(columns)
    for header in columns:
        links = facet_links(p, header)
        assert set(links) == set(facets[header]), header
        for value, href in links.items():
            assert filters_of(href) == [f"{header}={value}"]
            filtered = page(client, href)
            expected = own_engine.search("外国人", filters={header: "=" + value})
            assert expected.total > 0
            assert hit_nos(filtered) == [h.no for h in expected], (header, value)
            # the active filter is shown, with a link that removes it
            active = filtered.one("section", class_="active")
            assert header in active.text and value in active.text
            remove = [a.attrs["href"] for a in filtered.find("a", class_="remove")]
            assert remove == ["/?q=%E5%A4%96%E5%9B%BD%E4%BA%BA"]


def test_filters_combine_and_a_facet_value_replaces_the_columns_value(client, own_engine):
    p = page(client, "/?q=外国人&filter=年度=2024")
    assert hit_nos(p) == [h.no for h in own_engine.search("外国人", filters={"年度": 2024})]
    assert [e.text for e in p.within(p.one("aside"), "span", aria_current="true")] == ["2024"]
    tanaka = facet_links(p, "担当者")["田中"]
    assert filters_of(tanaka) == ["年度=2024", "担当者=田中"]
    both = page(client, tanaka)
    assert hit_nos(both) == [h.no for h in own_engine.search(
        "外国人", filters={"年度": 2024, "担当者": "田中"})]
    assert sorted(hit_nos(both)) == [1, 3, 6]
    assert len(both.find("a", class_="remove")) == 2
    # a facet of a column already filtered to a value swaps the value
    suzuki = page(client, "/?q=外国人&filter=担当者=田中")
    assert "鈴木" not in facet_links(suzuki, "担当者")  # only what the results hold
    assert filters_of(page(client, "/?q=外国人").link("鈴木")) == ["担当者=鈴木"]


def test_comparisons_and_pref_entity_filters_keep_the_column_filters(client, own_engine):
    p = page(client, "/?q=外国人&filter=助成額>=1000000&pref=関東")
    expected = own_engine.search("外国人", pref="関東", filters={"助成額": ">=1000000"})
    assert hit_nos(p) == [h.no for h in expected]
    p = page(client, "/?q=外国人&filter=助成額>=500000")
    assert hit_nos(p) == [h.no for h in own_engine.search("外国人",
                                                          filters={"助成額": ">=500000"})]
    assert "助成額 ≥ 500000" in " ".join(p.one("section", class_="active").text.split())
    kumamoto = p.link("熊本県")
    assert filters_of(kumamoto) == ["助成額>=500000"] and "pref=" in kumamoto
    assert hit_nos(page(client, kumamoto)) == [4]


def test_filter_urls_are_encoded_and_shareable(client):
    p = page(client, "/?q=外国人")
    for a in p.find("a"):
        href = a.attrs["href"]
        assert all(c not in href for c in "<>\"' "), href
    url = facet_links(p, SCRIPT)["<script>alert(3)</script>"]
    assert url.startswith("/?q=") and "%3Cscript%3E" in url
    # the same URL, typed by hand with the operators unencoded, is the same search
    again = client.get("/?q=外国人&filter=" + SCRIPT.replace("'", "%27") + "=<script>alert(3)</script>")
    assert again.status_code == 200 and hit_nos(HtmlPage(again.text)) == hit_nos(page(client, url))


@pytest.mark.parametrize("header, value", [(h, v) for h, vs in zip(HOSTILE_HEADERS, HOSTILE_VALUES)
                                           for v in vs])
def test_hostile_headers_and_values_filter_as_the_library_does(client, own_engine, header,
                                                               value):
    p = page(client, "/", params={"q": "外国人", "filter": f"{header}={value}"})
    expected = own_engine.search("外国人", filters={header: "=" + value})
    assert expected.total == 3
    assert hit_nos(p) == [h.no for h in expected]
    assert value in p.one("section", class_="active").text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_filter_parameters_are_refused_or_answered_never_a_bug(client, payload):
    for value in (payload, f"年度={payload}", f"{payload}={payload}", f"{SCRIPT}={payload}",
                  f"助成額>={payload}"):
        response = client.get("/", params={"q": "外国人", "filter": value})
        assert response.status_code in (200, 400), (value, response.status_code)
        p = assert_inert(response.text)
        if response.status_code == 400:
            assert p.one("p", class_="message").attrs["lang"] == "en"
        api = client.get("/api/search", params={"q": "外国人", "filter": value})
        assert api.status_code == response.status_code
        assert api.headers["content-type"] == "application/json"


# -- other columns on hits and project pages ---------------------------------------------

def test_hits_show_their_other_columns(client, own_engine):
    p = page(client, "/?q=外国人")
    first = own_engine.search("外国人")[0]
    extra = p.find("dl", class_="extra")[0]
    shown = [(" ".join(dt.text.split()), " ".join(dd.text.split()))
             for dt, dd in zip(p.within(extra, "dt"), p.within(extra, "dd"))]
    assert shown == list(first.extra.items())[:HIT_COLUMNS]
    assert all(e.lang == "ja" for e in p.within(extra, "*"))


def test_the_project_page_shows_every_column(client, own_engine):
    project = own_engine.get(1)
    p = page(client, "/projects/1")
    record = p.one("dl", class_="record")
    names = [" ".join(d.text.split()) for d in p.within(record, "dt", lang="ja")]
    assert names == list(project.extra)
    assert len(project.extra) == HIT_COLUMNS + 1  # more than a hit shows
    for value in project.extra.values():
        assert value in record.text


def test_a_column_without_a_value_says_so_on_the_project_page(tmp_path):
    data = tmp_path / "own.csv"
    data.write_text("番号,事業名,年度,担当者\n1,外国人の相談,2024,\n2,外国人の教室,2023,佐藤\n",
                    encoding="utf-8")
    build_index(data, tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine, TestClient(create_app(engine)) as c:
        p = page(c, "/projects/1")
        assert [" ".join(e.text.split()) for e in p.find("dd", class_="none")] == ["（なし）"]
        hit = page(c, "/?q=外国人の相談").find("li", class_="hit")[0]
        assert "担当者" not in hit.text  # a hit shows only the columns with a value


# -- the API ----------------------------------------------------------------------------------

def cli(capsys, own_index, *argv) -> tuple[int, str, str]:
    return run_cli(capsys, *argv, "--index", str(own_index))


@pytest.mark.parametrize("filters", [
    ["年度=2024"], ["助成額>=1000000"], ["助成額<500000"], ["年度=2023", "担当者=佐藤"],
    ["年度 = 2024"], [f"{LINK}=javascript:alert(4)"], ["担当者=田中", "担当者=田中"],
])
def test_api_filters_answer_as_the_cli(client, capsys, own_index, filters):
    response = client.get("/api/search", params=[("q", "外国人"), *[("filter", f) for f in filters]])
    assert response.status_code == 200
    argv = ["search", "外国人", "--json"] + [x for f in filters for x in ("--filter", f)]
    code, out, err = cli(capsys, own_index, *argv)
    assert code == 0, err
    assert response.json() == json.loads(out)


@pytest.mark.parametrize("filters", [
    ["部署=総務"], ["担当者>=5"], ["助成額>=たくさん"], ["年度"], ["=2024"], ["年度="],
    ["年度=2024", "部署=総務"],
])
def test_api_filter_errors_carry_the_cli_message_and_hint(client, capsys, own_index, filters):
    response = client.get("/api/search", params=[("q", "外国人"), *[("filter", f) for f in filters]])
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "hint"} and body["hint"]
    code, out, err = cli(capsys, own_index, "search", "外国人",
                         *[x for f in filters for x in ("--filter", f)])
    assert code == 2 and out == ""
    assert err.strip() == f"sagashi: error: {body['error']} (hint: {body['hint']})"


def test_filter_errors_on_the_page_say_what_and_offer_the_search_without_them(client):
    for url in ("/?q=外国人&filter=部署=総務", "/?q=外国人&filter=担当者>=5&pref=東京都",
                "/?q=外国人&filter=年度"):
        p = page(client, url, 400)
        error = p.one("section", class_="error")
        assert p.one("p", class_="message").text.strip()
        assert p.within(error, "p", class_="hint")[0].text.strip()
        assert p.link("絞り込みを外して探す") == "/?q=%E5%A4%96%E5%9B%BD%E4%BA%BA"
        assert p.one("input", id="q").attrs["value"] == "外国人"
    # a mistake that is not a filter's offers no such link
    p = page(client, "/?q=外国人&filter=年度=2024&page=0", 400)
    assert "絞り込みを外して探す" not in p.text


def test_filter_limits(client):
    many = [("q", "外国人")] + [("filter", f"年度={2000 + i}") for i in range(MAX_FILTERS + 1)]
    response = client.get("/api/search", params=many)
    assert response.status_code == 400 and "the limit is" in response.json()["error"]
    long = client.get("/api/search", params={"q": "外国人", "filter": "年度=" + "9" * 1000})
    assert long.status_code == 400 and "characters" in long.json()["error"]


def test_the_bundled_index_has_no_columns_to_filter_on(capsys, corpus_index, engine):
    with TestClient(create_app(engine)) as c:
        response = c.get("/api/search", params={"q": "難民", "filter": "年度=2024"})
    code, _, err = run_cli(capsys, "search", "難民", "--filter", "年度=2024",
                           "--index", str(corpus_index))
    body = response.json()
    assert response.status_code == 400 and code == 2
    assert err.strip() == f"sagashi: error: {body['error']} (hint: {body['hint']})"
    assert "keeps no other columns" in body["hint"]


def test_openapi_describes_the_column_filters_and_columns(client):
    doc = client.get("/api/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["filter"]["schema"]["type"] == "array" and params["filter"]["explode"]
    schemas = doc["components"]["schemas"]
    hit = client.get("/api/search", params={"q": "外国人", "filter": "年度=2024"}).json()["hits"][0]
    assert set(schemas["Hit"]["required"]) <= set(hit) and hit["extra"]["年度"] == "2024"
    project = client.get("/api/projects/1").json()
    assert set(schemas["Project"]["required"]) <= set(project)
    assert list(project["extra"]) == [*HEADER[5:], *HOSTILE_HEADERS]
