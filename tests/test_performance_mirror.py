"""Integration on the real mirror: identity coverage and 2023-2025 series for MMLU, GPQA Diamond and the Arena."""
from __future__ import annotations

import pytest

from aiatlas import api

pytestmark = pytest.mark.mirror


def _years(rows, col):
    return {r[col].year for r in rows}


def test_identity_coverage_meets_the_95_percent_target(built_home):
    cov = {r["target"]: r for r in api.entities_coverage(home=built_home)}
    assert set(cov) == {"mmlu score rows", "gpqa_diamond score rows",
                        "arena models ever in a date's top 20"}
    for target, r in cov.items():
        assert r["total"] > 0 and r["share"] >= 0.95, (target, r)


@pytest.mark.parametrize("benchmark", ["mmlu", "gpqa_diamond"])
@pytest.mark.parametrize("group", ["openness", "country"])
def test_benchmark_gap_series_span_2023_to_2025(built_home, benchmark, group):
    gap = api.compute("benchmark_gap", home=built_home, benchmark=benchmark, group=group).to_pylist()
    known = [r for r in gap if r["gap"] is not None]
    assert {2023, 2024, 2025} <= _years(known, "month")
    assert all(r["a_model"] and r["b_model"] for r in known)
    f = api.compute("benchmark_frontier", home=built_home, benchmark=benchmark, group=group)
    assert {2023, 2024, 2025} <= _years(f.to_pylist(), "date")


def test_arena_series_span_2023_to_2025_across_both_history_files(built_home):
    g = api.compute("arena_gap", home=built_home).to_pylist()
    years = _years([r for r in g if r["gap"] is not None], "date")
    assert {2023, 2024, 2025} <= years
    c = api.compute("frontier_convergence", home=built_home).to_pylist()
    assert {2023, 2024, 2025} <= _years([r for r in c if r["gap_1_10"] is not None], "date")
    us_cn = api.compute("arena_gap", home=built_home, group="country").to_pylist()
    assert any(r["gap"] is not None and r["date"].year == 2025 for r in us_cn)


def test_explain_names_the_frontier_holders(built_home):
    rows = api.explain("arena_gap", home=built_home, where={"group": "closed"}).to_pylist()
    assert rows and all(r["model"] for r in rows)


def test_provenance_lists_every_snapshot_behind_the_identity(built_home):
    r = api.compute("arena_gap", home=built_home)
    sources = {p["source"] for p in r.provenance}
    assert {"lmarena_history", "lmarena_catalog", "epoch_notable_models", "epoch_benchmarks"} <= sources


@pytest.mark.parametrize("indicator, params, needle", [
    ("benchmark_frontier", {"benchmark": "mmlu_typo"}, "gpqa_diamond"),
    ("arena_gap", {"category": "overal"}, "overall"),
    ("curated_fact", {"measure": "no_such_measure"}, "industrial_robot_installations"),
])
def test_a_parameter_naming_data_the_build_lacks_is_an_error_listing_what_it_has(
        built_home, indicator, params, needle):
    from aiatlas.errors import UsageError

    with pytest.raises(UsageError, match="matches no") as err:
        api.compute(indicator, home=built_home, **params)
    assert needle in err.value.hint
    with pytest.raises(UsageError, match="matches no"):
        api.explain(indicator, home=built_home, **params)
    assert api.compute(indicator, home=built_home, **dict.fromkeys(params, needle)).table.num_rows


def test_no_best_arena_rating_moves_with_the_whole_board_inside_one_scale(built_home, con):
    """The Arena's best-rating lines never step with a re-anchored board inside one scale.

    A best rating legitimately jumps when a stronger model arrives (and the 2023 online-Elo
    boards move a top model by tens of points), so the test asks the sharper question: no
    step beyond the break threshold comes with a board-wide move beyond it, measured here
    in SQL, apart from the build's own measure."""
    from aiatlas.sources.lmarena import SCALE_BREAK_POINTS as T

    moves = dict(con.execute("""
        WITH b AS (SELECT DISTINCT date FROM arena_ratings WHERE category = 'overall'),
             p AS (SELECT date, lag(date) OVER (ORDER BY date) AS prev FROM b)
        SELECT p.date, median(n.rating - o.rating) FROM p
        JOIN arena_ratings n ON n.date = p.date AND n.category = 'overall'
        JOIN arena_ratings o ON o.date = p.prev AND o.category = 'overall'
                            AND o.arena_key = n.arena_key
        GROUP BY p.date""").fetchall())
    across = []
    for group in ("openness", "country"):
        rows = api.compute("arena_gap", home=built_home, group=group).to_pylist()
        for before, after in zip(rows, rows[1:]):
            for col in ("a_value", "b_value"):
                if before[col] is None or after[col] is None or abs(after[col] - before[col]) <= T:
                    continue
                if after["rating_scale"] != before["rating_scale"]:
                    across.append(after["date"])
                else:
                    assert abs(moves[after["date"]]) <= T, (group, col, before, after)
    # the steps of ~125 points in July 2024 (online Elo -> Bradley-Terry) and the one after the
    # 2025 silence of the catalog history each start a scale: they are breaks, not progress
    scales = sorted({r[0] for r in con.execute(
        "SELECT DISTINCT rating_scale FROM arena_ratings WHERE category = 'overall'").fetchall()})
    assert [d.isoformat() for d in scales] == ["2023-05-08", "2024-06-29", "2025-11-05"]
    assert {d.isoformat() for d in across} >= {"2024-06-29", "2025-11-05"}
