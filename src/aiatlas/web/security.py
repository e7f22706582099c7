"""ASGI guard in front of every route: traversal and size checks, a cap on requests in flight,
HEAD as GET without a body, security headers, and no filesystem path in any error body."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from urllib.parse import unquote

MAX_PATH = 1024
MAX_QUERY = 2048
# Requests served at once; more get a quick 503 instead of queueing behind slow ones.
MAX_IN_FLIGHT = int(os.environ.get("AIATLAS_SERVE_MAX_REQUESTS", "64"))
# Who may frame the dashboard (CSP frame-ancestors): the site itself unless an embedding site
# is named, e.g. AIATLAS_FRAME_ANCESTORS="'self' https://news.example".
FRAME_ANCESTORS = os.environ.get("AIATLAS_FRAME_ANCESTORS", "'self'")
# No inline script anywhere (the dashboard's scripts are static files; the chart spec is JSON
# data). 'unsafe-eval' stays: Vega compiles its expressions with Function(), and the bundle
# vl-convert ships does not export the CSP-safe interpreter. Inline styles stay allowed:
# vega-embed injects its stylesheet.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'{extra}; "
       "style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors " + FRAME_ANCESTORS)
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
# A '..' segment, raw or percent-encoded (once or twice), or a backslash/NUL that some file
# systems treat as separators or terminators.
_TRAVERSAL = re.compile(r"(^|[/\\])\.\.($|[/\\])")
# An absolute path's folders (not a URL's: those follow ':' or '/'): dropped, the name kept.
_FOLDERS = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\"<>(),;]+/)+")


def suspicious(path: str) -> bool:
    """True when any decoding of the path contains a parent-directory segment or a NUL."""
    seen = path
    for _ in range(3):
        if _TRAVERSAL.search(seen) or "\x00" in seen or "\\" in seen:
            return True
        decoded = unquote(seen)
        if decoded == seen:
            return False
        seen = decoded
    return True  # still encoding after three rounds: nobody legitimate does that


def redact(text: str) -> str:
    """Text with the folders of every absolute path removed (`/home/x/data/a.csv` -> `a.csv`)."""
    return _FOLDERS.sub("", text)


def csp(script_hashes: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy, allowing exactly the given inline scripts (sha256 hashes)."""
    return CSP.format(extra="".join(f" 'sha256-{h}'" for h in script_hashes))


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """base64 sha256 of each inline <script> of a page, as CSP script-src wants them."""
    return tuple(base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()
                 for m in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL))


class GuardMiddleware:
    """414 for oversized paths or queries, 400 for traversal, 503 beyond MAX_IN_FLIGHT; HEAD
    answered as GET without a body; security headers on every answer; error bodies redacted."""

    def __init__(self, app):
        self.app = app
        self.in_flight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = scope.get("raw_path") or scope["path"].encode()
        raw_text = raw.decode("latin-1")
        query = scope.get("query_string", b"")
        if len(raw) > MAX_PATH or len(query) > MAX_QUERY:
            return await _reply(send, 414, "request URI too long "
                                f"(path <= {MAX_PATH} bytes, query <= {MAX_QUERY} bytes)")
        if suspicious(raw_text) or suspicious(scope["path"]):
            return await _reply(send, 400, "path traversal is not allowed")
        if self.in_flight >= MAX_IN_FLIGHT:
            return await _reply(send, 503, "server busy; try again in a second",
                                [(b"retry-after", b"1")])
        head = scope["method"] == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        self.in_flight += 1
        try:
            await self.app(scope, receive, _Sender(send, head))
        finally:
            self.in_flight -= 1


class _Sender:
    """Wraps `send`: adds the security headers, drops bodies for HEAD, redacts error bodies."""

    def __init__(self, send, head: bool):
        self.send, self.head = send, head
        self.start: dict | None = None  # held back while an error body is collected
        self.body = b""

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            headers = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            if b"content-security-policy" not in names:
                headers.append((b"content-security-policy", csp().encode()))
            message = dict(message, headers=headers)
            if message["status"] >= 400:
                self.start = message
                return
            return await self.send(message)
        if message["type"] == "http.response.body" and self.start is not None:
            self.body += message.get("body", b"")
            if message.get("more_body"):
                return
            body = redact(self.body.decode("utf-8", "replace")).encode()
            headers = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
            await self.send(dict(self.start, headers=headers + [
                (b"content-length", str(len(body)).encode())]))
            return await self.send({"type": "http.response.body",
                                    "body": b"" if self.head else body})
        if message["type"] == "http.response.body" and self.head:
            message = dict(message, body=b"")
        return await self.send(message)


async def _reply(send, status: int, message: str, extra: list | None = None) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            *HEADERS, *(extra or [])]})
    await send({"type": "http.response.body", "body": body})
