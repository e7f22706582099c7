"""The HTTP API and dashboard over a tiny fixture warehouse: formats, validation, ETags, guards, swap."""
from __future__ import annotations

import csv
import io
import json
import sys
import threading

import httpx
import publish_support as ps
import pytest
from fastapi.testclient import TestClient

from aiatlas import api
from aiatlas.web.app import CORS_ENV, SWITCH_INTERVAL_S, create_app

IND = "/api/indicators/test_models_by_country"

# one worker runs the whole module, so its module fixtures are built once
pytestmark = pytest.mark.xdist_group("publish-web")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    yield from ps.fixture_home(tmp_path_factory, "webhome")


@pytest.fixture(scope="module")
def client(home):
    return TestClient(create_app(home=home))


def test_list_indicators_and_chapter_filter(client):
    body = client.get("/api/indicators").json()
    ids = [m["id"] for m in body["indicators"]]
    assert set(ps.TEST_IDS) <= set(ids) and ids.index("test_open_share") == ids.index("test_models_by_country") + 1
    only = client.get("/api/indicators", params={"chapter": "testing2"}).json()
    assert [m["id"] for m in only["indicators"]] == ["test_total_by_country"]


def test_indicator_json_csv_and_params(client):
    body = client.get(IND, params={"since": "2022", "open_only": "true"}).json()
    assert body["meta"]["params"] == {"since": 2022, "until": 2030, "open_only": True, "per": None,
                                      "share_of": None}  # the normalised views of views.py
    assert body["rows"] == [{"country": "GBR", "year": 2022, "value": 1},
                            {"country": "CHN", "year": 2023, "value": 1},
                            {"country": "USA", "year": 2023, "value": 2}]
    assert body["build_id"] == "build-1" and body["provenance"][0]["source"] == "epoch_notable_models"
    assert client.get(IND + ".json", params={"since": "2022", "open_only": "true"}).json() == body
    res = client.get(IND + ".csv", params={"since": "2023"})
    assert res.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(res.text))) == [
        {"country": "CHN", "year": "2023", "value": "1"}, {"country": "USA", "year": "2023", "value": "2"}]


@pytest.mark.parametrize("query, needle", [
    ({"bogus": "1"}, "unknown or repeated parameter bogus"),
    ({"since": "soon"}, "since='soon' is not a valid int"),
    ({"open_only": "maybe"}, "open_only='maybe' is not a valid bool"),
])
def test_bad_parameters_are_422_listing_the_valid_ones(client, query, needle):
    res = client.get(IND, params=query)
    assert res.status_code == 422
    assert needle in res.json()["detail"]
    assert [p["name"] for p in res.json()["valid_parameters"]] == ["since", "until", "open_only",
                                                                   "per", "share_of"]


def test_choices_and_unknown_ids(client):
    res = client.get("/api/indicators/test_total_by_country", params={"top": "4"})
    assert res.status_code == 422 and "not one of: 3, 5, 10" in res.json()["detail"]
    assert len(client.get("/api/indicators/test_total_by_country", params={"top": "3"}).json()["rows"]) == 3
    res = client.get("/api/indicators/no_such_thing")
    assert res.status_code == 404 and "test_open_share" in res.json()["valid_ids"]


def test_explain_filters_by_grain(client):
    rows = client.get(IND + "/explain", params={"where.country": "CHN", "where.year": "2023"}).json()["rows"]
    assert [r["model_id"] for r in rows] == ["beta-4"]
    res = client.get(IND + "/explain.csv", params={"where.country": "USA"})
    assert len(list(csv.DictReader(io.StringIO(res.text)))) == 6
    res = client.get(IND + "/explain", params={"where.colour": "red"})
    assert res.status_code == 422 and "cannot filter explain rows on 'colour'" in res.json()["detail"]
    assert client.get("/api/indicators/test_open_share/explain").status_code == 404


def test_etag_and_304(client):
    first = client.get(IND, params={"since": "2020"})
    tag = first.headers["etag"]
    assert tag.startswith('"build-1-') and "must-revalidate" in first.headers["cache-control"]
    again = client.get(IND, params={"since": "2020"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get(IND, params={"since": "2021"}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    for header in (f"W/{tag}", f'"nope", {tag}', "*"):  # weak comparison; any of a list; *
        assert client.get(IND, params={"since": "2020"},
                          headers={"If-None-Match": header}).status_code == 304, header


def test_pages_carry_etags_and_answer_304(client):
    first = client.get("/indicators/test_open_share", params={"lang": "ja"})
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"build-1-')
    again = client.get("/indicators/test_open_share", params={"lang": "ja"},
                       headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/indicators/test_open_share", params={"lang": "en"}).headers["etag"] != tag


def test_values_computed_across_a_swap_are_not_filed_under_the_old_build(home, tmp_path):
    """The build id is read (and trusted for BUILD_TTL_S) before a value is made; a swap in
    between must not leave the new file's values cached under the old id."""
    import asyncio
    import shutil

    from aiatlas.web.service import Service

    live = tmp_path / "live"
    shutil.copytree(home, live)
    svc = Service(home=live)
    old = asyncio.run(svc.build_id())
    ps.write_warehouse(live, ps.fixture_rows()[:2], build_id="build-2")
    body = asyncio.run(svc.compute("test_open_share", {}, old, part="json"))  # made on the swapped file
    assert old == "build-1" and json.loads(body)["build_id"] == "build-2"
    memo = api.warehouse(home=live)  # the handle on the swapped file holds the memo
    for part in ("result", "json"):
        assert memo.peek(("web", old, "compute", "test_open_share", (), part)) is None
    assert asyncio.run(svc.build_id()) == "build-2"
    asyncio.run(svc.compute("test_open_share", {}, part="json"))
    for part in ("result", "json"):
        assert memo.peek(("web", "build-2", "compute", "test_open_share", (), part)) is not None


def test_start_up_objects_are_frozen_out_of_the_collector_while_serving(home):
    import gc

    before = sys.getswitchinterval()
    with TestClient(create_app(home=home)) as serving:
        assert serving.get("/api/build").status_code == 200
        assert gc.get_freeze_count() > 10_000  # modules, registry, app: never walked again
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S  # the loop gets the GIL back sooner
    assert gc.get_freeze_count() == 0  # unfrozen when the server stops
    assert sys.getswitchinterval() == before


def test_the_engine_is_loaded_before_start_up_is_frozen(home, tmp_path, monkeypatch):
    """What the first cache miss loads (a pooled connection, Ibis's compiler) is loaded before
    the freeze, so the collector never walks it either; with no warehouse built yet the
    server still starts, and says so per request."""
    import gc

    from aiatlas.warehouse.connect import Warehouse

    order = []
    monkeypatch.setattr(Warehouse, "warm", lambda w: order.append(("warm", w.build_id)))
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: order.append("freeze") or freeze())
    with TestClient(create_app(home=home)) as serving:
        assert serving.get("/api/build").status_code == 200
    assert order == [("warm", "build-1"), "freeze"]
    order.clear()
    with TestClient(create_app(home=tmp_path)) as serving:
        assert serving.get("/api/indicators/test_open_share").status_code == 503
    assert order == ["freeze"]


def test_snapshots(client):
    snaps = client.get("/api/snapshots").json()["snapshots"]
    assert snaps[0]["sha256"] == ps.SHA


def test_real_chips_api_over_http(client):
    assert client.get("/api/chips").json() == []  # the fixture warehouse has no hardware rows
    res = client.get("/api/chips/classify", params={"int8_tops": "624", "fp16_tflops": "312",
                                                    "die_area": "826", "io_bandwidth_gbs": "400",
                                                    "datacenter": "true", "rules": "us-2023-10"})
    body = res.json()  # the worked example: an A100-like chip sits above TPP 4800
    assert (body["status"], body["tpp"], body["rule_set"]) == ("3A090.a", 4992.0, "us-2023-10")
    res = client.get("/api/chips/classify", params={"name": "No Such Chip"})
    assert res.status_code == 422 and "no accelerator named" in res.json()["detail"]
    res = client.get("/api/chips", params={"rules": "bogus"})
    assert res.status_code == 422 and "us-2023-10" in res.json()["detail"]


def test_chips_api_lights_up_when_present(client, monkeypatch):
    from aiatlas import api

    def classify_chip(name=None, *, home=None, rules=None, int8_tops=None, datacenter=None):
        return {"name": name, "int8_tops": int8_tops, "datacenter": datacenter, "home": str(home)}

    monkeypatch.setattr(api, "classify_chip", classify_chip, raising=False)
    assert client.get("/api/chips/classify", params={"name": "4090"}).json() == {
        "name": "4090", "int8_tops": None, "datacenter": None, "home": str(client.app.state.service.home)}
    got = client.get("/api/chips/classify", params={"int8_tops": "624", "datacenter": "true"}).json()
    assert got["int8_tops"] == 624.0 and got["datacenter"] is True
    res = client.get("/api/chips/classify", params={"colour": "x"})
    assert res.status_code == 422 and "colour" in res.json()["detail"]


def test_oversized_query_and_encoded_traversal(client):
    assert client.get(IND, params={"since": "1" * 5000}).status_code == 414
    assert client.get("/static/%2e%2e/pyproject.toml").status_code == 400
    assert client.get("/static/%252e%252e/pyproject.toml").status_code == 400
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/style.css").status_code == 200


def test_traversal_on_the_wire(home):
    with ps.LiveServer(create_app(home=home)) as srv:
        for target in ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                       "/static/..%2fpyproject.toml", "/indicators/..%2f..%2fpyproject.toml",
                       "/static/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"):
            assert ps.raw_get(srv.port, target) == 400, target
        assert ps.raw_get(srv.port, "/static/style.css") == 200


def test_cors_off_unless_configured(home, monkeypatch):
    hdr = {"Origin": "https://example.org"}
    res = TestClient(create_app(home=home)).get("/api/indicators", headers=hdr)
    assert "access-control-allow-origin" not in res.headers
    monkeypatch.setenv(CORS_ENV, "https://example.org")
    res = TestClient(create_app(home=home)).get("/api/indicators", headers=hdr)
    assert res.headers["access-control-allow-origin"] == "https://example.org"


@pytest.mark.slow
def test_pages_in_both_languages(client):
    page = client.get("/indicators/test_models_by_country", params={"since": "2021", "countries": "USA"})
    assert page.status_code == 200
    html = page.text
    # the JSON twin is exactly what is shown: parameters plus the view (old ?countries= links too)
    assert 'href="/api/indicators/test_models_by_country.json?since=2021&amp;country=USA"' in html
    assert '<script src="/static/vega-bundle.js"></script>' in html and "cdn" not in html.lower()
    assert '<input type="checkbox" value="USA" checked> United States' in html
    assert '<input type="checkbox" value="CHN"> China' in html
    assert "<td>CHN</td>" not in html  # the country filter applies to the table too
    ja = client.get("/indicators/test_models_by_country", params={"lang": "ja"}).text
    assert '<html lang="ja">' in ja and "適用" in ja
    assert "適用" not in client.get("/").text and "日本語" in client.get("/").text
    chapter_ja = client.get("/chapters/testing", params={"lang": "ja"})
    assert chapter_ja.status_code == 200 and "単位: モデル数" in chapter_ja.text  # units translated
    assert "単位: fraction" in chapter_ja.text  # a unit the catalogs lack shows as registered
    assert client.get("/chapters/nothing").status_code == 404
    bundle = client.get("/static/vega-bundle.js")
    assert bundle.status_code == 200 and "vegaEmbed" in bundle.text


def test_api_docs_page_needs_no_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/openapi.json" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    js = client.get("/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 100_000 and client.get("/static/swagger-ui.css").status_code == 200


def test_openapi_names_ids_and_parameters(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/indicators/{id}"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"id", "since", "until", "open_only", "top"} <= names
    id_param = next(p for p in op["parameters"] if p["name"] == "id")
    assert set(ps.TEST_IDS) <= set(id_param["schema"]["enum"])


@pytest.mark.slow
def test_rebuild_is_picked_up_without_failed_requests(home, tmp_path):
    """Requests in a loop while the warehouse file is swapped: all 200, new build seen."""
    import shutil

    live = tmp_path / "live"
    shutil.copytree(home, live)
    stop, statuses, builds = threading.Event(), [], set()

    with ps.LiveServer(create_app(home=live)) as srv:
        def hammer():
            with httpx.Client(base_url=srv.url, timeout=10) as c:
                while not stop.is_set():
                    for url in (IND + "?since=2020", "/api/snapshots", "/indicators/test_open_share"):
                        r = c.get(url)
                        statuses.append(r.status_code)
                        if url.startswith(IND):
                            builds.add(r.json()["build_id"])

        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for w in workers:
            w.start()
        for _ in range(600):  # serving the first build before we swap (at most 30 s)
            if "build-1" in builds:
                break
            threading.Event().wait(0.05)
        rows = ps.fixture_rows()
        for i in range(2, 7):  # five rebuilds, each adding a model
            rows.append({"model_id": f"new-{i}", "name": f"New {i}", "countries": ["JPN"],
                         "year": 2023, "open_weights": True})
            ps.write_warehouse(live, rows, build_id=f"build-{i}")
            threading.Event().wait(0.4)
        with httpx.Client(base_url=srv.url) as c:
            for _ in range(50):  # the new build shows within a few seconds (BUILD_TTL_S)
                final = c.get(IND, params={"since": "2023"}).json()
                if final["build_id"] == "build-6":
                    break
                threading.Event().wait(0.1)
        stop.set()
        for w in workers:
            w.join()
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert final["build_id"] == "build-6"
    assert {"country": "JPN", "year": 2023, "value": 5} in final["rows"]
    assert "build-1" in builds and len(builds) >= 3


def test_headlines_on_the_dashboard_and_as_json(client):
    from aiatlas.report import headlines

    body = client.get("/api/headlines").json()["headlines"]
    assert [h["key"] for h in body] == [d["key"] for d in headlines.declared()]
    for h in body:
        assert h["available"] or h["reason"]
    index = client.get("/", params={"lang": "ja"}).text
    assert "主な数値" in index and 'href="/api/headlines"' in index


def test_indicator_page_links_carry_its_parameters(client):
    html = client.get("/indicators/test_models_by_country", params={"since": "2022"}).text
    for href in ("/api/indicators/test_models_by_country.csv?since=2022",
                 "/api/indicators/test_models_by_country/explain.csv?since=2022"):
        assert f'href="{href}"' in html
        assert client.get(href).status_code == 200
