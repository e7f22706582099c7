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


def test_a_partial_last_year_is_faded_points_off_the_line_and_said_so():
    import datetime as dt

    rows = [{"country": c, "year": y, "value": v} for c, y, v in
            [("USA", 2024, 5), ("USA", 2025, 7), ("USA", 2026, 2), ("CHN", 2026, 1)]]
    prov = [{"as_of": "2026-07-19"}, {"as_of": "2026-09-01"}, {"as_of": None}]
    assert charts.data_as_of(prov) == dt.date(2026, 7, 19) and charts.data_as_of([]) is None
    spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models",
                       as_of=charts.data_as_of(prov))
    line, points = spec["layer"]
    assert line["mark"]["type"] == "line" and line["transform"] == [{"filter": "datum.year < 2026"}]
    assert points["mark"]["type"] == "point" and points["encoding"]["opacity"]["value"] == 0.35
    assert "2026 is a partial year: the data runs to 2026-07-19" in spec["title"]["subtitle"]
    ja = charts.spec(meta(["country", "year"]), rows, title="T", unit="models", lang="ja",
                     as_of=dt.date(2026, 7, 19))
    assert "2026 年は途中まで" in ja["title"]["subtitle"]
    svg = charts.svg(spec)
    assert "partial year" in svg and "USA" in svg
    # a complete year (data to 31 December) or a series ending earlier is drawn as before
    for as_of in (dt.date(2026, 12, 31), dt.date(2027, 3, 1)):
        spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models", as_of=as_of)
        assert spec["mark"]["type"] == "line" and "layer" not in spec


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
    assert spec["encoding"]["x"]["title"] == "年"  # axis titles from the catalog, not column ids
    by_country = charts.spec(meta(["country", "year"]), [r | {"country": "JPN"} for r in rows],
                             title="T", unit="件", lang="ja")
    assert by_country["encoding"]["color"]["title"] == "国"
    assert charts.register_fonts()  # Debian's fonts-noto-cjk is installed (see .ci/run)
    assert "国別の注目モデル数" in charts.svg(spec)


def test_attribution_lines_cover_cc_by_and_sources_asking_for_attribution():
    from aiatlas.report.build import attributions

    notes = [{"source": "a", "licence": "CC BY 4.0"}, {"source": "a", "licence": "CC BY 4.0"},
             {"source": "lm", "licence": "No licence file; public, attribution required"},
             {"source": "mit", "licence": "Repository MIT"}, {"source": "none", "licence": None}]
    assert [n["source"] for n in attributions(notes)] == ["a", "lm"]
