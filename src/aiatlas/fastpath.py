"""The cold-start fast path of `aiatlas show`: a request already answered on this build reruns
its stored SQL with plain DuckDB, without importing Ibis, pandas, Typer or the registry.

An entry is `<home>/cache/compiled/<key>.json` holding {sql, schema, meta, provenance,
build_id}; the key hashes the warehouse's build id, the aiatlas version and source, the
indicator id, its parameters as given and today's date (a default such as "until this year"
is bound on the day). A rebuild changes the build id, so an old entry is never read again.
Anything unusual (another option, a miss, any error) returns False: the normal path answers.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import os
from pathlib import Path

import aiatlas

FORMATS = ("table", "csv", "json")  # parquet and --out go the normal way
_PACKAGE = Path(aiatlas.__file__).resolve().parent


@functools.cache  # the package's files do not change under a running process
def _source_hash() -> str:
    """A hash of every module and data file of the package: changed code never reads old SQL."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def key(build_id: str, id: str, params: dict[str, str]) -> str:
    """The entry key of one request: build, code, indicator, parameters (as given) and day."""
    parts = [build_id, aiatlas.__version__, _source_hash(), id, sorted(params.items()),
             "duckdb", dt.date.today().isoformat()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def entry_path(home: Path, build_id: str, id: str, params: dict[str, str]) -> Path:
    """Where the entry of this request lives in the data home."""
    return Path(home) / "cache" / "compiled" / f"{key(build_id, id, params)}.json"


def _b64(buffer) -> str:
    return base64.b64encode(buffer.to_pybytes()).decode()


def _ipc(table) -> str:
    """An Arrow table as base64 IPC stream text (an in-memory table the SQL reads)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return _b64(sink.getvalue())


def store(home: Path, id: str, params: dict[str, str], sql: str, memtables: dict, result) -> None:
    """Keep a computed result's SQL (with the in-memory tables it reads), Arrow schema, meta and
    provenance for later processes."""
    path = entry_path(home, result.build_id, id, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"sql": sql, "schema": _b64(result.table.schema.serialize()),
            "memtables": {name: _ipc(t) for name, t in memtables.items()},
            "meta": result.meta, "provenance": result.provenance, "build_id": result.build_id}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_dumps(body), encoding="utf-8")
    os.replace(tmp, path)  # a reader sees the whole entry or none


def _dumps(body) -> str:
    from aiatlas.results import dumps  # (light: the serialiser module imports no engine)

    return dumps(body)


def parse_show(argv: list[str]) -> tuple[str, dict[str, str], str, str | None] | None:
    """(id, parameters, format, home) of a plain `show` command line, else None."""
    if not argv or argv[0] != "show":
        return None
    id, params, fmt, home = None, {}, "table", None
    args = iter(argv[1:])
    try:
        for a in args:
            if a in ("-p", "--param"):
                k, sep, v = next(args).partition("=")
                if not sep or not k.strip():
                    return None
                params[k.strip()] = v  # as the CLI reads them: the last one of a key wins
            elif a in ("-f", "--format"):
                fmt = next(args)
            elif a == "--home":
                home = next(args)
            elif a.startswith("-") or id is not None:
                return None
            else:
                id = a
    except StopIteration:
        return None
    if id is None or fmt not in FORMATS:
        return None
    return id, params, fmt, home


def try_show(argv: list[str]) -> bool:
    """Answer `show` from a stored entry and return True; False (nothing printed) otherwise."""
    request = parse_show(argv)
    if request is None or os.environ.get("AIATLAS_BACKEND", "duckdb") not in ("", "duckdb"):
        return False
    id, params, fmt, home = request
    try:
        import duckdb
        import pyarrow as pa

        from aiatlas.config import settings
        from aiatlas.warehouse.datasets import search_path_sql

        path = settings(home=home).warehouse_path
        home_dir = settings(home=home).home
        if not path.exists():
            return False
        con = duckdb.connect()
        try:
            # the same attachment as the normal path: compiled SQL names the catalog `warehouse`
            quoted = str(path).replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
            con.execute(search_path_sql(settings(home=home).snapshots_dir))  # dataset views
            con.execute("SET enable_progress_bar = false")
            rows = con.execute('SELECT build_id FROM "_build"').fetchall()
            row = rows[0] if len(rows) == 1 else None
            if not row or not row[0]:
                return False
            entry = entry_path(home_dir, row[0], id, params)
            if not entry.exists():
                return False
            body = json.loads(entry.read_text(encoding="utf-8"))
            if body["build_id"] != row[0]:
                return False
            for name, data in body["memtables"].items():
                con.register(name, pa.ipc.open_stream(base64.b64decode(data)).read_all())
            schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(body["schema"])))
            table = con.sql(body["sql"]).to_arrow_table().cast(schema)
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - any surprise: the normal path answers (and reports it)
        return False
    from aiatlas.commands._output import write_result
    from aiatlas.results import Result

    write_result(Result(meta=body["meta"], table=table, provenance=body["provenance"],
                        build_id=body["build_id"]), fmt, None)
    return True
