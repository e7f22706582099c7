"""Parity on a real cluster: the OpenAlex ingest and indicators on a Spark standalone master with
two workers (separate processes on loopback) give the DuckDB results (rel tol 1e-9)."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import serve_in_thread
from test_spark_parity import assert_same_rows

from aiatlas import api
from aiatlas.sources.openalex import ingest as ig
from aiatlas.sources.openalex.synth import write_corpus
from aiatlas.warehouse import provenance

# Its own xdist group, apart from test_spark_parity.py's: every test here shares the cluster and
# the two homes (one worker builds them), and the parity tests, which need neither, run on the
# other worker meanwhile in a local-mode Spark of their own (together they were ~820 s in a row).
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark-cluster")]

WORKS = int(__import__("os").environ.get("AIATLAS_PARITY_WORKS", "20000"))
PER_PART = 5_000
CASES = [
    ("ai_publications_by_country", {}),
    ("ai_publications_by_country", {"counting": "full", "ai_definition": "concept"}),
    ("ai_publications_world_share", {}),
    ("ai_citations_by_country", {"counting": "full"}),
    ("ai_top_cited_share", {"top_percent": 1}),
    ("ai_top_cited_share", {"top_percent": 10, "counting": "full"}),
    ("ai_publications_growth", {"span": 3}),
]


@pytest.fixture(scope="module")
def homes(tmp_path_factory, spark_cluster):
    root = tmp_path_factory.mktemp("openalex_parity")
    write_corpus(root / "snap", WORKS, per_part=PER_PART, seed=7)
    ig.ingest(str(root / "snap"), root / "duck" / "snapshots")
    api.build(home=root / "duck")
    # the Spark side through the command the docs give: `aiatlas build --backend pyspark`
    from typer.testing import CliRunner

    from aiatlas.cli import app

    r = CliRunner().invoke(app, ["build", "--openalex", str(root / "snap"), "--backend", "pyspark",
                                 "--home", str(root / "spark")])
    assert r.exit_code == 0, r.output
    return root / "duck", root / "spark"


def works_dir(home) -> Path:
    return provenance.latest(home / "snapshots", "openalex_works").path


def manifest_of(home) -> ig.WorksManifest:
    return ig.WorksManifest(works_dir(home))


def test_spark_ingest_writes_the_same_rows(homes):
    duck, spark = homes
    d, s = manifest_of(duck).parts, manifest_of(spark).parts
    assert d.keys() == s.keys() and len(d) == -(-WORKS // PER_PART)
    for name in d:
        assert (d[name]["rows"], d[name]["rows_without_year_or_id"], d[name]["synthetic_rows"],
                d[name]["sha256"]) == (s[name]["rows"], s[name]["rows_without_year_or_id"],
                                       s[name]["synthetic_rows"], s[name]["sha256"])
        assert d[name]["outputs"] == s[name]["outputs"]
    assert _rows(duck) == _rows(spark)


def test_executors_read_and_wrote_every_part(homes):
    duck, spark = homes
    assert all("driver" in e["written_by"] for e in manifest_of(duck).parts.values())
    ledger = manifest_of(spark)
    assert all("executor" in e["written_by"] for e in ledger.parts.values())
    assert all("executor" in f["written_by"] for f in ledger.files.values())


def _rows(home) -> list[tuple]:
    """Every ingested row, in a canonical order, read straight from the Parquet files."""
    import duckdb

    return duckdb.sql(f"""SELECT * FROM read_parquet('{works_dir(home)}/*/*.parquet',
                          hive_partitioning=true) ORDER BY id, publication_year""").fetchall()


@pytest.fixture(scope="module")
def served_snapshot(homes):
    """The same synthetic snapshot served over loopback HTTP (executors stream it themselves)."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(Quiet, directory=str(homes[0].parent / "snap")))
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}/works"
    server.shutdown()


def test_executors_stream_an_http_snapshot_and_compact_the_years(homes, served_snapshot,
                                                                  tmp_path):
    duck, _ = homes
    summary = ig.ingest(served_snapshot, tmp_path / "h" / "snapshots", engine="pyspark", max_files_per_year=2,
                        rows_per_file=10_000)
    assert summary["rows"] == WORKS and summary["compacted_years"] > 0
    ledger = manifest_of(tmp_path / "h")
    for name, e in ledger.parts.items():
        assert e["url"] == f"{served_snapshot}/{name}" and "executor" in e["written_by"]
        assert e["sha256"] == manifest_of(duck).parts[name]["sha256"]  # hashed while streaming
    files = sorted(p.relative_to(works_dir(tmp_path / "h")).as_posix()
                   for p in works_dir(tmp_path / "h").glob("*/*.parquet"))
    assert files == sorted(ledger.files)
    per_year = {}
    for f in files:
        per_year.setdefault(f.split("/")[0], []).append(f)
    assert max(len(fs) for fs in per_year.values()) <= 2  # 4 parts: up to 4 files before
    assert any("compact-" in f and "executor" in ledger.files[f]["written_by"] for f in files)
    assert _rows(tmp_path / "h") == _rows(duck)


@pytest.mark.parametrize("indicator,params", CASES)
def test_indicators_match_on_duckdb_and_spark(homes, indicator, params):
    duck, spark = homes
    a = api.compute(indicator, home=duck, backend="duckdb", **params)
    b = api.compute(indicator, home=spark, backend="pyspark", **params)
    assert b.meta["backend"] == "pyspark" and a.table.column_names == b.table.column_names
    left = a.to_pylist()
    assert len(left) > 20
    # growth is ratio ** (1/span) - 1: where the ratio is 1 the sums' last-bit differences
    # (addition order differs per engine) leave +-1e-16 around 0, which no rel tol can absorb
    assert_same_rows(left, b.to_pylist(), rel=1e-9, abs_tol=1e-12)
    assert not any(isinstance(v, float) and math.isnan(v) for row in left for v in row.values())
    assert a.meta["synthetic"] is True and b.meta["synthetic"] is True


def test_the_work_ran_on_the_cluster(homes, spark_cluster):
    from aiatlas.spark import session

    assert session().sparkContext.master == spark_cluster
