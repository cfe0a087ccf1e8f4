"""Plain-text rendering of results for the CLI (colour is the caller's choice).

Text from queries and data passes through :func:`printable` first, so a
control character (an ESC that would drive the terminal, a newline that
would break a line) or a bidirectional override shows as an escape instead
of taking effect.
"""

from __future__ import annotations

import re
import unicodedata

from ..domain.languages import LANGUAGES
from ..results import Advice, Project, SearchResults, Snippet

#: How the text output names the keyword fields a match was found in.
FIELD_NAMES = {"pref": "prefecture", "entity_code": "entity type"}
BOLD, DIM, MARK, RESET = "\033[1m", "\033[2m", "\033[1;33m", "\033[0m"
_SGR = re.compile(r"\033\[[0-9;]*m")
_SPACES = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to print on one terminal line: line breaks and tabs
    become spaces; other control characters, bidirectional overrides and
    lone surrogates become visible escapes.

    >>> printable("a\\tb\\nc"), printable("\\x1b[2Jx"), printable("\\u202eabc")
    ('a b c', '\\\\x1b[2Jx', '\\\\u202eabc')
    """
    if text.isprintable():
        return text
    text = _SPACES.sub(" ", text)
    return _CONTROLS.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def render_snippet(snippet: Snippet, colour: bool) -> str:
    """The snippet with its spans marked (bold yellow, or in brackets)."""
    before, after = (MARK, RESET) if colour else ("[", "]")
    return marked(snippet.text, snippet.spans, before, after)


def marked(text: str, spans, before: str, after: str) -> str:
    """``text`` made printable, each span wrapped in ``before``/``after``.

    >>> marked("難民の支援", ((0, 2),), "[", "]")
    '[難民]の支援'
    """
    out, last = [], 0
    for start, end in spans:  # marked piece by piece: escapes change lengths
        out += [printable(text[last:start]), before, printable(text[start:end]), after]
        last = end
    out.append(printable(text[last:]))
    return "".join(out)


def wrap(line: str, width: int, indent: str = "   ") -> list[str]:
    """``line`` cut to ``width`` terminal columns (wide characters take two),
    each continuation starting with ``indent``, so wrapped text keeps its
    place under its heading. Colour codes take no room and carry over to
    the next line; a Latin word is not cut where a space comes soon before.

    >>> wrap("   地域の日本語教室と食料支援", 14)
    ['   地域の日本', '   語教室と食', '   料支援']
    >>> wrap("   support for refugees", 16)
    ['   support for', '   refugees']
    """
    lines: list[str] = []
    current, used, space = "", 0, -1  # space: where the line may break between words
    for piece in _pieces(line):
        if _SGR.fullmatch(piece):
            current += piece
            continue
        w = _columns(piece)
        while used + w > width and used > _width(indent):  # twice if the carried word is long
            rest = ""
            if piece != " " and space > len(indent) and current[:space].strip() \
                    and used - _width(current[:space]) < 20:
                current, rest = current[:space], current[space + 1:]
            colour = _state(current)
            if _SGR.sub("", current).strip():  # a line of spaces only is not worth a line
                lines.append(current.rstrip(" ") + (RESET if colour else ""))
            current, space = indent + colour + rest, -1
            used = _width(current)
        if piece == " " and current.strip(" ") == _state(current) and lines:
            continue  # no space at the start of a continued line
        if piece == " ":
            space = len(current)
        current += piece
        used += w
    lines.append(current)
    return lines


def _pieces(line: str) -> list[str]:
    """The characters of ``line``, each colour code as one piece."""
    out: list[str] = []
    last = 0
    for m in _SGR.finditer(line):
        out += list(line[last:m.start()]) + [m.group()]
        last = m.end()
    return out + list(line[last:])


def _state(text: str) -> str:
    """The colour codes in force at the end of ``text``."""
    active = ""
    for m in _SGR.finditer(text):
        active = "" if m.group() == RESET else active + m.group()
    return active


def _columns(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_columns(ch) for ch in _SGR.sub("", text))


def render_results(results: SearchResults, colour: bool = False, explain: bool = False,
                   what: str = "for", width: int | None = None) -> str:
    """Numbered hits: organisation, entity type, location, title, snippet.
    The matches are marked in the snippet, and with ``colour`` in the title
    too; with a ``width``, long lines wrap under their own indent.

    >>> from sagashi.results import Hit, SearchResults, Snippet
    >>> hit = Hit(5, 3.2, "北関東医療相談会", "在留外国人の支援", "群馬県太田市", "(特非)",
    ...           "…", "群馬県", Snippet("在留資格のない外国人", ((7, 10),)), 1, 1)
    >>> print(render_results(SearchResults("外国人", 1, (hit,))))
    1. 北関東医療相談会 (特非)  群馬県太田市  [No 5]
       在留外国人の支援
       在留資格のない[外国人]
    <BLANKLINE>
    1 result for 「外国人」
    """
    p = printable
    query = p(results.query)
    notes = "".join(f"\n{p(word)}: no record mentions it" for word in results.unmatched)
    read_as = "" if results.language == "ja" else \
        f" (read as {LANGUAGES.get(results.language, results.language)})"
    if not results.hits:
        return f"No results {what} 「{query}」{read_as}.{notes}{render_advice(results.advice)}"
    b, d, r = (BOLD, DIM, RESET) if colour else ("", "", "")
    lines = []
    for rank, hit in enumerate(results, 1):
        lines.append(f"{b}{rank}. {p(hit.organization)}{r} {p(hit.entity)}  {p(hit.location)}  "
                     f"{d}[No {hit.no}]{r}")
        title = marked(hit.title, hit.title_spans, MARK, RESET) if colour else p(hit.title)
        lines.append(f"   {title}")
        if hit.snippet.text and hit.snippet.field != "title":
            lines.append(f"   {render_snippet(hit.snippet, colour)}")
        if hit.related_only:
            found = "; ".join(f"{x.concept} → {', '.join(x.words)}" for x in hit.related_only)
            lines.append(f"   {d}related words only: {p(found)}{r}")
        if explain:
            lines.append(f"   {d}score {hit.score:.2f}, matched {hit.matched}/{hit.concepts}{r}")
            for m in hit.explain:
                lines.append(f"   {d}  {p(m.concept)}: {p(m.term)} in "
                             f"{FIELD_NAMES.get(m.field, m.field)} ({p(m.how or m.source)}){r}")
        lines.append("")
    shown, total = len(results.hits), results.total
    noun = "result" if total == 1 else "results"
    tail = f"{total} {noun} {what} 「{query}」{read_as}" if shown == total else \
        f"{shown} of {total} {noun} {what} 「{query}」{read_as}"
    tail += notes + render_advice(results.advice)
    if explain and results.interpretation:
        tail += "\nunderstood as:\n" + "\n".join(f"  {p(line)}" for line in results.interpretation)
    out = "\n".join(lines) + "\n" + tail
    if width:
        out = "\n".join(part for line in out.split("\n")
                        for part in wrap(line, width, _hanging(line)))
    return out


def _hanging(line: str) -> str:
    """The indent that continues ``line`` when wrapped: its own, or past
    the number of a hit (``12. ``)."""
    bare = _SGR.sub("", line)
    numbered = re.match(r"\d+\. ", bare)
    return " " * (numbered.end() if numbered else len(bare) - len(bare.lstrip(" ")))


def render_advice(advice: Advice) -> str:
    """What to try after a query found nothing, one line each (each line
    after a line break).

    >>> from sagashi.results import Filtered
    >>> print(render_advice(Advice(("日本語教室",), (Filtered("pref", "北海道", 5),), ("支援",))))
    <BLANKLINE>
    did you mean 日本語教室?
    --pref 北海道 leaves out all 5 results; try without it
    支援: in too many records to search on alone; add a more specific word
    """
    p = printable
    lines = [f"did you mean {' / '.join(p(q) for q in advice.did_you_mean)}?"] \
        if advice.did_you_mean else []
    for f in advice.filtered_out:
        what = p(f.value) if f.name == "exclude" else f"--{f.name} {p(f.value)}"
        noun = "result" if f.results == 1 else "results"
        lines.append(f"{what} leaves out {'the' if f.results == 1 else 'all'} {f.results} "
                     f"{noun}; try without it")
    if advice.too_common:
        lines.append(f"{', '.join(p(w) for w in advice.too_common)}: in too many records to "
                     "search on alone; add a more specific word")
    return "".join(f"\n{line}" for line in lines)


def render_project(p: Project) -> str:
    """A project's columns, one per line, its kept columns last.

    >>> print(render_project(Project(3, "NPO法人", "会", "札幌市", "事業", "説明",
    ...                              {"年度": "2024"}, prefecture="北海道")))
    No: 3
    法人格: NPO法人
    申請団体名: 会
    所在地: 札幌市 (北海道)
    事業名: 事業
    概要: 説明
    年度: 2024
    """
    rows = [("No", str(p.no)), ("法人格", p.entity), ("申請団体名", p.organization),
            ("所在地", f"{p.location} ({p.prefecture})" if p.prefecture else p.location),
            ("事業名", p.title), ("概要", p.summary), *p.extra.items()]
    return "\n".join(f"{printable(name)}: {printable(value)}" for name, value in rows)


def render_units(units) -> str:
    """One analysed unit per line, for ``sagashi analyze``."""
    lines = ["surface\tnormalized\treading\tpos\tstart-end\tlevel\tposition\tsynonyms"]
    for u in units:
        pos = "-".join(p for p in u.pos if p != "*")
        level = u.level + (" (stopped)" if u.stopped else "")
        syn = ",".join(map(str, u.synonyms)) or "-"
        cells = [u.surface, u.text, u.reading, pos]
        lines.append("\t".join(printable(c) for c in cells) +
                     f"\t{u.start}-{u.end}\t{level}\t{u.position}\t{syn}")
    return "\n".join(lines)


def render_stats(stats) -> str:
    data = stats.data or {}
    rows = [
        ("index", stats.index_dir), ("generation", stats.generation),
        ("records", f"{stats.records:,}"), ("fields", ", ".join(stats.fields)),
        ("built", f"{stats.built_at} ({stats.build_seconds:.1f} s)"),
        ("data", data.get("path", "-")), ("data sha256", data.get("sha256", "-")),
        ("data read as", _read_as(data)),
        ("columns", ", ".join(f"{h}={r}" for h, r in (data.get("roles") or {}).items()) or "-"),
        ("other columns", ", ".join(_kept(c) for c in stats.columns) or "-"),
        ("schema version", str(stats.schema_version)),
        ("analyzer", ", ".join(f"{k}={v}" for k, v in stats.analyzer.items())),
        ("sudachipy", stats.sudachipy),
        ("dictionary", f"{stats.dictionary.get('name', '?')} "
                       f"{stats.dictionary.get('version', '?')}"),
        ("sagashi", stats.sagashi_version),
        ("size on disk", f"{stats.size_bytes / 1024:,.0f} KiB"),
        ("segments", f"{stats.segments:,}" + (" (sagashi index optimize merges them)"
                                              if stats.segments > 1 else "")),
        ("storage", f"{(stats.codec or {}).get('name', '-')} "
                    f"{(stats.codec or {}).get('format', '')}".strip()),
        ("changes since build", str(max(len(stats.history) - 1, 0))),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {printable(str(v))}" for k, v in rows)


def _read_as(data: dict) -> str:
    """How the data file was read: format, encoding or sheet, options."""
    parts = [data.get("format") or "-"]
    if data.get("sheet"):
        parts.append(f"sheet {data['sheet']}")
    elif data.get("encoding"):
        parts.append(data["encoding"])
    if data.get("numbered_by_row"):
        parts.append("numbered by row")
    options = data.get("options") or {}
    if options.get("columns"):
        parts.append("--columns " + ",".join(f"{h}={r}" for h, r in options["columns"].items()))
    return ", ".join(parts)


def _kept(column) -> str:
    kinds = [k for k, on in (("numeric", column.numeric), ("facet", column.facet)) if on]
    return f"{column.header} ({', '.join(kinds)})" if kinds else column.header
