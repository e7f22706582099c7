"""Chart specs chosen from an indicator's grain and value columns, rendered offline to SVG."""
from __future__ import annotations

from aiatlas.report import charts


def meta(grain, values=("value",)):
    return {"id": "x", "grain": list(grain), "value_columns": list(values)}


def test_time_series_by_country_is_a_line_per_country():
    rows = [{"country": c, "year": y, "value": v} for c, y, v in
            [("USA", 2020, 5), ("USA", 2021, 7), ("CHN", 2021, 3)]]
    spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models")
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["field"] == "year" and spec["encoding"]["color"]["field"] == "country"
    assert spec["data"]["values"] == rows
    svg = charts.svg(spec)
    assert svg.startswith("<svg") and "USA" in svg and "CHN" in svg


def test_two_splitting_columns_join_into_one_series_and_text_values_are_skipped():
    rows = [{"benchmark": "mmlu", "group": g, "date": "2024-01-01", "model": "m", "value": v}
            for g, v in (("open", 0.7), ("closed", 0.8))]
    m = meta(["benchmark", "group", "date"], ["model", "value"])
    spec = charts.spec(m, rows, title="T", unit="score")
    assert spec["encoding"]["y"]["field"] == "value"
    assert spec["encoding"]["x"]["type"] == "temporal"
    assert {r["series"] for r in spec["data"]["values"]} == {"mmlu · open", "mmlu · closed"}


def test_bars_without_time_keep_the_largest_categories():
    rows = [{"organization": f"org{i}", "value": i} for i in range(40)]
    spec = charts.spec(meta(["organization"]), rows, title="T", unit="models")
    assert spec["mark"]["type"] == "bar"
    kept = {r["organization"] for r in spec["data"]["values"]}
    assert len(kept) == charts.MAX_BARS and "org39" in kept and "org0" not in kept


def test_nothing_to_plot():
    assert charts.spec(meta([], ["slope", "doubling"]), [{"slope": 1.0, "doubling": 6.0}],
                       title="T", unit="") is None
    assert charts.spec(meta(["year"]), [], title="T", unit="") is None
    mixed = [{"id": "a", "value": 6.0, "unit": "percent"}, {"id": "b", "value": 3e9, "unit": "USD"}]
    assert charts.spec(meta(["id"]), mixed, title="T", unit="see unit column") is None
    same = [{"id": "a", "value": 6.0, "unit": "percent"}, {"id": "b", "value": 9.0, "unit": "percent"}]
    assert charts.spec(meta(["id"]), same, title="T", unit="percent")["mark"]["type"] == "bar"


def test_japanese_titles_use_the_cjk_font():
    rows = [{"year": 2020, "value": 1}, {"year": 2021, "value": 2}]
    spec = charts.spec(meta(["year"]), rows, title="国別の注目モデル数", unit="件", lang="ja")
    assert spec["config"]["font"] == charts.CJK_FONT
    assert charts.register_fonts()  # Debian's fonts-noto-cjk is installed (see .ci/run)
    assert "国別の注目モデル数" in charts.svg(spec)
