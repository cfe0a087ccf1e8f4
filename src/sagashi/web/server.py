"""Serving the app with uvicorn on a socket bound here.

The socket is bound before uvicorn starts, so ``--port 0`` can pick a free
port and the address printed is the one in use, and so a port that is taken
is one error line, not a traceback from inside the server.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import threading
from collections.abc import Callable

from ..engine import Engine
from ..errors import SagashiError, UsageError
from .cache import DEFAULT_SIZE

#: Connections queued before the server accepts them.
BACKLOG = 128
#: More requests than this at once get "503 Service Unavailable" at once
#: rather than a growing queue.
MAX_CONCURRENT = 64
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 5


class ListenError(SagashiError):
    """The server cannot listen where it was asked to (exit status 1)."""


class _Stopped(Exception):
    """SIGTERM, after uvicorn has shut down and handed the signal on."""


def _stopped(signum, frame):
    raise _Stopped


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: any free port)."""
    if not host.strip():  # "" would mean every address of the machine
        raise UsageError("the address to listen on is empty",
                         "name one, e.g. --host 127.0.0.1 (this machine only)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        raise UsageError(f"cannot listen on {host!r}: {getattr(e, 'strerror', None) or e}",
                         "give an address of this machine, e.g. --host 127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as e:
        sock.close()
        raise ListenError(f"cannot listen on {host} port {port}: {e.strerror or e}",
                          "choose another port with --port (0 picks a free one), "
                          "or stop the program that uses it") from None
    return sock


def url_of(sock: socket.socket) -> str:
    """The http:// address a socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if sock.family == socket.AF_INET6 else \
        f"http://{host}:{port}/"


def is_loopback(sock: socket.socket) -> bool:
    """Whether only this machine can reach the socket."""
    return ipaddress.ip_address(sock.getsockname()[0].split("%")[0]).is_loopback


def serve(engine: Engine, host: str, port: int, note: Callable[[str], None], *,
          cache_size: int = DEFAULT_SIZE) -> None:
    """Serve ``engine``'s index on ``host``:``port`` until interrupted.

    Ctrl-C (SIGINT) and SIGTERM end it cleanly: uvicorn finishes the
    requests in flight, then hands the signal on, which ends up here as a
    note and a normal return."""
    import uvicorn

    from .app import create_app

    sock = bind(host, port)
    try:
        config = uvicorn.Config(create_app(engine, cache_size=cache_size), log_level="warning",
                                access_log=False, lifespan="off", server_header=False,
                                proxy_headers=False, limit_concurrency=MAX_CONCURRENT,
                                backlog=BACKLOG, timeout_keep_alive=KEEP_ALIVE)
        note(f"serving {engine.index_dir} at {url_of(sock)} (Ctrl-C to stop)")
        if not is_loopback(sock):
            note(f"warning: {host} is reachable from other machines: anyone who can reach "
                 "this port can read every record in the index, over plain HTTP, without "
                 "logging in (see the README, section Web)")
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _stopped) if main_thread else None
        try:
            uvicorn.Server(config).run(sockets=[sock])
        except (KeyboardInterrupt, _Stopped):
            note("stopped")
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)
    finally:
        sock.close()
