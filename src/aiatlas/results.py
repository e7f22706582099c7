"""A result (rows + meta + provenance) and its one serialiser, shared by the CLI, web and report.

The formats, declared once:
- CSV: a header of column names; an empty cell for null; list cells joined with ";"
  (LIST_SEPARATOR); dates and times in ISO 8601; other values as Python prints them.
- JSON: `{"meta", "provenance", "build_id", "rows"}`; dates and times in ISO 8601; a float that
  is not finite (NaN, +-Infinity, which JSON cannot spell) becomes null, anywhere in the document.
- Parquet and Arrow: the table as computed, types kept.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyarrow is loaded by whoever built the table
    import pyarrow as pa

LIST_SEPARATOR = ";"


def partial_year(as_of: dt.date | str | None) -> int | None:
    """The year the data covers only in part: the year of its as-of date, unless that date is
    December 31 (None without a date). Charts fade it, tables and `show` mark it, standings
    never compare it with a whole year."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of[:10])
    return as_of.year if as_of and (as_of.month, as_of.day) != (12, 31) else None


@dataclass
class Result:
    """An indicator's values (or explain rows) with the metadata and snapshots behind them."""

    meta: dict[str, Any]
    table: pa.Table  # (or Rows, for the writers of `show` only)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    build_id: str | None = None

    def to_arrow(self) -> pa.Table:
        """The rows as an Arrow table, types kept."""
        return self.table

    def to_pandas(self):
        """The rows as a pandas DataFrame (for notebooks; aiatlas itself never needs pandas)."""
        return self.table.to_pandas()

    def to_pylist(self) -> list[dict[str, Any]]:
        """The rows as a list of dicts."""
        return self.table.to_pylist()

    def to_csv(self) -> str:
        """The rows as CSV text (see the module docstring for the cell rules)."""
        return rows_to_csv(self.to_pylist(), list(self.table.column_names))

    def to_json(self, indent: int | None = None) -> str:
        """Meta, provenance, build id and rows as one JSON document (non-finite floats null)."""
        return dumps({"meta": self.meta, "provenance": self.provenance,
                      "build_id": self.build_id, "rows": self.to_pylist()}, indent=indent)

    def text(self, fmt: str) -> str:
        """The rows as CSV, or the whole result as JSON (indented), as `show` prints them."""
        return self.to_csv() if fmt == "csv" else self.to_json(indent=2) + "\n"

    def to_parquet(self, path: str | Path) -> None:
        """Write the rows to a Parquet file, types kept."""
        import pyarrow.parquet as pq  # only this format needs the Parquet writer

        pq.write_table(self.table, path)


@dataclass
class Rows:
    """Rows fetched without Arrow (the fast path of `show`, `aiatlas.fastpath`): what the CSV,
    JSON and table writers read of a Result's table, values already as Arrow would give them."""

    column_names: list[str]
    rows: list[dict[str, Any]]

    @property
    def num_rows(self) -> int:
        return len(self.rows)

    def to_pylist(self) -> list[dict[str, Any]]:
        return self.rows


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as CSV text: the one CSV writer of aiatlas."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([csv_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def csv_cell(v: Any) -> str:
    """One value as CSV cell text: null empty, lists joined with ';', dates ISO."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return LIST_SEPARATOR.join(csv_cell(x) for x in v)
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    return str(v)


def dumps(obj: Any, indent: int | None = None) -> str:
    """JSON text: dates ISO, non-finite floats null, non-ASCII kept. allow_nan=False makes any
    value the cleaning missed an error instead of invalid JSON. The document is written as it
    is first (the C encoder alone); only one holding a NaN or an infinity, which that refuses,
    is walked in Python and its non-finite floats made null."""
    try:
        return _dumps(obj, indent)
    except ValueError:
        return _dumps(_finite(obj), indent)


def _dumps(obj: Any, indent: int | None) -> str:
    if indent is None:
        return _ENCODER.encode(obj)
    return json.dumps(obj, default=_json_default, indent=indent, ensure_ascii=False,
                      allow_nan=False)


# Inside <script>, "</script>" or "<!--" in a string would end or confuse the block; U+2028/9
# end lines in older JavaScript. Escaped, they are the same JSON values.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(obj: Any) -> str:
    """`dumps` made safe to place inside an HTML <script> element (data never becomes markup)."""
    return dumps(obj).translate(_SCRIPT_ESCAPES)


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _json_default(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    return str(v)  # Decimal, Path, ...: their text


# What json.dumps builds anew on every call given these options, made once: the same text,
# without an encoder object made per call (~8 us, most of the cost of a small value; a web
# cache miss writes a dozen small ones to size the memo entry). Its state is per call: safe to
# share between threads.
_ENCODER = json.JSONEncoder(default=_json_default, ensure_ascii=False, allow_nan=False)
