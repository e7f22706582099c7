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
    with ps.test_indicators(), ps.LiveServer(create_app(home=home)) as srv:
        yield srv


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


def colours(page) -> dict[str, str]:
    """Each direct label's text and its colour, read from the drawn SVG."""
    return dict(page.eval_on_selector_all(
        "#chart svg g.mark-text text", "els => els.map(e => [e.textContent, e.getAttribute('fill')])"))


def test_country_filter_and_japanese(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?lang=ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    chart_years(page)
    before = colours(page)
    page.fill("#country-search", "中")  # the picker searches names in the reader's language
    assert page.locator("#country-list label:visible").count() == 1
    page.check("#country-list input[value=CHN]")
    page.fill("#time-from", "2021")
    page.click("form#params button[type=submit]")
    page.wait_for_url("**country=CHN**")
    assert "time=2021.." in page.url
    assert chart_years(page) <= {"2021", "2022", "2023"}
    labels = " ".join(page.eval_on_selector_all(
        "#chart svg [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))"))
    assert "中国" in labels and "米国" not in labels  # country names in the reader's language
    after = colours(page)
    assert after and all(before[k] == v for k, v in after.items() if k in before)  # same colours
    assert page.locator("form#params button").inner_text() == "適用"
    # the CSV link downloads exactly the rows the table shows
    csv_href = page.get_attribute("a.csv", "href")
    lines = page.request.get(server.url + csv_href).text().strip().splitlines()[1:]
    assert len(lines) == page.locator("table.data tbody tr").count() and all("CHN" in x for x in lines)
    page.screenshot(path=str(OUT / "dashboard-indicator-ja.png"), full_page=True)


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_type_fits_the_width_without_console_errors(server, page, width, lang):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in m.text
            and "404" not in m.text else None)
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", "/chapters/testing", "/indicators/test_models_by_country"):
        page.goto(f"{server.url}{path}?lang={lang}")
        if path.startswith("/indicators"):
            chart_years(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} at {width}px overflows by {overflow}px"
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT / f"dashboard{path.replace('/', '-')}-{lang}-{width}.png"), full_page=True)
    assert errors == []
