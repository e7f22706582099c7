"""The lag in months on the benchmark frontier and the Arena, on hand-worked fixtures: the same
definition as capability_lag_months (one function, lag.py), a follower that reaches the leader
after exactly 90 days, one that never does ('at least N months'), and the three side by side."""
from __future__ import annotations

import datetime as dt

import ibis
import pytest
from chips_helpers import write_warehouse
from conftest import once_per_request

from aiatlas.indicators import lag, registry
from aiatlas.indicators.lag import DAYS_PER_MONTH
from aiatlas.sources import lmarena
from aiatlas.sources.base import Rejects
from aiatlas.sources.lmarena import with_rating_scales
from aiatlas.warehouse.connect import Tables

D = dt.date.fromisoformat


def item(name, date, score, side, half=None):
    return {"item": name, "side": side, "date": D(date), "score": float(score),
            "score_low": None if half is None else score - half,
            "score_high": None if half is None else score + half}


# Leader A (100) on 2024-01-01, follower B reaches 100 on 2024-03-31: exactly 90 days. Leader C
# (120) on 2024-06-01, follower D (110) on 2024-09-01 never reaches it; the data ends 2024-10-15.
ITEMS = [item("A", "2024-01-01", 100, "leader"), item("B", "2024-03-31", 100, "follower"),
         item("C", "2024-06-01", 120, "leader"), item("D", "2024-09-01", 110, "follower")]
END = D("2024-10-15")


def generic(items, draws=20, z=lag.Z95, max_gap_days=None):
    t = ibis.memtable(items, schema={"item": "string", "side": "string", "date": "date",
                                     "score": "float64", "score_low": "float64",
                                     "score_high": "float64"})
    dates = ibis.memtable({"date": [r["date"] for r in items] + [END]})
    out = lag.lag_months(t, dates, draws, z, ibis.literal("a vs b"), max_gap_days)
    return {r["month"]: r for r in out.to_pyarrow().to_pylist()}


def test_generic_lag_ninety_days_and_never():
    got = generic(ITEMS)
    jan, jun = got[D("2024-01-01")], got[D("2024-06-01")]
    assert jan["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH) and not jan["lower_bound"]
    assert (jan["leader_date"], jan["follower_date"]) == (D("2024-01-01"), D("2024-03-31"))
    # never caught up: at least from 2024-06-01 to the end of the data, 136 days
    assert (jun["leader_best"], jun["follower_date"], jun["lower_bound"]) == (120, None, True)
    assert jun["lag_months"] == pytest.approx(136 / DAYS_PER_MONTH)
    # the month of END has no item but is a month of the data: the standing best carries on
    assert got[D("2024-10-01")]["leader_best"] == 120
    assert jan["lag_months_low"] == jan["lag_months_high"] == jan["lag_months"]  # no intervals


def test_generic_lag_interval_resamples_within_each_score():
    # B's 95% interval straddles A: in some draws it is below, and E (110, 120 days later) closes
    items = [item("A", "2024-01-01", 100, "leader"), item("B", "2024-03-31", 100.5, "follower", 3.0),
             item("E", "2024-07-29", 110, "follower")]
    jan = generic(items, draws=200)[D("2024-01-01")]
    assert jan["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH)
    assert jan["lag_months_low"] == pytest.approx(90 / DAYS_PER_MONTH)
    assert jan["lag_months_high"] == pytest.approx(210 / DAYS_PER_MONTH)
    assert jan["reached_share"] == 1.0


def test_a_reach_observed_after_a_long_silence_may_have_happened_in_it():
    # no date between A (2024-01-01) and B (2024-03-31): with a 45-day limit, B may have
    # reached A's score on any day of those 90 days, so the range starts at 0
    got = generic(ITEMS, max_gap_days=45)[D("2024-01-01")]
    assert got["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH) and not got["lower_bound"]
    assert (got["lag_months_low"], got["lag_months_high"]) == (0.0, pytest.approx(90 / DAYS_PER_MONTH))
    # within the limit, the observed dates are the dates (the range stays a point)
    assert generic(ITEMS, max_gap_days=120)[D("2024-01-01")]["lag_months_low"] == pytest.approx(
        90 / DAYS_PER_MONTH)


def _identity(models):
    """model_keys and model_identity rows placing each (key source, key) in a group."""
    keys, ids = [], []
    for source, key, openness, country, released in models:
        keys.append({"source": source, "key": key, "model_id": key, "rule": "exact", "occurrences": 1})
        ids.append({"model_id": key, "name": key.upper(), "organization": f"{key} lab",
                    "country": country, "country_source": "epoch", "release_date": released,
                    "openness": openness, "openness_source": "epoch_accessibility"})
    return {"model_keys": keys, "model_identity": ids}


def score(key, benchmark, value, date):
    return {"model_version": None, "name": key, "benchmark": benchmark, "score": value,
            "source": "fixture", "date": D(date), "file": "fixture.csv", "row": 1}


def rating(key, date, value, half=None, file="leaderboard_text_full_history.csv"):
    return {"date": D(date), "arena_key": key, "category": "overall", "rating": value,
            "ci_low": None if half is None else value - half,
            "ci_high": None if half is None else value + half, "file": file}


def tables(tmp_path, extra=None) -> Tables:
    models = [("benchmark_name", "a", "api", "USA", None), ("benchmark_name", "b", "open_unrestricted", "CHN", None),
              ("benchmark_name", "c", "api", "USA", None), ("benchmark_name", "d", "open_unrestricted", "CHN", None),
              ("arena", "ra", "api", "USA", None),
              # a dated checkpoint whose model was released long before it reached the board
              ("arena", "rb", "open_unrestricted", "CHN", D("2023-01-01")),
              ("arena", "rc", "api", "USA", None), ("arena", "rd", "open_unrestricted", "CHN", None)]
    write_warehouse(tmp_path, _identity(models) | {
        "model_versions": [],
        # the same four-model story on GPQA, in fractions (the lag reads them in percent)
        "benchmark_scores": [score("a", "gpqa_diamond", 0.5, "2024-01-01"),
                             score("b", "gpqa_diamond", 0.5, "2024-03-31"),
                             score("c", "gpqa_diamond", 0.7, "2024-06-01"),
                             score("d", "gpqa_diamond", 0.6, "2024-09-01"),
                             score("zz", "gpqa_diamond", 0.1, "2024-10-15")],  # unknown group
        # on the Arena the newest board (2024-10-15) rates them; an older board rated B lower
        # (fewer votes then) and is not used. Each counts from its first board. An unplaced
        # model on every board links them into one rating scale.
        "arena_ratings": with_rating_scales(
            [rating("ra", "2024-01-01", 1200), rating("rb", "2024-03-31", 1150),
             rating("rc", "2024-06-01", 1390),
             rating("ra", "2024-10-15", 1300), rating("rb", "2024-10-15", 1300),
             rating("rc", "2024-10-15", 1400, half=10), rating("rd", "2024-10-15", 1350),
             rating("rd", "2024-09-01", 1340)]
            + [rating("zz", d, 1000) for d in ("2024-01-01", "2024-03-31", "2024-06-01",
                                               "2024-09-01", "2024-10-15")])} | (extra or {}))
    return Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))


def compute(t, id, rows=False, **params):
    ind = registry.get(id)
    return (ind.rows if rows else ind.func)(t, **ind.bind(params)).to_pyarrow().to_pylist()


@pytest.fixture(scope="module")
def lags(tmp_path_factory):
    """compute() over tables(), each request once for the module (the tests below check some
    of the same lags)."""
    t = tables(tmp_path_factory.mktemp("lags"))
    return once_per_request(lambda id, rows, **params: compute(t, id, rows, **params))


# each lag and each grouping in the unit tier; the other two pairs (a lag query compiled
# each) in `make test`
@pytest.mark.parametrize("group, id", [
    ("openness", "benchmark_lag_months"), ("country", "arena_lag_months"),
    *(pytest.param(g, i, marks=pytest.mark.slow) for g, i in (
        ("country", "benchmark_lag_months"), ("openness", "arena_lag_months")))])
def test_benchmark_and_arena_ninety_days_and_never(lags, id, group):
    got = {r["month"]: r for r in lags(id, group=group)}
    jan, jun = got[D("2024-01-01")], got[D("2024-06-01")]
    assert (jan["leader_date"], jan["follower_date"]) == (D("2024-01-01"), D("2024-03-31"))
    assert jan["lag_months"] == pytest.approx(90 / DAYS_PER_MONTH) and not jan["lower_bound"]
    assert (jun["follower_date"], jun["lower_bound"]) == (None, True)
    assert jun["lag_months"] == pytest.approx(136 / DAYS_PER_MONTH)  # at least: to 2024-10-15
    assert jun["comparison"] == ("closed vs open" if group == "openness" else "USA vs CHN")
    assert jun["leader_best"] == pytest.approx(70 if id == "benchmark_lag_months" else 1400)


@pytest.mark.slow  # two lags' explain queries compiled (the values' tests share theirs)
def test_explain_rows_give_each_lag(lags):
    for id in ("benchmark_lag_months", "arena_lag_months"):
        rows = lags(id, rows=True)
        for v in lags(id):
            sides = {r["side"]: r for r in rows if r["month"] == v["month"]}
            assert sides["leader"]["score"] == v["leader_best"]
            if not v["lower_bound"]:
                days = (sides["follower"]["date"] - sides["leader"]["date"]).days
                assert days / DAYS_PER_MONTH == pytest.approx(v["lag_months"])


@pytest.mark.slow  # lag_months_compared's 87 KB of SQL compiled, and both lags beside it
def test_three_measures_side_by_side(tmp_path):
    t = tables(tmp_path, {"eci_scores": [
        {"model_id": "x", "model": "X", "eci": 150.0, "release_date": D("2024-01-01"),
         "countries": ["USA"], "accessibility_group": "Closed weights"}]})
    got = compute(t, "lag_months_compared")
    by = {}
    for r in got:
        by.setdefault(r["measure"], {})[r["month"]] = r
    assert set(by) == {"eci", "gpqa_diamond", "arena_overall"}  # no MMLU score in the fixture
    for measure in ("gpqa_diamond", "arena_overall"):
        own = compute(t, "benchmark_lag_months" if measure == "gpqa_diamond" else "arena_lag_months")
        assert [by[measure][r["month"]]["lag_months"] for r in own] == [r["lag_months"] for r in own]
    # no open ECI model: every month is a lower bound with no follower to count
    assert all(r["lower_bound"] and r["follower_models"] == 0 for r in by["eci"].values())


HISTORY = "leaderboard_text_full_history.csv"
# Four boards. On 2024-03-01 LMArena re-anchored: every model listed on both that board and the
# one before it (rb and the two unplaced zz models) is rated 100 points higher. ra (closed) left
# the board before; rd (open) is 0 on 2024-02-01 (no rating) and 1250 on the new scale, which is
# above ra's 1200 on the old scale but only 1150 in old points: it has not caught up with ra.
BOARDS = """snapshot_commit,commit_date,commit_message,model,rating,rating_q025,rating_q975
c1,2024-01-01,m,ra,1200,,
c1,2024-01-01,m,rb,1100,,
c1,2024-01-01,m,zz1,1000,,
c1,2024-01-01,m,zz2,1050,,
c2,2024-02-01,m,ra,1200,,
c2,2024-02-01,m,rb,1100,,
c2,2024-02-01,m,zz1,1000,,
c2,2024-02-01,m,zz2,1050,,
c2,2024-02-01,m,rd,0,,
c3,2024-03-01,m,rb,1200,,
c3,2024-03-01,m,zz1,1100,,
c3,2024-03-01,m,zz2,1150,,
c3,2024-03-01,m,rd,1250,,
c3,2024-03-01,m,rc,1350,,
c4,2024-03-20,m,rb,1201,,
c4,2024-03-20,m,zz1,1100,,
c4,2024-03-20,m,zz2,1150,,
c4,2024-03-20,m,rd,1251,,
c4,2024-03-20,m,rc,1352,,
"""


def test_a_reanchored_board_starts_a_new_scale_and_no_lag_bridges_it(tmp_path):
    (tmp_path / HISTORY).write_text(BOARDS)
    rejects = Rejects()
    rows = with_rating_scales(lmarena.clean_history_csv({HISTORY: tmp_path / HISTORY}, rejects))
    # a rating of 0 is no rating: the row is dropped, and recorded where it stood
    assert [(r["row"], r["column"], r["value"]) for r in rejects.rows] == [(9, "rating", "0.0")]
    assert "rd" not in {r["arena_key"] for r in rows if r["date"] == D("2024-02-01")}
    # the scale of each board: the first date of its scale
    assert {r["date"]: r["rating_scale"] for r in rows} == {
        D("2024-01-01"): D("2024-01-01"), D("2024-02-01"): D("2024-01-01"),
        D("2024-03-01"): D("2024-03-01"), D("2024-03-20"): D("2024-03-01")}
    [shift] = [s for s in lmarena.scale_shifts(rows) if s["date"] == D("2024-03-01")]
    assert (shift["common"], shift["shift"], shift["stretch"]) == (3, 100.0, pytest.approx(1.0))
    models = [("arena", "ra", "api", "USA", None), ("arena", "rc", "api", "USA", None),
              ("arena", "rb", "open_unrestricted", "CHN", None),
              ("arena", "rd", "open_unrestricted", "CHN", None)]
    write_warehouse(tmp_path, _identity(models) | {"arena_ratings": rows})
    t = Tables(ibis.duckdb.connect(str(tmp_path / "warehouse.duckdb")))
    lags = {r["month"]: r for r in compute(t, "arena_lag_months")}
    # January is read on the old scale: rd's 1250 is on the new one, so it is never compared
    # with ra's 1200; the lag is open, a lower bound up to the old scale's last board
    jan = lags[D("2024-01-01")]
    assert (jan["leader_best"], jan["follower_date"], jan["lower_bound"]) == (1200, None, True)
    assert jan["lag_months"] == pytest.approx(31 / DAYS_PER_MONTH)
    assert jan["rating_scale"] == D("2024-01-01")
    # March is read on the new scale, where rc (1352) leads and rd (1251) trails
    mar = lags[D("2024-03-01")]
    assert (mar["leader_best"], mar["lower_bound"], mar["rating_scale"]) == (1352, True, D("2024-03-01"))
    gap = {r["date"]: r["rating_scale"] for r in compute(t, "arena_gap")}
    assert gap[D("2024-02-01")] == D("2024-01-01") and gap[D("2024-03-20")] == D("2024-03-01")
