"""Where an OpenAlex works snapshot's parts are (folder, http(s) or s3:// URL) and how to get one.

The driver lists the parts from the manifest; whichever node ingests a part obtains it itself
with `obtain`: a shared path is read in place, a URL is streamed to local scratch through the
one retrying download of `aiatlas fetch`, and either way the bytes are hashed once.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiatlas.errors import DataError, UsageError
from aiatlas.sources import download as fetch
from aiatlas.sources.download import HTTPStatusError


@dataclass(frozen=True)
class Part:
    """One snapshot file: its name relative to `works/`, where it is, what the manifest says."""

    name: str  # e.g. "updated_date=2025-01-15/part_000.gz"
    location: str  # local path or http(s) URL
    records: int | None = None
    content_length: int | None = None


def is_url(s: str | Path) -> bool:
    """True for a snapshot given as an http(s):// or s3:// address rather than a path."""
    return str(s).startswith(("http://", "https://", "s3://"))


def http_url(url: str) -> str:
    """The http(s) address of a snapshot URL. `s3://bucket/key` is read anonymously over HTTPS
    (the OpenAlex snapshot is a public bucket: s3://openalex/data/works/ is
    https://openalex.s3.amazonaws.com/data/works/); set AIATLAS_S3_ENDPOINT to read it from
    an S3-compatible server instead (path style: ENDPOINT/bucket/key)."""
    if not url.startswith("s3://"):
        return url
    bucket, _, key = url.removeprefix("s3://").partition("/")
    endpoint = os.environ.get("AIATLAS_S3_ENDPOINT", "").rstrip("/")
    if not bucket:
        raise UsageError(f"{url}: no bucket name (expected s3://BUCKET/path)")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        # without a scheme httpx fails deep inside with UnsupportedProtocol
        raise UsageError(f"AIATLAS_S3_ENDPOINT={endpoint!r} has no http:// or https:// scheme",
                         hint="set it to the server's full address, e.g. http://localhost:9000")
    return f"{endpoint}/{bucket}/{key}" if endpoint else f"https://{bucket}.s3.amazonaws.com/{key}"


NO_SNAPSHOT_HINT = ("point at the snapshot's works/ folder, or make one with "
                    "`aiatlas synth openalex --works N --out DIR`")
FETCH_HINT = ("check the network and the snapshot URL (and AIATLAS_S3_ENDPOINT for s3://), "
              "or copy the snapshot to a local folder first (aws s3 sync ... --no-sign-request)")


def _works_root(snapshot: str | Path) -> str:
    """The local snapshot's `works` folder: the folder itself, or its `works/` or `data/works/`."""
    root = Path(snapshot)
    for cand in (root, root / "works", root / "data" / "works"):
        if (cand / "manifest").exists() or any(cand.glob("updated_date=*")):
            return str(cand)
    raise UsageError(f"{snapshot}: no OpenAlex works snapshot here (expected a 'manifest' "
                     "file or updated_date=YYYY-MM-DD/ folders)", hint=NO_SNAPSHOT_HINT)


def _remote_manifest(snapshot: str, http: Callable[[str], str]) -> tuple[str, str]:
    """(works URL, manifest text) of a URL snapshot given as works/, its parent or data/works/'s.

    A remote folder cannot be listed, so each candidate's `manifest` is probed in turn; a 4xx
    means "not here", anything else that fails (after retries) is a FetchError.
    """
    base = snapshot.rstrip("/")
    tried = []
    for root in (base, f"{base}/works", f"{base}/data/works"):
        try:
            return root, http(f"{root}/manifest")
        except HTTPStatusError as e:
            tried.append(f"{root}/manifest (HTTP {e.status})")
    raise UsageError(f"{snapshot}: no OpenAlex works snapshot here (tried {', '.join(tried)})",
                     hint=NO_SNAPSHOT_HINT)


def parse_manifest(text: str, source: str) -> list[dict]:
    """Entries of a redshift-style manifest: `{"entries": [{"url", "meta": {...}}], "meta": ...}`."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise DataError(f"{source}:{e.lineno}:{e.colno}: manifest is not JSON ({e.msg})") from None
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError(f"{source}: manifest has no 'entries' list (expected the redshift "
                        "manifest format)")
    out = []
    for i, e in enumerate(entries):
        url = e.get("url") if isinstance(e, dict) else None
        if not isinstance(url, str) or "updated_date=" not in url:
            raise DataError(f"{source}: entries[{i}].url={url!r} (expected .../updated_date="
                            "YYYY-MM-DD/<part>.gz)")
        meta = e.get("meta") or {}
        name = url[url.index("updated_date="):]
        out.append({"name": name, "records": meta.get("record_count"),
                    "content_length": meta.get("content_length")})
    return out


def list_parts(snapshot: str, *, http: Callable[[str], str] | None = None) -> list[Part]:
    """The snapshot's parts in name order, from its manifest when there is one."""
    if is_url(snapshot):
        root, text = _remote_manifest(str(snapshot), http or _http_text)
        return [Part(e["name"], f"{root}/{e['name']}", e["records"], e["content_length"])
                for e in parse_manifest(text, f"{root}/manifest")]
    root = _works_root(snapshot)
    manifest = Path(root) / "manifest"
    if manifest.exists():
        parts = [Part(e["name"], str(Path(root) / e["name"]), e["records"], e["content_length"])
                 for e in parse_manifest(manifest.read_text(encoding="utf-8"), str(manifest))]
        missing = [p.location for p in parts if not Path(p.location).exists()]
        if missing:
            raise DataError(f"{missing[0]}: listed in {manifest} but missing "
                            f"({len(missing)} missing in all)", hint="finish the download first")
        return parts
    return [Part(str(p.relative_to(root)), str(p))
            for p in sorted(Path(root).glob("updated_date=*/*.gz"))]


def is_synthetic_snapshot(snapshot: str) -> bool:
    """True when the snapshot carries the SYNTHETIC marker written by `aiatlas synth`."""
    if is_url(snapshot):
        return False  # a remote synthetic corpus is still caught by its work ids
    root = Path(_works_root(snapshot))
    return any((d / "SYNTHETIC").exists() for d in (root, root.parent, root.parent.parent))


def _http_text(url: str) -> str:
    """A remote manifest's text, retried on network errors, 5xx and short bodies."""
    return fetch.get_text(http_url(url), hint=FETCH_HINT)


def obtain(part: Part, scratch: Path) -> tuple[Path, int, str]:
    """(local path, bytes, sha256) of a part: a path is hashed where it is; a URL is streamed
    into `scratch` with fetch's retries (never into memory) and hashed while it streams."""
    if not is_url(part.location):
        local = Path(part.location)
        return local, local.stat().st_size, sha256_of(local)
    local = scratch / part.name.replace("/", "__")
    got = fetch.download(http_url(part.location), local, label=part.location, hint=FETCH_HINT,
                         status_hint="the part listed in the manifest is missing upstream")
    return local, got["bytes"], got["sha256"]


def sha256_of(path: str | Path) -> str:
    """The hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: Path, rows: int) -> dict:
    """A written Parquet file's manifest entry: rows, bytes and sha256, hashed where it was
    written (the driver or an executor), so verifying a snapshot needs no other record."""
    return {"rows": rows, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
