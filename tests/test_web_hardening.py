"""`aiatlas serve` hardening: header size and idle limits, a cap on requests in flight, HEAD,
security headers, and no filesystem path in error bodies or /api/snapshots."""
from __future__ import annotations

import contextlib
import socket
import time

import publish_support as ps
import pytest
from conftest import FIXTURES
from fastapi.testclient import TestClient

from aiatlas import api
from aiatlas.web import security, serving
from aiatlas.web.app import create_app


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home fetched from a folder mirror, so its snapshots record local paths."""
    root = tmp_path_factory.mktemp("hardening")
    mirror = root / "private" / "mirror"
    (mirror / "epoch").mkdir(parents=True)
    (mirror / "epoch" / "notable_ai_models.csv").write_bytes(
        (FIXTURES / "data" / "notable_2024.csv").read_bytes())
    api.fetch(["epoch_notable_models"], mirror=str(mirror), home=root / "home")
    api.build(home=root / "home")
    return root / "home"


@pytest.fixture(scope="module")
def client(home):
    return TestClient(create_app(home=home), raise_server_exceptions=False)


def raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send bytes on a new connection and read until the server closes it (or timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return raw_rest(s)


def raw_rest(s: socket.socket) -> bytes:
    """What the server sends on an open connection until it closes it."""
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return out


@pytest.mark.slow  # the whole dashboard rendered (every headline compiled)
def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/api/build", "/indicators/notable_models_by_country", "/nope"):
        r = client.get(url)
        policy = r.headers["content-security-policy"]
        script_src = policy.split("script-src")[1].split(";")[0]
        assert "'unsafe-inline'" not in script_src and "frame-ancestors 'self'" in policy
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_the_docs_page_allows_only_its_own_inline_script(client):
    r = client.get("/docs")
    (hashed,) = security.inline_script_hashes(r.text)
    assert f"'sha256-{hashed}'" in r.headers["content-security-policy"]


def test_head_is_served_without_a_body(client):
    get, head = client.get("/api/build"), client.head("/api/build")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]


def test_beyond_the_in_flight_cap_requests_get_a_quick_503(client, monkeypatch):
    monkeypatch.setattr(security, "MAX_IN_FLIGHT", 0)
    r = client.get("/api/build")
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert "busy" in r.json()["detail"]


def test_no_filesystem_path_in_snapshots_or_error_bodies(client, home, tmp_path):
    snaps = client.get("/api/snapshots").json()["snapshots"]
    fetched = [s for s in snaps if s["source"] == "epoch_notable_models"]
    assert fetched and all(s["url"] == "notable_ai_models.csv" for s in fetched)
    assert str(home) not in client.get("/api/snapshots").text
    empty = TestClient(create_app(home=tmp_path), raise_server_exceptions=False)
    r = empty.get("/api/indicators/notable_models_by_country")
    assert r.status_code == 503 and "warehouse.duckdb" in r.json()["detail"]
    assert str(tmp_path) not in r.text


def test_an_oversized_header_is_refused_and_others_are_still_served(home):
    with ps.LiveServer(create_app(home=home)) as srv:
        huge = b"GET /api/build HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 << 20) + b"\r\n\r\n"
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            with contextlib.suppress(OSError):  # the server may hang up before all 4 MB are sent
                s.sendall(huge)
            answer = s.recv(65536)
        assert answer == b"" or answer.split(b" ")[1] in (b"400", b"431")
        ok = raw(srv.port, b"GET /api/build HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 8  # not stalled behind the big header


def test_the_header_limit_holds_for_a_head_read_whole_or_in_pieces(home):
    """Over MAX_HEADER_BYTES is a 431 whether the head arrives in one read or is still
    incomplete at the limit; just under it is served."""
    limit = serving.MAX_HEADER_BYTES

    def head(size: int) -> bytes:
        return (b"GET /api/build HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "
                + b"a" * size + b"\r\n\r\n")

    with ps.LiveServer(create_app(home=home)) as srv:
        assert raw(srv.port, head(limit - 1024)).startswith(b"HTTP/1.1 200")
        assert raw(srv.port, head(limit + 1024)).startswith(b"HTTP/1.1 431")
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(head(limit + 1024)[:-4])  # the head never ends
            assert raw_rest(s).startswith(b"HTTP/1.1 431")


def test_idle_sockets_are_closed(home, monkeypatch):
    monkeypatch.setattr(serving, "IDLE_SECONDS", 1)
    with ps.LiveServer(create_app(home=home)) as srv:
        idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(50)]
        try:
            assert all(s.recv(1) == b"" for s in idle)  # closed by the server, not by timeout
            ok = raw(srv.port, b"GET /api/build HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert ok.startswith(b"HTTP/1.1 200")
        finally:
            for s in idle:
                s.close()


def test_a_client_trickling_its_headers_is_cut_off_at_the_header_deadline(home, monkeypatch):
    monkeypatch.setattr(serving, "HEADER_SECONDS", 1)  # IDLE_SECONDS (5) alone never fires here
    head = b"GET /api/build HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    with ps.LiveServer(create_app(home=home)) as srv:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            started, sent, closed = time.monotonic(), 0, False
            s.settimeout(0.25)
            while not closed and time.monotonic() - started < 8:
                try:
                    s.sendall(head[sent:sent + 1])  # one byte per 0.25 s
                    sent += 1
                    closed = s.recv(1) == b""
                except TimeoutError:
                    continue
                except OSError:
                    closed = True  # reset: the server had already closed it
            waited = time.monotonic() - started
        assert closed and waited < serving.HEADER_SECONDS + 1.5, (closed, waited, sent)
        assert sent >= 3  # the bytes kept arriving: it was the header deadline, not idleness
        # a request whose head arrives in time is answered, and its connection kept alive past
        # the header deadline (the deadline ends once the head is parsed)
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"GET /api/build HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(serving.HEADER_SECONDS + 0.5)
            s.sendall(b"GET /api/build HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert raw_rest(s).startswith(b"HTTP/1.1 200")

