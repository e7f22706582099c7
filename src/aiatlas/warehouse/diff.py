"""Row-level differences between two builds (vintages or the current warehouse), table by table."""
from __future__ import annotations

import json
from typing import Any

import duckdb

from aiatlas.config import Settings
from aiatlas.warehouse.schema import TABLES

# The columns that name a row of a table across builds. A table not listed here (or whose key
# turns out not to be unique in a build) is compared whole rows: added and removed, no "changed".
KEYS: dict[str, tuple[str, ...]] = {
    "models": ("model_id",), "frontier_models": ("model_id",), "large_scale_models": ("model_id",),
    "model_organizations": ("model_id", "position"), "model_countries": ("model_id", "position"),
    "hardware": ("hardware_id",), "gpu_clusters": ("cluster_id",),
    "model_versions": ("model_version",), "arena_models": ("arena_key",),
    "arena_ratings": ("date", "arena_key", "category"), "model_identity": ("model_id",),
    "model_keys": ("source", "key"), "benchmarks": ("benchmark",), "curated_facts": ("id",),
    "data_centers": ("handle",), "ai_companies": ("name",),
}
# Where a row came from inside its file, not what it says: a re-export that moves rows around
# is not a change.
BOOKKEEPING = {"file", "row", "source_file", "source_sha256"}
LABELS = ("name", "arena_key", "model_version", "key")  # shown beside a key, when the table has one
DETAIL_LIMIT = 500  # rows listed per table and kind by default; the counts are always complete


def diff_tables(a: Settings, b: Settings, tables: list[str] | None = None,
                limit: int = DETAIL_LIMIT) -> list[dict[str, Any]]:
    """Per data table: rows in A and B, and the rows added, removed and changed from A to B."""
    con = duckdb.connect()
    try:
        for alias, s in (("a", a), ("b", b)):
            path = str(s.warehouse_path).replace("'", "''")
            con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
        present = {alias: {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?",
            [alias]).fetchall()} for alias in ("a", "b")}
        names = tables or [t for t in TABLES if not t.startswith("_")]
        return [_one(con, t, present, limit) for t in names if t in present["a"] | present["b"]]
    finally:
        con.close()


def _one(con, table: str, present: dict[str, set], limit: int) -> dict[str, Any]:
    """The difference of one table between the attached builds a and b."""
    cols = [c.name for c in TABLES[table]]
    for alias in ("a", "b"):  # a table new in this version of aiatlas is empty in the older build
        if table not in present[alias]:
            con.execute(f"CREATE TEMP TABLE IF NOT EXISTS empty_{table} AS "
                        f"SELECT * FROM {'b' if alias == 'a' else 'a'}.\"{table}\" LIMIT 0")
    ref = {alias: (f'{alias}."{table}"' if table in present[alias] else f"temp.empty_{table}")
           for alias in ("a", "b")}
    n = {alias: con.execute(f"SELECT count(*) FROM {ref[alias]}").fetchone()[0] for alias in ref}
    # builds of different aiatlas versions: compare the columns both hold, and name the others
    have = {alias: [d[0] for d in con.execute(f"SELECT * FROM {ref[alias]} LIMIT 0").description]
            for alias in ref}
    cols = [c for c in cols if c in have["a"] and c in have["b"]]
    key = list(KEYS.get(table, ()))
    if key and not (set(key) <= set(cols) and all(_unique(con, ref[alias], key) for alias in ref)):
        key = []
    out = {"table": table, "key": key, "rows_a": n["a"], "rows_b": n["b"],
           "columns_only_in_a": [c for c in have["a"] if c not in have["b"]],
           "columns_only_in_b": [c for c in have["b"] if c not in have["a"]]}
    label = next((c for c in LABELS if c in cols and c not in key), None)
    shown = key + ([label] if label else [])
    compared = [c for c in cols if c not in BOOKKEEPING]
    if not key:  # whole rows: what is in one build and not the other, duplicates counted
        sel = ", ".join(f'"{c}"' for c in compared)
        for kind, (x, y) in (("added", ("b", "a")), ("removed", ("a", "b"))):
            q = f"SELECT {sel} FROM {ref[x]} EXCEPT ALL SELECT {sel} FROM {ref[y]}"
            out[kind] = con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
            out[f"{kind}_rows"] = _rows(con, f"{q} LIMIT {limit}")
        out["changed"], out["changed_rows"] = 0, []
        return out
    on = " AND ".join(f'a."{k}" IS NOT DISTINCT FROM b."{k}"' for k in key)
    keys_of = lambda alias: ", ".join(f'{alias}."{c}"' for c in shown)  # noqa: E731
    for kind, (x, y) in (("added", ("b", "a")), ("removed", ("a", "b"))):
        q = (f"SELECT {keys_of(x)} FROM {ref[x]} {x} WHERE NOT EXISTS "
             f"(SELECT 1 FROM {ref[y]} {y} WHERE {on})")
        out[kind] = con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
        out[f"{kind}_rows"] = _rows(con, f"{q} ORDER BY ALL LIMIT {limit}")
    values = [c for c in compared if c not in key]
    flags = ", ".join(f"CASE WHEN a.\"{c}\" IS DISTINCT FROM b.\"{c}\" THEN '{c}' END"
                      for c in values) or "NULL"
    q = (f"SELECT {keys_of('b')}, list_filter([{flags}], lambda x: x IS NOT NULL) AS changed, "
         f"to_json(a) AS before, to_json(b) AS after "
         f"FROM {ref['a']} a JOIN {ref['b']} b ON {on}")
    q = f"SELECT * FROM ({q}) WHERE len(changed) > 0"
    out["changed"] = con.execute(f"SELECT count(*) FROM ({q})").fetchone()[0]
    rows = _rows(con, f"{q} ORDER BY ALL LIMIT {limit}") if values else []
    for r in rows:  # only the columns that changed, as (before, after)
        before, after = json.loads(r.pop("before")), json.loads(r.pop("after"))
        r["changes"] = {c: [before.get(c), after.get(c)] for c in r.pop("changed")}
    out["changed_rows"] = rows
    return out


def _unique(con, ref: str, key: list[str]) -> bool:
    cols = ", ".join(f'"{k}"' for k in key)
    return con.execute(f"SELECT count(*) = count(DISTINCT ({cols})) FROM {ref}").fetchone()[0]


def _rows(con, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
