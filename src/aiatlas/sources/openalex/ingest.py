"""Ingest an OpenAlex works snapshot into Parquet partitioned by publication year, resumably.

The driver reads the manifest and plans groups of parts; each group is ingested where it runs
(the driver itself with the DuckDB engine, one Spark task per part on the executors with the
pyspark engine): the part is obtained from the snapshot location (`snapshot.obtain`), hashed,
compared with the ledger and parsed (`parse.ingest_parts`) into one file per year under
`<home>/openalex/works/publication_year=Y/`. Only counts, checksums and file names come back.
The driver records them in the ledger (`<home>/openalex/ledger.json`: per part its size,
sha256, rows, outputs and the node that wrote them; per file its rows and writer) and then
compacts years with many files (`compact.py`). A Parquet file the ledger does not name is a
leftover of an interrupted run and is removed at the next start, so the dataset is always the
ledger's.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import socket
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.sources.openalex import compact
from aiatlas.sources.openalex.parse import ingest_parts
from aiatlas.sources.openalex.snapshot import Part, is_synthetic_snapshot, list_parts, obtain
from aiatlas.sources.openalex.spark import executor_runner

# run(fn, items) -> [(fn(item), where it ran)]: the driver itself, or Spark executors
Runner = Callable[[Callable, list], list[tuple[Any, str]]]


def openalex_dir(home: str | Path) -> Path:
    """Where the OpenAlex Parquet dataset and its ledger live inside a data home."""
    return Path(home) / "openalex"


def works_dir(home: str | Path) -> Path:
    """The year-partitioned Parquet dataset of the ingested works."""
    return openalex_dir(home) / "works"


class Ledger:
    """What has been ingested: per part its checksum, counts and outputs; per file its writer."""

    def __init__(self, home: str | Path):
        self.path = openalex_dir(home) / "ledger.json"
        doc = json.loads(self.path.read_text(encoding="utf-8")) if self.path.exists() else {}
        self.parts: dict[str, dict] = doc.get("parts", {})
        # ledgers written before files were recorded: every part output is a file
        self.files: dict[str, dict] = doc.get("files") or {
            f: {} for e in self.parts.values() for f in e.get("outputs", [])}

    def record(self, name: str, entry: dict, files: dict[str, dict]) -> None:
        """Record one finished part and the files it wrote (`save` writes it down)."""
        self.parts[name] = entry
        self.files.update(files)

    def save(self) -> None:
        """Replace the ledger file atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(".ledger.json.tmp")
        tmp.write_text(json.dumps({"parts": self.parts, "files": self.files}, indent=1,
                                  sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    @property
    def synthetic(self) -> bool:
        return any(e.get("synthetic") for e in self.parts.values())


def sweep(out: Path, ledger: Ledger) -> None:
    """Remove what an interrupted run left: temporary files and Parquet files no entry names."""
    for f in out.glob("publication_year=*/*"):
        if f"{f.parent.name}/{f.name}" not in ledger.files:
            f.unlink()


def ingest_group(parts: list[Part], *, out: str, known: dict[str, list], batch_rows: int,
                 memory_limit: str) -> dict[str, dict]:
    """Obtain, hash and parse a few parts on the node this runs on; a part the ledger already
    holds with the same size and sha256 comes back as `skipped`."""
    with tempfile.TemporaryDirectory(prefix="aiatlas-openalex-") as tmp:
        scratch, todo, results = Path(tmp), [], {}
        for part in parts:
            local, size, digest = obtain(part, scratch)
            results[part.name] = {"size": size, "sha256": digest, "location": part.location}
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


def ingest(snapshot: str, home: str | Path, *, batch_rows: int = 65_536, parallel: int | None = None,
           progress: Callable[[str, int, int], None] | None = None, engine: str = "duckdb",
           spark_master: str | None = None, memory_limit: str = "1GB",
           max_files_per_year: int = compact.MAX_FILES_PER_YEAR,
           rows_per_file: int = compact.ROWS_PER_FILE) -> dict:
    """Ingest every part of `snapshot` not yet in the ledger; returns a summary of the run.

    `parallel` parts are in flight at once (DuckDB: one read_json on the driver, one thread
    per part; Spark: one job of one task per part); the ledger is updated after each group.
    """
    if engine not in ("duckdb", "pyspark"):
        raise UsageError(f"unknown ingest engine {engine!r} (expected duckdb or pyspark)")
    spark = engine == "pyspark"
    # DuckDB: one part per local core; Spark: enough parts per job to keep a cluster busy
    parallel = max(1, parallel or (32 if spark else 2))
    out = works_dir(home)
    out.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(home)
    sweep(out, ledger)
    parts = list_parts(snapshot)
    by_name = {p.name: p for p in parts}
    marker = is_synthetic_snapshot(snapshot)
    summary = {"parts": len(parts), "ingested": 0, "skipped": 0, "rows": 0, "engine": engine}
    run: Runner = executor_runner(spark_master) if spark else driver_runner
    queue, seen = list(parts), 0
    while queue:
        group, queue = queue[:parallel], queue[parallel:]
        known = {p.name: [e["size"], e["sha256"]] for p in group if (e := ledger.parts.get(p.name))}
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
                old = ledger.parts.get(name)
                stale |= set(old["outputs"]) - set(files) if old else set()
                ledger.record(name, r | {
                    "outputs": sorted(files), "written_by": where, "engine": engine,
                    "synthetic": marker or r["synthetic_rows"] > 0,
                    "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
                    {f: {"rows": n, "written_by": where} for f, n in files.items()})
                summary["ingested"] += 1
                summary["rows"] += r["rows"]
        # once per group: rewriting the whole ledger per part would cost O(parts^2) bytes
        ledger.save()
        queue += [by_name[n] for n in _forget(ledger, out, stale) if n in by_name]
        seen += len(group)
        if progress:
            progress(group[-1].name, min(seen, len(parts)), len(parts))
    summary["compacted_years"] = _compact(ledger, out, run, max_files_per_year, rows_per_file)
    summary["synthetic"] = ledger.synthetic
    return summary


def _forget(ledger: Ledger, out: Path, stale: set[str]) -> list[str]:
    """Delete the files that held a changed part's old rows; parts sharing those files (after a
    compaction) lost rows too, so they are forgotten, with their other files, to be read again."""
    doomed, again = set(stale), set()
    while True:
        more = {n for n, e in ledger.parts.items() if doomed & set(e["outputs"])} - again
        if not more:
            break
        again |= more
        doomed |= {f for n in more for f in ledger.parts[n]["outputs"]}
    for n in again:
        del ledger.parts[n]
    for f in doomed:
        ledger.files.pop(f, None)
    ledger.save()
    for f in doomed:
        (out / f).unlink(missing_ok=True)
    return sorted(again)


def _compact(ledger: Ledger, out: Path, run: Runner, max_files: int, rows_per_file: int) -> int:
    """Compact every year holding more than `max_files` files; returns how many were."""
    plans = compact.plan(list(ledger.files), max_files)
    task = partial(compact.compact_year, out=str(out), rows_per_file=rows_per_file)
    for (_folder, inputs), (written, where) in zip(plans.items(), run(task, list(plans.items()))):
        gone = set(inputs)
        for e in ledger.parts.values():
            if gone & set(e["outputs"]):
                e["outputs"] = sorted((set(e["outputs"]) - gone) | set(written))
        for f in inputs:
            del ledger.files[f]
        ledger.files.update({f: {"rows": n, "written_by": where, "compacted_from": len(inputs)}
                             for f, n in written.items()})
        ledger.save()  # the new files are the ledger's before the old ones go
        for f in inputs:
            (out / f).unlink(missing_ok=True)
    return len(plans)
