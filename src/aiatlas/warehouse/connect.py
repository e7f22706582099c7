"""Open the built warehouse read-only for Ibis, reopening when a rebuild swapped the file."""
from __future__ import annotations

import threading
from pathlib import Path

from aiatlas.config import Settings
from aiatlas.errors import NotBuiltError

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], object]] = {}


# Tables kept as Parquet datasets in the data home (too big for warehouse.duckdb): name ->
# folder under the home. `Tables(con, home)` reads them with the connection's read_parquet.
PARQUET_TABLES = {"openalex_works": ("openalex", "works")}


class Tables:
    """Attribute access to warehouse tables: `t.models` is the Ibis table `models`."""

    def __init__(self, con, home: Path | None = None):
        self.con = con
        self.home = home
        self._parquet: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("con", "home", "_parquet"):
            raise AttributeError(name)
        if name in PARQUET_TABLES and self.home is not None:
            if name not in self._parquet:
                self._parquet[name] = parquet_table(self.con, Path(self.home), name)
            return self._parquet[name]
        return self.con.table(name)


def parquet_table(con, home: Path, name: str):
    """A hive-partitioned Parquet dataset of the home as an Ibis table on this connection."""
    from aiatlas.errors import DataError

    folder = home.joinpath(*PARQUET_TABLES[name])
    if not any(folder.glob("*/*.parquet")):
        raise DataError(f"no {name} data at {folder}",
                        hint="run `aiatlas build --openalex SNAPSHOT` (the same as `aiatlas "
                             "openalex ingest SNAPSHOT`; a synthetic one for trying it out: "
                             "`aiatlas synth openalex --works N --out DIR`)")
    if con.name == "pyspark":
        return con.read_parquet(str(folder), table_name=name)
    return con.read_parquet(str(folder / "*" / "*.parquet"), table_name=name,
                            hive_partitioning=True)


def uses_only_parquet(tables) -> bool:
    """True when every table an indicator reads is a Parquet dataset (no warehouse needed)."""
    return bool(tables) and all(t in PARQUET_TABLES for t in tables)


def parquet_connection(settings: Settings):
    """An engine for the Parquet datasets alone: in-memory DuckDB, or Spark (local or a cluster)."""
    if settings.backend == "pyspark":
        from aiatlas.sources.openalex.spark import ibis_connection

        return ibis_connection()
    import ibis

    con = ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")  # keep CLI/API output clean
    return con


def duckdb(settings: Settings):
    """A read-only Ibis DuckDB connection to the current warehouse file.

    A rebuild replaces the file by rename, so the (inode, mtime) pair changes; we then open the
    new file. Connections already handed out keep reading the old inode until they are dropped.
    """
    path = settings.warehouse_path
    try:
        st = path.stat()
    except FileNotFoundError:
        if settings.as_of is None:
            raise NotBuiltError(path) from None
        raise NotBuiltError(path, hint=f"build that vintage: aiatlas build --as-of {settings.as_of}"
                                       " (`aiatlas builds` lists the built ones)") from None
    key = (st.st_ino, st.st_mtime_ns)
    with _lock:
        hit = _cache.get(str(path))
        if hit and hit[0] == key:
            return hit[1]
        con = _open_read_only(path)
        _cache[str(path)] = (key, con)
        return con


def _open_read_only(path) -> object:
    """Attach the file to a fresh in-memory database: DuckDB caches database instances by path,
    so `connect(path)` after a swap would hand back the old, replaced file."""
    import ibis  # here, not at module level: the CLI starts without loading Ibis

    con = ibis.duckdb.connect()
    quoted = str(path).replace("'", "''")
    con.raw_sql(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
    con.raw_sql("USE warehouse")
    return con


def connect(settings: Settings):
    """The Ibis backend for the configured engine."""
    if settings.backend == "pyspark":
        from aiatlas.warehouse import spark

        return spark.connect(settings)
    return duckdb(settings)
