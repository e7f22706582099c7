"""Filling the fast path of `aiatlas show` (`aiatlas.fastpath`): a computed request's SQL
stored, and the build's SQL templates (`aiatlas.sqltemplate`) written for new processes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import ibis.expr.operations as ops

from aiatlas import fastpath, query, sqltemplate
from aiatlas.config import settings as make_settings
from aiatlas.errors import AiatlasError
from aiatlas.indicators import registry
from aiatlas.results import Result
from aiatlas.warehouse import connect as wh


def remember(id: str, params: dict[str, str], result: Result, *, home=None) -> None:
    """Keep a DuckDB result's SQL for the fast path of later `aiatlas show` processes
    (`aiatlas.fastpath`): its shape's template, which serves any value of that shape, or else
    the request's own compiled SQL; skipped when the warehouse was swapped since."""
    settings = make_settings(home=home)
    if result.build_id is None or result.meta.get("backend") != "duckdb" or settings.as_of:
        return
    ind = registry.get(id)
    bound = ind.bind(params)
    w = wh.connect(settings)
    if w.build_id != result.build_id:
        return
    found = _templates(w, [(sqltemplate.Query(ind), bound)])
    _save(w, ind, found, result.provenance)
    if not found:
        _store_sql(w, ind, params, bound, result)


def _store_sql(w: wh.Warehouse, ind: registry.Indicator, params: dict[str, str],
               bound: dict[str, Any], result: Result) -> None:
    """Keep the request's own compiled SQL (a shape with no template)."""
    with w.query() as tables:
        expr = ind.func(tables, **bound)
        sql = str(tables.con.compile(expr))
    # in-memory tables (e.g. country names) are not in the file: the entry carries their rows
    memtables = {n.name: n.data.to_pyarrow(n.schema) for n in expr.op().find(ops.InMemoryTable)}
    if w.build_id == result.build_id:
        fastpath.store(w.home, ind.id, params, sql, memtables, result)


def _templates(w: wh.Warehouse, requests: list[tuple[sqltemplate.Query, dict[str, Any]]]
               ) -> dict[str, sqltemplate.Template]:
    """The templates of these (bound) requests' shapes, by stored shape key; derived at once
    (each shape once: the handle's memo keeps it, and the requests then run from it)."""
    found = {}
    for q, bound in requests:
        template = sqltemplate.lookup(w, q, bound, derive="now")
        if template is not None:
            found[q.label + fastpath.shape_key(q.decls(), bound)] = template
    return found


def _save(w: wh.Warehouse, ind: registry.Indicator, found: dict[str, sqltemplate.Template],
          provenance: list[dict[str, Any]]) -> None:
    """Write an indicator's templates to the build's store, with what the fast path needs."""
    values = {p.name: list(query.distinct(w, p.values_from))
              for p in ind.params if p.values_from is not None}
    sqltemplate.save(w, ind, found, provenance, values)


def keep(id: str, params: dict[str, Any], result: Result, *, home=None, as_of=None) -> None:
    """Store the templates of a request's shape, of its values and of its explain rows, on the
    build (or vintage) that answered it, so the next process answers that shape with DuckDB
    alone: what `aiatlas.lookup` does when the engine had to answer the claims checker."""
    if result.build_id is None or result.meta.get("backend") != "duckdb":
        return
    ind = registry.get(id)
    bound = ind.bind(params)
    w = wh.connect(make_settings(home=home, as_of=as_of))
    if w.build_id != result.build_id:
        return
    requests = [(sqltemplate.Query(ind), bound)]
    if ind.rows is not None:
        requests.append((sqltemplate.Query(ind, rows=True), bound))
    _save(w, ind, _templates(w, requests), result.provenance)


def _also(w: wh.Warehouse, ind: registry.Indicator, wanted: list[tuple[dict[str, Any], dict | None]]
          ) -> list[tuple[sqltemplate.Query, dict[str, Any]]]:
    """The (query, bound values) of requests given as (parameters, where); one whose parameters
    the indicator refuses is skipped (its request fails the same way when made)."""
    out: list[tuple[sqltemplate.Query, dict[str, Any]]] = []
    for params, where in wanted:
        try:
            bound = ind.bind(params)
        except AiatlasError:
            continue
        if where is None:  # and the request a year range is cut from, which the engine runs
            out += [(sqltemplate.Query(ind), b) for b in (bound, query.widened(ind, bound))
                    if b is not None]
            continue
        if ind.rows is None:
            continue
        rows = sqltemplate.Query(ind, rows=True)
        out.append((rows, bound))
        base = sqltemplate.lookup(w, rows, bound, derive="now") if where else None
        if base is None:
            continue
        try:  # where's values are typed by the rows' own schema, as explain does
            pairs, values = sqltemplate.typed_where(base.schema, where)
        except AiatlasError:
            continue
        out.append((sqltemplate.Query(ind, rows=True, where=pairs), {**bound, **values}))
    return out


# Choice parameters whose every value a build stores a shape for: the normalised views and the
# comparison group (what the country profile and compare ask for).
STORED_CHOICES = ("per", "share_of", "group")


def common_requests(ind: registry.Indicator) -> list[dict[str, Any]]:
    """The requests whose shapes a build stores: the defaults, since, since with until, and
    each value of the STORED_CHOICES parameters."""
    out: list[dict[str, Any]] = [{}]
    kinds = {p.name: p.type for p in ind.params}
    if "since" in kinds and "until" in kinds:
        a, b = (2020, 2024) if kinds["since"] is int else (dt.date(2020, 1, 1), dt.date(2024, 12, 31))
        out += [{"since": a}, {"since": a, "until": b}]
    out += [{p.name: c} for p in ind.params if p.name in STORED_CHOICES
            for c in p.choices or () if c != p.default]
    return out


def precompile(*, home=None, also: Iterable[tuple[str, dict[str, Any], dict | None]] = (),
               progress: Callable[[str, int, int], None] | None = None) -> int:
    """Store the templates of every indicator's common shapes and of the rows behind its default
    (`explain`), so the first `aiatlas show ID` in a new process, with default or simple
    parameters, is fast, and so are a new process's explain and compute of the defaults; a
    default request with no template keeps its own SQL. `also`: more requests whose shapes to
    store, as (indicator, parameters, where) with where None for the values, else the rows
    narrowed by it (`aiatlas.report.needs`: every request of a report). Templates are derived
    first, so the default request then runs from its template, not compiled a third time. An
    indicator none of whose sources the build read (a home fetched in part) is skipped: it
    answers nothing. `progress(label, done, total)` is told of each indicator before it is
    stored. Then only the REUSE_BUILDS other builds' templates written to last are kept
    (`sqltemplate.prune`). Returns how many indicators were stored."""
    stored = 0
    settings = make_settings(home=home, backend="duckdb")
    w = wh.connect(settings)
    wanted: dict[str, list[tuple[dict[str, Any], dict | None]]] = {}
    for id, params, where in also:
        wanted.setdefault(id, []).append((params, where))
    indicators = list(registry.load_all().values())
    for done, ind in enumerate(indicators):
        if progress is not None:
            progress(f"SQL templates: {ind.id}", done, len(indicators))
        try:
            # a source this build lacks: `show` says so when asked (provenance raises); none of
            # them read at all: every answer is empty, not worth seconds of deriving (a
            # hand-made warehouse that records no snapshots is compiled as before)
            if not query.provenance(w, ind) and w.snapshots:
                continue
            requests = [(sqltemplate.Query(ind), ind.bind(r)) for r in common_requests(ind)]
            if ind.rows is not None:
                requests.append((sqltemplate.Query(ind, rows=True), ind.bind({})))
            requests += _also(w, ind, wanted.get(ind.id, []))
            found = _templates(w, requests)
            result = query.compute(settings, ind.id, {})
            if result.build_id != w.build_id:
                continue  # swapped meanwhile: the next build stores its own
            _save(w, ind, found, result.provenance)
            if fastpath.shape_key(sqltemplate.decls(ind), ind.bind({})) not in found:
                _store_sql(w, ind, {}, ind.bind({}), result)
            stored += 1
        except AiatlasError:
            continue
    sqltemplate.prune(w)  # (after this build took from the others what it could)
    return stored
