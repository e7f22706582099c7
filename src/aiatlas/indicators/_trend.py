"""Exponential trend fitting as a pure Ibis expression (one function, shared by chapters)."""
from __future__ import annotations

import math

import ibis


def exponential_trend(rows: ibis.Table, x: str, y: str) -> ibis.Table:
    """Least-squares fit of ln(y) = intercept + slope * x over rows with y > 0.

    Returns one row: `slope` (per unit of x), `intercept`, `points`, and `doubling_time`
    (ln 2 / slope, in units of x; NULL when the slope is not positive).
    """
    fit = rows.filter(rows[y] > 0).mutate(_ly=rows[y].ln())
    agg = fit.aggregate(points=fit.count(), _mx=fit[x].mean(), _my=fit._ly.mean(),
                        _cov=fit[x].cov(fit._ly, how="pop"), _var=fit[x].var(how="pop"))
    slope = agg._cov / agg._var
    agg = agg.mutate(slope=slope, intercept=agg._my - slope * agg._mx)
    doubling = ibis.ifelse(agg.slope > 0, math.log(2) / agg.slope, ibis.null().cast("float64"))
    return agg.mutate(doubling_time=doubling).select("slope", "intercept", "points",
                                                     "doubling_time")
