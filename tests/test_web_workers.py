"""`aiatlas serve --workers N`: several server processes on one port, each with its own warehouse
handle, all answering, and each seeing a rebuild by itself."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from aiatlas import api
from aiatlas.web import serving

IND = "/api/indicators/notable_models_by_country?since=2020"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A home fetched from a folder mirror of the notable-models fixture and built."""
    root = tmp_path_factory.mktemp("workers")
    (root / "mirror" / "epoch").mkdir(parents=True)
    (root / "mirror" / "epoch" / "notable_ai_models.csv").write_bytes(
        (FIXTURES / "data" / "notable_2024.csv").read_bytes())
    api.fetch(["epoch_notable_models"], mirror=str(root / "mirror"), home=root / "home")
    api.build(home=root / "home")
    return root / "home"


def rebuild(home: Path) -> None:
    """A new build from new inputs: the publisher's file gained a model."""
    mirror = home.parent / "mirror"
    csv = mirror / "epoch" / "notable_ai_models.csv"
    with csv.open("a", encoding="utf-8") as f:
        f.write("New Model,Language,Lab,Industry,Japan,2023-05-01,1000000000.0,1e+23,,,"
                "Open weights (unrestricted),\n")
    api.fetch(["epoch_notable_models"], mirror=str(mirror), home=home)
    api.build(home=home)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(home):
    """`aiatlas serve --workers 2` as a user starts it; (port, parent process) once both
    workers have started."""
    with _serving(home) as (port, proc, _):
        yield port, proc


@contextlib.contextmanager
def _serving(home, *flags: str):
    """`aiatlas serve --workers 2 FLAGS` on a free port: (port, parent process, its output lines
    so far: uvicorn's messages and access log) once both workers have started; stopped after."""
    port = _port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "aiatlas", "serve", "--port", str(port),
                             "--home", str(home), "--workers", "2", *flags], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started, log = threading.Event(), []

    def watch():
        for line in proc.stdout:
            log.append(line)
            if sum("Application startup complete" in x for x in log) == 2:
                started.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert started.wait(180), "".join(log)
        yield port, proc, log
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tcp() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, socket inode) of every IPv4 TCP socket (/proc/net/tcp)."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        rows.append((int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16), f[3], int(f[9])))
    return rows


def _sockets(pid: int) -> set[int]:
    """The inodes of the sockets a process holds open."""
    out = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(int(target[8:-1]))
    return out


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return kids


def _workers(port: int, parent: int) -> list[int]:
    """The worker processes: the parent's children holding the listening socket."""
    listening = {inode for local, _, state, inode in _tcp() if local == port and state == "0A"}
    return [pid for pid in _children(parent) if _sockets(pid) & listening]


def _get(port: int, path: str, workers: list[int]) -> tuple[int, int, bytes]:
    """(the worker that answered, status, body) of a GET on a new connection: the worker is
    the one holding the server side of the connection, still open after the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        mine = conn.sock.getsockname()[1]
        inodes = {inode for local, remote, _, inode in _tcp() if local == port and remote == mine}
        owner = [pid for pid in workers if _sockets(pid) & inodes]
        assert len(owner) == 1, (owner, inodes)
        return owner[0], resp.status, body
    finally:
        conn.close()


def _until_every_worker(port: int, workers: list[int], path: str, ok) -> dict[int, bytes]:
    """GETs on new connections until every worker has given a body `ok` accepts (the kernel
    hands each connection to one worker); the last such body per worker."""
    answered: dict[int, bytes] = {}
    deadline = time.monotonic() + 120  # not a timing assertion: a bound on the loop
    while set(answered) != set(workers) and time.monotonic() < deadline:
        pid, status, body = _get(port, path, workers)
        assert status == 200, body
        if ok(body):
            answered[pid] = body
        else:
            time.sleep(0.1)
    return answered


@pytest.mark.slow  # starts three Python processes and rebuilds a warehouse
def test_several_workers_answer_and_each_sees_a_rebuild(server, home):
    port, proc = server
    workers = _workers(port, proc.pid)
    assert len(workers) == 2 and proc.pid not in workers, workers
    for pid in workers:  # each worker started with the malloc setting (glibc reads it at start)
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert any(e.startswith(b"GLIBC_TUNABLES=") and b"tcache_count=" in e for e in env), env
    old = api.warehouse(home=home).build_id

    # every worker answers, from the same build, with the same values
    bodies = _until_every_worker(port, workers, IND, lambda b: True)
    assert set(bodies) == set(workers)
    answers = [json.loads(b) for b in bodies.values()]
    assert all(a["build_id"] == old and a["rows"] for a in answers), answers
    assert answers[0]["rows"] == answers[1]["rows"]
    builds = _until_every_worker(port, workers, "/api/build", lambda b: True)
    assert {json.loads(b)["build_id"] for b in builds.values()} == {old}

    # a rebuild renames a new warehouse file in: each worker notices it by itself
    rebuild(home)
    new = api.warehouse(home=home).build_id
    assert new != old
    seen = _until_every_worker(port, workers, "/api/build",
                               lambda b: json.loads(b)["build_id"] == new)
    assert set(seen) == set(workers), (seen, workers)
    fresh = _until_every_worker(port, workers, IND, lambda b: json.loads(b)["build_id"] == new)
    assert set(fresh) == set(workers)
    for body in fresh.values():  # the new model counted by every worker
        assert {"JPN", 2023} <= {v for row in json.loads(body)["rows"] for v in row.values()}
    assert proc.poll() is None  # no worker died and took the server with it


@pytest.mark.slow
def test_connections_are_spread_over_the_workers_and_a_dead_worker_is_replaced(server):
    """32 connections opened at once land on both workers (one shared socket gave one worker
    all 32); a worker killed is replaced by a new one that answers."""
    port, proc = server
    workers = _workers(port, proc.pid)
    assert len(workers) == 2
    conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(32)]
    try:
        for c in conns:
            c.sendall(b"GET /api/build HTTP/1.1\r\nHost: x\r\n\r\n")
        for c in conns:
            assert c.recv(65536).startswith(b"HTTP/1.1 200")
        mine = {c.getsockname()[1] for c in conns}
        inodes = {inode for local, remote, _, inode in _tcp() if local == port and remote in mine}
        held = sorted(len(_sockets(pid) & inodes) for pid in workers)
        assert sum(held) == 32 and held[0] >= 4, held  # each at least 4: p ~ 1e-6 by chance
    finally:
        for c in conns:
            c.close()

    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 120  # a bound on the loop, not a timing assertion
    while time.monotonic() < deadline:
        now = _workers(port, proc.pid)
        if len(now) == 2 and workers[0] not in now:
            break
        time.sleep(0.2)
    assert len(now) == 2 and workers[1] in now and workers[0] not in now, (workers, now)
    answered = _until_every_worker(port, now, "/api/build", lambda b: True)
    assert set(answered) == set(now)
    assert proc.poll() is None


@pytest.mark.slow  # a new `aiatlas serve` process
def test_a_taken_port_stops_the_server_at_once(home):
    """With SO_REUSEPORT the workers could share a port another server holds: it is checked."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        done = subprocess.run([sys.executable, "-m", "aiatlas", "serve", "--port", str(port),
                               "--home", str(home), "--workers", "2"], check=False, env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "address already in use" in (done.stdout + done.stderr).lower()


def test_one_worker_per_core_by_default_and_the_cores_shared_out_to_their_engines():
    cores = len(os.sched_getaffinity(0))
    assert serving.default_workers() == cores
    assert serving.duckdb_threads(1) == cores  # one process: DuckDB's own default
    assert serving.duckdb_threads(cores) == 1
    assert serving.duckdb_threads(cores * 4) == 1  # never none


def test_workers_get_a_bigger_malloc_cache_unless_the_operator_chose_one():
    env: dict = {}
    serving.worker_env(env)
    assert env == {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=64"}
    env = {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}  # other tunables are kept
    serving.worker_env(env)
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=64"
    env = {"GLIBC_TUNABLES": "glibc.malloc.tcache_count=0"}  # the operator's own count wins
    serving.worker_env(env)
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.tcache_count=0"


def test_the_access_log_option_reaches_the_server(monkeypatch):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    seen = []
    monkeypatch.setattr(serving, "run", lambda **kw: seen.append(kw["access_log"]))
    for args, expected in (([], True), (["--no-access-log"], False), (["--access-log"], True)):
        res = CliRunner().invoke(app, ["serve", "--workers", "2", *args])
        assert res.exit_code == 0, res.output
        assert seen.pop() is expected


@pytest.mark.slow  # starts three Python processes
def test_workers_write_no_access_log_when_told(home):
    """`--no-access-log` reaches every worker process: requests answered, no line logged."""
    with _serving(home, "--no-access-log") as (port, proc, log):
        workers = _workers(port, proc.pid)
        answered = _until_every_worker(port, workers, "/api/build", lambda b: True)
        assert set(answered) == set(workers) and len(workers) == 2
    assert "Application startup complete" in "".join(log)
    assert not [x for x in log if '"GET /api/build' in x], log
