"""The PySpark backend: a local SparkSession reading the warehouse tables from Parquet.

The DuckDB file stays the single build output; for Spark every table is exported once per
build (keyed by build_id) to Parquet under <home>/cache/spark/<build_id>/ and registered as a
temporary view, so the same Ibis expressions run unchanged. A view over an ingested dataset's
Parquet files (the OpenAlex works) is not copied: Spark reads the same files in place. The warehouse handle keeps the
backend in its memo, so each build is loaded once per process.
"""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import duckdb

from aiatlas.spark import session

_views = threading.Lock()  # temp views are session-wide: one build's views are set at a time


def _export(path: Path, home: Path, build_id: str | None) -> tuple[dict[str, str], dict[str, list]]:
    """Export every warehouse table to Parquet once per build; returns (table -> file, view ->
    its dataset's (snapshot folder, file) pairs from `_loads` and `_snapshots`)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                                 "WHERE table_schema = 'main'").fetchall())
        tables = [t for t, kind in kinds.items() if kind == "BASE TABLE"]
        views: dict[str, list] = {}
        for view, snapshot_id, file in con.execute(
                'SELECT l."table", s.snapshot_id, s.file FROM _loads l JOIN _snapshots s '
                'USING (source, snapshot_id) ORDER BY 1, 3').fetchall():
            if kinds.get(view) == "VIEW":
                views.setdefault(view, []).append((snapshot_id, file))
        folder = home / "cache" / "spark" / re.sub(r"[^A-Za-z0-9._-]", "_", build_id or "unbuilt")
        done = folder / ".complete"
        if not done.exists():
            tmp = folder.with_name(folder.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            for table in tables:
                target = str(tmp / _file(table)).replace("'", "''")
                con.execute(f'COPY "{table}" TO \'{target}\' (FORMAT parquet)')
            (tmp / ".complete").write_text(build_id or "")
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
    finally:
        con.close()
    return {t: str(folder / _file(t)) for t in tables}, views


def _file(table: str) -> str:
    # Spark skips files whose names start with "_" or "." (_build, _snapshots): prefix them.
    return f"table-{table}.parquet"


def connect(path: Path, home: Path, build_id: str | None, snapshots_dir: Path):
    """An Ibis PySpark backend whose tables are the warehouse build at `path`."""
    import ibis  # the expression layer is loaded when a query runs, not at import

    with _views:
        paths, views = _export(path, home, build_id)
        spark = session()
        for table, file in paths.items():
            spark.read.parquet(file).createOrReplaceTempView(table)
        for view, files in views.items():
            # basePath: the partition columns come from the folders below the snapshot's
            base = str(snapshots_dir / files[0][0])
            spark.read.option("basePath", base).parquet(
                *[str(snapshots_dir / sid / f) for sid, f in files]).createOrReplaceTempView(view)
        return ibis.pyspark.connect(spark)
