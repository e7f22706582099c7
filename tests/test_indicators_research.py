"""Research indicators on the tiny hand-made warehouse: each attribution rule, regions, HK fold."""
from __future__ import annotations

import pytest

from aiatlas import api, query
from aiatlas.errors import UsageError
from aiatlas.indicators import params as P
from aiatlas.indicators import registry


def by(result, *grain, value="value"):
    """{grain tuple: value} from a result."""
    return {tuple(r[g] for g in grain): r[value] for r in result.to_pylist()}


def country_counts(home, **params):
    return by(api.compute("notable_models_by_country", home=home, **params), "country", "year")


def test_each_counts_a_model_once_for_every_country(tiny_home):
    got = country_counts(tiny_home)
    assert got == {("USA", 2020): 2, ("GBR", 2020): 1, ("CHN", 2021): 1, ("HKG", 2021): 2,
                   ("FRA", 2021): 1, ("USA", 2021): 1, ("DEU", 2021): 1, ("CHE", 2021): 1}


def test_fractional_splits_one_model_across_its_countries(tiny_home):
    got = country_counts(tiny_home, attribution="fractional")
    assert got[("USA", 2020)] == pytest.approx(1.5)
    assert got[("GBR", 2020)] == pytest.approx(0.5)
    assert got[("HKG", 2021)] == pytest.approx(1.5)
    assert got[("DEU", 2021)] == pytest.approx(1 / 3)
    # Each dated model with a country adds exactly 1 in total: 2 in 2020, 4 in 2021.
    for year, models in ((2020, 2), (2021, 4)):
        assert sum(v for (_, y), v in got.items() if y == year) == pytest.approx(models)


def test_first_credits_only_the_first_listed_country(tiny_home):
    got = country_counts(tiny_home, attribution="first")
    assert got == {("USA", 2020): 2, ("CHN", 2021): 1, ("HKG", 2021): 1, ("FRA", 2021): 1,
                   ("CHE", 2021): 1}


def test_fold_hong_kong_merges_without_double_counting(tiny_home):
    each = country_counts(tiny_home, fold_hong_kong=True)
    assert each[("CHN", 2021)] == 2  # gamma (CHN+HKG) once, delta (HKG)
    assert not any(c == "HKG" for c, _ in each)
    frac = country_counts(tiny_home, attribution="fractional", fold_hong_kong="true")
    assert frac[("CHN", 2021)] == pytest.approx(2.0)  # gamma is now a one-country model


def test_undated_and_countryless_models_are_left_out(tiny_home):
    rows = api.explain("notable_models_by_country", home=tiny_home).to_pylist()
    ids = {r["model_id"] for r in rows}
    assert "theta" not in ids and "eta" not in ids


def test_since_until_are_inclusive_years(tiny_home):
    got = country_counts(tiny_home, since=2021, until=2021)
    assert {y for _, y in got} == {2021}
    with pytest.raises(UsageError, match="after"):
        api.compute("notable_models_by_country", home=tiny_home, since=2022, until=2021)


def test_regions_count_a_model_once_under_each(tiny_home):
    got = by(api.compute("notable_models_by_region", home=tiny_home), "region", "year")
    assert got[("eu27", 2021)] == 1  # epsilon has FRA and DEU: one model
    assert got[("europe", 2021)] == 2  # epsilon + zeta (CHE)
    assert got[("east_asia", 2021)] == 2
    assert got[("china", 2021)] == 1  # delta is HKG only
    assert got[("united_states", 2020)] == 2


def test_regions_sum_fractional_weights_and_fold(tiny_home):
    frac = by(api.compute("notable_models_by_region", home=tiny_home, attribution="fractional"),
              "region", "year")
    assert frac[("eu27", 2021)] == pytest.approx(2 / 3)
    assert frac[("europe", 2021)] == pytest.approx(5 / 3)
    folded = by(api.compute("notable_models_by_region", home=tiny_home, fold_hong_kong=True,
                            region="china"), "region", "year")
    assert folded == {("china", 2021): 2}


def test_sector_shares_add_up_to_one_per_year(tiny_home):
    res = api.compute("sector_shares_by_year", home=tiny_home)
    got = by(res, "year", "sector")
    assert got[(2020, "Industry-academia collaboration")] == pytest.approx(0.5)
    assert got[(2021, "Academia")] == pytest.approx(0.5)
    assert got[(2021, "Other collaboration")] == pytest.approx(0.25)  # Government + Academia
    for year in (2020, 2021):
        assert sum(v for (y, _), v in got.items() if y == year) == pytest.approx(1.0)
    assert {r["total"] for r in res.to_pylist() if r["year"] == 2021} == {4}  # eta has none


def test_open_weights_share_ignores_unknown_status(tiny_home):
    rows = {r["year"]: r for r in
            api.compute("open_weights_share_by_year", home=tiny_home).to_pylist()}
    assert (rows[2021]["open"], rows[2021]["closed"], rows[2021]["unknown"]) == (2, 1, 2)
    assert rows[2021]["value"] == pytest.approx(2 / 3)
    by_country = by(api.compute("open_weights_share_by_country", home=tiny_home,
                                attribution="fractional"), "country")
    assert by_country[("USA",)] == pytest.approx((0.5 + 1 / 3 + 1) / (1 + 0.5 + 1 / 3 + 1))


def test_top_organizations_rank_and_limit(tiny_home):
    rows = api.compute("top_organizations", home=tiny_home, limit=2).to_pylist()
    assert [(r["rank"], r["organization"], r["value"]) for r in rows] == [
        (1, "OpenAI", 3.0), (2, "Aleph", 1.0)]
    frac = by(api.compute("top_organizations", home=tiny_home, attribution="fractional",
                          limit=50), "organization")
    assert frac[("OpenAI",)] == pytest.approx(1 + 1 / 3 + 1)


def test_compute_share_each_can_exceed_one_fractional_cannot(tiny_home):
    each = by(api.compute("training_compute_share_by_country", home=tiny_home), "country", "year")
    assert each[("USA", 2020)] == pytest.approx(1.0)
    assert each[("GBR", 2020)] == pytest.approx(0.75)
    frac = by(api.compute("training_compute_share_by_country", home=tiny_home,
                          attribution="fractional"), "country", "year")
    assert frac[("USA", 2020)] == pytest.approx((1e22 + 1.5e22) / 4e22)
    assert sum(v for (_, y), v in frac.items() if y == 2020) == pytest.approx(1.0)


# one explain query compiled per value: the default attribution in the unit tier, all three in
# `make test`
@pytest.mark.parametrize("attribution", ["each", *(pytest.param(a, marks=pytest.mark.slow)
                                                  for a in ("fractional", "first"))])
def test_explain_rows_add_up_to_every_value(tiny_home, attribution):
    for id, grain in (("notable_models_by_country", ("country", "year")),
                      ("notable_models_by_region", ("region", "year")),
                      ("top_organizations", ("organization",))):
        values = by(api.compute(id, home=tiny_home, attribution=attribution), *grain)
        for key, value in values.items():
            where = dict(zip(grain, key))
            rows = api.explain(id, home=tiny_home, where=where, attribution=attribution)
            assert sum(r["weight"] for r in rows.to_pylist()) == pytest.approx(value), where


def test_explain_where_accepts_text_values_like_the_cli(tiny_home):
    rows = api.explain("notable_models_by_country", home=tiny_home,
                       where={"country": "USA", "year": "2020"}).to_pylist()
    assert sorted(r["model_id"] for r in rows) == ["alpha", "beta"]
    with pytest.raises(UsageError, match="valid: country"):
        api.explain("notable_models_by_country", home=tiny_home, where={"nation": "USA"})


def test_subset_picks_the_model_table(tiny_home):
    frontier = api.compute("training_compute_trend", home=tiny_home, subset="frontier")
    large = api.compute("training_compute_trend", home=tiny_home, subset="large_scale")
    assert frontier.to_pylist()[0]["n"] == 1 and large.to_pylist()[0]["n"] == 2
    assert frontier.to_pylist()[0]["slope_per_year"] is None  # one point: no slope


def test_result_carries_meta_and_params(tiny_home):
    res = api.compute("notable_models_by_country", home=tiny_home, attribution="first")
    assert res.meta["params"]["attribution"] == "first"
    assert res.meta["grain"] == ["country", "year"]
    assert res.build_id.startswith("tiny-")
    assert res.to_pandas().columns.tolist() == ["country", "country_name", "year", "value"]


def test_top_organizations_by_parent_counts_a_model_of_two_labs_once(built_home):
    from aiatlas.entities.models import organization_parents

    labs = by(api.compute("top_organizations", home=built_home, limit=1000), "organization")
    grouped = by(api.compute("top_organizations", home=built_home, limit=1000, by_parent=True),
                 "organization")
    google = [o for o, p in organization_parents().items() if p == "Google"] + ["Google"]
    assert not {(o,) for o in google if o != "Google"} & set(grouped)  # labs folded into Google
    assert max(labs[(o,)] for o in google if (o,) in labs) < grouped[("Google",)]
    assert grouped[("Google",)] < sum(labs[(o,)] for o in google if (o,) in labs)  # shared models once
    rows = api.explain("top_organizations", home=built_home, by_parent=True,
                       where={"organization": "Google"}).to_pylist()
    assert len(rows) == len({r["model_id"] for r in rows}) == grouped[("Google",)]
    frac = by(api.compute("top_organizations", home=built_home, limit=1000, by_parent=True,
                          attribution="fractional"), "organization")
    assert frac[("Google",)] <= grouped[("Google",)]


def test_a_year_range_is_cut_from_the_values_for_every_year(tiny_home, monkeypatch):
    """since/until of an indicator declaring `years` run no second query: the range is cut
    from the memoised values for every year; the cut equals the engine's own answer."""
    asked = []
    computed = query._computed
    monkeypatch.setattr(query, "_computed", lambda w, backend, ind, bound: asked.append(
        dict(bound)) or computed(w, backend, ind, bound))
    ind = registry.get("notable_models_by_country")
    w = api.warehouse(home=tiny_home)
    w.forget()
    for since, until in ((2020, 2020), (2021, None), (None, 2020), (2022, 2030), (1990, 2021)):
        got = api.compute(ind.id, home=tiny_home, since=since, until=until).to_arrow()
        bound = ind.bind({"since": since, "until": until})
        assert got.equals(computed(w, "duckdb", ind, bound)), (since, until)
    assert [(b["since"], b["until"]) for b in asked] == [(None, None)]
    fractional = api.compute(ind.id, home=tiny_home, since=2021, attribution="fractional")
    assert [(b["since"], b["attribution"]) for b in asked[1:]] == [(None, "fractional")]
    assert {r["year"] for r in fractional.to_pylist()} == {2021}


def test_years_must_name_a_grain_column_of_an_indicator_with_a_year_range():
    into: dict = {}
    with pytest.raises(ValueError, match="years='year' needs a grain column"):
        registry.indicator(id="t", title="t", unit="models", chapter="research",
                           description="t", sources=("models",), grain=("country",),
                           params=(P.since(), P.until()), years="year", into=into)(
            lambda t, since=None, until=None: t.models)
    assert into == {}  # refused before it is registered
