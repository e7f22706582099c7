"""Compiled SQL per indicator and parameter shape, run without building or compiling Ibis.

A miss costs ~35 ms of Ibis expression building and sqlglot compiling and ~5 ms of DuckDB. A
template is derived once per build, indicator and *shape* (`fastpath.shape_key`: which
parameters are given, the exact flags and choices, the kind of each number, date or text) by
compiling the shape twice, with two sets of made-up values, and is accepted only when

- the indicator's Python code never looked at those values (each is passed as a traced `int`,
  `str` or `date` that records any operation applied to it by code other than Ibis's: a
  comparison, a format, a hash, arithmetic, an attribute), so the expression is the same for
  every value;
- the two SQL texts are the same text once each value's literal is cut out, so every value
  reaches the SQL only as its literal, at the same places.

The template keeps Ibis's SQL flattened when it can (`flattened`: sqlglot's optimizer merges
the nested projections Ibis writes, one subquery per step, so DuckDB binds and plans fewer
operators at every run): the template's SQL is flattened once, with a placeholder where each
value's literal goes (so the flattened text is the same for every value), and kept when it is
no longer than Ibis's for the made-up values and gives Ibis's SQL's result for the request's
own values; otherwise Ibis's text is the template.

Then any value of that shape gives the SQL Ibis would compile: the template with the value's
literal written in (`fastpath.render`), and the result is cast to the Arrow schema Ibis gives.
A shape that fails either test has no template: it takes the Ibis path, which is never wrong.
A query that read the clock (`config.today`) is kept for that day only.

A template depends on the indicator's code (`codefiles`), the versions of the libraries that
make it (`LIBRARIES`) and the columns of the warehouse tables its SQL reads, never on their
rows: another build's stored template of the shape (a rebuild, a vintage) serves this build
when all three are the same (`reused`), so a rebuild of unchanged code derives nothing again.

`explain` uses the same templates (a `Query` with `rows`): the rows behind an indicator's values,
narrowed by equality on `where` columns whose values are slots like the parameters'.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import random
import re
import shutil
import sys
from typing import Any

import duckdb
import ibis
import ibis.expr.operations as ops
import numpy as np
import pyarrow as pa
import sqlglot
from ibis.backends.sql.datatypes import DuckDBType
from sqlglot.optimizer.merge_subqueries import merge_subqueries
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import ensure_schema

from aiatlas import codefiles, config, fastpath
from aiatlas.errors import UsageError
from aiatlas.indicators import registry
from aiatlas.sources.registry import data_as_of
from aiatlas.warehouse.connect import Warehouse


@dataclasses.dataclass(frozen=True)
class Template:
    """One shape's SQL: text parts and slot indexes, the slots (name, kind), the Arrow schema,
    the in-memory tables the SQL reads, the day it holds for (None: every day) and the
    warehouse tables it reads."""

    parts: tuple
    slots: tuple
    schema: pa.Schema
    memtables: dict[str, pa.Table]
    day: str | None
    reads: tuple[str, ...] = ()  # the warehouse tables the SQL reads
    # flattened SQL: the rows it was checked to give as Ibis's SQL does (None: Ibis's own SQL)
    checked: int | None = None

    def sql(self, bound: dict[str, Any]) -> str:
        return fastpath.render(self.parts, self.slots, bound)

    @functools.cached_property
    def statement(self) -> tuple[str, tuple[int, ...]]:
        """The SQL with parameters where the values go, and the slots they take."""
        return fastpath.statement(self.parts)

    def run(self, w: Warehouse, bound: dict[str, Any]) -> pa.Table:
        """The result for these values, cast as Ibis casts: the template prepared once per
        pooled connection and executed with the values, or (a statement the engine cannot
        prepare) the SQL with the values written in."""
        text, used = self.statement
        table = w.prepared(text, fastpath.arguments(self.slots, used, bound), self.memtables)
        if table is None:
            table = w.arrow(self.sql(bound), self.memtables)
        return table.cast(self.schema)


def decls(ind: registry.Indicator) -> list[dict[str, Any]]:
    """The indicator's parameters as data (what the fast path binds without the registry)."""
    return [p.describe() | {"structural": p.structural} for p in ind.params]


WHERE = "where."  # the bound name of a `where` column's value: where.<column>
# a where column's Arrow type -> the type its value is given as (anything else: as given, text)
_WHERE_TYPES = (("int", pa.types.is_integer), ("float", pa.types.is_floating),
                ("float", pa.types.is_decimal), ("bool", pa.types.is_boolean),
                ("date", pa.types.is_date))


@dataclasses.dataclass(frozen=True)
class Query:
    """What a template is the SQL of: an indicator's values, or (rows) the source rows behind
    them that `explain` returns, narrowed by equality on each `where` (column, type) pair."""

    ind: registry.Indicator
    rows: bool = False
    where: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """Its shapes' prefix in the memo and the store: none for values (what the fast path of
        `show` reads), 'rows [where columns] ' for explain's."""
        return fastpath.label(self.rows, self.where)

    def decls(self) -> list[dict[str, Any]]:
        """The parameters, then each where column as a parameter of its type."""
        return decls(self.ind) + [
            {"name": WHERE + col, "type": kind, "default": None, "choices": None,
             "minimum": None, "maximum": None, "structural": False} for col, kind in self.where]

    def expr(self, tables, bound: dict[str, Any]):
        """The Ibis expression of these bound values (where values typed already)."""
        params = {p.name: bound[p.name] for p in self.ind.params}
        if not self.rows:
            return self.ind.func(tables, **params)
        rows = _in_full_order(self.ind.rows(tables, **params), self.ind.grain)
        for col, _ in self.where:
            rows = rows.filter(rows[col] == bound[WHERE + col])
        return rows


def _in_full_order(rows, grain: tuple[str, ...]):
    """Rows a rows function left unordered, ordered by the grain, then by every other plain
    column: explain's rows, and the report's CSV of them, come out the same on every run
    whatever the engine's threads do (a rows function that orders its rows keeps its order)."""
    if isinstance(rows.op(), ops.Sort):
        return rows
    schema = rows.schema()
    keys = [c for c in grain if c in schema] + [c for c, t in schema.items()
                                               if c not in grain and not t.is_nested()]
    return rows.order_by(keys)


def typed_where(schema: pa.Schema, where: dict[str, Any]) -> tuple[tuple, dict[str, Any]]:
    """((column, type) pairs, bound values) of explain's `where` on rows of this schema: a value
    given as text is read as its column's type; an unknown column is a UsageError."""
    pairs, bound = [], {}
    for col, value in sorted(where.items()):
        if col not in schema.names:
            raise UsageError(f"cannot filter explain rows on {col!r} "
                             f"(valid: {', '.join(schema.names)})")
        dtype = schema.field(col).type
        kind = next((k for k, test in _WHERE_TYPES if test(dtype)), "str")
        pairs.append((col, kind))
        bound[WHERE + col] = _typed(kind, dtype, value)
    return tuple(pairs), bound


def _typed(kind: str, dtype: pa.DataType, value):
    """A where value given as text, read as its column's type."""
    if not isinstance(value, str) or kind == "str":
        return value
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value.lower() in ("true", "1", "yes")
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"where value {value!r} is not a valid {dtype}") from None


def narrowed(tables, ind: registry.Indicator, bound: dict[str, Any], where: dict[str, Any]):
    """The Ibis expression of explain's rows narrowed by `where` (the path without a template)."""
    rows = Query(ind, rows=True).expr(tables, bound)
    pairs, values = typed_where(rows.schema().to_pyarrow(), where)
    return Query(ind, rows=True, where=pairs).expr(tables, {**bound, **values})


def lookup(w: Warehouse, q: Query, bound: dict[str, Any], *, derive: str = "again") -> Template | None:
    """The template serving this request, from the handle's memo or the build's stored
    templates, else derived; None when its shape has none. Deriving compiles the shape twice,
    so a shape not stored is derived when it comes back (derive='again'; 'now': at once, as
    the build does; 'never': memo and store only): a shape asked once (a report's one-off
    request) costs one Ibis compile, not three."""
    shape = fastpath.shape_key(q.decls(), bound)
    if shape is None:
        return None
    day = dt.date.today().isoformat()
    key = ("template", q.ind.id, q.label + shape, day)
    found = w.peek(key)
    if found is None:
        found = stored(w, q.ind.id, q.label + shape, day) or reused(w, q.ind.id, q.label + shape, day)
        if found is None and (derive == "never" or derive == "again" and _first_sight(w, key)):
            return None
        found = w.memo(key, lambda: found or _derived(w, q, bound) or False)
    return found or None


def _first_sight(w: Warehouse, key: tuple) -> bool:
    """True the first time this handle is asked for key's shape (then remembered)."""
    made: list = []
    w.memo(("seen", *key), lambda: made.append(True) or True)
    return bool(made)


# --- deriving ------------------------------------------------------------------------------

# Code that may look at a value because it turns it into a literal: Ibis and sqlglot (and
# this module). Any other caller, the indicator's own code first, is recorded as a use.
_LITERAL_MAKERS = ("ibis.", "sqlglot.", __name__)


def _record(value, what: str, caller) -> None:
    module = caller.f_globals.get("__name__", "")
    if not module.startswith(_LITERAL_MAKERS):
        value._uses.append(f"{what} at {module}:{caller.f_lineno}")


def _traced(base: type) -> type:
    """A subclass of base whose methods record being called by code other than Ibis's."""

    def wrap(name: str, original):
        def method(self, *args):
            out = original(self, *args)
            if out is NotImplemented:  # `since <= column`: the column's method does the work
                return out
            _record(self, name, sys._getframe(1))
            return out
        return method

    def wrap_attribute(name: str, descriptor):
        def get(self):
            _record(self, "." + name, sys._getframe(1))
            return descriptor.__get__(self, base)
        return property(get)

    skip = {"__new__", "__init__", "__getattribute__", "__setattr__", "__delattr__",
            "__init_subclass__", "__subclasshook__", "__reduce__", "__reduce_ex__",
            "__getnewargs__", "__sizeof__", "__dir__", "__getstate__", "__class__"}
    space: dict[str, Any] = {}
    for name, attr in vars(base).items():
        if name in skip or isinstance(attr, (classmethod, staticmethod)):
            continue
        kind = type(attr).__name__
        if kind in ("wrapper_descriptor", "method_descriptor"):
            space[name] = wrap(name, attr)
        elif kind in ("getset_descriptor", "member_descriptor"):
            space[name] = wrap_attribute(name, attr)
    return type(f"Traced{base.__name__.title()}", (base,), space)


_TRACED = {"int": _traced(int), "str": _traced(str), "date": _traced(dt.date)}


def _trace(kind: str, value, uses: list) -> Any:
    cls = _TRACED["str" if kind == "text" else "date" if kind == "date" else "int"]
    out = cls(value.year, value.month, value.day) if kind == "date" else cls(value)
    out._uses = uses
    return out


def _made_up(rng: random.Random, decl: dict, kind: str, taken: set):
    """A value of this kind and within the parameter's bounds that is unlikely to be a
    constant of the query itself (a collision only makes the shape refused)."""
    for _ in range(100):
        if kind == "date":
            value = dt.date(rng.randint(1971, 2099), rng.randint(1, 12), rng.randint(13, 28))
        elif kind == "text":
            value = "zq" + "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(8))
        else:
            low = {"int8": 0, "int16": 128, "int32": 2**15, "int64": 2**31}[kind]
            high = {"int8": 127, "int16": 2**15 - 1, "int32": 2**31 - 1, "int64": 2**63 - 1}[kind]
            low = max(low, decl["minimum"] if decl["minimum"] is not None else low)
            high = min(high, decl["maximum"] if decl["maximum"] is not None else high)
            if low > high:
                return None
            # prefer values of several digits: a 1 or a 2 is a constant of many queries
            wide = (max(low, min(high, 100 if kind == "int8" else 1000)), high)
            value = rng.randint(*wide)
        if value not in taken:
            taken.add(value)
            return value
    return None


def _compile(w: Warehouse, q: Query, bound: dict[str, Any]):
    """(sql, in-memory tables, Arrow schema, clock read?, the columns of each table the SQL
    reads) of the query's expression."""
    reads: list = []
    token = config.clock_reads.set(reads)
    try:
        with w.query() as tables:
            expr = q.expr(tables, bound)
            sql = str(tables.con.compile(expr))
    finally:
        config.clock_reads.reset(token)
    memtables = {n.name: n.data.to_pyarrow(n.schema) for n in expr.op().find(ops.InMemoryTable)}
    tables = {t.name: t.schema for t in expr.op().find((ops.DatabaseTable, ops.InMemoryTable))}
    return sql, memtables, expr.schema().to_pyarrow(), bool(reads), tables


FLATTEN_MAX = 32_000  # characters: longer SQL (lag_months_compared's) costs seconds to flatten


def flattened(sql: str, tables: dict[str, Any]) -> str | None:
    """Ibis's SQL with its nested projections merged, the same query for any data; None when
    sqlglot cannot. `tables`: the Ibis schema of each table the SQL reads."""
    try:
        columns = {name: {c: DuckDBType.from_ibis(t) for c, t in schema.items()}
                   for name, schema in tables.items()}
        tree = sqlglot.parse_one(sql, dialect="duckdb")
        unnests = _unnests(tree)
        flat = _flatten(tree, ensure_schema(columns, dialect="duckdb"))
    except Exception:  # noqa: BLE001 - anything sqlglot cannot do: Ibis's SQL is the template
        return None
    # sqlglot drops a column no outer query reads even when it is an UNNEST, which makes the
    # rows: the SQL must keep every one it had
    if _unnests(flat) != unnests:
        return None
    return flat.sql(dialect="duckdb")


_SLOT = "$zqslot{}"  # where a slot's literal goes in the SQL flattened: a placeholder sqlglot keeps
_SLOTS = re.compile(r"\$zqslot(\d+)(?!\d)")


def _flat_parts(parts: list, runs: list, slots: list, tables: dict[str, Any]) -> list | None:
    """The template's parts flattened, or None: when sqlglot cannot, when Ibis's SQL is over
    FLATTEN_MAX, or when the flattened SQL is longer than Ibis's for a run's values (merging
    copies an expression into every place that reads it). The SQL is flattened once, with a
    placeholder where each slot's literal goes, so it is the same for any value (what
    flattening each run's SQL and comparing them once cut proved, at twice the cost).
    runs: (Ibis's SQL, the values written in it) of each run."""
    if any(len(sql) > FLATTEN_MAX for sql, _ in runs):
        return None
    text = flattened("".join(p if isinstance(p, str) else _SLOT.format(p) for p in parts), tables)
    if text is None:
        return None
    flat: list = []  # as `_cut` makes them: text, slot, text, ..., text
    pos = 0
    for m in _SLOTS.finditer(text):
        flat += [text[pos:m.start()], int(m.group(1))]
        pos = m.end()
    flat.append(text[pos:])
    if any(len(fastpath.render(flat, slots, values)) > len(sql) for sql, values in runs):
        return None
    return flat


def _flatten(tree, schema):
    """sqlglot's optimizer rules that flatten Ibis's SQL, run on the tree itself (as
    `optimize(rules=...)` runs them, with the arguments it would give, but without its copy of
    the tree): name every column by its table (a star expanded from the tables' columns), drop
    the columns no outer query reads, then merge each subquery that is only a projection or
    filter into the query around it. Not run: the rules that rewrite expressions (simplify,
    normalize) or reorder joins; DuckDB's own optimizer does those at every run anyway."""
    tree = qualify(tree, dialect="duckdb", schema=schema, isolate_tables=True,
                   quote_identifiers=True, identify=True)
    tree = pushdown_projections(tree, schema=schema, dialect="duckdb")
    return merge_subqueries(tree)


def _unnests(tree) -> int:
    return sum(1 for _ in tree.find_all(sqlglot.exp.Explode, sqlglot.exp.Unnest))


def _same_result(w: Warehouse, a: Template, b: Template, bound: dict[str, Any]) -> int | None:
    """The rows two templates both give (names, types, rows in order the same) for these
    values, else None: a flattened template must give its Ibis SQL's result on the request's
    own values."""
    try:
        got, want = (w.arrow(t.sql(bound), t.memtables) for t in (a, b))
    except duckdb.Error:
        return None
    return got.num_rows if got.equals(want) else None


def _cut(sql: str, slots: list, values: dict[str, Any]) -> list:
    """The SQL as text parts and slot indexes: every literal of a slot's value cut out."""
    texts = {fastpath.literal(kind, values[name]): i for i, (name, kind) in enumerate(slots)}
    if not texts:
        return [sql]
    pattern = "|".join(rf"(?<![\w.$'])({re.escape(t)})(?![\w.'])" if not t.startswith("'")
                       else rf"({re.escape(t)})" for t in texts)
    parts: list = []
    pos = 0
    for m in re.finditer(pattern, sql):
        parts.append(sql[pos:m.start()])
        parts.append(texts[m.group(0)])
        pos = m.end()
    parts.append(sql[pos:])
    return parts


def _derived(w: Warehouse, q: Query, bound: dict[str, Any]) -> Template | None:
    """The template of the request's shape, or None when the shape cannot have one."""
    found, _ = explain_derivation(w, q, bound)
    return found


def explain_derivation(w: Warehouse, q: Query | registry.Indicator,
                       bound: dict[str, Any]) -> tuple[Template | None, str]:
    """(template or None, why) of the request's shape, for tests and the docs' table."""
    q = q if isinstance(q, Query) else Query(q)
    params = q.decls()
    shape = fastpath.shape_key(params, bound)
    if shape is None:
        return None, "a value no template takes (float, negative number or unusual text)"
    slots = [(d["name"], fastpath.slot_kind(d, bound[d["name"]])) for d in params
             if fastpath.slot_kind(d, bound[d["name"]]) is not None]
    rng = random.Random(f"{q.ind.id} {q.label}{shape}")
    runs, uses = [], []
    for _ in range(2 if slots else 1):
        taken: set = set()
        values = {}
        for name, kind in slots:
            decl = next(d for d in params if d["name"] == name)
            values[name] = _made_up(rng, decl, kind, taken)
            if values[name] is None:
                return None, f"no made-up value fits {name}'s bounds"
        traced = {name: _trace(kind, values[name], uses) for name, kind in slots}
        try:
            sql, memtables, schema, clock, tables = _compile(w, q, {**bound, **traced})
        except Exception as e:  # noqa: BLE001 - a value the code refuses: no template, Ibis answers
            return None, f"building with made-up values failed: {type(e).__name__}: {e}"
        runs.append((_cut(sql, slots, values), memtables, schema, clock, sql, values, tables))
    if uses:
        return None, "the indicator's Python code looks at a value: " + "; ".join(sorted(set(uses)))
    if any(r[0] != runs[0][0] for r in runs):
        return None, "the SQL differs between values beyond their literals"
    parts, memtables, schema, clock = runs[0][:4]
    day = dt.date.today().isoformat() if clock else None
    reads = tuple(sorted(n for n in runs[0][6] if n not in memtables))
    template = Template(tuple(parts), tuple(slots), schema, memtables, day, reads)
    # flattened once the template is sure (it takes most of a derivation)
    flat = _flat_parts(parts, [(r[4], r[5]) for r in runs], slots, runs[0][6])
    if flat is not None:
        merged = dataclasses.replace(template, parts=tuple(flat))
        rows = _same_result(w, merged, template, bound)
        if rows is not None:
            return dataclasses.replace(merged, checked=rows), "ok"
    return template, "ok"


# --- the build's store (read by the fast path of a new process too) -----------------------

def save(w: Warehouse, ind: registry.Indicator, templates: dict[str, Template],
         provenance: list[dict[str, Any]], values: dict[str, list]) -> None:
    """Store an indicator's templates (by shape, with its query's label) with what the fast
    path needs to answer."""
    if w.build_id is None or not templates:
        return
    memtables = {n: t for tpl in templates.values() for n, t in tpl.memtables.items()}
    as_of = data_as_of(provenance)  # in the meta of every result a template answers
    body = {"params": decls(ind), "describe": ind.describe(), "provenance": provenance,
            "libraries": LIBRARIES,
            "data_as_of": as_of.isoformat() if as_of else None,
            "synthetic": any(p.get("synthetic") for p in provenance), "values": values,
            "memtables": {n: fastpath.table_text(t) for n, t in memtables.items()},
            "memrows": {n: fastpath.rows_text(t) for n, t in memtables.items()},
            "shapes": {shape: {"parts": list(t.parts), "slots": [list(s) for s in t.slots],
                               "schema": fastpath.schema_text(t.schema),
                               "columns": fastpath.columns_text(t.schema),
                               "memtables": list(t.memtables), "day": t.day,
                               "reads": list(t.reads), "tables": tables_stamp(w, t.reads),
                               "checked": t.checked}
                       for shape, t in templates.items()}}
    files = codefiles.of(ind.func, ind.rows, __name__)
    body["code"] = {"files": files, "sha256": fastpath.code_hash(tuple(files))}
    fastpath.write_templates(w.home, w.build_id, ind.id, body)


def stored(w: Warehouse, id: str, shape: str, day: str) -> Template | None:
    """The build's stored template of this shape (written by `aiatlas build`), if any."""
    if w.build_id is None:
        return None
    return _read(fastpath.templates_dir(w.home, w.build_id) / f"{id}.json", shape, day)


# A template depends on these beside the indicator's code and the tables' columns: Ibis and
# sqlglot write its SQL, DuckDB ran the check that kept it flattened, numpy drew the random
# draws some carry as in-memory tables
LIBRARIES = {"ibis": ibis.__version__, "sqlglot": sqlglot.__version__,
             "duckdb": duckdb.__version__, "numpy": np.__version__}
REUSE_BUILDS = 4  # other builds' stores a missing shape is looked for in, newest first


def reused(w: Warehouse, id: str, shape: str, day: str) -> Template | None:
    """This shape's template from another build's store (a rebuild, a vintage) of the same code
    and libraries, when each warehouse table its SQL reads has the same columns and types in
    this build: deriving it here would give the same SQL. A flattened template is taken only
    when the check that kept it (its rows the same as Ibis's SQL's) compared some rows; it is
    not checked again on this build's rows (sqlglot's merging does not depend on them).
    Looked for once per build handle and shape."""
    return w.memo(("reused", id, shape, day), lambda: _reused(w, id, shape, day) or False) or None


def _reused(w: Warehouse, id: str, shape: str, day: str) -> Template | None:
    if w.build_id is None:
        return None
    own = fastpath.templates_dir(w.home, w.build_id)
    try:
        others = sorted((p for p in own.parent.glob(f"*/{id}.json") if p.parent != own),
                        key=_mtime, reverse=True)[:REUSE_BUILDS]
        for path in others:
            found = _read(path, shape, day, lambda body, entry: (
                body.get("libraries") == LIBRARIES and "reads" in entry
                and entry.get("checked", 0) != 0 and entry.get("tables") is not None
                and entry["tables"] == tables_stamp(w, tuple(entry["reads"]))))
            if found is not None:
                return found
    except (OSError, duckdb.Error):  # the cache folder removed meanwhile, or unreadable
        return None
    return None


def prune(w: Warehouse) -> int:
    """Delete the template folders of all builds but this one and the REUSE_BUILDS others
    written to last (what a rebuild or a vintage may reuse); how many. Without it a home kept
    every build's templates, a few MB each, for ever; a folder deleted is derived again when
    its build is asked."""
    if w.build_id is None:
        return 0
    own = fastpath.templates_dir(w.home, w.build_id)
    try:
        others = sorted((p for p in own.parent.iterdir() if p.is_dir() and p != own),
                        key=_mtime, reverse=True)
    except OSError:  # no templates at all
        return 0
    for folder in others[REUSE_BUILDS:]:
        shutil.rmtree(folder, ignore_errors=True)
    return len(others[REUSE_BUILDS:])


def _mtime(path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def tables_stamp(w: Warehouse, names: tuple[str, ...]) -> str:
    """A hash of these warehouse tables' columns and types (a missing table: none)."""
    columns = w.columns()
    return hashlib.sha256(json.dumps([[n, columns.get(n)] for n in names]).encode()).hexdigest()


def _read(path, shape: str, day: str, usable=None) -> Template | None:
    """The template of this shape in a stored file whose code is unchanged (and which
    usable(body, entry) accepts), for this day; None when there is none or it is unreadable."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        if not fastpath.current(body):
            return None  # its indicator's code changed since: derived again
        entry = body["shapes"].get(shape)
        if entry is None or entry["day"] not in (None, day):
            return None
        if usable is not None and not usable(body, entry):
            return None
        memtables = {n: fastpath.read_table(body["memtables"][n]) for n in entry["memtables"]}
        schema = fastpath.read_schema(entry["schema"])
        return Template(tuple(entry["parts"]), tuple(tuple(s) for s in entry["slots"]), schema,
                        memtables, entry["day"], tuple(entry.get("reads", ())),
                        entry.get("checked"))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None  # none stored, or unreadable: derived again
