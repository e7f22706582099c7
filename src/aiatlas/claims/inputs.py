"""Where a text to check comes from: a file, stdin or an http(s) URL (HTML reduced to its text)."""
from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import charset_normalizer
import httpx

from aiatlas.config import env_number
from aiatlas.errors import DataError, UsageError
from aiatlas.sources.download import RetryPolicy, get_bytes

MAX_BYTES = 5_000_000  # about 2,500 pages; a bigger input is a mistake, not an article
# The cap and deadline of a URL download stop an endless or trickling answer (settable:
# AIATLAS_CHECK_MAX_BYTES, AIATLAS_CHECK_DEADLINE).
CHECK_MAX_BYTES = 10 << 20
CHECK_DEADLINE = 60.0
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_input(source: str, timeout: float = 20.0) -> tuple[str, str, str | None]:
    """The text behind FILE, '-' (stdin) or an http(s) URL, a label for the report, and the
    published date an HTML page declares (YYYY-MM-DD, else None)."""
    if source == "-":
        return decode(sys.stdin.buffer.read(MAX_BYTES + 1), "<stdin>"), "<stdin>", None
    if source.startswith(("http://", "https://")):
        policy = RetryPolicy(attempts=2, backoff=0.5, timeout=timeout,
                             max_bytes=int(env_number("AIATLAS_CHECK_MAX_BYTES", CHECK_MAX_BYTES)),
                             deadline=env_number("AIATLAS_CHECK_DEADLINE", CHECK_DEADLINE))
        body, content_type = get_bytes(source, policy=policy,
                                       hint="offline? save the article to a file and pass its path")
        declared = httpx.Response(200, headers={"content-type": content_type}).charset_encoding
        text = decode(body, source, declared)
        if "html" in content_type or _looks_html(text):
            text, published = html_text(text)
            return text, source, published
        return text, source, None
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"{source}: no such file", hint="give a text file, '-' for stdin, or a URL")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DataError(_too_big(str(path), size))
    text = decode(path.read_bytes(), str(path))
    if path.suffix.lower() in (".html", ".htm") or _looks_html(text):
        text, published = html_text(text)
        return text, str(path), published
    return text, str(path), None


def decode(data: bytes, label: str, declared: str | None = None) -> str:
    """Text from bytes: BOM, then a declared or <meta charset>, then UTF-8, then the detector.

    Binary input (NUL bytes outside UTF-16/32, or text the detector cannot read) and input over
    MAX_BYTES are refused with one line, so a binary never yields junk claims.
    """
    if len(data) > MAX_BYTES:
        raise DataError(_too_big(label, len(data)))
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc, errors="replace"), label)
    meta = _META_CHARSET.search(data[:4096])
    for enc in (declared, meta.group(1).decode("ascii") if meta else None):
        if enc and _codec(enc):
            try:
                return _checked(data.decode(_codec(enc)), label)
            except UnicodeDecodeError:
                pass  # the declaration is wrong: detect instead
    if b"\x1b$" in data:  # ISO-2022-JP escapes (old Japanese mail and news): 7-bit, not UTF-8
        try:
            return _checked(data.decode("iso2022_jp"), label)
        except UnicodeDecodeError:
            pass
    if b"\x00" not in data:
        try:
            return _checked(data.decode("utf-8"), label)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise DataError(f"{label}: not text (binary content or an unknown encoding)",
                        hint="give a text, HTML or YAML file")
    return _checked(str(best), label)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _checked(text: str, label: str) -> str:
    """Refuse text that is mostly control characters: a binary decoded as text."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
                   and ch not in "\n\r\t\f")
    if sample and (controls > 0.01 * len(sample) or "\x00" in sample):
        raise DataError(f"{label}: not text (binary content)", hint="give a text, HTML or YAML file")
    return text


def _too_big(label: str, size: int) -> str:
    return (f"{label}: {size / 1e6:.1f} MB is over the {MAX_BYTES / 1e6:.0f} MB limit of "
            "`aiatlas check` (split the text into parts)")


def _looks_html(text: str) -> bool:
    return bool(re.match(r"\s*(?:<!doctype html|<html)", text[:512], re.IGNORECASE))


def html_text(page: str) -> tuple[str, str | None]:
    """Visible text of an HTML page, one block element per line (scripts and styles dropped),
    and the published date its metadata declares (`article:published_time`, `datePublished`,
    `citation_publication_date`, ...; YYYY-MM-DD), else None."""
    class _Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.skip, self.parts, self.published = 0, [], None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "meta" and self.published is None and \
                    (a.get("property") or a.get("name") or a.get("itemprop") or "").lower() in _PUBLISHED:
                self.published = _day(a.get("content") or "")
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
    return "".join(parser.parts), parser.published


# the metadata names of an article's publication date (Open Graph, schema.org, Highwire, Dublin Core)
_PUBLISHED = {"article:published_time", "datepublished", "citation_publication_date",
              "citation_date", "dc.date", "dc.date.issued", "dcterms.issued", "pubdate", "date"}


def _day(value: str) -> str | None:
    """YYYY-MM-DD of a declared date ('2025-04-07T09:00:00+09:00', '2025/4/7'), else None."""
    m = re.match(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None
