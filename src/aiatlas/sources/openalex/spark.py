"""The OpenAlex ingest on Spark: the driver plans, executors fetch, parse and write themselves.

A Spark job maps one task per item (a part to ingest, a year to compact) over the executors;
each task runs the same Python code the DuckDB engine runs on the driver (`ingest.ingest_group`,
`compact.compact_year`), so both engines write the same rows, and only small results (counts,
file names, checksums) come back to the driver. Indicators run on the result through the
warehouse's PySpark backend (`warehouse/spark.py`), which reads the same Parquet files.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

from aiatlas import errors
from aiatlas.spark import session


def executor_runner(master: str | None = None) -> Callable[[Callable, list], list[tuple[Any, str]]]:
    """run(fn, items) -> [(fn(item), where it ran)], one Spark task per item on the executors."""
    spark = session(master)

    def run(fn: Callable, items: list) -> list[tuple[Any, str]]:
        if not items:
            return []
        got = spark.sparkContext.parallelize(items, len(items)).map(partial(_guarded, fn)).collect()
        for status, *rest in got:
            if status == "error":  # a user-actionable error raised on an executor, as itself
                name, message, hint = rest
                raise getattr(errors, name, errors.AiatlasError)(message, hint=hint)
        return [(value, where) for _, value, where in got]

    return run


def _guarded(fn: Callable, item):
    """Run one task; an AiatlasError comes back as a value (Spark would retry it, then wrap it
    in a Java stack trace) so the driver can raise it as the one-line error it is."""
    # the executor's Python worker pool (its parent process) identifies the executor
    where = f"{socket.gethostname()} executor (python pool pid {os.getppid()})"
    try:
        return ("ok", fn(item), where)
    except errors.AiatlasError as e:
        return ("error", type(e).__name__, str(e), e.hint)
