"""Shared fixtures: the bundled corpus indexed once per test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sagashi.index.build import build_index
from sagashi.engine import Engine

REPO = Path(__file__).resolve().parents[1]
# The tests never write to the user's cache folder.
os.environ.setdefault("SAGASHI_CACHE", tempfile.mkdtemp(prefix="sagashi-test-cache-"))
DATA = REPO / "data" / "projects.tsv"


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

