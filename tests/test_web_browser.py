"""The dashboard in Debian's chromium via Playwright: change a parameter, the chart redraws with it."""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import publish_support as ps
import pytest

from aiatlas.report.build import build_report
from aiatlas.web import grapher
from aiatlas.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("publish-browser")]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
OUT = Path(__file__).resolve().parent.parent / "out" / "screenshots"  # for review, as #15 asks


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    home = tmp_path_factory.mktemp("browserhome")
    ps.write_warehouse(home)
    with ps.test_indicators(), ps.LiveServer(create_app(home=home)) as srv:
        srv.home = home  # the static report is built on the same warehouse
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
    # the view's time range is the one from / to pair (the indicator's since/until stay hidden)
    assert page.locator("input[name=since]:not([type=hidden])").count() == 0
    page.fill("#time-from", "2022")
    page.click("form#params button[type=submit]")
    page.wait_for_url("**time=2022**")
    assert chart_years(page) == {"2022", "2023"}
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "dashboard-indicator.png"), full_page=True)
    twin = page.get_attribute("a.json-twin", "href")
    assert twin.startswith("/api/indicators/test_models_by_country.json?") and "time=2022" in twin
    assert {r["year"] for r in page.request.get(server.url + twin).json()["rows"]} == {2022, 2023}
    # a parameter given in the URL is still the computation's, kept through the form
    page.goto(f"{server.url}/indicators/test_models_by_country?since=2023")
    assert chart_years(page) == {"2023"}
    page.click("form#params button[type=submit]")
    page.wait_for_url("**since=2023**")


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
    page.click("a.tab-table")  # the table tab keeps the view
    page.wait_for_url("**tab=table**")
    assert "country=CHN" in page.url and "time=2021.." in page.url
    # the CSV link downloads exactly the rows the table shows
    csv_href = page.get_attribute("a.csv", "href")
    lines = page.request.get(server.url + csv_href).text().strip().splitlines()[1:]
    assert len(lines) == page.locator("table.data tbody tr").count() and all("CHN" in x for x in lines)
    page.screenshot(path=str(OUT / "dashboard-indicator-ja.png"), full_page=True)


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_type_fits_the_width_without_console_errors(server, page, width, lang):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", "/chapters/testing", "/indicators/test_models_by_country",
                 "/indicators/test_models_by_country?tab=table", "/indicators/test_models_by_country?tab=map",
                 "/embed/indicators/test_models_by_country?tab=map", "/country/CHN",
                 "/compare?countries=USA~CHN"):
        page.goto(f"{server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
        if "tab=map" in path:
            page.wait_for_selector('#chart[data-ready="1"] svg', timeout=20_000)
        elif path.startswith("/indicators") and "tab=" not in path:
            chart_years(page)
            # the chart fits its box, and so does every line of its title (wrapped, never cut)
            fit = page.evaluate("""() => {
                const box = document.getElementById('chart'), svg = box.querySelector('svg');
                const b = svg.getBoundingClientRect();
                const t = [...svg.querySelectorAll('[class*="role-title"] text')].map(e => e.getBoundingClientRect());
                return {svg: b.width, box: box.clientWidth, lines: t.length,
                        left: Math.min(...t.map(r => r.left - b.left)), right: Math.max(...t.map(r => r.right - b.left))};
            }""")
            assert fit["svg"] <= fit["box"] + 1 and fit["lines"] >= 1, fit
            assert fit["left"] >= 0 and fit["right"] <= fit["svg"] + 1, fit
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} at {width}px overflows by {overflow}px"
        OUT.mkdir(parents=True, exist_ok=True)
        name = path.replace("/", "-").replace("?", "-").replace("=", "-")
        page.screenshot(path=str(OUT / f"dashboard{name}-{lang}-{width}.png"), full_page=True)
    assert errors == []


def test_map_tab_draws_the_world_with_no_data_apart_from_zero(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?tab=map")
    page.wait_for_selector('#chart[data-ready="1"] svg', timeout=20_000)
    fills = page.eval_on_selector_all("#chart svg path[aria-roledescription='geoshape']",
                                      "els => els.map(e => e.getAttribute('fill'))")
    assert len(fills) > 150  # every country of the geometry is drawn
    grey = [f for f in fills if f == grapher.NO_DATA_COLOUR]
    coloured = [f for f in fills if f != grapher.NO_DATA_COLOUR]
    assert len(grey) > 100 and len(coloured) == 4  # USA, CHN; GBR and FRA at zero in 2023
    assert len(set(coloured)) == 3  # the two zeros share the scale's low end, apart from grey
    assert page.locator("a.tab-map").get_attribute("aria-current") == "page"
    # the year slider moves the map and keeps the tab in the URL
    page.focus("#map-year")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url("**time=2022**")
    assert "tab=map" in page.url and page.input_value("#map-year") == "2022"
    page.keyboard.press("Tab")  # keyboard access: the tabs are links in the tab order
    page.click("a.tab-chart")
    page.wait_for_url("**tab=chart**")
    assert chart_years(page) == {"2022"}


def test_toggles_live_in_the_url(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?country=USA~CHN")
    chart_years(page)
    page.click("a.scale-log")
    page.wait_for_url("**scale=log**")
    chart_years(page)
    assert "Log scale" in page.inner_text("#chart")
    page.click("a.measure-world")
    page.wait_for_url("**share_of=world**")
    assert "scale=log" in page.url and "country=USA~CHN" in page.url
    chart_years(page)
    assert page.locator("a.measure-world").get_attribute("aria-current") == "true"
    twin = page.request.get(server.url + page.get_attribute("a.json-twin", "href")).json()
    assert twin["meta"]["params"]["share_of"] == "world"
    page.click("a.measure-absolute")
    page.wait_for_url(lambda u: "share_of" not in u)
    assert "scale=log" in page.url


def test_zip_holds_the_visible_rows(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?tab=table&country=USA~GBR&time=2020..2022&lang=ja")
    visible = page.eval_on_selector_all(
        "table.data tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.title || c.textContent.trim()))")
    z = zipfile.ZipFile(io.BytesIO(page.request.get(server.url + page.get_attribute("a.zip", "href")).body()))
    rows = list(csv.reader(io.StringIO(z.read("test_models_by_country.csv").decode())))[1:]
    assert visible and [r[:2] for r in rows] == [v[:2] for v in visible]
    assert json.loads(z.read("metadata.json"))["view"] == {"country": "USA~GBR", "time": "2020..2022"}


def test_embed_snippet_frames_the_same_view(server, page):
    page.goto(f"{server.url}/indicators/test_models_by_country?tab=map&lang=ja")
    page.click("details.embed summary")
    code = page.input_value("#embed-code")
    src = code.split('src="')[1].split('"')[0]
    assert code.startswith("<iframe ") and src.startswith(server.url + "/embed/indicators/test_models_by_country?")
    assert "tab=map" in src and "lang=ja" in src
    page.set_viewport_size({"width": 600, "height": 600})
    page.goto(src)
    page.wait_for_selector('#chart[data-ready="1"] svg', timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator("header").count() == 0 and "aiatlas で開く" in page.inner_text("body")
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "dashboard-embed-ja-600.png"), full_page=True)
    page.set_viewport_size({"width": 1100, "height": 900})


@pytest.fixture(scope="module")
def report_site(server, tmp_path_factory):
    """The static report (HTML) built on the dashboard's fixture warehouse, in both languages."""
    out = tmp_path_factory.mktemp("report-site")
    for lang in ("en", "ja"):
        build_report(out / lang, lang=lang, home=server.home)
    return out


@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_report_page_type_fits_the_width_without_console_errors(report_site, page, width, lang):
    """The report's page types (index, each chapter, sources, and a country page when the data
    scores any) as a reader opens them from disk: no horizontal overflow, no console error."""
    site = report_site / lang
    names = ["index.html", "sources.html", *sorted(p.name for p in site.glob("chapter-*.html")),
             *sorted(p.name for p in site.glob("country-*.html"))[:1]]
    pg = page.context.browser.new_page(viewport={"width": width, "height": 900})  # no route: files only
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("request", lambda r: errors.append(f"request left the page's files: {r.url}")
          if not r.url.startswith("file://") else None)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        pg.goto((site / name).as_uri())
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{lang}/{name} at {width}px overflows by {overflow}px"
        pg.screenshot(path=str(OUT / f"report-{name.removesuffix('.html')}-{lang}-{width}.png"), full_page=True)
    pg.close()
    assert len(names) >= 3 and errors == []
