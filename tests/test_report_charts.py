"""Chart specs chosen from an indicator's grain and value columns, rendered offline to SVG."""
from __future__ import annotations

import math

import pytest

from aiatlas.report import charts, drawing, rules
from aiatlas.report.i18n import Text
from aiatlas.sources import registry


def _values(spec, layer=0):
    """A chart layer's rows: its own, or the ones it takes from the chart (Vega-Lite's inheritance)."""
    return ((spec["layer"][layer] if "layer" in spec else spec).get("data") or spec["data"])["values"]


def meta(grain, values=("value",)):
    return {"id": "x", "grain": list(grain), "value_columns": list(values)}


def test_time_series_by_country_is_a_line_per_country_with_direct_labels():
    rows = [{"country": c, "year": y, "value": v} for c, y, v in
            [("USA", 2020, 5), ("USA", 2021, 7), ("CHN", 2021, 3)]]
    spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models")
    line, labels = spec["layer"]
    assert line["mark"]["type"] == "line" and labels["mark"]["type"] == "text"
    assert line["encoding"]["x"]["field"] == "year" and line["encoding"]["color"]["field"] == "series"
    assert line["encoding"]["color"]["legend"] is None  # the lines are labelled at their ends
    assert {r["series"] for r in _values(spec, 1)} == {"United States", "China"}
    svg = charts.svg(spec)
    assert svg.startswith("<svg") and "United States" in svg and "China" in svg


def test_a_frozen_history_does_not_date_the_data_its_continuation_was_read_with():
    import datetime as dt

    prov = [{"source": "lmarena_history", "as_of": "2025-02-27"},
            {"source": "lmarena_catalog", "as_of": "2025-12-11"},
            {"source": "epoch_notable_models", "as_of": "2026-07-19"}]
    assert registry.data_as_of(prov) == dt.date(2025, 12, 11)
    # read without the source that carries its series on, the history dates the data
    assert registry.data_as_of([prov[0], prov[2]]) == dt.date(2025, 2, 27)


def test_a_partial_last_year_is_faded_points_off_the_line_and_said_so():
    import datetime as dt

    rows = [{"country": c, "year": y, "value": v} for c, y, v in
            [("USA", 2024, 5), ("USA", 2025, 7), ("USA", 2026, 2), ("CHN", 2026, 1)]]
    prov = [{"as_of": "2026-07-19"}, {"as_of": "2026-09-01"}, {"as_of": None}]
    assert registry.data_as_of(prov) == dt.date(2026, 7, 19) and registry.data_as_of([]) is None
    spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models",
                       as_of=registry.data_as_of(prov))
    line, points, labels = spec["layer"]
    assert line["mark"]["type"] == "line" and line["transform"] == [
        {"calculate": f"!datum.{charts.OFF} ? datum['value'] : null", "as": "value"}]
    assert {r["year"] for r in _values(spec) if r.get(charts.OFF)} == {2026}
    # labels sit right of the partial year, at the height of the last full year (a series with
    # only a partial year, China, at its faded point: unlabelled, nothing would name it)
    assert {(r["year"], r["label_y"]) for r in _values(spec, 2)} == {(2026, 7), (2026, 1)}
    assert points["mark"]["type"] == "point" and points["encoding"]["opacity"]["value"] == 0.35
    # the labels stand well clear of the faded points, which beside them read as a legend's keys
    assert spec["layer"][2]["mark"]["dx"] == charts.PARTIAL_DX > charts.LABEL_DX
    assert any("2026 is a partial year: the data runs to 2026-07-19" in s for s in spec["title"]["subtitle"])
    ja = charts.spec(meta(["country", "year"]), rows, title="T", unit="models", lang="ja",
                     as_of=dt.date(2026, 7, 19))
    assert any("2026 年は途中まで" in s for s in ja["title"]["subtitle"])
    svg = charts.svg(spec)
    assert "partial year" in svg and "United States" in svg
    # a complete year (data to 31 December) or a series ending earlier is drawn as before
    for as_of in (dt.date(2026, 12, 31), dt.date(2027, 3, 1)):
        spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="models", as_of=as_of)
        assert [la["mark"]["type"] for la in spec["layer"]] == ["line", "text"]


def test_two_splitting_columns_join_into_one_series_and_text_values_are_skipped():
    rows = [{"benchmark": "mmlu", "group": g, "date": "2024-01-01", "model": "m", "value": v}
            for g, v in (("open", 0.7), ("closed", 0.8))]
    m = meta(["benchmark", "group", "date"], ["model", "value"])
    spec = charts.spec(m, rows, title="T", unit="score")
    assert spec["layer"][0]["encoding"]["y"]["field"] == "value"
    assert spec["layer"][0]["encoding"]["x"]["type"] == "temporal"
    # a benchmark by its published name, never its id
    assert {r["series"] for r in _values(spec)} == {"MMLU · open", "MMLU · closed"}


def test_bars_without_time_keep_the_largest_categories():
    rows = [{"organization": f"org{i}", "value": i} for i in range(40)]
    spec = charts.spec(meta(["organization"]), rows, title="T", unit="models")
    assert spec["mark"]["type"] == "bar"
    kept = {r["series"] for r in spec["data"]["values"]}
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
    assert by_country["layer"][0]["encoding"]["color"]["title"] == "国"
    assert _values(by_country, 1)[0]["series"] == "日本"  # names, not ISO codes
    assert charts.register_fonts()  # Debian's fonts-noto-cjk is installed (see .ci/run)
    assert "国別の注目モデル数" in charts.svg(spec)


def test_attribution_lines_cover_cc_by_and_sources_asking_for_attribution():
    from aiatlas.report.build import attributions

    notes = [{"source": "a", "licence": "CC BY 4.0"}, {"source": "a", "licence": "CC BY 4.0"},
             {"source": "lm", "licence": "No licence file; public, attribution required"},
             {"source": "mit", "licence": "Repository MIT"}, {"source": "none", "licence": None}]
    assert [n["source"] for n in attributions(notes)] == ["a", "lm"]




def test_chapter_window_drops_early_years_from_the_chart_and_says_so():
    rows = [{"country": "USA", "year": y, "value": 1} for y in (1990, 2009, 2010, 2011)]
    m = meta(["country", "year"]) | {"chapter": "research", "unit": "models"}
    spec = charts.spec(m, rows, title="T", unit="models")
    assert {r["year"] for r in _values(spec)} == {2010, 2011}
    assert any("From 2010" in s for s in spec["title"]["subtitle"])
    full = charts.spec(m, rows, title="T", unit="models", full_history=True)
    assert {r["year"] for r in _values(full)} == {1990, *range(1991, 2012)} - set()


def test_counts_fill_missing_years_with_zero_other_measures_break_the_line():
    rows = [{"country": "USA", "year": 2010, "value": 2.0}, {"country": "USA", "year": 2013, "value": 4.0}]
    counts = charts.spec(meta(["country", "year"]) | {"unit": "models"}, rows, title="T", unit="")
    assert [r["value"] for r in _values(counts)] == [2.0, 0, 0, 4.0]
    shares = charts.spec(meta(["country", "year"]) | {"unit": "share of FLOP"}, rows, title="T", unit="")
    assert [r["value"] for r in _values(shares)] == [2.0, None, None, 4.0]
    assert "M" in charts.svg(shares)  # renders with the gap


def test_shares_on_too_few_models_are_left_off():
    from aiatlas.report import rules

    rows = [{"country": "AUT", "open": 1, "closed": 0, "value": 1.0},
            {"country": "USA", "open": 40, "closed": 60, "value": 0.4}]
    m = meta(["country"]) | {"id": "open_weights_share_by_country"}
    spec = charts.spec(m, rows, title="T", unit="share")
    assert [r["series"] for r in _values(spec)] == ["United States"]
    assert rules.too_few("open_weights_share_by_country", rows[0])
    assert not rules.too_few("notable_models_by_country", rows[0])  # not a share


def test_exponential_units_get_a_log_axis_and_nonpositive_values_are_dropped():
    rows = [{"year": 2015, "value": 1e9}, {"year": 2020, "value": 1e12}, {"year": 2021, "value": 0}]
    spec = charts.spec(meta(["year"]) | {"unit": "FLOP/s per W"}, rows, title="T", unit="")
    assert spec["encoding"]["y"]["scale"]["type"] == "log"
    drawn = spec["data"]["values"]
    assert [r["year"] for r in drawn if r["value"] is not None] == [2015, 2020]
    # a single line breaks at its missing years too (null, not a bridge 2015-2020)
    assert [r["year"] for r in drawn if r["value"] is None] == [2016, 2017, 2018, 2019]


def test_a_quarterly_series_is_one_line_per_country_on_a_date_axis():
    rows = [{"country": c, "year": y, "quarter": q, "value": v} for c, v in (("USA", 100), ("IND", 40))
            for y in (2024, 2025) for q in (1, 2, 3, 4)]
    spec = charts.spec({"id": "x", "grain": ["country", "year", "quarter"], "value_columns": ["value"],
                        "unit": "developers"}, rows, title="T", unit="")
    vals = _values(spec)
    assert {r["series"] for r in vals} == {"United States", "India"}  # not 'United States · 3'
    assert min(r["date"] for r in vals) == "2024-03-31" and max(r["date"] for r in vals) == "2025-12-31"


def test_top_n_plus_other_keeps_the_total_and_country_colours_are_fixed():
    from aiatlas.report import rules

    codes = ["USA", "CHN", "GBR", "FRA", "DEU", "CAN", "ISR", "KOR", "IND"]
    rows = [{"country": c, "year": 2020, "value": 10 - i} for i, c in enumerate(codes)]
    spec = charts.spec(meta(["country", "year"]) | {"unit": "models"}, rows, title="T", unit="")
    vals = _values(spec)
    assert sum(r["value"] for r in vals) == sum(r["value"] for r in rows)
    assert {r["series"] for r in vals} == {"United States", "China", "United Kingdom", "France",
                                           "Germany", "Canada", "other"}
    only = charts.spec(meta(["country", "year"]) | {"unit": "models"}, rows[1:2], title="T", unit="")
    for s in (spec, only):
        scale = s["layer"][0]["encoding"]["color"]["scale"]
        assert scale["range"][scale["domain"].index("China")] == rules.COUNTRY_COLOURS["CHN"]
        assert scale["range"][scale["domain"].index("United States")] == rules.COUNTRY_COLOURS["USA"]
    ja = charts.spec(meta(["country", "year"]) | {"unit": "models"},
                     rows + [{"country": "JPN", "year": 2020, "value": 0.5}], title="T", unit="", lang="ja")
    assert "日本" in {r["series"] for r in _values(ja)}  # the reader's country is always drawn


def test_country_names_in_the_readers_language_and_unknown_for_null():
    from aiatlas.report import rules

    assert rules.country_name("CHN", "en") == "China" and rules.country_name("CHN", "ja") == "中国"
    assert rules.country_name("KOR", "en") == "South Korea" and rules.country_name("USA", "ja") == "米国"
    assert rules.country_name(None, "en") == "unknown" and rules.country_name(None, "ja") == "不明"


def test_trend_is_a_log_scatter_with_fitted_line_and_interval():
    fit = {"slope_per_year": 0.5, "slope_low": 0.4, "slope_high": 0.6, "x_mean": 2020.0,
           "log10_mean": 22.0}
    import datetime as dt

    pts = [{"publication_date": dt.date(2015 + i, 6, 1), "x": 2015.4 + i, "value": 10 ** (19.5 + i / 2),
            "name": f"m{i}"} for i in range(10)]
    spec = charts.trend(fit, pts, title="T", unit="FLOP")
    dots, band, line = spec["layer"]
    assert dots["mark"]["type"] == "circle" and band["mark"]["type"] == "area"
    assert line["mark"]["type"] == "line" and dots["encoding"]["y"]["scale"]["type"] == "log"
    fitted = _values(spec, 2)
    assert abs(fitted[-1]["fit"] / fitted[0]["fit"] / 10 ** (0.5 * 9) - 1) < 1e-9  # the slope
    assert any(abs(r["fit"] / 1e22 - 1) < 0.2 for r in fitted)  # through the mean point
    assert all(r["low"] <= r["fit"] <= r["high"] for r in _values(spec, 2))
    assert charts.trend(fit, [], title="T", unit="FLOP") is None


def test_policy_events_are_a_timeline_in_country_lanes():
    import datetime as dt

    rows = [{"ref_date": dt.date(2022, 10, 7), "subject": "USA", "label": "US chip rule",
             "label_ja": "米国のチップ規則"},
            {"ref_date": dt.date(2023, 7, 3), "subject": "CHN", "label": "gallium controls",
             "label_ja": "ガリウム規制"},
            {"ref_date": dt.date(2025, 2, 6), "subject": "US-TX", "label": "Texas ban",
             "label_ja": "テキサス州の禁止"},
            {"ref_date": None, "subject": "USA", "label": "undated", "label_ja": "日付なし"}]
    spec = charts.timeline(rows, title="T", lang="ja")
    assert spec["mark"]["type"] == "circle" and spec["encoding"]["x"]["type"] == "temporal"
    assert {r["who"] for r in _values(spec)} == {"米国", "中国", "テキサス"} and len(_values(spec)) == 3
    assert {r["label"] for r in _values(spec)} == {"米国のチップ規則", "ガリウム規制", "テキサス州の禁止"}
    # every lane is drawn: a country in its fixed colour, a state (no country colour) grey
    scale = spec["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colour["米国"] == rules.COUNTRY_COLOURS["USA"] and colour["テキサス"] == rules.OTHER_COLOUR
    assert charts.timeline([], title="T") is None


def _pixels(labels, top):
    """Label heights in pixels on a linear axis from 0 to `top`."""
    return sorted(r["label_y"] * charts.HEIGHT / top for r in labels)


def test_direct_labels_never_overprint_and_stay_under_the_axis_top():
    # the crowded front page: one line far above, seven ending near zero, a faded partial year
    rows = [{"year": 2023, charts.SERIES: "A", "value": 86.0}]
    rows += [{"year": 2025, charts.SERIES: s, "value": v}
             for s, v in zip("ABCDEFGH", (60, 35, 8, 3, 2, 1.5, 1, 0))]
    rows += [{"year": 2026, charts.SERIES: "A", "value": 22.0, charts.OFF: True}]
    labels = charts._last_points(rows, "value", "year", False)
    top = charts._nice_top(0, 86)
    assert top == 90  # as Vega rounds the axis
    px = _pixels(labels, top)
    assert all(b - a >= charts.LABEL_GAP - 1e-9 for a, b in zip(px, px[1:]))
    assert max(px) <= charts.HEIGHT
    # right of every point, the partial year included; in the order of the lines' ends
    assert {r["year"] for r in labels} == {2026}
    assert [r[charts.SERIES] for r in sorted(labels, key=lambda r: r["label_y"])] == list("HGFEDCBA")


def test_labels_crowding_at_the_top_are_pulled_back_under_it():
    rows = [{"year": 2025, charts.SERIES: s, "value": 100.0 - i * 0.1} for i, s in enumerate("ABCDE")]
    labels = charts._last_points(rows, "value", "year", False)
    px = _pixels(labels, charts._nice_top(0, 100))
    assert max(px) <= charts.HEIGHT and all(b - a >= charts.LABEL_GAP - 1e-9 for a, b in zip(px, px[1:]))


def test_too_many_lines_for_direct_labels_take_a_legend():
    series = [f"S{i}" for i in range(charts.HEIGHT // charts.LABEL_GAP + 3)]
    rows = [{"year": 2025, charts.SERIES: s, "value": 1.0} for s in series]
    assert charts._last_points(rows, "value", "year", False) is None


def test_every_kind_of_chart_is_valid_vega_lite():
    import datetime as dt

    import altair as alt  # the Vega-Lite schema, as Altair ships it (the specs are written by hand)
    import jsonschema

    from aiatlas.report import chinachips, factviews, uschina
    from aiatlas.report.i18n import Text

    rows = [{"country": c, "year": y, "value": float(y - 2010 + i)} for i, c in enumerate(("USA", "CHN"))
            for y in (2020, 2021, 2026)]
    chips = [{"date": dt.date(2023 + i, 3, 31), "chip": chinachips.ALL_CHIPS, "value": 1e5 * (i + 1),
              "value_p5": 8e4 * (i + 1), "value_p95": 1.2e5 * (i + 1)} for i in range(3)]
    amounts = [{"topic": factviews.AMOUNTS, "subject": "FRA", "confirmed": True, "label": "Package",
                "label_ja": "計画", "value": 109e9, "unit": "EUR"}]
    fit = {"slope_per_year": 0.5, "slope_low": 0.4, "slope_high": 0.6, "x_mean": 2020.0, "log10_mean": 22.0}
    specs = [
        # lines with direct labels and a faded partial year; bars
        charts.spec(meta(["country", "year"]), rows, title="T", unit="models", lang="ja",
                    as_of=dt.date(2026, 7, 1)),
        charts.spec(meta(["country"]), [{"country": "USA", "value": 3.0}], title="T", unit="u"),
        # a dated line broken at a gap, on a log axis; a best-so-far step
        charts.spec(DATED | {"unit": "FLOP"}, _dated([0, 5, 10, 300]), title="T", unit="FLOP", lang="ja"),
        charts.spec(DATED | {"id": "benchmark_frontier"}, _dated([0, 5, 300]), title="T", unit="%"),
        charts.timeline([{"ref_date": dt.date(2024, 1, 2), "subject": "USA", "label": "x",
                          "label_ja": "x"}], title="T", lang="ja"),
        charts.trend(fit, [{"publication_date": dt.date(2015 + i, 6, 1), "x": 2015.4 + i, "name": f"m{i}",
                            "value": 10 ** (19.5 + i / 2)} for i in range(4)], title="T", unit="FLOP"),
        uschina.benchmark_spec([{"benchmark": "gpqa_diamond", "group": g, "date": dt.date(2025, m, 1),
                                 "value": 50.0 + m} for g in ("USA", "CHN") for m in (1, 2)],
                               title="T", unit="%", lang="en"),
        chinachips.spec(chips, [{"id": "us-2022-10", "date": dt.date(2023, 10, 17), "chips": []}], lang="ja"),
        factviews.amounts_spec(amounts, text=Text("en"))]
    for spec in specs:
        alt.TopLevelSpec.validate(spec)
    assert len(specs) == 9 and all(s["usermeta"]["lang"] in ("en", "ja") for s in specs)
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        alt.TopLevelSpec.validate(specs[1] | {"mark": {"type": "bars"}})


def test_date_axes_name_months_with_their_year_in_the_reader_language():
    import datetime as dt

    rows = [{"date": dt.date(2024, m, 1), "value": float(m)} for m in range(1, 13)]
    m = {"id": "x", "grain": ["date"], "value_columns": ["value"], "unit": "score", "chapter": "performance"}
    assert "2024年3月" in charts.svg(charts.spec(m, rows, title="T", unit="u", lang="ja"))
    assert "Mar 2024" in charts.svg(charts.spec(m, rows, title="T", unit="u", lang="en"))


def test_a_japanese_linear_axis_reads_in_myriads():
    rows = [{"country": "CHN", "year": 2023, "value": 295000}, {"country": "USA", "year": 2023, "value": 37587}]
    spec = charts.spec(meta(["country", "year"]), rows, title="T", unit="units", lang="ja")
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert "万" in axis["labelExpr"]
    assert "axis" not in charts.spec(meta(["country", "year"]), rows, title="T", unit="units")["layer"][0]["encoding"]["y"]


def test_long_subtitles_are_broken_into_lines_that_fit_the_chart():
    en = charts.lines("word " * 60, "en")
    assert len(en) > 1 and all(len(x) <= charts.SUBTITLE_CHARS["en"] for x in en)
    ja = charts.lines("各パネル: その国のモデルが到達した最高スコア、" * 4, "ja")
    assert len(ja) > 1 and all(len(x) <= charts.SUBTITLE_CHARS["ja"] for x in ja)
    assert "".join(ja) == "各パネル: その国のモデルが到達した最高スコア、" * 4  # nothing lost
    assert ja[0].endswith("、")  # broken after a comma where one fits
    assert charts.lines("short", "en") == ["short"]


def _dated(days, value=lambda i: 1000.0 + i, **extra):
    """A dated series: one row per day offset from 2024-01-01."""
    import datetime as dt

    return [{"date": dt.date(2024, 1, 1) + dt.timedelta(days=d), "value": value(i)} | extra
            for i, d in enumerate(days)]


DATED = {"id": "x", "grain": ["date"], "value_columns": ["value"], "unit": "Arena rating points",
         "chapter": "performance"}


def _pieces(spec):
    """The date ranges of each piece of a drawn line: (first date, last date) per segment."""
    rows = _values(spec)
    pieces = {}
    for r in rows:
        pieces.setdefault(r.get(charts.SEGMENT, 0), []).append(r["date"])
    return [(min(d), max(d)) for _, d in sorted(pieces.items())]


def test_a_dated_line_breaks_at_a_gap_longer_than_its_rhythm():
    # read every 5 days, a 30-day pause (kept: under rules.GAP_MIN_DAYS), then 165 days unread
    days = [0, 5, 10, 15, 20, 50, 55, 60, 65, 230, 235, 240]
    assert rules.max_gap_days(sorted({r["date"] for r in _dated(days)})) == rules.GAP_MIN_DAYS
    spec = charts.spec(DATED, _dated(days), title="T", unit="points")
    assert _pieces(spec) == [("2024-01-01", "2024-03-06"), ("2024-08-18", "2024-08-28")]
    assert spec["encoding"]["detail"]["field"] == charts.SEGMENT  # one path per piece
    # relative to the series' rhythm: a quarterly series keeps its line from quarter to quarter
    quarterly = charts.spec(DATED, _dated(range(0, 1000, 91)), title="T", unit="points")
    assert len(_pieces(quarterly)) == 1 and "detail" not in quarterly["encoding"]


def test_a_best_so_far_holds_through_a_gap_as_a_step():
    days = [0, 5, 10, 200, 205]
    spec = charts.spec(DATED | {"id": "benchmark_frontier", "unit": "percent"}, _dated(days),
                       title="T", unit="%")
    assert rules.holds_value("benchmark_frontier")
    assert len(_pieces(spec)) == 1 and spec["mark"]["interpolate"] == rules.STEP


def test_a_change_of_rating_scale_breaks_the_line_even_between_neighbours():
    from aiatlas.report import uschina

    assert "rating_scale" in rules.SEGMENT_COLUMNS
    rows = _dated([0, 3, 6], rating_scale="old") + _dated([9, 12], rating_scale="new")
    spec = charts.spec(DATED, rows, title="T", unit="points")
    assert _pieces(spec) == [("2024-01-01", "2024-01-07"), ("2024-01-10", "2024-01-13")]
    assert all("rating_scale" not in r for r in _values(spec))  # the column only cuts
    # the US-China Arena chart (columns of one row per date) carries the scale along
    wide = [{"date": r["date"], "a_value": 1200.0, "b_value": 1100.0, "rating_scale": r["rating_scale"]}
            for r in rows]
    spec = uschina.wide_spec(wide, {"a_value": "USA", "b_value": "CHN"},
                             {"id": "arena_by_country", "grain": ["country", "date"],
                              "value_columns": ["value"], "unit": "Arena rating points"},
                             title="T", unit="points", lang="en")
    by = {}
    for r in _values(spec):
        by.setdefault(r[charts.SERIES], set()).add(r[charts.SEGMENT])
    assert by == {"United States": {0, 1}, "China": {0, 1}}


def _axis_labels(svg: str, axis: str = "") -> list[str]:
    """The tick labels of a drawn chart's axes ("X" or "Y": that axis only)."""
    import re

    parts = re.split(r'(?=<g class="mark-group role-axis")', svg)
    return [re.sub(r"<[^>]+>", "", t) for part in parts if f'aria-label="{axis}' in part[:200]
            for g in re.findall(r'class="mark-text role-axis-label".*?</g>', part, re.S)
            for t in re.findall(r"<text[^>]*>(.*?)</text>", g)]


def test_log_axes_read_in_the_readers_words_at_powers_of_ten():
    import re

    rows = [{"country": c, "date": f"20{y}-06-30", "value": v * 10 ** (y - 20)}
            for c, v in (("USA", 3.6e4), ("CHN", 9.6e3)) for y in range(20, 26)]
    m = {"id": "x", "grain": ["country", "date"], "value_columns": ["value"], "unit": "H100 equivalents",
         "chapter": "hardware"}
    en = charts.spec(m, rows, title="T", unit="H100e")
    axis = en["layer"][0]["encoding"]["y"]["axis"]
    assert all(math.log10(v) == round(math.log10(v)) for v in axis["values"])  # powers of ten only
    labels = _axis_labels(charts.svg(en), "Y")
    assert not any(re.search(r"\de\+", t) for t in labels)
    assert {"10k", "1M", "100M", "1B"} <= set(labels)
    ja = _axis_labels(charts.svg(charts.spec(m, rows, title="T", unit="H100e", lang="ja")))
    assert {"1万", "100万", "1億", "10億"} <= set(ja) and not any(re.search(r"\de\+", t) for t in ja)
    # compute is written as a power of ten (10²⁴), in every language
    flop = [{"year": y, "value": 10.0 ** (y - 2000)} for y in range(2015, 2026)]
    spec = charts.spec(meta(["year"]) | {"unit": "FLOP"}, flop, title="T", unit="FLOP")
    assert {"10¹⁵", "10²⁰", "10²⁵"} <= set(_axis_labels(charts.svg(spec)))
    # under two decades: 1-2-5 between the powers
    assert charts.log_ticks([2e3, 8e3]) == [1e3, 2e3, 5e3, 1e4]


def test_year_axes_print_whole_years_that_never_overprint():
    import re

    rows = [{"country": "USA", "year": y, "value": float(y - 2000)} for y in range(2010, 2027)]
    spec = charts.spec(meta(["country", "year"]) | {"unit": "models"}, rows, title="T", unit="models")
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "d" and axis["tickMinStep"] == 1 and "width" in axis["tickCount"]["expr"]
    assert axis["labelSeparation"] == charts.LABEL_SEPARATION > 0  # touching labels count as overlap
    labels = _axis_labels(charts.svg(spec), "X")
    assert all(re.fullmatch(r"20\d\d", t) for t in labels)  # never 2,024 or 2024.5
    assert len(labels) <= 560 // rules.TICK_PX["year"] + 1 and "2010" in labels  # every second year
    # three years: three labels, each once (not a tick every half year written whole)
    few = [{"country": "USA", "year": y, "value": 1.0} for y in (2023, 2024, 2025)]
    labels = _axis_labels(charts.svg(charts.spec(meta(["country", "year"]) | {"unit": "models"}, few,
                                                 title="T", unit="models")), "X")
    assert labels == ["2023", "2024", "2025"]


def test_date_axes_say_the_year_on_every_label():
    import re

    def labels(days, lang="en"):
        spec = charts.spec(DATED, _dated(days), title="T", unit="points", lang=lang)
        return spec["encoding"]["x"]["axis"], _axis_labels(charts.svg(spec), "X")

    axis, two_years = labels(range(0, 900, 7))  # 2.5 years: month and year
    assert axis["format"] == "%b %Y" and two_years and all(re.search(r"20\d\d", t) for t in two_years)
    axis, six_years = labels(range(0, 6 * 365, 30))  # six years: the years alone, one tick each
    assert axis["format"] == "%Y" and axis["tickCount"] == {"interval": "year"}
    assert sorted(six_years) == [str(y) for y in range(2024, 2030)]
    _, ja = labels(range(0, 900, 7), "ja")
    assert ja and all(re.fullmatch(r"20\d\d年\d{1,2}月", t) for t in ja)


def test_chinas_chip_holdings_read_in_myriads_in_japanese():
    import datetime as dt

    from aiatlas.report import chinachips

    rows = [{"date": dt.date(2023 + i, 3, 31), "chip": chinachips.ALL_CHIPS, "value": 1e5 * (i + 1),
             "value_p5": 8e4 * (i + 1), "value_p95": 1.2e5 * (i + 1)} for i in range(3)]
    ja = chinachips.spec(rows, [], lang="ja")
    assert "万" in ja["layer"][1]["encoding"]["y"]["axis"]["labelExpr"]
    assert "50万" in _axis_labels(charts.svg(ja), "Y") or "10万" in _axis_labels(charts.svg(ja), "Y")


def test_a_japanese_subtitle_line_never_starts_with_a_closing_mark():
    got = charts.lines("各パネル: その国のいずれかのモデルが各日付までに到達した最高スコア（ステップ線）。"
                       "レポートが追う現行の6つのベンチマーク（両国ともスコアがあるもの）。", "ja", 0.8)
    assert len(got) > 1 and not any(line[0] in "、。）」" for line in got)
    assert "".join(got).endswith("もの）。")
    # the fp16 note broke after its parenthesis: a line began ": AI の学習で使われる精度。"
    note = Text("ja").param_note({"precision": "fp16"})
    assert not any(line[0] in ":： " for line in charts.lines(note, "ja"))


def test_a_share_stored_as_a_fraction_reads_in_percent():
    from aiatlas.report.i18n import Text

    rows = [{"country": "ISR", "open": 7, "closed": 3, "value": 0.7},
            {"country": "USA", "open": 40, "closed": 60, "value": 0.4}]
    m = meta(["country"]) | {"id": "open_weights_share_by_country", "unit": "share of models"}
    for lang in ("en", "ja"):
        y = charts.spec(m, rows, title="T", unit="share", lang=lang)["encoding"]["y"]
        assert "%" in y["axis"]["labelExpr"] and "万" not in y["axis"]["labelExpr"]
    tip = charts.spec(m, rows, title="T", unit="share")["encoding"]["tooltip"][-1]
    assert tip["format"] == ".1%"
    assert charts.alt_text(m, rows, Text("en")) == "Israel leads with 70% share of models, of 2 shown."
    assert charts.alt_text(m, rows, Text("ja"), unit="割合") == "イスラエルが70%（割合）で首位（表示2件中）。"
    counts = meta(["country"]) | {"unit": "models"}
    assert "%" not in charts.alt_text(counts, rows, Text("en"))  # a count is no fraction
    assert rules.is_fraction("share of models total (0-1)") and not rules.is_fraction("models")


def test_alt_text_says_who_leads_only_among_rivals_and_never_in_a_partial_year():
    import datetime as dt

    from aiatlas.report.i18n import Text

    m = meta(["country", "year"]) | {"id": "x", "unit": "models"}
    rows = [{"country": "USA", "year": 2025, "value": 60}, {"country": "CHN", "year": 2025, "value": 35},
            {"country": "USA", "year": 2026, "value": 2}]
    en, ja = Text("en"), Text("ja")
    assert charts.alt_text(m, rows, en, as_of=dt.date(2026, 7, 19)) == \
        "United States leads in 2025 with 60 models, of 2 shown."  # 2026 is a partial year
    assert charts.alt_text(m, rows, ja, unit="モデル数", as_of=dt.date(2026, 7, 19)) == \
        "2025年は米国が60（モデル数）で首位（表示2件中）。"
    # benchmarks are not rivals: their latest values are listed, none "leads"
    bench = meta(["benchmark", "date"]) | {"unit": "percent"}
    rows = [{"benchmark": "MMLU", "date": dt.date(2025, 2, 26), "value": 88.1},
            {"benchmark": "GPQA", "date": dt.date(2025, 2, 26), "value": 75.04}]
    assert charts.alt_text(bench, rows, en) == "Latest values, on 2025-02-26: MMLU 88.1; GPQA 75 (percent)."
    # a line: its first and last values, rounded as a reader says them
    line = meta(["year"]) | {"unit": "FLOP/s per W"}
    rows = [{"year": 2008, "value": 2_636_016_949.2}, {"year": 2025, "value": 71_590_909_091.0}]
    assert charts.alt_text(line, rows, en) == "From 2.64 billion FLOP/s per W in 2008 to 71.6 billion in 2025."
    assert charts.alt_text(line, rows, ja, unit="W") == "2008年の26億4000万（W）から2025年の716億へ。"
    # one country alone leads nothing
    one = [{"country": "USA", "year": 2025, "value": 8}]
    assert "leads" not in charts.alt_text(m, one, en)


def test_alt_text_states_the_latest_period_most_series_have_reached():
    import datetime as dt

    from aiatlas.report.i18n import Text

    m = meta(["owner", "date"]) | {"unit": "H100 equivalents"}
    q3, q4 = dt.date(2025, 12, 31), dt.date(2026, 3, 31)
    rows = [{"owner": o, "date": q3, "value": v} for o, v in (("Google", 4e6), ("Microsoft", 3e6), ("Meta", 2e6))]
    rows.append({"owner": "Google", "date": q4, "value": 5e6})  # one owner reported early
    assert charts.alt_text(m, rows, Text("en")) == "Google leads on 2025-12-31 with 4 million H100 equivalents, of 3 shown."


def _flagged(spec):
    """The dates a chart draws faded (off the line) and the dates its line layer keeps."""
    import json

    layers = spec["layer"]
    faded = {r["date"] for r in _values(spec) if r.get(charts.OFF)}
    line = next(la for la in layers if la["mark"]["type"] == "line")
    return faded, json.dumps(line.get("transform"))


@pytest.mark.parametrize("flag, note", [
    ("incomplete", "quarters the source marks as incomplete"),
    ("lower_bound", "the lag is at least the months shown")])
def test_a_value_its_source_flags_as_no_full_measurement_is_faded_off_the_line_and_said_so(flag, note):
    # Epoch's last quarter marked incomplete; a lag not reached yet (a lower bound) drawn as a
    # measured one read as "13.6 months behind" for a year
    assert flag in rules.FLAG_COLUMNS
    rows = [r | {"country": "USA", flag: i >= 3} for i, r in enumerate(_dated(range(0, 455, 91)))]
    spec = charts.spec(DATED | {"grain": ["country", "date"]}, rows, title="T", unit="points")
    faded, line_filter = _flagged(spec)
    assert faded == {"2024-09-30", "2024-12-30"} and f"!datum.{charts.OFF}" in line_filter
    assert spec["layer"][1]["encoding"]["opacity"]["value"] == 0.35
    assert any(note in s for s in spec["title"]["subtitle"])
    # the line's pieces never run into a flagged point: the last piece holds flagged points only
    pieces = {}
    for r in _values(spec):
        pieces.setdefault(r[charts.SEGMENT], set()).add(bool(r.get(charts.OFF)))
    assert all(len(kinds) == 1 for kinds in pieces.values())
    # the label sits at the last point on the line, and the alt text names that point
    assert [r["label_y"] for r in _values(spec, 2)] == [1002.0]
    assert "on 2024-07-01." in charts.alt_text(DATED, [{k: v for k, v in r.items() if k != "country"}
                                                        for r in rows], Text("en"))
    # unflagged rows draw as before: one layer with points on the line
    plain = charts.spec(DATED, [r | {flag: False} for r in _dated([0, 91, 182])], title="T", unit="p")
    assert plain["mark"] == {"type": "line", "point": True}


def test_a_sum_over_a_changing_number_of_series_breaks_its_line_and_says_why():
    # Epoch's US holdings: 5 designer series summed, then 7, then 11; each step adds a whole stock
    assert "series" in rules.SEGMENT_COLUMNS
    rows = [r | {"country": "USA", "series": 5 if i < 2 else 7} for i, r in enumerate(_dated(range(0, 455, 91)))]
    spec = charts.spec(DATED | {"grain": ["country", "date"]}, rows, title="T", unit="points")
    assert _pieces(spec) == [("2024-01-01", "2024-04-01"), ("2024-07-01", "2024-12-30")]
    assert all(r["series"] == "United States" for r in _values(spec))  # the grain, not the count
    assert any("series joins the sum" in s for s in spec["title"]["subtitle"])
    ja = charts.spec(DATED | {"grain": ["country", "date"]}, rows, title="T", unit="p", lang="ja")
    assert any("系列が合計に加わる" in s for s in ja["title"]["subtitle"])
    # a change of rating scale says so under any chart it breaks, not only where a caller adds it
    arena = charts.spec(DATED, _dated([0, 3], rating_scale="old") + _dated([9], rating_scale="new"),
                        title="T", unit="points")
    assert any("changed its rating scale" in s for s in arena["title"]["subtitle"])
    steady = charts.spec(DATED | {"stale": False}, _dated([0, 3, 6], rating_scale="old"), title="T", unit="points")
    assert steady["title"] == "T"


def test_chinas_chip_holdings_fade_the_quarter_epoch_marks_incomplete():
    import datetime as dt

    from aiatlas.report import chinachips

    rows = [{"date": dt.date(2023 + i, 3, 31), "chip": chinachips.ALL_CHIPS, "value": 1e5 * (i + 1),
             "value_p5": 8e4 * (i + 1), "value_p95": 1.2e5 * (i + 1), "incomplete": i == 2} for i in range(3)]
    spec = chinachips.spec(rows, [], lang="en")
    band, line, faded = spec["layer"][:3]
    assert {"filter": f"!datum.{charts.OFF}"} in line["transform"] and {"filter": f"!datum.{charts.OFF}"} in band["transform"]
    assert faded["mark"]["opacity"] == 0.35 and faded["transform"] == [{"filter": f"datum.{charts.OFF}"}]
    assert [r["date"] for r in _values(spec, 1) if r.get(charts.OFF)] == ["2025-03-31"]
    assert "quarters the source marks as incomplete" in " ".join(spec["title"]["subtitle"])
    assert charts.svg(spec).startswith("<svg")


def test_every_subtitle_line_fits_inside_a_chart_without_direct_labels():
    # at 100 characters a line ran past a 560 px chart and was cut ("compare ratings wit")
    import subprocess

    font = pytest.importorskip("PIL.ImageFont")
    faces = {"en": subprocess.run(["fc-match", "-f", "%{file}", "sans-serif"], capture_output=True,
                                  text=True, check=True).stdout,
             "ja": next(str(d / "NotoSansCJK-Regular.ttc") for d in drawing.CJK_FONT_DIRS
                        if (d / "NotoSansCJK-Regular.ttc").is_file())}
    keys = ("partial_year", "flag_incomplete", "flag_lower_bound", "segment_rating_scale", "segment_series",
            "stale", "log_scale", "window_from", "min_n", "us_china_lag_note", "us_china_bench_note",
            "thin_summary")
    for lang, face in faces.items():
        text, width = Text(lang), font.truetype(face, 11).getlength
        fields = {"year": 2026, "date": "2026-07-19", "months": 11, "today": "2026-12-03", "n": 10}
        for key in keys:
            for line in charts.lines(text(key, **fields), lang):
                assert width(line) <= 530, (lang, key, line)


def test_a_yearly_median_of_too_few_chips_is_faded_and_the_line_breaks_there_instead_of_bridging():
    # the "median" price-performance of 2024 was one chip's; 2023 three, 2025 five
    meta_ = {"id": "hardware_price_performance", "grain": ["year"], "value_columns": ["value", "chips"],
             "unit": "FLOP/s per USD"}
    rows = [{"year": y, "value": v, "chips": n} for y, v, n in
            ((2022, 4e10, 7), (2023, 2.8e10, 3), (2024, 3.3e10, 1), (2025, 8.4e10, 5))]
    spec = charts.spec(meta_, rows, title="T", unit="FLOP/s per USD")
    line, points = spec["layer"][:2]
    assert {r["year"] for r in _values(spec) if r.get(charts.OFF)} == {2023, 2024}
    assert "null" in line["transform"][0]["calculate"]  # no line from 2022 over them to 2025
    assert points["encoding"]["opacity"]["value"] == 0.35
    assert any("a median of fewer than 5 chips" in s for s in spec["title"]["subtitle"])
    assert "2022" in charts.alt_text(meta_, rows, Text("en")) and "2025" in charts.alt_text(meta_, rows, Text("en"))
    # drawn: the line's path has two pieces' worth of points only (2022 alone, 2025 alone: no segment)
    svg = charts.svg(spec)
    assert svg.startswith("<svg") and "fewer than 5 chips" in svg
    # a median of enough chips every year is drawn as any line
    plain = charts.spec(meta_, [r | {"chips": 9} for r in rows], title="T", unit="FLOP/s per USD")
    assert plain["mark"] == {"type": "line", "point": True}


def test_a_group_named_as_a_country_keeps_that_countrys_colour():
    # the regions chart drew the region "China" in the US's blue and "United States" in Japan's
    rows = [{"region": r, "year": y, "value": v} for r, v in (("north_america", 60), ("united_states", 58),
                                                              ("east_asia", 43), ("china", 35), ("oceania", 1))
            for y in (2024, 2025)]
    names = {"north_america": "North America", "united_states": "United States", "east_asia": "East Asia",
             "china": "China", "oceania": "Oceania"}
    rows = [r | {"region": names[r["region"]]} for r in rows]
    spec = charts.spec(meta(["region", "year"]) | {"unit": "models"}, rows, title="T", unit="models")
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"]))
    assert colour["China"] == rules.COUNTRY_COLOURS["CHN"] and colour["United States"] == rules.COUNTRY_COLOURS["USA"]
    others = [colour[g] for g in ("North America", "East Asia", "Oceania")]
    assert len(set(others)) == 3 and not set(others) & {rules.COUNTRY_COLOURS["CHN"], rules.COUNTRY_COLOURS["USA"]}


def test_a_group_takes_the_same_colour_in_every_language():
    # sorted by label, Industry came first in English and second in Japanese (その他の共同 sorts
    # before 産業界), and took another palette colour
    rows = [{"year": y, "sector": s, "value": v, "total": 50} for y in (2024, 2025)
            for s, v in (("Industry", 0.8), ("Other collaboration", 0.2))]
    colour = {}
    for lang in ("en", "ja"):
        spec = charts.spec(meta(["year", "sector"]) | {"id": "sector_shares_by_year", "unit": "share of models"},
                           rows, title="T", unit="u", lang=lang)
        scale = spec["layer"][0]["encoding"]["color"]["scale"]
        colour[lang] = dict(zip(scale["domain"], scale["range"]))
    assert colour["en"]["Industry"] == colour["ja"][rules.label("Industry", "ja")]
    assert colour["en"]["Other collaboration"] == colour["ja"][rules.label("Other collaboration", "ja")]
