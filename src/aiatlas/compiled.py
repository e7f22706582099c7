"""Filling the fast path of `aiatlas show` (`aiatlas.fastpath`): a computed request's SQL stored."""
from __future__ import annotations

import ibis.expr.operations as ops

from aiatlas import api, fastpath
from aiatlas.config import settings as make_settings
from aiatlas.errors import AiatlasError
from aiatlas.indicators import registry
from aiatlas.results import Result
from aiatlas.warehouse import connect as wh


def remember(id: str, params: dict[str, str], result: Result, *, home=None) -> None:
    """Store a DuckDB result's compiled SQL for the fast path of later `aiatlas show` processes
    (`aiatlas.fastpath`); skipped when the warehouse was swapped since the result was computed."""
    settings = make_settings(home=home)
    if result.build_id is None or result.meta.get("backend") != "duckdb" or settings.as_of:
        return
    ind = registry.get(id)
    bound = ind.bind(params)
    w = wh.connect(settings)
    with w.query() as tables:
        expr = ind.func(tables, **bound)
        sql = str(tables.con.compile(expr))
    # in-memory tables (e.g. country names) are not in the file: the entry carries their rows
    memtables = {n.name: n.data.to_pyarrow(n.schema) for n in expr.op().find(ops.InMemoryTable)}
    if w.build_id == result.build_id:
        fastpath.store(settings.home, id, params, sql, memtables, result)


def precompile(*, home=None) -> int:
    """Store every indicator's default request for the fast path (`aiatlas build` does, so the
    first `aiatlas show ID` in a new process is fast too); returns how many were stored."""
    stored = 0
    for ind in registry.load_all().values():
        try:
            remember(ind.id, {}, api.compute(ind.id, home=home, backend="duckdb"), home=home)
            stored += 1
        except AiatlasError:  # e.g. a source this build lacks: `show` says so when asked
            continue
    return stored
