"""The warehouse build: every declared table, provenance, strictness, and an atomic swap."""
from __future__ import annotations

import threading

import duckdb
import pytest
from conftest import FIXTURES
from snapshots import make_snapshot, query

from aiatlas import api
from aiatlas.errors import DataError
from aiatlas.warehouse import build as build_module
from aiatlas.warehouse.schema import TABLES

DATA = FIXTURES / "data"
GOOD = {"notable_ai_models.csv": DATA / "notable_2024.csv"}
HW = {"ml_hardware.csv": DATA / "ml_hardware.csv"}


def build_id(home):
    return query(home, "SELECT build_id FROM _build")[0][0]


@pytest.fixture
def home(tmp_path):
    make_snapshot(tmp_path, "epoch_notable_models", GOOD, "20261127T100000000000Z")
    return tmp_path


def test_build_writes_every_declared_table_with_provenance(home):
    result = api.build(home=home)
    tables = {r[0] for r in query(home, "SELECT table_name FROM information_schema.tables")}
    assert tables == set(TABLES)
    assert query(home, "SELECT name, countries FROM models ORDER BY name") == [
        ("BLOOM", ["USA", "FRA"]), ("PaLM", ["USA"])]
    assert query(home, "SELECT count(*) FROM hardware") == [(0,)]  # source never fetched
    assert query(home, "SELECT source, file, snapshot_id, bytes FROM _snapshots "
                       "WHERE source NOT IN ('curated', 'entities', 'chip_supplement')") == [
        ("epoch_notable_models", "notable_ai_models.csv",
         "epoch_notable_models/20261127T100000000000Z", GOOD["notable_ai_models.csv"].stat().st_size)]
    notable = next(s for s in result["sources"] if s["source"] == "epoch_notable_models")
    assert (notable["rows"], notable["rejected"]) == (2 + 3 + 3, 0)  # models, orgs, countries
    assert result["skipped"] is False and not list(home.glob("warehouse.duckdb.tmp-*"))


def test_column_types_are_the_declared_ones(home):
    api.build(home=home)
    got = dict(query(home, "SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_name = 'models'"))
    assert got == {c.name: c.type for c in TABLES["models"]}


def test_a_warehouse_built_by_other_code_is_rebuilt_from_the_same_snapshots(home):
    """Same snapshots, same version number, other build code (a column added since): `build`
    must rebuild, not answer "nothing to do" to a warehouse queries call stale."""
    import duckdb

    first = api.build(home=home)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        version = con.execute("SELECT aiatlas_version FROM _build").fetchone()[0]
        assert "+" in version  # the version number and the hash of the build's code
        con.execute("UPDATE _build SET aiatlas_version = split_part(aiatlas_version, '+', 1) || '+older'")
    again = api.build(home=home)
    assert again["skipped"] is False and again["build_id"] != first["build_id"]
    assert api.build(home=home)["skipped"] is True


def test_rebuild_from_same_snapshots_is_skipped_and_says_so(home):
    first = api.build(home=home)
    again = api.build(home=home)
    assert again["skipped"] is True and "already built" in again["reason"]
    assert again["build_id"] == first["build_id"] == build_id(home)
    # the summary of a skipped build says what a full one says: each source's as-of and file
    said = {(s["source"], s.get("file")): s.get("as_of") for s in again["sources"] if s["snapshot_id"]}
    assert said == {(s["source"], s.get("file")): s.get("as_of") for s in first["sources"] if s["snapshot_id"]}
    assert all(said.values()) and ("curated", "policy_events.yaml") in said
    make_snapshot(home, "epoch_ml_hardware", HW, "20261127T110000000000Z")
    third = api.build(home=home)
    assert third["skipped"] is False and third["build_id"] != first["build_id"]
    # the fixture's three chips and the chip supplement's L40S, which Epoch lacks
    assert query(home, "SELECT count(*) FROM hardware") == [(4,)]


def test_editing_a_shipped_reference_table_triggers_a_rebuild(home, monkeypatch, tmp_path):
    from aiatlas.entities import models as model_entities
    from aiatlas.sources.base import package_file_row

    first = api.build(home=home)
    shipped = dict(query(home, "SELECT file, sha256 FROM _snapshots WHERE source = 'entities'"))
    assert set(shipped) == set(model_entities.REFERENCE_FILES)
    edited = tmp_path / "model_aliases.csv"
    edited.write_text("key,model,why\nfoo,Bar,an alias added by hand\n")
    rows = [package_file_row("entities", edited, 1, "aiatlas/entities/model_aliases.csv")]
    monkeypatch.setattr(model_entities, "reference_snapshots", lambda: rows)
    again = api.build(home=home)
    assert again["skipped"] is False and again["build_id"] != first["build_id"]
    assert query(home, "SELECT sha256 FROM _snapshots WHERE source = 'entities'") == [
        (rows[0]["sha256"],)]


def test_latest_complete_snapshot_wins_and_fetches_in_progress_are_ignored(home):
    newer = make_snapshot(home, "epoch_notable_models",
                          {"notable_ai_models.csv": DATA / "notable_current.csv"},
                          "20261127T120000000000Z")
    (newer.parent / ".tmp-1-abc").mkdir()  # fetch writes into a hidden folder, then renames it
    api.build(home=home)
    assert query(home, "SELECT count(*) FROM models") == [(8,)]


def test_failing_build_leaves_the_previous_warehouse_unchanged(home):
    api.build(home=home)
    before = (build_id(home), query(home, "SELECT * FROM models ORDER BY model_id"))
    make_snapshot(home, "epoch_notable_models",
                  {"notable_ai_models.csv": b"Model,Publication date\nX,2020-01-01\n"},
                  "20261127T120000000000Z")
    with pytest.raises(DataError, match="missing column 'Organization'"):
        api.build(home=home)
    assert (build_id(home), query(home, "SELECT * FROM models ORDER BY model_id")) == before
    assert not list(home.glob("warehouse.duckdb.tmp-*"))


def test_crash_while_writing_removes_the_temp_file(home, monkeypatch):
    api.build(home=home)
    before = build_id(home)
    make_snapshot(home, "epoch_ml_hardware", HW, "20261127T110000000000Z")
    real = build_module.arrow_table

    def explode(table, rows):
        if table == "hardware":
            raise RuntimeError("disk on fire")
        return real(table, rows)

    monkeypatch.setattr(build_module, "arrow_table", explode)
    with pytest.raises(RuntimeError):
        api.build(home=home)
    assert build_id(home) == before
    assert not list(home.glob("warehouse.duckdb.tmp-*"))


def test_strict_turns_rejects_into_a_data_error_and_keeps_the_old_warehouse(home):
    api.build(home=home)
    before = build_id(home)
    make_snapshot(home, "epoch_notable_models",
                  {"notable_ai_models.csv": DATA / "notable_current.csv"}, "20261127T120000000000Z")
    with pytest.raises(DataError, match=r"rejected values under --strict; first: "
                                         r"notable_ai_models\.csv:3:Parameters"):
        api.build(home=home, strict=True)
    assert build_id(home) == before
    result = api.build(home=home)  # without --strict the same data loads, rejects recorded
    assert result["rejected"] == 3
    assert query(home, 'SELECT file, "row", "column", value FROM _rejects ORDER BY "row", "column"') == [
        ("notable_ai_models.csv", 3, "Parameters", "lots"),
        ("notable_ai_models.csv", 6, "Country (of organization)", "Atlantis"),
        ("notable_ai_models.csv", 6, "Publication date", "not a date")]


@pytest.mark.slow  # five whole builds
def test_readers_never_see_a_half_built_warehouse(home):
    api.build(home=home)
    states = {(build_id(home), 2)}
    stop, seen, errors = threading.Event(), set(), []

    def reader():
        while not stop.is_set():
            try:
                con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
                try:
                    seen.add(con.execute("SELECT (SELECT build_id FROM _build), "
                                         "(SELECT count(*) FROM models)").fetchone())
                finally:
                    con.close()
            except Exception as e:  # noqa: BLE001 - any failure to read is what this test forbids
                errors.append(e)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i, fixture in enumerate(["notable_current.csv", "notable_2024.csv"] * 2):
            make_snapshot(home, "epoch_notable_models", {"notable_ai_models.csv": DATA / fixture},
                          f"20261127T12000{i}000000Z")
            result = api.build(home=home, allow_shrink=True)  # 8 -> 2 models on purpose
            states.add((result["build_id"], 8 if fixture == "notable_current.csv" else 2))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert seen and seen <= states


def test_an_open_reader_keeps_its_snapshot_through_a_rebuild(home):
    api.build(home=home)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    make_snapshot(home, "epoch_notable_models",
                  {"notable_ai_models.csv": DATA / "notable_current.csv"}, "20261127T120000000000Z")
    api.build(home=home)
    assert con.execute("SELECT count(*) FROM models").fetchone() == (2,)
    con.close()
    assert query(home, "SELECT count(*) FROM models") == [(8,)]


def test_no_snapshots_is_a_data_error_with_a_hint(tmp_path):
    with pytest.raises(DataError, match="no snapshots under") as e:
        api.build(home=tmp_path)
    assert "aiatlas fetch" in e.value.hint


def test_docs_warehouse_md_is_generated_from_the_schema():
    from aiatlas.warehouse.rules import markdown

    docs = (FIXTURES.parent.parent / "docs" / "warehouse.md").read_text(encoding="utf-8")
    assert docs.strip() == markdown().strip(), "run `make docs` to regenerate docs/warehouse.md"
    for table in TABLES:
        assert f"## `{table}`" in docs


def test_temp_files_of_killed_builds_are_cleaned_up(home):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = home / f"warehouse.duckdb.tmp-{dead}"
    stale.write_bytes(b"half a database")
    api.build(home=home)
    assert not stale.exists()
    assert query(home, "SELECT count(*) FROM models") == [(2,)]


def test_build_reads_what_fetch_writes(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "epoch").mkdir(parents=True)
    (mirror / "epoch" / "notable_ai_models.csv").write_bytes(GOOD["notable_ai_models.csv"].read_bytes())
    home = tmp_path / "home"
    api.fetch(["epoch_notable_models"], mirror=str(mirror), home=home)
    result = api.build(home=home)
    assert query(home, "SELECT count(*) FROM models") == [(2,)]
    snap = next(s for s in result["sources"] if s["source"] == "epoch_notable_models")
    assert query(home, "SELECT snapshot_id, rows FROM _snapshots "
                       "WHERE source = 'epoch_notable_models'") == [(snap["snapshot_id"], 2)]
