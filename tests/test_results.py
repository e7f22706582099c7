"""The one serialiser: CSV and JSON rules declared in aiatlas.results, the same for every caller."""
from __future__ import annotations

import datetime as dt
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq

from aiatlas.results import Result, dumps, rows_to_csv


def result() -> Result:
    table = pa.table({"country": ["USA", None], "orgs": [["Google", "MIT"], []],
                      "day": [dt.date(2024, 6, 1), None], "value": [1.5, math.nan]})
    return Result(meta={"id": "x", "ratio": math.inf}, table=table,
                  provenance=[{"fetched_at": dt.datetime(2026, 1, 2, 3, 4)}], build_id="b1")


def test_csv_joins_lists_with_semicolons_leaves_nulls_empty_and_writes_iso_dates():
    assert result().to_csv() == ("country,orgs,day,value\n"
                                 "USA,Google;MIT,2024-06-01,1.5\n"
                                 ",,,nan\n")


def test_json_has_no_nan_or_infinity_anywhere_and_iso_times():
    text = result().to_json()
    doc = json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    assert doc["rows"][1]["value"] is None and doc["meta"]["ratio"] is None
    assert doc["rows"][0]["orgs"] == ["Google", "MIT"] and doc["rows"][0]["day"] == "2024-06-01"
    assert doc["provenance"][0]["fetched_at"] == "2026-01-02T03:04:00"
    assert doc["build_id"] == "b1" and "NaN" not in text and "Infinity" not in text


def test_parquet_and_arrow_keep_the_types(tmp_path):
    r = result()
    r.to_parquet(tmp_path / "x.parquet")
    back = pq.read_table(tmp_path / "x.parquet")
    assert back.schema.remove_metadata() == r.to_arrow().schema
    assert back.slice(0, 1).to_pylist() == r.to_arrow().slice(0, 1).to_pylist()


def test_plain_rows_use_the_same_writers():
    assert rows_to_csv([{"a": [1, 2], "b": None}], ["a", "b"]) == "a,b\n1;2,\n"
    assert dumps({"x": [float("-inf")]}) == '{"x": [null]}'


def test_a_document_is_written_the_same_whether_or_not_it_holds_a_non_finite_float():
    """A finite document goes through the C encoder alone; one with a NaN deep inside is cleaned
    first. Both give the same text for the same finite values."""
    finite = {"rows": [{"v": 1.5, "d": dt.date(2024, 1, 2), "t": ("a", "é")}], "n": None}
    assert dumps(finite) == '{"rows": [{"v": 1.5, "d": "2024-01-02", "t": ["a", "é"]}], "n": null}'
    deep = {"rows": [{"v": 1.5, "d": dt.date(2024, 1, 2), "t": ("a", "é")}], "n": math.nan}
    assert dumps(deep) == dumps(finite)
    assert dumps(deep, indent=2) == dumps(finite, indent=2)
