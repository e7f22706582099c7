"""Indicator speed: warm time per indicator (DuckDB, PySpark), aiatlas vs plain pandas, growth.

Run: python bench/indicators.py [--no-spark] [--no-fresh] [--scales 10,100,1000] [--repeat 5]
Builds a temporary data home from the mirror (AIATLAS_MIRROR or ../shared/data), then prints
the tables: per indicator; aiatlas vs pandas (in process and in a new process); growth; country
views. Targets: < 100 ms warm per indicator on DuckDB; aiatlas >= 2x faster than the pandas
version of the same indicator; country profile < 300 ms warm, compare of 3 countries < 500 ms
warm, composite with 1,000 weight draws < 2 s (each with the build's memo emptied first).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from aiatlas import api, compiled, composite_index, standing
from aiatlas.sources.registry import SOURCES

console = Console(width=160)
COMPARED = ("notable_models_by_country", "sector_shares_by_year", "training_compute_trend")


def timed(fn, repeat: int) -> tuple[float, float]:
    """(first call, median of `repeat` further calls) in milliseconds."""
    t0 = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return cold, statistics.median(runs)


def uncached(id: str, home: Path, backend: str | None = None):
    """Compute with the build's memo emptied first: the cost of a value not asked before."""
    api.warehouse(home=home).forget()
    return api.compute(id, home=home, backend=backend)


# --- plain pandas, as a user would write it from the raw CSV -------------------------------

def pandas_by_country(csv: Path) -> pd.DataFrame:
    df = pd.read_csv(csv)
    df["date"] = pd.to_datetime(df["Publication date"], errors="coerce")
    df = df.dropna(subset=["date"]).reset_index(names="row")
    df["year"] = df["date"].dt.year
    df["country"] = df["Country (of organization)"].fillna("").str.split(",")
    e = df.explode("country")
    e["country"] = e["country"].str.strip()
    e = e[(e["country"] != "") & (e["country"] != "Multinational")]
    e = e.drop_duplicates(["row", "country"])
    return e.groupby(["country", "year"]).size().rename("value").reset_index()


def _sector(cats: str | float) -> str | None:
    if not isinstance(cats, str) or not cats.strip():
        return None
    s = {c.strip() for c in cats.split(",") if c.strip()}
    if {"Industry", "Academia"} <= s:
        return "Industry-academia collaboration"
    if len(s) == 1:
        return s.pop()
    return "Other collaboration"


def pandas_sector_shares(csv: Path) -> pd.DataFrame:
    df = pd.read_csv(csv)
    df["year"] = pd.to_datetime(df["Publication date"], errors="coerce").dt.year
    df["sector"] = df["Organization categorization"].map(_sector)
    df = df.dropna(subset=["year", "sector"])
    g = df.groupby(["year", "sector"]).size().rename("models").reset_index()
    g["total"] = g.groupby("year")["models"].transform("sum")
    g["value"] = g["models"] / g["total"]
    return g


def pandas_compute_trend(csv: Path, since: int = 2010) -> dict:
    df = pd.read_csv(csv)
    df["date"] = pd.to_datetime(df["Publication date"], errors="coerce")
    df = df[(df["Training compute (FLOP)"] > 0) & (df["date"].dt.year >= since)]
    x = (df["date"] - pd.Timestamp("1970-01-01")).dt.days / 365.25 + 1970
    y = np.log10(df["Training compute (FLOP)"])
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    se = np.sqrt((resid ** 2).sum() / (len(x) - 2) / ((x - x.mean()) ** 2).sum())
    return {"slope_per_year": slope, "doubling_months": 12 * np.log10(2) / slope,
            "low": slope - 1.96 * se, "high": slope + 1.96 * se}


PANDAS = {"notable_models_by_country": pandas_by_country,
          "sector_shares_by_year": pandas_sector_shares,
          "training_compute_trend": pandas_compute_trend}


# --- first call in a new process ----------------------------------------------------------

# Each side imports what its user code imports, then makes one call; both are timed.
_FRESH = {
    "pandas": """
import json, sys, time
t0 = time.perf_counter()
import numpy, pandas
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[4])
import indicators
t2 = time.perf_counter()
indicators.PANDAS[sys.argv[1]](indicators.Path(sys.argv[2]))
t3 = time.perf_counter()
print(json.dumps([(t1 - t0) * 1000, (t3 - t2) * 1000]))
""",
    "aiatlas": """
import json, sys, time
t0 = time.perf_counter()
from aiatlas import api
t1 = time.perf_counter()
api.compute(sys.argv[1], home=sys.argv[3])
t2 = time.perf_counter()
print(json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000]))
""",
}


def fresh_process(side: str, id: str, csv: Path, home: Path) -> tuple[float, float]:
    """(import ms, first call ms) of one indicator in a new Python process."""
    out = subprocess.run([sys.executable, "-c", _FRESH[side], id, str(csv), str(home),
                          str(Path(__file__).resolve().parent)],
                         capture_output=True, text=True, check=True)
    imported, first = json.loads(out.stdout.strip().splitlines()[-1])
    return imported, first


# --- a user's first command, in a new process ---------------------------------------------

COLD_SHOW = ("notable_models_by_country", ("since=2024", "until=2024"))
_PANDAS_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[2])
import indicators
df = indicators.PANDAS["notable_models_by_country"](indicators.Path(sys.argv[1]))
print(df[df.year == 2024].to_csv(index=False))
"""
_DUCKDB_SCRIPT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.sql("SELECT c AS country, year, count(*) AS value FROM (SELECT unnest(countries) AS c, "
              "year FROM models WHERE year BETWEEN 2024 AND 2024) GROUP BY ALL ORDER BY ALL"))
"""


def wall(cmd, repeat: int) -> float:
    """Median wall time (ms) of a command run in a new process `repeat` times (cmd: a list, or
    a function of the run's index giving one)."""
    runs = []
    for i in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd(i) if callable(cmd) else cmd, capture_output=True, check=True)
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def cold_show(home: Path, csv: Path, repeat: int, console: Console) -> None:
    """`aiatlas show` in a new process beside a pandas script and DuckDB alone (same count)."""
    id, params = COLD_SHOW
    show = [sys.executable, "-m", "aiatlas", "show", id, "--home", str(home), "-f", "csv",
            *[x for p in params for x in ("-p", p)]]
    args = show[3:]
    normal = [sys.executable, "-c", "import sys; from aiatlas.cli import main; sys.argv[0] = 'aiatlas'; main()",
              *args]

    def new_year(i: int) -> list[str]:  # a year never asked before in this home
        year = 2023 - i
        return [*show[:-4], "-p", f"since={year}", "-p", f"until={year}"]

    rows = [(f"aiatlas show {id} {' '.join(params)} -f csv, normal path (no fast path)",
             wall(normal, repeat)),
            ("the same shape, values never asked before (since=until=2023, 2022, ...): the "
             "build's SQL template", wall(new_year, repeat)),
            ("plain pandas script from the CSV (same count)",
             wall([sys.executable, "-c", _PANDAS_SCRIPT, str(csv),
                   str(Path(__file__).resolve().parent)], repeat)),
            ("DuckDB alone on the warehouse (same count, no names)",
             wall([sys.executable, "-c", _DUCKDB_SCRIPT, str(home / "warehouse.duckdb")], repeat)),
            ("python -c pass (the interpreter itself)", wall([sys.executable, "-c", "pass"], repeat))]
    table = Table(title=f"Cold start: a new process, wall ms (median of {repeat}; target "
                        "aiatlas <= 500), load average {:.1f}".format(os.getloadavg()[0]))
    table.add_column("command")
    table.add_column("wall ms", justify="right")
    for label, ms in rows:
        table.add_row(label, f"{ms:.0f}")
    console.print(table)


# --- synthetic growth ----------------------------------------------------------------------

def synthetic_home(real: Path, factor: int, root: Path) -> Path:
    """A copy of the warehouse whose models table is `factor` x the real one.

    Each copy gets a suffixed id and name and its date moved by up to +-60 days, so grouping
    keys and trend points spread like real ones.
    """
    home = root / f"x{factor}"
    home.mkdir()
    target = home / "warehouse.duckdb"
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{real / 'warehouse.duckdb'}' AS src (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'").fetchall()]
    for t in tables:
        if t != "models":
            con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM src."{t}"')
    con.execute(f"""
        CREATE TABLE models AS
        WITH copies AS (
          SELECT m.*, i.range AS copy,
                 m.publication_date + CAST(hash(m.model_id, i.range) % 121 AS INTEGER) - 60 AS d
          FROM src.models m, range({factor}) i)
        SELECT * EXCLUDE (copy, d) REPLACE (
                 CASE WHEN copy = 0 THEN model_id ELSE model_id || '-r' || copy END AS model_id,
                 CASE WHEN copy = 0 THEN name ELSE name || ' r' || copy END AS name,
                 CASE WHEN copy = 0 THEN publication_date ELSE d END AS publication_date,
                 CASE WHEN copy = 0 THEN year ELSE year(d) END AS year)
        FROM copies""")
    con.execute("UPDATE _build SET build_id = build_id || ?", [f"-x{factor}"])
    con.close()
    return home


def country_views(home: Path, repeat: int) -> Table:
    """Profile, compare and composite: cold and warm time with the memo emptied before each call."""
    views = [("country profile (CHN)", lambda: standing.profile("CHN", home=home), 300),
             ("compare USA CHN JPN", lambda: standing.compare(["USA", "CHN", "JPN"], home=home), 500),
             ("composite, 1,000 draws", lambda: composite_index.composite(draws=1000, home=home), 2000)]
    table = Table(title=f"Country views, ms (median of {repeat} warm runs, memo emptied before each)")
    for col in ("view", "cold", "warm", "target", "met", "warm, memo kept"):
        table.add_column(col, justify="left" if col == "view" else "right")
    for name, fn, target in views:
        def empty(fn=fn):
            api.warehouse(home=home).forget()
            return fn()
        cold, warm = timed(empty, repeat)
        kept = timed(fn, repeat)[1]
        table.add_row(name, f"{cold:.0f}", f"{warm:.0f}", f"< {target}", "yes" if warm < target else "NO",
                      f"{kept:.1f}")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-spark", action="store_true", help="skip the PySpark column")
    ap.add_argument("--scales", default="10,100,1000", help="growth factors, comma-separated")
    ap.add_argument("--no-fresh", action="store_true", help="skip the new-process timings")
    ap.add_argument("--repeat", type=int, default=5, help="warm runs per measurement")
    ap.add_argument("--only-country", action="store_true",
                    help="only the country views (profile, compare, composite)")
    ap.add_argument("--only-cold", action="store_true",
                    help="only the cold start of `aiatlas show` in a new process")
    args = ap.parse_args()
    mirror = Path(os.environ.get("AIATLAS_MIRROR")
                  or Path(__file__).resolve().parents[2] / "shared" / "data")
    csv = mirror / "epoch" / "notable_ai_models.csv"
    with tempfile.TemporaryDirectory(prefix="aiatlas-bench-") as tmp:
        home = Path(tmp) / "home"
        api.fetch(mirror=str(mirror), home=home)
        t0 = time.perf_counter()
        api.build(home=home)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        compiled.precompile(home=home)  # what `aiatlas build` does after the build
        console.print(f"storing the build's SQL templates took {time.perf_counter() - t0:.1f} s")
        if args.only_country:
            console.print(country_views(home, args.repeat))
            return
        if args.only_cold:
            cold_show(home, csv, args.repeat, console)
            return
        # Indicators over an ingested dataset (the OpenAlex works) need an ingest; bench/openalex.py
        # times them.
        ingested = {t for s in SOURCES if s.ingest for t in s.tables}
        ids = [i["id"] for i in api.list_indicators() if not ingested & set(i["sources"])]

        # 1. warm time per indicator
        table = Table(title=f"Indicator time, ms (median of {args.repeat} warm runs; "
                            "target DuckDB warm < 100)")
        for col in ("indicator", "rows", "duckdb cold", "duckdb warm", "< 100 ms",
                    "pyspark cold", "pyspark warm"):
            table.add_column(col, justify="left" if col == "indicator" else "right")
        for id in ids:
            rows = api.compute(id, home=home).table.num_rows
            cold, warm = timed(lambda id=id: uncached(id, home), args.repeat)
            s_cold = s_warm = "-"
            if not args.no_spark:
                c, w = timed(lambda id=id: uncached(id, home, "pyspark"),
                             max(1, args.repeat // 2))
                s_cold, s_warm = f"{c:.0f}", f"{w:.0f}"
            table.add_row(id, str(rows), f"{cold:.0f}", f"{warm:.1f}",
                          "yes" if warm < 100 else "NO", s_cold, s_warm)
        console.print(table)
        if not args.no_spark:
            console.print("pyspark cold of the first row includes starting Spark and exporting "
                          "the warehouse to Parquet (once per build)")

        # 2. aiatlas vs plain pandas from the raw CSV, both timed alike: the first call in this
        # process (aiatlas on a fresh warehouse connection), the median of warm calls, and the
        # import + first call of a new process.
        cmp = Table(title="aiatlas vs plain pandas from the CSV, ms (target speed-up >= 2x)")
        for col in ("indicator", "pandas first", "pandas warm", "aiatlas first", "aiatlas warm",
                    "speed-up warm", "speed-up first"):
            cmp.add_column(col, justify="left" if col == "indicator" else "right")
        fresh = Table(title="New process: import + first call, ms (what a one-off script pays)")
        for col in ("indicator", "pandas import", "pandas call", "aiatlas import",
                    "aiatlas call", "speed-up (total)"):
            fresh.add_column(col, justify="left" if col == "indicator" else "right")
        for id in COMPARED:
            p_first, p_warm = timed(lambda id=id: PANDAS[id](csv), args.repeat)
            first, warm = timed(lambda id=id: uncached(id, home), args.repeat)
            cmp.add_row(id, f"{p_first:.1f}", f"{p_warm:.1f}", f"{first:.1f}", f"{warm:.1f}",
                        f"{p_warm / warm:.1f}x", f"{p_first / first:.1f}x")
            if not args.no_fresh:
                pi, pc = fresh_process("pandas", id, csv, home)
                ai, ac = fresh_process("aiatlas", id, csv, home)
                fresh.add_row(id, f"{pi:.0f}", f"{pc:.0f}", f"{ai:.0f}", f"{ac:.0f}",
                              f"{(pi + pc) / (ai + ac):.1f}x")
        console.print(cmp)
        if not args.no_fresh:
            console.print(fresh)
        if not args.no_fresh:
            cold_show(home, csv, args.repeat, console)
        console.print(f"not in these figures: building the aiatlas warehouse, once per "
                      f"snapshot, took {build_s:.1f} s in this run")
        ours = api.compute("training_compute_trend", home=home).to_pylist()[0]
        theirs = pandas_compute_trend(csv)
        console.print(f"check: compute-trend slope aiatlas {ours['slope_per_year']:.6f} vs "
                      f"pandas {theirs['slope_per_year']:.6f} orders of magnitude per year")

        # 3. growth on synthetic models tables
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            n_real = con.execute("SELECT count(*) FROM models").fetchone()[0]
        grow = Table(title=f"Growth: warm DuckDB time, ms, on models tables k x {n_real} rows")
        grow.add_column("factor", justify="right")
        grow.add_column("models rows", justify="right")
        for id in COMPARED:
            grow.add_column(id, justify="right")
        cells = [f"{timed(lambda id=id: uncached(id, home), args.repeat)[1]:.1f}"
                 for id in COMPARED]
        grow.add_row("1", str(n_real), *cells)
        for factor in [int(f) for f in args.scales.split(",") if f]:
            syn = synthetic_home(home, factor, Path(tmp))
            cells = [f"{timed(lambda i=i, h=syn: uncached(i, h), args.repeat)[1]:.1f}"
                     for i in COMPARED]
            grow.add_row(str(factor), str(n_real * factor), *cells)
        console.print(grow)

        # 4. country views over every indicator
        console.print(country_views(home, args.repeat))


if __name__ == "__main__":
    main()
