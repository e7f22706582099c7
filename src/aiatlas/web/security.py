"""ASGI guard in front of every route: rejects path traversal and oversized requests early."""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

MAX_PATH = 1024
MAX_QUERY = 2048
# A '..' segment, raw or percent-encoded (once or twice), or a backslash/NUL that some file
# systems treat as separators or terminators.
_TRAVERSAL = re.compile(r"(^|[/\\])\.\.($|[/\\])")


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


class GuardMiddleware:
    """Answers 414 for oversized paths or queries and 400 for traversal attempts."""

    def __init__(self, app):
        self.app = app

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
        return await self.app(scope, receive, send)


async def _reply(send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
