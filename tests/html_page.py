"""Reading the web server's HTML in tests: elements, links and text, with
the standard library's parser (what a browser builds, minus scripts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
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
