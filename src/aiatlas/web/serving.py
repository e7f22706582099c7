"""`aiatlas serve` under uvicorn with limits, so one client cannot stall everyone, in one or
more worker processes."""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import time
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


# glibc's malloc keeps freed small blocks per thread (its tcache), by default 7 of each size:
# planning one query allocates and frees thousands of small objects (DuckDB's binder and
# optimizer), so most went through the shared arena's slower path. 64 of each size is at most
# ~2 MB per thread. Read by glibc when a process starts: set for the workers `serve` spawns.
MALLOC_TUNABLES_ENV = "GLIBC_TUNABLES"
MALLOC_TCACHE = "glibc.malloc.tcache_count=64"


def worker_env(env: dict) -> None:
    """Add the workers' malloc setting to an environment, unless the operator set a tcache
    count of their own (other tunables they set are kept)."""
    tunables = env.get(MALLOC_TUNABLES_ENV, "")
    if "glibc.malloc.tcache_count=" not in tunables:
        env[MALLOC_TUNABLES_ENV] = ":".join(t for t in (tunables, MALLOC_TCACHE) if t)


def run(host: str, port: int, home: Path | None = None, workers: int | None = None,
        access_log: bool = True) -> None:
    """Serve until interrupted, in `workers` processes (default: one per core); access_log=False:
    no line per request (uvicorn's access log, on by default, is ~0.05-0.15 ms of CPU each).

    One Python process runs the Python parts of its requests one at a time (the GIL), about
    1.5 cores' worth with DuckDB's own threads; each further worker is a process of its own
    with its own warehouse handle, connections and memo. Each notices a rebuild by itself, as
    one process does (Service.info, connect's file stamp)."""
    workers = default_workers() if workers is None else workers
    if workers <= 1:
        uvicorn.Server(config(create_app(home=home), host, port, log_level="info",
                              access_log=access_log)).run()
        return
    # the workers are started afresh (spawned): they read the home and their engine's threads
    # here (config.settings); a thread count the operator set is kept
    if home is not None:
        os.environ[HOME_ENV] = str(Path(home).resolve())
    os.environ.setdefault(DUCKDB_THREADS_ENV, str(duckdb_threads(workers)))
    worker_env(os.environ)
    if not hasattr(socket, "SO_REUSEPORT") or sys.platform != "linux":
        # one socket all workers accept on (uvicorn's supervisor)
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                    log_level="info", access_log=access_log, **limits(PROTOCOL))
        return
    Workers(host, port, workers, access_log).run()


def listening_socket(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to host:port and listening (SO_REUSEPORT: one of a group the kernel
    spreads new connections over)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def _worker(host: str, port: int, access_log: bool = True) -> None:
    """One worker process: its own listening socket in the port's SO_REUSEPORT group (bound
    first, so connections wait in its queue while the app loads), then the app on it."""
    sock = listening_socket(host, port, reuse_port=True)
    # Ctrl-C reaches every process of the group: uvicorn shuts down, then raises it again
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config(create_app(), host, port, log_level="info",
                              access_log=access_log)).run(sockets=[sock])


class Workers:
    """Worker processes, each with its own socket on the port (SO_REUSEPORT): the kernel
    spreads new connections over the sockets by a hash of the client's address and port.

    With one socket shared by every worker (uvicorn's own supervisor), whichever worker woke
    first accepted every connection waiting: 32 connections opened at once split 0/32, 5/27,
    9/23 between two workers, and as a kept-alive connection stays with its worker, the busier
    one set the p99. A worker that dies is started again; the third to die within START_S of
    its start (the app failing to load, say) stops the server."""

    START_S = 20.0
    QUICK_DEATHS = 3
    log = logging.getLogger("uvicorn.error")

    def __init__(self, host: str, port: int, count: int, access_log: bool = True):
        self.host, self.port, self.count, self.access_log = host, port, count, access_log
        self.procs: list[tuple[multiprocessing.Process, float]] = []
        self.stopping = False

    def run(self) -> None:
        # the port must be free: sockets with SO_REUSEPORT would share it with another server
        # of this user instead of failing
        try:
            listening_socket(self.host, self.port).close()
        except OSError as e:
            raise SystemExit(f"cannot serve on {self.host}:{self.port}: {e.strerror}") from None
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.procs = [self._start() for _ in range(self.count)]
        self.log.info("%d worker processes on http://%s:%d", self.count, self.host, self.port)
        failed, quick = False, 0
        while not self.stopping:
            time.sleep(0.5)
            for i, (proc, started) in enumerate(self.procs):
                if proc.is_alive() or self.stopping:
                    continue
                quick += time.monotonic() - started < self.START_S
                if quick >= self.QUICK_DEATHS:
                    self.log.error("worker %d exited (code %s), the %d. soon after its start: "
                                   "stopping", proc.pid, proc.exitcode, quick)
                    failed = self.stopping = True
                    break
                self.log.warning("worker %d exited (code %s); starting another", proc.pid,
                                 proc.exitcode)
                self.procs[i] = self._start()
        for proc, _ in self.procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for proc, _ in self.procs:
            proc.join()
        if failed:
            raise SystemExit(1)

    def _start(self) -> tuple[multiprocessing.Process, float]:
        proc = multiprocessing.get_context("spawn").Process(target=_worker,
                                                            args=(self.host, self.port,
                                                                  self.access_log))
        proc.start()
        return proc, time.monotonic()

    def _stop(self, signum, frame) -> None:
        self.stopping = True
