"""Open the built warehouse read-only for Ibis, reopening when a rebuild swapped the file."""
from __future__ import annotations

import threading

from aiatlas.config import Settings
from aiatlas.errors import NotBuiltError

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], object]] = {}


class Tables:
    """Attribute access to warehouse tables: `t.models` is the Ibis table `models`."""

    def __init__(self, con):
        self.con = con

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.con.table(name)


def duckdb(settings: Settings):
    """A read-only Ibis DuckDB connection to the current warehouse file.

    A rebuild replaces the file by rename, so the (inode, mtime) pair changes; we then open the
    new file. Connections already handed out keep reading the old inode until they are dropped.
    """
    path = settings.warehouse_path
    try:
        st = path.stat()
    except FileNotFoundError:
        raise NotBuiltError(path) from None
    key = (st.st_ino, st.st_mtime_ns)
    with _lock:
        hit = _cache.get(str(path))
        if hit and hit[0] == key:
            return hit[1]
        import ibis  # here, not at module level: the CLI starts without loading Ibis

        con = ibis.duckdb.connect(str(path), read_only=True)
        _cache[str(path)] = (key, con)
        return con


def connect(settings: Settings):
    """The Ibis backend for the configured engine."""
    if settings.backend == "pyspark":
        from aiatlas.warehouse import spark

        return spark.connect(settings)
    return duckdb(settings)
