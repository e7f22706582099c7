"""Where a text to check comes from: a file, stdin or an http(s) URL (HTML reduced to its text)."""
from __future__ import annotations

import sys
from pathlib import Path

import httpx

from aiatlas.errors import UsageError
from aiatlas.sources.download import RetryPolicy, env_number, get_bytes

# An article is well under a megabyte; the cap and deadline stop an endless or trickling
# answer (settable: AIATLAS_CHECK_MAX_BYTES, AIATLAS_CHECK_DEADLINE).
CHECK_MAX_BYTES = 10 << 20
CHECK_DEADLINE = 60.0


def read_input(source: str, timeout: float = 20.0) -> tuple[str, str]:
    """The text behind FILE, '-' (stdin) or an http(s) URL, and a label for the report."""
    if source == "-":
        return sys.stdin.read(), "<stdin>"
    if source.startswith(("http://", "https://")):
        policy = RetryPolicy(attempts=2, backoff=0.5, timeout=timeout,
                             max_bytes=int(env_number("AIATLAS_CHECK_MAX_BYTES", CHECK_MAX_BYTES)),
                             deadline=env_number("AIATLAS_CHECK_DEADLINE", CHECK_DEADLINE))
        body, content_type = get_bytes(source, policy=policy,
                                       hint="offline? save the article to a file and pass its path")
        # httpx's rules for the charset (header, else detection) without a second request
        text = httpx.Response(200, headers={"content-type": content_type}, content=body).text
        if "html" in content_type:
            text = html_text(text)
        return text, source
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"{source}: no such file", hint="give a text file, '-' for stdin, or a URL")
    return path.read_text(encoding="utf-8"), str(path)


def html_text(page: str) -> str:
    """Visible text of an HTML page, one block element per line (scripts and styles dropped)."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.skip, self.parts = 0, []

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "noscript"):
                self.skip += 1
            elif tag in ("p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "section", "article"):
                self.parts.append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "noscript") and self.skip:
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(page)
    return "".join(parser.parts)
