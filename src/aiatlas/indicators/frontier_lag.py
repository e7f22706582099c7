"""Lag in months on the benchmark frontier and on the Arena, with the same definition as
capability_lag_months (`lag.py`), and the three measures side by side.

Benchmark: each score row is an item, dated as benchmark_frontier dates it (the model's
availability), so the leader's best is benchmark_frontier's value. Arena: ratings compare only
within one rating scale (`arena_ratings.rating_scale`), so each model counts, on each scale, with
its rating on the newest board of that scale that lists it (with its 95% interval), and is dated
by its first board: an Arena key is often a dated checkpoint (qwen-vl-max-2025-08-13) of a model
whose release date is its family's first. A lag never crosses a scale break (`lag.py`).
"""
from __future__ import annotations

import ibis

from aiatlas.indicators import lag
from aiatlas.indicators.capability_lag import _lag_rows as _eci_rows
from aiatlas.indicators.capability_lag import capability_lag_months
from aiatlas.indicators.lag import DRAWS, FOLLOWER, GROUP, LEADER, comparison, side_of
from aiatlas.indicators.performance import (
    ARENA_JOINS,
    BENCHMARK_JOINS,
    CATEGORY,
    IDENTITY,
    _arena,
    _scores,
)
from aiatlas.indicators.registry import Param, indicator
from aiatlas.sources.epoch_eci import FILE as ECI_FILE
from aiatlas.sources.lmarena import SCALE_BREAK_POINTS

CHAPTER = "performance"
BENCHMARK = Param("benchmark", str, "gpqa_diamond", "Benchmark id as in benchmark_scores.benchmark "
                  "(gpqa_diamond, mmlu, ...)", values_from=("benchmark_scores", "benchmark"))
# The measures compared side by side: ECI, two benchmark frontiers, the Arena's overall board.
COMPARED_BENCHMARKS = ("gpqa_diamond", "mmlu")
ARENA_CATEGORY = "overall"
BENCHMARK_DRAWS = 1  # benchmark scores carry no interval: every resample is the central one
# LMArena published a board every one to five weeks (at most 37 days apart outside the 2025
# silence of the catalog's history); a longer silence is missing data, and a model first listed
# after it may have appeared on any day of it.
ARENA_MAX_GAP_DAYS = 45


def _benchmark_items(t, benchmark: str, group: str, leader: str, follower: str):
    """(items, dates): every score row of the benchmark, in percent, with its side."""
    s = _scores(t, benchmark, group)
    items = s.mutate(side=side_of(s.group, group, leader, follower), item=s.model_id,
                     score=s.score * 100, score_low=ibis.null("float64"),
                     score_high=ibis.null("float64"))
    return items, s.select("date")


def _arena_items(t, category: str, group: str, leader: str, follower: str):
    """(items, dates): each Arena model's rating on the newest board of each rating scale that
    lists it, dated by its first board; the dates are every board's, with its scale."""
    a = _arena(t, category, group)
    newest = ibis.window(group_by=[a.arena_key, a.rating_scale], order_by=ibis.desc(a.date))
    a = a.mutate(first_seen=a.date.min().over(ibis.window(group_by=a.arena_key)),
                 n=ibis.row_number().over(newest))
    m = a.filter(a.n == 0)
    items = m.select(side=side_of(m.group, group, leader, follower), item=m.arena_key,
                     model=m.model, arena_key=m.arena_key, date=m.first_seen, score=m.rating,
                     score_low=m.ci_low, score_high=m.ci_high, board_date=m.date, file=m.file,
                     segment=m.rating_scale)
    return items, a.select("date", segment=a.rating_scale)


def _benchmark_rows(t, benchmark="gpqa_diamond", group="openness", leader="USA", follower="CHN"):
    """Per month, the leader's score row that set the best and the first trailing row to reach it."""
    h = lag.holders(*_benchmark_items(t, benchmark, group, leader, follower))
    return h.select("month", "side", "model", "model_id", "date", "score", "leader_best", "key",
                    "source", "file", "row").order_by(["month", "side", "model"])


@indicator(id="benchmark_lag_months", title="Lag in months on a benchmark frontier",
           unit="months", chapter=CHAPTER, sources=IDENTITY, joins=BENCHMARK_JOINS, grain=("month",),
           value_columns=lag.COLUMNS,
           description="For each month with a score on the benchmark, " + lag.DEFINITION
                       + " Scores (in percent) are the best scores by group (the benchmark "
                       "frontier), dated when the model became available; they carry no "
                       "interval, so the lag's lower and upper values equal the lag. Models "
                       "with no known group are left out.",
           params=(BENCHMARK, GROUP, LEADER, FOLLOWER), rows=_benchmark_rows)
def benchmark_lag_months(t, benchmark="gpqa_diamond", group="openness", leader="USA",
                         follower="CHN"):
    """Lag of the trailing group behind the leader's best score on one benchmark, per month."""
    return lag.lag_months(*_benchmark_items(t, benchmark, group, leader, follower),
                          BENCHMARK_DRAWS, lag.Z95, comparison(group, leader, follower))


def _arena_rows(t, group="openness", leader="USA", follower="CHN", category="overall",
                draws=100):
    """Per month, the leader's Arena model that set the best rating and the first trailing
    model to reach it, with the board its rating is read from."""
    h = lag.holders(*_arena_items(t, category, group, leader, follower))
    return h.select("month", "side", "model", "arena_key", "date", "score", "score_low",
                    "score_high", "leader_best", "board_date", "file").order_by(
        ["month", "side", "model"])


@indicator(id="arena_lag_months", title="Lag in months on the Arena (best rating)",
           unit="months", chapter=CHAPTER, sources=IDENTITY, joins=ARENA_JOINS, grain=("month",),
           value_columns=(*lag.COLUMNS, "rating_scale"),
           description="For each month in which a board was published, " + lag.DEFINITION
                       + " Ratings compare only within one rating scale (dated by its first "
                       "board; a new scale starts where the whole board moved by more than "
                       f"{SCALE_BREAK_POINTS:.0f} points), so each month is read on the scale of "
                       "its newest board: each model counts with its rating on the newest board "
                       "of that scale that lists it, dated by the first board that lists it (an "
                       "Arena key is often a dated checkpoint of an older model), and a lag not "
                       "closed on that scale is a lower bound up to the scale's last board, never "
                       "carried across the break. The lag's lower and upper values are the 5th "
                       "and 95th percentiles over resamples within the ratings' 95% intervals (a rating without one "
                       "is fixed), widened where a date follows more than "
                       f"{ARENA_MAX_GAP_DAYS} days without a board: the model may have appeared "
                       "on any day of that silence.",
           params=(GROUP, LEADER, FOLLOWER, CATEGORY, DRAWS), rows=_arena_rows)
def arena_lag_months(t, group="openness", leader="USA", follower="CHN", category="overall",
                     draws=100):
    """Lag of the trailing group behind the leader's best Arena rating, per month."""
    return lag.lag_months(*_arena_items(t, category, group, leader, follower), draws, lag.Z95,
                          comparison(group, leader, follower), ARENA_MAX_GAP_DAYS, "rating_scale")


def _measures(t, group: str, leader: str, follower: str, rows: bool) -> list[ibis.Table]:
    """Each measure's lags (or rows behind them), with its `measure` label first."""
    eci = (_eci_rows(t, group, leader, follower, DRAWS.default) if rows else
           capability_lag_months(t, group, leader, follower, DRAWS.default))
    if rows:
        # eci_scores is read from its one export file: named so the chart's source line can say so
        eci = eci.select("month", "side", "model", date=eci.release_date, score=eci.eci,
                         leader_best=eci.leader_best, file=ibis.literal(ECI_FILE))
    parts = [("eci", eci)]
    for b in COMPARED_BENCHMARKS:
        part = (_benchmark_rows if rows else benchmark_lag_months)(t, b, group, leader, follower)
        parts.append((b, part))
    arena = (_arena_rows if rows else arena_lag_months)(t, group, leader, follower,
                                                         ARENA_CATEGORY, DRAWS.default)
    parts.append((f"arena_{ARENA_CATEGORY}", arena))
    cols = ("month", "side", "model", "date", "score", "leader_best", "file") if rows else (
        "month", "comparison", *lag.COLUMNS)
    # the Arena's scale travels with its lags (the other measures have one scale each)
    scale = [] if rows else ["rating_scale"]
    return [p.select(ibis.literal(name).name("measure"), *[p[c] for c in cols],
                     *[p[c] if c in p.columns else ibis.null("date").name(c) for c in scale])
            for name, p in parts]


def _compared_rows(t, group="openness", leader="USA", follower="CHN"):
    """The rows behind each measure's lag: the leader's record and the first trailing model."""
    parts = _measures(t, group, leader, follower, rows=True)
    # date, score and file break ties of one model in one month: the same order on every run
    return ibis.union(*parts).order_by(["measure", "month", "side", "model", "date", "score", "file"])


@indicator(id="lag_months_compared", title="Lag in months on three measures: ECI, benchmarks, Arena",
           unit="months", chapter=CHAPTER, sources=("eci_scores", *IDENTITY),
           grain=("measure", "month"), value_columns=(*lag.COLUMNS, "rating_scale"),
           description="The capability lag on Epoch's Capabilities Index (ECI), the benchmark "
                       "lag on GPQA Diamond and MMLU, and the Arena lag on the overall board, "
                       "for the same pair, "
                       "one row per measure and month: the same definition on three kinds of "
                       "evidence. For each month, " + lag.DEFINITION + " The rating scale is the "
                       "Arena scale the month is read on (empty for the other measures).",
           params=(GROUP, LEADER, FOLLOWER), rows=_compared_rows)
def lag_months_compared(t, group="openness", leader="USA", follower="CHN"):
    """The lag in months of the same pair on ECI, two benchmark frontiers and the Arena."""
    return ibis.union(*_measures(t, group, leader, follower, rows=False)).order_by(
        ["measure", "month"])
