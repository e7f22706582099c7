"""Curated facts in the build: table, provenance rows, rebuild on edit, and a bad record stops it."""
from __future__ import annotations

import hashlib
import shutil

import pytest
from conftest import FIXTURES
from snapshots import make_snapshot, query

from aiatlas import api
from aiatlas.curated import loader
from aiatlas.errors import DataError

NOTABLE = {"notable_ai_models.csv": FIXTURES / "data" / "notable_2024.csv"}


@pytest.fixture
def home(tmp_path):
    make_snapshot(tmp_path, "epoch_notable_models", NOTABLE, "20261127T100000000000Z")
    return tmp_path


@pytest.fixture
def curated_copy(tmp_path, monkeypatch):
    """A private copy of the shipped YAML, so a test can edit it."""
    copy = tmp_path / "pkg" / "curated"
    shutil.copytree(loader.CURATED_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(loader, "CURATED_DIR", copy)
    return copy


def test_build_loads_every_fact_with_file_checksums(home):
    api.build(home=home)
    assert query(home, "SELECT count(*) FROM curated_facts") == [(len(loader.load_facts()),)]
    snaps = dict(query(home, "SELECT file, sha256 FROM _snapshots WHERE source = 'curated'"))
    for path in loader.fact_files():
        assert snaps[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    loads = query(home, """SELECT sum("rows") FROM _loads WHERE "table" = 'curated_facts'""")
    assert loads == [(len(loader.load_facts()),)]


def test_compute_and_explain_carry_citations_and_curated_provenance(home):
    api.build(home=home)
    result = api.compute("curated_fact", home=home, topic="public_opinion", subject="CHN",
                         since="2024-01-01")
    assert [(r["value"], r["as_printed"]) for r in result.to_pylist()] == [(83.0, "83%")]
    assert {p["source"] for p in result.provenance} == {"curated"}
    assert {p["file"] for p in result.provenance} >= {"public_opinion.yaml"}
    rows = api.explain("policy_events", home=home, where={"id": "usa-bis-rule-2022-10"}).to_pylist()
    assert len(rows) == 1 and rows[0]["url"].startswith("https://bis.gov/")


def test_editing_a_fact_file_triggers_a_rebuild(home, curated_copy):
    first = api.build(home=home)
    assert api.build(home=home)["skipped"] is True
    path = curated_copy / "public_opinion.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('as_printed: "83%"', 'as_printed: "83 %"'),
                    encoding="utf-8")
    again = api.build(home=home)
    assert again["skipped"] is False and again["build_id"] != first["build_id"]
    assert query(home, "SELECT as_printed FROM curated_facts WHERE id = 'ipsos-2024-chn'") == [("83 %",)]


def test_a_bad_fact_stops_the_build_and_keeps_the_old_warehouse(home, curated_copy):
    first = api.build(home=home)
    path = curated_copy / "robot_installations.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 276288", 'value: "lots"'),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"robot_installations.yaml:\d+: record 'ifr-2023-chn': "
                                        r"field 'value': expected a number, got 'lots'"):
        api.build(home=home)
    assert query(home, "SELECT build_id FROM _build") == [(first["build_id"],)]
    assert not list(home.glob("warehouse.duckdb.tmp-*"))
