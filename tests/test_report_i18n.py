"""Every UI string, chapter and registered indicator has English and Japanese text."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from aiatlas import api
from aiatlas.report import i18n, rules
from aiatlas.report.i18n import Text


def test_catalogs_complete_for_every_registered_indicator():
    inds = api.list_indicators()
    assert not [m["id"] for m in inds if m["id"].startswith("test_")], "test indicators leaked"
    missing = i18n.missing_keys(inds)
    assert missing == [], "add these to src/aiatlas/report/i18n/*.yaml: " + ", ".join(missing)


def test_missing_keys_are_reported_per_language():
    meta = {"id": "made_up_indicator", "chapter": "made_up_chapter", "title": "T", "description": "D",
            "unit": "made-up units"}
    missing = i18n.missing_keys([meta])
    assert "ja:indicators.made_up_indicator.title" in missing
    assert "ja:indicators.made_up_indicator.description" in missing
    assert not [k for k in missing if k.startswith("en:indicators.")]  # the registry's own text
    for lang in ("en", "ja"):
        assert f"{lang}:chapters.made_up_chapter" in missing
        assert f"{lang}:units.made-up units" in missing


def test_ui_keys_match_between_languages():
    en, ja = i18n.catalog("en"), i18n.catalog("ja")
    for section in ("ui", "chapters", "headlines"):
        assert set(en[section]) == set(ja[section]), section
    # English indicator text lives only in the registry; Japanese covers exactly its ids
    assert en["indicators"] == {}
    assert set(ja["indicators"]) == {m["id"] for m in api.list_indicators()}
    assert ja["ui"]["headlines"] != en["ui"]["headlines"]  # actually translated


def test_every_unit_shown_has_text_in_both_languages():
    from aiatlas.report import headlines

    units = {m["unit"] for m in api.list_indicators()}
    units |= {d["unit"] for d in headlines.declared() if d.get("unit")}
    for lang in i18n.LANGS:
        assert units <= set(i18n.catalog(lang)["units"]), (lang, units - set(i18n.catalog(lang)["units"]))
    ja = i18n.Text("ja")
    assert ja.unit("share (0-1)") == "割合（0〜1）" and ja.unit("no such unit") == "no such unit"
    assert i18n.Text("en").unit("share (0-1)") == "share (0-1)"


def test_every_parameter_has_a_form_label_in_both_languages():
    names = {p["name"] for m in api.list_indicators() for p in m["parameters"]}
    for lang in i18n.LANGS:
        missing = names - set(i18n.catalog(lang)["parameter_names"])
        assert not missing, f"add to {lang}.yaml parameter_names: {sorted(missing)}"
        # and a line of help in plain words: no parameter syntax (x=y) or column id
        missing = names - set(i18n.catalog(lang)["parameter_help"])
        assert not missing, f"add to {lang}.yaml parameter_help: {sorted(missing)}"
        for name in names:
            assert not re.search(r"\w=\w|_|`", i18n.Text(lang).parameter_help(name)), (lang, name)
    assert i18n.Text("ja").parameter("since") == "開始"


def test_every_parameter_choice_has_text_in_both_languages():
    missing = [k for k in i18n.missing_keys(api.list_indicators()) if ":choices." in k]
    assert missing == []
    meta = {"id": "x", "chapter": "models", "title": "T", "description": "D", "unit": "models",
            "parameters": [{"name": "status", "choices": ["Existing", "Mothballed"]}]}
    assert {"en:choices.status.Mothballed", "ja:choices.status.Mothballed"} <= set(i18n.missing_keys([meta]))
    ja = i18n.Text("ja")
    assert ja.choice("status", "Existing") == "稼働中" and ja.choice("status", "Mothballed") == "Mothballed"
    assert "choices.status.Mothballed" in ja.missed


def test_table_headers_are_titles_and_cells_read_as_the_reader_expects():
    en, ja = i18n.Text("en"), i18n.Text("ja")
    assert en.heading("country_name") == "Country name" and ja.heading("country_name") == "国名"
    assert all("_" not in en.heading(c) for c in i18n.catalog("en")["columns"])
    row = {"country": "USA", "country_name": "United States", "year": 2023, "value": 1394625.758,
           "n": 1234567, "share": 0.6008048, "tiny": 2.5e-9, "flop": 3.8e25, "open": True, "group": "closed"}
    assert [ja.cell(row, c) for c in row] == ["米国", "米国", "2023", "139万4626", "123万4567", "0.600805",
                                               "2.5e-09", "3.8e+25", "はい", "クローズド"]
    assert en.cell(row, "country_name") == "United States" and en.cell(row, "value") == "1,394,626"
    assert en.cell({"v": -12.5}, "v") == "-12.5" and en.cell({"v": 0.0}, "v") == "0"
    assert en.cell({"v": None}, "v") == "" and en.cell({"country": None}, "country") == "unknown"
    assert rules.reader_columns(["country", "country_name", "year"]) == ["country", "year"]
    assert rules.reader_columns(["country_name", "year"]) == ["country_name", "year"]


def test_japanese_numbers_read_in_myriads_with_the_exact_digits_kept():
    from aiatlas.report import headlines

    assert [headlines.japanese(v) for v in (9999, 37587, 295000, 1.09e11, 123456789012, 3.5e12)] == [
        None, "3万7587", "29万5000", "1090億", "1234億5679万", "3兆5000億"]
    assert headlines.japanese(99_999_999.6) == "1億"  # the carry goes to the larger unit
    assert headlines.japanese(1e16) is None and headlines.japanese(True) is None
    assert headlines.format_cell(295000, "value", "ja") == "29万5000"
    assert headlines.format_cell(295000, "value") == "295,000"
    assert headlines.format_cell(2024, "year", "ja") == "2024"
    assert headlines.format_cell(11.071868583, "lag_months") == "11.1"  # a lag reads in tenths
    assert headlines.format_cell(4.4, "lag_months_high", "ja") == "4.4"
    text = i18n.Text("ja")
    assert text.cell({"value": 295000}, "value") == "29万5000"
    assert text.exact({"value": 295000}, "value") == "295,000" and text.exact({"value": 12}, "value") is None


def test_a_japanese_table_column_writes_every_number_in_one_style():
    """The review's column ('9,414' above '1万9474'): a column holding a number below 10^4 is
    written with commas throughout; one whose numbers are all 10^4 or more, in myriads. The
    same template renders the HTML and the PDF tables."""
    import jinja2

    from aiatlas.report.build import environment

    mixed = [{"value": 9414.0}, {"value": 19474.0}, {"value": 30202.0}]
    large = [{"value": 19474.0}, {"value": 30202.0}]
    ja = i18n.Text("ja")
    assert ja.column_styles(mixed, ["value"]) == {"value": "plain"}
    assert ja.column_styles(large, ["value"]) == {"value": "myriad"}
    assert i18n.Text("en").column_styles(large, ["value"]) == {"value": "plain"}
    assert ja.column_styles([{"value": 0}, {"value": 20000}], ["value"]) == {"value": "myriad"}
    table = environment().get_template("_table.html.j2")
    assert isinstance(table, jinja2.Template)
    cells = lambda rows: re.findall(r"<td[^>]*>([^<]*)</td>", table.render(  # noqa: E731
        t=ja, e={"columns": ["value"], "rows": rows}, max_rows=10, min_n=10))
    assert cells(mixed) == ["9,414", "19,474", "30,202"]
    assert cells(large) == ["1万9474", "3万202"]


def test_a_region_reads_by_its_name_in_the_readers_language():
    ja = i18n.Text("ja")
    row = {"region": "latin_america", "region_name": "Latin America and the Caribbean", "year": 2024}
    assert ja.cell(row, "region") == "中南米" and ja.cell(row, "region_name") == "中南米"
    assert rules.reader_columns(["region", "region_name", "year"]) == ["region", "year"]


@pytest.mark.parametrize("cited, ja", [
    ("AFP, reported by Dawn", "AFP（Dawnによる報道）"),
    ("Verdict (following the Financial Times)", "Verdict（Financial Timesの報道に基づく）"),
    ("Anthropic (model card addendum, summarized by modelcards.net)",
     "Anthropic (model card addendum、modelcards.netによる要約)"),
    ("Reuters, reported by AzerNews via MENAFN", "Reuters（AzerNewsによる報道）（MENAFN経由）"),
    ("Epoch AI", "Epoch AI"),
])
def test_a_publisher_line_links_its_publishers_in_the_readers_language(cited, ja):
    assert Text("ja").publisher(cited) == ja
    assert Text("en").publisher(cited) == cited
    assert Text("ja").cell({"publisher": cited}, "publisher") == ja


def test_a_comparison_reads_by_country_names_in_the_readers_language():
    ja, en = Text("ja"), Text("en")
    assert ja.cell({"comparison": "USA vs CHN"}, "comparison") == "米国対中国"
    assert ja.cell({"comparison": "USA - CHN"}, "comparison") == "米国－中国"
    assert ja.cell({"comparison": "closed vs open"}, "comparison") == "クローズド対オープン"
    assert en.cell({"comparison": "USA vs CHN"}, "comparison") == "United States vs China"


def test_the_num_filter_writes_a_fraction_in_percent_with_its_digits_in_the_tooltip():
    from aiatlas.report import i18n
    from aiatlas.report.i18n import Text

    ctx = {"t": Text("ja")}
    assert str(i18n.number(ctx, 0.0019, "share of FLOP")) == '<span title="0.0019">0.19%</span>'
    assert str(i18n.number(ctx, 0.833, "share of models")) == '<span title="0.833">83.3%</span>'
    assert str(i18n.number(ctx, 295000, "units")) == '<span title="295,000">29万5000</span>'


def test_a_tables_value_columns_of_a_fraction_read_in_percent_and_its_counts_do_not():
    from aiatlas.report.i18n import Text

    t = Text("en")
    rows = [{"country": "ISR", "open": 7, "value": 0.7}, {"country": "USA", "open": 40, "value": 0.391732}]
    styles = t.column_styles(rows, ["country", "open", "value"], "share of models")
    assert [t.cell(r, "value", styles["value"]) for r in rows] == ["70%", "39.2%"]
    assert t.cell(rows[1], "open", styles["open"]) == "40" and t.exact(rows[1], "value", "percent") == "0.391732"
    normalised = [{"country": "USA", "value": 0.25, "unit": "share of world total (0-1)"}]
    assert t.column_styles(normalised, ["value"], "models")["value"] == "percent"  # the row's own unit
    assert t.column_styles(rows, ["value"], "models")["value"] != "percent"


def test_japanese_prose_writes_dates_in_words_and_citations_keep_iso():
    ja, en = Text("ja"), Text("en")
    assert ja("as_of", date="2025-12-11") == "2025年12月11日時点のデータ"
    assert ja("as_of", date=dt.date(2025, 12, 1)) == "2025年12月1日時点のデータ"
    assert en("as_of", date="2025-12-11") == "data as of 2025-12-11"
    assert "2025-12-11" in ja("cite_plain", project="aiatlas", year=2026, title="t", build="b",
                              date="2025-12-11", data="d", url="u")
    assert ja.when("2025-12-11") == "2025年12月11日" and ja.when(2025) == 2025
    assert ja("as_of", date="not a date") == "not a date時点のデータ"  # other text is left alone


@pytest.mark.parametrize("lang, line", [
    ("en", "Unit: models · One value per: country, year"),
    # the grain is no unit: "値の単位: 国, 年" beside "単位: モデル" read as a second unit
    ("ja", "単位: モデル数 · 国・年ごとの値")])
def test_an_indicators_meta_line_says_what_one_value_is_per_apart_from_its_unit(lang, line):
    from aiatlas.report.build import environment

    html = environment().get_template("_indicator.html.j2").render(
        e={"slug": "x", "title": "x", "description": "", "meta": {"unit": "models", "grain": ["country", "year"]},
           "error": "none"}, t=Text(lang), print=False, max_rows=10)
    meta = re.search(r'<p class="meta">(.*?)</p>', html).group(1)
    assert meta == line


def test_a_headline_title_and_its_numbers_read_in_japanese_form():
    # 「国別の注目モデル数（直近の通年）（2025）」 and 「米国 60中国 35韓国 8モデル数」
    from aiatlas.report.build import environment

    h = {"key": "notable_models_by_country", "available": True, "period": 2025, "unit": "models",
         "values": [{"row": {"country": "USA"}, "value": 60}, {"row": {"country": "CHN"}, "value": 35}]}
    ja = environment().get_template("_headlines.html.j2").render(headlines=[h], t=Text("ja"))
    title = re.sub(r"<[^>]+>", "", re.search(r"<dt>(.*?)</dt>", ja, re.S).group(1)).strip()
    assert title == "国別の注目モデル数（直近の通年、2025年）"
    assert re.search(r'<span class="unit">件</span>', ja)
    en = environment().get_template("_headlines.html.j2").render(headlines=[h], t=Text("en"))
    assert "latest full year (2025)" in re.sub(r"<[^>]+>", "", en) and '<span class="unit">models</span>' in en
    # a counter only where Japanese writes one; every other unit reads as its name
    assert Text("ja").after_number("accelerators") == "機種" and Text("ja").after_number("months") == "か月"
    assert Text("en").after_number("models") == "models"
