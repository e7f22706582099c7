"""The PySpark backend: a local SparkSession reading the warehouse tables from Parquet.

The DuckDB file stays the single build output; for Spark every table is exported once per
build (keyed by build_id) to Parquet under <home>/cache/spark/<build_id>/ and registered as a
temporary view, so the same Ibis expressions run unchanged.
"""
from __future__ import annotations

import re
import shutil
import threading

from aiatlas.config import Settings
from aiatlas.spark import session

_lock = threading.Lock()
_loaded: dict[str, object] = {}  # build_id -> ibis backend with that build's views


def _export(settings: Settings) -> tuple[str, dict[str, str]]:
    """Export every warehouse table to Parquet once per build; returns build_id and paths."""
    import duckdb

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        build = con.execute('SELECT build_id FROM "_build" LIMIT 1').fetchone()
        build_id = build[0] if build else "unbuilt"
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")
            .fetchall()]
        folder = settings.home / "cache" / "spark" / re.sub(r"[^A-Za-z0-9._-]", "_", build_id)
        done = folder / ".complete"
        if not done.exists():
            tmp = folder.with_name(folder.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            for table in tables:
                target = str(tmp / _file(table)).replace("'", "''")
                con.execute(f'COPY "{table}" TO \'{target}\' (FORMAT parquet)')
            (tmp / ".complete").write_text(build_id)
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
    finally:
        con.close()
    return build_id, {t: str(folder / _file(t)) for t in tables}


def _file(table: str) -> str:
    # Spark skips files whose names start with "_" or "." (_build, _snapshots): prefix them.
    return f"table-{table}.parquet"


def connect(settings: Settings):
    """An Ibis PySpark backend whose tables are the current warehouse build."""
    from aiatlas.warehouse.connect import duckdb as duckdb_backend

    duckdb_backend(settings)  # raises NotBuiltError when there is no warehouse
    with _lock:
        build_id, paths = _export(settings)
        key = f"{settings.warehouse_path}:{build_id}"
        if key in _loaded:
            return _loaded[key]
        import ibis

        spark = session()
        for table, path in paths.items():
            spark.read.parquet(path).createOrReplaceTempView(table)
        con = ibis.pyspark.connect(spark)
        _loaded.clear()  # temp views are session-wide: only the newest build stays loaded
        _loaded[key] = con
        return con
