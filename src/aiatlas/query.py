"""Answering an indicator on a warehouse handle (what `api.compute` and `api.explain` do once
they have their settings): parameters checked against the build, provenance, the handle's memo,
and the query run from its shape's SQL template (sqltemplate.py) or else built and compiled by
Ibis, which is never wrong."""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aiatlas import sqltemplate
from aiatlas.config import Settings
from aiatlas.errors import DataError, StaleWarehouseError, UsageError
from aiatlas.indicators import registry
from aiatlas.results import Result
from aiatlas.sources.registry import data_as_of, get, sources_for_tables
from aiatlas.warehouse import connect as wh
from aiatlas.warehouse.connect import Warehouse
from aiatlas.warehouse.schema import TABLES


def list_indicators() -> list[dict[str, Any]]:
    """Every registered indicator's metadata, sorted by chapter then id."""
    inds = registry.load_all().values()
    return [i.describe() for i in sorted(inds, key=lambda i: (i.chapter, i.id))]


def compute(settings: Settings, id: str, params: dict[str, Any]) -> Result:
    """One indicator's values for these parameters (validated against its declaration),
    memoised on the build's handle."""
    ind = registry.get(id)
    bound = ind.bind(params)
    w = wh.connect(settings)
    _check_values(w, ind, bound)
    prov = provenance(w, ind)  # first: a missing source is said as such, not as a query error
    table = _values(w, settings.backend, ind, bound)
    return _result(ind, bound, settings, table, prov, w.build_id)


def _values(w: Warehouse, backend: str, ind: registry.Indicator, bound: dict[str, Any]):
    """The indicator's table for these parameters, memoised. Where since/until only narrow
    the rows (`Indicator.years`), a range is cut from the memoised values for every year
    rather than asked of the engine again: a page stepping through years runs one query."""
    every = widened(ind, bound)
    if every is None:
        key = ("compute", ind.id, backend, tuple(sorted(bound.items())))
        return w.memo(key, lambda: _unless_stale(w, _computed, w, backend, ind, bound))
    # the cut is a filter of memoised rows: cheaper to make again than to keep in the memo
    return _in_years(_values(w, backend, ind, every), ind.years, bound["since"], bound["until"])


def widened(ind: registry.Indicator, bound: dict[str, Any]) -> dict[str, Any] | None:
    """The request a year range of these parameters is cut from (since and until dropped), or
    None: the indicator declares no `years`, or the request gives no range."""
    if ind.years is None or (bound.get("since") is None and bound.get("until") is None):
        return None
    return {**bound, "since": None, "until": None}


def _in_years(table: pa.Table, column: str, since: int | None, until: int | None) -> pa.Table:
    """The rows whose `column` lies in [since, until] (inclusive; a null year in no range)."""
    year = table[column]
    keep = pc.is_valid(year)
    if since is not None:
        keep = pc.and_(keep, pc.greater_equal(year, since))
    if until is not None:
        keep = pc.and_(keep, pc.less_equal(year, until))
    return table.filter(keep)


def has_data(settings: Settings, id: str) -> bool:
    """Whether this build holds the data the indicator reads (a snapshot of one of its sources),
    told from the build's snapshot list without running the indicator: a page listing every
    indicator asks it of each. A hand-made warehouse recording no snapshots holds its tables."""
    w = wh.connect(settings)
    try:
        return bool(provenance(w, registry.get(id))) or not w.snapshots
    except DataError:
        return False


def explain(settings: Settings, id: str, params: dict[str, Any], where: dict[str, Any]) -> Result:
    """The source rows behind an indicator's values, narrowed to one value by `where`
    (column -> value, a value given as text read as its column's type)."""
    ind = registry.get(id)
    if ind.rows is None:
        raise UsageError(f"indicator {id!r} has no row-level explanation")
    bound = ind.bind(params)
    w = wh.connect(settings)
    _check_values(w, ind, bound)
    prov = provenance(w, ind)
    key = ("explain", id, settings.backend, tuple(sorted(bound.items())),
           tuple(sorted(where.items())))
    table = w.memo(key, lambda: _unless_stale(w, _explained, w, settings.backend, ind, bound, where))
    return _result(ind, bound, settings, table, prov, w.build_id, where=where)


def _unless_stale(w: Warehouse, make, *args):
    """make(*args), unless it fails on a warehouse an older aiatlas built (a declared column
    missing): that is said as such, with what to do, instead of as the engine's error."""
    try:
        return make(*args)
    except Exception:
        missing = stale_column(w)
        if missing is not None:
            raise StaleWarehouseError(missing) from None
        raise


def stale_column(w: Warehouse) -> str | None:
    """The first declared column (table.column) that a table of this warehouse lacks, or None."""
    have = {(t, c) for t, cols in w.columns().items() for c, _ in cols}
    return next((f"{t}.{c.name}" for t, cols in TABLES.items() if t in w.tables
                 for c in cols if (t, c.name) not in have), None)


def _computed(w: Warehouse, backend: str, ind: registry.Indicator, bound: dict[str, Any]):
    """An indicator's table: from its SQL template when its parameters' shape has one (no
    Ibis at all), else built and compiled by Ibis."""
    q = sqltemplate.Query(ind)
    template = sqltemplate.lookup(w, q, bound) if backend == "duckdb" else None
    if template is not None:
        return template.run(w, bound)
    return run(w, backend, lambda t: q.expr(t, bound))


def _explained(w: Warehouse, backend: str, ind: registry.Indicator, bound: dict[str, Any],
               where: dict[str, Any]):
    """Explain's rows: from the template of the rows' shape, narrowed by where, when there is
    one, else built and compiled by Ibis. With `where`, its values are typed by the schema of
    the rows' own template, so only one already at hand (memo or store) is used."""
    base = sqltemplate.Query(ind, rows=True)
    template = None
    if backend == "duckdb":
        template = sqltemplate.lookup(w, base, bound, derive="never" if where else "again")
    if template is not None and where:
        pairs, values = sqltemplate.typed_where(template.schema, where)
        bound = {**bound, **values}
        template = sqltemplate.lookup(w, sqltemplate.Query(ind, rows=True, where=pairs), bound)
    if template is not None:
        return template.run(w, bound)
    return run(w, backend, lambda t: sqltemplate.narrowed(t, ind, bound, where))


def run(w: Warehouse, backend: str, expr_of) -> pa.Table:
    """Build the Ibis expression `expr_of(tables)` on a pooled connection and run it."""
    if backend == "pyspark":
        return expr_of(wh.Tables(w.spark(), w.tables)).to_pyarrow()
    with w.query() as tables:
        return expr_of(tables).to_pyarrow()


def provenance(w: Warehouse, ind: registry.Indicator) -> list[dict[str, Any]]:
    """Snapshots of the sources that feed the indicator's tables (read once per build).

    A source that says what its absence means (live API aggregates, never in the mirror) and
    has no snapshot in this build makes the result an error, never an empty table.
    """

    wanted = set(sources_for_tables(ind.sources))
    if "curated_facts" in ind.sources:  # curated YAML files are recorded as source "curated"
        wanted.add("curated")
    if "hardware" in ind.sources:  # the cited chip supplement fills figures Epoch lacks
        wanted.add("chip_supplement")
    rows = [dict(r) for r in w.snapshots if r["source"] in wanted]
    for r in rows if ind.joins else ():  # read only to join names: dates no value
        try:
            fed = set(get(r["source"]).tables) & set(ind.sources)
        except UsageError:  # curated records and the chip supplement are not fetched sources
            continue
        if fed and fed <= set(ind.joins):
            r["role"] = "joined"
    for missing in sorted(sources_for_tables(ind.sources) - {r["source"] for r in rows}):
        if get(missing).absent:
            err = DataError(f"{ind.id}: source {missing} has no snapshot in this build",
                            hint=get(missing).absent)
            err.source = missing  # a reader's page says in words what would add it
            raise err
    return rows


def _check_values(w: Warehouse, ind: registry.Indicator, bound: dict[str, Any]) -> None:
    """A parameter that names data (a benchmark, an Arena category, a fact's subject) must name
    something this build holds; the distinct values are read once per build."""
    for p in ind.params:
        value = bound.get(p.name)
        if p.values_from is None or value is None:
            continue
        table, column = p.values_from
        valid = distinct(w, p.values_from)
        if valid and value not in valid:  # (an empty table gives an empty result anyway)
            shown = ", ".join(map(str, valid[:50])) + (f" ... ({len(valid)} in all)" if len(valid) > 50 else "")
            raise UsageError(f"parameter {p.name}={value!r} matches no {table}.{column} in this "
                             f"build", hint=f"valid: {shown}")


def distinct(w: Warehouse, values_from: tuple[str, str]) -> list[Any]:
    """The distinct non-null values of table.column, read once per build handle."""
    table, column = values_from
    return w.memo(("values", table, column), lambda: [r["v"] for r in w.sql(
        f'SELECT DISTINCT "{column}" AS v FROM "{table}" WHERE "{column}" IS NOT NULL ORDER BY 1')])


def _result(ind: registry.Indicator, bound: dict[str, Any], settings: Settings, table,
            prov: list[dict[str, Any]], build_id: str | None, **meta) -> Result:
    meta = ind.describe() | {"params": _jsonable(bound), **meta, "backend": settings.backend}
    # `synthetic: True` when any input was synthetic (never shown as fact); `vintage` is the
    # as-of date of a vintage build, or 'latest'
    if any(p.get("synthetic") for p in prov):
        meta["synthetic"] = True
    meta["vintage"] = settings.as_of.isoformat() if settings.as_of else "latest"
    # the date the data runs to, travelling with the rows (a year after it is partial)
    as_of = data_as_of(prov)
    meta["data_as_of"] = as_of.isoformat() if as_of else None
    return Result(meta=meta, table=table, provenance=prov, build_id=build_id)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()}
