"""The one download path: canonical URL or mirror (folder or http base) into immutable snapshots."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import email.utils
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import httpx

from aiatlas.config import Settings
from aiatlas.errors import FetchError
from aiatlas.sources.base import Source, SourceFile

# progress(label, done_bytes, total_bytes_or_None) is called as bytes arrive.
Progress = Callable[[str, int, "int | None"], None]

CHUNK = 1 << 16
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, backoff between them, and the per-read timeout."""

    attempts: int = 4
    backoff: float = 0.5  # seconds before the 2nd attempt; doubles each time
    timeout: float = 30.0  # seconds without a byte before giving up on an attempt

    @classmethod
    def from_env(cls) -> "RetryPolicy":
        return cls(attempts=int(os.environ.get("AIATLAS_FETCH_ATTEMPTS", cls.attempts)),
                   backoff=float(os.environ.get("AIATLAS_FETCH_BACKOFF", cls.backoff)),
                   timeout=float(os.environ.get("AIATLAS_FETCH_TIMEOUT", cls.timeout)))


class _Retryable(Exception):
    """A failure worth another attempt (connection, timeout, 5xx, short body)."""


def fetch_sources(ids: list[str] | None, settings: Settings,
                  progress: Progress | None = None) -> list[dict]:
    """Fetch the named sources (default: every default source); one manifest per source."""
    from aiatlas.sources import registry

    sources = [registry.get(i) for i in ids] if ids else list(registry.default_sources())
    return [fetch_source(src, settings, progress) for src in sources]


def location(file: SourceFile, mirror: str | None) -> str:
    """Where to download a file from: the mirror when one is set, else the canonical URL."""
    if not mirror:
        return file.url
    if mirror.startswith(("http://", "https://")):
        return mirror.rstrip("/") + "/" + file.mirror_path
    return str(Path(mirror).expanduser().resolve() / file.mirror_path)


def fetch_source(source: Source, settings: Settings, progress: Progress | None = None,
                 policy: RetryPolicy | None = None) -> dict:
    """Download every file of a source into a new snapshot, or reuse the latest if unchanged.

    Files land in a hidden temp folder that is renamed into place only when all are complete,
    so a failure never leaves a partial snapshot behind.
    """
    policy = policy or RetryPolicy.from_env()
    root = settings.snapshots_dir / source.id
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        now = dt.datetime.now(dt.timezone.utc)
        files = []
        for f in source.files:
            where = location(f, settings.mirror)
            meta = _download(where, tmp / f.name, f"{source.id}/{f.name}", progress, policy)
            modified = meta.pop("last_modified", None)
            known = f.known_sha256 and meta["sha256"] == f.known_sha256
            as_of = f.as_of if known else modified
            files.append({"name": f.name, "url": where, **meta, "as_of": as_of or None,
                          "rows": count_rows(tmp / f.name)})
        latest = latest_manifest(root)
        if latest and _same_files(latest, files):
            shutil.rmtree(tmp)
            return latest | {"reused": True}
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        manifest = {"source": source.id, "snapshot_id": f"{source.id}/{stamp}",
                    "fetched_at": now.isoformat(), "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        os.rename(tmp, root / stamp)
        return manifest | {"reused": False}
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def latest_manifest(root: Path) -> dict | None:
    """The manifest of the newest complete snapshot under a source folder, if any."""
    done = sorted(p for p in root.glob("*/manifest.json") if not p.parent.name.startswith("."))
    return json.loads(done[-1].read_text()) if done else None


def _same_files(manifest: dict, files: list[dict]) -> bool:
    old = {(f["name"], f["sha256"]) for f in manifest.get("files", [])}
    return old == {(f["name"], f["sha256"]) for f in files}


MIRROR_HINT = ("check the network, or fetch from a local copy with --mirror DIR "
               "(or AIATLAS_MIRROR)")


class HTTPStatusError(FetchError):
    """The server answered with a status not worth retrying (4xx other than 429)."""

    def __init__(self, url: str, status: int, hint: str | None = None):
        super().__init__(f"could not fetch {url}: HTTP {status}", hint=hint)
        self.status = status


def with_retries(attempt: Callable[[], T], url: str, policy: RetryPolicy, hint: str) -> T:
    """Call `attempt` until it succeeds or `policy` runs out, sleeping with doubling backoff.

    Only `_Retryable` failures are retried; the last one becomes a one-line FetchError.
    """
    last: Exception | None = None
    for n in range(1, policy.attempts + 1):
        try:
            return attempt()
        except _Retryable as e:
            last = e
            if n < policy.attempts:
                time.sleep(policy.backoff * 2 ** (n - 1))
    raise FetchError(f"could not fetch {url} after {policy.attempts} attempts: {last}", hint=hint)


def download(url: str, dest: Path, *, label: str | None = None, progress: Progress | None = None,
             policy: RetryPolicy | None = None, hint: str = MIRROR_HINT,
             status_hint: str | None = None) -> dict:
    """Stream one http(s) URL to dest with bounded retries; returns sha256, bytes, last_modified."""
    policy = policy or RetryPolicy.from_env()
    return with_retries(lambda: _http_once(url, dest, label or url, progress, policy, status_hint),
                        url, policy, hint)


def get_text(url: str, *, policy: RetryPolicy | None = None, hint: str = MIRROR_HINT,
             status_hint: str | None = None) -> str:
    """The body of a small http(s) document (a manifest) as text, with bounded retries."""
    policy = policy or RetryPolicy.from_env()

    def once() -> str:
        with _transport_errors_retryable():
            resp = httpx.get(url, timeout=httpx.Timeout(policy.timeout), follow_redirects=True)
        _check_status(url, resp.status_code, status_hint)
        return resp.text

    return with_retries(once, url, policy, hint)


def _download(where: str, dest: Path, label: str, progress: Progress | None,
              policy: RetryPolicy) -> dict:
    """Copy or download one file to dest with retries; returns sha256 and bytes."""
    if not where.startswith(("http://", "https://")):
        return _copy_local(Path(where), dest, label, progress)
    return download(where, dest, label=label, progress=progress, policy=policy,
                    status_hint="the URL may have moved; see SOURCES in docs/sources.md")


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


def _http_once(url: str, dest: Path, label: str, progress: Progress | None,
               policy: RetryPolicy, status_hint: str | None = None) -> dict:
    digest, size = hashlib.sha256(), 0
    timeout = httpx.Timeout(policy.timeout, connect=policy.timeout)
    with _transport_errors_retryable(), \
            httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as resp:
        _check_status(url, resp.status_code, status_hint)
        total = resp.headers.get("content-length")
        total = int(total) if total and total.isdigit() else None
        with open(dest, "wb") as out:
            for chunk in resp.iter_raw(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if progress:
                    progress(label, size, total)
        if total is not None and size != total:
            raise _Retryable(f"body was {size} bytes, Content-Length said {total}")
        modified = resp.headers.get("last-modified")
    return {"sha256": digest.hexdigest(), "bytes": size, "last_modified": _http_date(modified)}


def _copy_local(src: Path, dest: Path, label: str, progress: Progress | None) -> dict:
    if not src.is_file():
        raise FetchError(f"mirror file not found: {src}",
                         hint="AIATLAS_MIRROR / --mirror must point at a folder laid out like "
                              "the shared data (epoch/..., lmarena/...)")
    digest, size, total = hashlib.sha256(), 0, src.stat().st_size
    with open(src, "rb") as inp, open(dest, "wb") as out:
        while chunk := inp.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if progress:
                progress(label, size, total)
    return {"sha256": digest.hexdigest(), "bytes": size}


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def count_rows(path: Path) -> int | None:
    """Data rows in a CSV (records, not lines) or JSON file (list items or nested entries)."""
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            if isinstance(data, list):
                return len(data)
            if isinstance(data, dict):
                return sum(len(v) if isinstance(v, (dict, list)) else 1 for v in data.values())
            return 1
        csv.field_size_limit(1 << 30)
        with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    except (ValueError, csv.Error):
        return None  # unparseable here; the build reports it with row and column
