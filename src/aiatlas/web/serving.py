"""`aiatlas serve` under uvicorn with limits, so one client cannot stall everyone."""
from __future__ import annotations

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

MAX_HEADER_BYTES = 64 * 1024  # a request line and headers; larger is refused (431/400), not parsed
IDLE_SECONDS = 5  # a connection with no request (new or kept alive) is closed after this
MAX_CONNECTIONS = 2048  # beyond this uvicorn answers 503 at once
BACKLOG = 2048


class IdleClosingH11(H11Protocol):
    """uvicorn's h11 protocol, with the keep-alive timer also started when a connection opens:
    a socket that never sends a request is closed like an idle kept-alive one."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                            self.timeout_keep_alive_handler)


def config(app, host: str, port: int, **extra) -> uvicorn.Config:
    """The uvicorn settings `serve` runs with (and tests and benches reuse)."""
    return uvicorn.Config(app, host=host, port=port, http=IdleClosingH11,
                          h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                          timeout_keep_alive=IDLE_SECONDS, limit_concurrency=MAX_CONNECTIONS,
                          backlog=BACKLOG, **extra)


def run(app, host: str, port: int) -> None:
    """Serve until interrupted."""
    uvicorn.Server(config(app, host, port, log_level="info")).run()
