"""The one download path: canonical URL or mirror (folder or http base) into immutable snapshots."""
from __future__ import annotations

import csv
import datetime as dt
import email.utils
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from aiatlas.config import Settings
from aiatlas.errors import DataError, FetchError, UsageError
from aiatlas.sources import registry
from aiatlas.sources.base import Source, SourceFile
from aiatlas.sources.download import (
    CHUNK,
    LimitError,
    Progress,
    RetryPolicy,
    disk_errors,
    download,
    fsync,
)
from aiatlas.warehouse import provenance

__all__ = ["RetryPolicy", "fetch_source", "fetch_sources", "latest_manifest", "location"]


def fetch_sources(ids: list[str] | None, settings: Settings,
                  progress: Progress | None = None) -> list[dict]:
    """Fetch the named sources (default: every default source); one manifest per source.

    An archive export is fetched by default only from a mirror: its canonical URL serves the
    publisher's newest export, which the archive's parent source already fetches."""
    sources = [registry.get(i) for i in ids] if ids else [
        s for s in registry.default_sources() if settings.mirror or not s.archive_of]
    for src in sources:
        if src.ingest:  # a dataset made by its own ingest: there is nothing to download
            raise UsageError(f"{src.id} is not fetched: its snapshots are made by its ingest",
                             hint=f"run `{src.ingest}`")
    # a source the mirror does not hold (live API aggregates) is absent offline, not an error
    return [{"source": src.id, "absent": "not in the mirror", "files": [], "reused": False}
            if settings.mirror and not any(f.mirror_path for f in src.files)
            else fetch_source(src, settings, progress) for src in sources]


def location(file: SourceFile, mirror: str | None) -> str:
    """Where to download a file from: the mirror when one is set, else the canonical URL."""
    return locations(file, mirror)[0]


def locations(file: SourceFile, mirror: str | None) -> list[str]:
    """Where to try, in order: the mirror alone when one is set, else canonical then alternates."""
    if not mirror:
        return [file.url, *file.alternates]
    if mirror.startswith(("http://", "https://")):
        return [mirror.rstrip("/") + "/" + file.mirror_path]
    return [str(Path(mirror).expanduser().resolve() / file.mirror_path)]


def fetch_source(source: Source, settings: Settings, progress: Progress | None = None,
                 policy: RetryPolicy | None = None) -> dict:
    """Download every file of a source into a new snapshot, or reuse the latest if unchanged.

    Files land in a hidden temp folder that is fsynced and renamed into place only when all
    are complete, so a failure never leaves a partial snapshot behind. The latest snapshot is
    reused only when its files still match its manifest; a damaged one is replaced. Files the
    server reports unchanged (ETag / Last-Modified) are copied from it, not downloaded again.
    """
    policy = policy or RetryPolicy.from_env()
    root = settings.snapshots_dir / source.id
    with disk_errors(root):
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(root)
        latest = _intact_latest(settings, source.id)
        tmp = root / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
        tmp.mkdir()
    try:
        now = dt.datetime.now(dt.UTC)
        previous = {f["name"]: f for f in latest.manifest["files"]} if latest else {}
        files = []
        for f in source.files:
            old = previous.get(f.name)
            meta = _fetch_file(f, settings.mirror, tmp / f.name, f"{source.id}/{f.name}",
                               progress, policy, old)
            if meta is None:  # not modified upstream: the intact previous file is the same
                with disk_errors(tmp):
                    _copy_local(latest.path / f.name, tmp / f.name, f"{source.id}/{f.name}", None)
                files.append(old)
                continue
            meta.pop("content_type", None)
            # a produced file (API aggregates) is as of the day it was asked for
            modified = _http_date(meta.get("http_last_modified")) or meta.pop("as_of", None)
            known = f.known_sha256 and meta["sha256"] == f.known_sha256
            as_of = f.as_of if known else modified
            files.append({"name": f.name, **meta, "as_of": as_of or None,
                          "rows": count_rows(tmp / f.name)})
        if latest and _same_files(latest.manifest, files):
            shutil.rmtree(tmp)
            return latest.manifest | {"reused": True}
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        manifest = {"source": source.id, "snapshot_id": f"{source.id}/{stamp}",
                    "fetched_at": now.isoformat(), "files": files}
        with disk_errors(root):
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            _fsync_tree(tmp)
            os.rename(tmp, root / stamp)
            fsync(root)
        return manifest | {"reused": False}
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _intact_latest(settings: Settings, source: str) -> provenance.Snapshot | None:
    """The newest snapshot when its files match its manifest, else None (so it is replaced)."""
    try:
        snap = provenance.latest(settings.snapshots_dir, source)
        return snap if snap and not snap.problems() else None
    except DataError:  # no or unreadable manifest: fetch writes a newer, complete snapshot
        return None


def _fetch_file(f: SourceFile, mirror: str | None, dest: Path, label: str,
                progress: Progress | None, policy: RetryPolicy, old: dict | None) -> dict | None:
    """Download one file from the first of its locations that answers; None when not modified."""
    if f.produce is not None:  # made from API calls, each retried by the API client
        return {"url": f.url, **f.produce(dest)}
    errors, wheres = [], locations(f, mirror)
    for where in wheres:
        # Ask "changed since?" only of the URL that produced the previous file.
        validators = old if old and old.get("url") == where else None
        try:
            meta = _download(where, dest, label, progress, policy, validators)
        except LimitError:
            raise  # too big or too slow: another copy of the same file would be too
        except FetchError as e:
            if len(wheres) == 1:
                raise
            errors.append(str(e))
            continue
        return None if meta is None else {"url": where, **meta}
    raise FetchError(f"no location of {f.name} answered: " + "; ".join(errors),
                     hint="the URL may have moved; see SOURCES in docs/sources.md")


def remove_stale_temps(root: Path) -> None:
    """Remove temp folders of fetches that were killed (their process no longer exists)."""
    for tmp in root.glob(".tmp-*"):
        pid = tmp.name.split("-")[1]
        if pid.isdigit() and _alive(int(pid)):
            continue  # another fetch of this source is running
        shutil.rmtree(tmp, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(folder: Path) -> None:
    for p in folder.iterdir():
        fsync(p)
    fsync(folder)


def latest_manifest(root: Path) -> dict | None:
    """The manifest of the newest snapshot under a source folder, if any."""
    snap = provenance.latest(root.parent, root.name)
    return snap.manifest if snap else None


def _same_files(manifest: dict, files: list[dict]) -> bool:
    old = {(f["name"], f["sha256"]) for f in manifest.get("files", [])}
    return old == {(f["name"], f["sha256"]) for f in files}


def _download(where: str, dest: Path, label: str, progress: Progress | None,
              policy: RetryPolicy, validators: dict | None = None) -> dict | None:
    """Copy or download one file to dest with retries; returns sha256 and bytes (None: 304)."""
    if not where.startswith(("http://", "https://")):
        with disk_errors(dest.parent):
            return _copy_local(Path(where), dest, label, progress)
    return download(where, dest, label=label, progress=progress, policy=policy,
                    status_hint="the URL may have moved; see SOURCES in docs/sources.md",
                    validators=validators)


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
