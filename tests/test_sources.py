"""Each cleaner on tiny hand-made files: header variants, country rules, scores, arena layouts."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import FIXTURES

from aiatlas.errors import DataError, UsageError
from aiatlas.sources import epoch_benchmarks, epoch_hardware, epoch_models, lmarena, registry
from aiatlas.sources.base import Rejects
from aiatlas.warehouse.datasets import VIEWS
from aiatlas.warehouse.schema import TABLES

DATA = FIXTURES / "data"


def clean_notable(name: str, rejects: Rejects):
    return epoch_models.clean_models("epoch_notable_models", name, DATA / name, rejects,
                                     "models", with_organizations=True)


@pytest.fixture(scope="module")
def current():
    rejects = Rejects()
    return clean_notable("notable_current.csv", rejects), rejects


def by_name(rows):
    return {r["name"]: r for r in rows}


def test_notable_models_typed(current):
    out, _ = current
    gpt4 = by_name(out["models"])["GPT-4"]
    assert gpt4["model_id"] == "gpt-4"
    assert (gpt4["publication_date"], gpt4["year"]) == (dt.date(2023, 3, 15), 2023)
    assert (gpt4["parameters"], gpt4["training_compute_flop"]) == (1.8e12, 2.1e25)
    assert (gpt4["training_dataset_size"], gpt4["hardware_utilization"]) == (4.9e12, 0.34)
    assert gpt4["training_cost_usd"] == 4e7
    assert gpt4["domains"] == ["Language", "Vision"]
    assert (gpt4["frontier"], gpt4["open_weights"], gpt4["accessibility"]) == (True, False,
                                                                                "API access")


def test_open_weights_falls_back_to_accessibility(current):
    models = by_name(current[0]["models"])
    assert models["Qwen-HK"]["open_weights"] is True  # 'Open weights (unrestricted)'
    assert models["DeepMind Model"]["open_weights"] is False  # 'Unreleased'
    assert models["Korea-Iran"]["open_weights"] is None  # nothing known
    assert models["Qwen-HK"]["frontier"] is False  # empty 'Frontier model' cell


def test_countries_iso3_distinct_hong_kong_and_taiwan_kept(current):
    models = by_name(current[0]["models"])
    assert models["Qwen-HK"]["countries"] == ["CHN", "HKG"]
    assert models["Taiwan LLM"]["countries"] == ["TWN"]
    assert models["Korea-Iran"]["countries"] == ["KOR", "IRN"]
    assert models["DeepMind Model"]["countries"] == ["GBR"]  # Multinational is not a country
    countries = [(r["model_id"], r["position"], r["country"]) for r in current[0]["model_countries"]
                 if r["model_id"] == "qwen-hk"]
    assert countries == [("qwen-hk", 1, "CHN"), ("qwen-hk", 2, "HKG")]


def test_aligned_lists_zip_organization_country_sector(current):
    rows = [r for r in current[0]["model_organizations"] if r["model_id"] == "qwen-hk"]
    assert [(r["position"], r["organization"], r["country"], r["sector"], r["aligned"])
            for r in rows] == [(1, "Alibaba", "CHN", "Industry", True),
                               (2, "University of Hong Kong", "HKG", "Academia", True)]


def test_misaligned_lists_leave_country_and_sector_null(current):
    rows = [r for r in current[0]["model_organizations"] if r["model_id"] == "taiwan-llm"]
    assert [r["organization"] for r in rows] == ["Academia Sinica", "National Taiwan University",
                                                 "Foxconn"]
    assert {(r["country"], r["sector"], r["aligned"]) for r in rows} == {(None, None, False)}


def test_multinational_organization_has_no_country(current):
    rows = [r for r in current[0]["model_organizations"] if r["model_id"] == "deepmind-model"]
    assert [(r["organization"], r["country"], r["aligned"]) for r in rows] == [
        ("Google DeepMind", "GBR", True), ("Google", None, True)]


def test_bad_cells_are_rejected_with_row_and_column(current):
    out, rejects = current
    got = {(r["row"], r["column"], r["value"]) for r in rejects.rows}
    assert got == {(3, "Parameters", "lots"), (6, "Publication date", "not a date"),
                   (6, "Country (of organization)", "Atlantis")}
    atlantis = by_name(out["models"])["Atlantis Model"]
    assert (atlantis["publication_date"], atlantis["countries"]) == (None, [])
    assert by_name(out["models"])["Korea-Iran"]["publication_date"] == dt.date(2021, 3, 7)


def test_colliding_slugs_stay_distinct(current):
    ids = [r["model_id"] for r in current[0]["models"]]
    assert len(ids) == len(set(ids))
    assert {"deeplabv3plus", "deeplabv3"} <= set(ids)


def test_2024_export_with_bom_and_old_headers_loads_through_the_same_cleaner():
    rejects = Rejects()
    out = clean_notable("notable_2024.csv", rejects)
    models = by_name(out["models"])
    assert rejects.rows == []
    assert models["PaLM"]["training_dataset_size"] == 7.8e11  # 'Training dataset size (datapoints)'
    assert models["PaLM"]["hardware_utilization"] == 0.462  # 'Hardware utilization'
    assert models["PaLM"]["countries"] == ["USA"]  # from 'Country (from Organization)'
    assert models["BLOOM"]["countries"] == ["USA", "FRA"]
    assert models["BLOOM"]["open_weights"] is True
    assert {r["aligned"] for r in out["model_organizations"]} == {False}


def test_hardware_and_clusters(tmp_path):
    rejects = Rejects()
    hw = epoch_hardware.clean_hardware({"ml_hardware.csv": DATA / "ml_hardware.csv"}, rejects)
    h100 = hw["hardware"][0]
    assert (h100["hardware_id"], h100["tpp_published"], h100["die_size_mm2"]) == (
        "nvidia-h100-sxm5-80gb", 15824.0, 814.0)
    assert h100["release_date"] == dt.date(2022, 3, 22)
    assert {(r["row"], r["column"]) for r in rejects.rows} == {(3, "Release date"),
                                                               (3, "Release price (USD)")}
    rejects = Rejects()
    cl = epoch_hardware.clean_clusters({"gpu_clusters.csv": DATA / "gpu_clusters.csv"}, rejects)
    rows = by_name(cl["gpu_clusters"])
    colossus = rows["xAI Colossus"]
    assert (colossus["country"], colossus["first_operational_date"]) == ("USA", dt.date(2024, 9, 2))
    assert (colossus["max_ops"], colossus["hardware_cost_usd"]) == (9.9e20, 3e9)
    assert (colossus["include_in_standard_analysis"], colossus["excluded"]) == (True, False)
    assert rows["Philippine cluster"]["country"] == "PHL"
    assert rows["Ocean cluster"]["country"] is None
    assert {(r["row"], r["column"], r["value"]) for r in rejects.rows} == {
        (3, "First Operational Date", "13/40/2023"), (4, "Country", "Oceania Republic")}


def benchmark_files(tmp_path):
    """The fixture benchmark files, plus header-only stand-ins for the files a test leaves out."""
    files = {}
    for name in (f.name for f in epoch_benchmarks.SOURCE.files):
        if (DATA / name).exists():
            files[name] = DATA / name
        else:
            stem = name.removeprefix("external_benchmark_").removesuffix(".csv")
            header = {"benchmark_optim.csv": "benchmark", "distilled_models.csv": "model"}.get(
                name) or f"Model version,{epoch_benchmarks.EXTERNAL[stem][1]}"
            (tmp_path / name).write_text(header + "\n")
            files[name] = tmp_path / name
    return files


def test_benchmark_scores_from_runs_and_external_tables(tmp_path):
    rejects = Rejects()
    out = epoch_benchmarks.clean(benchmark_files(tmp_path), rejects)
    scores = {(r["benchmark"], r["name"] or r["model_version"]): r for r in out["benchmark_scores"]}
    gpqa = scores[("gpqa_diamond", "o3-2025-04-16_high")]
    assert (gpqa["score"], gpqa["model"], gpqa["date"], gpqa["origin"]) == (
        0.85, "o3", dt.date(2025, 11, 17), "epoch")
    assert ("gpqa_diamond", "gpt-4o-2024-08-06") not in scores  # the failed run
    fm = scores[("frontiermath_2025_02_28_private", "o3-2025-04-16_high")]
    assert (fm["score"], fm["date"]) == (0.097, None)
    mmlu = scores[("mmlu", "GPT-4o")]
    assert (mmlu["score"], mmlu["model"], mmlu["date"], mmlu["shots"]) == (
        pytest.approx(0.887), "GPT-4o", dt.date(2024, 8, 6), "5")
    old = scores[("mmlu", "Old model")]
    assert (old["model_version"], old["model"], old["score"]) == (None, None, 0.32)
    assert {r["name"] for r in out["benchmark_scores"] if r["benchmark"] == "mmlu"} == {
        "GPT-4o", "Qwen 1.8B", "Old model"}
    assert {(r["file"], r["row"], r["column"]) for r in rejects.rows} == {
        ("benchmarks_runs.csv", 2, "started_at"), ("benchmarks_runs.csv", 4, "task"),
        ("benchmarks_runs.csv", 5, "Best score (across scorers)"),
        ("external_benchmark_mmlu.csv", 4, "EM"),
        ("external_benchmark_mmlu.csv", 5, "EM")}


def test_every_external_benchmark_file_has_a_declared_headline_column():
    names = {f.name for f in epoch_benchmarks.SOURCE.files}
    assert {f"external_benchmark_{s}.csv" for s in epoch_benchmarks.EXTERNAL} <= names
    assert all(b == epoch_benchmarks.benchmark_id(b) for b, _, _ in epoch_benchmarks.EXTERNAL.values())


def test_arena_catalog_dates_the_leaderboard_by_the_newest_history_commit():
    rejects = Rejects()
    files = {n: DATA / n for n in ("leaderboard-text.json", "scatterplot-data.json",
                                   "leaderboard_text_full_history.csv")}
    out = lmarena.clean_catalog(files, rejects)
    got = {(r["date"], r["arena_key"], r["category"]): r["rating"] for r in out["arena_ratings"]}
    newest = dt.date(2025, 12, 11)
    assert got == {(dt.date(2025, 3, 7), "gpt-4o", "overall"): 1280.5,
                   (newest, "gemini-3-pro", "overall"): 1486.6,  # once, not twice
                   (newest, "gpt-4o", "overall"): 1300.0,
                   (newest, "new-model", "overall"): 1400.0,
                   (newest, "gemini-3-pro", "coding"): 1500.0}
    assert [(r["column"], r["value"]) for r in rejects.rows][:1] == [("coding.broken.rating", "n/a")]
    models = {r["arena_key"]: r for r in out["arena_models"]}
    assert models["chatgpt-4o-latest-20241120"]["input_price_usd_per_mtok"] == 2.5
    assert models["llama-3.1-405b-instruct"]["license"] == "Llama 3.1 Community"
    assert models["llama-3.1-405b-instruct"]["output_price_usd_per_mtok"] is None
    assert ("output_token_price", "free") in {(r["column"], r["value"]) for r in rejects.rows}


def test_arena_wide_history_skips_zero_and_blank_cells():
    rejects = Rejects()
    name = "lmarena_history_text_overall_wide.csv"
    out = lmarena.clean_wide({name: DATA / name}, rejects)
    got = {(r["date"].isoformat(), r["arena_key"]): r["rating"] for r in out["arena_ratings"]}
    assert got == {("2023-05-08", "gpt-4-0314"): 1200.5, ("2023-05-08", "claude-1"): 1150.0,
                   ("2023-06-01", "gpt-4-0314"): 1210.0, ("2023-06-01", "vicuna-13b"): 1050.5,
                   ("2023-08-01", "gpt-4-0314"): 1230.0, ("2023-08-01", "vicuna-13b"): 1070.0}
    assert {r["ci_low"] for r in out["arena_ratings"]} == {None}
    assert {(r["row"], r["value"]) for r in rejects.rows} == {(3, "2023-07-01"), (4, "junk")}


def test_json_syntax_error_names_line_and_column(tmp_path):
    (tmp_path / "scatterplot-data.json").write_text('[{"name": "x",\n  "model_api_name": }]')
    with pytest.raises(DataError, match=r"^scatterplot-data\.json:2:21: not valid JSON"):
        lmarena.clean_scatterplot({"scatterplot-data.json": tmp_path / "scatterplot-data.json"},
                                  Rejects())


def test_registry_declares_every_mirror_file_once(mirror):
    # files made from live API calls (mirror_path "") are not in the mirror, by design
    declared = [f.mirror_path for s in registry.SOURCES for f in s.files if f.mirror_path]
    on_disk = sorted(str(p.relative_to(mirror)) for p in mirror.rglob("*")
                     if p.is_file() and p.name != "SOURCES.md")
    assert sorted(declared) == on_disk


def test_registry_lookup_and_tables():
    assert registry.get("epoch_notable_models").tables[0] == "models"
    with pytest.raises(UsageError, match="expected one of: epoch_notable_models"):
        registry.get("nope")
    assert registry.sources_for_tables(["arena_ratings"]) == {"lmarena_catalog", "lmarena_history"}
    assert "epoch_notable_models_2025_04" not in {s.id for s in registry.built_sources()}
    for src in registry.SOURCES:
        assert set(src.tables) <= set(TABLES) | set(VIEWS), src.id
        assert (src.files or src.ingest) and all(f.url.startswith("https://") for f in src.files)


def test_field_kinds_match_the_schema_types():
    kind_of = {"VARCHAR": {"text"}, "DOUBLE": {"number", "fraction"}, "DATE": {"date"},
               "BOOLEAN": {"bool"}, "VARCHAR[]": {"list"}}
    checks = [("hardware", epoch_hardware.HARDWARE_FIELDS), ("gpu_clusters", epoch_hardware.CLUSTER_FIELDS),
              ("model_versions", epoch_benchmarks.VERSION_FIELDS)]
    from aiatlas.sources import epoch_misc
    checks += [(t, fields) for t, fields in epoch_misc.COMPANY_FILES.values()]
    checks += [("data_center_timelines", epoch_misc.TIMELINE_FIELDS)]
    for table, fields in checks:
        types = {c.name: c.type for c in TABLES[table]}
        for fl in fields:
            assert fl.kind in kind_of[types[fl.name]], (table, fl.name)


@pytest.mark.parametrize("text, value", [("32°35'25\"N", 32.590278), ("90°05'35\"W", -90.093056),
                                         ("41.5", 41.5)])
def test_data_center_coordinates_to_decimal_degrees(text, value):
    from aiatlas.sources.epoch_misc import degrees

    assert degrees(text) == pytest.approx(value, abs=1e-6)
    with pytest.raises(ValueError):
        degrees("somewhere in Texas")
