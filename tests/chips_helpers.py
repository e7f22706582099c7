"""Helpers for chips tests: hand-written warehouse fixtures, and the built hardware table."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import fixture_warehouse


def read_fixture(path: Path) -> list[dict]:
    """A hand-written CSV whose header uses warehouse column names; empty cells are NULL."""
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)]


def write_warehouse(home: Path, tables: dict[str, list[dict]]) -> Path:
    """A warehouse.duckdb in `home` holding the given rows (every other table empty)."""
    fixture_warehouse.write_warehouse(home, tables)
    return home


def built_hardware(home: Path) -> list[dict]:
    """Every row of the `hardware` table of a built warehouse."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        cur = con.execute("SELECT * FROM hardware")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
