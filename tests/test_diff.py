"""`aiatlas diff`: rows added, removed and changed between two builds."""
from __future__ import annotations

import csv
import shutil

import duckdb
import pytest
from fixtures.indicators.tiny import model, write_warehouse

from aiatlas import api


@pytest.fixture()
def two_builds(tmp_path):
    """A vintage of 2025-01-01 and a current warehouse, hand-made."""
    old = [model("alpha", "2024-03-01", ["USA"], open_weights=True),
           model("beta", "2024-05-01", ["CHN"]), model("gone", "2023-01-01", ["FRA"])]
    new = [model("alpha", "2024-03-01", ["USA"], open_weights=False),
           model("beta", "2024-05-01", ["CHN", "USA"]), model("fresh", "2025-02-01", ["GBR"])]
    write_warehouse(tmp_path / "v", old)
    (tmp_path / "vintages" / "2025-01-01").mkdir(parents=True)
    shutil.move(tmp_path / "v" / "warehouse.duckdb",
                tmp_path / "vintages" / "2025-01-01" / "warehouse.duckdb")
    write_warehouse(tmp_path, new)
    return tmp_path


def test_models_added_removed_and_the_columns_that_changed(two_builds):
    d = api.diff("2025-01-01", "latest", home=two_builds, tables=["models"])
    (models,) = d["tables"]
    assert (models["rows_a"], models["rows_b"]) == (3, 3)
    assert [r["model_id"] for r in models["added_rows"]] == ["fresh"]
    assert [r["model_id"] for r in models["removed_rows"]] == ["gone"]
    changes = {r["model_id"]: r["changes"] for r in models["changed_rows"]}
    assert changes["alpha"] == {"accessibility": ["Open weights (unrestricted)", "API access"],
                                "open_weights": [True, False]}
    assert changes["beta"] == {"countries": [["CHN"], ["CHN", "USA"]]}
    assert d["a"]["as_of"].isoformat() == "2025-01-01" and d["b"]["as_of"] is None


def test_unknown_build_or_table_is_a_usage_error(two_builds):
    from aiatlas.errors import UsageError

    with pytest.raises(UsageError, match="no build '2024-12-31'"):
        api.diff("2024-12-31", "latest", home=two_builds)
    with pytest.raises(UsageError, match="unknown table nope"):
        api.diff("2025-01-01", "latest", home=two_builds, tables=["nope"])


def _names(path) -> set[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["Model"].strip() for row in csv.DictReader(fh) if row["Model"].strip()}


@pytest.mark.mirror
def test_diff_of_two_vintages_lists_exactly_the_models_of_one_export_only(tmp_path, mirror):
    api.fetch(mirror=str(mirror), home=tmp_path)
    api.build(home=tmp_path, as_of="2025-04-30")  # the April 2025 export
    api.build(home=tmp_path, as_of="2026-07-31")  # the July 2026 export
    old = _names(mirror / "epoch/archive/notable_ai_models_2025-04-18.csv")
    new = _names(mirror / "epoch/notable_ai_models.csv")
    (models,) = api.diff("2025-04-30", "2026-07-31", home=tmp_path, tables=["models"],
                         limit=10_000)["tables"]
    # a model whose spelling changed ('Grok-3' -> 'Grok 3') keeps its id: it is changed, and
    # its two spellings are the only names in one export and not the other besides these
    # (a trailing space, which the cleaner strips, is no rename)
    renamed = [r["changes"]["name"] for r in models["changed_rows"] if "name" in r["changes"]]
    assert {r["name"] for r in models["added_rows"]} | {b for a, b in renamed} == new - old
    assert {r["name"] for r in models["removed_rows"]} | {a for a, b in renamed} == old - new
    assert models["changed"] == len(models["changed_rows"])


def test_a_build_without_a_newer_column_is_compared_on_the_columns_both_hold(two_builds):
    """An older aiatlas wrote the vintage without a column the current build has: the diff
    compares what both hold and names the column, instead of failing."""
    path = two_builds / "vintages" / "2025-01-01" / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute('ALTER TABLE models DROP COLUMN "open_weights"')
    (models,) = api.diff("2025-01-01", "latest", home=two_builds, tables=["models"])["tables"]
    assert models["columns_only_in_b"] == ["open_weights"] and models["columns_only_in_a"] == []
    assert (models["added"], models["removed"]) == (1, 1)
    changed = {r["name"]: r["changes"] for r in models["changed_rows"]}
    assert "open_weights" not in changed.get("alpha", {})
