"""The cold-start fast path of `aiatlas show`: a request already answered on this build reruns
its stored SQL with plain DuckDB, without importing Ibis, pandas, Typer or the registry.

An entry is `<home>/cache/compiled/<key>.json` holding {sql, schema, meta, provenance,
build_id}; the key hashes the warehouse's build id, the aiatlas version and source, the
indicator id, its parameters as given and today's date (a default such as "until this year"
is bound on the day). A rebuild changes the build id, so an old entry is never read again.
Anything unusual (another option, a miss, any error) returns False: the normal path answers.

A request not asked before is answered from the build's SQL templates when its parameter
*shape* has one (`aiatlas.sqltemplate` derives them; this module only reads them): one file per
indicator under `<home>/cache/templates/<build key>/`, holding the declared parameters, the
templates per shape and the in-memory tables they read. The values are written into the SQL
as the same literals Ibis writes, after the same checks the registry makes; a value this
module is unsure of (a sign, an odd character) goes the normal way.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import math
import os
import re
import sys
from pathlib import Path

import aiatlas
from aiatlas.results import Result, Rows

FORMATS = ("table", "csv", "json")  # parquet and --out go the normal way
PACKAGE = Path(aiatlas.__file__).resolve().parent


# the package's data files: read by indicator code (entities/*.csv, curated YAML), so they can
# be in a query's SQL, as literals or in-memory tables
DATA_SUFFIXES = (".yaml", ".csv", ".json")


@functools.cache  # the package's files do not change under a running process
def _source_hash() -> str:
    """A hash of every module and data file of the package: changed code never reads old SQL."""
    return code_hash(tuple(str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*"))
                           if p.suffix in (".py", *DATA_SUFFIXES) and "__pycache__" not in p.parts))


@functools.cache
def code_hash(files: tuple[str, ...]) -> str:
    """A hash of these package files (paths relative to the package; a missing one: OSError).
    A template records the files its SQL can depend on and is read while they are unchanged."""
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0" + (PACKAGE / rel).read_bytes())
    return h.hexdigest()


def current(body: dict) -> bool:
    """Whether a stored template file's code (`code`: its files and their hash) is unchanged."""
    try:
        return code_hash(tuple(body["code"]["files"])) == body["code"]["sha256"]
    except (OSError, KeyError, TypeError):
        return False


def key(build_id: str, id: str, params: dict[str, str]) -> str:
    """The entry key of one request: build, code, indicator, parameters (as given) and day."""
    parts = [build_id, aiatlas.__version__, _source_hash(), id, sorted(params.items()),
             "duckdb", dt.date.today().isoformat()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def entry_path(home: Path, build_id: str, id: str, params: dict[str, str]) -> Path:
    """Where the entry of this request lives in the data home."""
    return Path(home) / "cache" / "compiled" / f"{key(build_id, id, params)}.json"


def schema_text(schema) -> str:
    """An Arrow schema as base64 text (how entries and templates keep it)."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


def table_text(table) -> str:
    """An Arrow table as base64 IPC stream text (an in-memory table the SQL reads)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def read_schema(text: str):
    """The Arrow schema kept by `schema_text`."""
    import pyarrow as pa

    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


def read_table(text: str):
    """The Arrow table kept by `table_text`."""
    import pyarrow as pa

    return pa.ipc.open_stream(base64.b64decode(text)).read_all()


# --- results without Arrow: in a new process, importing pyarrow (and numpy with it) costs about
# as much as DuckDB itself, so the fast path fetches Python values and makes them what Arrow's
# cast to the stored schema would give; anything it is unsure of is read with Arrow as before

# an in-memory table's Arrow type -> the DuckDB type it is created as without Arrow
PLAIN_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "int32": "INTEGER", "double": "DOUBLE",
               "bool": "BOOLEAN", "date32[day]": "DATE"}
PLAIN_ROWS = 10_000  # an in-memory table with more rows is kept in Arrow form only


def columns_text(schema) -> list | None:
    """A result schema's columns as [name, Arrow type] text (what `plain_rows` converts to);
    None when one is not nullable (Arrow's cast refuses a null there: Arrow reads it)."""
    return [[f.name, str(f.type)] for f in schema] if all(f.nullable for f in schema) else None


def rows_text(table) -> dict | None:
    """An in-memory table's columns ([name, DuckDB type]) and rows as JSON data (`register`
    creates it from them); None when a type is not in PLAIN_TYPES, a float is not finite (no
    JSON number) or it has more than PLAIN_ROWS rows."""
    columns = [[f.name, PLAIN_TYPES.get(str(f.type))] for f in table.schema]
    if table.num_rows > PLAIN_ROWS or any(t is None for _, t in columns):
        return None
    rows = [list(r.values()) for r in table.to_pylist()]
    if any(isinstance(v, float) and not math.isfinite(v) for r in rows for v in r):
        return None
    return {"columns": columns, "rows": rows}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def register(con, name: str, data: dict) -> None:
    """Create an in-memory table kept by `rows_text` as a temporary table of this connection
    (where the SQL finds it, as the Arrow table `con.register` gives)."""
    struct = ", ".join(f"{_quoted(c)} {t}" for c, t in data["columns"])
    names = [c for c, _ in data["columns"]]
    con.execute(f"CREATE TEMP TABLE {_quoted(name)} AS "
                f"SELECT unnest($1::STRUCT({struct})[], recursive := true)",
                [[dict(zip(names, row)) for row in data["rows"]]])


class _Unsure(Exception):
    """A value `plain_rows` does not convert as Arrow would: the result is read with Arrow."""


_INTS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
         "UINTEGER", "UBIGINT", "UHUGEINT")
_INT_RANGES = {"int32": 2**31, "int64": 2**63}
_EXACT = 2**53  # an integer Arrow casts to double without refusing (and float() keeps exact)
_SAME = {("VARCHAR", "string"), ("BOOLEAN", "bool"), ("DATE", "date32[day]"),
         ("DOUBLE", "double"), ("FLOAT", "double"), ("VARCHAR[]", "list<item: string>")}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)\Z")


def _in_range(top: int):
    def convert(v):
        if v is not None and not -top <= v < top:
            raise _Unsure
        return v
    return convert


def _int_to_double(v):
    if v is None:
        return None
    if abs(v) > _EXACT:
        raise _Unsure
    return float(v)


def _decimal_to_double(scale: int):
    # Arrow (checked by the tests against pyarrow's own cast) multiplies the unscaled integer,
    # when it fits a double exactly, by the double nearest 10**-scale
    power = float(f"1e-{scale}")

    def convert(v):
        if v is None:
            return None
        unscaled = int(v.scaleb(scale))
        if abs(unscaled) >= _EXACT:
            raise _Unsure
        return float(unscaled) * power
    return convert


def _converter(duck: str, arrow: str):
    """The function that makes a DuckDB value of type `duck` what Arrow gives for it once cast
    to `arrow` (None: one this module does not make)."""
    if (duck, arrow) in _SAME:
        return lambda v: v
    decimal = _DECIMAL.match(duck)
    if duck in _INTS and arrow in _INT_RANGES:
        return _in_range(_INT_RANGES[arrow])
    if duck in _INTS and arrow == "double":
        return _int_to_double
    if decimal and arrow == "double" and int(decimal.group(2)) <= 18:
        return _decimal_to_double(int(decimal.group(2)))
    return None


def plain_rows(rel, columns: list | None):
    """The rows of a DuckDB relation as Python values, as `table.cast(schema).to_pylist()` of
    its Arrow table would give them (`columns`: the schema's `columns_text`); None when a type
    or a value is not one this module converts (the caller reads the result with Arrow)."""
    if columns is None or rel.columns != [name for name, _ in columns]:
        return None
    convert = [_converter(str(t), arrow) for t, (_, arrow) in zip(rel.types, columns)]
    if None in convert:
        return None
    names = rel.columns
    try:
        rows = [{n: f(v) for n, f, v in zip(names, convert, row)} for row in rel.fetchall()]
    except _Unsure:
        return None
    return Rows(names, rows)


def store(home: Path, id: str, params: dict[str, str], sql: str, memtables: dict, result) -> None:
    """Keep a computed result's SQL (with the in-memory tables it reads), Arrow schema, meta and
    provenance for later processes."""
    path = entry_path(home, result.build_id, id, params)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"sql": sql, "schema": schema_text(result.table.schema),
            "columns": columns_text(result.table.schema),
            "memtables": {name: table_text(t) for name, t in memtables.items()},
            "memrows": {name: rows_text(t) for name, t in memtables.items()},
            "meta": result.meta, "provenance": result.provenance, "build_id": result.build_id}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_dumps(body), encoding="utf-8")
    os.replace(tmp, path)  # a reader sees the whole entry or none


def _dumps(body) -> str:
    from aiatlas.results import dumps  # (light: the serialiser module imports no engine)

    return dumps(body)


# --- parameter shapes and SQL templates (read here without Ibis; derived in sqltemplate) ---

SAFE_TEXT = re.compile(r"[A-Za-z0-9 _.-]{0,64}\Z")  # free text written into SQL as a literal
_INT_CLASSES = (("int8", 127), ("int16", 2**15 - 1), ("int32", 2**31 - 1), ("int64", 2**63 - 1))


def int_class(value: int) -> str:
    """The integer type Ibis gives a literal of this (non-negative) value: it can decide the
    result's column types, so it is part of a shape."""
    return next(name for name, top in _INT_CLASSES if value <= top)


def slot_kind(decl: dict, value) -> str | None:
    """How a bound value goes into a template: 'int8'..'int64', 'date' or 'text' for a slot,
    None when the value is part of the shape itself (absent, a flag, a declared choice)."""
    kind = decl["type"]
    if value is None or isinstance(value, bool) or decl.get("structural"):
        return None
    if kind == "int" and isinstance(value, int) and value >= 0:
        return int_class(value)
    if kind == "date" and isinstance(value, dt.date):
        return "date"
    if kind == "str" and decl["choices"] is None and isinstance(value, str) and SAFE_TEXT.match(value):
        return "text"
    return None


def shape_key(decls: list[dict], bound: dict) -> str | None:
    """A request's shape: which parameters are given, the exact value of flags and choices,
    the kind of every other value. None: no template can serve it (a float, a negative
    number, free text with characters this module does not write into SQL)."""
    parts = []
    for decl in decls:
        value = bound.get(decl["name"])
        kind = slot_kind(decl, value)
        if kind is not None:
            parts.append([decl["name"], "$" + kind])
        elif value is None or isinstance(value, bool) or decl.get("structural") or (
                isinstance(value, str) and decl["choices"] is not None):
            parts.append([decl["name"], value])
        else:
            return None
    return json.dumps(parts)


def literal(kind: str, value) -> str:
    """A value as the SQL literal Ibis compiles it to on DuckDB."""
    if kind == "date":
        return f"MAKE_DATE({value.year}, {value.month}, {value.day})"
    if kind == "text":
        return f"'{value}'"
    return str(int(value))


def render(parts: list, slots: list, bound: dict) -> str:
    """A template's SQL with the values written in: parts are SQL text or the index of a slot."""
    return "".join(p if isinstance(p, str) else literal(slots[p][1], bound[slots[p][0]])
                   for p in parts)


def statement(parts: list) -> tuple[str, tuple[int, ...]]:
    """A template's SQL with a positional parameter ($1, $2, ...) where each slot's value goes,
    and the slots those parameters take, in order (a slot the SQL never reads takes none)."""
    used = tuple(sorted({p for p in parts if not isinstance(p, str)}))
    number = {slot: n for n, slot in enumerate(used, 1)}
    return "".join(p if isinstance(p, str) else f"${number[p]}" for p in parts), used


def arguments(slots: list, used: tuple[int, ...], bound: dict) -> list[str]:
    """The literals of the values that a `statement`'s parameters take, in order."""
    return [literal(slots[i][1], bound[slots[i][0]]) for i in used]


def templates_dir(home: Path, build_id: str) -> Path:
    """The folder of one build's templates (a rebuild or another version: another one). Each
    file says which package files its templates depend on (`current`), so a code change makes
    only the indicators whose code it touches miss."""
    tag = hashlib.sha256(json.dumps([build_id, aiatlas.__version__]).encode())
    return Path(home) / "cache" / "templates" / tag.hexdigest()[:32]


def write_templates(home: Path, build_id: str, id: str, body: dict) -> None:
    """Merge an indicator's templates into its file of this build (whole file or none)."""
    path = templates_dir(home, build_id) / f"{id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
        # (templates of older code, or compiled by other library versions, are dropped)
        if old["code"] == body["code"] and old.get("libraries") == body.get("libraries"):
            body = {**body, "shapes": {**old["shapes"], **body["shapes"]},
                    "memtables": {**old["memtables"], **body["memtables"]},
                    "memrows": {**old.get("memrows", {}), **body["memrows"]}}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: this body replaces it
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(_dumps(body), encoding="utf-8")
    os.replace(tmp, path)


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def bind_text(decls: list[dict], raw: dict[str, str], values: dict[str, list]) -> dict | None:
    """Parameters as the CLI gives them (text), typed and checked as `Indicator.bind` does;
    None for anything it would refuse or this module is unsure of (the normal path answers,
    with its error when there is one)."""
    if set(raw) - {d["name"] for d in decls}:
        return None
    bound = {}
    for d in decls:
        name, kind = d["name"], d["type"]
        if name not in raw:
            default = d["default"]
            bound[name] = dt.date.fromisoformat(default) if kind == "date" and default else default
            continue
        text = raw[name].strip()
        if kind == "int" and re.fullmatch(r"[0-9]{1,18}", text):
            value = int(text)
        elif kind == "date" and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                return None
        elif kind == "bool" and text.lower() in _TRUE + _FALSE:
            value = text.lower() in _TRUE
        elif kind == "str":
            value = text
        else:
            return None
        if d["choices"] is not None and value not in d["choices"]:
            return None
        if (d["minimum"] is not None and value < d["minimum"]) or (
                d["maximum"] is not None and value > d["maximum"]):
            return None
        if values.get(name) and value not in values[name]:
            return None
        bound[name] = value
    since, until = bound.get("since"), bound.get("until")
    if since is not None and until is not None and since > until:
        return None
    return bound


def label(rows: bool, where: tuple = ()) -> str:
    """A query's prefix of its shapes in the memo and the store: none for values, 'rows
    [where columns] ' for explain's rows (`sqltemplate.Query`)."""
    return "rows " + json.dumps(where) + " " if rows else ""


def template_of(body: dict, params: dict[str, str], *, rows: bool = False
                ) -> tuple[dict, dict] | None:
    """(bound values, stored entry) of a request its indicator's stored templates serve today
    (rows: its explain rows, not narrowed), else None; `body` is the indicator's file."""
    if not current(body):
        return None
    bound = bind_text(body["params"], params, body["values"])
    shape = shape_key(body["params"], bound) if bound is not None else None
    entry = body["shapes"].get(label(rows) + shape) if shape is not None else None
    if entry is None or entry["day"] not in (None, dt.date.today().isoformat()):
        return None
    return bound, entry


def run_template(body: dict, entry: dict, bound: dict, run):
    """A stored template's Arrow result for these values; `run(sql, memtables)` runs the SQL."""
    memtables = {name: read_table(body["memtables"][name]) for name in entry["memtables"]}
    table = run(render(entry["parts"], entry["slots"], bound), memtables)
    return table.cast(read_schema(entry["schema"]))


def template_meta(body: dict, bound: dict, vintage: str = "latest") -> dict:
    """A templated result's meta, as `aiatlas.api` gives it for the same request."""
    shown = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in bound.items()}
    return {**body["describe"], "params": shown, "backend": "duckdb",
            **({"synthetic": True} if body["synthetic"] else {}), "vintage": vintage,
            "data_as_of": body.get("data_as_of")}


def _rows(con, sql: str, names: list[str], body: dict, schema: str, columns: list | None):
    """The result of stored SQL reading the in-memory tables `names` of `body`: its rows
    without Arrow (`plain_rows`) when every table and value allows, else an Arrow table cast to
    the stored schema. A stored file of older code has no plain forms: Arrow reads it."""
    memrows = body.get("memrows") or {}
    if all(memrows.get(name) is not None for name in names):
        for name in names:
            register(con, name, memrows[name])
    else:
        for name in names:
            con.register(name, read_table(body["memtables"][name]))
    rows = plain_rows(con.sql(sql), columns)
    if rows is not None:
        return rows
    return con.sql(sql).to_arrow_table().cast(read_schema(schema))


def _templated(con, home: Path, build_id: str, id: str, params: dict[str, str]):
    """(table, meta, provenance) of a request its indicator's templates answer, else None."""

    path = templates_dir(home, build_id) / f"{id}.json"
    if not path.exists():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    found = template_of(body, params)
    if found is None:
        return None
    bound, entry = found
    table = _rows(con, render(entry["parts"], entry["slots"], bound), entry["memtables"], body,
                  entry["schema"], entry.get("columns"))
    return table, template_meta(body, bound), body["provenance"]


def _entry(con, home: Path, build_id: str, id: str, params: dict[str, str]):
    """(table, meta, provenance) of the request's own stored SQL (`store`), else None."""
    path = entry_path(home, build_id, id, params)
    if not path.exists():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    if body["build_id"] != build_id:
        return None
    table = _rows(con, body["sql"], list(body["memtables"]), body, body["schema"],
                  body.get("columns"))
    return table, body["meta"], body["provenance"]


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
            # the shape's template first, as the normal path reads it (no entry is stored for a
            # shape with one); the request's own SQL needs the hash of the whole package
            answer = (_templated(con, home_dir, row[0], id, params)
                      or _entry(con, home_dir, row[0], id, params))
            if answer is None:
                return False
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - any surprise: the normal path answers (and reports it)
        return False
    table, meta, provenance = answer
    result = Result(meta=meta, table=table, provenance=provenance, build_id=row[0])
    if fmt != "table" and table.num_rows and not meta.get("synthetic"):
        sys.stdout.write(result.text(fmt))  # as write_result does, without loading Rich: its
        return True                         # notes are for no rows and synthetic data only
    from aiatlas.commands._output import write_result

    write_result(result, fmt, None)
    return True
