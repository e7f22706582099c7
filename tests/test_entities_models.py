"""Model identity: normalization rules, the alias table, attribute precedence and org defaults."""
from __future__ import annotations

import datetime as dt

import fixture_warehouse
import pytest
from performance_fixture import build

from aiatlas import api
from aiatlas.entities import models as M


@pytest.mark.parametrize("name, expected", [
    ("chatgpt-4o-latest-20241120", "chatgpt-4o"),
    ("gpt-4o-2024-08-06", "gpt-4o"),
    ("qwen2.5-72b-instruct", "qwen2-5-72b"),
    ("amazon.nova-lite-v1:0", "amazon-nova-lite"),
    ("amazon.nova-lite-v1:0", "nova-lite"),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama-3-1-8b"),
    ("o3-mini-high", "o3-mini"),
    ("claude-opus-4-5-20251101-thinking-32k", "claude-opus-4-5"),
    ("gemini-2.0-flash-thinking-exp-01-21", "gemini-2-0-flash-thinking"),
    ("gpt-5.1_medium", "gpt-5-1"),
])
def test_rules_peel_dates_and_suffixes(name, expected):
    assert expected in M.candidates(name)


def test_candidates_are_most_specific_first_and_keep_meaningful_words():
    c = M.candidates("gpt-4-turbo-2024-04-09")
    assert c[0] == "gpt-4-turbo-2024-04-09" and c[1] == "gpt-4-turbo" and "gpt-4" not in c
    assert M.normalize("Command R+") == "command-r-plus" != M.normalize("Command R")


def test_openness_classes_from_epoch_and_arena_licences():
    assert M.openness_from_accessibility("Open weights (non-commercial)") == "open_restricted"
    assert M.openness_from_accessibility("Hosted access (no API)") == "api"
    assert M.openness_from_accessibility("Unreleased") == "unreleased"
    assert M.openness_from_accessibility(None) is None
    assert M.openness_from_licence("Proprietary") == "api"
    assert M.openness_from_licence("Apache 2.0") == "open_unrestricted"
    assert M.openness_from_licence("Llama 3.1 Community") == "open_restricted"
    assert M.openness_from_licence("") is None


def _ident(rows, name):
    return next(r for r in rows if r["name"] == name)


def test_epoch_record_wins_then_arena_licence_then_marked_org_default():
    models = [{"name": "GPT-4o (Nov 2024)", "organizations": ["OpenAI"], "countries": ["USA"],
               "accessibility": "API access", "publication_date": dt.date(2024, 11, 20)},
              {"name": "Qwen9-1B", "organizations": ["Alibaba"], "countries": ["CHN"],
               "accessibility": None, "publication_date": None}]
    ids, keys = M.model_identity_rows(
        models=models,
        arena_ratings=[{"arena_key": "chatgpt-4o-latest-20241120"}, {"arena_key": "qwen9-1b-chat"},
                       {"arena_key": "claude-9-sonnet-20300101"}, {"arena_key": "mystery-bot"}],
        arena_models=[{"arena_key": "qwen9-1b-chat", "organization": "Alibaba", "license": "Apache 2.0"}])
    k = {r["key"]: r for r in keys if r["source"] == "arena"}
    assert k["chatgpt-4o-latest-20241120"]["rule"] == "alias"  # from model_aliases.csv
    assert k["chatgpt-4o-latest-20241120"]["model_id"] == "gpt-4o-nov-2024"
    assert k["qwen9-1b-chat"]["rule"] == "rules" and k["mystery-bot"]["model_id"] is None
    assert k["chatgpt-4o-latest-20241120"]["occurrences"] == 1
    gpt = _ident(ids, "GPT-4o (Nov 2024)")
    assert (gpt["openness"], gpt["openness_source"], gpt["country_source"]) == \
        ("api", "epoch_accessibility", "epoch")
    qwen = _ident(ids, "Qwen9-1B")
    assert (qwen["openness"], qwen["openness_source"]) == ("open_unrestricted", "arena_license")
    claude = _ident(ids, "claude-9-sonnet")  # no record anywhere: product-line default, marked
    assert (claude["organization"], claude["country"], claude["openness"], claude["openness_source"],
            claude["country_source"]) == ("Anthropic", "USA", "api", "org_default", "org_default")


def test_model_without_any_record_stays_unknown():
    ids, _ = M.model_identity_rows(models=[{"name": "Nowhere-1", "organizations": ["Nowhere Lab"],
                                            "countries": [], "accessibility": None}])
    n = _ident(ids, "Nowhere-1")
    assert (n["openness"], n["openness_source"], n["country"]) == ("unknown", None, None)


def test_versions_link_to_their_epoch_model_and_date_it():
    ids, keys = M.model_identity_rows(
        model_versions=[{"model_version": "gemma-7b", "model": "Gemma 7B",
                         "release_date": dt.date(2024, 2, 21), "hf_developer_id": "google"}],
        benchmark_scores=[{"model_version": "gemma-7b", "name": "Gemma (7B)"}] * 3)
    k = next(r for r in keys if r["source"] == "model_version")
    assert (k["rule"], k["model_id"], k["occurrences"]) == ("version", "gemma-7b", 3)
    g = _ident(ids, "Gemma 7B")
    assert (g["release_date"], g["organization"], g["openness_source"]) == \
        (dt.date(2024, 2, 21), "Google", "org_default")


def test_unmatched_lists_unresolved_names_with_counts(tmp_path):
    build(tmp_path)
    rows = api.entities_unmatched(home=tmp_path)
    keys = {(r["source"], r["key"]): r for r in rows}
    assert keys[("benchmark_name", "Totally Unknown 7B")]["missing"] == "model"
    assert keys[("arena", "mystery-d")]["missing"] == "country"  # resolved, but no attributes
    assert keys[("arena", "zz-filler-1")]["occurrences"] == 1
    assert ("arena", "open-b-instruct") not in keys
    assert {r["source"] for r in api.entities_unmatched("arena", home=tmp_path)} == {"arena"}
    cov = {r["target"]: r for r in api.entities_coverage(home=tmp_path)}
    assert cov["mmlu score rows"]["total"] == 8 and cov["mmlu score rows"]["resolved"] == 6


@pytest.mark.slow  # a whole build, its coverage measured three times
def test_the_builds_coverage_figures_are_the_entities_commands_for_each_warehouse(tmp_path):
    # the build's measure compiles its query once per shape of the tables: a second warehouse
    # of the same shape gets its own figures, the same as `aiatlas entities coverage` gives
    full = build(tmp_path / "full")
    empty = fixture_warehouse.write_warehouse(tmp_path / "empty", {})
    for path in (full, empty, full):
        got = M.coverage_of(path)["rows"]
        assert got == api.entities_coverage(home=path.parent)
    assert [(r["target"], r["total"]) for r in M.coverage_of(empty)["rows"]] == [
        ("arena models ever in a date's top 20", 0)]  # no benchmark rows: no benchmark targets
    assert {r["target"]: r["total"] for r in M.coverage_of(full)["rows"]}["mmlu score rows"] == 8


def test_unmatched_rejects_an_unknown_source(tmp_path):
    from aiatlas.errors import UsageError

    with pytest.raises(UsageError, match="unknown source"):
        api.entities_unmatched("nope", home=tmp_path)


def test_cli_unmatched_prints_json_and_rejects_bad_source(tmp_path):
    import json

    from typer.testing import CliRunner

    from aiatlas.cli import app

    build(tmp_path)
    runner = CliRunner()
    out = runner.invoke(app, ["entities", "unmatched", "--source", "benchmark_name", "--format", "json",
                              "--home", str(tmp_path)])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["rows"]
    assert [(r["key"], r["occurrences"]) for r in rows] == [("Totally Unknown 7B", 1)]
    bad = runner.invoke(app, ["entities", "unmatched", "--source", "nope", "--home", str(tmp_path)])
    assert bad.exit_code != 0


def test_arena_catalog_gives_an_identity_to_a_model_epoch_lacks():
    ids, keys = M.model_identity_rows(arena_models=[
        {"arena_key": "lonely-model-v2", "name": "Lonely 2", "organization": "OpenAI",
         "license": "Proprietary"}])
    k = next(r for r in keys if r["key"] == "lonely-model-v2")
    assert (k["rule"], k["model_id"], k["occurrences"]) == ("arena_catalog", "lonely-model", 0)
    lonely = _ident(ids, "Lonely 2")
    assert (lonely["organization"], lonely["country"], lonely["country_source"], lonely["openness"],
            lonely["openness_source"]) == ("OpenAI", "USA", "org_default", "api", "arena_license")
