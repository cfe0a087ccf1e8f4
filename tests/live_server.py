"""A real ``sagashi serve`` process for tests: started on a free loopback
port, its address read from the line it prints, stopped with SIGINT as a
reader would stop it with Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

_SERVING = re.compile(r"^sagashi: serving .* at (http://\S+/) ")


@dataclass
class LiveServer:
    url: str  # ends with "/"
    process: subprocess.Popen
    stderr: list[str] = field(default_factory=list)

    def get(self, path: str, params: dict | None = None,
            headers: dict | None = None) -> tuple[int, dict[str, str], str]:
        """``GET path``: status, headers (lower-case names), body."""
        url = self.url.rstrip("/") + path + (f"?{urlencode(params)}" if params else "")
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return (response.status, {k.lower(): v for k, v in response.headers.items()},
                        response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, \
                e.read().decode("utf-8")

    def api(self, path: str, **params) -> dict:
        status, _, body = self.get(path, params)
        assert status == 200, (status, body)
        return json.loads(body)


@contextmanager
def live_server(index: Path, *args: str, timeout: float = 60) -> Iterator[LiveServer]:
    """``sagashi serve --index INDEX --port 0 ARGS`` until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sagashi", "serve", "--index", str(index), "--port", "0", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8", env={**os.environ, "NO_COLOR": "1"})
    lines: queue.Queue[str | None] = queue.Queue()
    collected: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            collected.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    url = None
    try:
        while url is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"sagashi serve did not start in {timeout} s: "
                                     f"{collected}") from None
            if line is None:
                raise AssertionError(f"sagashi serve exited with {process.wait()}: {collected}")
            match = _SERVING.match(line)
            url = match.group(1) if match else None
        yield LiveServer(url, process, collected)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
