"""Label rules: pre-release Arena checkpoints are not open weights; one country per organization."""
from __future__ import annotations

import collections
import datetime as dt

import pytest

from aiatlas import api
from aiatlas.entities import models as M

OPEN_FAMILY = {"name": "Llama 9 Maverick", "organizations": ["Meta AI"], "countries": ["USA"],
               "accessibility": "Open weights (restricted use)",
               "publication_date": dt.date(2030, 4, 5)}


def test_prerelease_marker_is_a_token_the_family_name_lacks():
    assert M.prerelease_marker("llama-4-maverick-03-26-experimental", "Llama 4 Maverick") == \
        "experimental"
    assert M.prerelease_marker("deepseek-v3.2-exp-thinking", "DeepSeek-V3.2-Exp") is None
    assert M.prerelease_marker("c4ai-aya-expanse-8b", "Aya Expanse") is None  # not a token
    assert M.prerelease_marker("gemini-2.5-pro-preview-05-06", "Gemini 2.5 Pro") == "preview"


def test_an_experimental_checkpoint_of_an_open_family_gets_its_own_unreleased_identity():
    ids, keys = M.model_identity_rows(
        models=[OPEN_FAMILY],
        model_versions=[{"model_version": "llama-9-maverick-preview-0101", "model": "Llama 9 Maverick"}],
        arena_ratings=[{"arena_key": "llama-9-maverick-03-26-experimental"},
                       {"arena_key": "llama-9-maverick-instruct"},
                       {"arena_key": "llama-9-maverick-preview-0101"}])
    rule = {r["key"]: (r["rule"], r["model_id"]) for r in keys if r["source"] == "arena"}
    assert rule["llama-9-maverick-03-26-experimental"] == (
        "prerelease_checkpoint", "llama-9-maverick-03-26-experimental")
    assert rule["llama-9-maverick-instruct"] == ("rules", "llama-9-maverick")  # released weights
    # Epoch records that very checkpoint (a model version): its record's openness stands
    assert rule["llama-9-maverick-preview-0101"] == ("exact", "llama-9-maverick")
    exp = next(r for r in ids if r["model_id"] == "llama-9-maverick-03-26-experimental")
    assert (exp["organization"], exp["country"], exp["openness"], exp["openness_source"],
            exp["release_date"]) == ("Meta AI", "USA", "unreleased", "prerelease_checkpoint", None)
    family = next(r for r in ids if r["model_id"] == "llama-9-maverick")
    assert family["openness"] == "open_restricted"


def test_a_cited_release_or_a_closed_family_keeps_the_family_label():
    closed = dict(OPEN_FAMILY, name="Gemini 9 Pro", accessibility="API access")
    _, keys = M.model_identity_rows(
        models=[closed, dict(OPEN_FAMILY, name="Zephyr 7B")],
        arena_ratings=[{"arena_key": "gemini-9-pro-exp-0801"}, {"arena_key": "zephyr-7b-beta"}])
    rule = {r["key"]: r["rule"] for r in keys if r["source"] == "arena"}
    assert rule == {"gemini-9-pro-exp-0801": "rules",  # closed anyway: nothing to correct
                    "zephyr-7b-beta": "rules"}  # released_checkpoints.csv cites its weights
    assert all(url.startswith("https://") for url in M.released_checkpoints().values())


def test_every_organization_has_one_country_in_the_table_every_resolver_reads():
    rows = M._read_csv("organizations.csv")
    countries = collections.defaultdict(set)
    for r in rows:
        countries[r["organization"].strip().lower()].add(r["country"].strip())
    assert {o: c for o, c in countries.items() if len(c) > 1} == {}
    hf = collections.Counter(h.lower() for r in rows for h in r["hf_ids"].split())
    assert [h for h, n in hf.items() if n > 1] == []
    # a product line names an organization; its country comes from the same table
    known = set(countries)
    assert [org for _, org, _ in M.families() if org.lower() not in known] == []


@pytest.mark.mirror
def test_epoch_and_the_organization_table_never_give_one_organization_two_countries(con):
    epoch = con.execute("SELECT lower(organization), list(DISTINCT country ORDER BY country) "
                        "FROM model_organizations WHERE aligned AND country IS NOT NULL "
                        "GROUP BY 1").fetchall()
    assert [(o, c) for o, c in epoch if len(c) > 1] == []
    ours = M.organizations()[0]
    assert [(o, c[0], ours[o]) for o, c in epoch if o in ours and ours[o] != c[0]] == []
    # and every identity credited through the table carries the table's country
    rows = con.execute("SELECT organization, list(DISTINCT country) FROM model_identity "
                       "WHERE country_source = 'org_default' GROUP BY 1").fetchall()
    assert [(o, c) for o, c in rows if len(c) > 1 or M.org_country(o) not in c] == []


@pytest.mark.mirror
def test_every_arena_key_the_prerelease_rule_reclassifies(con):
    got = con.execute("SELECT k.key, i.openness FROM model_keys k JOIN model_identity i "
                      "USING (model_id) WHERE k.rule = 'prerelease_checkpoint' ORDER BY 1").fetchall()
    assert got == [("dbrx-instruct-preview", "unreleased"),
                   ("llama-4-maverick-03-26-experimental", "unreleased")]


@pytest.mark.mirror
def test_arena_gap_states_its_divisor_and_the_leader_option_divides_by_the_leader(built_home):
    kw = dict(home=built_home, group="openness", since="2025-04-07", until="2025-05-24")
    follower = api.compute("arena_gap", **kw).to_pylist()
    leader = api.compute("arena_gap", relative_to="leader", **kw)
    said = leader.meta["description"]  # the divisor in words (the reader pages allow no formulas)
    assert "in percent of the follower's rating" in said and "of the leader's" in said
    assert leader.meta["params"]["relative_to"] == "leader"
    for f, led in zip(follower, leader.to_pylist()):
        assert f["gap_relative_pct"] == pytest.approx(f["gap"] / f["b_value"] * 100)
        assert led["gap_relative_pct"] == pytest.approx(led["gap"] / led["a_value"] * 100)
    # the unreleased Maverick checkpoint no longer stands for open weights on these dates
    assert "Llama 4 Maverick" not in {r["b_model"] for r in follower}
    assert min(r["gap_relative_pct"] for r in follower) > 4
