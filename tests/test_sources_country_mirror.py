"""The country-grain sources as built from the real mirror: aggregates, owners, thresholds."""
from __future__ import annotations

import csv

import pytest

pytestmark = pytest.mark.mirror



def one(con, sql):
    return con.execute(sql).fetchone()


def test_population_aggregates_are_not_countries(con, mirror):
    assert one(con, "SELECT is_country, country FROM population WHERE code = 'WLD' LIMIT 1") == (
        False, None)
    assert one(con, "SELECT count(*) FROM population WHERE is_country IS NULL") == (0,)
    with open(mirror / "worldbank/population.csv", newline="") as fh:
        raw = {(r["Country Code"], r["Year"]): float(r["Value"]) for r in csv.DictReader(fh)}
    got = one(con, "SELECT population FROM population WHERE country = 'CHN' AND year = 2024")[0]
    assert got == raw[("CHN", "2024")]
    # every ISO code the World Bank lists is a country; only its own codes are aggregates
    countries = one(con, "SELECT count(DISTINCT code) FROM population WHERE is_country")[0]
    aggregates = one(con, "SELECT count(DISTINCT code) FROM population WHERE NOT is_country")[0]
    assert countries + aggregates == len({c for c, _ in raw}) and 200 < countries < 220


def test_innovation_graph_eu_is_an_aggregate_and_ai_topics_present(con):
    assert one(con, "SELECT count(*) FROM github_activity WHERE economy = 'EU' AND is_country") == (0,)
    assert one(con, "SELECT count(*) FROM github_activity WHERE is_country IS NULL") == (0,)
    topics = {r[0] for r in con.execute(
        "SELECT DISTINCT topic FROM github_topic_pushers WHERE country = 'CHN'").fetchall()}
    assert {"machine-learning", "deep-learning", "pytorch"} <= topics


def test_chip_owners_china_and_series(con):
    owners = dict(con.execute("SELECT owner, any_value(owner_country) FROM ai_chip_owners "
                              "GROUP BY owner").fetchall())
    assert owners["China"] == "CHN" and owners["Other"] is None and owners["Microsoft"] == "USA"
    series = {r[0] for r in con.execute("SELECT DISTINCT series FROM ai_chip_sales").fetchall()}
    assert series == {"quarter_by_chip", "fiscal_quarter_by_chip", "cumulative", "cumulative_by_chip"}
    # band is ordered wherever all three are given
    assert one(con, "SELECT count(*) FROM ai_chip_owners WHERE NOT (h100e_p5 <= h100e AND "
                    "h100e <= h100e_p95)") == (0,)


def test_eci_interval_contains_the_score(con):
    assert one(con, "SELECT count(*) FROM eci_scores WHERE NOT (eci_low <= eci AND eci <= eci_high)") == (0,)
    assert one(con, "SELECT count(*) FROM eci_scores WHERE list_contains(countries, 'CHN')")[0] > 5


@pytest.mark.parametrize("id, grain, column", [
    ("ai_compute_by_country", ("country", "date"), "h100e"),
    ("ai_compute_by_owner", ("owner", "date"), "h100e"),
    ("ai_developers_by_country", ("country", "year", "quarter"), "pushers")])
def test_new_indicators_explain_rows_add_up(built_home, id, grain, column):
    from collections import defaultdict

    from aiatlas import api

    values = {tuple(r[g] for g in grain): r["value"] for r in api.compute(id, home=built_home).to_pylist()}
    sums = defaultdict(float)
    for r in api.explain(id, home=built_home).to_pylist():
        sums[tuple(r[g] for g in grain)] += r[column]
    assert len(values) > 10 and set(sums) == set(values)
    for key, value in values.items():
        assert sums[key] == pytest.approx(value), key


def test_capability_lag_explain_rows_give_each_lag(built_home):
    from aiatlas import api
    from aiatlas.indicators.lag import DAYS_PER_MONTH

    for params in ({}, {"group": "country"}):
        values = api.compute("capability_lag_months", home=built_home, **params).to_pylist()
        rows = api.explain("capability_lag_months", home=built_home, **params).to_pylist()
        assert len(values) > 12 and any(v["lower_bound"] for v in values)
        for v in values:
            sides = {r["side"]: r for r in rows if r["month"] == v["month"]}
            assert sides["leader"]["eci"] == v["leader_best"]
            assert v["lag_months_low"] <= v["lag_months_high"]
            if not v["lower_bound"]:
                days = (sides["follower"]["release_date"] - sides["leader"]["release_date"]).days
                assert days / DAYS_PER_MONTH == pytest.approx(v["lag_months"])
