"""The one writer of hand-made fixture warehouses: every declared table, the given rows, swapped in.

Rows are dicts keyed by warehouse column names (a column left out is NULL; text such as a CSV
cell is cast by DuckDB to the declared type). The file is written beside the target and renamed
over it, as a real build does, so a test can swap builds under a running reader.

Creating the declared tables costs DuckDB about 60 ms of CPU (one statement and commit each);
the suite writes a fixture warehouse some hundred times, so the first file with no rows is kept
(its bytes, per process) and each later fixture starts from a copy of it.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import duckdb

from aiatlas.warehouse import schema

_EMPTY: dict[tuple[str, ...], bytes] = {}  # the tables' DDL -> a warehouse file holding them, empty


def _empty_warehouse(path: Path) -> None:
    """Write at `path` a DuckDB file holding every declared table and no rows."""
    ddl = tuple(schema.create_sql(table) for table in schema.TABLES)
    if ddl in _EMPTY:
        path.write_bytes(_EMPTY[ddl])
        return
    with duckdb.connect(str(path)) as con:
        for sql in ddl:
            con.execute(sql)
    _EMPTY[ddl] = path.read_bytes()  # closed, so checkpointed: the whole database is in the file


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
    _empty_warehouse(tmp)
    with duckdb.connect(str(tmp)) as con:
        for table, rows in tables.items():
            types = {c.name: c.type for c in schema.TABLES[table]}
            # one statement per run of rows with the same columns, in the given order; each
            # value cast to its column's type as an INSERT of that one row would (executemany,
            # a statement and a commit per row, cost a millisecond or two a row)
            for cols, run in itertools.groupby(rows, key=tuple):
                names = ", ".join(f'"{c}"' for c in cols)
                row = f'({", ".join(f"CAST(? AS {types[c]})" if c in types else "?" for c in cols)})'
                run = list(run)
                con.execute(f'INSERT INTO "{table}" ({names}) VALUES {", ".join([row] * len(run))}',
                            [r[c] for r in run for c in cols])
        if build_id is not None:
            con.execute('INSERT INTO "_build" VALUES (?, ?, ?, NULL)', [build_id, built_at, "test"])
    os.replace(tmp, final)
    return final
