"""How much of the benchmark and Arena data resolves to a model with a country and an openness class."""
from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa

from aiatlas.warehouse.connect import Tables

SOURCES = ("model_version", "benchmark_name", "arena")
TARGET = 0.95
COVERAGE_BENCHMARKS = ("mmlu", "gpqa_diamond")


def identified_keys(t) -> ibis.Table:
    """model_keys with the identity attributes and `resolved` = has a country and an openness class."""
    k, i = t.model_keys, t.model_identity
    j = k.left_join(i, k.model_id == i.model_id).select(
        k.source, k.key, k.model_id, k.rule, k.occurrences, i.name, i.organization, i.country,
        i.openness, i.openness_source)
    return j.mutate(resolved=j.country.notnull() & j.openness.notnull() & (j.openness != "unknown"))


def unmatched(t, source: str | None = None) -> ibis.Table:
    """Source names that do not resolve to a model with a country and an openness class."""
    j = identified_keys(t)
    j = j.filter(j.source.isin(SOURCES) & ~j.resolved)
    if source:
        j = j.filter(j.source == source)
    missing = ibis.cases((j.model_id.isnull(), "model"), (j.country.isnull(), "country"),
                         else_="openness")
    return j.select(j.source, j.key, j.occurrences, missing=missing, model_id=j.model_id) \
        .order_by([ibis.desc("occurrences"), "source", "key"])


def benchmark_keyed(t) -> ibis.Table:
    """benchmark_scores with the (source, key) it resolves through: model version, else display name."""
    b = t.benchmark_scores
    return b.mutate(key_source=ibis.ifelse(b.model_version.notnull(), "model_version", "benchmark_name"),
                    key=b.model_version.coalesce(b.name))


def arena_top(t, top: int = 20, category: str = "overall") -> ibis.Table:
    """Distinct Arena keys that ranked within `top` on at least one date of the category."""
    a = t.arena_ratings
    a = a.filter((a.category == category) & a.rating.notnull())
    a = a.mutate(rank=ibis.rank().over(group_by=[a.date], order_by=ibis.desc(a.rating)) + 1)
    return a.filter(a.rank <= top).select("arena_key").distinct()


def measure_tables(t) -> ibis.Table:
    """One row per coverage target: total, resolved, share."""
    ids = identified_keys(t)
    b = benchmark_keyed(t)
    b = b.filter(b.benchmark.isin(COVERAGE_BENCHMARKS))
    bj = b.left_join(ids, (b.key_source == ids.source) & (b.key == ids.key))
    bench = bj.group_by(target=bj.benchmark + " score rows").aggregate(
        total=bj.count(), resolved=bj.resolved.fill_null(False).cast("int64").sum())
    top = arena_top(t)
    aids = ids.filter(ids.source == "arena")
    aj = top.left_join(aids, top.arena_key == aids.key)
    arena = aj.aggregate(total=aj.count(), resolved=aj.resolved.fill_null(False).cast("int64").sum()) \
        .mutate(target=ibis.literal("arena models ever in a date's top 20"))
    out = bench.union(arena.select("target", "total", "resolved"))
    return out.mutate(share=out.resolved.cast("float64") / out.total).order_by("target")


# The tables measure_tables reads, and its SQL (with the result's schema) compiled for each
# shape of them: every build measures, and compiling was half of a small build's time.
INPUTS = ("model_keys", "model_identity", "benchmark_scores", "arena_ratings")
_compiled: dict[tuple, tuple[str, pa.Schema]] = {}


def measure(con) -> dict[str, Any]:
    """Coverage figures from a raw DuckDB connection (the build's), as plain rows."""
    shape = tuple(con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND database_name = current_database() AND list_contains($1, table_name) "
        "ORDER BY table_name, column_index", [list(INPUTS)]).fetchall())
    if shape not in _compiled:
        expr = measure_tables(Tables(ibis.duckdb.from_connection(con)))
        _compiled[shape] = (str(expr.compile()), expr.schema().to_pyarrow())
    sql, schema = _compiled[shape]
    rows = con.sql(sql).to_arrow_table().cast(schema).to_pylist()
    return {"target": TARGET, "rows": rows,
            "met": all(r["share"] is not None and r["share"] >= TARGET for r in rows)}
