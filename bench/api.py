"""Bounded load test of the HTTP API on loopback, and report build times; prints three tables.

This tree is served as a user serves it: `aiatlas serve`, with its limits, its access log and
its default worker processes (one per core) unless --workers says otherwise; every table says
how many. CPU per request is the server's, all its processes together.

32 concurrent clients share a fixed number of requests over three endpoints (indicator list,
one indicator's JSON, snapshots) and stop at that count or the time limit, whichever comes first.
The cold (uncached) indicator request is timed in the same run for comparison.

Then two distinct-parameter loads: 32 clients, every request a different parameter set of one
indicator (so every request is a cache miss): year ranges of notable_models_by_country (which a
server of this tree cuts from the values for every year: docs/performance.md) and parameter
sets of top_organizations (every one an engine query). Each on this tree and on a baseline
revision (default: the commit before the warehouse handle's connection pool) served from
`git archive` of it by uvicorn in one process, as it was then, in the same run.

With --mix: `aiatlas serve` under 48 clients, half the requests cached URLs,
half indicator queries with parameters never asked before (cache misses); p50/p99 per class,
5xx count, the server's RSS (all its processes) before and after; then the same with 200 idle sockets held open.
Targets (issue 17, 2 cores): cached p99 < 100 ms, distinct p99 < 500 ms, RSS growth < 200 MB,
no 5xx.

    python bench/api.py [--home DIR] [--clients 32] [--requests 3000] [--seconds 30]
                        [--distinct 640] [--baseline REV] [--rounds N] [--distinct-only]
                        [--workers N]
    python bench/api.py --mix [--home DIR] [--seconds 20] [--workers N]
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from aiatlas import api
from aiatlas.indicators import registry
from aiatlas.web import serving

PREFERRED = ("notable_models_by_country", "chips_controlled")


def ensure_home(home: str | None) -> Path:
    """The data home to serve: the given one, $AIATLAS_HOME, or one fetched from the mirror now."""
    home = home or os.environ.get("AIATLAS_HOME")
    if home and (Path(home) / "warehouse.duckdb").exists():
        return Path(home)
    mirror = os.environ.get("AIATLAS_MIRROR") or str(Path(__file__).resolve().parents[1].parent
                                                     / "shared" / "data")
    path = Path(tempfile.mkdtemp(prefix="aiatlas-bench-"))
    api.fetch(mirror=mirror, home=path)
    api.build(home=path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int | None = None,
                 src: Path | None = None) -> tuple[subprocess.Popen, int]:
    """The server in its own process(es), so the load generator does not share a GIL with it,
    and how many worker processes serve. This tree: `aiatlas serve` as a user starts it (its
    limits, its access log, `workers` or its default worker count); `src`: another source tree
    of aiatlas (a baseline revision), served by uvicorn itself in one process, as it was then.
    Returns once every worker has started, so the load's connections are spread over all."""
    env = dict(os.environ, AIATLAS_HOME=str(home))
    if src is not None:
        env["PYTHONPATH"] = str(src)
        cmd = [sys.executable, "-m", "uvicorn", "aiatlas.web.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--no-access-log"]
        workers = 1
    else:
        cmd = [sys.executable, "-m", "aiatlas", "serve", "--port", str(port)]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        workers = workers or serving.default_workers()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    started = threading.Event()

    def watch():  # uvicorn logs each worker's start on stderr; drained to the end
        count = 0
        for line in proc.stderr:
            count += "Application startup complete" in line
            if count >= workers:
                started.set()

    threading.Thread(target=watch, daemon=True).start()
    if src is not None:
        started.set()  # logs warnings only: readiness is the probe below
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if (started.wait(0.2) and httpx.get(f"http://127.0.0.1:{port}/api/build",
                                                  timeout=2).status_code == 200):
                return proc, workers
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start within 120 s")


async def load(base: str, paths: list[str], clients: int, total: int, seconds: float):
    """Run until `total` requests are done or `seconds` pass; latencies (s) per path.

    aiohttp rather than httpx here: the load generator shares the two cores with the server,
    and aiohttp spends less CPU per request, so the figures are more the server's own."""
    import aiohttp

    lat = {p: [] for p in paths}
    errors = 0
    issued = 0
    deadline = time.monotonic() + seconds

    async def worker(session):
        nonlocal issued, errors
        while issued < total and time.monotonic() < deadline:
            path = paths[issued % len(paths)]
            issued += 1
            t = time.perf_counter()
            async with session.get(base + path) as r:
                await r.read()
                errors += r.status != 200
            lat[path].append(time.perf_counter() - t)

    conn = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=conn) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return lat, errors, elapsed


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] * 1000 if s else float("nan")


def bench_api(home: Path, clients: int, total: int, seconds: float, console: Console,
              workers: int | None = None) -> None:
    ids = [m["id"] for m in api.list_indicators()]
    if not ids:
        console.print("no indicators registered: nothing to load-test")
        return
    ind = next((i for i in PREFERRED if i in ids), ids[0])
    port = free_port()
    proc, workers = start_server(home, port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        paths = ["/api/indicators", f"/api/indicators/{ind}", "/api/snapshots"]
        t = time.perf_counter()
        httpx.get(base + paths[1], timeout=60).raise_for_status()
        cold = (time.perf_counter() - t) * 1000
        # warm-up (not counted): opens the 32 connections and fills the result cache
        asyncio.run(load(base, paths, clients, clients * 4, seconds))
        cpu = cpu_seconds(proc.pid)
        lat, errors, elapsed = asyncio.run(load(base, paths, clients, total, seconds))
        cpu = cpu_seconds(proc.pid) - cpu
        # the same indicator from one client, one request at a time: the server's own latency
        # without queueing behind 31 other clients
        solo, _, solo_s = asyncio.run(load(base, paths[1:2], 1, 300, seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    done = sum(len(v) for v in lat.values())
    load1 = os.getloadavg()[0]
    table = Table(title=f"HTTP API (`aiatlas serve`, {workers} worker process(es)): {clients} clients, {done} requests in {elapsed:.1f} s, "
                        f"{errors} non-200, server CPU {cpu / max(done, 1) * 1000:.2f} ms per "
                        f"request, load average {load1:.1f} on {os.cpu_count()} cores "
                        f"(target p99 < 50 ms for indicator JSON)")
    for col in ("endpoint", "requests", "p50 ms", "p99 ms", "req/s"):
        table.add_column(col, justify="right" if col != "endpoint" else "left")
    for path, values in lat.items():
        table.add_row(path, str(len(values)), f"{pct(values, .5):.1f}", f"{pct(values, .99):.1f}",
                      f"{len(values) / elapsed:.0f}")
    every = [v for values in lat.values() for v in values]
    table.add_row("all", str(done), f"{pct(every, .5):.1f}", f"{pct(every, .99):.1f}",
                  f"{done / elapsed:.0f}")
    one = solo[paths[1]]
    table.add_row(f"{paths[1]} (1 client, sequential)", str(len(one)), f"{pct(one, .5):.1f}",
                  f"{pct(one, .99):.1f}", f"{len(one) / solo_s:.0f}")
    table.add_row(f"{paths[1]} cold (first request: computed, not cached)", "1", f"{cold:.1f}",
                  "", "")
    console.print(table)


def process_tree(pid: int) -> list[int]:
    """A process and its live descendants (the server's workers), by /proc (Linux)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:  # the parent pid is the second field after the command's ")"
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
    tree = [pid]
    for p in tree:
        tree += [c for c, parent in parents.items() if parent == p]
    return tree


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants (Linux /proc), in MB."""
    total = 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


async def mix(base: str, cached: list[str], distinct, clients: int, seconds: float):
    """Half cached URLs, half never-asked queries, from `clients` clients for `seconds`;
    latencies (s) and 5xx count per class."""
    import aiohttp

    lat = {"cached": [], "distinct": []}
    errors = {"cached": 0, "distinct": 0}
    deadline, n = time.monotonic() + seconds, 0

    async def worker(session):
        nonlocal n
        while time.monotonic() < deadline:
            n += 1
            kind = "cached" if n % 2 else "distinct"
            path = cached[n % len(cached)] if kind == "cached" else distinct(n)
            t = time.perf_counter()
            async with session.get(base + path) as r:
                await r.read()
                errors[kind] += r.status >= 500
            lat[kind].append(time.perf_counter() - t)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
        await asyncio.gather(*(worker(session) for _ in range(clients)))
    return lat, errors


def bench_mix(home: Path, clients: int, seconds: float, console: Console,
              workers: int | None = None) -> None:
    """The 48-client mixed load, then again with 200 idle sockets open; one table."""
    import random

    inds = [m for m in api.list_indicators()
            if {"since", "until"} <= {p["name"] for p in m["parameters"]}]
    cut = sum(1 for m in inds if registry.get(m["id"]).years)  # the rest are engine queries
    port = free_port()
    proc, workers = start_server(home, port, workers)
    base = f"http://127.0.0.1:{port}"
    cached = ["/api/build", "/api/indicators", f"/api/indicators/{inds[0]['id']}",
              "/api/snapshots", f"/api/indicators/{inds[-1]['id']}.csv"]
    combos = [(m["id"], a, b) for m in inds for a in range(1950, 2027) for b in range(a, 2027)]
    random.Random(17).shuffle(combos)
    asked = itertools.count()  # across both runs: the second never repeats the first's queries

    def distinct(n: int) -> str:  # a parameter combination no earlier request used
        id, since, until = combos[next(asked)]
        return f"/api/indicators/{id}?since={since}&until={until}"

    rows = []
    try:
        for path in cached:
            httpx.get(base + path, timeout=60)
        before = rss_mb(proc.pid)
        for label, idle_count in (("mix", 0), ("mix + 200 idle sockets", 200)):
            idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle_count)]
            lat, errors = asyncio.run(mix(base, cached, distinct, clients, seconds))
            closed = sum(1 for s in idle if _closed(s))
            for s in idle:
                s.close()
            for kind in ("cached", "distinct"):
                rows.append((label, kind, len(lat[kind]), pct(lat[kind], .5), pct(lat[kind], .99),
                             errors[kind], f"{closed}/{idle_count} closed" if idle_count else ""))
        after = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    table = Table(title=f"`aiatlas serve` ({workers} worker process(es)) under {clients} clients, {seconds:.0f} s per run "
                        f"(targets: cached p99 < 100 ms, distinct p99 < 500 ms, no 5xx); "
                        f"distinct: year ranges of {len(inds)} indicators, {cut} of which the "
                        f"server cuts from every year's values; "
                        f"RSS {before:.0f} -> {after:.0f} MB (+{after - before:.0f}, target "
                        f"< 200); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for col in ("run", "class", "requests", "p50 ms", "p99 ms", "5xx", "idle sockets"):
        table.add_column(col)
    for r in rows:
        table.add_row(r[0], r[1], str(r[2]), f"{r[3]:.1f}", f"{r[4]:.1f}", str(r[5]), r[6])
    console.print(table)


def _closed(sock: socket.socket) -> bool:
    """True when the server has closed this idle socket."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def bench_report(home: Path, console: Console) -> None:
    from aiatlas.report.build import build_report

    table = Table(title="report build time (s)")
    for col in ("language", "HTML", "HTML + PDF"):
        table.add_column(col)
    for lang in ("en", "ja"):
        cells = []
        for pdf in (False, True):
            with tempfile.TemporaryDirectory() as out:
                t = time.perf_counter()
                build_report(Path(out), lang=lang, pdf=pdf, home=home)
                cells.append(f"{time.perf_counter() - t:.2f}")
        table.add_row(lang, *cells)
    console.print(table)


# The two distinct-parameter loads: year ranges of an indicator declaring `years` (after one
# engine query per set of its other parameters, six here, each range is cut from the values for
# every year), and requests every one of which the engine answers (no `years` on the indicator).
DISTINCT = {"years": "notable_models_by_country", "engine": "top_organizations"}


def distinct_paths(kind: str) -> list[str]:
    """Every parameter set of one indicator, shuffled: requests that are each a cache miss."""
    years = [(s, u) for s in range(1980, 2026) for u in range(s, 2027)]
    if kind == "years":
        combos = [f"since={s}&until={u}&attribution={a}&fold_hong_kong={f}" for s, u in years
                  for a in ("each", "fractional", "first") for f in ("false", "true")]
    else:
        combos = [f"since={s}&until={u}&attribution={a}&limit={n}&by_parent={b}" for s, u in years
                  for a in ("each", "fractional", "first") for n in (5, 10, 20)
                  for b in ("false", "true")]
    random.Random(0).shuffle(combos)
    return [f"/api/indicators/{DISTINCT[kind]}?{c}" for c in combos]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its live descendants (the server's workers) have
    used so far (Linux /proc)."""
    total = 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def distinct_load(home: Path, src: Path | None, clients: int, n: int, seconds: float,
                  workers: int | None = None, kind: str = "years"):
    """Worker processes, p50, p99 (ms), requests per second, the server's CPU ms per request
    (all its processes) and the non-200 count of n distinct-parameter requests. CPU per request is what other load on the machine
    changes least: latency under 32 clients is about clients / (requests per second)."""
    port = free_port()
    proc, workers = start_server(home, port, workers, src=src)
    base = f"http://127.0.0.1:{port}"
    paths = distinct_paths(kind)
    try:
        # warm-up on other parameter sets: imports, connections, the first compile
        asyncio.run(load(base, paths[-clients * 2:], clients, clients * 2, seconds))
        cpu = cpu_seconds(proc.pid)
        lat, errors, elapsed = asyncio.run(load(base, paths[:n], clients, n, seconds))
        cpu = cpu_seconds(proc.pid) - cpu
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    every = [v for values in lat.values() for v in values]
    return (workers, pct(every, .5), pct(every, .99), len(every) / elapsed,
            cpu / len(every) * 1000, errors)


def baseline_tree(rev: str, into: Path) -> Path:
    """The `src` folder of a git revision of this repository, unpacked under `into`."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(["git", "-C", str(repo), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def bench_distinct(home: Path, clients: int, n: int, seconds: float, baseline: str,
                   console: Console, rounds: int = 1, workers: int | None = None) -> None:
    """The distinct-parameter load on the baseline and on this tree, alternating for `rounds`
    (other load on the machine then falls on both alike); one row per run, with the load
    average when it ended."""
    table = Table(title=f"Distinct parameters: {clients} clients, {n} requests each a different "
                        f"parameter set (every request a cache miss; target p99 < 150 ms), "
                        f"{os.cpu_count()} cores. years: {DISTINCT['years']}'s year ranges, cut "
                        f"from the values for every year where the server does that; engine: "
                        f"{DISTINCT['engine']}, every request a query")
    for col in ("load kind", "server", "workers", "p50 ms", "p99 ms", "req/s", "server CPU ms/req",
                "non-200", "load"):
        table.add_column(col, justify="left" if col in ("load kind", "server") else "right")
    with tempfile.TemporaryDirectory(prefix="aiatlas-baseline-") as tmp:
        runs = [(f"baseline {baseline} (uvicorn)", baseline_tree(baseline, Path(tmp))),
                ("this tree (aiatlas serve)", None)]
        for kind, _, (label, src) in itertools.product(DISTINCT, range(rounds), runs):
            procs, p50, p99, rps, cpu, errors = distinct_load(home, src, clients, n, seconds,
                                                              workers, kind)
            table.add_row(kind, label, str(procs), f"{p50:.1f}", f"{p99:.1f}", f"{rps:.0f}",
                          f"{cpu:.2f}", str(errors), f"{os.getloadavg()[0]:.1f}")
    console.print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int,
                    help="`aiatlas serve --workers` (default: its own default, one per core)")
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument("--distinct", type=int, default=640,
                    help="requests of the distinct-parameter load (0: skip it)")
    ap.add_argument("--baseline", default="f6557e1",
                    help="git revision served for the distinct-parameter comparison")
    ap.add_argument("--rounds", type=int, default=1,
                    help="baseline / this tree runs of the distinct load, alternating")
    ap.add_argument("--distinct-only", action="store_true",
                    help="the distinct-parameter comparison alone (no cached load)")
    ap.add_argument("--mix", action="store_true", help="the 48-client cached/distinct mix only")
    args = ap.parse_args()
    console = Console(width=160)  # the tables stay readable in a log or a pipe
    home = ensure_home(args.home)
    if args.mix:
        bench_mix(home, 48 if args.clients == 32 else args.clients, min(args.seconds, 20), console,
                  args.workers)
        return
    if not args.distinct_only:
        bench_api(home, args.clients, args.requests, args.seconds, console, args.workers)
    if args.distinct:
        bench_distinct(home, args.clients, args.distinct, args.seconds, args.baseline, console,
                       args.rounds, args.workers)
    if not args.skip_report:
        bench_report(home, console)


if __name__ == "__main__":
    main()
