"""Country profiles and comparisons on a hand-made warehouse: latest value, rank among countries
with data, trend, rows link, who leads, ratios, closing gaps, and bad input."""
from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from fastapi.testclient import TestClient
from fixtures.indicators.tiny import model, write_warehouse

import aiatlas
from aiatlas import standing
from aiatlas.errors import UsageError
from aiatlas.report.i18n import Text, number
from aiatlas.standing import _dimension, _standing
from aiatlas.web.standing import _styled

MODELS = [model(f"us{i}", f"{2022 + i // 4}-03-01", ["USA"]) for i in range(8)]  # 4 in 2022, 4 in 2023
MODELS += [model("cn1", "2022-05-01", ["CHN"]), model("cn2", "2023-05-01", ["CHN"]),
           model("cn3", "2023-06-01", ["CHN"]), model("gb1", "2023-02-01", ["GBR"])]


def pushers(country, n, year):
    return (country[:2], country, True, "llm", n, year, 1)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("standing")
    write_warehouse(home, MODELS)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.executemany("INSERT INTO github_topic_pushers (economy, country, is_country, topic, "
                        "pushers, year, quarter) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [pushers("USA", 100, 2024), pushers("CHN", 10, 2024), pushers("USA", 110, 2025),
                         pushers("CHN", 20, 2025)])
        con.executemany("INSERT INTO population (code, country, is_country, year, population) "
                        "VALUES (?, ?, true, ?, ?)", [("USA", "USA", 2023, 4e8), ("CHN", "CHN", 2023, 1.6e9),
                                                      ("GBR", "GBR", 2023, 1e8)])
    return home


def entry(p, id):
    return next(e for e in p["indicators"] if e["id"] == id)


def test_profile_latest_rank_trend_and_rows(home):
    p = aiatlas.country("chn", home=home)
    assert p["country"] == "CHN" and p["names"] == {"en": "China", "ja": "中国"}
    models = entry(p, "notable_models_by_country")
    assert (models["period"], models["value"], models["rank"], models["of"]) == ({"year": "2023"}, 2, 2, 3)
    assert (models["previous_value"], models["change"], models["trend"]) == (1, 1, "up")
    assert models["rows"]["cli"] == "aiatlas explain notable_models_by_country -w country=CHN -w year=2023"
    assert "where.country=CHN" in models["rows"]["url"]
    devs = entry(p, "ai_developers_by_country")
    assert (devs["value"], devs["rank"], devs["of"], devs["change_pct"]) == (20, 2, 2, 100.0)
    assert entry(p, "ai_compute_by_country")["status"] == "no data for this country"
    assert p["lag"]["status"] == "no ECI models of USA"


def test_profile_per_million_divides_by_population(home):
    models = entry(aiatlas.country("GBR", home=home, per="million"), "notable_models_by_country")
    assert models["value"] == pytest.approx(0.01) and models["rank"] == 1  # 1 / 100 million people
    assert "per=million" in models["rows"]["url"]


def test_partial_year_is_not_the_latest_value():
    meta = {"id": "x", "title": "X", "chapter": "c", "unit": "u", "grain": ["country", "year"],
            "explainable": False}
    rows = [{"country": "CHN", "year": y, "value": v} for y, v in ((2024, 10), (2025, 12), (2026, 1))]
    got = _standing(meta, rows, "CHN", {}, as_of=dt.date(2026, 7, 19))
    assert (got["period"], got["value"], got["trend"]) == ({"year": "2025"}, 12, "up")
    assert got["partial_year"] == {"year": 2026, "value": 1, "data_as_of": "2026-07-19"}


def test_data_to_december_31_is_a_whole_year():
    """The same rule as charts and tables (results.partial_year): data as of Dec 31 covers its year."""
    meta = {"id": "x", "title": "X", "chapter": "c", "unit": "u", "grain": ["country", "year"],
            "explainable": False}
    rows = [{"country": "CHN", "year": y, "value": v} for y, v in ((2024, 10), (2025, 12))]
    got = _standing(meta, rows, "CHN", {}, as_of=dt.date(2025, 12, 31))
    assert (got["period"], got["value"], "partial_year" in got) == ({"year": "2025"}, 12, False)


def test_compare_leader_ratio_and_closing(home):
    c = aiatlas.compare(["USA", "CHN", "usa"], home=home)
    assert c["countries"] == ["USA", "CHN"]
    models = next(d for d in c["dimensions"] if d["id"] == "notable_models_by_country")
    assert (models["period"], models["values"], models["leader"]) == ({"year": "2023"}, {"USA": 4, "CHN": 2}, "USA")
    gap = models["gaps"]["CHN"]
    assert (gap["ratio"], gap["difference"], gap["previous_ratio"], gap["closing"]) == (2.0, 2, 4.0, True)
    devs = next(d for d in c["dimensions"] if d["id"] == "ai_developers_by_country")
    assert devs["gaps"]["CHN"]["ratio"] == 5.5 and devs["gaps"]["CHN"]["closing"] is True


@pytest.mark.parametrize("call, message", [
    (lambda h: aiatlas.country("XX", home=h), "unknown country 'XX'"),
    (lambda h: aiatlas.compare(["USA"], home=h), "at least two countries")])
def test_bad_input_is_a_usage_error(home, call, message):
    with pytest.raises(UsageError, match=message):
        call(home)


def test_cli_and_web(home, aiatlas_cli):
    run = aiatlas_cli("country", "ZZZ", "--home", home)
    assert run.returncode == 2 and "unknown country 'ZZZ'" in run.stderr and "Traceback" not in run.stderr
    ok = aiatlas_cli("compare", "USA", "CHN", "--home", home, "--format", "json")
    assert ok.returncode == 0 and '"leader": "USA"' in ok.stdout
    from aiatlas.web.app import create_app

    client = TestClient(create_app(home=home))
    body = client.get("/api/country/CHN").json()
    assert body["names"]["ja"] == "中国"
    # no chip-owner rows in this warehouse: said, not an error
    assert body["chips_and_export_controls"] == "no data in this build"
    assert "chips_and_export_controls" not in client.get("/api/country/USA").json()
    page = client.get("/country/CHN", params={"lang": "ja"})
    assert page.status_code == 200 and "<h1>中国 <code class=\"iso\">CHN</code></h1>" in page.text
    assert client.get("/api/compare", params={"countries": "USA~CHN"}).json()["countries"] == ["USA", "CHN"]
    page = client.get("/compare", params={"countries": "USA~CHN", "lang": "ja"})
    assert page.status_code == 200 and "比較した期間" in page.text and "すべての国に値がある最新の期間" in page.text
    assert client.get("/api/country/XXX").status_code == 422


def test_compare_names_the_countries_whose_latest_value_is_newer_than_the_period_compared():
    meta = {"id": "x", "title": "X", "chapter": "c", "unit": "u", "grain": ["country", "year"],
            "explainable": False}
    rows = [{"country": "USA", "year": 2017, "value": 10}, {"country": "USA", "year": 2025, "value": 8},
            {"country": "JPN", "year": 2017, "value": 1}]
    cells = {c: _standing(meta, rows, c, {}) for c in ("USA", "JPN")}
    d = _dimension(meta, rows, ["USA", "JPN"], cells)
    assert (d["period"], d["values"], d["leader"]) == ({"year": "2017"}, {"USA": 10, "JPN": 1}, "USA")
    assert d["newer"] == {"USA": {"year": "2025"}}  # compared in 2017 because Japan stops there
    assert cells["USA"]["value"] == 8


def test_a_count_is_zero_where_a_country_has_no_row_so_the_period_compared_stays_the_newest(home):
    """Counts of the world's notable models: no row is none made (the report fills 0 too). With
    Britain (one model, 2023) beside the US and China the comparison stays in 2023 and gives
    Britain 0 in 2022; a share or any other measure is not filled."""
    c = aiatlas.compare(["USA", "CHN", "GBR"], home=home)
    models = next(d for d in c["dimensions"] if d["id"] == "notable_models_by_country")
    assert (models["period"], models["values"]) == ({"year": "2023"}, {"USA": 4, "CHN": 2, "GBR": 1})
    assert models["gaps"]["GBR"]["previous_difference"] == 4  # 2022: US 4, Britain 0
    meta = {"id": "x", "unit": "%", "grain": ["country", "year"]}
    rows = [{"country": "USA", "year": 2025, "value": 50.0}]
    assert standing.zero_filled(meta, rows, ["USA", "JPN"]) == rows
    jpn = entry(aiatlas.country("CHN", home=home), "notable_models_by_country")
    assert jpn["period"] == {"year": "2023"}


def test_a_share_resting_on_too_few_items_leads_nothing():
    meta = {"id": "open_weights_share_by_country", "title": "X", "chapter": "c", "unit": "share",
            "grain": ["country"], "explainable": False}
    rows = [{"country": "USA", "value": 0.39, "open": 40, "closed": 62},
            {"country": "CHN", "value": 0.55, "open": 30, "closed": 25},
            {"country": "JPN", "value": 0.83, "open": 5, "closed": 1}]
    cells = {c: _standing(meta, rows, c, {}) for c in ("USA", "CHN", "JPN")}
    d = _dimension(meta, rows, ["USA", "CHN", "JPN"], cells)
    assert (d["leader"], d["thin"], list(d["gaps"])) == ("CHN", {"JPN": 6}, ["USA"])
    two = _dimension(meta, rows, ["USA", "JPN"], {c: cells[c] for c in ("USA", "JPN")})
    assert "leader" not in two and "too few" in two["status"]


@pytest.mark.parametrize("given, code", [("Japan", "JPN"), ("jp", "JPN"), ("日本", "JPN"),
                                         ("South Korea", "KOR"), ("Russia", "RUS"), ("UK", "GBR"),
                                         ("中国", "CHN"), (" usa ", "USA")])
def test_a_country_is_given_by_code_or_name(given, code):
    assert standing.country_code(given) == code


def test_a_country_with_no_value_at_all_is_absent_and_the_others_are_still_compared():
    from aiatlas.standing import _dimension

    meta = {"id": "held", "title": "Held", "unit": "H100 equivalents", "grain": ["country", "date"]}
    rows = [{"country": c, "date": d, "value": v} for c, d, v in
            (("USA", "2025-09-30", 10.0), ("USA", "2025-12-31", 15.0), ("CHN", "2025-12-31", 0.4))]
    cells = {c: {"unit": "H100 equivalents"} for c in ("USA", "CHN", "JPN")}
    d = _dimension(meta, rows, ["USA", "CHN", "JPN"], cells)
    assert (d["status"], d["absent"], d["leader"], d["values"]) == ("ok", ["JPN"], "USA", {"USA": 15.0, "CHN": 0.4})
    assert _dimension(meta, rows[:2], ["USA", "JPN"], cells)["status"].startswith("not every country")  # one left


def test_a_compare_row_writes_its_numbers_one_way_so_they_read_across():
    """Japanese writes 10^4 and above in myriads, but a row holding 16067 beside 1477 is
    compared by eye: the whole row is then written in plain digits (1万6067 is kept only
    where every number of the row is 10^4 or more)."""
    mixed = _styled([{"value": 16067, "unit": "pushers", "newer_value": None}, "データなし",
                     {"value": 1477, "unit": "pushers"}], "ja")
    assert [c["style"] for c in (mixed[0], mixed[2])] == ["plain", "plain"] and mixed[1] == "データなし"
    assert _styled([{"value": 16067}, {"value": 31000}], "ja")[0]["style"] == "myriad"
    assert _styled([{"value": 16067}, {"value": 1477}], "en")[0]["style"] == "plain"
    ctx = {"t": Text("ja")}
    assert str(number(ctx, 16067, "pushers", "plain")) == "16,067"
    assert "1万6067" in str(number(ctx, 16067, "pushers", "myriad"))
    assert "1万6067" in str(number(ctx, 16067, "pushers"))


def test_a_country_grain_value_says_its_years_and_as_of(home):
    """Open-weights share by country has no year in its grain: compare and profile say it covers
    every year of the data (and as of when, where the build has snapshots); a count by year
    says nothing more than its year."""
    c = aiatlas.compare(["USA", "CHN"], home=home)
    dims = {d["id"]: d for d in c["dimensions"]}
    share = dims["open_weights_share_by_country"]
    assert share.get("period") in ({}, None) and share["scope"]["years"] == "all", share
    assert share["scope"]["data_as_of"] is None  # this hand-made home has no snapshots
    assert "scope" not in dims["notable_models_by_country"]
    meta = {"id": "x", "title": "X", "chapter": "c", "unit": "share of models", "grain": ["country"],
            "explainable": False, "parameters": [{"name": "since", "default": None}]}
    entry = _standing(meta, [{"country": "USA", "value": 0.4}], "USA", {}, dt.date(2026, 12, 2))
    assert entry["scope"] == {"years": "all", "data_as_of": "2026-12-02"}
    assert _standing(meta, [{"country": "USA", "value": 0.4}], "USA", {"since": 2020},
                     dt.date(2026, 12, 2))["scope"]["years"] is None  # a range was asked for


def test_a_share_resting_on_too_few_items_ranks_nothing_on_a_country_page():
    # Japan's open-weights share, 5 open of 6 models, read "83.3%, 7 of 33" among 24 such shares
    from aiatlas.report import countries
    from aiatlas.report.i18n import Text

    meta = {"id": "training_compute_share_by_country", "title": "X", "chapter": "c", "unit": "share of FLOP",
            "grain": ["country", "year"], "explainable": False}
    rows = [{"country": c, "year": y, "value": v, "models": n} for c, y, v, n in (
        ("USA", 2022, 0.7, 40), ("USA", 2023, 0.8, 50), ("CHN", 2023, 0.1, 12), ("GBR", 2023, 0.09, 4),
        ("JPN", 2022, 0.001, 1), ("JPN", 2023, 0.002, 1))]
    jpn, usa, chn = (_standing(meta, rows, c, {}) for c in ("JPN", "USA", "CHN"))
    assert (jpn["value"], jpn["rank"], jpn["few"], jpn["trend"], jpn["change"]) == (0.002, None, 1, None, None)
    # ranked among the shares that rest on enough models only
    assert (usa["rank"], usa["of"], chn["rank"], chn["of"], "few" in usa) == (1, 2, 2, 2, False)
    for lang, said in (("en", "not ranked: too few models (1 of the 10 a share needs)"),
                       ("ja", "順位なし: モデルが少ない（1 件。割合には 10 件以上が必要）")):
        profile = {"indicators": [jpn, usa | {"id": "y"}], "names": {"en": "Japan", "ja": "日本"},
                   "lag": {"status": "no ECI models of JPN", "leader": "USA", "follower": "JPN"}}
        thin, full = countries.page("JPN", text=Text(lang), ranking=[], entries={}, profile=profile)["have"]
        assert thin["rank_text"] == said and thin["trend"] is None
        assert full["rank_text"] == ("1 of 2" if lang == "en" else "2 か国中 1 位")
