"""Research indicators on the warehouse built from the mirror: explain adds up, counts agree."""
from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest

from aiatlas import api

pytestmark = pytest.mark.mirror


def _grouped_weights(rows, grain):
    sums = defaultdict(float)
    for r in rows:
        sums[tuple(r[g] for g in grain)] += r["weight"]
    return sums


@pytest.mark.parametrize("attribution", ["each", "fractional", "first"])
@pytest.mark.parametrize("id,grain", [("notable_models_by_country", ("country", "year")),
                                      ("notable_models_by_region", ("region", "year"))])
def test_explain_rows_add_up_for_every_value(built_home, id, grain, attribution):
    values = {tuple(r[g] for g in grain): r["value"] for r in
              api.compute(id, home=built_home, attribution=attribution).to_pylist()}
    rows = api.explain(id, home=built_home, attribution=attribution).to_pylist()
    sums = _grouped_weights(rows, grain)
    assert len(values) > 100
    # A model is credited at most once per country or region.
    assert len({(r["model_id"], *(r[g] for g in grain)) for r in rows}) == len(rows)
    assert set(sums) == set(values)
    for key, value in values.items():
        assert sums[key] == pytest.approx(value, rel=1e-12), key
    # The same through `where`, as a user asks for one value.
    for key in sorted(values, key=values.get)[-3:]:
        where = dict(zip(grain, key))
        one = api.explain(id, home=built_home, where=where, attribution=attribution).to_pylist()
        assert sum(r["weight"] for r in one) == pytest.approx(values[key]), where


def test_fractional_counts_match_the_raw_csv(built_home, mirror):
    """Per year, fractional credit sums to the number of dated models with a real country."""
    expected = Counter()
    with open(mirror / "epoch" / "notable_ai_models.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            countries = {c.strip() for c in (row["Country (of organization)"] or "").split(",")}
            countries -= {"", "Multinational"}
            if row["Publication date"] and countries:
                expected[int(row["Publication date"][:4])] += 1
    got = defaultdict(float)
    for r in api.compute("notable_models_by_country", home=built_home,
                         attribution="fractional").to_pylist():
        got[r["year"]] += r["value"]
    assert set(got) == set(expected)
    for year, n in expected.items():
        assert got[year] == pytest.approx(n), year


def test_first_attribution_counts_each_model_once(built_home):
    first = api.compute("notable_models_by_country", home=built_home, attribution="first")
    each = api.compute("notable_models_by_country", home=built_home, attribution="each")
    total_first = sum(r["value"] for r in first.to_pylist())
    total_each = sum(r["value"] for r in each.to_pylist())
    frac = sum(r["value"] for r in api.compute("notable_models_by_country", home=built_home,
                                                attribution="fractional").to_pylist())
    assert total_first == pytest.approx(frac)  # both give one unit per model
    assert total_each > total_first  # multi-country models count more than once


def test_compute_trend_is_in_the_published_range(built_home):
    """Epoch reports notable-model training compute doubling every 5 to 7 months since 2010."""
    row = api.compute("training_compute_trend", home=built_home).to_pylist()[0]
    assert row["n"] > 300
    low, mid, high = (row[c] for c in ("doubling_months_low", "doubling_months",
                                        "doubling_months_high"))
    assert 4.0 < low < mid < high < 8.0


def test_sector_and_open_shares_are_proportions(built_home):
    sectors = api.compute("sector_shares_by_year", home=built_home).to_pylist()
    per_year = defaultdict(float)
    for r in sectors:
        per_year[r["year"]] += r["value"]
    assert all(v == pytest.approx(1.0) for v in per_year.values())
    for r in api.compute("open_weights_share_by_year", home=built_home).to_pylist():
        assert r["value"] is None or 0.0 <= r["value"] <= 1.0


def test_warehouse_lists_meet_the_contract_credit_relies_on(built_home):
    """Credit counts list lengths: entries must be distinct, non-null and non-empty."""
    import duckdb

    with duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True) as con:
        for table in ("models", "frontier_models", "large_scale_models"):
            for column in ("countries", "organizations"):
                bad = con.execute(f"""
                    SELECT count(*) FROM {table}
                    WHERE len(list_distinct({column})) <> len({column})
                       OR list_contains({column}, '') OR list_count({column}) <> len({column})
                    """).fetchone()[0]
                assert bad == 0, (table, column)
