"""Reading the web server's HTML in tests: elements, links and text, with
the standard library's parser (what a browser builds, minus scripts), and
the check every page must pass (:func:`assert_inert`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

#: Elements that run on in their line; any other starts or ends a word.
INLINE = {"a", "abbr", "b", "code", "em", "i", "mark", "q", "small", "span", "strong", "sub",
          "sup", "time"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    lang: str | None = None  # the language in force (nearest lang attribute)
    children: list[Element] = field(default_factory=list)


class HtmlPage(HTMLParser):
    """Every element of a page, with its text and the language in force."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        lang = attributes.get("lang", self._open[-1].lang if self._open else None)
        element = Element(tag, attributes, lang=lang)
        self.elements.append(element)
        if self._open:
            self._open[-1].children.append(element)
        if tag not in INLINE:
            self.handle_data(" ")
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break
        if tag not in INLINE:
            self.handle_data(" ")

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    # -- questions tests ask -------------------------------------------------

    def find(self, tag: str, **attrs: str) -> list[Element]:
        """Elements by tag (``"*"``: any) and exact attribute values
        (``class_`` for ``class``)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.elements if (tag == "*" or e.tag == tag)
                and all(e.attrs.get(k) == v for k, v in wanted.items())]

    def within(self, root: Element, tag: str, **attrs: str) -> list[Element]:
        """Like :meth:`find`, among the elements inside ``root``."""
        inside: list[Element] = []
        stack = list(reversed(root.children))
        while stack:
            e = stack.pop()
            inside.append(e)
            stack += reversed(e.children)
        found = set(map(id, self.find(tag, **attrs)))
        return [e for e in inside if id(e) in found]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.find(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> elements"
        return found[0]

    def links(self) -> list[tuple[str, str]]:
        """``(href, text)`` of every link."""
        return [(e.attrs["href"], " ".join(e.text.split())) for e in self.find("a")]

    def link(self, text: str) -> str:
        """The href of the one link whose text is ``text``."""
        found = [href for href, t in self.links() if t == text]
        assert len(found) == 1, f"{len(found)} links named {text!r}: {self.links()}"
        return found[0]

    @property
    def text(self) -> str:
        root = self.find("html")
        return " ".join(root[0].text.split()) if root else ""


def query_of(url: str) -> dict[str, str]:
    """The query parameters of a URL, decoded."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


# -- nothing on a page runs or links away ---------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "sagashi" / "web" / "templates"


def _tags_our_templates_use() -> set[str]:
    tags = set()
    for template in TEMPLATES.glob("*.html"):
        tags |= {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", template.read_text())}
    return tags


ALLOWED_TAGS = _tags_our_templates_use()


def assert_inert(html: str) -> HtmlPage:
    """Nothing in ``html`` runs, loads or links anywhere but where our
    templates do: only the tags they use, no event handler or inline style,
    scripts and stylesheets from /static/ only, links to this site only."""
    page = HtmlPage(html)
    assert "script" in ALLOWED_TAGS and "img" not in ALLOWED_TAGS
    for e in page.elements:
        assert e.tag in ALLOWED_TAGS, f"<{e.tag}> is not one of ours: {e.attrs}"
        bad = [a for a in e.attrs if a.startswith("on") or a in ("style", "srcdoc", "formaction")]
        assert not bad, f"<{e.tag}> has {bad}"
        if e.tag == "script":
            assert e.attrs.get("src") == "/static/app.js" and not e.text.strip()
        for name in ("href", "src", "action"):
            if name in e.attrs:
                value = e.attrs[name]
                assert value.startswith(("/", "#")) and not value.startswith("//"), \
                    f"<{e.tag} {name}={value!r}>"
    assert len(page.find("script")) == 1
    assert "javascript:" not in " ".join(a.attrs.get("href", "") for a in page.find("a"))
    return page
