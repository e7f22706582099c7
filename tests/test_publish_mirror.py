"""Report, API and rebuild swap on the real warehouse built from the mirror (every registered indicator)."""
from __future__ import annotations

import shutil
import threading
from urllib.parse import urlsplit

import httpx
import publish_support as ps
import pytest
from conftest import openalex_indicators
from fastapi.testclient import TestClient

from aiatlas import api
from aiatlas.report import headlines
from aiatlas.web.app import create_app

pytestmark = [pytest.mark.mirror, pytest.mark.xdist_group("mirror-report")]
CONTROLLED_NOT = ("not controlled", "indeterminate")


@pytest.fixture(scope="module")
def report(mirror_reports):
    return mirror_reports["ja"]


def test_every_indicator_renders_on_real_data(report):
    not_ingested = openalex_indicators()  # the mirror holds no OpenAlex works
    assert set(report["failed"]) == not_ingested
    assert all("openalex ingest" in reason for reason in report["failed"].values())
    out = report["out"]
    for meta in api.list_indicators():
        if meta["id"] in not_ingested:
            continue
        assert (out / "data" / f"{meta['id']}.csv").is_file(), meta["id"]
        assert (out / "explain" / f"{meta['id']}.csv").is_file() == meta["explainable"], meta["id"]
    for page in out.glob("*.html"):
        parsed = ps.parse_page(page)
        for link in parsed.links:
            url = urlsplit(link)
            if url.scheme:  # a cited source's page, on the publisher's site
                assert url.scheme in ("http", "https") and url.hostname, (page.name, link)
                assert url.hostname not in ("localhost", "127.0.0.1"), (page.name, link)
                continue
            assert (out / link.split("#")[0]).is_file() or link.startswith("#"), (page.name, link)
        for art in parsed.articles:
            if art["id"] in not_ingested:
                assert art["unavailable"] and not art["table"], (page.name, art["id"])
                continue
            assert art["table"] and art["csv"], (page.name, art["id"])


def test_controlled_accelerators_headline_agrees_with_the_chip_classifier(report, built_home):
    head = next(h for h in report["headlines"] if h["key"] == "controlled_accelerators")
    assert head["available"], head["reason"]
    by_classifier = sum(1 for c in api.chips(home=built_home) if c["status"] not in CONTROLLED_NOT)
    assert head["values"][0]["value"] == by_classifier > 0
    assert head["provenance"] and all(len(p["sha256"]) == 64 for p in head["provenance"])


def test_headlines_are_numbers_or_say_why(report):
    for h in report["headlines"]:
        if h["available"]:
            assert all(isinstance(v["value"], (int, float)) for v in h["values"]), h
        else:
            assert h["reason"], h
    assert [h["key"] for h in report["headlines"]] == [d["key"] for d in headlines.declared()]


def test_api_serves_every_indicator_like_the_python_api(built_home):
    client = TestClient(create_app(home=built_home))
    not_ingested = openalex_indicators()
    for meta in api.list_indicators():
        res = client.get(f"/api/indicators/{meta['id']}")
        if meta["id"] in not_ingested:  # no data here: a clear 404 with the hint, never a 5xx
            assert res.status_code == 404 and "openalex ingest" in res.json()["hint"], res.text
            continue
        assert res.status_code == 200, (meta["id"], res.text[:300])
        assert len(res.json()["rows"]) == api.compute(meta["id"], home=built_home).table.num_rows
        page = client.get(f"/indicators/{meta['id']}", params={"lang": "ja"})
        assert page.status_code == 200 and (meta["id"] in page.text)


def test_real_rebuild_swapped_under_load(built_home, tmp_path, monkeypatch):
    """A real `build` (forced: the version stamp differs) while four clients loop: all 200."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    old = api.build_info(home=home)["build_id"]
    ind = api.list_indicators()[0]["id"]
    stop, statuses, seen = threading.Event(), [], set()
    with ps.LiveServer(create_app(home=home)) as srv:
        def hammer():
            with httpx.Client(base_url=srv.url, timeout=30) as c:
                while not stop.is_set():
                    for url in (f"/api/indicators/{ind}", "/api/snapshots", "/"):
                        r = c.get(url)
                        statuses.append(r.status_code)
                        if url.startswith("/api/indicators"):
                            seen.add(r.json()["build_id"])

        workers = [threading.Thread(target=hammer) for _ in range(4)]
        for w in workers:
            w.start()
        import aiatlas.warehouse.build as wb

        monkeypatch.setattr(wb, "_version", lambda: "rebuild-test")
        new = api.build(home=home)["build_id"]
        with httpx.Client(base_url=srv.url) as c:
            for _ in range(50):
                if c.get("/api/build").json()["build_id"] == new:
                    break
                threading.Event().wait(0.1)
            assert c.get(f"/api/indicators/{ind}").json()["build_id"] == new
        stop.set()
        for w in workers:
            w.join()
    assert new != old and old in seen
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
