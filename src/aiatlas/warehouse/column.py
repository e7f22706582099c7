"""A declared warehouse column: name, DuckDB type, unit and meaning (of a table or a view)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type
    unit: str
    description: str
