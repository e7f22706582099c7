"""The warehouse built from the real mirror: row counts, country coverage, older export, CLI."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from aiatlas.sources import epoch_models, registry
from aiatlas.sources.base import Rejects
from aiatlas.sources.countries import iso3

pytestmark = pytest.mark.mirror



def count(con, table, where="true"):
    return con.execute(f'SELECT count(*) FROM "{table}" WHERE {where}').fetchone()[0]


# Row counts from SOURCES.md (records excluding the header).
@pytest.mark.parametrize("table, rows", [
    ("models", 1036), ("frontier_models", 131), ("large_scale_models", 473), ("hardware", 177),
    # hardware: Epoch's 176 and the chip supplement's L40S
    ("gpu_clusters", 786), ("model_versions", 574), ("arena_models", 141), ("benchmarks", 42),
    ("distilled_models", 170), ("ai_company_funding_rounds", 36), ("ai_company_staff", 42),
    ("data_centers", 16), ("data_center_timelines", 112),
    ("eci_scores", 140), ("ai_chip_sales", 422), ("ai_chip_owners", 1155),
    ("github_activity", 5197 + 3998 + 4180 + 5173), ("github_topic_pushers", 72885),
    ("github_collaboration", 74127), ("population", 17195),
])
def test_row_counts_match_the_sources(con, table, rows):
    assert count(con, table) == rows


def test_arena_ratings_hold_both_histories_and_every_leaderboard_category(con):
    assert count(con, "arena_ratings", "file = 'leaderboard_text_full_history.csv'") == 3435
    wide = count(con, "arena_ratings", "file = 'lmarena_history_text_overall_wide.csv'")
    assert 5000 < wide < 98 * 227  # '0.0' cells (not on the board) are not ratings
    cats = {r[0] for r in con.execute("SELECT DISTINCT category FROM arena_ratings").fetchall()}
    assert len(cats) == 29 and "overall" in cats and "full" not in cats
    assert con.execute("SELECT min(date), max(date) FROM arena_ratings").fetchone() == (
        __import__("datetime").date(2023, 5, 8), __import__("datetime").date(2025, 12, 11))


def test_benchmark_scores_are_fractions_with_ids_and_dates(con):
    assert con.execute("SELECT min(score) >= 0 AND max(score) <= 1 FROM benchmark_scores").fetchone()[0]
    mmlu = count(con, "benchmark_scores", "benchmark = 'mmlu'")
    assert mmlu == 246
    assert count(con, "benchmark_scores", "benchmark = 'mmlu' AND model_version IS NULL") == 32
    assert count(con, "benchmark_scores", "benchmark = 'gpqa_diamond' AND origin = 'epoch'") == 134
    # every Epoch run joins a model version (SOURCES.md: 100%)
    assert count(con, "benchmark_scores", "origin = 'epoch' AND model IS NULL") == 0


def test_every_country_cell_resolves(con, mirror):
    with open(mirror / "epoch/notable_ai_models.csv", encoding="utf-8-sig", newline="") as fh:
        cells = {r["Model"].strip(): r["Country (of organization)"] for r in csv.DictReader(fh)}
    models = dict(con.execute("SELECT name, countries FROM models").fetchall())
    for name, cell in cells.items():
        real = [x.strip() for x in cell.split(",") if x.strip() and x.strip() != "Multinational"]
        assert len(models[name]) == len({iso3(x) for x in real}), name
    assert count(con, "_rejects", "\"column\" LIKE 'Country%'") == 0
    for name, code in (("Hong Kong", "HKG"), ("Taiwan", "TWN")):  # kept apart from China
        listed = sum(1 for cell in cells.values() if name in cell)
        assert listed > 0 and count(con, "models", f"list_contains(countries, '{code}')") == listed


def test_misaligned_rows_follow_the_rule(con):
    misaligned = con.execute("SELECT count(DISTINCT model_id) FROM model_organizations "
                             "WHERE NOT aligned").fetchone()[0]
    assert misaligned >= 32  # SOURCES.md: 32 rows where countries and organizations differ
    assert count(con, "model_organizations", "NOT aligned AND (country IS NOT NULL OR sector IS NOT NULL)") == 0


def test_snapshots_table_lists_every_built_file(con, mirror):
    # the built sources the mirror holds (an API-only source such as OpenAlex aggregates is not)
    held = [s for s in registry.built_sources()
            if all(f.mirror_path and (mirror / f.mirror_path).is_file() for f in s.files)]
    fetched = ", ".join(f"'{s.id}'" for s in held)
    declared = sum(len(s.files) for s in held)
    # every built file of SOURCES.md: 58, and 43 added on 2026-12-02
    assert declared == 58 + 43
    assert count(con, "_snapshots", f"source IN ({fetched})") == declared
    assert count(con, "_snapshots", f"source IN ({fetched}) AND "
                                    "(sha256 IS NULL OR fetched_at IS NULL)") == 0


def test_archive_export_loads_through_the_same_cleaner(mirror):
    rejects = Rejects()
    out = epoch_models.clean_models("epoch_notable_models_2025_04", "archive.csv",
                                    mirror / "epoch/archive/notable_ai_models_2025-04-18.csv",
                                    rejects, "models", with_organizations=True)
    assert len(out["models"]) == 924
    assert rejects.rows == []
    assert sum(1 for m in out["models"] if m["countries"]) >= 900
    assert sum(1 for m in out["models"] if m["hardware_utilization"] is not None) > 10


def test_cli_build_then_strict_exit_codes(built_home):
    # a new process each: in this one, earlier tests may have loaded state the build fingerprints
    def run(*args):
        return subprocess.run([sys.executable, "-m", "aiatlas", *args, "--home", str(built_home)],
                              check=False, capture_output=True, text=True, env=os.environ | {"COLUMNS": "250"})

    ok = run("build")
    assert ok.returncode == 0 and "nothing to do" in ok.stdout and "epoch_notable_models" in ok.stdout
    strict = run("build", "--strict")  # the mirror has 3 multi-valued dataset sizes
    assert strict.returncode == 1 and "rejected values under --strict" in strict.stderr
    listed = run("rejects", "--source", "epoch_notable_models")
    assert listed.returncode == 0 and "notable_ai_models.csv:448:Training dataset size" in listed.stdout
    assert run("rejects", "--source", "nope").returncode == 2


def test_spreadsheet_files_load_without_rejects(con):
    assert count(con, "_rejects", "source NOT IN ('epoch_notable_models')") == 0
    assert con.execute("SELECT count(latitude), count(longitude) FROM data_centers").fetchone() == (
        16, 16)
    assert count(con, "gpu_clusters", "first_operational_date IS NOT NULL") == 608  # SOURCES.md
    assert count(con, "gpu_clusters", "country IS NULL") == 85
