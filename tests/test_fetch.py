"""Fetch: snapshots are immutable and complete; retries survive a faulty HTTP server on loopback."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aiatlas.config import settings as make_settings
from aiatlas.errors import FetchError
from aiatlas.sources.base import Source, SourceFile
from aiatlas.sources.fetch import RetryPolicy, fetch_source, latest_manifest

FAST = RetryPolicy(attempts=3, backoff=0.01, timeout=0.5)


class FaultyServer:
    """Serves a folder over HTTP; `faults[path]` is a list of faults applied to successive GETs.

    Faults: "500" (server error), "drop" (half the body, then the connection closes),
    "slow" (stalls longer than the client timeout mid-body), "badlen" (Content-Length larger
    than the body), "ok".
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
                if fault == "500":
                    self.send_error(500)
                    return
                self.send_response(200)
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
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

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
