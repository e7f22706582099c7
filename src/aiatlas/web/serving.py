"""`aiatlas serve` under uvicorn with limits, so one client cannot stall everyone, in one or
more worker processes."""
from __future__ import annotations

import os
from pathlib import Path

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from aiatlas.config import DUCKDB_THREADS_ENV
from aiatlas.web.app import create_app

MAX_HEADER_BYTES = 64 * 1024  # a request line and headers; larger is refused (431/400), not parsed
IDLE_SECONDS = 5  # a connection with no request (new or kept alive) is closed after this
HEADER_SECONDS = 10  # from a request's first byte, its line and headers must be in by then
MAX_CONNECTIONS = 2048  # beyond this uvicorn answers 503 at once
BACKLOG = 2048


class IdleClosingH11(H11Protocol):
    """uvicorn's h11 protocol, with the keep-alive timer also started when a connection opens:
    a socket that never sends a request is closed like an idle kept-alive one; and a header
    deadline: uvicorn's idle timer stops at the first byte, so a client trickling its headers
    a byte at a time would hold the connection for ever. It is closed HEADER_SECONDS after
    the request began unless h11 has parsed the whole request line and headers by then."""

    header_deadline = None  # the pending asyncio.TimerHandle while a request's head is arriving

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                            self.timeout_keep_alive_handler)

    def data_received(self, data: bytes) -> None:
        # h11 is IDLE on the client side until it has parsed a request's head
        if self.header_deadline is None and self.conn.their_state is h11.IDLE:
            # the keep-alive handler closes the socket: the same close as for an idle one
            self.header_deadline = self.loop.call_later(HEADER_SECONDS,
                                                        self.timeout_keep_alive_handler)
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._head_done()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def _head_done(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None


# What each worker process imports and calls (uvicorn's --factory) when there is more than one,
# and its protocol class, by name: a worker answers the supervisor's health check (5 s) only
# once its start-up code runs, and unpickling a class would import aiatlas before that
APP_FACTORY = "aiatlas.web.app:create_app"
PROTOCOL = f"{__name__}:IdleClosingH11"
HOME_ENV = "AIATLAS_HOME"  # how a worker process is told the data home (config.settings reads it)


def limits(http=IdleClosingH11) -> dict:
    """uvicorn's settings for the limits above (per worker process)."""
    return dict(http=http, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                timeout_keep_alive=IDLE_SECONDS, limit_concurrency=MAX_CONNECTIONS,
                backlog=BACKLOG)


def config(app, host: str, port: int, **extra) -> uvicorn.Config:
    """The uvicorn settings `serve` runs with (and tests and benches reuse)."""
    return uvicorn.Config(app, host=host, port=port, **limits(), **extra)


def default_workers() -> int:
    """One worker process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def duckdb_threads(workers: int) -> int:
    """DuckDB threads per worker process: the cores shared out, so that the workers' engines
    together run one thread per core. DuckDB's default is one per core in every process: with
    a worker per core, each query's tasks went to threads competing with the other workers for
    the same cores, and a cache miss cost about a quarter more CPU under load (bench/api.py)."""
    return max(1, default_workers() // workers)


def run(host: str, port: int, home: Path | None = None, workers: int | None = None) -> None:
    """Serve until interrupted, in `workers` processes (default: one per core).

    One Python process runs the Python parts of its requests one at a time (the GIL), about
    1.5 cores' worth with DuckDB's own threads; each further worker is a process of its own
    with its own warehouse handle, connections and memo, accepting on the same socket. Each
    notices a rebuild by itself, as one process does (Service.info, connect's file stamp)."""
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        uvicorn.Server(config(create_app(home=home), host, port, log_level="info")).run()
        return
    # the workers are started afresh (spawned): they read the home and their engine's threads
    # here (config.settings); a thread count the operator set is kept
    if home is not None:
        os.environ[HOME_ENV] = str(Path(home).resolve())
    os.environ.setdefault(DUCKDB_THREADS_ENV, str(duckdb_threads(workers)))
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                log_level="info", **limits(PROTOCOL))
