"""OpenAlex: snapshot parsing, streaming ingest (resume, interruption), indicators, API, synth."""
from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from conftest import serve_in_thread

from aiatlas import api
from aiatlas.errors import DataError, FetchError, UsageError
from aiatlas.indicators import registry
from aiatlas.sources.openalex import AI_DEFINITIONS
from aiatlas.sources.openalex import api as oa_api
from aiatlas.sources.openalex import ingest as ig
from aiatlas.sources.openalex import parse as oa_parse
from aiatlas.sources.openalex import snapshot as oa_snap
from aiatlas.sources.openalex.synth import write_corpus
from aiatlas.warehouse import provenance
from aiatlas.warehouse.datasets import VIEWS

FIX = Path(__file__).parent / "fixtures" / "openalex"
PART = "updated_date=2024-01-01/part_000.gz"


def make_snapshot(root: Path, lines: list[str] | None = None, *, manifest: bool = True) -> Path:
    """A snapshot folder in the documented layout holding the fixture works as one gzipped part."""
    lines = lines if lines is not None else (FIX / "works.jsonl").read_text().splitlines()
    part = root / "works" / PART
    part.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(part, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    if manifest:
        doc = json.loads((FIX / "manifest.json").read_text())
        doc["entries"][0]["meta"] = {"content_length": part.stat().st_size, "record_count": len(lines)}
        (root / "works" / "manifest").write_text(json.dumps(doc))
    return root


def ingest(snapshot, home: Path, **kw) -> dict:
    """Ingest into the home's works snapshots, as `aiatlas openalex ingest` does before it builds."""
    return ig.ingest(str(snapshot), Path(home) / "snapshots", **kw)


def ingest_and_build(snapshot, home: Path, allow_shrink: bool = False, **kw) -> dict:
    """What `aiatlas openalex ingest` does: a works snapshot, then the warehouse reading it."""
    summary = ingest(snapshot, home, **kw)
    api.build(home=home, allow_shrink=allow_shrink)
    return summary


def works_dir(home: Path) -> Path:
    """The latest works snapshot's folder, else the run in progress (an interrupted one)."""
    snap = provenance.latest(Path(home) / "snapshots", "openalex_works")
    return snap.path if snap else ig.works_root(Path(home) / "snapshots") / ig.WORK


def manifest_of(home: Path) -> ig.WorksManifest:
    return ig.WorksManifest(works_dir(home))


@pytest.fixture
def home(tmp_path) -> Path:
    """The fixture works ingested and built, for a test that changes the home or its snapshot."""
    snap = make_snapshot(tmp_path / "snap")
    home = tmp_path / "home"
    ingest_and_build(snap, home)
    return home


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory) -> Path:
    """The same home, built once per module for the tests that only read it (an ingest and a
    build each, ~20 times, were a fifth of this file's time). A test that changes it would
    change what the others read: they take `home`. Checked at the end: the works snapshot and
    the warehouse's provenance are as built."""
    root = tmp_path_factory.mktemp("works")
    home = root / "home"
    ingest_and_build(make_snapshot(root / "snap"), home)
    yield home
    checks = api.verify(home=home)
    assert checks and [c for c in checks if c["problems"]] == []


def rows_by(result, *keys):
    return {tuple(r[k] for k in keys): r for r in result.to_pylist()}


# --- snapshot format -------------------------------------------------------------------------

def test_manifest_entries_give_part_names_and_counts():
    entries = oa_snap.parse_manifest((FIX / "manifest.json").read_text(), "manifest")
    assert entries == [{"name": PART, "records": 7, "content_length": 0}]


def test_manifest_errors_name_the_file_and_what_was_expected():
    with pytest.raises(DataError, match=r"^m:1:2: manifest is not JSON"):
        oa_snap.parse_manifest("{x", "m")
    with pytest.raises(DataError, match="entries\\[0\\].url"):
        oa_snap.parse_manifest('{"entries": [{"url": "s3://b/part.gz"}]}', "m")


def test_parts_without_manifest_are_found_by_layout(tmp_path):
    snap = make_snapshot(tmp_path, manifest=False)
    parts = oa_snap.list_parts(str(snap))
    assert [p.name for p in parts] == [PART] and parts[0].records is None


def test_missing_snapshot_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no OpenAlex works snapshot"):
        oa_snap.list_parts(str(tmp_path))


# --- ingest ----------------------------------------------------------------------------------

def test_ingest_keeps_only_the_needed_fields_partitioned_by_year(shared_home):
    files = sorted(p.relative_to(works_dir(shared_home)).as_posix()
                   for p in works_dir(shared_home).rglob("*.parquet"))
    assert files == ["publication_year=2020/part-2024-01-01-part_000.parquet",
                     "publication_year=2021/part-2024-01-01-part_000.parquet"]
    t = pq.read_table(works_dir(shared_home) / "publication_year=2021")
    assert t.schema.names == ["id", "type", "country_codes", "ai_topic_score",
                              "ai_concept_score", "cited_by_count", "counts_by_year"]
    w = {r["id"].rsplit("/", 1)[1]: r for r in t.to_pylist()}
    # authors known only by their `countries` count too; codes are distinct and sorted
    assert w["W1000000004"]["country_codes"] == ["FR", "GB"]
    assert w["W1000000004"]["ai_topic_score"] is None and w["W1000000004"]["ai_concept_score"] == 0.8
    assert w["W1000000005"]["country_codes"] == []
    assert w["W1000000007"]["country_codes"] == ["CN"]
    assert w["W1000000007"]["counts_by_year"] == [{"year": 2022, "cited_by_count": 50}]


def test_ledger_records_part_checksum_counts_and_outputs(shared_home):
    entry = manifest_of(shared_home).parts[PART]
    part = shared_home.parent / "snap" / "works" / PART
    assert entry["sha256"] == oa_snap.sha256_of(part) and entry["bytes"] == part.stat().st_size
    assert entry["rows"] == 7 and entry["rows_without_year_or_id"] == 1
    assert entry["synthetic"] is False and len(entry["outputs"]) == 2


def test_rerun_skips_ingested_parts_and_redoes_changed_ones(home):
    snap = str(home.parent / "snap")
    assert ingest(snap, home)["skipped"] == 1
    lines = (FIX / "works.jsonl").read_text().splitlines()
    make_snapshot(home.parent / "snap", [lines[0]])  # same name, new content: only 2020
    summary = ingest(snap, home)
    assert (summary["ingested"], summary["rows"]) == (1, 1)
    assert not (works_dir(home) / "publication_year=2021" / "part-2024-01-01-part_000.parquet").exists()


def test_interrupted_part_leaves_no_partition_and_no_ledger_entry(tmp_path, monkeypatch):
    snap = make_snapshot(tmp_path / "snap")
    home = tmp_path / "home"

    def crash(self):
        for year in list(self.buffers):
            self._flush(year)  # files are half written when the power goes
        raise KeyboardInterrupt

    monkeypatch.setattr(oa_parse._YearWriters, "commit", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest(snap, home)
    assert list(works_dir(home).rglob("*.parquet")) == []
    assert list(works_dir(home).rglob("*.tmp")) == []
    assert PART not in manifest_of(home).parts
    monkeypatch.undo()
    assert ingest(snap, home)["rows"] == 7


def test_bad_json_line_is_a_data_error_naming_the_part(tmp_path):
    lines = (FIX / "works.jsonl").read_text().splitlines()
    snap = make_snapshot(tmp_path / "snap", lines[:2] + ['{"id": "https://openalex.org/W9", '])
    with pytest.raises(DataError, match=r"updated_date=2024-01-01/part_000.gz: not valid OpenAlex"):
        ingest(snap, tmp_path / "home")
    assert list((tmp_path / "home").rglob("*.parquet")) == []


def test_truncated_part_is_caught_by_the_manifest_count(tmp_path):
    snap = make_snapshot(tmp_path / "snap")
    doc = json.loads((snap / "works" / "manifest").read_text())
    doc["entries"][0]["meta"]["record_count"] = 9
    (snap / "works" / "manifest").write_text(json.dumps(doc))
    with pytest.raises(DataError, match="7 works read but the manifest says 9"):
        ingest(snap, tmp_path / "home")


def _files(home) -> dict[str, list[str]]:
    """Parquet files per year folder of a home's works dataset."""
    out: dict[str, list[str]] = {}
    for p in sorted(works_dir(home).glob("*/*.parquet")):
        out.setdefault(p.parent.name, []).append(p.name)
    return out


def read_works(home) -> pa.Table:
    """Every row of the home's works snapshot, with the partition column."""
    root = works_dir(home)
    return ds.dataset(sorted(map(str, root.glob("*/*.parquet"))), format="parquet",
                      partitioning="hive", partition_base_dir=str(root)).to_table()


def _all_rows(home) -> list[dict]:
    return sorted(read_works(home).to_pylist(), key=lambda r: r["id"])


def test_years_with_many_files_are_compacted_and_the_ledger_follows(tmp_path):
    write_corpus(tmp_path / "syn", 1200, per_part=200, seed=3)  # 6 parts: 6 files a year
    plain, small = tmp_path / "plain", tmp_path / "small"
    ingest(tmp_path / "syn", plain, max_files_per_year=99)
    summary = ingest(tmp_path / "syn", small, max_files_per_year=3, rows_per_file=30)
    assert max(map(len, _files(plain).values())) == 6 and summary["compacted_years"] > 0
    ledger = manifest_of(small)
    for year, names in _files(small).items():
        rows = sum(ledger.files[f"{year}/{n}"]["rows"] for n in names)
        assert len(names) <= 3 or len(names) == -(-rows // 30), (year, names)
    on_disk = {f"{y}/{n}" for y, ns in _files(small).items() for n in ns}
    assert on_disk == set(ledger.files) == {f for e in ledger.parts.values() for f in e["outputs"]}
    assert _all_rows(small) == _all_rows(plain)
    assert ingest(tmp_path / "syn", small, max_files_per_year=3,
                     rows_per_file=30)["skipped"] == 6


@pytest.mark.slow  # 600 synthetic works ingested three times
def test_a_changed_part_rereads_the_parts_compacted_with_it(tmp_path):
    write_corpus(tmp_path / "syn", 600, per_part=200, seed=3)
    home = tmp_path / "home"
    ingest(tmp_path / "syn", home, max_files_per_year=1)
    part = min((tmp_path / "syn" / "works").glob("updated_date=*/*.gz"))
    with gzip.open(part, "rt") as fh:
        kept = fh.read().splitlines()[:50]
    with gzip.open(part, "wt") as fh:
        fh.write("\n".join(kept) + "\n")
    manifest = tmp_path / "syn" / "works" / "manifest"
    doc = json.loads(manifest.read_text())
    for e in doc["entries"]:
        if e["url"].endswith(part.relative_to(part.parent.parent).as_posix()):
            e["meta"]["record_count"] = 50
    manifest.write_text(json.dumps(doc))
    summary = ingest(tmp_path / "syn", home, max_files_per_year=1)
    assert summary["ingested"] == 3 and summary["rows"] == 450  # the other two were read again
    ingest(tmp_path / "syn", tmp_path / "fresh", max_files_per_year=1)
    assert _all_rows(home) == _all_rows(tmp_path / "fresh")


def test_files_the_manifest_does_not_name_are_leftovers_and_removed(home):
    published = works_dir(home)
    work = ig.start(ig.works_root(home / "snapshots"))  # a run that was cut short
    stray = work / "publication_year=2020" / "compact-0123-0.parquet"
    shutil.copy(next(stray.parent.glob("*.parquet")), stray)  # a compaction cut short
    summary = ingest(home.parent / "snap", home)
    assert summary["reused"] and not work.exists()  # nothing changed: no new snapshot
    assert works_dir(home) == published and len(_all_rows(home)) == 6


def test_the_view_is_declared_and_read_on_the_warehouse_connection(home):
    w = api.warehouse(home=home)
    got = {r["column_name"]: r["column_type"] for r in w.sql("DESCRIBE openalex_works")}
    assert got == {c.name: c.type for c in VIEWS["openalex_works"]}
    view = w.sql("SELECT sql FROM duckdb_views() WHERE view_name = 'openalex_works'")[0]["sql"]
    assert str(home) not in view  # paths relative to the snapshots folder: the home can move
    moved = home.parent / "moved"
    shutil.copytree(home, moved)
    shutil.rmtree(home)
    assert api.compute("ai_publications_by_country", home=moved).to_pylist()


def test_a_new_ingest_is_a_new_snapshot_and_the_old_one_stays_intact(home):
    old = provenance.latest(home / "snapshots", "openalex_works")
    lines = (FIX / "works.jsonl").read_text().splitlines()
    make_snapshot(home.parent / "snap", lines[:3])  # the part changed upstream
    summary = ingest_and_build(home.parent / "snap", home, allow_shrink=True)
    new = provenance.latest(home / "snapshots", "openalex_works")
    assert not summary["reused"] and new.id == summary["snapshot_id"] != old.id
    assert old.problems() == [] and new.problems() == []  # hard links, never rewritten in place
    assert [c["problems"] for c in api.verify(home=home)] == [[], [], []]
    res = api.compute("ai_publications_by_country", home=home, counting="full")
    assert {p["snapshot_id"] for p in res.provenance} == {new.id}


def test_verify_and_build_catch_a_damaged_works_file(home):
    f = next(works_dir(home).glob("publication_year=2021/*.parquet"))
    f.write_bytes(f.read_bytes()[:-8])  # truncated
    damaged = [c for c in api.verify(home=home) if c["problems"]]
    assert [c["what"] for c in damaged] == [
        f"snapshot {provenance.latest(home / 'snapshots', 'openalex_works').id}",
        "warehouse provenance"]
    with pytest.raises(DataError, match="damaged snapshot") as e:
        api.build(home=home)
    assert "aiatlas openalex ingest" in e.value.hint


class FaultyHandler(SimpleHTTPRequestHandler):
    """Serves a folder; `faults[path]` lists faults for successive GETs of that path: an HTTP
    status to answer with, or "short" (full Content-Length, half the body, then close)."""

    faults: ClassVar[dict[str, list]] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        queue = self.faults.get(self.path.lstrip("/"))
        fault = queue.pop(0) if queue else None
        if fault == "short":
            body = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
        elif fault:
            self.send_error(fault)
        else:
            super().do_GET()


@pytest.fixture
def snapshot_faults(monkeypatch) -> dict[str, list]:
    """Faults for `snapshot_server` to inject; retries back off for milliseconds, not seconds."""
    monkeypatch.setenv("AIATLAS_FETCH_BACKOFF", "0.001")
    return {}


@pytest.fixture
def snapshot_server(tmp_path, snapshot_faults, monkeypatch):
    """The fixture snapshot served over loopback HTTP from <root>/openalex/data/works; parts
    are downloaded into <tmp>/scratch (the process's temporary folder) while they are read."""
    (tmp_path / "scratch").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "scratch"))
    make_snapshot(tmp_path / "srv" / "openalex" / "data")
    handler = partial(type("Handler", (FaultyHandler,), {"faults": snapshot_faults}),
                      directory=str(tmp_path / "srv"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_ingest_from_an_http_base_url(tmp_path, snapshot_server):
    url = f"{snapshot_server}/openalex/data/works"
    summary = ingest(url, tmp_path / "home")
    assert summary["rows"] == 7
    entry = manifest_of(tmp_path / "home").parts[PART]
    assert entry["url"] == f"{url}/{PART}"
    served = tmp_path / "srv" / "openalex" / "data" / "works" / PART
    assert entry["sha256"] == oa_snap.sha256_of(served)  # hashed while streaming, same digest
    assert not list((tmp_path / "scratch").iterdir())  # the downloaded part is gone


def test_ingest_from_an_s3_url_through_an_s3_compatible_endpoint(tmp_path, snapshot_server,
                                                                 monkeypatch):
    monkeypatch.setenv("AIATLAS_S3_ENDPOINT", snapshot_server)
    summary = ingest("s3://openalex/data/works/", tmp_path / "home")
    assert summary["rows"] == 7 and summary["ingested"] == 1
    assert manifest_of(tmp_path / "home").parts[PART]["url"] == f"s3://openalex/data/works/{PART}"


@pytest.mark.parametrize("path", ["openalex/data", "openalex/data/", "openalex"])
def test_url_snapshot_may_be_the_parent_of_works_like_a_folder(tmp_path, snapshot_server, path):
    summary = ingest(f"{snapshot_server}/{path}", tmp_path / "home")
    assert (summary["rows"], summary["ingested"]) == (7, 1)
    works = f"{snapshot_server}/openalex/data/works"
    assert manifest_of(tmp_path / "home").parts[PART]["url"] == f"{works}/{PART}"


@pytest.mark.parametrize("url", ["s3://openalex/data/", "s3://openalex"])
def test_s3_snapshot_may_be_the_parent_of_works(tmp_path, snapshot_server, monkeypatch, url):
    monkeypatch.setenv("AIATLAS_S3_ENDPOINT", snapshot_server)
    assert ingest(url, tmp_path / "home")["rows"] == 7
    assert (manifest_of(tmp_path / "home").parts[PART]["url"]
            == f"s3://openalex/data/works/{PART}")


def test_url_without_a_snapshot_is_a_usage_error_listing_what_was_tried(snapshot_server,
                                                                        monkeypatch):
    monkeypatch.setenv("AIATLAS_S3_ENDPOINT", snapshot_server)
    with pytest.raises(UsageError) as e:
        oa_snap.list_parts("s3://mybucket/data/")
    assert str(e.value) == ("s3://mybucket/data/: no OpenAlex works snapshot here (tried "
                            "s3://mybucket/data/manifest (HTTP 404), "
                            "s3://mybucket/data/works/manifest (HTTP 404), "
                            "s3://mybucket/data/data/works/manifest (HTTP 404))")
    assert "works/ folder" in e.value.hint


def test_server_errors_and_short_bodies_are_retried(tmp_path, snapshot_server, snapshot_faults):
    works = "openalex/data/works"
    snapshot_faults[f"{works}/manifest"] = [500, "short"]
    snapshot_faults[f"{works}/{PART}"] = [500, 503]
    summary = ingest(f"{snapshot_server}/{works}", tmp_path / "home")
    assert (summary["rows"], summary["ingested"]) == (7, 1)
    assert snapshot_faults == {f"{works}/manifest": [], f"{works}/{PART}": []}  # all were hit
    assert not list((tmp_path / "scratch").iterdir())


def test_a_server_that_keeps_failing_is_a_fetch_error_after_the_last_attempt(
        tmp_path, snapshot_server, snapshot_faults, monkeypatch):
    monkeypatch.setenv("AIATLAS_FETCH_ATTEMPTS", "3")
    snapshot_faults[f"openalex/data/works/{PART}"] = [500] * 3 + [None]
    with pytest.raises(FetchError, match=rf"^could not fetch {snapshot_server}/openalex/data/works/"
                                         rf"{PART} after 3 attempts: HTTP 500$"):
        ingest(f"{snapshot_server}/openalex/data/works", tmp_path / "home")
    assert snapshot_faults[f"openalex/data/works/{PART}"] == [None]  # exactly three GETs
    assert not list((tmp_path / "scratch").iterdir())
    assert PART not in manifest_of(tmp_path / "home").parts


def test_a_missing_part_is_not_retried(tmp_path, snapshot_server, snapshot_faults):
    snapshot_faults[f"openalex/data/works/{PART}"] = [404]  # the next GET would succeed
    with pytest.raises(FetchError, match=r"HTTP 404$"):
        ingest(f"{snapshot_server}/openalex/data/works", tmp_path / "home")


def _refused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def test_refused_connection_is_one_fetch_error_naming_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("AIATLAS_FETCH_ATTEMPTS", "2")
    monkeypatch.setenv("AIATLAS_FETCH_BACKOFF", "0.001")
    monkeypatch.setenv("AIATLAS_S3_ENDPOINT", f"http://127.0.0.1:{_refused_port()}")
    with pytest.raises(FetchError) as e:
        ingest("s3://openalex/data/works", tmp_path / "home")
    msg = str(e.value)
    assert msg.startswith("could not fetch http://127.0.0.1:") and "\n" not in msg
    assert "/openalex/data/works/manifest after 2 attempts: ConnectError" in msg
    assert "AIATLAS_S3_ENDPOINT" in e.value.hint


def test_cli_reports_an_unreachable_snapshot_in_one_line(tmp_path, aiatlas_cli):
    env = {"AIATLAS_FETCH_ATTEMPTS": "1", "AIATLAS_S3_ENDPOINT": f"http://127.0.0.1:{_refused_port()}"}
    r = aiatlas_cli("openalex", "ingest", "s3://openalex/data", "--home", tmp_path, env=env)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("error: could not fetch http://127.0.0.1:"), r.stderr


def test_s3_endpoint_without_a_scheme_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AIATLAS_S3_ENDPOINT", "localhost:9000")
    with pytest.raises(UsageError, match="AIATLAS_S3_ENDPOINT='localhost:9000' has no http:// or "
                                         "https:// scheme"):
        ingest("s3://openalex/data/works/", tmp_path / "home")
    assert not (tmp_path / "home" / "snapshots").exists()


def test_s3_urls_default_to_the_public_bucket_over_https(monkeypatch):
    monkeypatch.delenv("AIATLAS_S3_ENDPOINT", raising=False)
    assert (oa_snap.http_url("s3://openalex/data/works/manifest")
            == "https://openalex.s3.amazonaws.com/data/works/manifest")
    assert oa_snap.http_url("https://example.org/works/manifest") == "https://example.org/works/manifest"
    with pytest.raises(UsageError, match="no bucket name"):
        oa_snap.http_url("s3:///data/works")


def test_snapshot_may_be_given_as_a_path(tmp_path):
    snap = make_snapshot(tmp_path / "snap")
    assert ingest(snap, tmp_path / "home")["rows"] == 7  # pathlib.Path, not only str


def test_floor_writes_the_same_rows(tmp_path, shared_home):
    n = oa_parse.floor_duckdb_read_json(str(shared_home.parent / "snap"), tmp_path / "floor")
    ours = read_works(shared_home).num_rows
    assert n == ours == 6


# --- indicators (values worked out by hand from tests/fixtures/openalex/works.jsonl) ---------

def test_publications_full_and_fractional(shared_home):
    full = rows_by(api.compute("ai_publications_by_country", home=shared_home, counting="full").table,
                   "country", "year")
    frac = rows_by(api.compute("ai_publications_by_country", home=shared_home).table, "country", "year")
    assert {k: v["value"] for k, v in full.items()} == {("USA", 2020): 2, ("CHN", 2020): 1, ("CHN", 2021): 1}
    assert {k: v["value"] for k, v in frac.items()} == {("USA", 2020): 1.5, ("CHN", 2020): 0.5,
                                                        ("CHN", 2021): 1.0}


def test_ai_definition_is_a_declared_parameter(shared_home):
    concept = rows_by(api.compute("ai_publications_by_country", home=shared_home,
                                  ai_definition="concept").table, "country", "year")
    assert {k: v["value"] for k, v in concept.items()} == {
        ("USA", 2020): 0.5, ("CHN", 2020): 0.5, ("FRA", 2021): 0.5, ("GBR", 2021): 0.5, ("CHN", 2021): 1.0}
    # W1000000003's AI concept scores 0.2: in with a threshold of 0.1, out by default
    low = api.compute("ai_publications_by_country", home=shared_home, ai_definition="concept",
                      min_score="0.1", counting="full").table
    assert rows_by(low, "country", "year")[("CHN", 2020)]["value"] == 2
    with pytest.raises(UsageError, match="not one of"):
        api.compute("ai_publications_by_country", home=shared_home, ai_definition="keyword")
    assert set(AI_DEFINITIONS) == {"subfield", "concept"}


def test_world_share_adds_up_to_one_with_fractional_counting(shared_home):
    share = rows_by(api.compute("ai_publications_world_share", home=shared_home).table, "country", "year")
    assert share[("USA", 2020)]["value"] == 0.75 and share[("CHN", 2020)]["value"] == 0.25
    assert share[("CHN", 2021)]["value"] == 1.0  # the 2021 work without affiliations is left out


def test_citations_received_by_citing_year(shared_home):
    cit = rows_by(api.compute("ai_citations_by_country", home=shared_home).table, "country", "year")
    assert {k: v["value"] for k, v in cit.items()} == {
        ("USA", 2021): 42.0, ("CHN", 2021): 2.0, ("USA", 2022): 3.0, ("CHN", 2022): 53.0,
        ("USA", 2023): 60.0}


def test_top_cited_share_ranks_within_the_year(shared_home):
    top = rows_by(api.compute("ai_top_cited_share", home=shared_home, top_percent=10).table,
                  "country", "year")
    # 2020: 2 AI works with countries, top 10% = ceil(0.2) = 1 work, the 100-citation US paper
    assert top[("USA", 2020)]["value"] == 1.0 and ("CHN", 2020) not in top
    assert top[("CHN", 2021)]["world_top_works"] == 1.0


def test_compound_growth(shared_home):
    g = rows_by(api.compute("ai_publications_growth", home=shared_home, span=1, counting="full").table,
                "country", "year")
    assert list(g) == [("CHN", 2021)] and g[("CHN", 2021)]["value"] == 0.0


def test_growth_span_outside_its_bounds_is_a_usage_error_everywhere(shared_home, monkeypatch, capsys):
    import sys

    from fastapi.testclient import TestClient

    from aiatlas import cli
    from aiatlas.web import service
    from aiatlas.web.app import create_app

    for span in (0, -1):  # 0 divided by zero; -1 compared each year with the next one
        with pytest.raises(UsageError, match=f"span={span} is out of range"):
            api.compute("ai_publications_growth", home=shared_home, span=span)
    with pytest.raises(UsageError, match="min_score=-3.0 is out of range"):
        api.explain("ai_publications_by_country", home=shared_home, min_score=-3.0)
    monkeypatch.setattr(sys, "argv", ["aiatlas", "show", "ai_publications_growth", "-p",
                                      "span=0", "--home", str(shared_home)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()  # the entry point, which turns a UsageError into one line and exit 2
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err
    assert "span='0' is out of range (expected 1 to 50)" in " ".join(err.split())
    monkeypatch.setattr(service, "BUILD_TTL_S", 0.0)
    res = TestClient(create_app(home=shared_home)).get("/api/indicators/ai_publications_growth",
                                                params={"span": "0"})
    assert res.status_code == 422 and "span='0' is out of range" in res.json()["detail"]


def test_explain_returns_the_works_behind_a_value(shared_home):
    rows = api.explain("ai_publications_by_country", home=shared_home,
                       where={"country": "USA", "year": "2020"}).table.to_pylist()
    assert sorted((r["id"].rsplit("/", 1)[1], r["credit"]) for r in rows) == [
        ("W1000000001", 0.5), ("W1000000002", 1.0)]


def explained_sums(id, home, column, **params) -> dict:
    """The explain rows summed per (country, year): what each value must be built from."""
    sums: dict = {}
    for r in api.explain(id, home=home, **params).table.to_pylist():
        key = (r["country"], r["year"])
        sums[key] = sums.get(key, 0.0) + r[column]
    return sums


def assert_rows_add_up(id, home, column, value_column, **params):
    values = rows_by(api.compute(id, home=home, **params).table, "country", "year")
    sums = explained_sums(id, home, column, **params)
    assert values, "no values to explain"
    assert sums == pytest.approx({k: v[value_column] for k, v in values.items()})


# each counting and each top share in the unit tier; the other two pairs in `make test`
@pytest.mark.parametrize("top_percent, counting", [
    (1, "full"), (10, "fractional"),
    *(pytest.param(p, c, marks=pytest.mark.slow) for p, c in ((10, "full"), (1, "fractional")))])
def test_top_cited_explain_rows_are_the_top_works(shared_home, counting, top_percent):
    assert_rows_add_up("ai_top_cited_share", shared_home, "credit", "top_works",
                       counting=counting, top_percent=top_percent)
    rows = api.explain("ai_top_cited_share", home=shared_home, counting=counting,
                       top_percent=top_percent).table.to_pylist()
    # one work a year is in the top: the 100-citation US paper and the 50-citation CN one
    assert sorted(r["id"].rsplit("/", 1)[1] for r in rows) == ["W1000000002", "W1000000007"]


@pytest.fixture(scope="module")
def synth_home(tmp_path_factory) -> Path:
    """Enough synthetic works per year that the top 1% and the top 10% differ."""
    root = tmp_path_factory.mktemp("synth")
    write_corpus(root / "syn", 3000, per_part=3000, seed=5)
    ingest_and_build(root / "syn", root / "home")
    return root / "home"


@pytest.mark.slow  # 3,000 synthetic works, every request's shape derived
@pytest.mark.parametrize("counting", ["full", "fractional"])
def test_top_cited_explain_rows_follow_top_percent(synth_home, counting):
    n = {}
    for top_percent in (1, 10):
        assert_rows_add_up("ai_top_cited_share", synth_home, "credit", "top_works",
                           counting=counting, top_percent=top_percent)
        n[top_percent] = len({r["id"] for r in api.explain(
            "ai_top_cited_share", home=synth_home, counting=counting,
            top_percent=top_percent).table.to_pylist()})
    assert 0 < n[1] < n[10]


@pytest.mark.parametrize("counting", ["full", "fractional"])
def test_citation_explain_rows_are_per_citing_year(shared_home, counting):
    assert_rows_add_up("ai_citations_by_country", shared_home, "value", "value", counting=counting)
    rows = api.explain("ai_citations_by_country", home=shared_home, counting=counting,
                       where={"country": "USA", "year": "2021"}).table.to_pylist()
    # W1000000001 (US+CN, 4 citations in 2021) and W1000000002 (US, 40 in 2021)
    share = 1.0 if counting == "full" else 0.5
    assert sorted((r["id"].rsplit("/", 1)[1], r["publication_year"], r["citations"], r["credit"],
                   r["value"]) for r in rows) == [
        ("W1000000001", 2020, 4.0, share, 4.0 * share), ("W1000000002", 2020, 40.0, 1.0, 40.0)]


@pytest.mark.slow  # 3,000 synthetic works ingested and built
def test_citation_explain_rows_add_up_on_synthetic_works(synth_home):
    assert_rows_add_up("ai_citations_by_country", synth_home, "value", "value")


def test_provenance_lists_the_snapshot_files_and_real_data_is_not_flagged(shared_home):
    res = api.compute("ai_publications_by_country", home=shared_home)
    snap = provenance.latest(shared_home / "snapshots", "openalex_works")
    assert [(p["file"], p["sha256"], p["snapshot_id"]) for p in res.provenance] == [
        (f["name"], f["sha256"], snap.id) for f in snap.manifest["files"]]
    assert all(p["url"] == str((shared_home.parent / "snap").resolve()) for p in res.provenance)
    assert [p["name"] for p in snap.manifest["parts"]] == [PART]  # the upstream parts
    assert "synthetic" not in res.meta


def test_a_build_without_works_says_what_to_ingest(built_home):
    with pytest.raises(DataError, match="openalex_works has no snapshot") as e:
        api.compute("ai_publications_by_country", home=built_home)
    assert "aiatlas openalex ingest" in e.value.hint


# --- REST API (responses in the documented group_by format) ----------------------------------

def test_group_by_countries_parses_and_drops_unknown():
    doc = json.loads((FIX / "group_by_countries.json").read_text())
    assert oa_api.parse_country_groups(doc["group_by"], 2020) == [
        {"country_code": "US", "year": 2020, "works": 2},
        {"country_code": "CN", "year": 2020, "works": 1}]
    with pytest.raises(DataError, match=r"group_by\[0\]"):
        oa_api.parse_country_groups([{"key": "x"}], 2020)


def test_client_sends_mailto_retries_rate_limits_and_follows_cursors():
    doc = json.loads((FIX / "group_by_countries.json").read_text())
    seen, sleeps = [], []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "2"}, json={"error": "Rate limit"})
        if request.url.params["cursor"] == "*":
            page = dict(doc, meta=dict(doc["meta"], next_cursor="abc"))
            return httpx.Response(200, json=page)
        if request.url.params["cursor"] == "abc":
            return httpx.Response(200, json=dict(doc, group_by=[doc["group_by"][0]],
                                                 meta=dict(doc["meta"], next_cursor="end")))
        return httpx.Response(200, json=dict(doc, group_by=[], meta=dict(doc["meta"], next_cursor=None)))

    client = oa_api.OpenAlexClient(mailto="me@example.org", transport=httpx.MockTransport(handler),
                                   sleep=sleeps.append, min_interval=0)
    rows = oa_api.ai_works_by_country_year(client, AI_DEFINITIONS["subfield"], range(2020, 2021))
    assert seen[0] == {"filter": "topics.subfield.id:1702,publication_year:2020",
                       "group_by": "authorships.countries", "per_page": "200", "cursor": "*",
                       "mailto": "me@example.org"}
    assert 2.0 in sleeps  # Retry-After honoured
    assert [r["works"] for r in rows] == [2, 1, 2]


def test_client_gives_up_with_the_api_message():
    transport = httpx.MockTransport(lambda r: httpx.Response(
        400, json={"error": "Invalid filter", "message": "Unknown filter field: author_name"}))
    client = oa_api.OpenAlexClient(transport=transport, sleep=lambda s: None, min_interval=0)
    with pytest.raises(FetchError, match="HTTP 400: Unknown filter field"):
        client.get("/works", {"filter": "author_name:x"})


# --- synthetic corpus ------------------------------------------------------------------------

@pytest.mark.slow  # 6,000 synthetic works written and read
def test_synthetic_corpus_is_labelled_and_realistic(tmp_path):
    manifest = write_corpus(tmp_path / "syn", 6000, per_part=2500, seed=3)
    assert (tmp_path / "syn" / "SYNTHETIC").exists()
    assert [e["meta"]["record_count"] for e in manifest["entries"]] == [2500, 2500, 1000]
    works = []
    for e in manifest["entries"]:
        name = e["url"][e["url"].index("updated_date="):]
        with gzip.open(tmp_path / "syn" / "works" / name, "rt") as fh:
            works += [json.loads(line) for line in fh]
    assert all(w["id"].startswith("https://openalex.org/W_SYNTH") for w in works)
    multi = sum(len({a["countries"][0] for a in w["authorships"]}) > 1 for w in works)
    assert 0.05 < multi / len(works) < 0.8
    cites = sorted(w["cited_by_count"] for w in works)
    assert cites[-1] > 20 * max(cites[len(cites) // 2], 1)  # heavy tail
    def ai_share(years):
        sel = [w for w in works if w["publication_year"] in years]
        return sum(any(t["subfield"]["id"].endswith("/1702") for t in w["topics"][:1])
                   for w in sel) / len(sel)
    assert ai_share(range(2020, 2025)) > 2 * ai_share(range(2000, 2006))


def test_ingest_of_synthetic_corpus_is_flagged_everywhere(tmp_path):
    write_corpus(tmp_path / "syn", 800, per_part=400, seed=1)
    summary = ingest_and_build(tmp_path / "syn", tmp_path / "home")
    assert summary["synthetic"] and summary["rows"] == 800
    ledger = manifest_of(tmp_path / "home")
    assert all(e["synthetic"] and e["synthetic_rows"] == 400 for e in ledger.parts.values())
    res = api.compute("ai_publications_by_country", home=tmp_path / "home")
    assert res.meta["synthetic"] is True and all(p["synthetic"] for p in res.provenance)


@pytest.mark.slow
def test_synthetic_numbers_are_labelled_in_the_report_the_dashboard_and_the_cli(
        tmp_path, capsys, monkeypatch):
    import sys

    from fastapi.testclient import TestClient

    from aiatlas import cli
    from aiatlas.report.build import build_report
    from aiatlas.web.app import create_app

    home = tmp_path / "home"
    write_corpus(tmp_path / "syn", 400, per_part=400, seed=2)
    ingest_and_build(tmp_path / "syn", home)
    report = build_report(tmp_path / "site", lang="ja", home=home)
    page = next(p for p in (tmp_path / "site").glob("*.html")
                if "ai_publications_by_country" in p.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    assert html.count('class="synthetic"') == len(
        [i for i in api.list_indicators() if i["sources"] == ["openalex_works"]])
    assert "合成データ" in html
    assert all(h["available"] or "synthetic" not in (h["reason"] or "") for h in report["headlines"])
    client = TestClient(create_app(home=home))
    dash = client.get("/indicators/ai_publications_by_country")
    assert 'class="synthetic"' in dash.text and "[SYNTHETIC]" in dash.text
    growth = client.get("/indicators/ai_publications_growth").text  # bounds reach the form
    assert 'name="span" value="5" type="number" min="1" max="50"' in growth
    monkeypatch.setattr(sys, "argv", ["aiatlas", "show", "ai_publications_by_country", "-f", "csv",
                                      "--home", str(home)])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 0 and "SYNTHETIC" in capsys.readouterr().err


def test_server_serves_an_openalex_only_home_and_sees_a_new_ingest(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from aiatlas.web import service
    from aiatlas.web.app import create_app

    monkeypatch.setattr(service, "BUILD_TTL_S", 0.0)  # re-read the versions on every request
    lines = (FIX / "works.jsonl").read_text().splitlines()
    home = tmp_path / "home"
    ingest_and_build(make_snapshot(tmp_path / "snap"), home)
    client = TestClient(create_app(home=home))
    url = "/api/indicators/ai_publications_by_country"
    first = client.get(url, params={"counting": "full"})
    assert first.status_code == 200 and first.json()["rows"]
    ingest_and_build(make_snapshot(tmp_path / "snap", lines[:3]), home,  # changed upstream
                     allow_shrink=True)
    again = client.get(url, params={"counting": "full"}, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]
    assert again.json()["rows"] != first.json()["rows"]


def test_cli_build_refuses_spark_options_without_a_snapshot(tmp_path, aiatlas_cli):
    r = aiatlas_cli("build", "--backend", "pyspark", "--home", tmp_path)
    assert r.returncode == 2 and "apply to the OpenAlex ingest" in r.stderr, r.stderr
    assert not (tmp_path / "snapshots").exists()


def test_fetch_refuses_the_ingested_source_and_names_its_ingest(tmp_path):
    with pytest.raises(UsageError, match="openalex_works is not fetched") as e:
        api.fetch(["openalex_works"], home=tmp_path)
    assert e.value.hint == "run `aiatlas openalex ingest SNAPSHOT`"


@pytest.mark.slow  # a whole `aiatlas build` in a new process, templates stored
def test_cli_synth_then_ingest_then_show(tmp_path):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["synth", "openalex", "--works", "500", "--per-part", "250",
                            "--out", str(tmp_path / "syn")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["openalex", "ingest", str(tmp_path / "syn"), "--home", str(tmp_path / "h")])
    assert r.exit_code == 0, r.output
    summary = next(json.loads(line) for line in r.stdout.splitlines() if line.startswith("{"))
    assert summary["rows"] == 500 and summary["snapshot_id"].startswith("openalex_works/")
    r = runner.invoke(app, ["show", "ai_publications_world_share", "--home", str(tmp_path / "h"),
                            "-f", "json"])
    assert r.exit_code == 0, r.output
    payload = json.loads(r.stdout)
    assert payload["meta"]["synthetic"] is True and payload["rows"]
    shutil.rmtree(tmp_path / "h")


def test_countries_are_iso3_like_every_other_indicator_and_keep_openalex_code(shared_home):
    res = api.compute("ai_publications_by_country", home=shared_home, counting="full")
    assert res.meta["grain"] == ["country", "year"]
    assert {(r["country"], r["country_name"]) for r in res.to_pylist()} == {
        ("USA", "United States"), ("CHN", "China")}
    rows = api.explain("ai_publications_by_country", home=shared_home, where={"country": "CHN"})
    assert {r["country_code"] for r in rows.to_pylist()} == {"CN"}  # as OpenAlex wrote it


# --- `aiatlas fetch` of the API aggregates (a loopback server speaking the OpenAlex API) -----

class FakeOpenAlex(SimpleHTTPRequestHandler):
    """`/works?filter=...,publication_year:Y&group_by=authorships.countries&cursor=C`: two
    pages per year (cursor paging); the very first request is rate limited (429 + Retry-After)."""

    seen: ClassVar[list[dict]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        from urllib.parse import parse_qs, urlparse

        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.seen.append(q)
        if len(self.seen) == 1:
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        year = int(q["filter"].rsplit("publication_year:", 1)[1])
        if url.path != "/works" or q.get("group_by") != "authorships.countries":
            self.send_error(400)
            return
        page = ({"meta": {"count": 9, "next_cursor": "p2"}, "group_by": [
                    {"key": "https://openalex.org/countries/US", "count": 10 + year % 10},
                    {"key": "https://openalex.org/countries/CN", "count": 20}]}
                if q["cursor"] == "*" else
                {"meta": {"count": 9, "next_cursor": None}, "group_by": [
                    {"key": "https://openalex.org/countries/XK", "count": 1},
                    {"key": "unknown", "count": 5}]})
        body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def openalex_api(monkeypatch):
    """The fake API on loopback, two publication years, no waiting between requests."""
    FakeOpenAlex.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAlex)
    serve_in_thread(server)
    monkeypatch.setenv("AIATLAS_OPENALEX_API", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.delenv("AIATLAS_MIRROR", raising=False)  # online: the mirror has no OpenAlex
    monkeypatch.setattr(oa_api, "aggregate_years", lambda: range(2020, 2022))
    monkeypatch.setattr(oa_api.OpenAlexClient.__init__, "__defaults__", tuple(
        0.0 if d == 0.11 else d for d in oa_api.OpenAlexClient.__init__.__defaults__ or ()))
    yield FakeOpenAlex.seen
    server.shutdown()


def test_fetch_asks_the_api_and_the_build_has_publications_with_provenance(tmp_path, openalex_api):
    home = tmp_path / "home"
    [manifest] = api.fetch(["openalex_publications"], home=home)
    assert len(openalex_api) == 1 + 2 * 2  # the 429, then two pages for each of two years
    assert [q["cursor"] for q in openalex_api[1:]] == ["*", "p2", "*", "p2"]
    assert all("topics.subfield.id:1702" in q["filter"] for q in openalex_api)
    on_disk = json.loads((home / "snapshots" / manifest["snapshot_id"] / "manifest.json")
                         .read_text())
    [f] = on_disk["files"]
    assert f["requests"] == 5 and f["rows"] == 6 and "group_by=authorships.countries" in f["query"]
    assert f["as_of"] == __import__("datetime").date.today().isoformat()
    api.build(home=home)
    res = api.compute("ai_publications_api", home=home)
    assert {(r["country"], r["year"], r["value"]) for r in res.to_pylist()} == {
        ("USA", 2020, 10.0), ("CHN", 2020, 20.0), ("XKX", 2020, 1.0),
        ("USA", 2021, 11.0), ("CHN", 2021, 20.0), ("XKX", 2021, 1.0)}
    assert [p["snapshot_id"] for p in res.provenance] == [manifest["snapshot_id"]]
    assert "synthetic" not in res.meta


def test_api_counts_output_carries_provenance(tmp_path, openalex_api):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    r = CliRunner().invoke(app, ["openalex", "api-counts", "--from-year", "2020",
                                 "--to-year", "2021"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    [prov] = doc["provenance"]
    assert prov["source"] == "openalex_publications" and prov["requests"] == 5
    assert "group_by=authorships.countries" in prov["url"] and prov["fetched_at"]
    assert {(x["country"], x["country_code"], x["year"], x["works"]) for x in doc["rows"]} >= {
        ("USA", "US", 2020, 10), ("XKX", "XK", 2021, 1)}
    out = tmp_path / "counts.csv"
    r = CliRunner().invoke(app, ["openalex", "api-counts", "--from-year", "2020", "--to-year",
                                 "2021", "-f", "csv", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data.startswith(b"country,country_code,year,works,ai_definition\n")
    sha = __import__("hashlib").sha256(data).hexdigest()
    assert f"sha256 {sha}" in r.stderr  # the provenance line names the rows' checksum


def test_without_a_snapshot_publications_are_absent_and_said_plainly(tmp_path):
    from aiatlas.config import settings as make_settings
    from aiatlas.sources.fetch import fetch_sources

    got = fetch_sources(["openalex_publications"], make_settings(home=tmp_path, mirror=str(FIX)))
    assert got == [{"source": "openalex_publications", "absent": "not in the mirror",
                    "files": [], "reused": False}]
    assert not (tmp_path / "snapshots" / "openalex_publications").exists()


@pytest.mark.mirror
def test_a_mirror_build_says_publications_are_absent(built_home):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    r = CliRunner().invoke(app, ["build", "--home", str(built_home)], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    assert "openalex_publications: no OpenAlex API aggregates in this build" in r.output
    with pytest.raises(DataError, match="source openalex_publications has no snapshot") as e:
        api.compute("ai_publications_api", home=built_home)
    assert "publications by country are absent" in e.value.hint


def test_share_of_world_view_on_the_works_counts(shared_home):
    # the works' view is on the warehouse connection, beside population: both views are offered
    names = {p.name for p in registry.get("ai_publications_by_country").params}
    assert {"share_of", "per"} <= names
    share = rows_by(api.compute("ai_publications_by_country", home=shared_home, share_of="world").table,
                    "country", "year")
    # fractional: USA 1.5 and CHN 0.5 of 2020's 2 works; CHN the whole of 2021
    assert {k: v["value"] for k, v in share.items()} == {("USA", 2020): 0.75, ("CHN", 2020): 0.25,
                                                         ("CHN", 2021): 1.0}
    assert share[("USA", 2020)]["world_total"] == 2.0
    cit = rows_by(api.compute("ai_citations_by_country", home=shared_home, share_of="world").table,
                  "country", "year")
    assert cit[("USA", 2021)]["value"] == pytest.approx(42 / 44)
    # this home holds no World Bank population: per capita has no divisor, so no figure
    per = api.compute("ai_publications_by_country", home=shared_home, per="capita").to_pylist()
    assert per and all(r["value"] is None and r["population"] is None for r in per)
