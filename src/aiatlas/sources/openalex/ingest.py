"""Ingest an OpenAlex works snapshot into a snapshot of Parquet files, resumably.

The result is a snapshot like every other source's: `<home>/snapshots/openalex_works/<stamp>/`
holding the Parquet files (`publication_year=Y/*.parquet`) and a `manifest.json` that lists
each file (sha256, bytes, rows: what `aiatlas verify` and every build check) and each upstream
part it came from (URL, sha256, bytes, records, where it was parsed). The build exposes the
files as the warehouse view `openalex_works`.

A run works in the hidden folder `.ingest/` beside the snapshots, so nothing reads it before
it is complete: it starts from hard links to the latest snapshot's files and a copy of its
manifest, obtains, hashes and parses only the parts that are new or changed (`parse.py`, on
the driver with DuckDB or one Spark task per part on the executors), records each group in
the folder's manifest, compacts years with many files (`compact.py`) and is renamed to a new
`<stamp>` at the end (or removed when nothing changed). Files are only ever written under
temporary names and renamed, never rewritten in place, so a published snapshot's hard-linked
files never change. An interrupted run is resumed from its folder; a Parquet file its
manifest does not name is a leftover and is removed at the next start.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.sources.openalex import WORKS, compact
from aiatlas.sources.openalex.parse import ingest_parts
from aiatlas.sources.openalex.snapshot import (
    Part,
    is_synthetic_snapshot,
    is_url,
    list_parts,
    obtain,
)
from aiatlas.sources.openalex.spark import executor_runner
from aiatlas.warehouse import provenance

# run(fn, items) -> [(fn(item), where it ran)]: the driver itself, or Spark executors
Runner = Callable[[Callable, list], list[tuple[Any, str]]]
WORK = ".ingest"  # the run in progress, beside the published snapshots


def works_root(snapshots_dir: str | Path) -> Path:
    """The folder holding the works snapshots (and the run in progress) of a data home."""
    return Path(snapshots_dir) / WORKS.id


class WorksManifest:
    """The manifest of a works snapshot, by name: per part its checksum, counts and outputs;
    per Parquet file its checksum, rows and writer."""

    def __init__(self, folder: Path):
        self.path = folder / "manifest.json"
        doc = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        self.parts: dict[str, dict] = {p["name"]: p for p in doc.get("parts", [])}
        self.files: dict[str, dict] = {f["name"]: f for f in doc.get("files", [])}
        self.location: str | None = doc.get("location")

    def record(self, name: str, entry: dict, files: dict[str, dict]) -> None:
        """Record one finished part and the files it wrote (`save` writes it down)."""
        self.parts[name] = {"name": name} | entry
        self.files.update({f: {"name": f, "url": self.location} | e for f, e in files.items()})

    def document(self, **top) -> dict:
        """The manifest document; every file is as of the newest part's `updated_date`."""
        dates = [p["name"].split("/")[0].removeprefix("updated_date=") for p in self.parts.values()]
        as_of = max((d for d in dates if len(d) == 10), default=None)
        return {"source": WORKS.id, **top, "location": self.location,
                "synthetic": self.synthetic,
                "files": [e | {"as_of": as_of} for _, e in sorted(self.files.items())],
                "parts": [e for _, e in sorted(self.parts.items())]}

    def save(self, **top) -> None:
        """Replace the manifest file atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(".manifest.json.tmp")
        tmp.write_text(json.dumps(self.document(**top), indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
        os.replace(tmp, self.path)

    @property
    def synthetic(self) -> bool:
        return any(e.get("synthetic") for e in self.parts.values())


def start(root: Path) -> Path:
    """The run's folder: the interrupted run's when there is one, else a new one holding hard
    links to the latest snapshot's files and its manifest (written last, so a folder without
    one was interrupted while being set up and is set up again)."""
    work = root / WORK
    if (work / "manifest.json").is_file():
        return work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    latest = provenance.latest(root.parent, WORKS.id)
    if latest is not None:
        latest.verify()  # a damaged file must not be carried into the next snapshot
        for f in latest.manifest["files"]:
            target = work / f["name"]
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(latest.path / f["name"], target)
            except OSError:  # a file system without hard links
                shutil.copy2(latest.path / f["name"], target)
        shutil.copyfile(latest.path / "manifest.json", work / "manifest.json")
    return work


def sweep(out: Path, works: WorksManifest) -> None:
    """Remove what an interrupted run left: temporary files and Parquet files no entry names."""
    for f in out.glob("publication_year=*/*"):
        if f"{f.parent.name}/{f.name}" not in works.files:
            f.unlink()


def ingest_group(parts: list[Part], *, out: str, known: dict[str, list], batch_rows: int,
                 memory_limit: str) -> dict[str, dict]:
    """Obtain, hash and parse a few parts on the node this runs on; a part the manifest already
    holds with the same size and sha256 comes back as `skipped`."""
    with tempfile.TemporaryDirectory(prefix="aiatlas-openalex-") as tmp:
        scratch, todo, results = Path(tmp), [], {}
        for part in parts:
            local, size, digest = obtain(part, scratch)
            results[part.name] = {"bytes": size, "sha256": digest, "url": part.location,
                                  "records": part.records}
            if known.get(part.name) == [size, digest]:
                results[part.name]["skipped"] = True
            else:
                todo.append((local, part))
        if todo:
            for name, r in ingest_parts(todo, Path(out), batch_rows=batch_rows,
                                        memory_limit=memory_limit, scratch=scratch).items():
                results[name] |= r
        return results


def driver_runner(fn: Callable, items: list) -> list[tuple[Any, str]]:
    """run(fn, items) on this process, one item after the other."""
    where = f"{socket.gethostname()} driver (pid {os.getpid()})"
    return [(fn(item), where) for item in items]


def ingest(snapshot: str, snapshots_dir: str | Path, *, batch_rows: int = 65_536,
           parallel: int | None = None, progress: Callable[[str, int, int], None] | None = None,
           engine: str = "duckdb", spark_master: str | None = None, memory_limit: str = "1GB",
           max_files_per_year: int = compact.MAX_FILES_PER_YEAR,
           rows_per_file: int = compact.ROWS_PER_FILE) -> dict:
    """Ingest every part of `snapshot` not in the latest works snapshot into a new one;
    returns a summary of the run (with the snapshot's id, and `reused` when nothing changed).

    `parallel` parts are in flight at once (DuckDB: one read_json on the driver, one thread
    per part; Spark: one job of one task per part); the manifest is updated after each group.
    """
    if engine not in ("duckdb", "pyspark"):
        raise UsageError(f"unknown ingest engine {engine!r} (expected duckdb or pyspark)")
    spark = engine == "pyspark"
    # DuckDB: one part per local core; Spark: enough parts per job to keep a cluster busy
    parallel = max(1, parallel or (32 if spark else 2))
    parts = list_parts(snapshot)  # before any folder is made: a wrong snapshot leaves nothing
    root = works_root(snapshots_dir)
    out = start(root)
    works = WorksManifest(out)
    works.location = str(snapshot) if is_url(snapshot) else str(Path(snapshot).resolve())
    sweep(out, works)
    by_name = {p.name: p for p in parts}
    marker = is_synthetic_snapshot(snapshot)
    summary = {"parts": len(parts), "ingested": 0, "skipped": 0, "rows": 0, "engine": engine}
    run: Runner = executor_runner(spark_master) if spark else driver_runner
    queue, seen = list(parts), 0
    while queue:
        group, queue = queue[:parallel], queue[parallel:]
        known = {p.name: [e["bytes"], e["sha256"]] for p in group if (e := works.parts.get(p.name))}
        task = partial(ingest_group, out=str(out), known=known, batch_rows=batch_rows,
                       memory_limit=memory_limit)
        items = [[p] for p in group] if spark else [group]
        stale: set[str] = set()
        for results, where in run(task, items):
            for name, r in sorted(results.items()):
                if r.pop("skipped", False):
                    summary["skipped"] += 1
                    continue
                files = r.pop("files")
                old = works.parts.get(name)
                stale |= set(old["outputs"]) - set(files) if old else set()
                works.record(name, r | {
                    "outputs": sorted(files), "written_by": where, "engine": engine,
                    "synthetic": marker or r["synthetic_rows"] > 0,
                    "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                    {f: e | {"written_by": where} for f, e in files.items()})
                summary["ingested"] += 1
                summary["rows"] += r["rows"]
        # once per group: rewriting the whole manifest per part would cost O(parts^2) bytes
        works.save()
        queue += [by_name[n] for n in _forget(works, out, stale) if n in by_name]
        seen += len(group)
        if progress:
            progress(group[-1].name, min(seen, len(parts)), len(parts))
    summary["compacted_years"] = _compact(works, out, run, max_files_per_year, rows_per_file)
    summary["synthetic"] = works.synthetic
    summary["snapshot_id"], summary["reused"] = publish(root, out, works)
    return summary


def publish(root: Path, work: Path, works: WorksManifest) -> tuple[str, bool]:
    """Rename the finished run's folder to a new snapshot; when its files are the latest
    snapshot's, remove it instead and keep that one. Returns (snapshot id, reused)."""
    latest = provenance.latest(root.parent, WORKS.id)
    if latest is not None and {(f["name"], f["sha256"]) for f in latest.manifest["files"]} \
            == {(n, e["sha256"]) for n, e in works.files.items()}:
        shutil.rmtree(work)
        return latest.id, True
    now = dt.datetime.now(dt.UTC)
    snapshot_id = f"{WORKS.id}/{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    works.save(snapshot_id=snapshot_id, fetched_at=now.isoformat())
    os.rename(work, root.parent / snapshot_id)
    return snapshot_id, False


def _forget(works: WorksManifest, out: Path, stale: set[str]) -> list[str]:
    """Delete the files that held a changed part's old rows; parts sharing those files (after a
    compaction) lost rows too, so they are forgotten, with their other files, to be read again."""
    doomed, again = set(stale), set()
    while True:
        more = {n for n, e in works.parts.items() if doomed & set(e["outputs"])} - again
        if not more:
            break
        again |= more
        doomed |= {f for n in more for f in works.parts[n]["outputs"]}
    for n in again:
        del works.parts[n]
    for f in doomed:
        works.files.pop(f, None)
    works.save()
    for f in doomed:
        (out / f).unlink(missing_ok=True)
    return sorted(again)


def _compact(works: WorksManifest, out: Path, run: Runner, max_files: int, rows_per_file: int) -> int:
    """Compact every year holding more than `max_files` files; returns how many were."""
    plans = compact.plan(list(works.files), max_files)
    task = partial(compact.compact_year, out=str(out), rows_per_file=rows_per_file)
    for (_folder, inputs), (written, where) in zip(plans.items(), run(task, list(plans.items()))):
        gone = set(inputs)
        for e in works.parts.values():
            if gone & set(e["outputs"]):
                e["outputs"] = sorted((set(e["outputs"]) - gone) | set(written))
        for f in inputs:
            del works.files[f]
        works.files.update({f: {"name": f, "url": works.location} | e
                             | {"written_by": where, "compacted_from": len(inputs)}
                             for f, e in written.items()})
        works.save()  # the new files are the manifest's before the old ones go
        for f in inputs:
            (out / f).unlink(missing_ok=True)
    return len(plans)
