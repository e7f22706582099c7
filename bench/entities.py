"""Coverage of the model identity: share of MMLU / GPQA Diamond rows and top-20 Arena models that
resolve to a country and an openness class (target >= 95%). Prints one table.

Uses a warehouse built from the mirror when the build works; otherwise (before the `data` branch
lands) the stand-in loader in bench/_raw_tables.py.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parent.parent


def _mirror() -> Path:
    return Path(os.environ.get("AIATLAS_MIRROR") or REPO.parent / "shared" / "data")


def _warehouse() -> tuple[duckdb.DuckDBPyConnection, str]:
    """A DuckDB connection holding the identity inputs, and how it was made."""
    try:
        from aiatlas import api
        from aiatlas.config import settings

        home = Path(tempfile.mkdtemp(prefix="aiatlas-bench-"))
        api.fetch(mirror=str(_mirror()), home=home)
        api.build(home=home)
        con = duckdb.connect(str(settings(home=home).warehouse_path))
        return con, "warehouse built from the mirror"
    except (ImportError, NotImplementedError, AttributeError) as e:
        import _raw_tables

        from aiatlas.warehouse import schema

        con = duckdb.connect()
        for table, rows in _raw_tables.load(_mirror()).items():
            con.execute(schema.create_sql(table))
            cols = [c.name for c in schema.TABLES[table]]
            con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in cols)})',
                            [[r.get(c) for c in cols] for r in rows])
        return con, f"stand-in raw loader (build unavailable: {type(e).__name__})"


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from aiatlas.entities.models import build_identity

    con, how = _warehouse()
    start = time.perf_counter()
    cov = build_identity(con)
    secs = time.perf_counter() - start
    keys = con.execute("SELECT rule, count(*) FROM model_keys GROUP BY rule ORDER BY 2 DESC").fetchall()
    table = Table(title=f"model identity coverage (target >= {cov['target']:.0%}; {how})")
    for col in ("target", "total", "resolved", "share", "met"):
        table.add_column(col)
    for r in cov["rows"]:
        table.add_row(r["target"], str(r["total"]), str(r["resolved"]), f"{r['share']:.1%}",
                      "yes" if r["share"] >= cov["target"] else "NO")
    console = Console()
    console.print(table)
    console.print("keys by rule: " + ", ".join(f"{rule}={n}" for rule, n in keys))
    console.print(f"identity step took {secs:.2f} s")


if __name__ == "__main__":
    main()
