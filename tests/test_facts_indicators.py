"""The curated_fact and policy_events indicators over a tiny warehouse built from fixture YAML."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import ibis
import pytest
from fastapi.testclient import TestClient
from fixture_warehouse import write_warehouse

from aiatlas import api, query
from aiatlas.config import settings as make_settings
from aiatlas.curated import loader
from aiatlas.errors import StaleWarehouseError, UsageError
from aiatlas.indicators import registry
from aiatlas.warehouse import connect as wh
from aiatlas.warehouse.connect import Tables
from aiatlas.warehouse.schema import TABLES
from aiatlas.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "curated"


def make_warehouse(path: Path, rows: list[dict]) -> None:
    """A warehouse holding the loader's curated_facts rows (the contract's columns only)."""
    cols = [c.name for c in TABLES["curated_facts"]]
    write_warehouse(path.parent, {"curated_facts": [{c: r[c] for c in cols} for r in rows]},
                    name=path.name)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    path = tmp_path_factory.mktemp("facts") / "warehouse.duckdb"
    make_warehouse(path, loader.load_facts([FIXTURES / "public_opinion.yaml",
                                            FIXTURES / "policy_events.yaml"]))
    return Tables(ibis.duckdb.connect(str(path), read_only=True))


def run(tables, id: str, **params):
    ind = registry.get(id)
    return ind.func(tables, **ind.bind(params)).to_pyarrow().to_pylist()


def explain(tables, id: str, **params):
    ind = registry.get(id)
    return ind.rows(tables, **ind.bind(params)).to_pyarrow().to_pylist()


def test_curated_fact_by_topic_and_subject(tables):
    rows = run(tables, "curated_fact", topic="public_opinion", subject="CHN")
    assert [(r["id"], r["value"]) for r in rows] == [("test-2022-chn", 70.0), ("test-2024-chn", 80.0)]
    assert rows[0]["publisher"] == "Example Survey House"
    assert rows[0]["as_printed"] == "70%"
    assert rows[0]["url"] == "https://example.org/survey-a"


def test_curated_fact_since_until_use_the_reference_date(tables):
    rows = run(tables, "curated_fact", topic="public_opinion", since="2024-01-01")
    assert {r["id"] for r in rows} == {"test-2024-chn", "test-2024-usa", "test-2024-fra-unconfirmed"}
    rows = run(tables, "curated_fact", until="2023-12-31")
    assert {r["id"] for r in rows} == {"test-2022-chn", "test-event-early"}


def test_curated_fact_keeps_unconfirmed_records_flagged(tables):
    rows = run(tables, "curated_fact", subject="FRA")
    assert len(rows) == 1 and rows[0]["confirmed"] is False and rows[0]["value"] is None


def test_curated_fact_measure_filter(tables):
    rows = run(tables, "curated_fact", measure="export_control_rule")
    assert [r["id"] for r in rows] == ["test-event-late"]


def test_curated_fact_rejects_unknown_topic(tables):
    with pytest.raises(UsageError, match="parameter topic='robots' is not one of"):
        run(tables, "curated_fact", topic="robots")


def test_explain_rows_carry_citation_and_provenance(tables):
    rows = explain(tables, "curated_fact", subject="USA", topic="public_opinion")
    assert len(rows) == 1
    row = rows[0]
    assert row["title"] == "A page cited in full on the record"
    assert row["published"] == dt.date(2024, 7, 15)
    assert row["note"] == "Fixture record with its own citation."
    assert row["source_file"].endswith("public_opinion.yaml")
    assert len(row["source_sha256"]) == 64


def test_policy_events_timeline_is_in_date_order(tables):
    rows = run(tables, "policy_events")
    assert [r["id"] for r in rows] == ["test-event-early", "test-event-month", "test-event-late"]
    assert rows[1]["ref_date"] == dt.date(2024, 7, 1) and rows[1]["date"] is None
    assert all(r["url"] and r["publisher"] for r in rows)


def test_policy_events_filters_by_subject_and_window(tables):
    assert [r["id"] for r in run(tables, "policy_events", subject="CHN")] == ["test-event-early"]
    rows = run(tables, "policy_events", since="2024-01-01", until="2024-12-31")
    assert [r["id"] for r in rows] == ["test-event-month"]


def test_policy_events_explain_returns_only_events(tables):
    rows = explain(tables, "policy_events")
    assert {r["topic"] for r in rows} == {"policy_events"}
    assert len(rows) == 3


def test_indicators_run_over_the_shipped_facts(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    make_warehouse(path, loader.load_facts())
    tables = Tables(ibis.duckdb.connect(str(path), read_only=True))
    chn = run(tables, "curated_fact", topic="public_opinion", subject="CHN", since="2024-01-01")
    assert [(r["value"], r["as_printed"]) for r in chn] == [(83.0, "83%")]
    events = run(tables, "policy_events", subject="USA")
    days = [r["ref_date"] for r in events]
    assert days == sorted(days) and dt.date(2022, 10, 7) in days and dt.date(2025, 5, 13) in days


def test_a_warehouse_an_older_aiatlas_built_is_said_so_not_a_traceback(tmp_path):
    """A column this version declares but the warehouse lacks (an older aiatlas built it): one
    line naming the column and saying to rebuild, where the engine raised its own error."""
    facts = loader.load_facts([FIXTURES / "public_opinion.yaml"])
    current, older = tmp_path / "current", tmp_path / "older"
    for home in (current, older):
        make_warehouse(home / "warehouse.duckdb", facts)
    assert query.stale_column(wh.connect(make_settings(home=current))) is None
    assert api.compute("curated_fact", home=current).table.num_rows > 0
    with duckdb.connect(str(older / "warehouse.duckdb")) as con:  # as a build before note_ja
        con.execute("ALTER TABLE curated_facts DROP COLUMN note_ja")
    with pytest.raises(StaleWarehouseError, match=r"no column curated_facts\.note_ja") as e:
        api.compute("curated_fact", home=older, topic="public_opinion")
    assert e.value.hint == "run `aiatlas build`"
    res = TestClient(create_app(home=older)).get("/api/indicators/curated_fact?topic=public_opinion")
    assert (res.status_code, res.json()["hint"]) == (503, "run `aiatlas build`")
    assert str(older) not in res.text
