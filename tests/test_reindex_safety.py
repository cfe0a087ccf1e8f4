"""Reindexing is safe at any moment: killed, contended, or while others search.

Two datasets alternate, "old" and "new", with different record counts and a
word only one of them holds, so every check can tell a complete old index
from a complete new one, and both from anything in between.

Run with ``pytest -s`` to see the counts (kill trials, reader queries).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import whoosh.writing
from whoosh import query as wq
from whoosh import sorting

import sagashi.index.writer
from sagashi.cli.main import main
from sagashi.engine import Engine
from sagashi.errors import IndexLockedError, IndexMissingError
from sagashi.index import build as indexing
from sagashi.index import storage
from sagashi.index.build import build_index, delete_records, update_index
from sagashi.index.manifest import read_manifest
from sagashi.index.searcher import open_searcher

from .conftest import REPO, Dataset, make_dataset

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kill -9, fork and flock are POSIX")

REINDEX = REPO / "scripts" / "reindex"
KILL_TRIALS = 20
SEED = int(os.environ.get("SAGASHI_TEST_SEED", time.time_ns() % 100_000))
#: Said in every assertion of the random trials, so a failure can be replayed.
SEEDED = f"seed {SEED} (replay with SAGASHI_TEST_SEED={SEED})"


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> dict[str, Dataset]:
    """Datasets that take a good part of a second to reindex (Python start included)."""
    folder = tmp_path_factory.mktemp("big")
    return {"old": make_dataset(folder, "old", 36, "春季", 1),
            "new": make_dataset(folder, "new", 54, "秋季", 1001)}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, Dataset]:
    """Datasets that index quickly."""
    folder = tmp_path_factory.mktemp("small")
    return {"old": make_dataset(folder, "old", 8, "春季", 1),
            "new": make_dataset(folder, "new", 12, "秋季", 1001)}


def served(root: Path, datasets: dict[str, Dataset], engine: Engine | None = None) -> str:
    """The name of the dataset the index serves, after checking that it
    serves all of it and nothing else (and that its manifest agrees)."""
    notes: list[str] = []
    own = engine is None
    engine = engine or Engine(root, notify=notes.append)
    try:
        found = {name: engine.search(d.word, limit=1).total for name, d in datasets.items()}
        total = engine.search("プログラム", limit=1).total
    finally:
        if own:
            engine.close()
    complete = [name for name, d in datasets.items()
                if found[name] == total == d.count and sum(found.values()) == d.count]
    assert len(complete) == 1, f"neither complete old nor complete new: {found}, total {total}"
    manifest = read_manifest(storage.current_generation(root))
    assert manifest["records"] == datasets[complete[0]].count
    assert manifest["data"]["path"] == str(datasets[complete[0]].path.resolve())
    assert notes == []
    return complete[0]


def leftovers(root: Path) -> list[str]:
    """Anything a crashed writer left that the next writer must remove."""
    return sorted(p.name for p in root.iterdir()
                  if p.name.startswith(storage.TRASH) or p.name.endswith(".tmp")
                  or (p.name.startswith("gen-") and not storage.is_complete(p)))


def generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith("gen-"))


def reindex(dataset: Dataset, root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([str(REINDEX), "--data", str(dataset.path),
                             "--index", str(root), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and proc.poll() is None:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


# -- kill -9 at random moments ------------------------------------------------------

def test_reindex_killed_at_random_moments_leaves_a_complete_index(tmp_path, big):
    """Start scripts/reindex, kill -9 it at a random moment; the index opens
    and answers with complete old or complete new content, every time."""
    rng = random.Random(SEED)
    root = tmp_path / "ix"
    build_index(big["old"].path, root)
    held = Engine(root)  # a reader that stays open through all the trials

    started = time.monotonic()  # calibration: one reindex left to finish
    proc = reindex(big["new"], root)
    assert proc.wait(60) == 0, f"{SEEDED}: {proc.stderr.read()}"
    duration = time.monotonic() - started
    now = served(root, big)
    assert now == "new", SEEDED

    outcomes = {"killed, old kept": 0, "killed, new swapped in": 0, "finished first": 0}
    half_built_seen = trials = 0
    while trials < KILL_TRIALS:
        target = big["old" if now == "new" else "new"]
        before = set(generations(root))
        current = (root / storage.CURRENT).read_text()
        where = f"{SEEDED}, trial {trials}"
        proc = reindex(target, root)
        start = time.monotonic()
        kind = ("any moment", "while building", "any moment", "right after the swap")[trials % 4]
        if kind == "any moment":
            time.sleep(rng.uniform(0, duration * 1.1))
        elif kind == "while building":
            wait_for(lambda before=before: set(generations(root)) - before, proc)
            time.sleep(rng.uniform(0, max(duration - (time.monotonic() - start), 0.05)))
        else:
            wait_for(lambda current=current: (root / storage.CURRENT).read_text() != current,
                     proc)
        proc.kill()
        code = proc.wait(30)
        assert code in (0, -signal.SIGKILL), f"{where}: {proc.stderr.read()}"
        half_built_seen += bool([g for g in leftovers(root) if g.startswith("gen-")])
        after = served(root, big)
        assert served(root, big, held) == after, where  # the long-open reader agrees
        if code == 0:
            outcomes["finished first"] += 1
            assert after == target.name, where
        else:
            trials += 1
            outcomes["killed, old kept" if after == now else "killed, new swapped in"] += 1
        now = after

    print(f"\ncrash safety (seed {SEED}): {trials} kill -9 trials, reindex takes "
          f"{duration:.2f} s; {outcomes}; half-built generations left: {half_built_seen}")
    assert outcomes["killed, old kept"] and outcomes["killed, new swapped in"], \
        f"{SEEDED}: {outcomes}"
    assert half_built_seen, f"{SEEDED}: no kill landed while a generation was being written"
    assert served(root, big, held) == served(root, big), SEEDED
    held.close()

    build_index(big["new"].path, root, lock_timeout=1.0)  # no stale lock to wait for
    assert leftovers(root) == [], SEEDED
    storage.collect_garbage(root, grace=0)  # what the next writer does once the dust settles
    assert len(generations(root)) <= 1 + storage.KEEP_OLD, SEEDED


# -- kill -9 at each stage, deterministically -------------------------------------------

def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def _die_on_call(n: int, func):
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            _die()
        return func(*args, **kwargs)
    return wrapper


def _die_when_replacing(name: str):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            _die()
        return real(src, dst, *args, **kwargs)
    return replace


def killed_in_child(action, arm) -> None:
    """Run ``action`` in a forked child after ``arm`` set a trap that kills it
    with SIGKILL; fail unless the trap fired."""
    pid = os.fork()
    if pid == 0:
        try:
            arm()
            action()
        finally:
            os._exit(7)  # reached only when the trap never fired
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
        f"the child was not killed where planned (status {status})"


def _set(obj, name, value):
    return lambda: setattr(obj, name, value)


STAGES = [  # (stage, trap, what the index must serve afterwards)
    ("adding records", _set(sagashi.index.writer, "to_document",
                            _die_on_call(5, sagashi.index.writer.to_document)), "before"),
    ("whoosh committing", _set(whoosh.writing.SegmentWriter, "_commit_toc", _die), "before"),
    ("verifying the count", _set(indexing, "_verified_count", _die), "before"),
    ("writing the manifest", _set(os, "replace", _die_when_replacing(storage.MANIFEST)),
     "before"),
    ("after the manifest, before the swap", _set(storage, "publish", _die), "before"),
    ("writing CURRENT", _set(os, "replace", _die_when_replacing(storage.CURRENT)), "before"),
    ("after the swap, before clean-up", _set(storage, "collect_garbage", _die), "after"),
    ("deleting an old generation", _set(storage.shutil, "rmtree", _die), "after"),
]


@pytest.mark.parametrize("stage, arm, expect", STAGES, ids=[s[0] for s in STAGES])
def test_build_killed_at_each_stage(tmp_path, small, stage, arm, expect):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    (root / "gen-00000000T000000-1-000000000").mkdir()  # garbage for the clean-up to find
    killed_in_child(lambda: build_index(small["new"].path, root), arm)
    assert served(root, small) == ("old" if expect == "before" else "new")
    build_index(small["old"].path, root, lock_timeout=1.0)  # the next writer is not blocked
    assert served(root, small) == "old" and leftovers(root) == []


def test_update_and_delete_killed_midway_leave_the_old_generation_intact(tmp_path, small):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    live = storage.current_generation(root)
    files = {p.name: p.read_bytes() for p in live.iterdir()}
    die_adding = _die_on_call(3, sagashi.index.writer.to_document)
    killed_in_child(lambda: update_index(small["new"].path, root),
                    _set(sagashi.index.writer, "to_document", die_adding))
    killed_in_child(lambda: delete_records([1, 2], root),
                    _set(whoosh.writing.SegmentWriter, "_commit_toc", _die))
    assert storage.current_generation(root) == live
    assert {p.name: p.read_bytes() for p in live.iterdir()} == files
    assert served(root, small) == "old"
    update_index(small["new"].path, root, lock_timeout=1.0)
    assert leftovers(root) == []
    with Engine(root) as engine:
        assert engine.search("プログラム", limit=1).total == 8 + 12


def test_first_build_killed_early_does_not_block_the_next(tmp_path, small):
    root = tmp_path / "ix"
    killed_in_child(lambda: build_index(small["new"].path, root),
                    _set(os, "replace", _die_when_replacing(storage.MARKER)))
    with pytest.raises(IndexMissingError):
        Engine(root)
    build_index(small["new"].path, root, lock_timeout=1.0)
    assert served(root, small) == "new"


# -- readers during reindexes ----------------------------------------------------------

READER = r"""
import json, os, sys
from sagashi.engine import Engine
root, stop = sys.argv[1], sys.argv[2]
seasons = {int(sys.argv[3]): sys.argv[4], int(sys.argv[5]): sys.argv[6]}
queries, failures, reopened, notes, generations = 0, [], 0, [], set()
held = Engine(root, notify=notes.append)
print("ready", flush=True)
while not os.path.exists(stop) or queries < 20:
    queries += 1
    fresh = queries % 10 == 0  # now and then a new engine: opening must work too
    engine = Engine(root, notify=notes.append) if fresh else held
    try:
        results = engine.search("プログラム", limit=5)
        word = seasons.get(results.total)
        if word is None or not all(word in hit.summary for hit in results):
            raise AssertionError(f"incomplete index: {results.total} records")
        generations.add(engine.generation)
    except Exception as e:
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        if fresh:
            engine.close()
print(json.dumps({"queries": queries, "failures": failures, "notes": notes,
                  "generations": len(generations)}))
"""


def test_readers_never_fail_during_reindexes(tmp_path, big):
    root = tmp_path / "ix"
    build_index(big["old"].path, root)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(root), str(stop),
         str(big["old"].count), big["old"].word, str(big["new"].count), big["new"].word],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline() == "ready\n", reader.stderr.read()
        for i in range(10):
            build_index(big["new" if i % 2 == 0 else "old"].path, root)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    report = json.loads(out)
    print(f"\nreaders during 10 reindexes: {report['queries']} queries, "
          f"{len(report['failures'])} failed, {report['generations']} generations seen")
    assert report["failures"] == [] and report["notes"] == []
    assert report["generations"] >= 3  # the reader really saw the swaps


def test_a_held_engine_answers_across_10_consecutive_reindexes(tmp_path, small):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    with Engine(root) as engine:
        for i in range(10):
            name = "new" if i % 2 == 0 else "old"
            build_index(small[name].path, root)
            assert served(root, small, engine) == name


def test_an_open_searcher_outlives_the_collection_of_its_generation(tmp_path, small,
                                                                     monkeypatch):
    """Whoosh must not open files lazily from a generation already deleted
    (on Linux, files stay readable while open)."""
    monkeypatch.setattr(storage, "GRACE_SECONDS", 0)
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    gen = storage.current_generation(root)
    _, searcher = open_searcher(gen)
    for i in range(storage.KEEP_OLD + 1):
        build_index(small["new" if i % 2 == 0 else "old"].path, root)
    assert not gen.exists()
    with searcher:
        assert searcher.doc_count() == 8
        hits = searcher.search(wq.Every(), limit=None,
                               sortedby=sorting.FieldFacet("pref"), groupedby="entity_code")
        assert len(hits) == 8 and hits.groups("entity_code")
        assert searcher.document(no="3")["summary"].endswith("春季プログラムとして実施する。")


def test_garbage_collection_keeps_recent_generations_and_removes_the_rest(tmp_path, small):
    root = tmp_path / "ix"
    names = []
    for i in range(5):  # a burst of reindexes: all replaced within the grace period
        build_index(small["old" if i % 2 == 0 else "new"].path, root)
        names.append(storage.current_generation(root).name)
    assert generations(root) == sorted(names)
    (root / "gen-99999999T999999-1-000000000").mkdir()  # a crashed writer's, newest of all
    (root / "trash-gen-old").mkdir()
    (root / "CURRENT.12345.tmp").write_text("gen-x\n")
    assert storage.collect_garbage(root) == ["gen-99999999T999999-1-000000000"]
    assert generations(root) == sorted(names) and leftovers(root) == []
    removed = storage.collect_garbage(root, grace=0)
    assert sorted(removed) == sorted(names[:2])
    assert generations(root) == sorted(names[-3:])  # live + KEEP_OLD most recent
    storage.collect_garbage(root, keep=0, grace=0)
    assert generations(root) == [names[-1]]


# -- one writer at a time ---------------------------------------------------------------

HOLDER = """
import sys, time
from sagashi.index import storage
with storage.write_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(root: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(root), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "locked\n"
    return proc


def snapshot(root: Path):
    with Engine(root) as engine:
        answer = [h.no for h in engine.search("プログラム", limit=20)]
    return storage.current_generation(root).name, sorted(p.name for p in root.iterdir()), answer


def test_a_second_writer_waits_then_fails_clearly_and_changes_nothing(tmp_path, small, capsys):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    before = snapshot(root)
    holder = hold_lock(root, 60)
    try:
        started = time.monotonic()
        with pytest.raises(IndexLockedError) as e:
            build_index(small["new"].path, root, lock_timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 5
        assert str(e.value) == (f"another process (pid {holder.pid}) is writing the index at "
                                f"{root}; gave up waiting after 0.5 s; nothing was changed")
        assert e.value.hint == "try again when it has finished, or wait longer with --wait SECONDS"
        with pytest.raises(IndexLockedError):
            update_index(small["new"].path, root, lock_timeout=0.1)
        with pytest.raises(IndexLockedError):
            delete_records([1], root, lock_timeout=0.1)

        code = main(["index", "build", "--data", str(small["new"].path), "--index", str(root),
                     "--wait", "0.2"])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1
        assert err.startswith(f"sagashi: error: another process (pid {holder.pid}) is writing")
        assert err.endswith("(hint: try again when it has finished, or wait longer with "
                            "--wait SECONDS)\n")
        script = reindex(small["new"], root, "--wait", "0.2")
        assert script.wait(30) == 1
        assert script.stderr.read().startswith("sagashi: error: another process")
        assert snapshot(root) == before
    finally:
        holder.kill()  # kill -9 while holding the lock: the lock must not go stale
        holder.wait()
    started = time.monotonic()
    with storage.write_lock(root, timeout=0.5):
        assert time.monotonic() - started < 0.3
    build_index(small["new"].path, root, lock_timeout=0.5)
    assert served(root, small) == "new"


def test_a_second_writer_that_waits_long_enough_succeeds(tmp_path, small):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    holder = hold_lock(root, 1.0)
    started = time.monotonic()
    build_index(small["new"].path, root, lock_timeout=20)
    assert time.monotonic() - started >= 0.5  # it waited for the holder
    assert holder.wait(10) == 0 and served(root, small) == "new"


def test_two_reindexes_at_once_both_finish_one_after_the_other(tmp_path, small):
    root = tmp_path / "ix"
    build_index(small["old"].path, root)
    first, second = reindex(small["new"], root), reindex(small["old"], root)
    assert first.wait(60) == 0 and second.wait(60) == 0, first.stderr.read() + second.stderr.read()
    assert served(root, small) in ("old", "new") and leftovers(root) == []
