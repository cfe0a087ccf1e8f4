"""Shared fixtures and helpers: the bundled corpus indexed once per test
session, the CLI run in process or as a real command, and the checks every
answer must pass."""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from sagashi.cli.main import main
from sagashi.engine import Engine
from sagashi.index.build import build_index
from sagashi.results import SearchResults

REPO = Path(__file__).resolve().parents[1]
# The tests never write to the user's cache folder.
os.environ.setdefault("SAGASHI_CACHE", tempfile.mkdtemp(prefix="sagashi-test-cache-"))
DATA = REPO / "data" / "projects.tsv"
#: The bundled data's header line, for data files written by tests.
HEADER = "No\t法人格\t申請団体名\t所在地\t事業名\t概要\n"
#: For real processes: output that cannot be encoded fails loudly; no colour.
STRICT_IO = {"PYTHONIOENCODING": "utf-8:strict", "NO_COLOR": "1"}


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
