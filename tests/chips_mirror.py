"""Warehouse-shaped rows for chips tests: Epoch's ml_hardware.csv (until `data` lands), fixtures."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb

from aiatlas.warehouse.schema import TABLES, create_sql

# Epoch header -> warehouse `hardware` column (see src/aiatlas/warehouse/schema.py).
COLUMNS = {
    "Hardware name": "name", "Manufacturer": "manufacturer", "Type": "type",
    "Release date": "release_date", "Release price (USD)": "release_price_usd",
    "Tensor-FP16/BF16 performance (FLOP/s)": "fp16_tensor_flops",
    "FP8 performance (FLOP/s)": "fp8_flops", "FP4 performance (FLOP/s)": "fp4_flops",
    "FP64 (double precision) performance (FLOP/s)": "fp64_flops",
    "FP32 (single precision) performance (FLOP/s)": "fp32_flops",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "tf32_flops",
    "FP16 (half precision) performance (FLOP/s)": "fp16_flops",
    "INT16 performance (OP/s)": "int16_ops", "INT8 performance (OP/s)": "int8_ops",
    "INT4 performance (OP/s)": "int4_ops", "Die Size (mm^2)": "die_size_mm2",
    "Intranode bandwidth (byte/s)": "intranode_bandwidth_bytes_s", "TDP (W)": "tdp_w",
    "Total processing performance (bit-OP/s)": "tpp_published",
}
TEXT = {"name", "manufacturer", "type"}


def hardware_rows(mirror: Path) -> list[dict]:
    """Rows of ml_hardware.csv with the warehouse column names and types."""
    out = []
    with open(mirror / "epoch" / "ml_hardware.csv", encoding="utf-8", newline="") as f:
        for raw in csv.DictReader(f):
            row = {}
            for header, column in COLUMNS.items():
                value = (raw.get(header) or "").strip()
                if not value:
                    row[column] = None
                elif column in TEXT:
                    row[column] = value
                elif column == "release_date":
                    row[column] = dt.date.fromisoformat(value[:10])
                else:
                    row[column] = float(value)
            out.append(row)
    return out


def read_fixture(path: Path) -> list[dict]:
    """A hand-written CSV whose header uses warehouse column names; empty cells are NULL."""
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(f)]


def write_warehouse(home: Path, tables: dict[str, list[dict]]) -> Path:
    """A warehouse.duckdb in `home` holding only the given tables, typed by the schema."""
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    for table, rows in tables.items():
        con.execute(create_sql(table))
        types = {c.name: c.type for c in TABLES[table]}
        for row in rows:
            cols = [c for c, v in row.items() if v is not None]
            values = [float(row[c]) if types[c] == "DOUBLE" else row[c] for c in cols]
            con.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' for _ in cols)})", values)
    con.close()
    return home
