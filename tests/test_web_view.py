"""The dashboard's URL view (?country=USA~CHN&time=2015..2025): parsing and the rows it keeps."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from aiatlas.errors import UsageError
from aiatlas.results import Result
from aiatlas.web import view


def test_parse_country_and_time_forms():
    v = view.parse({"country": ["usa~CHN", "JPN,kor"], "time": ["2015..2025"]})
    assert v.countries == ("USA", "CHN", "JPN", "KOR") and (v.start, v.end) == (2015, 2025)
    assert view.parse({"time": ["..2020"]}).start is None and view.parse({"time": ["2020"]}).end == 2020
    assert view.parse({}) == view.View() and not view.View()
    assert v.query() == [("country", "USA~CHN~JPN~KOR"), ("time", "2015..2025")]
    with pytest.raises(UsageError, match="year range"):
        view.parse({"time": ["20x"]})


def test_apply_keeps_exactly_the_rows_shown():
    rows = [{"country": c, "year": y, "value": 1} for c in ("USA", "CHN", "FRA") for y in (2014, 2020)]
    res = Result(meta={"grain": ["country", "year"]}, table=pa.Table.from_pylist(rows))
    shown = view.apply(view.parse({"country": ["USA~CHN"], "time": ["2015.."]}), res)
    assert shown.table.to_pylist() == [{"country": "USA", "year": 2020, "value": 1},
                                       {"country": "CHN", "year": 2020, "value": 1}]
    assert shown.meta["view"] == {"country": "USA~CHN", "time": "2015.."}
    dated = Result(meta={"grain": ["date"]}, table=pa.Table.from_pylist(
        [{"date": dt.date(2019, 5, 1), "value": 1}, {"date": dt.date(2024, 1, 1), "value": 2}]))
    assert view.apply(view.parse({"country": ["USA"], "time": ["2020..2024"]}), dated).table.num_rows == 1
