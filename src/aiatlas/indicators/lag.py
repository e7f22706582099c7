"""Lag in months of a trailing group behind a leading one, on any dated score: the one definition
behind capability_lag_months (ECI), benchmark_lag_months and arena_lag_months.

Input is a table of `items` (a model's score, or one score row): `side` ('leader' or 'follower'),
`item` (the model, for counting and for the random stream), `date` (when it was available),
`score`, and `score_low`/`score_high` (its interval, NULL when none). For each month M of the
measure's data, the leader's best score L is the highest of its items dated by the end of M;
`leader_date` is when the leader first reached L, `follower_date` when the trailing group first
did (any time in the data, also after M). The lag is follower_date - leader_date. When no
trailing item has reached L yet, the lag is a lower bound: the newest date in the data minus
leader_date ("at least N months").

The interval resamples every score within its interval (a split normal: the interval's lower and
upper halves are `z` standard deviations each) and recomputes the lag per draw; `lag_months_low`
/ `high` are the 5th and 95th percentiles over the draws (draws where the follower has not caught
up count with their lower bound, so the interval is then a lower bound too). A score without an
interval is the same in every draw.

Two limits of the evidence (both optional, both general):
* Scales. Items and dates may carry a `segment` (the first date of the scale their score is
  on; a measure without one is a single scale). A month is read on the scale of its newest
  date; its leader best, both reach dates and a lag not yet closed use only that scale's
  items, and an open lag stops at the scale's newest date ("at least"), never crossing a break.
* Gaps. With `max_gap_days`, dates are observations (a board listing a model), and a date
  that follows a silence in the data longer than that stands for any day of the silence: the
  lag's range then reaches from the silence's start (the follower may have caught up in it, or
  the leader have appeared in it) to the observed date.
"""
from __future__ import annotations

import ibis
import numpy as np
import pyarrow as pa

from aiatlas.indicators.params import one_per_process
from aiatlas.indicators.registry import Param

DAYS_PER_MONTH = 365.25 / 12
Z90 = 1.6448536269514722  # a 90% interval is +-Z90 standard deviations (ECI)
Z95 = 1.959963984540054  # a 95% interval is +-Z95 standard deviations (Arena)
SLOTS = 512  # distinct random streams; item k uses stream k mod SLOTS
SEED = 20261202  # fixed: the same data gives the same interval on every engine and every run

# The pair compared, shared by every lag indicator.
GROUP = Param("group", str, "openness", "openness (closed leads, open trails) or country (leader "
              "and follower)", choices=("openness", "country"))
LEADER = Param("leader", str, "USA", "Leading country (ISO alpha-3), with group=country")
FOLLOWER = Param("follower", str, "CHN", "Trailing country (ISO alpha-3), with group=country")
DRAWS = Param("draws", int, 100, "Resamples of the scores within their intervals, for the "
              "lag's interval", minimum=20, maximum=500, structural=True)
# The columns every lag indicator returns, in this order, after its grain.
COLUMNS = ("lag_months", "lower_bound", "lag_months_low", "lag_months_high", "leader_best",
           "leader_date", "follower_date", "reached_share", "follower_models")
DEFINITION = ("how long the trailing group (open-weight models, or the follower country) took, "
              "or has so far taken, to reach the best score the leading group (closed models, or "
              "the leader country) had by the end of the month: the follower's date minus the "
              "leader's date, in months of 30.44 days. When no trailing model has reached that "
              "score yet, the row is marked as a lower bound: the lag is then at least the "
              "months from the leader's date to the newest date in the data. The share reached "
              "is the share of resamples in which the score was reached; the follower's models "
              "are the trailing group's models in the data (none: no lag can be told).")


def comparison(group: str, leader: str, follower: str) -> ibis.Value:
    """The pair in words, leader first: 'closed vs open' or 'USA vs CHN'; written in the
    query, so the countries reach it only as literals and one compiled query serves every
    pair (sqltemplate.py)."""
    if group == "openness":
        return ibis.literal("closed vs open")
    return ibis.literal(leader, "string") + " vs " + ibis.literal(follower, "string")


def side_of(label: ibis.Value, group: str, leader: str, follower: str) -> ibis.Value:
    """'leader', 'follower' or NULL for a group label (open / closed, or an ISO3 country)."""
    a, b = ("closed", "open") if group == "openness" else (leader, follower)
    return ibis.cases((label == a, "leader"), (label == b, "follower"), else_=ibis.null("string"))


@one_per_process
def _normal_draws(draws: int) -> ibis.Table:
    """(draw, slot, z): standard normal draws, draw 0 is the central estimate (z = 0). Made once
    per number of draws: the same in-memory table is reused by every query."""
    z = np.random.default_rng(SEED).standard_normal((draws + 1, SLOTS))
    z[0] = 0.0
    draw, slot = np.divmod(np.arange((draws + 1) * SLOTS), SLOTS)
    return ibis.memtable(pa.table({"draw": draw, "slot": slot, "z": z.ravel()}))


def _one_scale(table: ibis.Table) -> ibis.Table:
    """A measure with no scale breaks: every row on one scale."""
    return table if "segment" in table.columns else table.mutate(segment=ibis.literal(0))


def monthly_lags(items: ibis.Table, dates: ibis.Table, draws: int, z: float,
                 max_gap_days: int | None = None) -> ibis.Table:
    """(draw, month, segment, best, leader_date, follower_date, lag_days, low_days, high_days,
    reached) for draw 0..draws.

    `dates` (a `date` column) holds every dated row of the measure, of any group: its months are
    the months reported, the newest date of a scale ends a lag not yet closed on it. `segment`
    ids must grow with time (each month is read on the scale of its newest date)."""
    items, dates = _one_scale(items), _one_scale(dates)
    dates = dates.filter(dates.date.notnull())
    months = dates.group_by(month=dates.date.truncate("M")).aggregate(segment=dates.segment.max())
    spans = dates.group_by("segment").aggregate(start=dates.date.min().truncate("M"),
                                                end=dates.date.max())
    m = items.filter(items.side.notnull() & items.date.notnull() & items.score.notnull())
    m = m.join(spans, "segment")
    # an item rated on a scale counts from the scale's first month, if it came earlier
    m = m.mutate(month=ibis.greatest(m.date.truncate("M"), m.start))
    m = m.mutate(slot=(ibis.row_number().over(order_by=[m.item, m.side, m.date, m.score]) % SLOTS))
    m = m.join(_normal_draws(draws), "slot")
    half = ibis.ifelse(m.z < 0, m.score - m.score_low, m.score_high - m.score).fill_null(0.0)
    m = m.mutate(drawn=m.score + m.z * half / z)
    lead = m.filter(m.side == "leader")
    # best leader score by the end of each month, per draw, on the month's scale
    grid = months.cross_join(lead.select("draw").distinct())
    monthly = lead.group_by(["draw", "segment", "month"]).aggregate(top=lead.drawn.max())
    g = grid.left_join(monthly, ["draw", "segment", "month"]).select(
        grid.draw, grid.month, grid.segment, monthly.top)
    g = g.mutate(best=g.top.max().over(ibis.window(group_by=[g.draw, g.segment], order_by=g.month,
                                                   preceding=None, following=0)))
    g = g.filter(g.best.notnull())
    # one non-equi join for both sides: the first date each side reached the leader's best.
    # Every (draw, month) of g is in it (its best is a leader item's own score), so its rows
    # come out of the join's grouping, not of g joined again (Spark would compute g twice).
    j = g.join(m, (g.draw == m.draw) & (g.segment == m.segment) & (m.drawn >= g.best))
    first = j.group_by([g.draw, g.month, g.segment, g.best]).aggregate(
        leader_date=j.date.min(where=j.side == "leader"),
        follower_date=j.date.min(where=j.side == "follower"))
    out = first.join(spans, "segment").select(
        first.draw, first.month, first.segment, first.best, first.leader_date,
        first.follower_date, spans.end)
    # the earliest day each observed date stands for: itself, or after a long silence its start
    d = dates.select("date").distinct()
    d = d.mutate(prev=d.date.lag().over(order_by=d.date))
    if max_gap_days is None:  # dates are exact (a release), not observations
        d = d.mutate(since=d.date)
    else:
        long_gap = (d.date.epoch_days() - d.prev.epoch_days()) > max_gap_days
        d = d.mutate(since=ibis.ifelse(long_gap, d.prev, d.date))
    fs, ls = d.select(f_date="date", f_since="since"), d.select(l_date="date", l_since="since")
    out = out.left_join(fs, out.follower_date == fs.f_date).drop("f_date")
    out = out.left_join(ls, out.leader_date == ls.l_date).drop("l_date")
    stop = out.follower_date.coalesce(out.end)
    start = out.leader_date.epoch_days()
    return out.mutate(lag_days=stop.epoch_days() - start,
                      low_days=out.f_since.coalesce(stop).epoch_days() - start,
                      high_days=stop.epoch_days() - out.l_since.coalesce(out.leader_date).epoch_days(),
                      reached=out.follower_date.notnull())


def lag_months(items: ibis.Table, dates: ibis.Table, draws: int, z: float,
               pair: ibis.Value, max_gap_days: int | None = None,
               segment_as: str | None = None) -> ibis.Table:
    """Per month: the central lag in months, whether it is a lower bound, its 5-95% band over
    `draws` resamples (widened over silences in the data, see the module), and the dates and
    score behind it (columns: month, comparison, COLUMNS; with `segment_as`, the month's scale
    under that name last)."""
    lags = monthly_lags(items, dates, draws, z, max_gap_days)
    # one pass over the draws of each month (Spark would compute `lags` again for each part):
    # draw 0's row is the central estimate, draws 1.. give the band
    lags = lags.mutate(sampled=lags.draw > 0)
    # 5th and 95th percentiles as order statistics (positions 0-based), identical on every engine
    lo, hi = int(0.05 * (draws - 1)), int(round(0.95 * (draws - 1)))
    pos = {c: ibis.row_number().over(ibis.window(group_by=[lags.month, lags.sampled],
                                                 order_by=[lags[c], lags.draw]))
           for c in ("low_days", "high_days")}
    r = lags.mutate(pos_low=pos["low_days"], pos_high=pos["high_days"])
    central = {c: r[c].max(where=~r.sampled)
               for c in ("segment", "best", "leader_date", "follower_date", "lag_days")}
    out = r.group_by("month").aggregate(
        **central,
        low=r.low_days.max(where=r.sampled & (r.pos_low == lo)),
        high=r.high_days.max(where=r.sampled & (r.pos_high == hi)),
        reached_share=r.reached.cast("float64").mean(where=r.sampled))
    followers = items.filter(items.side == "follower").item.nunique().as_scalar()
    # float division: Spark would divide an integer by a literal in DECIMAL and round
    months = {c: out[c].cast("float64") / DAYS_PER_MONTH for c in ("lag_days", "low", "high")}
    return out.select(
        out.month, comparison=pair,
        lag_months=months["lag_days"], lower_bound=out.follower_date.isnull(),
        lag_months_low=months["low"], lag_months_high=months["high"],
        leader_best=out.best, leader_date=out.leader_date, follower_date=out.follower_date,
        reached_share=out.reached_share, follower_models=followers,
        **({segment_as: out.segment} if segment_as else {})).order_by("month")


def holders(items: ibis.Table, dates: ibis.Table) -> ibis.Table:
    """Per month, the leader's item that set the best score and the first trailing item to reach
    it (central estimates), as `items` rows with `month` and `leader_best`: the lag is the
    follower row's date minus the leader row's."""
    items = _one_scale(items)
    lags = monthly_lags(items, dates, 1, 1.0)
    lags = lags.filter(lags.draw == 0)
    parts = []
    for side, date in (("leader", "leader_date"), ("follower", "follower_date")):
        s = items.filter(items.side == side)
        j = lags.join(s, (s.date == lags[date]) & (s.segment == lags.segment) & (s.score >= lags.best))
        parts.append(j.select(lags.month, *[s[c] for c in items.columns
                                            if c not in ("month", "leader_best", "segment")],
                              leader_best=lags.best))
    return parts[0].union(parts[1])
