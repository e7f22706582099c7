"""Snapshots on disk: find the latest complete one per source and read its manifest."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiatlas.errors import DataError


@dataclass(frozen=True)
class Snapshot:
    """A complete snapshot folder of one source and its manifest."""

    source: str
    path: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return self.manifest.get("snapshot_id") or f"{self.source}/{self.path.name}"

    def files(self) -> dict[str, Path]:
        """File name -> local path, for the files the manifest lists and the folder holds."""
        return {f["name"]: self.path / f["name"] for f in self.manifest.get("files", [])
                if (self.path / f["name"]).is_file()}

    def rows(self) -> list[dict[str, Any]]:
        """One `_snapshots` row per file of the manifest."""
        fetched = _timestamp(self.manifest.get("fetched_at"))
        return [{"source": self.source, "file": f.get("name"), "snapshot_id": self.id,
                 "url": f.get("url"), "sha256": f.get("sha256"), "bytes": f.get("bytes"),
                 "fetched_at": fetched, "as_of": f.get("as_of"), "rows": f.get("rows")}
                for f in self.manifest.get("files", [])]


def _timestamp(text: str | None) -> dt.datetime | None:
    """A manifest's ISO-8601 fetched_at as a naive UTC datetime (the warehouse stores UTC)."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"manifest fetched_at {text!r} is not an ISO-8601 time",
                        hint="delete that snapshot folder and fetch again") from None
    if value.tzinfo:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def latest(snapshots_dir: Path, source: str) -> Snapshot | None:
    """The newest folder of a source that has a manifest (incomplete folders are ignored)."""
    root = snapshots_dir / source
    if not root.is_dir():
        return None
    done = sorted(p.parent for p in root.glob("*/manifest.json") if not p.parent.name.startswith("."))
    if not done:
        return None
    path = done[-1]
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise DataError(f"{path / 'manifest.json'}: unreadable manifest ({e})",
                        hint=f"delete that folder and run `aiatlas fetch {source}` again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise DataError(f"{path / 'manifest.json'}: manifest has no list of files",
                        hint=f"delete that folder and run `aiatlas fetch {source}` again")
    return Snapshot(source, path, manifest)
