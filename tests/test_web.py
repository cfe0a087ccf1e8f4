"""The web app in process (Starlette's test client): the search page, the
project page, the JSON API against the CLI's JSON, errors, limits,
languages, security headers and static files."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from sagashi.errors import InternalError
from sagashi.validate import MAX_QUERY_CHARS
from sagashi.web import i18n
from sagashi.web.app import SECURITY_HEADERS, Site, create_app
from sagashi.web.params import MAX_API_LIMIT, MAX_PAGE

from .conftest import REPO, hit_nos, page, run_cli
from .html_page import HtmlPage, query_of

WEB = REPO / "src" / "sagashi" / "web"


def hit_titles(p: HtmlPage) -> list[str]:
    return [" ".join(h.text.split()) for h in p.find("h2", class_="title")]


# -- the search page ---------------------------------------------------------

def test_the_empty_page_has_one_labelled_search_box_with_examples(client):
    p = page(client, "/")
    box = p.one("input", id="q")
    assert box.attrs["name"] == "q" and box.attrs["type"] == "search"
    assert p.one("label", for_="q").text.strip()
    placeholder = box.attrs["placeholder"]
    assert re.search("[\u3040-\u30ff\u4e00-\u9fff]", placeholder)  # Japanese
    assert re.search("[a-z]+ [a-z]+", placeholder)  # and a query in English
    assert p.one("form", role="search").attrs["action"] == "/"
    examples = [href for href, _ in p.links() if href.startswith("/?q=")]
    assert len(examples) >= 4


def test_each_hit_shows_organisation_title_location_entity_and_a_marked_snippet(client, engine):
    p = page(client, "/?q=難民")
    expected = engine.search("難民")
    assert hit_titles(p) == [h.title for h in expected]
    items = p.find("li", class_="hit")
    for item, hit in zip(items, expected):
        assert hit.organization in item.text and hit.location in item.text
        assert hit.entity in item.text
    marks = [m.text for m in p.find("mark")]
    assert "難民" in marks
    snippet = p.find("p", class_="snippet")[0]
    assert " ".join(snippet.text.split()) == expected[0].snippet.text


def test_facets_are_links_with_counts_that_filter(client, engine):
    p = page(client, "/?q=難民")
    counts = engine.search("難民", facets=True).facets
    link = p.link("東京都")
    assert query_of(link) == {"q": "難民", "pref": "東京都"}
    text = p.one("aside", class_="facets").text
    assert f"東京都 {counts['prefecture']['東京都']}" in " ".join(text.split())
    filtered = page(client, link)
    assert hit_nos(filtered) == [h.no for h in engine.search("難民", pref="東京都")]
    assert "愛知県" not in filtered.one("aside", class_="facets").text
    remove = [href for href, _ in filtered.links() if query_of(href) == {"q": "難民"}]
    assert remove, "an active filter has a link that removes it"
    entity = p.link("特非")
    assert query_of(entity) == {"q": "難民", "entity": "特非"}
    assert hit_nos(page(client, entity)) == [h.no for h in engine.search("難民", entity="特非")]


def test_pages_walk_through_every_hit_once(client, engine):
    everything = [h.no for h in engine.search("支援", limit=100)]
    first = page(client, "/?q=支援")
    second_url = first.link("2")
    assert query_of(second_url) == {"q": "支援", "page": "2"}
    assert first.link("次へ") == second_url
    second = page(client, second_url)
    assert hit_nos(first) + hit_nos(second) == everything
    assert second.one("ol", class_="hits").attrs["start"] == "11"
    assert second.one("a", aria_current="page").text == "2"
    assert query_of(second.link("前へ")) == {"q": "支援"}


def test_every_state_is_a_shareable_url(client, engine):
    p = page(client, "/?q=支援&pref=東京都&page=1&entity=特非")
    assert hit_nos(p) == [h.no for h in engine.search("支援", pref="東京都", entity="特非")]
    assert p.one("input", id="q").attrs["value"] == "支援"


def test_a_page_past_the_last_says_so_and_links_back(client):
    p = page(client, "/?q=難民&page=7")
    assert "このページに結果はありません" in p.text
    assert query_of(p.link("最初のページへ")) == {"q": "難民"}


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", str(MAX_PAGE + 1), "９"])
def test_bad_page_numbers_are_refused_on_the_page(client, value):
    p = page(client, f"/?q=難民&page={value}", 400)
    assert "page" in p.text and p.one("input", id="q").attrs["value"] == "難民"


def test_unknown_parameters_are_ignored(client):
    plain = page(client, "/?q=難民")
    noisy = page(client, "/?q=難民&limit=100000&debug=1&__proto__=x&explain=1")
    assert hit_titles(noisy) == hit_titles(plain)


def test_no_results_says_so_and_offers_to_drop_the_filters(client):
    p = page(client, "/?q=ロケットの打ち上げ")
    assert "当てはまる事業は見つかりませんでした" in p.text and not p.find("li", class_="hit")
    filtered = page(client, "/?q=難民&pref=沖縄県")
    assert query_of(filtered.link("絞り込みを外して探す")) == {"q": "難民"}
    assert not filtered.find("section", class_="facet")  # no empty facet headings


def test_query_limits_on_the_page(client):
    assert page(client, "/?q=" + "難" * MAX_QUERY_CHARS).find("h1")
    p = page(client, "/?q=" + "難" * (MAX_QUERY_CHARS + 1), 400)
    assert f"the limit is {MAX_QUERY_CHARS:,}" in p.text
    assert page(client, "/?q=難民&pref=火星", 400).find("p", class_="hint")


class FakeResults:
    def __init__(self, data: dict) -> None:
        self.data = data

    def to_json(self, explain: bool = False) -> dict:
        return self.data


class FakeEngine:
    """Answers with JSON that holds what other parts of sagashi may add:
    unmatched words, suggestions, a language, extra columns and facets."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def search(self, *args, **kwargs):
        return FakeResults(self.data)

    def refresh(self) -> str:
        return "g1"


def test_unmatched_words_suggestions_language_and_extra_columns_show_when_present():
    hit = {"no": 3, "score": 1.0, "organization": "団体", "title": "事業", "location": "東京都",
           "entity": "(特非)", "snippet": "本文", "spans": [[0, 1]],
           "extra": {"助成額": "1000000", "年度": "<2024>"}}
    data = {"query": "難民 ブラジル", "total": 1, "hits": [hit], "unmatched": ["ブラジル"],
            "did_you_mean": ["日本語教室"], "language": "pt",
            "facets": {"prefecture": {"東京都": 1}, "年度": {"2024": 1}}}
    with TestClient(create_app(FakeEngine(data))) as c:  # type: ignore[arg-type]
        p = page(c, "/?q=難民+ブラジル")
    assert "どの事業にも出てこない語: ブラジル" in p.text
    assert query_of(p.link("日本語教室")) == {"q": "日本語教室"}
    assert p.find("span", class_="query")[0].attrs["lang"] == "pt"
    assert "助成額 1000000" in " ".join(p.one("dl", class_="extra").text.split())
    assert "<2024>" in p.one("dl", class_="extra").text  # shown, as text
    assert "年度" in p.one("aside", class_="facets").text


def test_the_page_says_what_to_try_when_nothing_is_found(client):
    """The search layer's advice reaches the page: words no record holds,
    a spelling the index knows, a filter that left out every match, words
    too common to search on alone."""
    p = page(client, "/?q=にほんごぎょうしつ")
    assert "ぎょうしつ" in p.one("p", class_="unmatched").text
    assert query_of(p.link("日本語教室")) == {"q": "日本語教室"}
    p = page(client, "/?q=支援&pref=北海道")
    assert "「北海道」の条件で 17件が外れました" in p.one("p", class_="filtered-out").text
    p = page(client, "/?q=支援+ロケット&lang=en")
    assert "ロケット" in p.one("p", class_="unmatched").text
    assert "支援: in most projects" in p.one("p", class_="too-common").text


def test_no_results_without_the_optional_fields(client):
    data = {"query": "x", "total": 0, "hits": []}
    with TestClient(create_app(FakeEngine(data))) as c:  # type: ignore[arg-type]
        p = page(c, "/?q=x")
    assert "見つかりませんでした" in p.text and not p.find("aside")


# -- the project page ----------------------------------------------------------

def test_the_project_page_shows_the_record_and_similar_projects(client, engine):
    p = page(client, "/projects/5")
    project = engine.get(5)
    assert p.one("h1").text == project.title
    record = p.one("dl", class_="record").text
    for value in (project.organization, project.entity, project.location, project.summary,
                  project.prefecture):
        assert value in record
    similar = [h.no for h in engine.similar(5, 5)]
    assert similar and hit_nos(p) == similar


@pytest.mark.parametrize("path", ["/projects/9999", "/projects/abc", "/projects/-1",
                                  "/projects/", "/nowhere"])
def test_unknown_pages_are_404_pages(client, path):
    p = page(client, path, 404)
    assert p.find("form", role="search")


# -- interface languages ---------------------------------------------------------

def test_the_interface_follows_accept_language(client):
    en = page(client, "/?q=難民", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert en.one("html").attrs["lang"] == "en" and "Results for" in en.text
    ja = page(client, "/?q=難民", headers={"Accept-Language": "ja,en;q=0.5"})
    assert ja.one("html").attrs["lang"] == "ja" and "検索結果" in ja.text
    assert page(client, "/", headers={"Accept-Language": "vi"}).one("html").attrs["lang"] == "ja"
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["vary"] == "Accept-Language"
    assert response.headers["content-language"] == "en"


def test_the_switch_chooses_a_language_that_links_keep(client):
    ja = page(client, "/?q=支援", headers={"Accept-Language": "ja"})
    switch = ja.link("English")
    assert query_of(switch) == {"q": "支援", "lang": "en"}
    en = page(client, switch, headers={"Accept-Language": "ja"})
    assert en.one("html").attrs["lang"] == "en"
    assert all(query_of(a.attrs["href"]).get("lang") == "en" for a in en.find("a")
               if a.attrs["href"].startswith(("/?", "/projects/")) and "hreflang" not in a.attrs)
    assert en.one("input", name="lang").attrs["value"] == "en"  # the form keeps it too
    project_url = [href for href, _ in en.links() if href.startswith("/projects/")][0]
    assert query_of(project_url) == {"lang": "en"}
    project = page(client, project_url, headers={"Accept-Language": "ja"})
    assert project.one("html").attrs["lang"] == "en"
    assert query_of(project.link("日本語")) == {"lang": "ja"}


def test_japanese_text_is_marked_lang_ja_on_the_english_interface(client):
    p = page(client, "/?q=難民&lang=en")
    for element in p.find("h2", class_="title") + p.find("p", class_="snippet"):
        assert element.lang == "ja"
    assert p.find("span", class_="query")[0].attrs["lang"] == "ja"
    for link in p.find("a", hreflang="ja"):
        assert link.attrs["lang"] == "ja"


def test_both_languages_have_the_same_words():
    assert set(i18n.STRINGS["ja"]) == set(i18n.STRINGS["en"])
    used = set()
    for template in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt(?:\.markup)?\(\s*["'](\w+)["']""", template.read_text()))
    assert used and used <= set(i18n.STRINGS["en"])


# -- the API -------------------------------------------------------------------------

def cli_json(capsys, corpus_index, *argv) -> dict:
    code, out, err = run_cli(capsys, *argv, "--json", "--index", str(corpus_index))
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("params, argv", [
    ({"q": "難民"}, ["search", "難民"]),
    ({"q": "熊本で日本語を教えている団体は？", "limit": "3"},
     ["search", "熊本で日本語を教えている団体は？", "--limit", "3"]),
    ({"q": "支援", "pref": "関西", "entity": "特非"},
     ["search", "支援", "--pref", "関西", "--entity", "特非"]),
    ({"q": "こうべ", "explain": "true"}, ["search", "こうべ", "--explain"]),
    ({"q": "ロケットの打ち上げ"}, ["search", "ロケットの打ち上げ"]),
])
def test_api_search_answers_as_the_cli_json(client, capsys, corpus_index, params, argv):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == cli_json(capsys, corpus_index, *argv)


def test_api_project_and_similar_answer_as_show_and_similar(client, capsys, corpus_index):
    assert client.get("/api/projects/5").json() == cli_json(capsys, corpus_index, "show", "5")
    assert client.get("/api/projects/10/similar").json() == \
        cli_json(capsys, corpus_index, "similar", "10")
    assert client.get("/api/projects/10/similar?limit=2").json() == \
        cli_json(capsys, corpus_index, "similar", "10", "--limit", "2")


def test_api_pages(client, engine):
    everything = client.get("/api/search?q=支援&limit=20").json()
    first = client.get("/api/search?q=支援&limit=5").json()
    third = client.get("/api/search?q=支援&limit=5&page=3").json()
    assert third["hits"] == everything["hits"][10:15]
    assert first["total"] == third["total"] == everything["total"]


def cli_error(capsys, corpus_index, *argv) -> str:
    code, out, err = run_cli(capsys, *argv, "--index", str(corpus_index))
    assert code != 0 and out == ""
    return err.strip()


@pytest.mark.parametrize("url, argv, status", [
    ("/api/search?q=", ["search", ""], 400),
    ("/api/search?q=%20%20", ["search", "  "], 400),
    ("/api/search", ["search", ""], 400),
    ("/api/search?q=" + "x" * (MAX_QUERY_CHARS + 1), ["search", "x" * (MAX_QUERY_CHARS + 1)],
     400),
    ("/api/search?q=難民&pref=火星", ["search", "難民", "--pref", "火星"], 400),
    ("/api/projects/9999", ["show", "9999"], 404),
    ("/api/projects/9999/similar", ["similar", "9999"], 404),
])
def test_api_errors_carry_the_cli_message_and_hint(client, capsys, corpus_index, url, argv,
                                                    status):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "hint"} and body["hint"]
    assert cli_error(capsys, corpus_index, *argv) == \
        f"sagashi: error: {body['error']} (hint: {body['hint']})"


@pytest.mark.parametrize("url, words", [
    ("/api/search?q=難民&limit=0", "limit must be between 1 and"),
    (f"/api/search?q=難民&limit={MAX_API_LIMIT + 1}", f"between 1 and {MAX_API_LIMIT}"),
    ("/api/search?q=難民&limit=ten", "limit must be a whole number"),
    ("/api/search?q=難民&page=0", "page must be between"),
    ("/api/search?q=難民&limit=100&page=12", "page must be between 1 and 11"),
    ("/api/search?q=難民&explain=maybe", "explain must be true or false"),
    ("/api/search?q=難民&pref=" + "東" * 101, "pref is 101 characters"),
    ("/api/projects/abc", "a project number is a whole number"),
    ("/api/projects/5/similar?limit=1000", "limit must be between"),
])
def test_api_bad_parameters_are_400_with_a_hint(client, url, words):
    response = client.get(url)
    assert response.status_code == 400 and words in response.json()["error"]
    assert response.json()["hint"]


def test_api_limit_is_capped(client):
    response = client.get(f"/api/search?q=支援&limit={MAX_API_LIMIT}")
    assert response.status_code == 200 and len(response.json()["hits"]) == 17


def test_api_unknown_paths_are_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and "no such endpoint" in response.json()["error"]


def test_openapi_describes_every_api_route_and_real_answers_fit_it(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    api_routes = {r.path for r in _routes(client) if r.path.startswith("/api/")}
    assert set(doc["paths"]) == api_routes
    schemas = doc["components"]["schemas"]
    answers = {"SearchResults": client.get("/api/search?q=難民").json(),
               "Project": client.get("/api/projects/5").json(),
               "Error": client.get("/api/projects/999").json()}
    for name, answer in answers.items():
        assert set(schemas[name]["required"]) <= set(answer), name
    for hit in answers["SearchResults"]["hits"]:
        assert set(schemas["Hit"]["required"]) <= set(hit)


def _routes(client):
    app = client.app
    while not hasattr(app, "routes"):
        app = app.app
    return app.routes


# -- safety --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/?q=難民", "/projects/5", "/projects/999",
                                 "/api/search?q=難民", "/api/search?q=", "/api/projects/999",
                                 "/static/style.css", "/static/nothing.css", "/nowhere"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, (url, name)


def test_the_policy_forbids_inline_script_and_the_page_has_none(client):
    policy = SECURITY_HEADERS["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'none'"
    assert "unsafe" not in policy
    for url in ("/", "/?q=支援", "/projects/5", "/?q=" + "x" * 1001):
        p = HtmlPage(client.get(url).text)
        for script in p.find("script"):
            assert script.attrs.get("src", "").startswith("/static/") and not script.text.strip()
        for element in p.elements:
            assert not [a for a in element.attrs if a.startswith("on") or a == "style"], element
        assert not p.find("style")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("url", ["/", "/projects/5", "/api/search?q=難民", "/api/projects/5",
                                 "/api/projects/5/similar", "/static/style.css"])
def test_nothing_can_be_written(client, method, url):
    response = client.request(method, url, content=b"{}")
    assert response.status_code == 405
    if url.startswith("/api/"):
        assert "only reads" in response.json()["error"]


def test_head_requests_work(client):
    response = client.head("/?q=難民")
    assert response.status_code == 200 and response.content == b""


def test_static_files_are_the_apps_own(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200


@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml", "/static/..%5capp.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/", "/static",
    "/static/../templates/base.html", "/templates/base.html", "/app.py", "/static/.",
    "/static/%00", "/static/style.css%00.js", "/static/style.css/..%2f..%2fapp.py",
])
def test_no_path_outside_the_static_folder_is_served(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "import" not in response.text and "root:" not in response.text


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("text, background, least", [
    ("text", "bg", 4.5), ("text", "panel", 4.5), ("muted", "bg", 4.5), ("muted", "panel", 4.5),
    ("link", "bg", 4.5), ("link", "panel", 4.5), ("visited", "bg", 4.5), ("text", "mark", 4.5),
    ("button-text", "button", 4.5), ("placeholder", "bg", 4.5), ("focus", "bg", 3.0),
    ("focus", "panel", 3.0), ("field-border", "bg", 3.0),
])
def test_the_colours_have_enough_contrast(text, background, least):
    css = (WEB / "static" / "style.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    assert contrast(colours[text], colours[background]) >= least
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", css.split("}", 1)[1]) == [], \
        "colours outside :root escape this test"


def test_templates_escape_everything():
    assert Site(None).templates.autoescape is True  # type: ignore[arg-type]



class CountingEngine:
    """The real engine, counting the searches that reach it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.searches = 0
        self.generation = engine.generation

    def search(self, *args, **kwargs):
        self.searches += 1
        return self.engine.search(*args, **kwargs)

    def refresh(self):
        return self.generation

    def __getattr__(self, name):
        return getattr(self.engine, name)


@pytest.mark.parametrize("size, searches", [(1000, 1), (0, 4)])
def test_repeated_requests_are_answered_from_memory_until_the_index_changes(engine, size,
                                                                           searches):
    counting = CountingEngine(engine)
    with TestClient(create_app(counting, cache_size=size)) as c:  # type: ignore[arg-type]
        first = c.get("/api/search?q=難民").json()
        for _ in range(2):
            assert c.get("/api/search?q=難民").json() == first
        assert page(c, "/?q=難民").find("li", class_="hit")  # the same answer, as a page
        assert counting.searches == searches
        counting.generation = "a reindex"
        assert c.get("/api/search?q=難民").json() == first
        assert counting.searches == searches + 1


class BrokenEngine:
    """An engine with a bug (or a search that raises InternalError)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def refresh(self) -> str:
        return "g1"

    def search(self, *args, **kwargs):
        raise self.error


@pytest.mark.parametrize("error", [RuntimeError("boom"),
                                   InternalError("could not run the query 'x'", "report it")])
def test_a_bug_is_a_500_with_the_headers_and_no_traceback(error):
    app = create_app(BrokenEngine(error))  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as c:
        api = c.get("/api/search?q=x")
        html = c.get("/?q=x")
    assert api.status_code == html.status_code == 500
    assert set(api.json()) == {"error", "hint"}
    for response in (api, html):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "Traceback" not in response.text and "boom" not in response.text
