"""Coverage of the model identity: share of MMLU / GPQA Diamond rows and top-20 Arena models that
resolve to a country and an openness class (target >= 95%). Prints one table.

Fetches the mirror into a temporary data home, builds the warehouse, then re-runs the identity
step on it to time it.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent


def _mirror() -> Path:
    return Path(os.environ.get("AIATLAS_MIRROR") or REPO.parent / "shared" / "data")


def _warehouse(home: Path) -> duckdb.DuckDBPyConnection:
    """A writable connection to a warehouse freshly built from the mirror in `home`."""
    from aiatlas import api
    from aiatlas.config import settings

    api.fetch(mirror=str(_mirror()), home=home)
    api.build(home=home)
    return duckdb.connect(str(settings(home=home).warehouse_path))


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from aiatlas.entities.models import IDENTITY_INPUTS, coverage, model_identity_rows

    with tempfile.TemporaryDirectory(prefix="aiatlas-bench-") as tmp:
        con = _warehouse(Path(tmp))
        inputs = {t: con.sql(f'SELECT * FROM "{t}"').to_arrow_table().to_pylist()
                  for t in IDENTITY_INPUTS}
        start = time.perf_counter()  # the build's identity step, on the rows it is given
        model_identity_rows(**inputs)
        secs = time.perf_counter() - start
        cov = coverage(con)
        keys = con.execute("SELECT rule, count(*) FROM model_keys GROUP BY rule ORDER BY 2 DESC").fetchall()
        con.close()
    table = Table(title=f"model identity coverage (target >= {cov['target']:.0%})")
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
