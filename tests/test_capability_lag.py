"""Capability lag in months on hand-worked ECI fixtures: a follower that reaches the leader after
exactly 90 days, one that never does ('at least N months'), and the resampled interval."""
from __future__ import annotations

import datetime as dt

import ibis
import pytest
from chips_helpers import write_warehouse
from conftest import once_per_request

from aiatlas.indicators import registry
from aiatlas.indicators.lag import DAYS_PER_MONTH
from aiatlas.warehouse.connect import Tables


def eci(name, date, score, group, countries=("USA",), half=0.0):
    return {"model_id": name.lower(), "model": name, "display_name": name, "eci": score,
            "eci_low": score - half, "eci_high": score + half,
            "release_date": dt.date.fromisoformat(date), "organization": f"{name} lab",
            "countries": list(countries), "accessibility_group": group}


# Closed A (100) on 2024-01-01; open B reaches 100 on 2024-03-31: exactly 90 days later.
# Closed C (120) on 2024-06-01; open D (110) on 2024-09-01 never reaches 120: the newest
# release in the data is D, so the lag is at least 92 days.
ROWS = [eci("A", "2024-01-01", 100, "Closed weights"), eci("B", "2024-03-31", 100, "Open weights", ["CHN"]),
        eci("C", "2024-06-01", 120, "Closed weights"), eci("D", "2024-09-01", 110, "Open weights", ["CHN"]),
        eci("U", "2024-02-10", 130, "Other", ["FRA"])]  # unknown openness: left out of openness


def tables(tmp_path, rows) -> Tables:
    write_warehouse(tmp_path, {"eci_scores": rows})
    return Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))


def compute(t, rows=False, **params):
    ind = registry.get("capability_lag_months")
    func = ind.rows if rows else ind.func
    return func(t, **ind.bind(params)).to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def lag(tmp_path_factory):
    """compute() over ROWS, each request once for the module (the tests below check some of
    the same lags)."""
    t = tables(tmp_path_factory.mktemp("lag"), ROWS)
    lags = once_per_request(lambda id, rows, **params: compute(t, rows, **params))
    return lambda rows=False, **params: lags("capability_lag_months", rows, **params)


@pytest.mark.parametrize("params", [{}, {"group": "country", "leader": "USA", "follower": "CHN"}])
def test_ninety_days_and_never(lag, params):
    got = {r["month"]: r for r in lag(**params)}
    jan, jun = got[dt.date(2024, 1, 1)], got[dt.date(2024, 6, 1)]
    assert (jan["leader_best"], jan["leader_date"], jan["follower_date"]) == (
        100, dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert jan["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH) and not jan["lower_bound"]
    assert (jun["leader_best"], jun["follower_date"], jun["lower_bound"]) == (120, None, True)
    assert jun["lag_months"] == pytest.approx(92 / DAYS_PER_MONTH)  # at least: to 2024-09-01
    # zero-width intervals: every resample is the central estimate
    assert (jan["lag_months_low"], jan["lag_months_high"], jan["reached_share"]) == (
        jan["lag_months"], jan["lag_months"], 1.0)
    assert jun["reached_share"] == 0.0
    # months without a leader release keep the standing best; a month before any leader has none
    assert got[dt.date(2024, 9, 1)]["leader_best"] == 120


def test_unknown_openness_is_left_out(lag):
    assert max(r["leader_best"] for r in lag()) == 120  # U (130, 'Other') is not closed
    by_country = lag(group="country", leader="FRA", follower="USA")
    feb = next(r for r in by_country if r["month"] == dt.date(2024, 2, 1))
    assert (feb["leader_best"], feb["lower_bound"]) == (130, True)


def test_interval_comes_from_resampling_within_eci_intervals(tmp_path):
    # B's interval straddles A's score: in some draws B is below A, so the lag spreads
    rows = [eci("A", "2024-01-01", 100, "Closed weights"),
            eci("B", "2024-03-31", 100.5, "Open weights", half=3.0),
            eci("E", "2024-07-29", 104, "Open weights")]
    jan = next(r for r in compute(tables(tmp_path, rows), draws=200)
               if r["month"] == dt.date(2024, 1, 1))
    assert jan["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH)
    assert jan["lag_months_low"] == pytest.approx(90 / DAYS_PER_MONTH)
    assert jan["lag_months_high"] == pytest.approx(210 / DAYS_PER_MONTH)  # E, 120 days later
    assert 0.2 < jan["reached_share"] <= 1.0


def test_explain_rows_give_the_lag(lag):
    values = {r["month"]: r for r in lag()}
    rows = lag(rows=True)
    for month, value in values.items():
        sides = {r["side"]: r for r in rows if r["month"] == month}
        assert sides["leader"]["eci"] == value["leader_best"]
        if value["lower_bound"]:
            assert "follower" not in sides
        else:
            days = (sides["follower"]["release_date"] - sides["leader"]["release_date"]).days
            assert days / DAYS_PER_MONTH == pytest.approx(value["lag_months"])
            assert sides["follower"]["eci"] >= value["leader_best"]
