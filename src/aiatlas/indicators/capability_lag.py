"""Capability lag in months on the Epoch Capabilities Index: how long the trailing group took (or
has so far taken) to reach the leading group's best score, with an interval from ECI's own.

For each month M (months in which some ECI model was released), the leader's best score L is the
highest ECI of its models released by the end of M; `leader_date` is when the leader first reached
L, `follower_date` when the trailing group first did (any time in the data, also after M). The
lag is follower_date - leader_date. When no trailing model has reached L yet, the lag is a lower
bound: the newest release date in the data minus leader_date ("at least N months").

The interval resamples every model's score within its 90% interval (a split normal: the
interval's lower and upper halves are 1.645 standard deviations each) and recomputes the lag per
draw; `lag_months_low`/`high` are the 5th and 95th percentiles over the draws (draws where the
follower has not caught up count with their lower bound, so the interval is then a lower bound
too).
"""
from __future__ import annotations

from functools import cache

import ibis
import numpy as np
import pyarrow as pa

from aiatlas.indicators.registry import Param, indicator

DAYS_PER_MONTH = 365.25 / 12
Z90 = 1.6448536269514722  # the 95th percentile of the standard normal: a 90% interval is +-Z90 sd
SLOTS = 512  # distinct random streams; model k uses stream k mod SLOTS
SEED = 20261202  # fixed: the same data gives the same interval on every engine and every run
OPENNESS = {"Closed weights": "closed", "Open weights": "open"}  # 'Other' (unknown) is left out

GROUP = Param("group", str, "openness", "openness (closed leads, open trails) or country (leader "
              "and follower)", choices=("openness", "country"))
LEADER = Param("leader", str, "USA", "Leading country (ISO alpha-3), with group=country")
FOLLOWER = Param("follower", str, "CHN", "Trailing country (ISO alpha-3), with group=country")
DRAWS = Param("draws", int, 100, "Resamples of the ECI scores for the interval", minimum=20,
              maximum=500, structural=True)


@cache
def _normal_draws(draws: int) -> ibis.Table:
    """(draw, slot, z): standard normal draws, draw 0 is the central estimate (z = 0). Made once
    per number of draws: the same in-memory table is reused by every query."""
    z = np.random.default_rng(SEED).standard_normal((draws + 1, SLOTS))
    z[0] = 0.0
    draw, slot = np.divmod(np.arange((draws + 1) * SLOTS), SLOTS)
    return ibis.memtable(pa.table({"draw": draw, "slot": slot, "z": z.ravel()}))


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


def comparison(group: str, leader: str, follower: str) -> str:
    """The pair in words, leader first: 'closed vs open' or 'USA vs CHN'."""
    return "closed vs open" if group == "openness" else f"{leader} vs {follower}"


def _comparison_expr(group: str, leader: str, follower: str) -> ibis.Value:
    """`comparison` written in the query: the countries reach it only as literals, so one
    compiled query serves every pair (sqltemplate.py)."""
    if group == "openness":
        return ibis.literal(comparison(group, leader, follower))
    return ibis.literal(leader, "string") + " vs " + ibis.literal(follower, "string")


def _lags(t, group: str, leader: str, follower: str, draws: int) -> ibis.Table:
    """(draw, month, best, leader_date, follower_date, lag_days, reached) for draw 0..draws."""
    e = t.eci_scores
    end = e.filter(e.release_date.notnull()).release_date.max().as_scalar()
    months = e.filter(e.release_date.notnull()).select(month=e.release_date.truncate("M")).distinct()
    m = labelled(t, group, leader, follower)
    m = m.mutate(slot=(ibis.row_number().over(order_by=[m.model_id, m.side]) % SLOTS))
    m = m.join(_normal_draws(draws), "slot")
    half = ibis.ifelse(m.z < 0, m.eci - m.eci_low, m.eci_high - m.eci).fill_null(0.0)
    m = m.mutate(score=m.eci + m.z * half / Z90)
    lead = m.filter(m.side == "leader")
    # best leader score by the end of each month, per draw
    grid = months.cross_join(lead.select("draw").distinct())
    monthly = lead.group_by(["draw", "month"]).aggregate(top=lead.score.max())
    g = grid.left_join(monthly, ["draw", "month"]).select(grid.draw, grid.month, monthly.top)
    g = g.mutate(best=g.top.max().over(ibis.window(group_by=g.draw, order_by=g.month,
                                                   preceding=None, following=0)))
    g = g.filter(g.best.notnull())
    # one non-equi join for both sides: the first date each side reached the leader's best
    j = g.join(m, (g.draw == m.draw) & (m.score >= g.best))
    first = j.group_by([g.draw, g.month]).aggregate(
        leader_date=j.release_date.min(where=j.side == "leader"),
        follower_date=j.release_date.min(where=j.side == "follower"))
    out = g.join(first, ["draw", "month"]).select(g.draw, g.month, g.best, first.leader_date,
                                                   first.follower_date)
    stop = out.follower_date.coalesce(end)
    return out.mutate(lag_days=stop.epoch_days() - out.leader_date.epoch_days(),
                      reached=out.follower_date.notnull())


def _lag_rows(t, group="openness", leader="USA", follower="CHN", draws=100):
    """Per month, the leader's model that set the best score and the first trailing model to
    reach it (central estimates): lag = the follower row's release_date - the leader row's."""
    lags = _lags(t, group, leader, follower, 1)
    lags = lags.filter(lags.draw == 0)
    m = labelled(t, group, leader, follower)
    rows = []
    for side, date in (("leader", "leader_date"), ("follower", "follower_date")):
        s = m.filter(m.side == side)
        j = lags.join(s, (s.release_date == lags[date]) & (s.eci >= lags.best))
        rows.append(j.select(lags.month, side=s.side, model=s.model, display_name=s.display_name,
                             organization=s.organization, countries=s.countries,
                             release_date=s.release_date, eci=s.eci, eci_low=s.eci_low,
                             eci_high=s.eci_high, leader_best=lags.best))
    return rows[0].union(rows[1]).order_by(["month", "side", "model"])


@indicator(id="capability_lag_months", title="Capability lag in months (Epoch Capabilities Index)",
           unit="months", chapter="performance", sources=("eci_scores",), grain=("month",),
           value_columns=("lag_months", "lower_bound", "lag_months_low", "lag_months_high",
                          "leader_best", "leader_date", "follower_date", "reached_share",
                          "follower_models"),
           description="For each month, how long the trailing group (open-weight models, or the "
                       "follower country) took to reach the best ECI score the leading group "
                       "(closed models, or the leader country) had by then: follower_date - "
                       "leader_date in months of 30.44 days. lower_bound = true when no trailing "
                       "model has reached it yet: the lag is then at least the months from "
                       "leader_date to the newest release in the data. lag_months_low/high: 5th "
                       "and 95th percentiles over resamples of every score within ECI's 90% "
                       "interval; reached_share: share of resamples in which it was reached; "
                       "follower_models: trailing-group models in the data (0: no lag can be told). "
                       "Models with accessibility 'Other' (unknown) are left out; a model of "
                       "several countries counts for each.",
           params=(GROUP, LEADER, FOLLOWER, DRAWS), rows=_lag_rows)
def capability_lag_months(t, group="openness", leader="USA", follower="CHN", draws=100):
    """Lag of the trailing group behind the leader's best ECI, per month, with its interval."""
    lags = _lags(t, group, leader, follower, draws)
    central = lags.filter(lags.draw == 0)
    sampled = lags.filter(lags.draw > 0)
    w = ibis.window(group_by=sampled.month, order_by=[sampled.lag_days, sampled.draw])
    ranked = sampled.mutate(pos=ibis.row_number().over(w))
    # 5th and 95th percentiles as order statistics (positions 0-based), identical on every engine
    lo, hi = int(0.05 * (draws - 1)), int(round(0.95 * (draws - 1)))
    band = ranked.group_by("month").aggregate(
        low=ranked.lag_days.max(where=ranked.pos == lo), high=ranked.lag_days.max(where=ranked.pos == hi),
        reached_share=ranked.reached.cast("float64").mean())
    m = labelled(t, group, leader, follower)
    followers = m.filter(m.side == "follower").model_id.nunique().as_scalar()
    out = central.join(band, "month")
    # float division: Spark would divide an integer by a literal in DECIMAL and round
    months = {c: out[c].cast("float64") / DAYS_PER_MONTH for c in ("lag_days", "low", "high")}
    return out.select(
        out.month, comparison=_comparison_expr(group, leader, follower),
        lag_months=months["lag_days"], lower_bound=~out.reached,
        lag_months_low=months["low"], lag_months_high=months["high"],
        leader_best=out.best, leader_date=out.leader_date, follower_date=out.follower_date,
        reached_share=out.reached_share, follower_models=followers).order_by("month")
