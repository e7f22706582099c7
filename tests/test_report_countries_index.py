"""The report's country pages are keyed by known ISO3 codes only."""
from __future__ import annotations

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
