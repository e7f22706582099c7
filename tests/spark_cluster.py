"""A real Spark standalone cluster on loopback for tests and benchmarks: one master, N workers.

Each daemon is a separate JVM started with PySpark's own `bin/spark-class` (no Spark install
beyond the pip package), on ports the OS picks, each worker with its own work directory and a
small share of cores and memory. Start-up is bounded; every process is ended by its own id.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_S = 120.0  # a loaded 2-core machine needs ~5-20 s per JVM
MASTER_RE = re.compile(r"Starting Spark master at (spark://[\d.]+:\d+)")
REGISTERED = "Successfully registered with master"


class ClusterError(RuntimeError):
    """The cluster did not come up in time; the message carries the daemon's log tail."""


def spark_home() -> Path:
    """The Spark distribution bundled in the pyspark package (ImportError when missing)."""
    import pyspark

    home = Path(pyspark.__file__).parent
    if not (home / "bin" / "spark-class").exists():
        raise ClusterError(f"{home}: pyspark has no bin/spark-class")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        raise ClusterError("no Java runtime on PATH (Spark needs Java 17)")
    return home


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",  # loopback only: never listen on the network
        "SPARK_DAEMON_MEMORY": "256m",  # the daemons only schedule; executors do the work
        "SPARK_LOG_DIR": str(root / "logs"), "SPARK_PID_DIR": str(root),
        # executors run this interpreter, which imports aiatlas from the same place
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    })
    return env


def _start(cls: str, args: list[str], log: Path, env: dict) -> subprocess.Popen:
    spark_class = spark_home() / "bin" / "spark-class"
    with open(log, "wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen([str(spark_class), cls, *args], stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _wait_for(log: Path, proc: subprocess.Popen, pattern: re.Pattern | str, deadline: float) -> str:
    """The first match of `pattern` in the daemon's log, or ClusterError at the deadline."""
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        m = re.search(pattern, text)
        if m:
            return m.group(1) if m.groups() else m.group(0)
        if proc.poll() is not None:
            raise ClusterError(f"{log.name}: exited with {proc.returncode}:\n{text[-2000:]}")
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise ClusterError(f"{log.name}: not up after {START_TIMEOUT_S:.0f} s:\n{tail}")


def _stop(proc: subprocess.Popen) -> None:
    """End one daemon by its process group id (spark-class execs java in that group)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextmanager
def standalone_cluster(root: Path, workers: int = 2, cores: int = 1, memory: str = "1g"):
    """Yield (master URL, worker work dirs, worker pids) of a running cluster; stop every
    daemon after."""
    root.mkdir(parents=True, exist_ok=True)
    env = _env(root)
    procs: list[subprocess.Popen] = []
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        log = root / "master.log"
        procs.append(_start("org.apache.spark.deploy.master.Master",
                            ["--host", "127.0.0.1", "--port", "0", "--webui-port", "0"], log, env))
        url = _wait_for(log, procs[0], MASTER_RE, deadline)
        dirs = []
        for i in range(workers):
            work = root / f"worker-{i}"
            work.mkdir(exist_ok=True)
            dirs.append(work)
            procs.append(_start("org.apache.spark.deploy.worker.Worker",
                                ["--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                                 "--cores", str(cores), "--memory", memory,
                                 "--work-dir", str(work), url],
                                root / f"worker-{i}.log", env))
        for i, proc in enumerate(procs[1:]):
            _wait_for(root / f"worker-{i}.log", proc, REGISTERED, deadline)
        yield url, dirs, [p.pid for p in procs[1:]]
    finally:
        for proc in reversed(procs):
            _stop(proc)
