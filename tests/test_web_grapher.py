"""The dashboard's grapher: tabs, toggles kept in the URL, the world map's data, the download zip,
the embed page and the citation (HTTP level; the browser tests draw them)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import publish_support as ps
import pytest
from fastapi.testclient import TestClient

from aiatlas.report import charts
from aiatlas.web import download, grapher, pages, view
from aiatlas.web.app import create_app

GEOMETRY_SHA256 = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"
ID = "test_models_by_country"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    yield from ps.fixture_home(tmp_path_factory, "graphome")


@pytest.fixture(scope="module")
def client(home):
    return TestClient(create_app(home=home))


def test_world_geometry_is_the_licensed_copy_and_served_locally(client):
    geo = Path(pages.GEO)
    body = (geo / "countries-110m.json").read_bytes()
    assert hashlib.sha256(body).hexdigest() == GEOMETRY_SHA256  # an edited copy is noticed
    assert "ISC" in (geo / "README.md").read_text() and "Michael Bostock" in (geo / "LICENSE").read_text()
    res = client.get(grapher.GEOMETRY)
    assert res.status_code == 200 and res.content == body
    ids = {g.get("id") for g in json.loads(body)["objects"]["countries"]["geometries"]}
    assert {"840", "156", "392", "158"} <= ids  # ISO numeric: USA, CHN, JPN, TWN


def test_map_spec_keeps_no_data_apart_from_zero():
    rows = [{"country": "USA", "year": 2023, "value": 2}, {"country": "CHN", "year": 2023, "value": 1},
            {"country": "USA", "year": 2022, "value": 9}, {"country": None, "year": 2023, "value": 4}]
    spec = grapher.map_spec(rows, indicator=ID, year=2023, title="t", unit="models", lang="ja",
                            log=False, zero_for={"GBR"})
    data = {d["id"]: d for d in spec["transform"][0]["from"]["data"]["values"]}
    assert data["840"]["value"] == 2 and data["156"]["value"] == 1  # the year's values only
    assert data["826"]["value"] == 0 and data["276"]["value"] is None  # GBR zero, DEU no data
    assert data["156"]["name"] == "中国"
    colour = spec["encoding"]["color"]
    assert colour["condition"] == {"test": "!isValid(datum.value)", "value": grapher.NO_DATA_COLOUR}
    assert spec["mark"]["invalid"] is None  # countries without a value are drawn, not dropped
    assert "データなし" in spec["transform"][1]["calculate"]
    assert "type" not in colour["scale"]
    assert grapher.map_spec(rows, indicator=ID, year=2023, title="t", unit="u", lang="en",
                            log=True)["encoding"]["color"]["scale"]["type"] == "symlog"


def test_map_year_prefers_the_view_then_the_last_full_year():
    import datetime as dt

    years = [2019, 2020, 2021, 2022]
    assert grapher.map_year(years, view.View()) == 2022
    assert grapher.map_year(years, view.View(), dt.date(2022, 7, 1)) == 2021  # half-counted year
    assert grapher.map_year(years, view.View(), dt.date(2022, 12, 31)) == 2022
    assert grapher.map_year(years, view.View((), 2015, 2020)) == 2020
    assert grapher.map_year([], view.View()) is None


def test_toggle_links_change_one_key_and_keep_the_rest():
    pairs = [("lang", "ja"), ("per", "capita"), ("country", "USA~CHN"), ("tab", "chart")]
    assert grapher.href("/x", pairs, tab="map") == "/x?lang=ja&per=capita&country=USA~CHN&tab=map"
    assert grapher.href("/x", pairs, per=None, share_of="world").endswith("tab=chart&share_of=world")
    assert grapher.measure_of({"per": "million"}) == "million" and grapher.measure_of({}) == "absolute"
    assert grapher.parse({"tab": "map", "scale": "sideways"}) == grapher.State("map", None)


def test_page_tabs_toggles_and_citation(client):
    page = client.get(f"/indicators/{ID}?lang=ja&country=USA~CHN&tab=table&per=million").text
    assert 'class="tab-table" href="/indicators/test_models_by_country?lang=ja&amp;per=million&amp;country=USA~CHN&amp;tab=table" aria-current="page"' in page
    assert 'class="measure-million"' in page and 'class="measure-absolute" href="/indicators/test_models_by_country?lang=ja&amp;country=USA~CHN&amp;tab=table"' in page
    assert "<table class=\"data\">" in page and 'id="chart"' not in page
    assert "引用" in page and "「テスト" not in page and "データセット" in page
    assert page.index('value="USA"') < page.index('value="FRA"')  # the chosen countries first
    assert '<option value="false" selected>いいえ</option>' in page  # yes/no in the reader's language
    # per and share_of travel as hidden fields, not as two selects that could be combined
    assert '<input type="hidden" name="per" value="million">' in page and 'name="share_of"' not in page
    en = client.get(f"/indicators/{ID}").text
    assert 'class="tab-chart"' in en and 'aria-current="page">Chart' in en
    assert "Cite this" in en and "@misc{aiatlas_test_models_by_country_2026" in en
    assert 'class="scale-linear"' in en and 'class="tab-map"' in en
    bars = client.get("/indicators/test_open_share").text
    assert 'class="tab-map"' not in bars and 'class="measure-' not in bars  # no country, no map


def test_map_tab_shows_the_year_for_every_country(client):
    page = client.get(f"/indicators/{ID}?tab=map&country=USA").text
    spec = json.loads(page.split('<script type="application/json" id="spec">')[1].split("</script>")[0])
    values = {d["id"]: d["value"] for d in spec["transform"][0]["from"]["data"]["values"]}
    assert values["156"] == 1 and values["840"] == 2  # China too: the map ignores the picker
    assert 'id="map-year"' in page and 'value="2023"' in page
    assert f'href="/api/indicators/{ID}.csv?time=2023..2023"' in page


def test_zip_holds_exactly_the_view_with_metadata_and_citation(client):
    q = "country=USA~CHN&time=2021..2023"
    res = client.get(f"/api/indicators/{ID}.zip?{q}")
    assert res.status_code == 200 and res.headers["content-type"] == "application/zip"
    assert res.headers["content-disposition"] == f'attachment; filename="{ID}.zip"'
    z = zipfile.ZipFile(io.BytesIO(res.content))
    assert z.namelist() == [f"{ID}.csv", "metadata.json", "README.md"]
    assert z.read(f"{ID}.csv") == client.get(f"/api/indicators/{ID}.csv?{q}").content
    rows = list(csv.DictReader(io.StringIO(z.read(f"{ID}.csv").decode())))
    assert rows and {r["country"] for r in rows} == {"USA", "CHN"} and {r["year"] for r in rows} <= {"2021", "2022", "2023"}
    md = json.loads(z.read("metadata.json"))
    assert md["indicator"] == ID and md["view"] == {"country": "USA~CHN", "time": "2021..2023"}
    assert md["build_id"] == "build-1" and md["data_as_of"] == "2026-01-01" and md["rows"] == len(rows)
    assert md["sources"][0]["file"] == "notable_ai_models.csv" and md["sources"][0]["sha256"]
    assert set(md["citation"]) == {"en", "ja"} and "@misc{" in md["citation"]["en"]["bibtex"]
    readme = z.read("README.md").decode()
    assert "## Cite as" in readme and md["citation"]["ja"]["plain"] in readme and "```bibtex" in readme
    assert "null" not in readme and "None" not in readme
    assert client.get(f"/api/indicators/{ID}.zip?{q}").content == res.content  # same view, same bytes


def test_zip_is_bounded(client, monkeypatch):
    monkeypatch.setattr(download, "MAX_CSV_BYTES", 10)
    res = client.get(f"/api/indicators/{ID}.zip?time=2019..2019")
    assert res.status_code == 413 and "narrow it with country= or time=" in res.json()["detail"]
    assert client.get(f"/api/indicators/{ID}.zip?time=20x").status_code == 422


def test_embed_page_and_snippet(client):
    page = client.get(f"/indicators/{ID}?tab=map&lang=ja").text
    snippet = page.split('id="embed-code"')[1].split("</textarea>")[0]
    assert '&lt;iframe src="http://testserver/embed/indicators/test_models_by_country?lang=ja&amp;tab=map"' in snippet
    embed = client.get(f"/embed/indicators/{ID}?lang=ja&tab=map")
    assert embed.status_code == 200 and 'class="kind-map"' in embed.text and "<nav" not in embed.text
    assert "frame-ancestors" in embed.headers["content-security-policy"]
    assert "<script>" not in embed.text  # no inline script: the spec is JSON data
    assert client.get("/embed/indicators/nope").status_code == 404


def test_log_map_legend_labels_powers_of_ten_between_its_ends():
    assert grapher.legend_values([0, 1, 5, 57], log=True) == [0, 1, 10, 57]
    ticks = grapher.legend_values([3, 1_200_000], log=True)
    assert ticks[0] == 10 and ticks[-1] == 1_200_000 and len(ticks) <= grapher.LEGEND_TICKS
    assert grapher.legend_values([50, 100], log=True) == [100]  # the end is not doubled
    assert grapher.legend_values([5, 7], log=True) == [5, 7]  # within one decade: its ends
    assert grapher.legend_values([1, 2], log=False) is None  # Vega's linear ticks are readable
    rows = [{"country": "USA", "year": 2023, "value": 40}, {"country": "CHN", "year": 2023, "value": 3000}]
    legend = grapher.map_spec(rows, indicator=ID, year=2023, title="t", unit="u", lang="en",
                              log=True)["encoding"]["color"]["legend"]
    assert legend["values"] == [100, 3000]  # 10 lies below the scale's domain: Vega drops it


def test_map_numbers_read_in_myriads_in_japanese():
    expr = charts.number_expr("datum.value", "ja")
    assert expr.index("兆") < expr.index("億") < expr.index("万")  # the largest unit is tested first
    assert "万" not in charts.number_expr("datum.value", "en")


def test_country_picker_lists_names_in_the_readers_order(client):
    ja = client.get(f"/indicators/{ID}?lang=ja").text
    assert ja.index('value="FRA"') < ja.index('value="CHN"')  # フランス before 中国: by name, not code
    en = client.get(f"/indicators/{ID}?lang=en").text
    assert en.index('value="GBR"') < en.index('value="USA"')  # United Kingdom, United States


def test_a_map_of_a_fraction_reads_in_percent():
    rows = [{"country": "USA", "year": 2023, "value": 0.4}, {"country": "CHN", "year": 2023, "value": 0.55}]
    spec = grapher.map_spec(rows, indicator=ID, year=2023, title="t", unit="share", lang="ja",
                            log=False, fraction=True)
    assert "%" in spec["encoding"]["color"]["legend"]["labelExpr"] and "%" in spec["transform"][1]["calculate"]
    assert "万" not in spec["encoding"]["color"]["legend"]["labelExpr"]
