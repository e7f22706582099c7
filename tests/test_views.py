"""Normalised views (per capita, per million, share of world) on hand-made rows, and per capita
checked against the raw World Bank CSV of the mirror."""
from __future__ import annotations

import csv
import datetime as dt

import ibis
import pytest
from chips_helpers import write_warehouse

from aiatlas import api
from aiatlas.errors import UsageError
from aiatlas.indicators import registry
from aiatlas.warehouse.connect import Tables


def pop(code, year, n, is_country=True):
    return {"code": code, "name": code, "country": code if is_country else None,
            "is_country": is_country, "year": year, "population": n}


def holding(owner, country, end, h100e):
    return {"file": "f.csv", "series": "cumulative", "name": owner, "designer": "Nvidia",
            "owner": owner, "owner_country": country, "end_date": dt.date.fromisoformat(end),
            "h100e": h100e, "h100e_p5": h100e / 2, "h100e_p95": h100e * 2}


@pytest.fixture()
def t(tmp_path):
    write_warehouse(tmp_path, {
        "population": [pop("USA", 2023, 300e6), pop("USA", 2024, 400e6), pop("CHN", 2024, 1e9),
                       pop("WLD", 2024, 8e9, is_country=False)],
        "ai_chip_owners": [holding("Meta", "USA", "2024-06-30", 800.0),
                           holding("China", "CHN", "2024-06-30", 200.0),
                           holding("China", "CHN", "2025-06-30", 500.0)]})
    return Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))


def compute(t, **params):
    ind = registry.get("ai_compute_by_country")
    return {(r["country"], r["date"].year): r for r in ind.func(t, **ind.bind(params)).to_pyarrow().to_pylist()}


def test_per_capita_and_per_million_use_the_values_year_else_the_newest(t):
    got = compute(t, per="capita")
    usa = got[("USA", 2024)]
    assert (usa["value"], usa["value_p5"], usa["value_p95"]) == pytest.approx((2e-6, 1e-6, 4e-6))
    assert (usa["population_year"], usa["population"], usa["unit"]) == (
        2024, 400e6, "H100 equivalents per person")
    later = got[("CHN", 2025)]  # no 2025 population: the newest year, and it says so
    assert (later["population_year"], later["value"]) == (2024, pytest.approx(5e-7))
    assert compute(t, per="million")[("CHN", 2024)]["value"] == pytest.approx(0.2)


def test_share_of_world_sums_each_period(t):
    got = compute(t, share_of="world")
    assert got[("USA", 2024)]["value"] == pytest.approx(0.8)
    assert got[("CHN", 2024)]["value"] == pytest.approx(0.2)
    assert got[("CHN", 2025)]["value"] == 1.0 and got[("CHN", 2025)]["world_total"] == 500


def test_views_are_declared_only_where_they_mean_something():
    inds = registry.load_all()
    with_views = {i for i, ind in inds.items() if "per" in ind.param_names}
    assert {"notable_models_by_country", "ai_compute_by_country", "ai_developers_by_country",
            "cluster_compute_by_country"} <= with_views
    # shares, months and trends are not divided by people; neither are grains without a country
    assert not with_views & {"open_weights_share_by_country", "training_compute_share_by_country",
                             "capability_lag_months", "hardware_price_performance"}
    with pytest.raises(UsageError, match="not one of: capita, million"):
        inds["notable_models_by_country"].bind({"per": "head"})


def test_per_and_share_of_together_is_a_usage_error(t):
    with pytest.raises(UsageError, match="cannot be combined"):
        compute(t, per="capita", share_of="world")


@pytest.mark.mirror
def test_per_capita_equals_value_over_the_raw_population_csv(built_home, mirror):
    with open(mirror / "worldbank/population.csv", newline="") as fh:
        population = {(r["Country Code"], int(r["Year"])): float(r["Value"]) for r in csv.DictReader(fh)}
    raw = {(r["country"], r["year"]): r["value"] for r in
           api.compute("notable_models_by_country", home=built_home).to_pylist()}
    per = api.compute("notable_models_by_country", home=built_home, per="capita").to_pylist()
    checked = 0
    for r in per:
        key = (r["country"], r["year"])
        if key in population:
            assert r["value"] == pytest.approx(raw[key] / population[key], rel=1e-12), key
            checked += 1
        else:  # no population for that country and year (Taiwan; before 1960): no figure
            assert r["population_year"] != r["year"] or r["value"] is None
    assert checked > 100
    assert any(r["country"] == "CHN" and r["year"] == 2023 for r in per)
