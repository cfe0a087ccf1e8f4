"""Shared fixtures and helpers: the bundled corpus indexed once per test
session, the CLI run in process or as a real command, the checks every
answer must pass, data files made from the bundled records, and the web app
in process with the pages it serves.

Larger shared data lives in helper modules beside this one, which are not
test modules: tests/hostile_input.py (hostile queries and records),
tests/own_data.py (a user's own spreadsheet), tests/html_page.py (reading
pages) and tests/live_server.py (a real ``sagashi serve``)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sagashi.cli.main import main
from sagashi.domain.records import load_records
from sagashi.engine import Engine
from sagashi.index.build import build_index
from sagashi.results import SearchResults
from sagashi.web.app import create_app

from .html_page import HtmlPage, assert_inert

REPO = Path(__file__).resolve().parents[1]
# The tests never write to the user's cache folder.
os.environ.setdefault("SAGASHI_CACHE", tempfile.mkdtemp(prefix="sagashi-test-cache-"))
DATA = REPO / "data" / "projects.tsv"
#: The bundled data's header line, for data files written by tests.
HEADER = "No\t法人格\t申請団体名\t所在地\t事業名\t概要\n"
#: For real processes: output that cannot be encoded fails loudly; no colour.
STRICT_IO = {"PYTHONIOENCODING": "utf-8:strict", "NO_COLOR": "1"}
#: The packages of the web stack: only sagashi.web imports them, and only
#: ``sagashi serve`` loads them.
WEB_STACK = ("starlette", "uvicorn", "jinja2", "markupsafe", "anyio", "h11")


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """An index of data/projects.tsv in a session-wide temporary folder."""
    root = tmp_path_factory.mktemp("index") / "ix"
    build_index(DATA, root)
    return root


@pytest.fixture(scope="session")
def engine(corpus_index):
    with Engine(corpus_index) as e:
        yield e


@pytest.fixture
def fresh_index(tmp_path) -> Path:
    """A private index of the bundled corpus, free to change."""
    root = tmp_path / "ix"
    build_index(DATA, root)
    return root


def nos(results) -> list[int]:
    return [h.no for h in results]


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``sagashi ARGV`` in this process: exit status, stdout, stderr."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv, stdin: str | None = None, env: dict | None = None,
                timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """The real ``sagashi`` command in a subprocess (exit codes, stderr)."""
    return subprocess.run([sys.executable, "-m", "sagashi", *map(str, argv)], input=stdin,
                          capture_output=True, text=True, encoding="utf-8",
                          env={**os.environ, **(env or {})}, timeout=timeout, **kwargs)


def imported_modules(*argv: str) -> set[str]:
    """What a real ``sagashi ARGV`` imports: every top-level package, and
    every module of sagashi, numpy, whoosh and urllib by its full name."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "sagashi", *argv],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", proc.stderr, re.M)
    assert "sagashi.engine" in modules or argv == ("--help",)
    return {m.split(".")[0] for m in modules} | {
        m for m in modules if m.startswith(("sagashi.", "numpy.", "whoosh.", "urllib."))}


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each file in ``folder`` (to show that nothing changed)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.iterdir() if p.is_file()}


class _Hung(BaseException):
    """Raised by :func:`watchdog`; not an Exception, so nothing on the way
    up (search() wraps unexpected Exceptions) can swallow it."""


@contextmanager
def watchdog(seconds: float, what: str = ""):
    """Turn a hang into a failed assertion after ``seconds`` (SIGALRM: the
    main thread of a POSIX process; elsewhere it only waits)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _Hung

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Hung:
        raise AssertionError(f"still running after {seconds:g} s: {what}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_well_formed(results, limit: int = 10) -> None:
    """The invariants every answer keeps, whatever the query."""
    assert isinstance(results, SearchResults)
    assert isinstance(results.total, int) and results.total >= len(results.hits)
    assert len(results.hits) <= limit
    found = [hit.no for hit in results.hits]
    assert len(set(found)) == len(found), f"duplicate hits: {found}"
    for hit in results.hits:
        assert type(hit.no) is int
        assert isinstance(hit.score, float) and math.isfinite(hit.score)
        last = 0
        for start, end in hit.snippet.spans:
            assert type(start) is int and type(end) is int
            assert last <= start < end <= len(hit.snippet.text), hit.snippet
            last = end
    json.dumps(results.to_json(explain=True), ensure_ascii=False)


# -- data files made from the bundled records ----------------------------------------

@dataclass(frozen=True)
class Dataset:
    name: str
    path: Path
    count: int
    word: str  # in every record of this dataset, in none of the others


def make_dataset(folder: Path, name: str, count: int, word: str, first_no: int) -> Dataset:
    """``count`` records made from the bundled ones, with their own numbers,
    varied titles and ``word`` in every summary."""
    base = load_records(DATA).records
    lines = [HEADER.rstrip("\n")]
    for i in range(count):
        r = base[i % len(base)]
        lines.append(f"{first_no + i}\t{r.entity}\t{r.organization}\t{r.location}\t"
                     f"{r.title}（第{i // len(base) + 1}期）\t{r.summary}{word}プログラムとして実施する。")
    path = folder / f"{name}.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Dataset(name, path, count, word)


# -- the web app in process ------------------------------------------------------------

@pytest.fixture(scope="module")
def client(engine) -> Iterator[TestClient]:
    """The web app over the bundled corpus (Starlette's test client); one
    per test module, so each starts with an empty answer cache."""
    with TestClient(create_app(engine)) as c:
        yield c


def page(client: TestClient, url: str, status: int = 200, *,
         params: dict[str, str] | None = None,
         headers: dict[str, str] | None = None) -> HtmlPage:
    """``GET url`` as a web page: the status expected, HTML, and nothing in
    it that runs or links away (:func:`~tests.html_page.assert_inert`)."""
    response = client.get(url, params=params, headers=headers)
    assert response.status_code == status, (url, params, response.status_code,
                                            response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return assert_inert(response.text)


def hit_nos(p: HtmlPage) -> list[int]:
    """The project numbers of the hits on a search page, in order (the links
    to project pages, less the language switch)."""
    return [int(a.attrs["href"].split("/")[-1].split("?")[0]) for a in p.find("a")
            if a.attrs["href"].startswith("/projects/") and "hreflang" not in a.attrs]
