"""Snapshots on disk: find the latest complete one per source (or the newest as of a date) and read its manifest."""
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

    @property
    def as_of(self) -> dt.date | None:
        """The data's as-of date: the newest publisher as-of of its files, else the fetch date
        (a file fetched on a day cannot hold data from after it)."""
        dates = [str(f["as_of"])[:10] for f in self.manifest.get("files", []) if f.get("as_of")]
        if dates:
            return max(dt.date.fromisoformat(d) for d in dates)
        fetched = _timestamp(self.manifest.get("fetched_at"))
        return fetched.date() if fetched else None

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
    done = _folders(snapshots_dir, source)
    return _read(source, done[-1]) if done else None


def as_of(snapshots_dir: Path, sources: tuple[str, ...], date: dt.date) -> Snapshot | None:
    """The snapshot, among those of `sources` (a source and its archives), whose data as-of is
    the newest on or before `date`; ties go to the later fetch. None when none qualifies."""
    found = [_read(source, path) for source in sources for path in _folders(snapshots_dir, source)]
    dated = [s for s in found if s.as_of is not None and s.as_of <= date]
    return max(dated, key=lambda s: (s.as_of, s.manifest.get("fetched_at") or ""), default=None)


def _folders(snapshots_dir: Path, source: str) -> list[Path]:
    """Complete snapshot folders of a source, oldest first."""
    root = snapshots_dir / source
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.glob("*/manifest.json") if not p.parent.name.startswith("."))


def _read(source: str, path: Path) -> Snapshot:
    """The snapshot in one folder, its manifest checked."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise DataError(f"{path / 'manifest.json'}: unreadable manifest ({e})",
                        hint=f"delete that folder and run `aiatlas fetch {source}` again") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise DataError(f"{path / 'manifest.json'}: manifest has no list of files",
                        hint=f"delete that folder and run `aiatlas fetch {source}` again")
    return Snapshot(source, path, manifest)
