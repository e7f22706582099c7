"""The report's country pages are keyed by known ISO3 codes only."""
from __future__ import annotations

import datetime as dt

from aiatlas import composite_index
from aiatlas.report import countries


def test_index_leaves_out_values_that_are_not_country_codes(monkeypatch):
    rows = [{"country": c, "rank": i} for i, c in
            enumerate(["USA", "WLD", "chn", "CHN</script>", "../x", None, "ZZZ"], 1)]
    monkeypatch.setattr(composite_index, "composite", lambda home=None: {"countries": rows})
    assert [r["country"] for r in countries.index()] == ["USA", "chn"]


def test_a_country_page_writes_shares_in_percent_quarters_by_name_and_share_changes_in_points():
    from aiatlas.report.i18n import Text

    entry = {"id": "share", "title": "Share", "chapter": "c", "unit": "share of FLOP", "status": "ok",
             "period": {"year": "2023"}, "value": 0.0019, "rank": 6, "of": 17, "trend": "up",
             "change": 0.0018925, "change_pct": 25303.0, "previous_period": {"year": "2022"}}
    devs = {"id": "devs", "title": "Devs", "chapter": "c", "unit": "developers", "status": "ok",
            "period": {"year": "2025", "quarter": "3"}, "value": 1477, "rank": 9, "of": 33,
            "trend": "up", "change": 100, "change_pct": 7.26, "previous_period": {"year": "2025", "quarter": "2"}}
    profile = {"indicators": [entry, devs], "names": {"en": "Japan", "ja": "日本"},
               "lag": {"status": "no ECI models of JPN", "leader": "USA", "follower": "JPN"}}
    for lang, pp, quarter in (("en", "+0.19 pp", "2025 Q3"), ("ja", "+0.19ポイント", "2025年第3四半期")):
        page = countries.page("JPN", text=Text(lang), ranking=[], entries={}, profile=profile)
        share, dev = page["have"]
        assert share["change"] == pp and "25303" not in str(share)
        assert (dev["period"], dev["previous_period"], dev["change"]) == (quarter, quarter.replace("3", "2"), "+7%")


def test_a_dated_period_reads_as_its_reader_writes_a_date():
    """A period that is a date (chip holdings as of a quarter's end) reads 'Dec 31, 2025' and
    2025年12月31日, never the ISO text; other values stay as they are."""
    from aiatlas.report.i18n import Text

    for lang, want in (("en", "Dec 31, 2025"), ("ja", "2025年12月31日")):
        assert countries.period_text({"date": "2025-12-31"}, Text(lang)) == want
        assert countries.period_text({"date": dt.date(2025, 12, 31)}, Text(lang)) == want
    assert countries.period_text({"scale": "2"}, Text("ja")) == "2"


def test_the_capability_lag_names_its_month_in_the_readers_words():
    from aiatlas.report.i18n import Text

    lag = {"status": "ok", "leader": "USA", "follower": "CHN", "month": "2025-12-01",
           "lag_months": 1.0, "interval": [0.5, 2.0], "at_least": True}
    en, ja = (countries.lag_text(lag, Text(lang)) for lang in ("en", "ja"))
    assert "Dec 2025" in en and "2025-12" not in en
    assert "2025年12月" in ja and "2025-12" not in ja and "中国" in ja


def test_a_value_with_no_period_says_what_it_covers():
    """An indicator whose grain is the country alone (a share over every year, clusters as they
    stand) gets no blank period: its years and its data's as-of date are said."""
    from aiatlas.report.i18n import Text

    every = {"years": "all", "data_as_of": "2026-12-02"}
    assert countries.period_text({}, Text("en"), every) == "all years, data as of Dec 2, 2026"
    assert countries.period_text({}, Text("ja"), every) == "全期間（データは2026年12月2日時点）"
    assert countries.period_text({}, Text("en"), {"years": None, "data_as_of": "2026-12-02"}) == \
        "data as of Dec 2, 2026"
    assert countries.period_text({"year": "2025"}, Text("en"), every) == "2025"
    assert countries.period_text({}, Text("en")) == ""
    assert countries.period_text({}, Text("ja"), {"years": "all", "data_as_of": None}) == "全期間"
