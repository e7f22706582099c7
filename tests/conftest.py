"""Shared fixtures: the data mirror (required, never skipped) and a warehouse built from it."""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings

from aiatlas.__main__ import main

# Property tests: 100 examples locally, 500 in CI (.ci/run sets HYPOTHESIS_PROFILE=ci), 20 in the
# quick developer loop (`make test-fast`; `make test` runs them at full strength).
hypothesis_settings.register_profile("default", max_examples=100, deadline=None)
hypothesis_settings.register_profile("fast", max_examples=20, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=500, deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
hypothesis_settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """The examples of a property test that sets its own count (cheap inputs, so more than the
    profile's): n in `make test` and CI, and, like every other property test, a fifth of it in
    the quick loop (`fast`), where a fixed count would draw 150 while the rest draw 20."""
    return max(20, n // 5) if PROFILE == "fast" else n

# Spark in tests reads a few thousand rows per query. There, adaptive execution (each stage
# planned again once the one before it ran) and whole-stage code generation (Java compiled for
# every stage) cost more than they save: the JVM's CPU on the eight slowest parity tests fell
# from 167 to 118 s (benchmark_lag_months alone: 9-11 s -> 6 s). Both are Spark's execution
# strategies, not what a query means: every Spark result is still compared with DuckDB's.
# The same holds for the JVMs themselves: each lives a few minutes, so the JIT's optimising
# tier (C2) and the parallel collector's threads cost more CPU than they give back. C1 alone
# and the serial collector: the JVM's CPU on five of the heaviest parity tests (the JVM's
# start, lag_months_compared, arena_lag_months, benchmark_gap, capability_lag_months) fell from
# 163 to 64 s. JVM_OPTIONS go to the driver, to a cluster's executors and to its daemons.
# Likewise each expression (a projection, a filter, a join key) is compiled to Java by Janino
# unless Spark is told to interpret it (codegen.factoryMode=NO_CODEGEN, Spark's interpreted
# path, the one it falls back to when compiling fails): on a few thousand rows the compiles
# cost more than they save (the parity file's CPU, JVM included: 123 / 129 -> 94 / 89 s).
# PYSPARK_SUBMIT_ARGS is PySpark's own way to give the JVM settings; a value set by whoever runs
# the tests is kept.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--conf spark.sql.adaptive.enabled=false "
                      "--conf spark.sql.codegen.wholeStage=false "
                      "--conf spark.sql.codegen.factoryMode=NO_CODEGEN "
                      f"--driver-java-options '{JVM_OPTIONS}' "
                      f"--conf 'spark.executor.extraJavaOptions={JVM_OPTIONS}' pyspark-shell")
os.environ.setdefault("SPARK_DAEMON_JAVA_OPTS", JVM_OPTIONS)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def serve_in_thread(server):
    """Start a socketserver (a loopback HTTP server of a test) answering in a daemon thread and
    return it. It looks for its shutdown() every 10 ms: at serve_forever's default of 0.5 s,
    every test stopping a server waited about half a second for nothing."""
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                     daemon=True).start()
    return server


def once_per_request(compute):
    """`compute(id, rows=False, **params)` (an indicator's values, or its explain rows, on one
    fixture) answered once per request: the same indicator with the same parameters, bound to
    its defaults (a default given or left out is one request), is answered from the first
    answer. For a module whose tests check the same lags on one module-scoped fixture (a lag
    query costs most of a second of CPU to compile); the answers are shared, never changed."""
    from aiatlas.indicators import registry

    done: dict = {}

    def get(id: str, rows: bool = False, **params):
        key = (id, rows, repr(sorted(registry.get(id).bind(params).items())))
        if key not in done:
            done[key] = compute(id, rows, **params)
        return done[key]

    return get


# Tiers: `make test-fast` runs what is left after deselecting these markers (the unit tier).
# A test that reads the mirror is marked `mirror` by the fixtures it uses, so no test can
# forget its marker; `spark`, `browser` and `slow` are set where the test is written.
MIRROR_FIXTURES = {"mirror", "built_home"}


@pytest.fixture
def aiatlas_cli(monkeypatch, capsys):
    """Run the `aiatlas` entry point in this process, as `python -m aiatlas ARGS` would, and
    return its exit code and output (`entry`: another entry point, e.g. aiatlas.cli.main): the CLI's messages and exit codes without the second or two
    a new interpreter costs. Tests about process-level behaviour (what a new process imports)
    keep using subprocess."""
    def run(*args: str, env: dict[str, str] | None = None, entry=main) -> SimpleNamespace:
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        monkeypatch.setattr(sys, "argv", ["aiatlas", *map(str, args)])
        capsys.readouterr()
        try:
            entry()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


def pytest_collection_modifyitems(config, items):
    for item in items:
        if MIRROR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mirror)


def mirror_dir() -> Path:
    """The mirror named by AIATLAS_MIRROR, else ../shared/data beside the repo; fail if neither."""
    env = os.environ.get("AIATLAS_MIRROR")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "SOURCES.md").exists() and not (path / "epoch").is_dir():
        pytest.fail(f"data mirror not found at {path}: set AIATLAS_MIRROR to the shared data folder",
                    pytrace=False)
    return path.resolve()


def openalex_indicators() -> set[str]:
    """Indicators over OpenAlex data (the ingested works, the API aggregates): never in the
    mirror, so unavailable, with the reason said, in every mirror-built home."""
    from aiatlas import api

    oa = {"openalex_works", "openalex_ai_works"}
    return {i["id"] for i in api.list_indicators() if set(i["sources"]) <= oa}


@pytest.fixture(scope="session")
def mirror() -> Path:
    return mirror_dir()


def _built_once(root: Path, name: str, make) -> Path:
    """`root/name`, made by `make(path)` in the first process to ask; the others wait on a file
    lock and reuse it (pytest-xdist's documented pattern for session data shared by workers)."""
    done = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.is_dir():
            part = root / f"{name}.part"
            shutil.rmtree(part, ignore_errors=True)  # a process that failed halfway
            make(part)
            part.rename(done)
    return done


@pytest.fixture(scope="session")
def built_home(tmp_path_factory, mirror) -> Path:
    """A data home fetched from the mirror and built as `aiatlas build` builds it (with the
    templates of every indicator's common requests and of every request of the report); this
    worker's own copy of it, so a test writing into it (a vintage the claims checker builds, a
    CLI build) never races another worker.

    The fetch, build and template derivation run once per test run, not once per xdist worker
    (they are most of a minute of CPU); a copy costs well under a second."""
    from aiatlas import api, compiled
    from aiatlas.report import needs

    def make(home: Path) -> None:
        api.fetch(mirror=str(mirror), home=home)
        api.build(home=home)
        compiled.precompile(home=home, also=needs.requests())

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    home = tmp_path_factory.mktemp("home") / "home"
    shutil.copytree(_built_once(shared, "mirror-home", make), home, symlinks=True)
    return home


@pytest.fixture(scope="session")
def mirror_reports(built_home, tmp_path_factory):
    """The report on the mirror in both languages with their PDFs, built together as `aiatlas
    report --lang en,ja --pdf` builds them; once per session (tests using it share the xdist
    group "mirror-report", so one worker builds it)."""
    from aiatlas.report.build import build_reports

    return build_reports(tmp_path_factory.mktemp("mirror-report"), langs=("en", "ja"), pdf=True,
                         home=built_home)


@pytest.fixture(scope="module")
def con(built_home):
    """A read-only DuckDB connection to the warehouse built from the mirror."""
    import duckdb

    con = duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def tiny_home(tmp_path_factory) -> Path:
    """A data home whose warehouse holds the hand-made models of tests/fixtures/indicators/tiny.py."""
    from fixtures.indicators.tiny import RESEARCH_MODELS, write_warehouse

    home = tmp_path_factory.mktemp("tiny")
    write_warehouse(home, RESEARCH_MODELS, frontier=RESEARCH_MODELS[:1],
                    large_scale=RESEARCH_MODELS[:2])
    return home


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory):
    """A Spark standalone master and two 1-core workers on loopback; fails without Java/PySpark.

    Yields the master URL; the Spark session of the process points at it while the fixture
    lives (AIATLAS_SPARK_MASTER), and every daemon is stopped by its own id afterwards. Module
    scope: the five JVMs (master, workers, their executors) end with the module that asked for
    them, and a Spark test run after it by the same worker runs in local mode, in the driver
    JVM already started (test_spark_parity.py says local mode).
    """
    from spark_cluster import standalone_cluster

    root = tmp_path_factory.mktemp("spark-cluster")
    # small JVMs: this machine is shared, and an OOM kill of the driver fails every Spark test
    # two shuffle partitions, one per worker core: Spark's default 200 would be 200 tasks per
    # stage for a few thousand rows (adaptive execution, which coalesced them, is off above)
    small = {"AIATLAS_SPARK_DRIVER_MEMORY": "1g", "SPARK_EXECUTOR_MEMORY": "512m",
             "AIATLAS_SPARK_PARTITIONS": "2"}
    old = {k: os.environ.get(k) for k in ("AIATLAS_SPARK_MASTER", "PYSPARK_PYTHON", *small)}
    with standalone_cluster(root, workers=2, cores=1, memory="1g") as (url, _, _):
        os.environ.update(small, AIATLAS_SPARK_MASTER=url, PYSPARK_PYTHON=sys.executable)
        try:
            yield url
        finally:
            from aiatlas.spark import stop

            stop()  # the executors belong to this session: end it before its cluster
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


# The order in which `--dist loadgroup` hands out the groups, each whole to one worker, before
# the ungrouped tests, which follow one at a time in collection order to whichever worker is
# free. xdist would send the groups with the most tests first, so both workers started on a
# group needing `built_home`, and one of them sat idle on its lock while the other built it
# (the fetch, build and template derivation: about two minutes of CPU). Now the first group
# is the longest of those needing it (spark: a JVM and 47 queries), whose worker builds it,
# and the other worker starts on the groups that make their own warehouses.
GROUP_ORDER = ("spark", "publish-report", "publish-browser", "publish-web", "spark-cluster",
               "report-changed", "mirror-report", "publish-fuzz")


class _XdistGroups:
    """`--dist loadgroup` sends the tests of one `xdist_group` to one worker by a "@group"
    suffix xdist's worker adds to each nodeid. xdist 3.8 writes it to `item._nodeid`, which
    pytest 9.2 no longer reads (the id is `item._id`), so every test was its own group: both
    workers built the OpenAlex homes, and started a Spark cluster and a Spark JVM each. This
    writes the same suffix where pytest reads it (NodeId.parse keeps the exact text), after
    xdist's hook, and puts the groups' tests first, in GROUP_ORDER (xdist sends the work in
    collection order: pytest_configure turns its own reordering off); a no-op where loadgroup
    is off."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        from _pytest.nodeid import NodeId

        if not getattr(config.option, "loadgroup", False):
            return
        ranks = []
        for item in items:
            names = {str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                     for m in item.iter_markers("xdist_group")}
            group = "_".join(sorted(names))
            if names and not item.nodeid.endswith("@" + group):
                item._id = NodeId.parse(item.nodeid + "@" + group)
            # a group not listed goes after the listed ones, the ungrouped tests after all
            ranks.append(GROUP_ORDER.index(group) if group in GROUP_ORDER
                         else len(GROUP_ORDER) + (not names))
        order = sorted(range(len(items)), key=ranks.__getitem__)  # stable: collection order
        items[:] = [items[i] for i in order]                      # within each rank


def pytest_configure(config):
    config.pluginmanager.register(_XdistGroups(), "aiatlas-xdist-groups")
    if getattr(config.option, "dist", None) == "loadgroup":
        config.option.loadscopereorder = False  # the work goes out in the order given above
