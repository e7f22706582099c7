"""Compaction: a year folder of many small per-part Parquet files becomes a few large ones.

Every ingested part writes one file per publication year, so 50 parts of 200,000 works leave
50 files of ~8,000 rows in each year; a query then spends its first second reading Parquet
footers. A year holding more than `max_files` files is rewritten, as a stream of record
batches (memory stays at a batch), into ceil(rows / rows_per_file) files. The new files are
written under temporary names and renamed; the driver then records them in the snapshot's
manifest and only then deletes the old ones, so an interruption leaves either set, never both
in use.
"""
from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq

from aiatlas.sources.openalex.parse import OUTPUT_SCHEMA
from aiatlas.sources.openalex.snapshot import file_entry

MAX_FILES_PER_YEAR = 8
ROWS_PER_FILE = 4_000_000  # ~100-250 MB of Parquet per file on real works


def plan(files: list[str], max_files: int) -> dict[str, list[str]]:
    """Year folders (`publication_year=Y`) holding more than `max_files` files -> their files."""
    by_year: dict[str, list[str]] = {}
    for f in files:
        by_year.setdefault(f.split("/", 1)[0], []).append(f)
    return {y: sorted(fs) for y, fs in sorted(by_year.items()) if len(fs) > max_files}


def compact_year(item: tuple[str, list[str]], *, out: str, rows_per_file: int) -> dict[str, dict]:
    """Rewrite one year's files into as few as `rows_per_file` allows; returns {new file: its
    manifest entry (rows, bytes, sha256)}.

    Runs wherever the task runs (driver or executor); the inputs are left in place.
    """
    folder, files = item
    root = Path(out)
    paths = [str(root / f) for f in files]
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
    n_out = max(1, math.ceil(total / rows_per_file))
    per_file = math.ceil(total / n_out) if total else 0
    stem = "compact-" + hashlib.sha1("\n".join(files).encode()).hexdigest()[:12]
    written: dict[str, dict] = {}
    writer, temp, name, rows = None, None, None, 0

    def close() -> None:
        writer.close()
        os.replace(temp, root / name)
        written[name] = file_entry(root / name, rows)

    scanner = ds.dataset(paths, format="parquet", schema=OUTPUT_SCHEMA).to_batches()
    for batch in scanner:
        while batch.num_rows:
            if writer is None:
                name = f"{folder}/{stem}-{len(written)}.parquet"
                temp = root / folder / f".{Path(name).name}.tmp"
                writer, rows = pq.ParquetWriter(temp, OUTPUT_SCHEMA, compression="zstd"), 0
            take = batch.slice(0, per_file - rows)
            writer.write_batch(take)
            rows += take.num_rows
            batch = batch.slice(take.num_rows)
            if rows >= per_file:
                close()
                writer = None
    if writer is not None:
        close()
    return written
