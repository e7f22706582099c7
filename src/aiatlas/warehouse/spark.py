"""The PySpark backend: a local SparkSession reading the warehouse tables from Parquet.

The DuckDB file stays the single build output; for Spark every table is exported once per
build (keyed by build_id) to Parquet under <home>/cache/spark/<build_id>/ and registered as a
temporary view, so the same Ibis expressions run unchanged. The warehouse handle keeps the
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


def _export(path: Path, home: Path, build_id: str | None) -> dict[str, str]:
    """Export every warehouse table to Parquet once per build; returns table -> file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
            .fetchall()]
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
    return {t: str(folder / _file(t)) for t in tables}


def _file(table: str) -> str:
    # Spark skips files whose names start with "_" or "." (_build, _snapshots): prefix them.
    return f"table-{table}.parquet"


def connect(path: Path, home: Path, build_id: str | None):
    """An Ibis PySpark backend whose tables are the warehouse build at `path`."""
    import ibis  # the expression layer is loaded when a query runs, not at import

    with _views:
        paths = _export(path, home, build_id)
        spark = session()
        for table, file in paths.items():
            spark.read.parquet(file).createOrReplaceTempView(table)
        return ibis.pyspark.connect(spark)
