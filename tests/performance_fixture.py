"""Builds a tiny warehouse from the hand-written CSVs in tests/fixtures/performance/ (schema.create_sql)."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from aiatlas.entities.models import build_identity
from aiatlas.warehouse import schema

FIXTURE = Path(__file__).parent / "fixtures" / "performance"


def _value(col: schema.Column, text: str):
    if text == "":
        return None
    if col.type.endswith("[]"):
        return text.split("|")
    return text


def build(home: Path) -> Path:
    """Write <home>/warehouse.duckdb holding the fixture tables plus model_identity / model_keys."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    for table in ("models", "model_versions", "benchmark_scores", "arena_ratings", "arena_models"):
        con.execute(schema.create_sql(table))
        cols = schema.TABLES[table]
        with open(FIXTURE / f"{table}.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in cols)})',
                        [[_value(c, r.get(c.name, "")) for c in cols] for r in rows])
    build_identity(con)
    con.close()
    return path
