"""`aiatlas serve` under uvicorn with limits, so one client cannot stall everyone, in one or
more worker processes."""
from __future__ import annotations

import os
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from aiatlas.config import DUCKDB_THREADS_ENV
from aiatlas.web.app import create_app

MAX_HEADER_BYTES = 64 * 1024  # a request line and headers; larger is refused (431), not parsed
IDLE_SECONDS = 5  # a connection with no request (new or kept alive) is closed after this
HEADER_SECONDS = 10  # from a request's first byte, its line and headers must be in by then
MAX_CONNECTIONS = 2048  # beyond this uvicorn answers 503 at once
BACKLOG = 2048


class LimitedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C; h11, pure Python, cost ~0.15 ms more CPU per
    request, a third of a cached answer's) with three limits it lacks:

    - the keep-alive timer also starts when a connection opens: a socket that never sends a
      request is closed like an idle kept-alive one;
    - a header deadline: uvicorn's idle timer stops at the first byte, so a client trickling
      its headers a byte at a time would hold the connection for ever; it is closed
      HEADER_SECONDS after the request's first byte unless its line and headers are all in;
    - a request line plus headers over MAX_HEADER_BYTES is answered 431 and the connection
      closed, before more of it is buffered (llhttp sets no bound of its own)."""

    header_deadline = None  # the pending asyncio.TimerHandle while a request's head is arriving
    in_head = False  # a request's line and headers have begun and are not all parsed
    received = 0  # bytes read while that head was still incomplete
    parsed = 0  # bytes of its URL and headers parsed so far
    too_large = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                            self.timeout_keep_alive_handler)

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        between = not self.in_head and (self.cycle is None or self.cycle.response_complete)
        if between and self.header_deadline is None:  # these bytes begin a request
            # the keep-alive handler closes the socket: the same close as for an idle one
            self.header_deadline = self.loop.call_later(HEADER_SECONDS,
                                                        self.timeout_keep_alive_handler)
        super().data_received(data)
        if self.in_head and not self.transport.is_closing():
            # a head still incomplete (httptools buffers a header until it ends)
            self.received += len(data)
            if self.received > MAX_HEADER_BYTES:
                self.too_large = True
                self.send_400_response("")

    # the parser's callbacks (an exception in one is a parse error: send_400_response)
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head, self.received, self.parsed = True, 0, 0

    def on_url(self, url: bytes) -> None:
        self._parsed(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._parsed(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._head_done()
        super().on_headers_complete()

    def _parsed(self, n: int) -> None:
        self.parsed += n
        if self.parsed > MAX_HEADER_BYTES:
            self.too_large = True
            raise ValueError("request head too large")

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse; 431 for a head over the limit."""
        if not self.too_large:
            super().send_400_response(msg)
            return
        body = f"request line and headers over {MAX_HEADER_BYTES // 1024} KiB".encode("ascii")
        self.transport.write(b"".join([
            STATUS_LINE[431], b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body), body]))
        self.transport.close()

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
PROTOCOL = f"{__name__}:LimitedHttpTools"
HOME_ENV = "AIATLAS_HOME"  # how a worker process is told the data home (config.settings reads it)


def limits(http=LimitedHttpTools) -> dict:
    """uvicorn's settings for the limits above (per worker process)."""
    return dict(http=http, timeout_keep_alive=IDLE_SECONDS, limit_concurrency=MAX_CONNECTIONS,
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
