"""Bounded HTTP downloads: retries with backoff, a size cap and a deadline enforced while streaming."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import httpx

from aiatlas.config import env_number
from aiatlas.errors import FetchError

# progress(label, done_bytes, total_bytes_or_None) is called as bytes arrive.
Progress = Callable[[str, int, "int | None"], None]

CHUNK = 1 << 16
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try and how much to take: attempts, backoff, read timeout, size cap, deadline."""

    attempts: int = 4
    backoff: float = 0.5  # seconds before the 2nd attempt; doubles each time
    timeout: float = 30.0  # seconds without a byte before giving up on an attempt
    # The largest upstream file is ~20 MB and an OpenAlex part ~1 GB: a body beyond this is a
    # runaway server (or a decompression bomb), stopped while streaming, before the disk fills.
    max_bytes: int = 4 << 30
    deadline: float = 3600.0  # seconds for one file, all attempts together (trickling servers)

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(attempts=int(env_number("AIATLAS_FETCH_ATTEMPTS", cls.attempts)),
                   backoff=env_number("AIATLAS_FETCH_BACKOFF", cls.backoff),
                   timeout=env_number("AIATLAS_FETCH_TIMEOUT", cls.timeout),
                   max_bytes=int(env_number("AIATLAS_FETCH_MAX_BYTES", cls.max_bytes)),
                   deadline=env_number("AIATLAS_FETCH_DEADLINE", cls.deadline))


class _Retryable(Exception):
    """A failure worth another attempt (connection, timeout, 5xx, short body)."""


def fsync(path: Path) -> None:
    """Flush a file or folder entry to disk, so a power cut cannot leave a renamed empty file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def disk_errors(where: Path):
    """A full disk, a read-only file system or a permission problem as one line with a hint."""
    try:
        yield
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EPERM, errno.EDQUOT):
            raise
        raise FetchError(f"cannot write under {where}: {e.strerror}",
                         hint="free some disk space, or point --home / AIATLAS_HOME at a "
                              "writable folder") from None


MIRROR_HINT = ("check the network, or fetch from a local copy with --mirror DIR "
               "(or AIATLAS_MIRROR)")


class HTTPStatusError(FetchError):
    """The server answered with a status not worth retrying (4xx other than 429)."""

    def __init__(self, url: str, status: int, hint: str | None = None):
        super().__init__(f"could not fetch {url}: HTTP {status}", hint=hint)
        self.status = status


class LimitError(FetchError):
    """A body over the size cap or a download past its deadline: not retried."""


def with_retries(attempt: Callable[[float], T], url: str, policy: RetryPolicy, hint: str) -> T:
    """Call `attempt(deadline)` until it succeeds or `policy` runs out, with doubling backoff.

    Only `_Retryable` failures are retried; the last one becomes a one-line FetchError. The
    deadline (a time.monotonic() value) covers every attempt and the sleeps between them.
    """
    deadline = time.monotonic() + policy.deadline
    last: Exception | None = None
    for n in range(1, policy.attempts + 1):
        try:
            return attempt(deadline)
        except _Retryable as e:
            last = e
            pause = policy.backoff * 2 ** (n - 1)
            if n < policy.attempts and time.monotonic() + pause < deadline:
                time.sleep(pause)
            elif n < policy.attempts:
                break
    raise FetchError(f"could not fetch {url} after {n} attempts: {last}", hint=hint)


def download(url: str, dest: Path, *, label: str | None = None, progress: Progress | None = None,
             policy: RetryPolicy | None = None, hint: str = MIRROR_HINT,
             status_hint: str | None = None, validators: dict | None = None) -> dict | None:
    """Stream one http(s) URL to dest with bounded retries, size and time.

    Returns sha256, bytes, url metadata (etag, last_modified), or None when `validators` (the
    previous manifest entry) let the server answer 304 Not Modified.
    """
    policy = policy or RetryPolicy.from_env()

    def once(deadline: float) -> dict | None:
        with disk_errors(dest.parent), open(dest, "wb") as out:
            meta = _stream(url, out, deadline, policy, label or url, progress, status_hint,
                           _conditional(validators))
            out.flush()
            os.fsync(out.fileno())
        return meta

    return with_retries(once, url, policy, hint)


def get_bytes(url: str, *, policy: RetryPolicy | None = None, hint: str = MIRROR_HINT,
              status_hint: str | None = None) -> tuple[bytes, str]:
    """A small http(s) document in memory, within the size cap and deadline; (body, content-type)."""
    policy = policy or RetryPolicy.from_env()

    def once(deadline: float) -> tuple[bytes, str]:
        out = io.BytesIO()
        meta = _stream(url, out, deadline, policy, url, None, status_hint, {})
        return out.getvalue(), meta["content_type"]

    return with_retries(once, url, policy, hint)


def get_text(url: str, *, policy: RetryPolicy | None = None, hint: str = MIRROR_HINT,
             status_hint: str | None = None) -> str:
    """The body of a small http(s) document (a manifest) as text, with bounded retries."""
    return get_bytes(url, policy=policy, hint=hint, status_hint=status_hint)[0].decode(
        "utf-8", errors="replace")


def _conditional(old: dict | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the previous download of the same URL."""
    headers = {}
    if old and old.get("etag"):
        headers["If-None-Match"] = old["etag"]
    if old and old.get("http_last_modified"):
        headers["If-Modified-Since"] = old["http_last_modified"]
    return headers


def _check_status(url: str, status: int, hint: str | None) -> None:
    if status >= 500 or status == 429:
        raise _Retryable(f"HTTP {status}")
    if status >= 400:
        raise HTTPStatusError(url, status, hint)


@contextlib.contextmanager
def _transport_errors_retryable():
    """Connection refused, DNS failure, timeouts and broken streams are worth another attempt."""
    try:
        yield
    except (httpx.TransportError, httpx.StreamError) as e:
        raise _Retryable(f"{type(e).__name__}: {e or 'connection failed'}") from None


def _stream(url: str, out: BinaryIO, deadline: float, policy: RetryPolicy, label: str,
            progress: Progress | None, status_hint: str | None,
            headers: dict[str, str]) -> dict | None:
    """One GET of url into `out`, decoded (Content-Encoding), capped in bytes and in time.

    Returns sha256 and size of the decoded bytes plus the server's validators, or None on 304.
    """
    digest, size = hashlib.sha256(), 0
    left = deadline - time.monotonic()
    if left <= 0:
        raise LimitError(f"could not fetch {url}: no complete answer within {policy.deadline:g} s",
                         hint="a slow server: raise AIATLAS_FETCH_DEADLINE, or use --mirror")
    # No single wait may outlast the deadline (a server sending one byte every few seconds).
    wait = min(policy.timeout, left)
    with _transport_errors_retryable(), \
            httpx.stream("GET", url, headers=headers, follow_redirects=True,
                         timeout=httpx.Timeout(wait, connect=wait)) as resp:
        if resp.status_code == 304 and headers:
            return None
        _check_status(url, resp.status_code, status_hint)
        total = resp.headers.get("content-length")
        total = int(total) if total and total.isdigit() else None
        _within(url, total or 0, policy)
        # Decoded (a gzip-serving server stores plain bytes); no chunk_size, which would buffer
        # a trickle and keep the deadline check from running.
        for chunk in resp.iter_bytes():
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            _within(url, size, policy)
            if time.monotonic() > deadline:
                raise LimitError(f"could not fetch {url}: not complete within "
                                 f"{policy.deadline:g} s ({size} bytes so far)",
                                 hint="a slow server: raise AIATLAS_FETCH_DEADLINE, or use --mirror")
            if progress:
                progress(label, resp.num_bytes_downloaded, total)
        if total is not None and resp.num_bytes_downloaded != total:
            raise _Retryable(f"body was {resp.num_bytes_downloaded} bytes, "
                             f"Content-Length said {total}")
        return {"sha256": digest.hexdigest(), "bytes": size,
                "etag": resp.headers.get("etag"),
                "http_last_modified": resp.headers.get("last-modified"),
                "content_type": resp.headers.get("content-type", "")}


def _within(url: str, size: int, policy: RetryPolicy) -> None:
    if size > policy.max_bytes:
        raise LimitError(f"could not fetch {url}: larger than {policy.max_bytes} bytes",
                         hint="raise AIATLAS_FETCH_MAX_BYTES if the file is really that big")


