"""The query language: plain words, "quoted phrases", AND / OR / NOT, a
leading ``-``, parentheses, ``field:value`` and a trailing ``*`` for prefixes.

Parsing never fails: malformed syntax (an unbalanced quote or parenthesis, a
dangling operator, an unknown or empty field) falls back to plain words, so
whatever a person types is searched for. Full-width forms are folded first
(＂, （）, ＡＮＤ and the ideographic space work too).

>>> parse('難民 "伴走支援" -ウクライナ')
Seq(items=(Words(text='難民'), Phrase(text='伴走支援', field=None), Not(item=Words(text='ウクライナ'))))
>>> parse('アウトリーチ AND SNS')
And(items=(Words(text='アウトリーチ'), Words(text='SNS')))
>>> parse('概要:シェルター')
Field(field='summary', item=Words(text='シェルター'))
>>> parse('(unbalanced "quote')
Words(text='unbalanced quote')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Union

from .schema import FIELD_ALIASES

#: Queries longer than this are refused with a clear message.
MAX_QUERY_CHARS = 1000


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
    item: "Node"


@dataclass(frozen=True)
class Not:
    item: "Node"


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class Seq:
    """Items side by side with no operator: sagashi's relaxed matching (all
    words first, then most of them) applies."""

    items: tuple["Node", ...]


Node = Union[Words, Phrase, Prefix, Field, Not, And, Or, Seq]

_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<quote>"[^"]*")
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>[^\s:()"]+):(?=\S)
  | (?P<word>[^\s()"]+)
  | (?P<bad>["])
''', re.VERBOSE)
_OPERATORS = {"AND", "OR", "NOT"}
_SYNTAX_CHARS = re.compile(r'["()*]|(?<!\S)-|(?<!\S)(?:AND|OR|NOT)(?!\S)')


class _Malformed(Exception):
    pass


def normalize_query(text: str) -> str:
    """NFKC (full-width to ASCII, half-width kana to full) and trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse(text: str) -> Node:
    """Parse a query; malformed syntax becomes plain :class:`Words`."""
    text = normalize_query(text)
    try:
        tokens = _tokenize(text)
        parser = _Parser(tokens)
        node = parser.parse()
    except _Malformed:
        return Words(" ".join(_SYNTAX_CHARS.sub(" ", text).split()))
    return node


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup == "bad":
            raise _Malformed
        kind, value = m.lastgroup, m.group()
        pos = m.end()
        if kind == "space":
            continue
        if kind == "quote":
            value = value[1:-1]
        elif kind == "field":
            value = value[:-1]
            if value.lower() not in FIELD_ALIASES and value not in FIELD_ALIASES:
                kind, value = "word", value + ":"  # unknown field: plain text
        elif kind == "word" and value in _OPERATORS:
            kind = value
        tokens.append((kind, value))
    return tokens


class _Parser:
    """Recursive descent: or := and (OR and)*; and := seq (AND seq)*;
    seq := unary+; unary := (NOT | -) unary | primary."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            return Words("")
        node = self.or_()
        if self.i != len(self.tokens):
            raise _Malformed
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek() == "OR":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.seq()]
        while self.peek() == "AND":
            self.take()
            items.append(self.seq())
        return items[0] if len(items) == 1 else And(tuple(items))

    def seq(self) -> Node:
        items = []
        while self.peek() not in (None, "OR", "AND", "rparen"):
            items.append(self.unary())
        if not items:
            raise _Malformed
        merged = _merge_words(items)
        return merged[0] if len(merged) == 1 else Seq(tuple(merged))

    def unary(self) -> Node:
        kind = self.peek()
        if kind == "NOT":
            self.take()
            return Not(self.unary())
        if kind == "word" and self.tokens[self.i][1] == "-":
            raise _Malformed  # a lone "-"
        if kind == "word" and self.tokens[self.i][1].startswith("-"):
            _, value = self.take()
            return Not(_leaf(value[1:]))
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "lparen":
            node = self.or_()
            if self.peek() != "rparen":
                raise _Malformed
            self.take()
            return node
        if kind == "quote":
            if not value.strip():
                raise _Malformed
            return Phrase(value.strip())
        if kind == "field":
            field = FIELD_ALIASES.get(value.lower(), FIELD_ALIASES.get(value))
            if self.peek() in (None, "OR", "AND", "rparen", "NOT"):
                raise _Malformed
            item = self.primary()
            if isinstance(item, Phrase):
                item = Phrase(item.text, field)
            return Field(field, item)
        if kind == "word":
            return _leaf(value)
        raise _Malformed


def _leaf(value: str) -> Node:
    stripped = value.lstrip("*")  # leading wildcards are not supported: dropped
    if not stripped.strip("*"):
        raise _Malformed
    if stripped.endswith("*"):
        return Prefix(stripped.rstrip("*"))
    return Words(stripped)


def _merge_words(items: list[Node]) -> list[Node]:
    """Join neighbouring plain words into one :class:`Words` run, so that
    ``外国人 留学生`` is understood as one piece of text."""
    out: list[Node] = []
    for item in items:
        if isinstance(item, Words) and out and isinstance(out[-1], Words):
            out[-1] = Words(f"{out[-1].text} {item.text}")
        else:
            out.append(item)
    return out
