"""Key findings: numbers read from rows into templated sentences that the claims checker verifies."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from aiatlas.cli import app
from aiatlas.report import findings
from aiatlas.report.i18n import LANGS

DECL = {"key": "k", "chapter": "research", "indicator": "notable_models_by_country",
        "where": {"country": "USA"}, "latest": "year",
        "en": "{name} released {value:.0f} notable AI models in {year}.",
        "ja": "{name}は{year}年に{value:.0f}件の注目すべきAIモデルを発表した。"}


def test_a_finding_states_the_selected_row_in_both_languages():
    rows = [{"country": "USA", "year": 2023, "value": 50}, {"country": "USA", "year": 2024, "value": 57},
            {"country": "CHN", "year": 2024, "value": 31}]
    row = findings.pick(DECL, rows)
    assert row == rows[1]
    assert findings.sentence(DECL, row, "en") == "The United States released 57 notable AI models in 2024."
    assert findings.sentence(DECL, row, "ja") == "米国は2024年に57件の注目すべきAIモデルを発表した。"
    assert findings.pick(DECL | {"where": {"country": "FRA"}}, rows) is None


def test_match_keeps_rows_whose_column_fits_the_pattern():
    decl = {"match": {"period": r"^\d{4}$"}, "latest": "period"}
    rows = [{"period": "2024-07", "value": 1}, {"period": "2024", "value": 2}, {"period": "2023", "value": 3}]
    assert findings.pick(decl, rows)["value"] == 2


def test_versus_pairs_the_row_of_the_same_year_and_states_the_ratio():
    decl = {"where": {"country": "CHN"}, "versus": {"country": "USA"}, "latest": "year",
            "en": "{name} released {value:.0f} notable AI models in {year}, {ratio_pct:.0f}% as many as "
                  "{other_name} ({other_value:.0f}).",
            "ja": "{name}は{year}年に{value:.0f}件の注目すべきAIモデルを発表し、{other_name}（{other_value:.0f}件）"
                  "の{ratio_pct:.0f}%だった。"}
    rows = [{"country": "USA", "year": 2023, "value": 40}, {"country": "USA", "year": 2024, "value": 57},
            {"country": "CHN", "year": 2024, "value": 31}, {"country": "CHN", "year": 2023, "value": 20}]
    row = findings.pick(decl, rows)
    assert findings.sentence(decl, row, "en") == ("China released 31 notable AI models in 2024, 54% as many "
                                                  "as the United States (57).")
    assert findings.sentence(decl, row, "ja") == "中国は2024年に31件の注目すべきAIモデルを発表し、米国（57件）の54%だった。"
    # no US row for China's latest year: the latest year both have, never two different years
    assert findings.pick(decl, rows[:1] + rows[2:])["_versus"] == rows[0]
    assert findings.pick(decl, rows[2:]) is None


def test_above_leaves_out_rows_where_the_sentence_would_state_the_wrong_order():
    decl = {"above": {"gap": 0}, "latest": "month", "en": "{gap:.1f}", "ja": "{gap:.1f}"}
    rows = [{"month": "2025-10", "gap": 2.0}, {"month": "2025-11", "gap": -1.0}]
    assert findings.pick(decl, rows)["month"] == "2025-10"
    assert findings.pick(decl, rows[1:]) is None


def test_earliest_states_the_first_event_of_its_kind_and_dates_read_in_both_languages():
    decl = {"where": {"subject": "USA", "measure": "rule"}, "earliest": "date",
            "en": "{name} first acted on {date:%B} {date.day}, {date.year}.",
            "ja": "{name}は{date.year}年{date.month}月{date.day}日に初めて動いた。"}
    rows = [{"subject": "USA", "measure": "rule", "date": dt.date(2023, 10, 17)},
            {"subject": "USA", "measure": "rule", "date": dt.date(2022, 10, 7)},
            {"subject": "USA", "measure": "ban", "date": dt.date(2021, 1, 1)},
            {"subject": "CHN", "measure": "rule", "date": dt.date(2020, 1, 1)}]
    row = findings.pick(decl, rows)
    assert findings.sentence(decl, row, "en") == "The United States first acted on October 7, 2022."
    assert findings.sentence(decl, row, "ja") == "米国は2022年10月7日に初めて動いた。"


def test_latest_of_two_columns_picks_the_latest_quarter():
    decl = {"where": {"country": "USA"}, "latest": ["year", "quarter"],
            "en": "In Q{quarter} {year}, {value:,.0f}", "ja": "{year}年第{quarter}四半期、{value:,.0f}人"}
    rows = [{"country": "USA", "year": 2024, "quarter": 4, "value": 13137},
            {"country": "USA", "year": 2025, "quarter": 3, "value": 16067},
            {"country": "USA", "year": 2025, "quarter": 1, "value": 14031},
            {"country": "IND", "year": 2025, "quarter": 4, "value": 1}]
    row = findings.pick(decl, rows)
    assert findings.sentence(decl, row, "en") == "In Q3 2025, 16,067"
    assert findings.sentence(decl, row, "ja") == "2025年第3四半期、1万6067人"


def test_every_declared_finding_has_both_languages_and_a_chapter():
    for d in findings.declared():
        assert set(LANGS) <= set(d) and d["chapter"] and d["indicator"], d["key"]
    per_chapter = {}
    for d in findings.declared():
        per_chapter[d["chapter"]] = per_chapter.get(d["chapter"], 0) + 1
    # findings first: every chapter opens with 3 to 5 of them
    for chapter in ("research", "performance", "hardware", "economy", "policy", "talent"):
        assert 3 <= per_chapter.get(chapter, 0) <= 5, (chapter, per_chapter.get(chapter))


@pytest.mark.parametrize("lang", LANGS)
def test_every_finding_of_the_report_is_supported_by_the_checker(built_home, tmp_path, lang):
    found = findings.evaluate(lang, home=built_home)
    assert len(found) == len(findings.declared()), "a declared finding found no row in the mirror"
    article = tmp_path / f"findings-{lang}.txt"
    article.write_text("\n\n".join(f["text"] for f in found), encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(article), "--lang", lang, "--home", str(built_home),
                                   "-f", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output[res.output.index("{"):])
    by_text = {s["text"].strip(): s for s in report["sentences"]}
    for f in found:
        s = by_text.get(f["text"])
        assert s and s["claims"], f"no claim read from: {f['text']}"
        verdicts = [(c["claim"]["text"], c["verdict"]["verdict"], c["verdict"]["reason"]) for c in s["claims"]]
        assert all(v == "supported" for _, v, _ in verdicts), (f["text"], verdicts)
        assert re.search(r"\d", f["text"])


def test_since_earliest_states_the_change_from_the_first_row():
    decl = {"latest": "date", "since_earliest": "date",
            "en": "{other_gap:.0f} points in {other_date}; {gap:.0f} points in {date}."}
    rows = [{"date": "2023-05", "gap": 370.0}, {"date": "2024-06", "gap": 90.0},
            {"date": "2025-12", "gap": 48.6}]
    row = findings.pick(decl, rows)
    assert row["date"] == "2025-12" and row["_versus"] == rows[0]
    assert findings.sentence(decl, row, "en") == "370 points in 2023-05; 49 points in 2025-12."
    assert findings.pick(decl, rows[:1]) is None  # one row: no change to state


def test_a_superlative_says_when_its_maximum_is_tied():
    decl = {"where": {"country": "CHN"}, "top": "value",
            "tied": {"column": "year", "en": " (tied with {values})", "ja": "（{values}年と並ぶ）"},
            "en": "{value:.0f} in {year}, their most in one year{tied}.",
            "ja": "{year}年に{value:.0f}種類で最多{tied}。"}
    rows = [{"country": "CHN", "year": y, "value": v} for y, v in ((2019, 9), (2020, 4), (2022, 9))]
    row = findings.pick(decl, rows)
    assert findings.sentence(decl, row, "en") == "9 in 2019, their most in one year (tied with 2022)."
    assert findings.sentence(decl, row, "ja") == "2019年に9種類で最多（2022年と並ぶ）。"
    alone = findings.pick(decl, rows[:2])
    assert findings.sentence(decl, alone, "en") == "9 in 2019, their most in one year."


def test_every_superlative_finding_handles_ties():
    """A finding that states the maximum of a column ("their most") names the rows tied with it."""
    for d in findings.declared():
        if d.get("top") and d.get("limit", 1) == 1:
            assert d.get("tied") and all("{tied}" in d[lang] for lang in LANGS), d["key"]


def test_a_lag_at_the_top_of_its_range_says_why():
    decl = next(d for d in findings.declared() if d["key"] == "us_china_capability_lag")
    row = {"month": dt.date(2025, 3, 1), "lag_months": 7.2, "lag_months_low": 3.1,
           "lag_months_high": 7.2, "lower_bound": False}
    assert "the range ends at the estimate because" in findings.sentence(decl, row, "en")
    assert "幅の上端は推定値と同じ" in findings.sentence(decl, row, "ja")
    inside = findings.sentence(decl, row | {"lag_months_high": 9.0}, "en")
    assert "range ends" not in inside and "(uncertainty range 3.1 to 9.0 months)" in inside


def test_an_approximate_amount_reads_as_a_reader_says_it():
    decl = {"en": "about {value:approx}", "ja": "約{value:approx}"}
    assert findings.sentence(decl, {"value": 1394625.76}, "en") == "About 1.39 million"
    assert findings.sentence(decl, {"value": 231251.0}, "en") == "About 231,000"
    assert findings.sentence(decl, {"value": 1394625.76}, "ja") == "約139万"
    assert findings.sentence(decl, {"value": 231251.0}, "ja") == "約23万1000"


def test_a_change_since_the_first_row_spans_at_least_the_declared_days():

    decl = {"key": "k", "latest": "date", "since_earliest": "date", "min_span_days": 365,
            "en": "{other_gap:.0f} then, {gap:.0f} on {date}"}
    rows = [{"date": dt.date(2023, 5, 8), "gap": 370.0, "rating_scale": dt.date(2023, 5, 8)},
            {"date": dt.date(2024, 6, 20), "gap": 69.0, "rating_scale": dt.date(2023, 5, 8)},
            {"date": dt.date(2025, 11, 5), "gap": 46.0, "rating_scale": dt.date(2025, 11, 5)},
            {"date": dt.date(2025, 12, 11), "gap": 49.0, "rating_scale": dt.date(2025, 11, 5)}]
    row = findings.pick(decl, rows)
    assert (row["date"], row["_versus"]["date"]) == (dt.date(2024, 6, 20), dt.date(2023, 5, 8))
    assert findings.pick({k: v for k, v in decl.items() if k != "min_span_days"}, rows)["date"] == dt.date(2025, 12, 11)


def test_a_trend_fitted_to_every_row_says_which_years_it_covers():
    # "doubled every 1.5 years" said neither of what period nor of which chips
    decl = next(d for d in findings.declared() if d["key"] == "energy_efficiency")
    rows = [{"year": y, "value": 1e11 * y, "chips": 5, "doubling_time_years": 1.49} for y in (2016, 2020, 2026)]
    row = findings.pick(decl, rows)
    assert (row["first_year"], row["last_year"]) == (2016, 2026)
    assert findings.sentence(decl, row, "en").endswith(
        "doubled every 1.5 years (a trend fitted to the accelerators released from 2016 to 2026).")
    assert findings.sentence(decl, row, "ja").startswith("2016〜2026年に発表されたAIアクセラレーター")
    assert findings.pick(decl, []) is None
