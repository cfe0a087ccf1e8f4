"""The query language: plain words, "quoted phrases", AND / OR / NOT, a
leading ``-``, parentheses, ``field:value`` and a trailing ``*`` for prefixes.

Parsing never fails. Malformed syntax is repaired rather than refused, so
whatever a person types is searched for: a stray quote or parenthesis is
ignored, an unclosed parenthesis closes at the end, an operator, ``-`` or
``field:`` with nothing to apply to is dropped, an unknown field name is
plain text, and a leading ``*`` is dropped (only prefixes are supported).
Full-width forms are folded first (＂, （）, ＡＮＤ and the ideographic space
work too), and lone surrogates become U+FFFD.

>>> parse('難民 "伴走支援" -ウクライナ')  # doctest: +NORMALIZE_WHITESPACE
Seq(items=(Words(text='難民'), Phrase(text='伴走支援', field=None),
           Not(item=Words(text='ウクライナ'))))
>>> parse('アウトリーチ AND SNS')
And(items=(Words(text='アウトリーチ'), Words(text='SNS')))
>>> parse('概要:シェルター')
Field(field='summary', item=Words(text='シェルター'))
>>> parse('(unbalanced "quote')
Words(text='unbalanced quote')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..analysis.chars import clean, nfkc
from ..domain.fields import FIELD_ALIASES

#: Deeper nesting (parentheses, NOT, field:) than this is read as plain words.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Words:
    """Plain text: understood by :mod:`sagashi.interpret`."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """A quoted phrase: its words must occur together, in order."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    """A word ending in ``*``: any indexed word that starts with it."""

    text: str


@dataclass(frozen=True)
class Field:
    """``field:value``: ``item`` is searched in that field only."""

    field: str
    item: Node


@dataclass(frozen=True)
class Not:
    """``NOT x`` or ``-x``: documents matching ``item`` are left out."""

    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Seq:
    """Items side by side with no operator: sagashi's relaxed matching (all
    words first, then most of them) applies."""

    items: tuple[Node, ...]


Node = Words | Phrase | Prefix | Field | Not | And | Or | Seq

# Tried in order at each position; a token never spans whitespace, except a
# quoted phrase. A stray quote (no closing one) is ``bad`` and ignored.
_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<quote>"[^"]*")
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<minus>-+(?=[^\s-]))
  | (?P<field>[^\s:()"]+):
  | (?P<word>[^\s()"]+)
  | (?P<bad>")
''', re.VERBOSE)
_WORD = re.compile(r'[^\s()"]+')
_OPERATORS = {"AND", "OR", "NOT"}
_SYNTAX_CHARS = re.compile(r'["()*]|(?<!\S)-+|(?<!\S)(?:AND|OR|NOT)(?!\S)')
_STOP = (None, "OR", "AND", "rparen")  # what ends a run of items side by side


class _Malformed(Exception):
    pass


def normalize_query(text: str) -> str:
    """NFKC (full-width to ASCII, half-width kana to full), lone surrogates
    replaced by U+FFFD, trimmed."""
    return nfkc(clean(text)).strip()


def parse(text: str, fields: Mapping[str, str] | None = None) -> Node:
    """Parse a query; see the module docstring for how bad syntax is repaired.

    ``fields`` maps more field names (an index's own column headers, folded
    by :func:`field_key`) to fields, before the usual ones. An empty result
    is ``Words('')``.

    >>> parse("担当者:田中", {"担当者": "x_1"})
    Field(field='x_1', item=Words(text='田中'))
    """
    text = normalize_query(text)
    try:
        node = _Parser(_tokenize(text, fields or {})).parse()
    except _Malformed:  # nested too deeply to be meant: plain words
        return Words(" ".join(_SYNTAX_CHARS.sub(" ", text).split()))
    return Words("") if node is None else node


def unparse(node: Node) -> str:
    """Query text for a parsed node, as a person would type it (a group in
    parentheses, a field by its English name): the label of a group of a
    query in ``--explain`` and in messages.

    >>> unparse(parse('難民 (ウクライナ OR "伴走 支援") -所在地:東京'))
    '難民 (ウクライナ OR "伴走 支援") -location:東京'
    """
    if isinstance(node, Words):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"'
    if isinstance(node, Prefix):
        return f"{node.text}*"
    if isinstance(node, Field):
        return f"{node.field}:{bracketed(node.item)}"
    if isinstance(node, Not):
        return f"-{bracketed(node.item)}"
    if isinstance(node, And):
        return " AND ".join(bracketed(item) for item in node.items)
    if isinstance(node, Or):
        return " OR ".join(bracketed(item) for item in node.items)
    return " ".join(bracketed(item) for item in node.items)


def bracketed(node: Node) -> str:
    """:func:`unparse`, with a group of several items in parentheses.

    >>> bracketed(parse("ウクライナ OR ベトナム")), bracketed(parse("難民"))
    ('(ウクライナ OR ベトナム)', '難民')
    """
    text = unparse(node)
    return f"({text})" if isinstance(node, (And, Or, Seq)) else text


def _tokenize(text: str, fields: Mapping[str, str]) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None  # the pattern matches any character (the last alternatives)
        kind, value = m.lastgroup or "", m.group()
        field = _field_name(value[:-1], fields) if kind == "field" else None
        if kind == "field" and field is None:
            m = _WORD.match(text, pos)  # an unknown field: plain text, colon and all
            assert m is not None
            kind, value = "word", m.group()
        pos = m.end()
        if kind in ("space", "bad"):
            continue
        if kind == "quote":
            value = value[1:-1]
        elif kind == "field" and field is not None:
            value = field
        elif kind == "word" and value in _OPERATORS:
            kind = value
        tokens.append((kind, value))
    return tokens


def _field_name(name: str, fields: Mapping[str, str]) -> str | None:
    own = fields.get(field_key(name)) if fields else None
    return own or FIELD_ALIASES.get(name, FIELD_ALIASES.get(name.lower()))


def field_key(name: str) -> str:
    """A field name as :func:`parse` compares it: NFKC, lower case, no spaces."""
    return "".join(nfkc(name).lower().split())


class _Parser:
    """Recursive descent over the tokens, repairing as it goes:

    ``or := and (OR and)*``; ``and := seq (AND seq)*``; ``seq := unary*``;
    ``unary := (NOT | -) unary | primary``; ``primary := ( or ) | "phrase" |
    field: primary | word``. Each rule returns None when it found nothing to
    search for, and its caller drops it.
    """

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i, self.depth = tokens, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node | None:
        parts = []
        while self.peek() is not None:
            node = self.or_()
            if node is not None:
                parts.append(node)
            if self.peek() == "rparen":  # a stray closing parenthesis
                self.take()
        return _seq(parts)

    def or_(self) -> Node | None:
        items = [self.and_()]
        while self.peek() == "OR":
            self.take()
            items.append(self.and_())
        return _combine(Or, items)

    def and_(self) -> Node | None:
        items = [self.seq()]
        while self.peek() == "AND":
            self.take()
            items.append(self.seq())
        return _combine(And, items)

    def seq(self) -> Node | None:
        items = []
        while self.peek() not in _STOP:
            items.append(self.unary())
        return _seq(items)

    def unary(self) -> Node | None:
        if self.peek() in ("NOT", "minus"):
            self.take()
            if self.peek() in _STOP:
                return None  # NOT or - with nothing after it
            item = self.nested(self.unary)
            if item is None:
                return None
            return item.item if isinstance(item, Not) else Not(item)  # NOT NOT x is x
        return self.primary()

    def primary(self) -> Node | None:
        kind, value = self.take()
        if kind == "lparen":
            node = self.nested(self.or_)
            if self.peek() == "rparen":
                self.take()  # an unclosed parenthesis closes at the end
            return node
        if kind == "quote":
            return Phrase(" ".join(value.split())) if value.strip() else None
        if kind == "field":
            if self.peek() in _STOP:
                return None  # field: with no value
            return _in_field(value, self.nested(self.unary))
        if kind == "word":
            return _leaf(value)
        return None  # NOT / minus reach here only through unary

    def nested(self, rule):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Malformed
        try:
            return rule()
        finally:
            self.depth -= 1


def _in_field(field: str, item: Node | None) -> Node | None:
    """``item`` searched in ``field``; ``field:-x`` means NOT ``field:x``."""
    if item is None:
        return None
    if isinstance(item, Not):
        inner = _in_field(field, item.item)
        return Not(inner) if inner is not None else None
    if isinstance(item, Phrase):
        item = Phrase(item.text, field)
    return Field(field, item)


def _leaf(value: str) -> Node | None:
    stripped = value.lstrip("*")  # leading wildcards are not supported: dropped
    if not stripped.strip("*-"):
        return None  # only * or - : nothing to search for
    if stripped.endswith("*"):
        return Prefix(stripped.rstrip("*"))
    return Words(stripped)


def _combine(kind, items: Sequence[Node | None]) -> Node | None:
    kept = [item for item in items if item is not None]
    if len(kept) <= 1:
        return kept[0] if kept else None
    return kind(tuple(kept))


def plain_text(node: Node) -> str:
    """The words of a query without its operators, quotes and field names:
    what its language is judged by.

    >>> plain_text(parse('direitos AND "aulas de japonês" -Tóquio title:café'))
    'direitos aulas de japonês Tóquio café'
    """
    if isinstance(node, (Words, Phrase, Prefix)):
        return node.text
    if isinstance(node, (Field, Not)):
        return plain_text(node.item)
    return " ".join(plain_text(item) for item in node.items)


def _seq(items: Sequence[Node | None]) -> Node | None:
    """Items side by side, neighbouring plain words joined into one
    :class:`Words` run, so that ``外国人 留学生`` is understood as one piece of
    text."""
    out: list[Node] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, Words) and out and isinstance(out[-1], Words):
            out[-1] = Words(f"{out[-1].text} {item.text}")
        else:
            out.append(item)
    if len(out) <= 1:
        return out[0] if out else None
    return Seq(tuple(out))
