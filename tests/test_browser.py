"""The search page in a real browser: Debian's headless Chromium, driven by
Playwright's Python package, against a real ``sagashi serve``.

A reader's path (type a query, see hits, click a facet, page, open a
project, go back, switch the language), the same with JavaScript off, the
keyboard alone, a phone's screen, and hostile records, with every console
error, page error and dialog counted as a failure (a Content-Security-Policy
violation is a console error). The screenshots in docs/ are taken here.

Skipped, with one line, where no browser or no Playwright is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from .conftest import REPO
from .hostile_input import PAYLOADS, WORD, build_hostile_index
from .live_server import live_server

CHROMIUM = os.environ.get("SAGASHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("browser tests: no Chromium here (apt-get install chromium)",
                allow_module_level=True)
try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:
    pytest.skip("browser tests: Playwright is not installed (pip install -e '.[test]')",
                allow_module_level=True)

DOCS = REPO / "docs"


def _has_japanese_font() -> bool:
    try:
        return bool(subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True,
                                   timeout=30).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return False


#: Where the screenshots go: docs/, for the README, where the page renders
#: as a reader sees it (a Japanese font installed); elsewhere a temporary
#: folder, so a machine without one does not replace them with empty boxes.
SHOTS = DOCS if _has_japanese_font() else Path(tempfile.mkdtemp(prefix="sagashi-shots-"))
#: Chromium as root, offline: no sandbox, no GPU, no calls home.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(corpus_index):
    with live_server(corpus_index) as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Tab:
    """A browser page that counts what should never happen."""

    def __init__(self, browser: Browser, base: str, **options) -> None:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "ja-JP")
        self.context = browser.new_context(**options)
        self.context.set_default_timeout(10_000)
        self.page: Page = self.context.new_page()
        self.base = base.rstrip("/")
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"),
                                          d.dismiss()))

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def params(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.page.url).query))

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def close(self) -> None:
        self.context.close()
        assert not self.problems, self.problems


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server.url)
    yield t
    t.close()


def hits(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("li.hit h2").all_inner_texts()]


def search(page: Page, query: str) -> None:
    box = page.get_by_role("searchbox")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


# -- a reader's path -------------------------------------------------------------------

def test_a_reader_searches_filters_pages_opens_a_project_and_goes_back(tab):
    page = tab.open("/")
    search(page, "支援")
    assert tab.params() == {"q": "支援"}
    assert len(hits(page)) == 10 and "「支援」の検索結果" in page.locator("h1").inner_text()
    assert page.locator("mark").first.inner_text() == "支援"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "web-search.png"))

    page.get_by_role("navigation", name="ページ").get_by_role("link", name="2ページ目").click()
    assert tab.params() == {"q": "支援", "page": "2"}
    assert len(hits(page)) == 7
    page.get_by_role("link", name="前へ").click()
    assert tab.params() == {"q": "支援"}

    page.get_by_role("complementary").get_by_role("link", name="東京都", exact=True).click()
    assert tab.params() == {"q": "支援", "pref": "東京都"}
    locations = page.locator("li.hit dl.meta div:nth-child(2) dd").all_inner_texts()
    assert locations and all(loc.startswith("東京都") for loc in locations)
    listed = hits(page)

    title = page.locator("li.hit h2 a").first
    expected = title.inner_text()
    title.click()
    assert re.fullmatch(r"/projects/\d+", tab.path())
    assert page.locator("h1").inner_text() == expected
    assert page.get_by_role("heading", name="似ている事業").is_visible()
    assert page.locator("section.similar li.hit").count() > 0

    page.go_back()
    assert tab.params() == {"q": "支援", "pref": "東京都"} and hits(page) == listed
    assert page.get_by_role("searchbox").input_value() == "支援"


def test_the_interface_language_follows_the_browser_and_the_switch(browser, server):
    english = Tab(browser, server.url, locale="en-US")
    try:
        page = english.open("/?q=難民")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text().startswith("Results for")
        assert page.locator("h1 .query").get_attribute("lang") == "ja"
        page.get_by_role("link", name="日本語").click()
        assert page.locator("html").get_attribute("lang") == "ja"
        assert english.params() == {"q": "難民", "lang": "ja"}
        assert "検索結果" in page.locator("h1").inner_text()
        search(page, "こうべ")  # the choice stays with the next search
        assert english.params() == {"q": "こうべ", "lang": "ja"}
        assert page.get_by_role("button").inner_text() == "検索"
        page.get_by_role("link", name="English").click()
        assert page.get_by_role("button").inner_text() == "Search"
    finally:
        english.close()


def test_everything_works_without_javascript(browser, server):
    tab = Tab(browser, server.url, java_script_enabled=False)
    try:
        page = tab.open("/")
        search(page, "難民")
        assert tab.params() == {"q": "難民"} and len(hits(page)) == 5
        page.get_by_role("complementary").get_by_role("link", name="特非").click()
        assert tab.params() == {"q": "難民", "entity": "特非"} and len(hits(page)) == 4
        page.get_by_role("link", name="特非 の絞り込みを外す").click()
        assert tab.params() == {"q": "難民"}
        search(page, "外国人")
        page.get_by_role("link", name="次へ").click()
        assert tab.params() == {"q": "外国人", "page": "2"}
        page.locator("li.hit h2 a").first.click()
        assert tab.path().startswith("/projects/")
        page.go_back()
        assert tab.params() == {"q": "外国人", "page": "2"}
        page.get_by_label("質問の言語").select_option("vi")
        search(page, "lop hoc")
        assert tab.params() == {"q": "lop hoc", "query_lang": "vi"} and hits(page)
        page.get_by_role("link", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_label("Query language").input_value() == "vi"
        page.keyboard.press("/")  # the one comfort that needs JavaScript: absent, harmlessly
        assert page.evaluate("document.activeElement.id") != "q"
    finally:
        tab.close()


def test_a_reader_chooses_the_language_of_the_query(tab):
    page = tab.open("/")
    search(page, "lop hoc tieng nhat")
    assert urlsplit(page.url).query == "q=lop+hoc+tieng+nhat"  # "detect" is not sent
    assert "Tiếng Việt" in page.locator("p.understood").inner_text() and hits(page)
    page.get_by_label("質問の言語").select_option("ja")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    assert tab.params() == {"q": "lop hoc tieng nhat", "query_lang": "ja"}
    assert hits(page) == [] and "日本語（指定）" in page.locator("p.understood").inner_text()
    page.go_back()
    page.go_back()  # the empty page, from the history: the select works again
    page.get_by_label("質問の言語").select_option("vi")
    search(page, "lop hoc")
    assert tab.params() == {"q": "lop hoc", "query_lang": "vi"}
    page.get_by_role("complementary").get_by_role("link", name="熊本県").click()
    assert tab.params() == {"q": "lop hoc", "query_lang": "vi", "pref": "熊本県"}
    assert page.get_by_label("質問の言語").input_value() == "vi"


# -- keyboard, focus, contrast, phone -----------------------------------------------------

FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, text: (e.innerText || '').trim(), cls: e.className,
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""


def test_the_keyboard_alone_reaches_everything_with_a_visible_focus(tab):
    page = tab.open("/?q=難民")
    page.keyboard.press("Tab")
    focus = page.evaluate(FOCUS)
    assert focus["cls"] == "skip" and focus["outline"] != "none" and focus["width"] >= 2
    assert page.locator("a.skip").is_visible()
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus["tag"] == "BODY":  # past the last control
            break
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
        seen.append(focus)
    tags = [f["tag"] for f in seen]
    assert "INPUT" in tags and "BUTTON" in tags
    assert any(f["text"] == "東京都" for f in seen)  # a facet
    first_hit = next(i for i, f in enumerate(seen) if f["tag"] == "A" and "難民" in f["text"])
    assert tags.index("INPUT") < first_hit
    page.keyboard.press("/")  # JavaScript's comfort: "/" jumps to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("Control+a")
    page.keyboard.type("こうべ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert tab.params() == {"q": "こうべ"} and hits(page)


CONTRAST = """() => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const v = rgb(c).slice(0, 3).map(x => { x /= 255;
      return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const background = e => { for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (rgb(c).length < 4 || rgb(c)[3] > 0) return c; } return 'rgb(255, 255, 255)'; };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (!e.offsetParent || ![...e.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
      continue;
    const a = lum(getComputedStyle(e).color), b = lum(background(e));
    out.push({text: e.innerText.slice(0, 20), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out; }"""


@pytest.mark.parametrize("path", ["/?q=支援", "/?q=支援&page=2&lang=en", "/projects/5", "/"])
def test_every_text_has_enough_contrast(tab, path):
    page = tab.open(path)
    ratios = page.evaluate(CONTRAST)
    assert len(ratios) > 10
    low = [r for r in ratios if r["ratio"] < 4.5]
    assert not low, low


def test_the_page_fits_a_phone(browser, server):
    phone = Tab(browser, server.url, viewport=PHONE, is_mobile=True, has_touch=True,
                device_scale_factor=2)
    try:
        page = phone.open("/")
        search(page, "日本語教室")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.get_by_role("button", name="検索").is_visible()
        assert hits(page)
        box = page.get_by_role("searchbox").bounding_box()
        assert box and box["width"] > PHONE["width"] * 0.5 and box["height"] >= 40
        for link in page.locator("nav.pages a").all():
            size = link.bounding_box()
            assert size and size["height"] >= 44 and size["width"] >= 44
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "web-phone.png"))
        with page.expect_navigation():
            page.locator("li.hit h2 a").first.tap()
        assert phone.path().startswith("/projects/")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone.close()


# -- hostile records -------------------------------------------------------------------------

def test_hostile_records_and_queries_run_nothing_in_the_browser(browser, tmp_path):
    with live_server(build_hostile_index(tmp_path)) as hostile:
        tab = Tab(browser, hostile.url)
        try:
            page = tab.open("/?" + "q=" + WORD)
            assert len(hits(page)) == 10
            for payload in PAYLOADS[:4]:
                search(page, payload)
                assert page.get_by_role("searchbox").input_value() == payload
            search(page, WORD)
            for i in range(page.locator("aside a").count()):
                page.locator("aside a").nth(i).click()
                page.go_back()
            page.locator("li.hit h2 a").first.click()
            for _ in range(3):  # similar projects, one after another
                if page.locator("li.hit h2 a").count():
                    page.locator("li.hit h2 a").first.click()
            assert page.locator("img, svg, iframe, textarea").count() == 0
            assert page.evaluate("document.scripts.length") == 1
        finally:
            tab.close()  # fails on any dialog, page error or CSP violation
