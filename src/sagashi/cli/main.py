"""The ``sagashi`` command: a thin layer over the library.

Each command parses its arguments, calls one library function and renders
the result. Results go to stdout, notes and errors to stderr. Errors are one
line with a hint; usage errors exit 2, runtime errors 1. Heavy modules (and
the Sudachi dictionary) load only when a command needs them, so ``--help``
and ``--version`` are instant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from typing import overload

from .. import __version__
from ..analysis.chars import clean
from ..domain.languages import LANGUAGES
from ..errors import IndexMissingError, IndexUntrustedError, SagashiError
from ..validate import MAX_LIMIT

EXIT_USAGE = 2
#: At most this many indexing processes may be asked for.
MAX_PROCS = 64
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    # sagashi never multiplies matrices, but numpy's OpenBLAS starts a thread
    # per core when numpy is imported: a third of numpy's import time, paid by
    # every cold search. One thread, unless the user asked for more.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = build_parser()
    args = _parse(parser, argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args) or 0
    except SagashiError as e:
        _error(e.message, e.hint)
        return _exit_status(e, args)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as e:  # the file system said no: not a bug in sagashi
        where = f": {e.filename}" if e.filename else ""
        _error(f"{e.strerror or e}{where}", "check the path and its permissions")
        return 1
    except Exception as e:  # a bug: one line, no traceback unless asked for
        if os.environ.get("SAGASHI_DEBUG"):
            raise
        _error(f"internal error: {type(e).__name__}: {e}",
               "run again with SAGASHI_DEBUG=1 for details, and please report it")
        return 1


def _exit_status(e: SagashiError, args) -> int:
    """The exit status for an error: its own, except that an ``--index``
    folder the user named that holds no index, cannot be read or is refused
    is a mistake in the command line like any other (2)."""
    if getattr(args, "index", None) is not None and \
            isinstance(e, (IndexMissingError, IndexUntrustedError)):
        return EXIT_USAGE
    return e.exit_code


# -- argument parsing -------------------------------------------------------

def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line. A search's ``-word`` (exclude a word) looks
    like an option to argparse, so words it does not know as options join
    the query: ``sagashi search 難民 -ウクライナ`` works. Unknown ``--options``
    are still errors."""
    args, extras = parser.parse_known_args(argv)
    if getattr(args, "func", None) is cmd_search and \
            not any(x.startswith("--") for x in extras):
        args.query += extras
        extras = []
        if not args.query:
            args.search_parser.error("the following arguments are required: QUERY")
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's habit too)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {_one_line(message)} "
                              f"(see: {self.prog} --help)\n")


def _whole_number(text: str, low: int, high: int | None, what: str) -> int:
    """A whole number from the command line, from ``low`` to ``high``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} is a whole number, got {text!r}") from None
    if value < low or (high is not None and value > high):
        limits = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise argparse.ArgumentTypeError(f"{what} must be {limits}, got {value}")
    return value


def _limit(text: str) -> int:
    return _whole_number(text, 1, MAX_LIMIT, "a limit")


def _procs(text: str) -> int:
    return _whole_number(text, 1, MAX_PROCS, "a number of processes")


def _record_no(text: str) -> int:
    return _whole_number(text, 0, None, "a project number")


def _port(text: str) -> int:
    return _whole_number(text, 0, 65535, "a port")


def _cache_size(text: str) -> int:
    return _whole_number(text, 0, 1_000_000, "a cache size")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sagashi", description="Full-text search for Japanese records "
                     "(SudachiPy + Whoosh). Try: sagashi search 熊本 日本語教室")
    parser.add_argument("--version", action="version", version=f"sagashi {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument("--version", action="version", version=f"sagashi {__version__}")
        p.set_defaults(func=func)
        return p

    def index_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", metavar="DIR",
                       help="index folder (default: $SAGASHI_INDEX if set, else the bundled "
                            "index, built on first use)")

    def data_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--encoding", metavar="NAME", help="file encoding (default: detected)")
        p.add_argument("--columns", metavar="SPEC",
                       help="roles of columns whose headers sagashi does not know, e.g. "
                            "'事業の説明=summary,代表団体=organization' (roles: id, entity, "
                            "organization, location, title, summary, extra)")
        p.add_argument("--sheet", metavar="NAME",
                       help="the sheet of an Excel workbook (default: the first)")

    p = command("search", "Search the projects. QUERY '-' reads one query per line from stdin.",
                cmd_search)
    p.set_defaults(search_parser=p)
    p.add_argument("query", nargs="*", metavar="QUERY",
                   help='words, "phrases", AND/OR/NOT, -word, field:value (所在地:, 事業名:, '
                        '団体名:, 概要:, 法人格:)')
    p.add_argument("-n", "--limit", type=_limit, default=10, metavar="N",
                   help="how many results (1-1000, default 10)")
    p.add_argument("--json", action="store_true",
                   help="JSON output: one object, or JSON Lines with QUERY '-'")
    p.add_argument("--pref", metavar="NAME",
                   help="only projects in this prefecture, region or city (兵庫, ひょうご, "
                        "hyogo, 関西, Kobe ...)")
    p.add_argument("--entity", metavar="TYPE",
                   help="only this legal entity type (特非, NPO法人, 一社, 社団法人 ...)")
    p.add_argument("--filter", action="append", metavar="EXPR", dest="filters",
                   help="only projects whose column HEADER holds VALUE: 'HEADER=VALUE', or "
                        "for numbers 'HEADER>=N' (also <=, >, <); repeatable")
    p.add_argument("--explain", action="store_true",
                   help="show which terms matched in which fields, and why")
    p.add_argument("--lang", choices=tuple(LANGUAGES), metavar="CODE",
                   help="the language the query is written in: " + ", ".join(
                       f"{code} ({name})" for code, name in LANGUAGES.items())
                   + " (default: detected from its script and words)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="highlight matches in colour (default: on a terminal only)")
    index_option(p)

    p = command("show", "Show one project in full.", cmd_show)
    p.add_argument("no", type=_record_no, metavar="NO", help="the project number")
    p.add_argument("--json", action="store_true", help="JSON output")
    index_option(p)

    p = command("similar", "The projects most like a given one.", cmd_similar)
    p.add_argument("no", type=_record_no, metavar="NO", help="the project number")
    p.add_argument("-n", "--limit", type=_limit, default=5, metavar="N",
                   help="how many results (default 5)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    index_option(p)

    p = command("analyze", "Show the tokens the analyzer produces for TEXT.", cmd_analyze)
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.add_argument("--json", action="store_true", help="JSON Lines output, one token per line")
    p.add_argument("--all", action="store_true", help="include stopped tokens (particles ...)")

    p = command("serve", "Serve a search page and a JSON API (http://127.0.0.1:8000/).",
                cmd_serve)
    p.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                   help="address to listen on (default 127.0.0.1: this machine only; "
                        "read the README's Web section before choosing another)")
    p.add_argument("--port", type=_port, default=8000, metavar="N",
                   help="port to listen on (default 8000; 0 picks a free one)")
    p.add_argument("--cache", type=_cache_size, default=1000, metavar="N",
                   help="answers kept in memory until the index changes (default 1000; "
                        "0: none)")
    index_option(p)

    p = command("index", "Build, change and inspect an index.", None)
    isub = p.add_subparsers(title="index commands", metavar="ACTION", parser_class=_Parser)

    def action(name: str, help_: str, func) -> argparse.ArgumentParser:
        a = isub.add_parser(name, help=help_, description=help_)
        a.add_argument("--version", action="version", version=f"sagashi {__version__}")
        a.set_defaults(func=func)
        index_option(a)
        return a

    a = action("build", "Rebuild the index from a data file (TSV, CSV, JSON Lines or Excel "
               ".xlsx); the new index is swapped in atomically.", cmd_index_build)
    a.add_argument("--data", metavar="PATH",
                   help="data file (default: the file the index was built from, read the same "
                        "way; the bundled corpus for a new index)")
    data_options(a)
    a.add_argument("--procs", type=_procs, metavar="N",
                   help="indexing processes (default: automatic)")
    a.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another writer (default 30)")
    a = action("update", "Add the records of FILE, replacing those with the same id (No).",
               cmd_index_update)
    a.add_argument("file", metavar="FILE")
    data_options(a)
    a.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another writer (default 30)")
    a = action("delete", "Remove records by number.", cmd_index_delete)
    a.add_argument("nos", nargs="+", type=_record_no, metavar="NO")
    a.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another writer (default 30)")
    a = action("optimize", "Merge the index's segments into one (faster searches); the new "
               "index is swapped in atomically.", cmd_index_optimize)
    a.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long to wait for another writer (default 30)")
    a = action("stats", "Show facts about the index.", cmd_index_stats)
    a.add_argument("--json", action="store_true", help="JSON output")
    p.set_defaults(func=lambda args: _usage(p))
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


# -- commands -----------------------------------------------------------------

def _engine(args):
    from ..whoosh_ext.light import import_whoosh
    import_whoosh()  # before anything imports Whoosh its usual, heavier way
    from ..engine import Engine
    return Engine(args.index, notify=_note)


def cmd_search(args) -> int:
    words = args.query
    if words == ["-"]:
        return _search_stdin(args)
    query = _text(" ".join(words))
    from .render import render_results
    filters = _filters(args)
    with _engine(args) as engine:
        results = engine.search(query, args.limit, pref=_text(args.pref),
                                entity=_text(args.entity), filters=filters,
                                explain=args.explain, facets=args.json, language=args.lang)
    if args.json:
        _print_json(results.to_json(args.explain))
    else:
        print(render_results(results, _colour(args), args.explain, width=_terminal_width()))
    return 0


def _search_stdin(args) -> int:
    """One query per line of stdin. With ``--json``, exactly one JSON line
    per input line, so that answers stay aligned with questions: a blank
    line gets an empty answer, a refused one an object with ``"error"``."""
    from ..errors import InternalError, QueryError
    from ..results import SearchResults
    from .render import render_results
    if hasattr(sys.stdin, "reconfigure"):
        # bytes that are not text: U+FFFD, no crash; lines end at \n only, as
        # the caller counts them (a stray \r is a space in the query)
        sys.stdin.reconfigure(errors="replace", newline="\n")
    pref, entity, filters = _text(args.pref), _text(args.entity), _filters(args)
    with _engine(args) as engine:
        for line in sys.stdin:
            query = _text(line.rstrip("\r\n"))
            if not query.strip():
                if args.json:
                    _print_json(SearchResults(query, 0, ()).to_json(args.explain))
                continue
            try:
                results = engine.search(query, args.limit, pref=pref, entity=entity,
                                        filters=filters, explain=args.explain,
                                        facets=args.json, language=args.lang)
            except (QueryError, InternalError) as e:  # one bad line does not stop a batch
                _error(e.message, e.hint)
                if args.json:
                    _print_json({"query": query, "language": args.lang, "total": 0, "hits": [],
                                 "error": e.message})
                continue
            if args.json:
                _print_json(results.to_json(args.explain))
            else:
                print(render_results(results, _colour(args), args.explain, width=_terminal_width()))
            sys.stdout.flush()
    return 0


def _filters(args) -> list[str] | None:
    """The ``--filter`` expressions, checked before any index is opened."""
    if not args.filters:
        return None
    from ..query.filters import parse_condition
    texts = [_text(f) for f in args.filters]
    for text in texts:
        parse_condition(text)
    return texts


def cmd_show(args) -> int:
    from .render import render_project
    with _engine(args) as engine:
        project = engine.get(args.no)
    if args.json:
        _print_json(project.to_json())
    else:
        print(render_project(project))
    return 0


def cmd_similar(args) -> int:
    from .render import render_results
    with _engine(args) as engine:
        results = engine.similar(args.no, args.limit)
    if args.json:
        _print_json(results.to_json())
    else:
        print(render_results(results, _colour(args), False, what="similar to",
                             width=_terminal_width()))
    return 0


def cmd_serve(args) -> int:
    from ..web.server import serve  # the web stack loads for this command only
    with _engine(args) as engine:
        serve(engine, args.host, args.port, _note, cache_size=args.cache)
    return 0


def cmd_analyze(args) -> int:
    from ..analysis import SudachiAnalysis
    from .render import render_units
    text = _text(" ".join(args.text))
    units = [u for u in SudachiAnalysis().units(text) if args.all or not u.stopped]
    if args.json:
        for u in units:
            _print_json({"surface": u.surface, "normalized": u.text, "reading": u.reading,
                         "pos": list(u.pos), "start": u.start, "end": u.end,
                         "level": u.level, "position": u.position,
                         "synonyms": list(u.synonyms), "stopped": u.stopped})
    else:
        print(render_units(units))
    return 0


def cmd_index_build(args) -> int:
    from ..index.build import build_index
    with _interrupted(args), _progress_bar("indexing") as bar:
        report = build_index(args.data, args.index, encoding=args.encoding,
                             columns=_columns(args), sheet=_text(args.sheet), procs=args.procs,
                             progress=bar, lock_timeout=args.wait)
    _notes(report.notes, f"read {report.records_read:,} records from {report.data_path}, "
           f"indexed {report.records_indexed:,} in {report.seconds:.1f} s "
           f"({_read_as(report)}) into {report.index_dir}")
    return 0


def cmd_index_update(args) -> int:
    from ..index.build import update_index
    with _interrupted(args), _progress_bar("updating") as bar:
        report = update_index(args.file, args.index, encoding=args.encoding,
                              columns=_columns(args), sheet=_text(args.sheet), progress=bar,
                              lock_timeout=args.wait)
    _notes(report.notes, f"read {report.records_read:,} records: added {report.added:,}, "
           f"replaced {report.replaced:,}; the index at {report.index_dir} now holds "
           f"{report.records_indexed:,}")
    return 0


def cmd_index_delete(args) -> int:
    from ..index.build import delete_records
    with _interrupted(args):
        report = delete_records(args.nos, args.index, lock_timeout=args.wait)
    _note(f"removed {report.removed:,} records; {report.records_indexed:,} remain "
          f"in {report.index_dir}")
    return 0


def cmd_index_optimize(args) -> int:
    from ..index.build import optimize_index
    with _interrupted(args):
        report = optimize_index(args.index, lock_timeout=args.wait)
    done = (f"merged {report.removed + 1:,} segments into one" if report.removed
            else "rewrote the index's one segment without its deleted records")
    _note(f"{done} in {report.seconds:.1f} s; {report.records_indexed:,} records in "
          f"{report.index_dir}")
    return 0


def _columns(args) -> dict[str, str] | None:
    from ..domain.columns import parse_mapping
    return parse_mapping(_text(args.columns)) if args.columns else None


def _read_as(report) -> str:
    if report.sheet is not None:
        return f"{report.data_format}, sheet {report.sheet}"
    return f"{report.data_format}, {report.encoding}"


class _Interrupted(SagashiError):
    exit_code = 130


@contextmanager
def _interrupted(args):
    """Ctrl-C during a change of the index: one line saying that the index
    is as it was (a change is swapped in whole, or not at all), exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        from ..domain.resources import default_index_dir
        root = args.index if args.index is not None else default_index_dir()
        raise _Interrupted(f"interrupted; the index at {root} is unchanged") from None


def cmd_index_stats(args) -> int:
    from dataclasses import asdict

    from ..index.build import index_stats
    from .render import render_stats
    stats = index_stats(args.index)
    if args.json:
        _print_json(asdict(stats))
    else:
        print(render_stats(stats))
    return 0


# -- output helpers -------------------------------------------------------------

@contextmanager
def _progress_bar(label: str):
    """A progress bar on stderr (terminal only), finished however the work ends."""
    from .progress import ProgressBar
    bar = ProgressBar(label)
    try:
        yield bar
    finally:
        bar.finish()


def _print_json(obj) -> None:
    """One JSON object on one line, Japanese readable. Characters that some
    readers take for line breaks (U+0085, U+2028, U+2029) are escaped, so
    JSON Lines stay one object per line whatever the text holds."""
    text = json.dumps(obj, ensure_ascii=False)
    print(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def _note(message: str) -> None:
    print(f"sagashi: {message}", file=sys.stderr)


def _notes(notes: Iterable[str], summary: str) -> None:
    """What a build or an update noticed about the data's columns (a role no
    column fills, records numbered by row), then the line that sums it up."""
    for note in notes:
        _note(note)
    _note(summary)


def _error(message: str, hint: str = "") -> None:
    line = f"sagashi: error: {message}"
    if hint:
        line += f" (hint: {hint})"
    print(_one_line(line), file=sys.stderr)


def _one_line(message: str) -> str:
    """A message as one printable line (it may quote the user's input)."""
    from .render import printable
    return printable(message)


@overload
def _text(value: str) -> str: ...
@overload
def _text(value: None) -> None: ...
def _text(value: str | None) -> str | None:
    """Text from the command line or stdin as the library should see it:
    bytes that were not valid UTF-8 (Python hands them over as lone
    surrogates) become U+FFFD, so they can be echoed and written as JSON."""
    return value if value is None else clean(value)


def _colour(args) -> bool:
    if args.color == "always":
        return True
    if args.color == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _terminal_width() -> int | None:
    """The terminal's width, to wrap long lines under their indent; None
    when output goes to a file or a pipe (lines are left whole)."""
    if not sys.stdout.isatty():
        return None
    import shutil
    return max(shutil.get_terminal_size().columns, 40)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
