"""The dashboard in Debian's chromium via Playwright: change a parameter, the chart redraws with it."""
from __future__ import annotations

import shutil
from pathlib import Path

import publish_support as ps
import pytest

from aiatlas.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("publish-browser")]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
OUT = Path(__file__).resolve().parent.parent / "out"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    home = tmp_path_factory.mktemp("browserhome")
    ps.write_warehouse(home)
    ps.register_test_indicators()
    with ps.LiveServer(create_app(home=home)) as srv:
        yield srv
    ps.unregister_test_indicators()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1100, "height": 900})
        # Nothing may leave the machine: the chart library must come from the app itself.
        pg.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                 else route.abort())
        yield pg
        browser.close()


def chart_years(page) -> set[str]:
    """Years of the points drawn in the chart, read from the SVG marks' aria labels."""
    page.wait_for_selector('#chart[data-ready="1"] svg', timeout=20_000)
    labels = page.eval_on_selector_all("#chart svg [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
    return {part.split(":")[1].strip() for label in labels for part in label.split(";")
            if part.strip().startswith("year:")}


def test_change_a_parameter_and_the_chart_follows(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country")
    assert chart_years(page) == {"2019", "2020", "2021", "2022", "2023"}
    page.fill("input[name=since]", "2022")
    page.click("form#params button[type=submit]")
    page.wait_for_url("**since=2022**")
    assert chart_years(page) == {"2022", "2023"}
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / "dashboard-indicator.png"), full_page=True)
    twin = page.get_attribute("a.json-twin", "href")
    assert twin.startswith("/api/indicators/test_models_by_country.json?") and "since=2022" in twin
    assert page.request.get(server.url + twin).json()["meta"]["params"]["since"] == 2022


def test_country_filter_and_japanese(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?lang=ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.select_option("select[name=countries]", ["CHN"])
    page.click("form#params button[type=submit]")
    page.wait_for_url("**countries=CHN**")
    chart_years(page)
    labels = " ".join(page.eval_on_selector_all(
        "#chart svg [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))"))
    assert "中国" in labels and "米国" not in labels  # country names in the reader's language
    assert page.locator("form#params button").inner_text() == "適用"
    page.screenshot(path=str(OUT / "dashboard-indicator-ja.png"), full_page=True)
