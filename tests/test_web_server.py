"""``sagashi serve`` as a real process: loopback by default, a warning for
any other address, one-line errors, a reindex served without a restart,
and no cost to ``sagashi search``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import uvicorn

from sagashi.web.server import bind, is_loopback

from .conftest import REPO, WEB_STACK, imported_modules, make_dataset, run_cli, run_process
from .live_server import live_server

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT stops the server")


def test_serve_listens_on_loopback_by_default_and_stops_cleanly(corpus_index):
    with live_server(corpus_index) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.api("/api/search", q="難民")["total"] == 5
        status, headers, body = server.get("/", {"q": "難民"})
        assert status == 200 and "<mark>難民</mark>" in body
        assert "server" not in headers  # no software banner
    assert server.process.returncode == 0 and server.stderr[-1] == "sagashi: stopped"
    assert not [line for line in server.stderr if "Traceback" in line], server.stderr


def test_sigterm_stops_the_server_cleanly(corpus_index):
    with live_server(corpus_index) as server:
        assert server.api("/api/projects/5")["no"] == 5
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=15) == 0


def test_the_server_serves_a_reindex_without_a_restart(tmp_path, fresh_index):
    new = make_dataset(tmp_path, "new", 20, "秋季", 1001)
    with live_server(fresh_index) as server:
        assert server.api("/api/search", q="秋季")["total"] == 0
        before = server.api("/api/search", q="支援")["total"]
        build = run_process("index", "build", "--data", new.path, "--index", fresh_index)
        assert build.returncode == 0, build.stderr
        assert server.api("/api/search", q="秋季")["total"] == new.count
        assert server.api("/api/projects/1001")["no"] == 1001
        status, _, _ = server.get("/projects/1")
        assert status == 404 and before == 17


def test_a_taken_port_is_one_line_and_exit_1(corpus_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_process("serve", "--index", corpus_index, "--port", port, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"sagashi: error: cannot listen on 127.0.0.1 port {port}: ")
    assert "(hint: choose another port" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("argv, words", [
    (["--port", "70000"], "a port must be between 0 and 65535"),
    (["--port", "http"], "a port is a whole number"),
    (["--host", ""], "the address to listen on is empty"),
])
def test_bad_addresses_are_usage_errors(capsys, corpus_index, argv, words):
    code, out, err = run_cli(capsys, "serve", "--index", corpus_index, *argv)
    assert code == 2 and out == "" and words in err and err.count("\n") == 1


def test_another_address_is_served_with_a_warning(capsys, corpus_index, monkeypatch):
    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets: served.append(sockets))
    code, _, err = run_cli(capsys, "serve", "--index", corpus_index, "--host", "0.0.0.0",
                           "--port", "0")
    assert code == 0 and len(served) == 1
    assert "warning: 0.0.0.0 is reachable from other machines" in err
    assert "can read every record" in err
    code, _, err = run_cli(capsys, "serve", "--index", corpus_index, "--port", "0")
    assert code == 0 and "warning" not in err


def test_loopback_is_told_apart():
    for host, loopback in [("127.0.0.1", True), ("localhost", True), ("0.0.0.0", False)]:
        with bind(host, 0) as sock:
            assert is_loopback(sock) is loopback, host
    if socket.has_ipv6:
        try:
            sock = bind("::1", 0)
        except Exception:
            return  # no IPv6 loopback on this machine
        with sock:
            assert is_loopback(sock)


def test_search_never_imports_the_web_stack(corpus_index):
    for argv in (("search", "難民", "--index", str(corpus_index)),
                 ("search", "難民", "--json", "--index", str(corpus_index)),
                 ("show", "5", "--index", str(corpus_index)),
                 ("--help",)):
        imported = imported_modules(*argv)
        assert not imported & {*WEB_STACK, "sagashi.web"}, (argv, imported & {*WEB_STACK})


def test_the_load_script_runs_both_phases_without_a_failure():
    """scripts/load.py, short: the README's figures come from its full run."""
    proc = subprocess.run([sys.executable, "scripts/load.py", "--clients", "4", "--duration", "2",
                           "--reindexes", "1", "--json"], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    steady, reindexing = json.loads(proc.stdout)["phases"]
    for phase in (steady, reindexing):
        assert phase["requests"] > 0 and phase["failed"] == 0, phase["failures"]
        assert phase["p50_ms"] <= phase["p99_ms"] <= phase["max_ms"]
    assert reindexing["reindexes_ok"] == 1 and reindexing["index_checks"] > 0
    assert reindexing["inconsistent"] == 0
