"""Shared indicator parameters: validation, regions as data, the t quantile and the trend fit."""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pycountry
import pytest
from fixtures.indicators.tiny import model, write_warehouse

from aiatlas import api
from aiatlas.entities import regions
from aiatlas.errors import UsageError
from aiatlas.indicators import params as P
from aiatlas.indicators import registry


def decimal_year(day: dt.date) -> float:
    """The trend's x, as params.decimal_year defines it: 1 January plus days / 365.25."""
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


def test_every_region_member_is_a_real_iso3_code():
    known = {c.alpha_3 for c in pycountry.countries}
    for region in regions.REGIONS.values():
        assert region.members <= known, region.id


def test_region_groupings_follow_their_definitions():
    assert len(regions.EU27) == 27
    assert "GBR" not in regions.EU27 and "GBR" in regions.EUROPE
    assert regions.EU27 < regions.EUROPE
    assert {"CHE", "NOR", "ISL", "LIE"} <= regions.EUROPE
    assert "RUS" not in regions.EUROPE
    assert regions.REGIONS["china"].members == {"CHN"}
    assert regions.country_name("KOR") == "South Korea"  # pycountry common_name
    assert regions.country_name("TWN") == "Taiwan"
    assert regions.country_name("XXX") == "XXX"


@pytest.mark.parametrize("df,tabulated,tol", [(3, 3.182446, 1e-3), (5, 2.570582, 5e-5),
                                              (10, 2.228139, 1e-6), (30, 2.042272, 1e-6),
                                              (1000, 1.962339, 1e-6)])
def test_t_quantile_matches_tables(df, tabulated, tol):
    assert P.t_quantile_975(df) == pytest.approx(tabulated, abs=tol)


def test_unknown_parameter_lists_the_valid_ones():
    ind = registry.get("notable_models_by_country")
    with pytest.raises(UsageError, match="valid: since, until, attribution, fold_hong_kong"):
        ind.bind({"country": "USA"})


@pytest.mark.parametrize("raw,message", [
    ({"since": "twenty"}, "since='twenty' is not a valid int"),
    ({"since": 2020.5}, "not a valid int"),
    ({"since": True}, "not a valid int"),
    ({"fold_hong_kong": "maybe"}, "not a valid bool"),
    ({"attribution": "equal"}, "not one of: each, fractional, first"),
])
def test_ill_typed_parameters_are_usage_errors(raw, message):
    with pytest.raises(UsageError, match=message):
        registry.get("notable_models_by_country").bind(raw)


def test_parameters_are_coerced_from_text_and_none_means_default():
    bound = registry.get("notable_models_by_country").bind(
        {"since": "2019", "fold_hong_kong": "yes", "attribution": None})
    assert bound == {"since": 2019, "until": None, "attribution": "each", "fold_hong_kong": True,
                     "per": None, "share_of": None}  # the normalised views (views.py)


def test_unknown_indicator_lists_valid_ids():
    with pytest.raises(UsageError) as err:
        registry.get("models_by_nation")
    assert "notable_models_by_country" in err.value.hint


def _trend_home(tmp_path, points):
    rows = [model(f"m{i}", day.isoformat(), ["USA"], compute=flop, parameters=flop / 1e10,
                  cost=flop / 1e15) for i, (day, flop) in enumerate(points)]
    write_warehouse(tmp_path, rows)
    return tmp_path


def test_trend_recovers_an_exact_slope(tmp_path):
    days = [dt.date(2012, 3, 1), dt.date(2014, 7, 9), dt.date(2017, 1, 30), dt.date(2020, 12, 1),
            dt.date(2023, 5, 17)]
    points = [(d, 10 ** (18 + 0.5 * (decimal_year(d) - 2012))) for d in days]
    home = _trend_home(tmp_path, points)
    row = api.compute("training_compute_trend", home=home).to_pylist()[0]
    assert row["n"] == 5
    assert row["slope_per_year"] == pytest.approx(0.5, rel=1e-9)
    assert row["slope_se"] == pytest.approx(0.0, abs=1e-6)
    assert row["doubling_months"] == pytest.approx(12 * math.log10(2) / 0.5, rel=1e-9)
    assert row["growth_per_year"] == pytest.approx(10 ** 0.5, rel=1e-9)
    assert row["r_squared"] == pytest.approx(1.0)
    # The other trends fit the same dates on values shifted by a constant factor.
    params = api.compute("parameter_count_trend", home=home).to_pylist()[0]
    assert params["slope_per_year"] == pytest.approx(0.5, rel=1e-9)


def test_trend_interval_matches_textbook_least_squares(tmp_path):
    rng = np.random.default_rng(7)
    days = [dt.date(2010, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 5000, 25)]
    x = np.array([decimal_year(d) for d in days])
    y = 20 + 0.6 * (x - 2010) + rng.normal(0, 0.4, x.size)
    home = _trend_home(tmp_path, [(d, 10 ** v) for d, v in zip(days, y)])
    row = api.compute("training_compute_trend", home=home).to_pylist()[0]
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    se = math.sqrt(resid @ resid / (x.size - 2) / ((x - x.mean()) @ (x - x.mean())))
    t = 2.068658  # Student t, 0.975 quantile, 23 degrees of freedom
    assert row["slope_per_year"] == pytest.approx(slope, rel=1e-9)
    assert row["slope_se"] == pytest.approx(se, rel=1e-9)
    assert row["slope_low"] == pytest.approx(slope - t * se, rel=1e-4)
    assert row["doubling_months_low"] == pytest.approx(12 * math.log10(2) / (slope + t * se),
                                                       rel=1e-4)
    since = api.compute("training_compute_trend", home=home, since=2015).to_pylist()[0]
    assert since["n"] == sum(d.year >= 2015 for d in days)


@pytest.mark.parametrize("raw,message", [
    ({"span": "0"}, "span='0' is out of range (expected 1 to 50)"),
    ({"span": -1}, "span=-1 is out of range"),
    ({"span": 51}, "span=51 is out of range"),
    ({"min_score": "-3"}, "min_score='-3' is out of range (expected 0.0 to 1.0)"),
    ({"min_score": "1.5"}, "is out of range"),
    ({"min_score": "nan"}, "is out of range"),  # NaN compares false with any bound
])
def test_out_of_range_parameters_are_usage_errors(raw, message):
    with pytest.raises(UsageError, match=re.escape(message)) as err:
        registry.get("ai_publications_growth").bind(raw)
    assert "Years over which" in err.value.hint or "Minimum score" in err.value.hint


def test_bounds_are_inclusive():
    ind = registry.get("ai_publications_growth")
    assert ind.bind({"span": "1", "min_score": "0"})["span"] == 1
    assert ind.bind({"span": 50, "min_score": 1.0})["min_score"] == 1.0
    limit = registry.get("top_organizations")
    assert limit.bind({"limit": "1"})["limit"] == 1
    with pytest.raises(UsageError, match=re.escape("limit='0' is out of range (expected >= 1)")):
        limit.bind({"limit": "0"})


def test_bounds_are_described_and_one_sided_bounds_read_well():
    span = next(p for p in registry.get("ai_publications_growth").describe()["parameters"]
                if p["name"] == "span")
    assert (span["minimum"], span["maximum"]) == (1, 50)
    at_most = registry.Param("n", int, 3, "how many", maximum=10)
    assert at_most.coerce("10") == 10 and at_most.bounds() == "<= 10"
    with pytest.raises(UsageError, match=re.escape("n=11 is out of range (expected <= 10)")):
        at_most.coerce(11)
    assert registry.Param("n", int, 3, "how many").bounds() == ""


def test_a_function_default_that_differs_from_the_declared_one_is_refused():
    """The declaration is the one source of a default: a drifting function default fails at
    registration, and nothing is registered."""
    from aiatlas.indicators import registry as reg

    def drifting(t, since=2010):
        return t.models

    with pytest.raises(ValueError, match=r"drifting\(since=2010\) but the declared default is 2000"):
        reg.indicator(id="test_drifting_default", title="t", unit="models", chapter="test",
                      description="d", sources=("models",), grain=("year",),
                      params=(reg.Param("since", int, 2000, "first year"),))(drifting)
    assert "test_drifting_default" not in reg.REGISTRY
