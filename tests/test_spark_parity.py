"""Every registered indicator gives the same rows on DuckDB and on PySpark (local mode)."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from conftest import openalex_indicators

from aiatlas import api
from aiatlas.indicators import registry

pytestmark = [pytest.mark.spark, pytest.mark.mirror, pytest.mark.xdist_group("spark")]

# Non-default parameters that take other code paths (attribution, fold, region, subset).
VARIANTS = [
    ("notable_models_by_country", {"attribution": "fractional", "fold_hong_kong": True}),
    ("notable_models_by_country", {"attribution": "first", "since": 2015}),
    ("notable_models_by_region", {"attribution": "fractional", "region": "europe"}),
    ("training_compute_trend", {"subset": "frontier"}),
    ("training_compute_trend", {"subset": "large_scale", "since": 2020, "until": 2024}),
    ("training_compute_share_by_country", {"attribution": "fractional"}),
    ("top_organizations", {"attribution": "fractional", "limit": 5}),
    ("benchmark_gap", {"benchmark": "gpqa_diamond", "group": "country"}),
    ("arena_gap", {"group": "country", "since": "2024-01-01"}),
    ("capability_lag_months", {"group": "country", "leader": "USA", "follower": "CHN", "draws": 40}),
    ("ai_compute_by_country", {"measure": "units"}),
    ("notable_models_by_country", {"per": "million"}),
    ("ai_developers_by_country", {"share_of": "world"}),
]


def _cases():
    # OpenAlex indicators need an ingested works corpus: test_openalex_spark.py runs their
    # parity on a 100,000-work synthetic one.
    ids = sorted(set(registry.load_all()) - openalex_indicators())
    return [(i, {}) for i in ids] + VARIANTS


def _sort_key(row: dict):
    """Order rows by their exact (non-float) columns, then by rounded floats."""
    exact = tuple("" if v is None else str(v) for v in row.values() if not isinstance(v, float))
    rough = tuple(-1e300 if v is None or math.isnan(v) else float(f"{v:.6g}")
                  for v in row.values() if isinstance(v, float))
    return exact, rough


def assert_same_rows(left: list[dict], right: list[dict], rel=1e-9, abs_tol=1e-300):
    """Equal row sets: floats within `rel` (or `abs_tol` near zero), everything else exactly."""
    assert len(left) == len(right)
    for a, b in zip(sorted(left, key=_sort_key), sorted(right, key=_sort_key)):
        assert list(a) == list(b)
        for col in a:
            x, y = a[col], b[col]
            if isinstance(x, float) or isinstance(y, float):
                if x is None or y is None or (math.isnan(x) and math.isnan(y)):
                    assert (x is None or math.isnan(x)) == (y is None or math.isnan(y)), col
                else:
                    assert x == pytest.approx(y, rel=rel, abs=abs_tol), (col, a, b)
            elif isinstance(x, dt.datetime) or isinstance(y, dt.datetime):
                assert x.replace(tzinfo=None) == y.replace(tzinfo=None), col
            else:
                assert x == y, (col, a, b)


@pytest.fixture(scope="module")
def spark_home(built_home):
    """The mirror warehouse; PySpark missing is a failure (pip install 'aiatlas[spark]')."""
    return built_home


@pytest.mark.parametrize("id,params", _cases(), ids=lambda v: v if isinstance(v, str) else
                         ",".join(f"{k}={x}" for k, x in v.items()) or "defaults")
def test_same_result_on_duckdb_and_pyspark(spark_home, id, params):
    duck = api.compute(id, home=spark_home, **params)
    spark = api.compute(id, home=spark_home, backend="pyspark", **params)
    assert duck.table.column_names == spark.table.column_names
    assert spark.meta["backend"] == "pyspark"
    assert_same_rows(duck.to_pylist(), spark.to_pylist())


def test_explain_runs_on_pyspark(spark_home):
    where = {"country": "USA", "year": "2023"}
    duck = api.explain("notable_models_by_country", home=spark_home, where=where)
    spark = api.explain("notable_models_by_country", home=spark_home, where=where,
                        backend="pyspark")
    assert duck.table.num_rows > 10
    assert_same_rows(duck.to_pylist(), spark.to_pylist())


def test_cli_show_with_pyspark_backend(spark_home, capsys, monkeypatch):
    import csv
    import io
    import sys

    from aiatlas import cli
    from aiatlas.commands import _output

    monkeypatch.setattr(sys, "argv", ["aiatlas", "show", "notable_models_by_region", "--home",
                                      str(spark_home), "--backend", "pyspark", "-p",
                                      "region=eu27", "--format", "csv"])
    monkeypatch.setattr(_output.console, "width", 400)
    with pytest.raises(SystemExit) as done:  # standalone Typer always exits
        cli.main()
    assert done.value.code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    duck = api.compute("notable_models_by_region", home=spark_home, region="eu27").to_pylist()
    assert {(r["year"], float(r["value"])) for r in rows} == {
        (str(r["year"]), r["value"]) for r in duck}
