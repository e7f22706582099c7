"""The one writer of hand-made fixture warehouses: every declared table, the given rows, swapped in.

Rows are dicts keyed by warehouse column names (a column left out is NULL; text such as a CSV
cell is cast by DuckDB to the declared type). The file is written beside the target and renamed
over it, as a real build does, so a test can swap builds under a running reader.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import duckdb

from aiatlas.warehouse import schema


def write_warehouse(home: Path, tables: dict[str, list[dict]], *, build_id: str | None = None,
                    built_at: dt.datetime = dt.datetime(2026, 1, 1),
                    name: str = "warehouse.duckdb") -> Path:
    """Write `home/name` holding every declared table with `tables`' rows; with `build_id`, a
    `_build` row saying so (a warehouse without one is a build of unknown id)."""
    home.mkdir(parents=True, exist_ok=True)
    final = home / name
    tmp = home / f".{name}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    unknown = sorted(set(tables) - set(schema.TABLES))
    if unknown:
        raise ValueError(f"undeclared fixture tables: {unknown}")
    with duckdb.connect(str(tmp)) as con:
        for table in schema.TABLES:
            con.execute(schema.create_sql(table))
        for table, rows in tables.items():
            # one statement per run of rows with the same columns, in the given order
            for cols, run in itertools.groupby(rows, key=tuple):
                names = ", ".join(f'"{c}"' for c in cols)
                con.executemany(f'INSERT INTO "{table}" ({names}) VALUES '
                                f'({", ".join("?" for _ in cols)})', [[r[c] for c in cols] for r in run])
        if build_id is not None:
            con.execute('INSERT INTO "_build" VALUES (?, ?, ?, NULL)', [build_id, built_at, "test"])
    os.replace(tmp, final)
    return final
