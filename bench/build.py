"""Benchmark: fetch from the mirror + build from scratch, a no-op rebuild, against DuckDB's floor.

The floor is DuckDB reading the same snapshot files alone (read_csv / read_json into tables),
measured in the same run. Target: full build <= 3x the floor and < 5 s. Vintages: a second
build beside the current one (`build --as-of`) < 1.5x a plain build; `diff` of two vintages'
tables < 1 s (the headline comparison, which computes and explains each headline on both
builds, is shown beside it).
Usage: python bench/build.py [--mirror DIR] [--skip-vintages] [--skip-cli]  (--help)
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from aiatlas import api, compiled
from aiatlas.report.changes import headline_changes
from aiatlas.sources import registry

REPO = Path(__file__).resolve().parent.parent


def timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - start, out


def warm_up() -> None:
    """Load what a build imports (pyarrow pulls in pandas, pycountry loads its database) once."""
    import pandas  # noqa: F401

    from aiatlas.sources.countries import iso3
    from aiatlas.warehouse import build  # noqa: F401

    iso3("Korea (Republic of)")


def floor(home: Path) -> tuple[float, int]:
    """Seconds for DuckDB to read every file the build reads into tables, and the file count."""
    files = [p for s in registry.built_sources()
             for p in sorted((home / "snapshots" / s.id).glob("*/*")) if p.name != "manifest.json"]
    con = duckdb.connect()
    start = time.perf_counter()
    for i, path in enumerate(files):
        reader = "read_json" if path.suffix == ".json" else "read_csv"
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {reader}(?)", [str(path)])
    return time.perf_counter() - start, len(files)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mirror", default=os.environ.get("AIATLAS_MIRROR") or str(REPO.parent / "shared" / "data"),
                        help="data mirror to fetch from (default: $AIATLAS_MIRROR, else ../shared/data)")
    parser.add_argument("--skip-vintages", action="store_true",
                        help="skip the vintage builds, diff and headline comparison")
    parser.add_argument("--skip-cli", action="store_true",
                        help="skip the cold `aiatlas build` CLI process (which also stores the SQL templates)")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    t_vintage = t_april = t_diff = t_heads = t_cli = 0.0
    t_import, _ = timed(warm_up)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        t_fetch, _ = timed(api.fetch, mirror=args.mirror, home=home)
        t_build, result = timed(api.build, home=home)
        t_noop, again = timed(api.build, home=home)
        assert again["skipped"], "the second build should have been a no-op"
        t_floor, n_files = floor(home)
        (home / "warehouse.duckdb").unlink()  # a second plain build, warm like the vintages
        t_plain, _ = timed(api.build, home=home)
        t_store, n_stored = timed(compiled.precompile, home=home)  # what `aiatlas build` adds
        (home / "warehouse.duckdb").unlink()  # a rebuild of the same code: its templates reused
        timed(api.build, home=home)
        t_reuse, _ = timed(compiled.precompile, home=home)
        if not args.skip_vintages:
            t_vintage, _ = timed(api.build, home=home, as_of="2026-07-31")  # every source's newest
            t_april, _ = timed(api.build, home=home, as_of="2025-04-30")  # the April 2025 export
            t_diff, _ = timed(api.diff, "2025-04-30", "2026-07-31", home=home)
            t_heads, _ = timed(headline_changes, dt.date(2025, 4, 30), dt.date(2026, 7, 31), home=home)
        if not args.skip_cli:
            (home / "warehouse.duckdb").unlink()
            t_cli, _ = timed(subprocess.run, [sys.executable, "-m", "aiatlas", "build", "--home",
                                              str(home)], check=True, capture_output=True)
    rows = sum(s["rows"] for s in result["sources"])
    table = Table(title=f"aiatlas build on the mirror ({n_files} files, {rows} rows loaded)")
    for col in ("step", "seconds", "rows/s", "vs floor"):
        table.add_column(col, justify="right" if col != "step" else "left")
    table.add_row("imports (pandas, pyarrow, pycountry data), once", f"{t_import:.2f}", "", "")
    table.add_row("fetch from mirror", f"{t_fetch:.2f}", "", "")
    table.add_row("build from scratch (warm process)", f"{t_build:.2f}", f"{rows / t_build:,.0f}",
                  f"{t_build / t_floor:.2f}x")
    table.add_row("fetch + build", f"{t_fetch + t_build:.2f}", "", "")
    table.add_row("no-op rebuild", f"{t_noop:.3f}", "", "")
    table.add_row("plain build again (warm, the vintages' comparison)", f"{t_plain:.2f}", "", "")
    table.add_row(f"storing SQL templates of {n_stored} indicators (after the plain build)",
                  f"{t_store:.2f}", "", f"{t_store / t_plain:.2f}x plain")
    table.add_row("the same after a rebuild of the same code (templates reused)",
                  f"{t_reuse:.2f}", "", f"{t_reuse / t_plain:.2f}x plain")
    if not args.skip_vintages:
        table.add_row("vintage 2026-07-31 beside the current build", f"{t_vintage:.2f}", "",
                      f"{t_vintage / t_plain:.2f}x plain")
        table.add_row("vintage 2025-04-30 (2 sources as of then)", f"{t_april:.2f}", "",
                      f"{t_april / t_plain:.2f}x plain")
        table.add_row("diff 2025-04-30 -> 2026-07-31, every table", f"{t_diff:.2f}", "", "")
        table.add_row("  + headlines on both builds, with explaining rows", f"{t_heads:.2f}", "", "")
    if not args.skip_cli:
        table.add_row("`aiatlas build` CLI, cold process (imports included; templates reused)",
                      f"{t_cli:.2f}", "",
                      f"{t_cli / t_floor:.2f}x")
    table.add_row("floor: DuckDB read_csv/read_json of the same files", f"{t_floor:.2f}",
                  f"{rows / t_floor:,.0f}", "1.00x")
    Console().print(table)
    verdict = "OK" if t_build <= 3 * t_floor and t_build < 5 else "OVER TARGET"
    print(f"target: build <= 3x floor and < 5 s -> {verdict}")
    if not args.skip_vintages:
        verdict = "OK" if t_vintage < 1.5 * t_plain else "OVER TARGET"
        print(f"target: second vintage < 1.5x a plain build -> {verdict}")
        print(f"target: diff of two vintages < 1 s -> {'OK' if t_diff < 1 else 'OVER TARGET'}")

if __name__ == "__main__":
    main()
