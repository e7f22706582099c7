"""The country-grain sources as built from the real mirror: aggregates, owners, thresholds."""
from __future__ import annotations

import csv

import duckdb
import pytest

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def con(built_home):
    con = duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


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
