"""The warehouse handle: one opened build (id, as-of), its one memo and a pool of read-only connections."""
from __future__ import annotations

import dataclasses
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb as duckdb_engine
import pyarrow as pa

try:  # the client's own one-statement runner (see _arrow); a client without it: None
    from duckdb import _seam as _client_seam
except ImportError:  # pragma: no cover - another DuckDB client
    _client_seam = None

from aiatlas.config import Settings
from aiatlas.errors import DataError, NotBuiltError, VintageNotBuiltError
from aiatlas.results import dumps
from aiatlas.warehouse import spark
from aiatlas.warehouse.datasets import search_path_sql

POOL_SIZE = 4  # concurrent queries: DuckDB runs them in parallel, each on its own connection

_lock = threading.Lock()
_open: dict[str, Warehouse] = {}  # warehouse path -> handle on the file that is there now


class Tables:
    """Attribute access to warehouse tables: `t.models` is the Ibis table `models`.

    With `names` (the tables the build holds), a table missing from an older build is a data
    error saying to rebuild, raised before any expression is compiled."""

    def __init__(self, con, names: frozenset[str] | None = None,
                 known: dict[str, object] | None = None):
        self.con = con
        self.names = names
        # warehouse tables already looked up on this connection (`known`: kept by the pool, so
        # each table's schema is read once per connection, not once per query)
        self._known = known if known is not None else {}

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("con", "names", "_known"):
            raise AttributeError(name)
        if self.names is not None and name not in self.names:
            raise DataError(f"the warehouse has no table {name!r}",
                            hint="rebuild it with this version: aiatlas build")
        if name not in self._known:
            self._known[name] = self.con.table(name)
        return self._known[name]


class Warehouse:
    """One build of the warehouse file, opened read-only.

    A rebuild renames a new file in; `connect()` then opens a new handle while requests that
    hold this one keep reading the old inode. Everything cached for a build lives in `memo`,
    so nothing can be served from a build other than the one it was computed on.
    """

    def __init__(self, settings: Settings, stamp: tuple[int, int]):
        self.path, self.home, self.stamp = settings.warehouse_path, settings.home, stamp
        self.snapshots_dir = settings.snapshots_dir
        # ATTACH to an in-memory database rather than connect(path): DuckDB caches database
        # instances by path, so connect(path) after a swap would hand back the replaced file.
        self._db = duckdb_engine.connect()
        if settings.duckdb_threads:  # a server's workers share the cores (web/serving.py)
            self._db.execute(f"SET threads = {int(settings.duckdb_threads)}")
        quoted = str(self.path).replace("'", "''")
        self._db.execute(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
        self._db.execute(search_path_sql(self.snapshots_dir))  # views over ingested datasets
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._opened = 0
        self._lock = threading.Lock()
        # key -> (value, its size in bytes), least recently used first; `_memo_bytes` is the sum,
        # kept within settings.memo_max_bytes. Pinned keys are never evicted nor counted.
        self._memo: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._memo_bytes, self.memo_max_bytes = 0, settings.memo_max_bytes
        self._pinned: set[tuple] = set()
        self._pending: dict[tuple, threading.Lock] = {}
        self.tables = frozenset(r["name"] for r in self.sql(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_catalog = 'warehouse'"))
        # (a hand-made test warehouse may lack the bookkeeping tables: then nothing is known)
        build = self.sql('SELECT * FROM "_build"') if "_build" in self.tables else []
        info = build[0] if build else {"build_id": None, "built_at": None, "aiatlas_version": None,
                                       "as_of": None}
        self.info: dict[str, Any] = dict(info)  # build_id, built_at, aiatlas_version, as_of
        self.build_id: str | None = info["build_id"]
        self.vintage: str = info["as_of"].isoformat() if info.get("as_of") else "latest"
        self.snapshots: list[dict[str, Any]] = self.sql(
            'SELECT * FROM "_snapshots" ORDER BY source, file') if "_snapshots" in self.tables else []
        # the newest publisher as-of date among the build's inputs: how current its data is
        self.data_as_of: str | None = max((s.get("as_of") for s in self.snapshots if s.get("as_of")),
                                     default=None)

    def columns(self) -> dict[str, list[list[str]]]:
        """Each warehouse table's [column, type] pairs in their order (read once per build)."""
        def read() -> dict[str, list[list[str]]]:
            out: dict[str, list[list[str]]] = {}
            for r in self.sql("SELECT table_name AS t, column_name AS c, data_type AS d "
                              "FROM information_schema.columns WHERE table_catalog = 'warehouse' "
                              "ORDER BY table_name, ordinal_position"):
                out.setdefault(r["t"], []).append([r["c"], r["d"]])
            return out
        return self.memo(("table columns",), read)

    def sql(self, query: str, params: list | None = None) -> list[dict[str, Any]]:
        """Rows of a plain SQL query on a pooled connection (bookkeeping tables, distinct values)."""
        with self._raw() as raw:
            rel = raw.sql(query, params=params)
            return rel.to_arrow_table().to_pylist()

    def arrow(self, query: str, memtables: dict[str, pa.Table] | None = None) -> pa.Table:
        """The Arrow result of compiled SQL on a pooled connection; the in-memory tables it
        reads (by name) are registered once per connection."""
        with self._pooled() as slot:
            _register(slot, memtables)
            return _arrow(slot[0], query)

    def prepared(self, statement: str, args: list[str],
                 memtables: dict[str, pa.Table] | None = None) -> pa.Table | None:
        """The Arrow result of SQL with positional parameters ($1, $2, ...) run with these
        arguments (SQL literals), or None when the engine cannot prepare it (a parameter whose
        type it cannot tell): then the caller runs the SQL with the values written in.

        Each statement is prepared once per pooled connection and then run as one short
        EXECUTE, which the client runs at once: `arrow`'s lazy relation parses and binds the
        whole query before running it, a third of a cache miss's DuckDB time (bench/api.py)."""
        with self._pooled() as slot:
            _register(slot, memtables)
            name = slot[4].get(statement, "")
            if name == "":  # not yet tried on this connection
                name = f"aiatlas_{len(slot[4])}"
                try:
                    slot[0].execute(f"PREPARE {name} AS {statement}")
                except duckdb_engine.Error:
                    name = None
                slot[4][statement] = name
            if name is None:
                return None
            call = f"EXECUTE {name}({', '.join(args)})" if args else f"EXECUTE {name}"
            return _arrow(slot[0], call)

    @contextmanager
    def engine_threads(self, n: int) -> Iterator[None]:
        """DuckDB runs this build's queries on n threads while the block runs (else its
        default: one per core)."""
        self._db.execute(f"SET threads = {int(n)}")
        try:
            yield
        finally:
            self._db.execute("RESET threads")

    @contextmanager
    def _raw(self) -> Iterator[duckdb_engine.DuckDBPyConnection]:
        with self._pooled() as slot:
            yield slot[0]

    @contextmanager
    def connection(self) -> Iterator[object]:
        """An Ibis DuckDB backend on a pooled connection, for this thread alone while held."""
        with self._pooled() as slot:
            yield self._backend(slot)

    @contextmanager
    def query(self) -> Iterator[Tables]:
        """The build's tables on a pooled connection, for this thread alone while held."""
        with self._pooled() as slot:
            yield Tables(self._backend(slot), self.tables, slot[2])

    def warm(self) -> None:
        """Load now what a server's first cache miss would: a pooled connection, its Ibis
        backend, and Ibis's and sqlglot's compiler (~20,000 objects), so the server can freeze
        them out of the garbage collector with the rest of start-up (web/app.py); else every
        full collection walks them again, a pause of every request at once."""
        import ibis  # as in _backend: loaded when needed, not for plain SQL reads

        with self.connection() as con:
            t = ibis.memtable({"k": [1], "v": [1.0]})
            con.compile(t.filter(t.k > 0).group_by("k").aggregate(v=t.v.sum()).order_by("k"))

    @staticmethod
    def _backend(slot: list):
        if slot[1] is None:
            import ibis  # here, not at module level: plain SQL reads run without Ibis

            # one backend per connection, kept: it registers each in-memory table once
            slot[1] = ibis.duckdb.from_connection(slot[0])
        return slot[1]

    @contextmanager
    def _pooled(self):
        """A [DuckDB connection, its Ibis backend or None, its looked-up tables, the in-memory
        tables registered on it by name, its prepared statements (SQL -> name, None: refused)]
        slot: an idle one, a new one while fewer than POOL_SIZE exist, else the next one
        released."""
        try:
            slot = self._idle.get_nowait()
        except queue.Empty:
            slot = self._open_or_wait()
        try:
            yield slot
        finally:
            self._idle.put(slot)

    def _open_or_wait(self) -> list:
        with self._lock:
            if self._opened < POOL_SIZE:
                self._opened += 1
                raw = self._db.cursor()  # a new connection to the same database
                raw.execute("USE warehouse")
                raw.execute(search_path_sql(self.snapshots_dir))
                raw.execute("SET enable_progress_bar = false")  # keep CLI/API output clean
                return [raw, None, {}, set(), {}]
        return self._idle.get()

    def spark(self):
        """The Ibis PySpark backend whose views are this build's tables (exported once)."""
        return self.memo(("spark",), lambda: spark.connect(self.path, self.home, self.build_id,
                                                           self.snapshots_dir), pin=True)

    def memo(self, key: tuple, make: Callable[[], Any], *, keep: bool = True,
             pin: bool = False) -> Any:
        """The value of `make()` for key, computed once per build (concurrent askers wait for the
        first) and kept while the memo's byte budget allows, least recently used evicted first.
        keep=False computes without storing (a caller that knows the value is stale); pin=True
        keeps it for the build's life outside the budget (an engine handle, not a result)."""
        hit = self.peek(key)
        if hit is not None or not keep:
            return hit if hit is not None else make()
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        try:
            with pending:
                hit = self.peek(key)
                if hit is None:
                    hit = make()
                    self._store(key, hit, pin)
        finally:
            with self._lock:
                self._pending.pop(key, None)
        return hit

    def _store(self, key: tuple, value: Any, pin: bool) -> None:
        size = 0 if pin else value_bytes(value)
        if size > self.memo_max_bytes:
            return  # bigger than the whole budget: served to its asker, never kept
        with self._lock:
            if pin:
                self._pinned.add(key)
            self._memo_bytes += size - self._memo.pop(key, (None, 0))[1]
            self._memo[key] = (value, size)
            if self._memo_bytes > self.memo_max_bytes:
                for old in [k for k in self._memo if k not in self._pinned]:
                    if self._memo_bytes <= self.memo_max_bytes:
                        break
                    self._memo_bytes -= self._memo.pop(old)[1]

    def peek(self, key: tuple) -> Any:
        """The memoised value for key, or None; never computes (safe on an event loop)."""
        with self._lock:
            hit = self._memo.get(key)
            if hit is None:
                return None
            self._memo.move_to_end(key)
            return hit[0]

    def memo_bytes(self) -> int:
        """The bytes the memo holds now (pinned engine handles not counted)."""
        with self._lock:
            return self._memo_bytes

    def forget(self) -> None:
        """Drop every memoised value but the pinned ones (benchmarks measure a cold cache)."""
        with self._lock:
            for key in [k for k in self._memo if k not in self._pinned]:
                del self._memo[key]
            self._memo_bytes = 0


def _arrow(con: duckdb_engine.DuckDBPyConnection, query: str) -> pa.Table:
    """The Arrow result of one statement, run once.

    `con.sql(query).to_arrow_table()` costs more than the statement: for an EXECUTE the client
    runs it, keeps its rows as a relation, binds that and reads it back through a second
    statement to make Arrow; for a SELECT it binds the query once to describe the relation and
    again to run it. Each is ~1-1.5 ms of CPU, about a fifth of a web cache miss (bench/api.py).
    The client's own runner (`_seam.submit`, what its relations end in) runs the statement
    once straight to Arrow; the public path stays for a client that lacks it."""
    if _client_seam is not None:
        return _client_seam.submit(con, query, None, "arrow").arrow_table()
    return con.sql(query).to_arrow_table()


def _register(slot: list, memtables: dict[str, pa.Table] | None) -> None:
    """Register the in-memory tables a query reads on a pooled connection, each once."""
    for name, table in (memtables or {}).items():
        if name not in slot[3]:
            slot[0].register(name, table)
            slot[3].add(name)


def value_bytes(value: Any) -> int:
    """A memo entry's size: Arrow buffers' nbytes, a body's length, else its JSON's UTF-8 bytes."""
    if isinstance(value, (pa.Table, pa.RecordBatch, pa.Array, pa.ChunkedArray)):
        return value.nbytes
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if value is None or type(value) in (bool, int):
        return len(repr(value))  # as long as its JSON: None/True/False spell null/true/false
    # containers of bodies and tables (a Result: its Arrow table, meta and provenance): the
    # parts, each by its own kind, so bytes and Arrow tables are not measured by their repr
    if isinstance(value, tuple):
        return sum(value_bytes(v) for v in value)
    if isinstance(value, dict):
        return sum(value_bytes(str(k)) + value_bytes(v) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(value_bytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    return len(dumps(value).encode("utf-8"))


def connect(settings: Settings) -> Warehouse:
    """The handle on the current warehouse file; a new one exactly when a rebuild swapped it."""
    path = settings.warehouse_path
    try:
        st = path.stat()
    except FileNotFoundError:
        if settings.as_of is None:
            raise NotBuiltError(path) from None
        raise VintageNotBuiltError(settings.as_of) from None
    stamp = (st.st_ino, st.st_mtime_ns)
    with _lock:
        hit = _open.get(str(path))
        if hit is None or hit.stamp != stamp:
            hit = _open[str(path)] = Warehouse(settings, stamp)
        return hit
