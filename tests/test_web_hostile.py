"""Hostile records and hostile requests on the web page: every value is
escaped, nothing becomes markup, a script or a link target, and no request
makes the server fail.

Records whose every field holds markup, event handlers, ``javascript:``
links and template syntax are indexed; the same strings are fed in as
queries, filters and other parameters; each page is then parsed and checked
for anything a browser would run or follow."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from sagashi.engine import Engine
from sagashi.web.app import create_app

from .hostile_input import ERROR, PAYLOADS, QUERIES, QUERY_IDS, WORD, build_hostile_index
from .html_page import assert_inert


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    return build_hostile_index(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile(hostile_index):
    with Engine(hostile_index) as engine, TestClient(create_app(engine)) as client:
        yield client


def test_hostile_records_are_shown_as_text(hostile):
    response = hostile.get("/", params={"q": WORD})
    assert response.status_code == 200
    page = assert_inert(response.text)
    text = page.text
    for payload in PAYLOADS[:6]:
        assert payload.split("\u202e")[0][:12] in text  # shown, literally
    assert "&lt;b&gt;&amp;" in text  # entities in the data stay as typed
    assert "<script>alert('xss')</script>" in response.text.replace("&lt;", "<") \
        .replace("&gt;", ">").replace("&#39;", "'")
    assert "<script>alert" not in response.text and "<img" not in response.text


def test_hostile_facet_names_are_escaped_and_their_links_encoded(hostile):
    response = hostile.get("/", params={"q": WORD})
    page = assert_inert(response.text)
    facet_links = [a for a in page.find("a") if "entity=" in a.attrs["href"]]
    assert len(facet_links) >= 5
    for link in facet_links:
        assert "<" not in link.attrs["href"] and '"' not in link.attrs["href"]
        followed = hostile.get(link.attrs["href"])
        assert followed.status_code == 200
        assert_inert(followed.text)


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("param", ["q", "pref", "entity", "filter", "query_lang", "page",
                                   "lang"])
def test_hostile_parameters_are_escaped(hostile, param, payload):
    params = {"q": WORD, param: payload} if param != "q" else {"q": payload}
    header = payload.encode("utf-8")  # as a client that sends raw bytes would
    response = hostile.get("/", params=params, headers={"Accept-Language": header})
    assert response.status_code in (200, 400)
    page = assert_inert(response.text)
    if param == "q":
        assert page.one("input", id="q").attrs["value"] == payload


@pytest.mark.parametrize("no", range(1, len(PAYLOADS) + 2))
def test_hostile_project_pages_are_inert(hostile, no):
    response = hostile.get(f"/projects/{no}")
    assert response.status_code == 200
    page = assert_inert(response.text)
    assert WORD in page.text


def test_hostile_api_answers_are_json_not_html(hostile):
    response = hostile.get("/api/search", params={"q": PAYLOADS[0]})
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"
    response = hostile.get("/api/projects/1")
    assert response.json()["organization"].startswith("<script>")


def test_hostile_paths_are_inert_404s(hostile):
    for path in ["/<script>alert(1)</script>", "/projects/<img src=x>", "/projects/1%22%3E"]:
        response = hostile.get(path)
        assert response.status_code == 404
        assert_inert(response.text)


# -- the query catalogue of tests/hostile_input.py, through the server ----------------

def _url_value(query: str) -> str:
    """A query as a URL carries it; lone surrogates become the bytes a broken
    client would send."""
    return quote(query.encode("utf-8", "surrogatepass"), safe="")


@pytest.mark.parametrize("case", QUERIES, ids=QUERY_IDS)
def test_no_query_breaks_the_page_or_the_api(client, case):
    _, query, expected = case
    value = _url_value(query)
    page = client.get(f"/?q={value}")
    assert page.status_code == (400 if expected == ERROR and query.strip() else 200)
    assert_inert(page.text)
    api = client.get(f"/api/search?q={value}")
    assert api.status_code == (400 if expected == ERROR else 200), api.text[:200]
    body = api.json()
    assert set(body) == {"error", "hint"} if expected == ERROR else "hits" in body
