"""Snapshots on disk: find the latest complete one per source (or the newest as of a date) and read its manifest."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aiatlas.errors import DataError, UsageError
from aiatlas.sources import registry


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

    def problems(self) -> list[str]:
        """One line per file whose bytes are not what the manifest recorded (missing, size, sha256)."""
        return [p for f in self.manifest.get("files", []) if (p := file_problem(self.path, f))]

    def verify(self) -> None:
        """Raise a DataError naming the first damaged file, so no build reads altered data."""
        problems = self.problems()
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise DataError(problems[0] + more,
                            hint=f"run `{_remedy(self.source)}` to replace the damaged "
                                 "snapshot (`aiatlas verify` lists every problem)")

    def rows(self) -> list[dict[str, Any]]:
        """One `_snapshots` row per file of the manifest."""
        fetched = _timestamp(self.manifest.get("fetched_at"))
        return [{"source": self.source, "file": f.get("name"), "snapshot_id": self.id,
                 "url": f.get("url"), "sha256": f.get("sha256"), "bytes": f.get("bytes"),
                 "fetched_at": fetched, "as_of": f.get("as_of"), "rows": f.get("rows"),
                 "synthetic": bool(self.manifest.get("synthetic"))}
                for f in self.manifest.get("files", [])]


def _remedy(source: str) -> str:
    """The command that makes a new snapshot of a source: its ingest, else `aiatlas fetch`."""
    try:
        return registry.get(source).ingest or f"aiatlas fetch {source}"
    except UsageError:  # a folder of a source this version no longer declares
        return f"aiatlas fetch {source}"


def file_problem(folder: Path, entry: dict[str, Any]) -> str | None:
    """What is wrong with one manifest entry's file on disk, or None when size and sha256 match."""
    path = folder / str(entry.get("name"))
    if not path.is_file():
        return f"{path}: file listed in the manifest is missing"
    size = path.stat().st_size
    if entry.get("bytes") is not None and size != entry["bytes"]:
        return f"{path}: {size} bytes, the manifest says {entry['bytes']} (damaged snapshot)"
    with open(path, "rb") as fh:
        sha = hashlib.file_digest(fh, "sha256").hexdigest()
    if sha != entry.get("sha256"):
        return f"{path}: sha256 {sha[:12]}..., the manifest says {str(entry.get('sha256'))[:12]}... " \
               "(damaged snapshot)"
    return None


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
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def folders(snapshots_dir: Path, source: str) -> list[Path]:
    """A source's snapshot folders, oldest first; hidden ones are fetches in progress (or killed)."""
    root = snapshots_dir / source
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def latest(snapshots_dir: Path, source: str) -> Snapshot | None:
    """The newest snapshot of a source; a folder without its manifest is damaged, not absent.

    Fetch writes into a hidden temp folder and renames it complete, so a visible folder without
    manifest.json was altered after the fact: treating it as "no data" would wipe the source.
    """
    done = folders(snapshots_dir, source)
    return load(source, done[-1]) if done else None


def as_of(snapshots_dir: Path, sources: tuple[str, ...], date: dt.date) -> Snapshot | None:
    """The snapshot, among those of `sources` (a source and its archives), whose data as-of is
    the newest on or before `date`; ties go to the later fetch. None when none qualifies."""
    found = [load(source, path) for source in sources for path in folders(snapshots_dir, source)]
    dated = [s for s in found if s.as_of is not None and s.as_of <= date]
    return max(dated, key=lambda s: (s.as_of, s.manifest.get("fetched_at") or ""), default=None)


def load(source: str, path: Path) -> Snapshot:
    """Read one snapshot folder's manifest; a missing or malformed one is a DataError."""
    if not (path / "manifest.json").is_file():
        raise DataError(f"{path}: snapshot folder has no manifest.json (damaged snapshot)",
                        hint=f"run `{_remedy(source)}` to replace it")
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise DataError(f"{path / 'manifest.json'}: unreadable manifest ({e})",
                        hint=f"run `{_remedy(source)}` to replace it") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise DataError(f"{path / 'manifest.json'}: manifest has no list of files",
                        hint=f"run `{_remedy(source)}` to replace it")
    return Snapshot(source, path, manifest)


def verify_home(snapshots_dir: Path, warehouse: Path) -> list[dict[str, str]]:
    """Check every snapshot folder against its manifest and the warehouse's provenance against
    the snapshots on disk; one row per snapshot (and one for the warehouse) with its problems."""
    out = []
    sources = sorted(p.name for p in snapshots_dir.iterdir() if p.is_dir()) \
        if snapshots_dir.is_dir() else []
    for source in sources:
        for folder in folders(snapshots_dir, source):
            try:
                problems = load(source, folder).problems()
            except DataError as e:
                problems = [str(e)]
            out.append({"what": f"snapshot {source}/{folder.name}", "problems": problems})
    if warehouse.exists():
        out.append({"what": "warehouse provenance",
                    "problems": _warehouse_problems(snapshots_dir, warehouse)})
    return out


def _warehouse_problems(snapshots_dir: Path, warehouse: Path) -> list[str]:
    """Each fetched file the warehouse says it was built from must still be on disk, unchanged."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = con.execute("SELECT snapshot_id, file, sha256, url FROM _snapshots").fetchall()
        finally:
            con.close()
    except duckdb.Error as e:
        return [f"{warehouse}: unreadable ({str(e).splitlines()[0]})"]
    problems = []
    for snapshot_id, file, sha, url in rows:
        if str(url).startswith("package:"):
            continue  # shipped with the package; its checksum is its snapshot id
        entry = {"name": file, "sha256": sha}
        problem = file_problem(snapshots_dir / snapshot_id, entry)
        if problem:
            problems.append(f"built from {snapshot_id}/{file}, which is no longer intact: {problem}")
    return problems
