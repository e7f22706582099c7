"""Capability lag in months on the Epoch Capabilities Index: how long the trailing group took (or
has so far taken) to reach the leading group's best score, with an interval from ECI's own.

The definition is `lag.py`'s, shared with the benchmark and Arena lags: each ECI model is one
item dated by its release; the months are those in which some ECI model was released, and the
newest release ends a lag not yet closed. The interval resamples every score within ECI's 90%
interval.
"""
from __future__ import annotations

import ibis

from aiatlas.indicators import lag
from aiatlas.indicators.lag import DRAWS, FOLLOWER, GROUP, LEADER, comparison
from aiatlas.indicators.registry import indicator


def labelled(t, group: str, leader: str, follower: str) -> ibis.Table:
    """ECI models with a release date and their side: 'leader' or 'follower' (others dropped)."""
    e = t.eci_scores
    e = e.filter(e.release_date.notnull() & e.eci.notnull())
    if group == "openness":
        side = e.accessibility_group.substitute({"Closed weights": "leader", "Open weights": "follower"},
                                                else_=ibis.null("string"))
        out = e.mutate(side=side)
    else:
        u = e.mutate(country=e.countries.unnest())
        u = u.filter(u.country.isin((leader, follower)))
        side = ibis.ifelse(u.country == leader, "leader", "follower")
        out = u.mutate(side=side).drop("country")
    out = out.filter(out.side.notnull())
    return out.mutate(month=out.release_date.truncate("M"))


def _items(t, group: str, leader: str, follower: str) -> tuple[ibis.Table, ibis.Table]:
    """(items, dates) for `lag.py`: each labelled ECI model, and every ECI release date."""
    m = labelled(t, group, leader, follower)
    items = m.mutate(item=m.model_id, date=m.release_date, score=m.eci, score_low=m.eci_low,
                     score_high=m.eci_high)
    e = t.eci_scores
    return items, e.select(date=e.release_date)


def _lag_rows(t, group="openness", leader="USA", follower="CHN", draws=100):
    """Per month, the leader's model that set the best score and the first trailing model to
    reach it (central estimates): lag = the follower row's release_date - the leader row's."""
    h = lag.holders(*_items(t, group, leader, follower))
    return h.select("month", "side", "model", "display_name", "organization", "countries",
                    "release_date", "eci", "eci_low", "eci_high", "leader_best").order_by(
        ["month", "side", "model"])


@indicator(id="capability_lag_months", title="Capability lag in months (Epoch Capabilities Index)",
           unit="months", chapter="performance", sources=("eci_scores",), grain=("month",),
           value_columns=lag.COLUMNS,
           description="For each month, " + lag.DEFINITION + " Each ECI model counts from its "
                       "release date. The lag's lower and upper values are the 5th and 95th "
                       "percentiles over "
                       "resamples of every score within ECI's 90% interval. Models with "
                       "accessibility 'Other' (unknown) are left out; a model of several "
                       "countries counts for each.",
           params=(GROUP, LEADER, FOLLOWER, DRAWS), rows=_lag_rows)
def capability_lag_months(t, group="openness", leader="USA", follower="CHN", draws=100):
    """Lag of the trailing group behind the leader's best ECI, per month, with its interval."""
    return lag.lag_months(*_items(t, group, leader, follower), draws, lag.Z90,
                          comparison(group, leader, follower))


def _eci_model_rows(t):
    """The ECI models behind each count: one row per model and country, with its score."""
    e = t.eci_scores
    e = e.filter(e.release_date.notnull() & e.eci.notnull())
    u = e.mutate(country=e.countries.unnest())
    return u.select("country", year=u.release_date.year().cast("int64"), model=u.model,
                    model_id=u.model_id, release_date=u.release_date, eci=u.eci,
                    accessibility_group=u.accessibility_group).order_by(["country", "year", "model"])


@indicator(id="eci_models_by_country", title="Models scored on the Epoch Capabilities Index, by country",
           unit="models", chapter="performance", sources=("eci_scores",), grain=("country", "year"),
           description="ECI models released each year, by the countries of their organizations (a "
                       "model of several countries counts for each). A country with none has no "
                       "capability lag to tell.", rows=_eci_model_rows)
def eci_models_by_country(t):
    """Count of ECI-scored models per country and release year."""
    r = _eci_model_rows(t)
    return r.group_by(["country", "year"]).aggregate(value=r.model_id.nunique()).order_by(
        ["country", "year"])
