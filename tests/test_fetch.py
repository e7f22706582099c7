"""Fetch: snapshots are immutable and complete; retries survive a faulty HTTP server on loopback."""
from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import serve_in_thread

from aiatlas.config import settings as make_settings
from aiatlas.errors import FetchError, UsageError
from aiatlas.sources.base import Source, SourceFile
from aiatlas.sources.fetch import RetryPolicy, fetch_source, latest_manifest

FAST = RetryPolicy(attempts=3, backoff=0.01, timeout=0.5)


class FaultyServer:
    """Serves a folder over HTTP; `faults[path]` is a list of faults applied to successive GETs.

    Faults: "500" (server error), "drop" (half the body, then the connection closes),
    "slow" (stalls longer than the client timeout mid-body), "badlen" (Content-Length larger
    than the body), "gzip" (Content-Encoding: gzip, as a compressing server answers httpx),
    "endless" (bytes until the client hangs up), "trickle" (one byte every 0.2 s), "ok".
    Every answer carries an ETag (the file's sha256) and honours If-None-Match with a 304.
    """

    def __init__(self, root: Path):
        self.root, self.faults, self.hits = root, {}, {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.lstrip("/")
                server.hits[path] = server.hits.get(path, 0) + 1
                queue = server.faults.get(path, [])
                fault = queue.pop(0) if queue else "ok"
                file = server.root / path
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest() + '"'
                if fault == "500":
                    self.send_error(500)
                    return
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                if fault in ("endless", "trickle"):
                    self.send_response(200)
                    self.end_headers()
                    with contextlib.suppress(OSError):
                        while True:
                            self.wfile.write(b"x" * (1 if fault == "trickle" else 65536))
                            self.wfile.flush()
                            time.sleep(0.2 if fault == "trickle" else 0)
                    return
                if fault == "gzip":
                    body = gzip.compress(body)
                self.send_response(200)
                self.send_header("ETag", etag)
                if fault == "gzip":
                    self.send_header("Content-Encoding", "gzip")
                length = len(body) + 100 if fault == "badlen" else len(body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                half = len(body) // 2
                if fault == "drop":
                    self.wfile.write(body[:half])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if fault == "slow":
                    self.wfile.write(body[:half])
                    self.wfile.flush()
                    time.sleep(1.5)
                    self.wfile.write(body[half:])
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        serve_in_thread(self.httpd)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def files(tmp_path) -> Path:
    root = tmp_path / "mirror"
    (root / "pub").mkdir(parents=True)
    (root / "pub" / "a.csv").write_text("x,y\n1,\"two\nlines\"\n3,4\n" + "5,6\n" * 20000)
    (root / "pub" / "b.json").write_text(json.dumps([{"k": 1}, {"k": 2}, {"k": 3}]))
    return root


@pytest.fixture
def server(files):
    s = FaultyServer(files)
    yield s
    s.close()


SOURCE = Source(id="pub", publisher="Pub", title="Test source", licence="CC0", citation="Pub",
                files=(SourceFile("a.csv", "https://example.invalid/a.csv", "pub/a.csv"),
                       SourceFile("b.json", "https://example.invalid/b.json", "pub/b.json")),
                tables=(), clean=lambda paths, rejects: {})


def _home(tmp_path, mirror):
    return make_settings(home=tmp_path / "home", mirror=str(mirror))


def _snapshot_dirs(settings):
    return sorted(p.name for p in (settings.snapshots_dir / "pub").iterdir())


def test_folder_mirror_writes_a_complete_checksummed_snapshot(tmp_path, files):
    s = _home(tmp_path, files)
    m = fetch_source(SOURCE, s, policy=FAST)
    snap = s.snapshots_dir / m["snapshot_id"]
    assert json.loads((snap / "manifest.json").read_text())["snapshot_id"] == m["snapshot_id"]
    a = m["files"][0]
    assert a["sha256"] == hashlib.sha256((files / "pub/a.csv").read_bytes()).hexdigest()
    assert a["bytes"] == (files / "pub/a.csv").stat().st_size
    assert a["rows"] == 20002  # the quoted newline is one record, not two
    assert m["files"][1]["rows"] == 3
    assert (snap / "a.csv").read_bytes() == (files / "pub/a.csv").read_bytes()


def test_unchanged_files_reuse_the_snapshot_and_changed_files_make_a_new_one(tmp_path, files):
    s = _home(tmp_path, files)
    first = fetch_source(SOURCE, s, policy=FAST)
    again = fetch_source(SOURCE, s, policy=FAST)
    assert again["reused"] and again["snapshot_id"] == first["snapshot_id"]
    assert len(_snapshot_dirs(s)) == 1
    (files / "pub/b.json").write_text("[]")
    changed = fetch_source(SOURCE, s, policy=FAST)
    assert not changed["reused"] and changed["snapshot_id"] != first["snapshot_id"]
    assert len(_snapshot_dirs(s)) == 2
    assert latest_manifest(s.snapshots_dir / "pub")["snapshot_id"] == changed["snapshot_id"]


def test_known_export_gets_its_as_of_date_and_other_bytes_do_not(tmp_path, files):
    sha = hashlib.sha256((files / "pub/b.json").read_bytes()).hexdigest()
    src = Source(**{**SOURCE.__dict__, "files": (
        SourceFile("b.json", "u", "pub/b.json", as_of="2025-12-11", known_sha256=sha),
        SourceFile("a.csv", "u", "pub/a.csv", as_of="2025-12-11", known_sha256="0" * 64))})
    m = fetch_source(src, _home(tmp_path, files), policy=FAST)
    assert [f["as_of"] for f in m["files"]] == ["2025-12-11", None]


@pytest.mark.parametrize("fault", ["500", "drop", "slow", "badlen"])
def test_http_faults_are_retried_until_the_file_is_whole(tmp_path, files, server, fault):
    server.faults["pub/a.csv"] = [fault, fault]
    m = fetch_source(SOURCE, _home(tmp_path, server.url), policy=FAST)
    assert server.hits["pub/a.csv"] == 3
    assert m["files"][0]["sha256"] == hashlib.sha256((files / "pub/a.csv").read_bytes()).hexdigest()


def test_giving_up_leaves_no_partial_snapshot_and_keeps_the_previous_one(tmp_path, server):
    s = _home(tmp_path, server.url)
    good = fetch_source(SOURCE, s, policy=FAST)
    (server.root / "pub/b.json").write_text("[1]")  # a change, so a new snapshot would be made
    server.faults["pub/b.json"] = ["drop"] * 10
    with pytest.raises(FetchError) as e:
        fetch_source(SOURCE, s, policy=FAST)
    assert "after 3 attempts" in str(e.value) and "pub/b.json" in str(e.value)
    assert e.value.hint
    assert _snapshot_dirs(s) == [good["snapshot_id"].split("/")[1]]  # no temp folder left
    assert latest_manifest(s.snapshots_dir / "pub")["snapshot_id"] == good["snapshot_id"]


def test_not_found_is_not_retried(tmp_path, server):
    src = Source(**{**SOURCE.__dict__, "files": (SourceFile("z.csv", "u", "pub/missing.csv"),)})
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_source(src, _home(tmp_path, server.url), policy=FAST)
    assert server.hits["pub/missing.csv"] == 1


def test_missing_mirror_file_names_the_path(tmp_path, files):
    src = Source(**{**SOURCE.__dict__, "files": (SourceFile("z.csv", "u", "pub/missing.csv"),)})
    with pytest.raises(FetchError, match="mirror file not found: .*pub/missing.csv"):
        fetch_source(src, _home(tmp_path, files), policy=FAST)


def test_progress_reports_bytes_up_to_the_total(tmp_path, server):
    seen = []
    fetch_source(SOURCE, _home(tmp_path, server.url), policy=FAST,
                 progress=lambda label, done, total: seen.append((label, done, total)))
    last = [x for x in seen if x[0] == "pub/a.csv"][-1]
    assert last[1] == last[2] == (server.root / "pub/a.csv").stat().st_size


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_gzip_encoded_answer_is_stored_decoded(tmp_path, files, server):
    server.faults["pub/a.csv"] = ["gzip"]
    s = _home(tmp_path, server.url)
    m = fetch_source(SOURCE, s, policy=FAST)
    stored = s.snapshots_dir / m["snapshot_id"] / "a.csv"
    assert stored.read_bytes() == (files / "pub/a.csv").read_bytes()  # not b"\x1f\x8b..."
    assert m["files"][0]["sha256"] == _sha(files / "pub/a.csv") and m["files"][0]["rows"] == 20002


def test_unchanged_upstream_files_are_not_downloaded_again(tmp_path, files, server):
    s = _home(tmp_path, server.url)
    first = fetch_source(SOURCE, s, policy=FAST)
    assert first["files"][0]["etag"] == '"' + _sha(files / "pub/a.csv") + '"'
    again = fetch_source(SOURCE, s, policy=FAST)
    assert again["reused"] and again["snapshot_id"] == first["snapshot_id"]
    (files / "pub/b.json").write_text("[]")  # b changes, a does not: a is copied, not downloaded
    changed = fetch_source(SOURCE, s, policy=FAST)
    assert not changed["reused"]
    assert (s.snapshots_dir / changed["snapshot_id"] / "a.csv").read_bytes() == \
        (files / "pub/a.csv").read_bytes()
    assert changed["files"][0] == first["files"][0]


def test_a_not_modified_answer_never_reuses_a_damaged_snapshot(tmp_path, files, server):
    s = _home(tmp_path, server.url)
    first = fetch_source(SOURCE, s, policy=FAST)
    (s.snapshots_dir / first["snapshot_id"] / "a.csv").write_text("x,y\n")
    again = fetch_source(SOURCE, s, policy=FAST)
    assert not again["reused"]
    assert (s.snapshots_dir / again["snapshot_id"] / "a.csv").read_bytes() == \
        (files / "pub/a.csv").read_bytes()


def test_alternate_urls_are_tried_in_order_and_the_one_used_is_recorded(tmp_path, files, server,
                                                                       monkeypatch):
    monkeypatch.delenv("AIATLAS_MIRROR", raising=False)  # no mirror: the declared URLs are used
    alt = server.url + "/pub/a.csv"
    src = Source(**{**SOURCE.__dict__, "files": (
        SourceFile("a.csv", server.url + "/moved/a.csv", "pub/a.csv",
                   alternates=(server.url + "/gone/a.csv", alt)),)})
    m = fetch_source(src, make_settings(home=tmp_path / "home"), policy=FAST)
    assert m["files"][0]["url"] == alt and m["files"][0]["sha256"] == _sha(files / "pub/a.csv")
    assert server.hits["moved/a.csv"] == server.hits["gone/a.csv"] == 1
    none = Source(**{**SOURCE.__dict__, "files": (
        SourceFile("a.csv", server.url + "/moved/a.csv", "pub/a.csv",
                   alternates=(server.url + "/gone/a.csv",)),)})
    with pytest.raises(FetchError, match="no location of a.csv answered: .*moved.*gone"):
        fetch_source(none, make_settings(home=tmp_path / "home2"), policy=FAST)


def test_an_endless_body_stops_at_the_size_cap_and_leaves_nothing(tmp_path, server):
    server.faults["pub/a.csv"] = ["endless"] * 5
    s = _home(tmp_path, server.url)
    capped = RetryPolicy(attempts=3, backoff=0.01, timeout=2, max_bytes=1 << 20)
    with pytest.raises(FetchError, match="larger than 1048576 bytes") as e:
        fetch_source(SOURCE, s, policy=capped)
    assert "AIATLAS_FETCH_MAX_BYTES" in e.value.hint
    assert server.hits["pub/a.csv"] == 1  # a cap is not retried
    assert list((s.snapshots_dir / "pub").iterdir()) == []


def test_a_trickling_body_stops_at_the_deadline(tmp_path, server):
    server.faults["pub/a.csv"] = ["trickle"] * 5
    s = _home(tmp_path, server.url)
    with pytest.raises(FetchError, match="not complete within 1 s"):
        fetch_source(SOURCE, s, policy=RetryPolicy(attempts=2, backoff=0.01, timeout=5, deadline=1))


def test_limits_come_from_the_environment_and_bad_values_are_usage_errors(monkeypatch):
    monkeypatch.setenv("AIATLAS_FETCH_MAX_BYTES", "1000")
    monkeypatch.setenv("AIATLAS_FETCH_DEADLINE", "2.5")
    assert (RetryPolicy.from_env().max_bytes, RetryPolicy.from_env().deadline) == (1000, 2.5)
    monkeypatch.setenv("AIATLAS_FETCH_DEADLINE", "soon")
    with pytest.raises(UsageError, match="AIATLAS_FETCH_DEADLINE='soon' is not a positive number"):
        RetryPolicy.from_env()


def test_temp_folders_of_killed_fetches_are_removed_at_the_next_fetch(tmp_path, files):
    s = _home(tmp_path, files)
    stale = [s.snapshots_dir / "pub" / ".tmp-999999999-abc", s.snapshots_dir / "pub" / ".tmp-oldformat"]
    for p in stale:
        p.mkdir(parents=True)
        (p / "a.csv").write_text("half")
    fetch_source(SOURCE, s, policy=FAST)
    assert not any(p.exists() for p in stale) and len(_snapshot_dirs(s)) == 1


def test_a_full_or_read_only_disk_is_one_line(tmp_path, files, monkeypatch):
    import errno
    import os

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    s = _home(tmp_path, files)
    monkeypatch.setattr("aiatlas.sources.fetch._copy_local", full)
    with pytest.raises(FetchError, match="cannot write under .*: No space left on device") as e:
        fetch_source(SOURCE, s, policy=FAST)
    assert "disk space" in e.value.hint
    assert list((s.snapshots_dir / "pub").iterdir()) == []
