"""Performance indicators pinned on a tiny hand-written warehouse (ties, missing dates, rank changes,
unknown openness, groups with no model yet)."""
from __future__ import annotations

import datetime as dt

import ibis
import pytest
from conftest import once_per_request
from performance_fixture import build

from aiatlas.errors import UsageError
from aiatlas.indicators import registry
from aiatlas.warehouse.connect import Tables

D = dt.date


@pytest.fixture(scope="module")
def t(tmp_path_factory):
    """The module's warehouse, asked once per request (conftest.once_per_request): several
    tests read benchmark_frontier's and arena_gap's defaults, and share that one answer."""
    path = build(tmp_path_factory.mktemp("perf"))
    tables = Tables(ibis.duckdb.connect(str(path), read_only=True))

    def compute(id, rows, **params):
        ind = registry.get(id)
        fn = ind.rows if rows else ind.func
        return fn(tables, **ind.bind(params)).to_pyarrow().to_pylist()

    return once_per_request(compute)


def run(t, id, rows=False, **params):
    return t(id, rows, **params)


def by(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_frontier_is_cumulative_best_and_null_before_a_group_has_a_model(t):
    f = by(run(t, "benchmark_frontier"), "group", "date")
    assert f[("open", D(2023, 1, 10))]["value"] is None  # no open model scored yet: NULL, not 0
    assert f[("closed", D(2023, 1, 10))]["value"] == pytest.approx(80)
    assert f[("open", D(2023, 2, 1))]["value"] == pytest.approx(70)
    assert f[("open", D(2023, 5, 1))]["value"] == pytest.approx(85)
    assert f[("closed", D(2023, 5, 1))]["value"] == pytest.approx(80)  # carried forward


def test_a_later_tie_leaves_the_frontier_with_the_first_holder(t):
    f = by(run(t, "benchmark_frontier"), "group", "date")
    assert f[("closed", D(2023, 1, 10))]["model"] == "Closed-A"  # same-day tie: alphabetical first
    assert f[("closed", D(2023, 4, 1))]["model"] == "Closed-A"  # Closed-E ties at 80 later
    assert f[("open", D(2023, 3, 1))]["model"] == "Open-B"  # Dragon-C ties at 70 later


def test_unknown_openness_is_excluded_and_counted_never_guessed(t):
    f = by(run(t, "benchmark_frontier"), "group", "date")
    # Mystery-D scored 90 on 2023-02-15 but has no openness: it holds no frontier...
    assert all(r["value"] < 90 for r in f.values() if r["value"] is not None)
    assert {g for g, _ in f} == {"open", "closed"}
    # ...and is counted, as is the name nobody can resolve (dated by its own row, 2023-06-01).
    assert f[("closed", D(2023, 2, 1))]["excluded"] == 0
    assert f[("closed", D(2023, 2, 15))]["excluded"] == 1
    assert f[("closed", D(2023, 6, 1))]["excluded"] == 2


def test_frontier_since_until_window_keeps_earlier_records(t):
    f = run(t, "benchmark_frontier", since="2023-03-01", until="2023-04-30")
    assert {r["date"] for r in f} == {D(2023, 3, 1), D(2023, 4, 1)}
    assert by(f, "group", "date")[("closed", D(2023, 3, 1))]["value"] == pytest.approx(80)


def test_frontier_explain_names_the_record_row(t):
    rows = by(run(t, "benchmark_frontier", rows=True), "group", "date")
    r = rows[("open", D(2023, 5, 1))]
    assert (r["model"], r["key"], r["record_date"], r["row"]) == ("Open-B", "open-b-v2", D(2023, 5, 1), 6)
    assert rows[("open", D(2023, 3, 1))]["key"] == "open-b-v1"


def test_benchmark_gap_by_month_in_points_and_percent(t):
    g = by(run(t, "benchmark_gap"), "month")
    assert g[D(2023, 1, 1)]["gap"] is None and g[D(2023, 1, 1)]["a_value"] == pytest.approx(80)
    assert g[D(2023, 2, 1)]["gap"] == pytest.approx(10)
    assert g[D(2023, 2, 1)]["gap_relative_pct"] == pytest.approx(10 / 70 * 100)
    assert g[D(2023, 5, 1)]["gap"] == pytest.approx(-5)  # open overtook closed
    assert g[D(2023, 5, 1)]["b_model"] == "Open-B"
    assert D(2023, 6, 1) in g and g[D(2023, 6, 1)]["excluded"] == 2


def test_benchmark_gap_explain_gives_both_sides_rows(t):
    rows = by(run(t, "benchmark_gap", rows=True), "month", "group")
    assert rows[(D(2023, 5, 1), "open")]["key"] == "open-b-v2"
    assert rows[(D(2023, 5, 1), "closed")]["key"] == "closed-a-0613"
    assert rows[(D(2023, 5, 1), "closed")]["record_date"] == D(2023, 1, 10)


def test_benchmark_gap_us_vs_china_null_until_china_has_a_model(t):
    g = by(run(t, "benchmark_gap", group="country"), "month")
    assert g[D(2023, 2, 1)]["comparison"] == "USA - CHN"
    assert g[D(2023, 2, 1)]["b_value"] is None and g[D(2023, 2, 1)]["gap"] is None
    assert g[D(2023, 3, 1)]["gap"] == pytest.approx(10)  # USA 80 (Closed-A) vs CHN 70 (Dragon-C)
    assert g[D(2023, 3, 1)]["b_model"] == "Dragon-C"  # held through a display name, not a version


def test_arena_gap_joins_files_and_prefers_the_catalog_on_duplicate_dates(t):
    g = by(run(t, "arena_gap"), "date")
    assert sorted(g) == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    assert g[D(2024, 2, 1)]["gap"] == pytest.approx(30)  # 1220 - 1190, not 1210 - 1150
    assert g[D(2024, 1, 1)]["gap"] == pytest.approx(100)
    assert g[D(2024, 1, 1)]["excluded"] == 1  # mystery-d: top rated but openness unknown


def test_arena_gap_follows_a_model_that_changes_rank(t):
    g = by(run(t, "arena_gap"), "date")
    r = g[D(2024, 3, 1)]
    assert (r["a_model"], r["b_model"]) == ("Closed-A", "Open-B")
    assert r["gap"] == pytest.approx(-20) and r["gap_relative_pct"] == pytest.approx(-20 / 1250 * 100)
    assert r["excluded"] == 7  # the seven unresolvable filler keys


def test_arena_gap_country_is_null_before_china_appears(t):
    g = by(run(t, "arena_gap", group="country"), "date")
    assert g[D(2024, 1, 1)]["gap"] is None
    assert g[D(2024, 3, 1)]["gap"] == pytest.approx(10)  # Open-B (USA) 1250 vs Dragon-C (CHN) 1240


def test_arena_category_parameter_selects_another_board(t):
    g = run(t, "arena_gap", category="coding")
    assert [r["date"] for r in g] == [D(2024, 3, 1)]
    assert g[0]["a_value"] == pytest.approx(1400) and g[0]["b_value"] is None


def test_frontier_convergence_ranks_and_needs_ten_models(t):
    c = by(run(t, "frontier_convergence"), "date")
    assert c[D(2024, 1, 1)]["gap_1_2"] == pytest.approx(100)
    assert c[D(2024, 1, 1)]["gap_1_10"] is None  # only three models on the board
    assert c[D(2024, 3, 1)]["gap_1_2"] == pytest.approx(10)
    assert c[D(2024, 3, 1)]["gap_1_10"] == pytest.approx(250)
    rows = run(t, "frontier_convergence", rows=True, since="2024-03-01")
    assert [(r["rank"], r["arena_key"]) for r in rows] == [
        (1, "open-b-instruct"), (2, "dragon-c-chat"), (10, "zz-filler-7")]


def test_arena_explain_shows_who_held_each_group_top(t):
    rows = by(run(t, "arena_gap", rows=True), "date", "group")
    assert rows[(D(2024, 2, 1), "closed")]["file"] == "leaderboard_text_full_history.csv"
    assert rows[(D(2024, 3, 1), "open")]["arena_key"] == "open-b-instruct"


def test_organization_country_counts_an_organizations_models_for_another_country(t):
    # Meta AI counted as Chinese: Open-B (1250) becomes the top Chinese model of 2024-03-01
    g = by(run(t, "arena_gap", group="country", organization_country="Meta AI=CHN"), "date")
    assert g[D(2024, 3, 1)]["b_model"] == "Open-B" and g[D(2024, 3, 1)]["a_model"] != "Open-B"
    rows = run(t, "arena_gap", rows=True, group="country", organization_country="Meta AI=CHN")
    assert ("CHN", "Open-B") in {(r["group"], r["model"]) for r in rows}
    with pytest.raises(UsageError, match="organization_country 'Meta AI' is not ORG=ISO3"):
        run(t, "arena_gap", group="country", organization_country="Meta AI")
