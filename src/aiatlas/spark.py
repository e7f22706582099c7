"""The one Spark session of a process, for the warehouse indicators and the OpenAlex ingest.

Spark keeps a single session per process (`getOrCreate` hands back the first one, whatever the
later builder asked for), so every part of aiatlas asks for it here, with one set of settings.
"""
from __future__ import annotations

import os

from aiatlas.errors import UsageError


def session(master: str | None = None):
    """The Spark session: `master` (e.g. spark://host:7077), $AIATLAS_SPARK_MASTER, or local[2].

    $AIATLAS_SPARK_PARTITIONS sets the shuffle partitions (default 2 in local mode, Spark's
    own on a cluster) and $AIATLAS_SPARK_DRIVER_MEMORY the driver's memory (default 2g).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("the pyspark backend needs PySpark",
                         hint="pip install 'aiatlas[spark]' (and a Java 17 runtime)") from None
    master = master or os.environ.get("AIATLAS_SPARK_MASTER") or "local[2]"
    active = SparkSession.getActiveSession()
    if active is not None and active.sparkContext.master != master:
        # getOrCreate would silently hand back the session on the other master
        active.stop()
    local = master.startswith("local")
    builder = SparkSession.builder.master(master).appName("aiatlas")
    if local:
        # bind to loopback: on hosts whose name resolves oddly, Spark otherwise stalls on it
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    partitions = os.environ.get("AIATLAS_SPARK_PARTITIONS") or ("2" if local else None)
    if partitions:
        builder = (builder.config("spark.sql.shuffle.partitions", partitions)
                   .config("spark.default.parallelism", partitions))
    builder = (builder
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               # DuckDB semantics: an out-of-range array index or a division by zero gives
               # NULL instead of failing the query, so both engines return the same rows.
               .config("spark.sql.ansi.enabled", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.driver.memory", os.environ.get("AIATLAS_SPARK_DRIVER_MEMORY", "2g")))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def stop() -> None:
    """Stop the process's Spark session, if any (its executors are released)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
