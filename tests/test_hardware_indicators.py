"""Hardware chapter indicators on tiny fixtures, and the Ibis classifier against the Python one."""
from __future__ import annotations

import math

import ibis
import numpy as np
import pytest
from chips_helpers import built_hardware, read_fixture, write_warehouse
from conftest import FIXTURES

from aiatlas.export_controls import chips as ec
from aiatlas.export_controls import rules as ecr
from aiatlas.indicators import registry
from aiatlas.warehouse.connect import Tables

RULES = ecr.load()


def tables(tmp_path, **rows) -> Tables:
    write_warehouse(tmp_path, rows)
    return Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))


@pytest.fixture()
def fixture_tables(tmp_path):
    return tables(tmp_path, hardware=read_fixture(FIXTURES / "chips" / "trend_hardware.csv"),
                  gpu_clusters=read_fixture(FIXTURES / "chips" / "gpu_clusters.csv"))


def compute(id, t, **params):
    ind = registry.get(id)
    return ind.func(t, **ind.bind(params)).to_pyarrow().to_pylist()


def test_price_performance_doubling_every_year(fixture_tables):
    got = compute("hardware_price_performance", fixture_tables)
    # FLOP/s per USD: 1e9 (2020), 2e9 (2021), 4e9 (2022, twice); 'No price' and 'Undated' drop out
    assert [(r["year"], r["value"], r["chips"]) for r in got] == [
        (2020, 1e9, 1), (2021, 2e9, 1), (2022, 4e9, 2)]
    assert all(r["doubling_time_years"] == pytest.approx(1.0) for r in got)
    # the fitted line passes through the points; mid-year it is sqrt(2) above the Jan 1 value
    assert got[0]["trend"] == pytest.approx(1e9 * math.sqrt(2))


def test_energy_efficiency_uses_tdp(fixture_tables):
    got = compute("hardware_energy_efficiency", fixture_tables)
    # 'No price' has a TDP, so it counts here: 9e12 / 200 W = 4.5e10 in 2022
    assert [(r["year"], r["chips"]) for r in got] == [(2020, 1), (2021, 1), (2022, 3)]
    assert got[0]["value"] == 1e10
    assert got[2]["value"] == 4e10  # median of 4e10, 4e10, 4.5e10
    # the same fit done independently with numpy: 1 Jan = year + 0, 1 Jun 2022 = day 152
    x = [2020.0, 2021.0, 2022.0, 2022.0, 2022 + 151 / 365.25]
    slope = np.polyfit(x, np.log([1e10, 2e10, 4e10, 4e10, 4.5e10]), 1)[0]
    assert got[0]["doubling_time_years"] == pytest.approx(math.log(2) / slope)


def test_accelerators_by_maker_country(fixture_tables):
    got = {(r["country"], r["year"]): r["value"]
           for r in compute("accelerators_by_maker_country", fixture_tables)}
    assert got == {("USA", 2020): 1, ("USA", 2021): 1, ("CHN", 2022): 3, (None, 2021): 1}


def test_cluster_compute_by_country(fixture_tables):
    got = compute("cluster_compute_by_country", fixture_tables)
    # Zeta is excluded by Epoch; Delta is planned; Epsilon has no country
    assert [(r["country"], r["value"], r["clusters"]) for r in got] == [
        ("USA", 1500, 2), ("CHN", 300, 1), (None, 50, 1)]
    planned = compute("cluster_compute_by_country", fixture_tables, status="Planned")
    assert [(r["country"], r["value"]) for r in planned] == [("CHN", 9000)]
    assert "anonymized" in registry.get("cluster_compute_by_country").description


def test_chips_controlled_on_fixture(tmp_path):
    t = tables(tmp_path, hardware=read_fixture(FIXTURES / "chips" / "hardware.csv"))
    got = {r["status"]: r["value"] for r in compute("chips_controlled", t, rules="us-2023-10")}
    assert got == {"3A090.a": 1, "indeterminate": 2, "not controlled": 1}
    before = compute("chips_controlled", t, on="2021-06-01")
    assert before == [{"status": "not controlled", "value": 4}]


def test_explain_rows_carry_the_grain(fixture_tables):
    ind = registry.get("accelerators_by_maker_country")
    rows = ind.rows(fixture_tables).to_pyarrow().to_pylist()
    assert {"country", "year", "name"} <= set(rows[0])
    assert len(rows) == 6  # every dated chip


def test_indicators_are_registered_in_the_hardware_chapter():
    ids = {i.id for i in registry.load_all().values() if i.chapter == "hardware"}
    assert {"hardware_price_performance", "hardware_energy_efficiency",
            "accelerators_by_maker_country", "cluster_compute_by_country",
            "chips_controlled"} <= ids


@pytest.mark.mirror
@pytest.mark.parametrize("rule_id", ["us-2022-10", "us-2023-10", "us-2024-12",
                                     "us-2025-01-diffusion"])
def test_ibis_classifier_agrees_with_python_on_every_real_chip(built_home, rule_id):
    rows = built_hardware(built_home)
    t = Tables(ibis.duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True))
    ibis_status = {r["name"]: r["status"] for r in
                   registry.get("chips_controlled").rows(t, rules=rule_id).to_pyarrow().to_pylist()}
    py_status = {r["name"]: r["status"] for r in ec.table(rows, RULES.get(rule_id), RULES)}
    assert ibis_status == py_status


@pytest.mark.mirror
def test_hardware_indicators_on_the_built_warehouse(built_home):
    from aiatlas import api

    price = api.compute("hardware_price_performance", home=built_home).to_pylist()
    assert len(price) > 5
    doubling = price[0]["doubling_time_years"]
    assert 1 < doubling < 5  # FP32 per dollar has doubled every few years, not months or decades
    clusters = api.compute("cluster_compute_by_country", home=built_home).to_pylist()
    assert {clusters[0]["country"], clusters[1]["country"]} == {"USA", "CHN"}
    makers = api.compute("accelerators_by_maker_country", home=built_home).to_pylist()
    assert {r["country"] for r in makers} >= {"USA", "CHN", "JPN"}
