"""Builds a tiny warehouse from the hand-written CSVs in tests/fixtures/performance/."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import fixture_warehouse

from aiatlas.entities.models import model_identity_rows
from aiatlas.sources.lmarena import with_rating_scales
from aiatlas.warehouse import schema

FIXTURE = Path(__file__).parent / "fixtures" / "performance"


def _value(col: schema.Column, text: str):
    if text == "":
        return None
    if col.type.endswith("[]"):
        return text.split("|")
    return text


def build(home: Path) -> Path:
    """Write <home>/warehouse.duckdb holding the fixture tables plus model_identity / model_keys,
    derived by the build's own identity step from the rows as the warehouse types them."""
    tables = {}
    for table in ("models", "model_versions", "benchmark_scores", "arena_ratings", "arena_models"):
        with open(FIXTURE / f"{table}.csv", encoding="utf-8") as f:
            tables[table] = [{c.name: _value(c, r.get(c.name, "")) for c in schema.TABLES[table]}
                             for r in csv.DictReader(f)]
    path = fixture_warehouse.write_warehouse(home, tables)
    with duckdb.connect(str(path), read_only=True) as con:
        typed = {t: con.sql(f'SELECT * FROM "{t}"').to_arrow_table().to_pylist() for t in tables}
    identity, keys = model_identity_rows(**typed)
    # the build's derived steps: model identity, and the rating scale of each Arena rating
    return fixture_warehouse.write_warehouse(home, typed | {
        "model_identity": identity, "model_keys": keys,
        "arena_ratings": with_rating_scales(typed["arena_ratings"])})
