"""The composite index on a hand-made warehouse: contributions add up to every score under any
weights (property test), all weight on one pillar ranks by that pillar, missing pillars are
explicit, and rank ranges come from Dirichlet weight draws."""
from __future__ import annotations

import duckdb
import numpy as np
import pytest
from conftest import examples
from fixtures.indicators.tiny import model, write_warehouse
from hypothesis import given, settings
from hypothesis import strategies as st

from aiatlas.composite_index import composite, pillars, scores, weights
from aiatlas.errors import UsageError

# USA leads research, CHN leads talent, GBR has research only (talent pillar missing).
MODELS = ([model(f"us{i}", "2023-03-01", ["USA"]) for i in range(6)]
          + [model(f"cn{i}", "2023-04-01", ["CHN"]) for i in range(3)] + [model("gb", "2023-05-01", ["GBR"])])
PUSHERS = [("US", "USA", 50), ("CN", "CHN", 80), ("JP", "JPN", 20)]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("composite")
    write_warehouse(home, MODELS)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.executemany("INSERT INTO github_topic_pushers (economy, country, is_country, topic, pushers, "
                        "year, quarter) VALUES (?, ?, true, 'llm', ?, 2024, 1)", PUSHERS)
        con.execute("INSERT INTO gpu_clusters (name, country, status, h100_equivalents, excluded) VALUES "
                    "('a', 'USA', 'Existing', 100, false), ('b', 'CHN', 'Existing', 40, false)")
    return home


def by_country(c):
    return {r["country"]: r for r in c["countries"]}


def test_default_scores_and_missing_pillars(home):
    got = by_country(composite(home=home, draws=200))
    assert set(got) == {"USA", "CHN", "GBR", "JPN"}
    usa = got["USA"]
    # research: USA 6 -> 1, CHN 3 -> 0.4, GBR 1 -> 0; compute (clusters): USA 1, CHN 0; talent: CHN 1
    assert usa["pillar_scores"] == {"research": 1.0, "compute": 1.0, "talent": 0.5}
    assert usa["missing_pillars"] == ["models", "chips"]
    assert usa["coverage"] == pytest.approx(0.70)
    assert got["GBR"]["rank"] is None and "below min_coverage" in got["GBR"]["unranked"]
    assert got["GBR"]["missing_pillars"] == ["compute", "models", "talent", "chips"]
    assert usa["rank"] == 1 and usa["rank_p5"] <= 1 <= usa["rank_p95"]
    for r in got.values():
        assert sum(r["contributions"].values()) == pytest.approx(r["score"], abs=1e-12)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=5, max_size=5).filter(lambda w: sum(w) > 0.01))
def test_contributions_sum_to_the_score_under_any_weights(home, raw):
    user = dict(zip(pillars(), raw))
    c = composite(weights_=user, draws=0, min_coverage=0.0, home=home)
    assert sum(c["weights"].values()) == pytest.approx(1.0)
    for r in c["countries"]:
        if r["coverage"] > 0:
            assert sum(r["contributions"].values()) == pytest.approx(r["score"], abs=1e-9)
        else:  # its pillars carry no weight: no score, nothing contributes, never ranked
            assert r["score"] is None and r["contributions"] == {} and r["rank"] is None


@pytest.mark.parametrize("pillar", ["research", "talent"])
def test_all_weight_on_one_pillar_ranks_by_that_pillar(home, pillar):
    user = {p: (1.0 if p == pillar else 0.0) for p in pillars()}
    c = composite(weights_=user, draws=50, home=home)
    ranked = [r for r in c["countries"] if r["rank"] is not None]
    by_pillar = sorted(ranked, key=lambda r: -r["pillar_scores"][pillar])
    assert [r["country"] for r in ranked] == [r["country"] for r in by_pillar]
    assert all(r["rank_p5"] == r["rank_p95"] == r["rank"] for r in ranked)  # draws keep all on it


def test_a_country_whose_pillars_all_weigh_nothing_has_no_score_and_no_rank(home):
    # all weight on research: JPN has talent only, so 0 of the weight is on its pillars (0 / 0)
    user = {p: (1.0 if p == "research" else 0.0) for p in pillars()}
    for min_coverage in (0.5, 0.0):
        got = by_country(composite(weights_=user, draws=20, min_coverage=min_coverage, home=home))
        jpn = got["JPN"]
        assert jpn["coverage"] == 0 and jpn["score"] is None and jpn["contributions"] == {}
        assert jpn["rank"] is None and "rank_p5" not in jpn and jpn["unranked"]
        assert jpn["pillar_scores"] == {"talent": pytest.approx(0.0)}  # its data is still shown
        assert [got[c]["rank"] for c in ("USA", "CHN", "GBR")] == [1, 2, 3]


def test_cli_shows_a_country_without_a_score_as_such(home, aiatlas_cli):
    weights_ = [a for p in pillars() for a in ("--weight", f"{p}={1 if p == 'research' else 0}")]
    run = aiatlas_cli("composite", *weights_, "--draws", "0", "--country", "JPN", "--home", home)
    assert run.returncode == 0, run.stderr
    assert "JPN: no score (no weight on any pillar it has data for)" in " ".join(run.stdout.split())
    assert "nan" not in run.stdout.lower()


def test_scores_rescale_weights_over_present_pillars():
    table = np.array([[1.0, 0.0], [0.5, np.nan]])
    present = ~np.isnan(table)
    got = scores(table, present, np.array([0.75, 0.25]))[:, 0]
    assert got[0] == pytest.approx(0.75) and got[1] == pytest.approx(0.5)


def test_bad_weights_are_usage_errors():
    with pytest.raises(UsageError, match="unknown pillar bogus"):
        weights({"bogus": 1})
    with pytest.raises(UsageError, match=">= 0"):
        weights({"research": -1})
    with pytest.raises(UsageError, match="not all 0"):
        weights(dict.fromkeys(pillars(), 0))


def test_every_declared_indicator_exists_and_has_a_country_grain():
    from aiatlas import api

    metas = {m["id"]: m for m in api.list_indicators()}
    for name, pillar in pillars().items():
        assert pillar["rationale"] and pillar["weight"] > 0, name
        for spec in pillar["indicators"]:
            assert "country" in metas[spec["id"]]["grain"], spec
