"""Understanding the words of a query: what to look for, and in which forms.

Plain query text becomes a list of :class:`Concept` objects. Each concept is
one thing the searcher asked for (a word, a place, an entity type, an
English word) with the alternative forms that count as finding it, each
with a weight and the mechanism that produced it:

- ``literal``: the word itself (Sudachi's normalized form);
- ``compound``: the parts of a compound as a phrase (日本語教室 -> 日本 語 教室);
- ``sudachi synonym``: a SudachiDict synonym group (子ども ~ 児童);
- ``synonym`` / ``related``: the domain list in data/synonyms.tsv;
- ``reading`` / ``romaji``: kana or romaji matched against readings (こうべ -> 神戸);
- ``glossary`` / ``place name``: English words through data/glossary_en.tsv,
  and the words of residents' other languages through their glossaries
  (:mod:`sagashi.query.languages`): such a concept remembers the language
  and the Japanese it was translated to;
- ``prefecture`` / ``region``: a place word covers records located there;
- ``entity``: 社団法人, NPO法人 ... cover the matching legal entity types.

Question scaffolding (教えてください, ありますか, 団体 ...) is dropped, and so
are the function words and question phrases of the other languages.
Nothing here touches the index except through the ``known`` callback, which
says whether a term occurs in it.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..analysis import (
    SudachiAnalysis,
    Unit,
    fold,
    is_kana,
    reading_term,
    synonym_term,
    to_hiragana,
    to_katakana,
)
from ..analysis.romaji import romaji_to_hiragana
from ..domain import entities, places
from ..domain.languages import Language
from ..domain.lexicon import Lexicon
from .expansions import RELATION_SOURCES, Kind, Source, translation_scale, weight
from .kana import KanaPiece, read_by_index
from .languages import Dropped, Languages, Translated, Unknown

#: Phrases that frame a question rather than say what is wanted.
_SCAFFOLD = re.compile("|".join([
    r"(?:を|について)?(?:教えて|おしえて)(?:ください|下さい|くださいませんか|くれませんか|ほしい|欲しい)",
    r"(?:を|について)?(?:教えて|おしえて)(?=[\s?？。]*$)",
    r"(?:が|を|について)?(?:知りたい|しりたい)(?:です|のですが|んですが)?",
    r"(?:を|が)?(?:探して|さがして)(?:います|いる|ます)?",
    r"(?:は|って)?(?:どこ|何処)(?:にありますか|でしょうか|ですか|にある|にいますか|に|で)?",
    r"(?:は|が)?(?:ありますか|ありませんか|いますか|いませんか|ございますか|あるか|ある\?)",
    r"(?:に|には)?どう(?:したら|すれば|やったら)(?:いい|よい|良い)?(?:ですか|でしょうか|の)?",
    r"(?:でしょうか|ですか|ますか)",
    r"[?？]",
]))
#: First-level parts of speech that never carry a query's content.
_NON_CONTENT_POS = {"代名詞", "連体詞", "接続詞", "感動詞", "接頭辞", "接尾辞", "助詞", "助動詞",
                    "補助記号", "記号", "空白"}
#: Normalized forms that are scaffolding in a question (団体は？, ところ ...).
QUERY_STOPWORDS = frozenset("""
団体 組織 ところ 所 方法 情報 場所 何処 どこ 何 誰 いつ 事 物 こと もの 為 ため 方 等 など
有る 居る 為る 成る 出来る 下さる 願う 欲しい 良い 知る 探す 思う 行う 関する 対する
おる いる する ある なる できる くださる いい よい 様 よう そう 色々 いろいろ どう 如何
""".split())
_LATIN = re.compile(r"^[a-z][a-z0-9'’\-]*$")
_LATIN_WORDS = re.compile(r"^[a-z][a-z0-9'’\- ]*$")
MAX_SPAN = 4
#: Concepts kept from one piece of text (a longer query is cut, not slow).
MAX_CONCEPTS = 16
#: A glossary phrase is also looked for as at most this many combinations
#: of its words' translations (tulong sa pagkain: 支援 食料, 援助 食料 ...).
MAX_PART_TERMS = 4
#: The fewest kana a Latin-letter word in a query in another language must
#: spell to be looked for by its reading (in Portuguese, "ban" is no romaji).
MIN_READING = 3
_KATAKANA_DASH = re.compile(r"(?<=[\u30a1-\u30fa])[-‐‑‒–—―−ｰ－](?=[\u30a1-\u30fa]|$)")
_KATAKANA_DOT = re.compile(r"(?<=[\u30a1-\u30fc])[・･](?=[\u30a1-\u30fc])")
_JAPANESE_SCRIPT = re.compile(r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]{2,}")



@dataclass(frozen=True)
class Alternative:
    """One form that counts as finding a concept.

    ``kind``: ``words`` (one term, or several in one field: a multi-word
    synonym or translation), ``phrase`` (words side by side, in order: a
    quoted phrase or words typed together), ``term`` (a reading or
    synonym-group term), ``pref`` or ``entity`` (keyword fields).
    ``source`` is the mechanism that produced it, and ``via`` the one it was
    reached through, if any (a synonym of a glossary word: ``glossary+synonym``).
    """

    kind: Kind
    terms: tuple[str, ...]
    weight: float
    source: Source
    via: Source | None = None

    @property
    def label(self) -> str:
        """How ``--explain`` names the mechanism."""
        return f"{self.via}+{self.source}" if self.via else self.source


def alternative(kind: Kind, terms: tuple[str, ...], source: Source, scale: float = 1.0,
                via: Source | None = None) -> Alternative:
    """An alternative weighted as its source counts (:mod:`sagashi.query.expansions`),
    times ``scale``."""
    return Alternative(kind, terms, weight(source) * scale, source, via)


@dataclass(frozen=True)
class Concept:
    """One thing asked for: ``label`` is what the searcher typed. A word of
    another language (lớp học) has its ``language`` (vi) and the Japanese
    it was ``translated`` to (教室)."""

    label: str
    alternatives: tuple[Alternative, ...]
    fields: tuple[str, ...] | None = None
    language: Language | None = None
    translated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Understood:
    """What a piece of query text asks for: its concepts, and the phrases
    (runs of finest words) it was typed as."""

    concepts: list[Concept]
    phrases: list[tuple[str, ...]]  # finest words of runs typed side by side
    fields: tuple[str, ...] | None = None


@dataclass
class _Span:
    units: list[Unit]  # the C units (level C or CA) of the span
    parts: list[Unit]  # their finest units, in order
    surface: str
    key: str  # normalized words joined
    gap_before: bool = False  # a dropped word or particle stood before it


@dataclass
class Interpreter:
    """Turns query text into concepts. ``known(term)`` tells whether a word
    or reading term occurs anywhere in the index. ``language`` is the one
    the text is read in (:meth:`reading`); with ``languages``, text in a
    language other than Japanese goes through its glossary first.
    ``min_romaji``: the fewest kana a Latin-letter word must spell to be
    looked for by its reading (in a Portuguese query, "ban" is no romaji)."""

    analysis: SudachiAnalysis
    lexicon: Lexicon
    known: Callable[[str], bool]
    languages: Languages | None = None
    language: Language = "ja"
    min_romaji: int = 0

    def detect(self, text: str) -> Language:
        """The language ``text`` is written in ("ja" without ``languages``)."""
        return self.languages.detect(text, self.known) if self.languages else "ja"

    def translates(self, text: str) -> bool:
        """Whether ``text`` is read through a glossary rather than as
        Japanese: text in another language with no Japanese in it (Chinese
        always)."""
        return self.languages is not None and self.language != "ja" and (
            self.language == "zh" or not _JAPANESE_SCRIPT.search(text))

    def reading(self, language: Language) -> Interpreter:
        """This interpreter, reading text in ``language``."""
        return self if language == self.language else dataclasses.replace(self, language=language)

    def concepts(self, text: str, fields: tuple[str, ...] | None = None) -> list[Concept]:
        """The concepts of a piece of plain query text."""
        return self.understand(text, fields).concepts

    def understand(self, text: str, fields: tuple[str, ...] | None = None,
                   scaffolding: bool = True) -> Understood:
        """The concepts of plain query text, and the runs of words typed side
        by side (日本語学習支援), which rank higher where they occur together.
        Text that is all question scaffolding (団体は？) is searched for as
        typed, unless ``scaffolding`` is False."""
        if self.language != "ja" and self.languages is not None:
            return self._foreign(self.languages, text, fields)
        stripped, out = self._kana_readings(_SCAFFOLD.sub(" ", _katakana_fixes(text)), fields)
        units = self.analysis.units(stripped)
        spans = _content_spans(units)
        if not spans and not out and scaffolding:  # search for what was typed after all
            spans = _content_spans(units, keep_stopwords=True)
        i = 0
        while i < len(spans) and len(out) < MAX_CONCEPTS:
            found, used = self._longest(spans, i, fields)
            out.extend(found)
            i += used
        unique = list({c.label: c for c in reversed(out)}.values())[::-1]  # first of each
        return Understood(unique[:MAX_CONCEPTS], _adjacent_runs(spans), fields)

    def _foreign(self, languages: Languages, text: str, fields) -> Understood:
        """Text in another language: glossary words are read as their
        Japanese translation would be, dropped words vanish, words no
        glossary knows in a script Japanese never uses match nothing, and the
        rest (Japanese words, names, romaji, place names) is read as
        Japanese."""
        japanese = dataclasses.replace(self, language="ja", min_romaji=0)
        rest = dataclasses.replace(
            japanese, min_romaji=0 if self.language == "en" else MIN_READING)
        concepts: list[Concept] = []
        phrases: list[tuple[str, ...]] = []
        for piece in languages.read(text, self.language):
            if isinstance(piece, Dropped):
                continue
            if isinstance(piece, Unknown):  # found nowhere: it counts against partial matches
                concepts.append(Concept(piece.word, (
                    alternative("words", (fold(piece.word),), "literal"),), fields))
                continue
            understood = (japanese._translated(piece, fields) if isinstance(piece, Translated)
                          else rest.understand(piece.text, fields))
            concepts += understood.concepts
            phrases += understood.phrases
        unique = list({c.label: c for c in reversed(concepts)}.values())[::-1]  # first of each
        return Understood(unique[:MAX_CONCEPTS], phrases, fields)

    def _translated(self, piece: Translated, fields) -> Understood:
        """Words a glossary translated, understood as their main Japanese
        translation typed in Japanese would be (with its synonyms, readings,
        places), each form marked as reached through the glossary; nothing
        when Japanese drops that translation from a question (organização ->
        団体). The other translations, the translations of a phrase's words
        together, and the words themselves where records hold them (NPO, SNS)
        count as finding each of those concepts."""
        main, *others = piece.terms
        extra: list[Alternative] = []
        typed = fold(piece.words)
        if " " not in typed and self.known(typed):
            extra.append(alternative("words", (typed,), "literal"))
        codes = entities.codes_for_alias(piece.words)
        if codes and (fields is None or "entity" in fields):
            extra.append(alternative("entity", codes, "entity"))
        for i, term in enumerate(others, 1):  # a broader word (日本 after 日本語) counts for less
            extra += self._translations(term, "glossary", "place name",
                                        translation_scale(piece.terms, i))
        for combination in itertools.islice(itertools.product(*piece.parts), MAX_PART_TERMS):
            words = tuple(w for term in combination for w in self._parts(term))
            if words:
                extra.append(alternative("words", words, "glossary words"))
        understood = self.understand(main, fields, scaffolding=False)
        found = understood.concepts  # none for 団体, 情報: what Japanese drops from a question
        concepts = []
        for concept in found:
            label = piece.words if len(found) == 1 else f"{piece.words} ({concept.label})"
            alts = (*(_through_glossary(a) for a in concept.alternatives), *extra)
            concepts.append(Concept(label, alts, fields, piece.language, piece.terms))
        return Understood(concepts, understood.phrases, fields)

    def _translations(self, term: str, source: Source, place_source: Source,
                      scale: float = 1.0) -> list[Alternative]:
        """A translation's alternatives: its words (as ``source``, or
        ``place_source`` for a place) and their domain synonyms; a prefecture
        or region also by the records located there; each weighted times
        ``scale``."""
        alts = []
        place = places.lookup(term)
        if place and place.kind != "city":
            alts.append(alternative("pref", place.prefectures, "place name", scale))
        parts = self._parts(place.name[:-1] if place and place.kind == "city"
                            and place.name.endswith("市") else term)
        if parts:
            alts.append(alternative("words", parts, place_source if place else source, scale))
            # the translation's own synonyms (language class -> 日本語教室 ~ 日本語学習)
            alts += self._synonyms(None, self.lexicon.key(term), weight(source) * scale, source)
        return alts

    def phrase(self, text: str, fields: tuple[str, ...] | None = None) -> Concept | None:
        """A quoted phrase: its words, in order, with nothing else between."""
        parts = [u.text for u in self.analysis.units(text) if not u.stopped and u.level != "C"]
        if not parts:
            return None
        return Concept(text, (alternative("phrase", tuple(parts), "literal"),), fields)

    def _longest(self, spans: list[_Span], i: int, fields) -> tuple[list[Concept], int]:
        for length in range(min(MAX_SPAN, len(spans) - i), 0, -1):
            span = _join(spans[i:i + length])
            if span is None:
                continue
            concept = self._special(span, fields, single=length == 1)
            if concept is None:
                continue
            if length > 1 and (self._is_synonym_span(span)
                               or _LATIN_WORDS.match(span.surface.lower())):
                # A synonym of a longer expression (就労支援 ~ 就職支援), or the
                # translation of an English phrase, counts for each of its
                # words, so partial matches still count.
                extra = tuple(a for a in concept.alternatives if a.source != "literal")
                return [Concept(s.surface, (*self._single(s, fields).alternatives, *extra), fields)
                        for s in spans[i:i + length]], length
            return [concept], length
        return [self._word(spans[i], fields)], 1

    def _single(self, span: _Span, fields) -> Concept:
        return self._special(span, fields, single=True) or self._word(span, fields)

    def _kana_readings(self, text: str, fields) -> tuple[str, list[Concept]]:
        """Kana that Sudachi misreads (あまくさ -> 甘く + さ, にほんごきょうしつ ->
        にほん + 御教室) but that spells readings the index holds (天草 is
        アマクサ; 日本語 + 教室) become one concept per reading
        (:mod:`sagashi.query.kana`); their text is blanked out for the rest
        of the analysis."""
        concepts = []
        for m in _KANA_RUN.finditer(text):
            run = m.group()
            if not _standalone(text, m.start(), m.end()):
                continue  # kana against other script is grammar (している), not a name
            place = places.lookup_reading(run)
            if place is not None:  # ひょうごけん: the prefecture
                alts = [alternative("pref", place.prefectures, "prefecture")]
                term = reading_term(run)
                if term and self.known(term):
                    alts.insert(0, alternative("term", (term,), "reading"))
                concepts.append(Concept(run, tuple(alts), fields))
                text = text[:m.start()] + " " * len(run) + text[m.end():]
                continue
            pieces = read_by_index(run, self.analysis, self.known,
                                   QUERY_STOPWORDS.__contains__)
            concepts += [self._piece(piece, fields) for piece in pieces]
            for piece in pieces:  # what is left of the run goes to Sudachi
                at = m.start() + piece.start
                text = text[:at] + " " * len(piece.text) + text[at + len(piece.text):]
        return text, concepts

    def _piece(self, piece: KanaPiece, fields) -> Concept:
        """The concept of a piece of kana read by the index: its reading,
        and when Sudachi reads the piece alone as one word (しごと -> 仕事),
        that word with its synonyms too."""
        reading = alternative("term", (piece.term,), "reading")  # "term": one word, any kind
        spans = _content_spans(self.analysis.units(piece.text))
        if (len(spans) == 1 and len(spans[0].units) == 1 and spans[0].surface == piece.text
                and self.known(spans[0].key)):
            word = self._single(spans[0], fields)
            if any(a.terms == reading.terms for a in word.alternatives):
                return word
            return Concept(piece.text, (*word.alternatives, reading), fields)
        return Concept(piece.text, (reading,), fields)

    def _is_synonym_span(self, span: _Span) -> bool:
        return self.lexicon.has_synonyms(span.key) or self.lexicon.has_synonyms(span.surface)

    def _special(self, span: _Span, fields, single: bool) -> Concept | None:
        """A concept for a span that names an entity type, a place, a glossary
        entry, a synonym group or a known kana reading; else None."""
        literal = _literal(span)
        codes = entities.codes_for_alias(span.surface)
        if codes and (fields is None or "entity" in fields):
            return Concept(span.surface, (
                alternative("entity", codes, "entity"), literal), fields)
        place = places.lookup(span.surface)
        if place and place.kind != "city" and (fields is None or "location" in fields):
            kind: Source = "region" if place.kind == "region" else "prefecture"
            alts = (literal, alternative("pref", place.prefectures, kind))
            return Concept(span.surface, alts, fields)
        if _LATIN_WORDS.match(span.surface.lower()):
            return self._latin(span, fields, single)
        if self._is_synonym_span(span):
            return Concept(span.surface, (literal, *self._unit_alternatives(span),
                                          *self._synonyms(span)), fields)
        if not single and is_kana(span.surface.replace(" ", "")):
            term = reading_term(span.surface)
            if term and self.known(term):
                return Concept(span.surface, (
                    alternative("term", (term,), "reading"),), fields)
        return None

    def _word(self, span: _Span, fields) -> Concept:
        alts = [_literal(span), *self._unit_alternatives(span)]
        return Concept(span.surface, tuple(alts), fields)

    def _unit_alternatives(self, span: _Span) -> list[Alternative]:
        """Compound parts, Sudachi synonym groups and readings of a one-unit span."""
        if len(span.units) != 1:
            return []
        unit = span.units[0]
        alts = []
        if len(span.parts) > 1:
            alts.append(alternative("phrase", tuple(u.text for u in span.parts), "compound"))
        for group in unit.synonyms:
            alts.append(alternative("term", (synonym_term(group),), "sudachi synonym"))
        if is_kana(unit.surface):
            alts += _kana_alternatives(unit.surface, unit.text)
        return alts

    def _synonyms(self, span: _Span | None, key: str | None = None, scale: float = 1.0,
                  via: Source | None = None) -> list[Alternative]:
        """The domain synonyms of a span (or of the term with ``key``), each
        weighted by its relation times ``scale``."""
        if key is not None:
            found = self.lexicon.synonyms(key)
        elif span is not None:
            found = self.lexicon.synonyms(span.key) or self.lexicon.synonyms(span.surface)
        else:
            found = ()
        alts = []
        for synonym in found:
            parts = self._parts(synonym.term)
            if parts:
                alts.append(alternative("words", parts, RELATION_SOURCES[synonym.relation],
                                        scale, via))
        return alts

    def _latin(self, span: _Span, fields, single: bool) -> Concept | None:
        """English or romaji words. Literal words that occur in the data are
        kept; glossary, place names and romaji readings are added."""
        surface = span.surface
        in_data = all(self.known(u.text) for u in span.parts)
        alts = [_literal(span), *self._unit_alternatives(span)] if (single or in_data) else []
        japanese, found_in = self.lexicon.english(surface)
        source: Source = "glossary" if found_in == "glossary" else "place"
        for i, term in enumerate(japanese):  # a broader word (日本 after 日本語) counts for less
            alts += self._translations(term, source, source, translation_scale(japanese, i))
        if single and not in_data:
            kana = romaji_to_hiragana(surface)
            reading = reading_term(kana) if kana and len(kana) >= self.min_romaji else None
            if reading:
                alts.append(alternative("term", (reading,), "romaji"))
        if not single and len(alts) <= (1 if in_data else 0):
            return None  # a multi-word span is only special when the glossary knows it
        return Concept(surface, tuple(alts), fields) if alts else None

    def _parts(self, text: str) -> tuple[str, ...]:
        return tuple(u.text for u in self.analysis.units(text)
                     if not u.stopped and u.level != "C")


def _through_glossary(alt: Alternative) -> Alternative:
    """A form of a translation's Japanese reading, as reached through the
    glossary: the translation itself counts as the glossary's word, the
    rest (its synonyms, readings ...) as reached through it."""
    if alt.source == "literal":
        return alternative(alt.kind, alt.terms, "glossary")
    if alt.source == "glossary":
        return alt
    return Alternative(alt.kind, alt.terms, alt.weight * weight("glossary"), alt.source,
                       alt.via or "glossary")


def _literal(span: _Span) -> Alternative:
    """The words as typed: one unit's own term (日本語), or for several units
    the phrase of their finest parts (positions count those)."""
    if len(span.units) == 1:
        return alternative("words", (span.units[0].text,), "literal")
    return alternative("phrase", tuple(u.text for u in span.parts), "literal")


def _standalone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands alone: at the ends of the text or next
    to spaces and punctuation only."""
    return all(i < 0 or i >= len(text) or text[i].isspace()
               or unicodedata.category(text[i]).startswith("P")
               for i in (start - 1, end))


def _kana_alternatives(surface: str, text: str) -> list[Alternative]:
    """A kana word also as its reading (こうべ -> 神戸) and as the same word in
    the other kana (しぇるたー -> シェルター), when that differs from ``text``."""
    alts = []
    term = reading_term(surface)
    if term:
        alts.append(alternative("term", (term,), "reading"))
    for spelling in dict.fromkeys((fold(to_katakana(surface)), fold(to_hiragana(surface)))):
        if spelling == text:
            continue
        alts.append(alternative("words", (spelling,), "reading"))
    return alts


def _katakana_fixes(text: str) -> str:
    """Undo two habits of typed katakana: a dash or minus for the long-vowel
    mark (ネットワ－ク, NFKC makes it "-") and a middle dot inside a loanword
    (ワーク・ショップ).

    >>> _katakana_fixes("ネットワ-ク"), _katakana_fixes("ワーク・ショップ")
    ('ネットワーク', 'ワークショップ')
    """
    return _KATAKANA_DOT.sub("", _KATAKANA_DASH.sub("ー", text))


def _words(units: list[Unit]) -> list[tuple[Unit, list[Unit]]]:
    """Each C unit (compound or unsplittable) with its finest parts."""
    out: list[tuple[Unit, list[Unit]]] = []
    for unit in units:
        if unit.level == "A":
            if out and out[-1][0].start <= unit.start < out[-1][0].end:
                out[-1][1].append(unit)
            continue
        out.append((unit, []))
    return [(unit, parts or [unit]) for unit, parts in out]


def _content_spans(units: list[Unit], keep_stopwords: bool = False) -> list[_Span]:
    """One :class:`_Span` per content word, with its finest parts. A prefix
    or suffix stays with the word it is written against (三線 is 三 + 線,
    多文化 is 多 + 文化), so it neither vanishes nor stands alone."""
    spans: list[_Span] = []
    gap, prefix = False, None
    for unit, parts in _words(units):
        if not unit.stopped and unit.pos[0] == "接頭辞":
            prefix = (unit, parts)
            continue
        if (not unit.stopped and unit.pos[0] == "接尾辞" and spans
                and spans[-1].units[-1].end == unit.start):
            last = spans[-1]
            spans[-1] = _Span([*last.units, unit], [*last.parts, *parts],
                              last.surface + unit.surface, last.key + unit.text, last.gap_before)
            continue
        if unit.stopped or not _is_content(unit, keep_stopwords):
            gap = gap or unit.pos[0] != "空白"
            prefix = None
            continue
        span = _Span([unit], list(parts), unit.surface, unit.text, gap)
        if prefix is not None and prefix[0].end == unit.start:
            span = _Span([prefix[0], unit], [*prefix[1], *parts], prefix[0].surface + unit.surface,
                         prefix[0].text + unit.text, gap)
        spans.append(span)
        gap, prefix = False, None
    return spans


def _adjacent_runs(spans: list[_Span]) -> list[tuple[str, ...]]:
    """The finest words of each run of two or more spans typed side by side."""
    runs: list[tuple[str, ...]] = []
    current: list[_Span] = []
    for span in spans:
        if current and _join([current[-1], span]) is not None:
            current.append(span)
            continue
        if len(current) > 1:
            runs.append(tuple(p.text for s in current for p in s.parts))
        current = [span]
    if len(current) > 1:
        runs.append(tuple(p.text for s in current for p in s.parts))
    return runs


def _is_content(unit: Unit, keep_stopwords: bool) -> bool:
    if unit.pos[0] in _NON_CONTENT_POS:
        return keep_stopwords and unit.pos[0] not in ("補助記号", "記号", "空白")
    if unit.pos[1] in ("非自立可能", "助動詞語幹") and not keep_stopwords:
        return False
    return keep_stopwords or unit.text not in QUERY_STOPWORDS


def _join(spans: list[_Span]) -> _Span | None:
    """Spans side by side as one, or None when something stood between them
    (a particle, punctuation or a dropped word)."""
    if len(spans) == 1:
        return spans[0]
    surface = spans[0].surface
    for prev, span in zip(spans, spans[1:]):
        if span.gap_before:
            return None
        between = span.units[0].start - prev.units[-1].end
        if between == 0:
            surface += span.surface
        elif _LATIN.match(prev.surface.lower()) and _LATIN.match(span.surface.lower()):
            surface += " " + span.surface
        else:
            return None
    return _Span([u for s in spans for u in s.units], [p for s in spans for p in s.parts],
                 surface, "".join(s.key for s in spans))
