"""Hostile data: a script payload in every text column of the warehouse never runs, in the
dashboard or in the static report (Debian's chromium via Playwright, watching for dialogs)."""
from __future__ import annotations

import shutil

import duckdb
import publish_support as ps
import pytest
from conftest import FIXTURES, openalex_indicators
from snapshots import make_snapshot

from aiatlas import api
from aiatlas.report.build import build_report
from aiatlas.warehouse.schema import TABLES
from aiatlas.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("publish-browser")]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
# Closes a script block, an attribute and an SVG text; each variant calls alert() if it escapes.
PAYLOAD = ("</script><script>alert(1)</script><img src=x onerror=alert(2)>'\"><svg onload=alert(3)>"
           "\u2028{{7*7}}")


def poison(home) -> None:
    """Append the payload to every text value (and every list entry) of every data table."""
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        for table, cols in TABLES.items():
            if table.startswith("_"):
                continue
            sets = [f'"{c.name}" = "{c.name}" || $p' if c.type == "VARCHAR" else
                    f'"{c.name}" = list_transform("{c.name}", lambda x: x || $p)'
                    for c in cols if c.type in ("VARCHAR", "VARCHAR[]")]
            if sets:
                con.execute(f'UPDATE "{table}" SET {", ".join(sets)}', {"p": PAYLOAD})
    finally:
        con.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium", pytrace=False)
    home = tmp_path_factory.mktemp("hostile")
    data = FIXTURES / "data"
    make_snapshot(home, "epoch_notable_models", {"notable_ai_models.csv": data / "notable_current.csv"})
    make_snapshot(home, "epoch_ml_hardware", {"ml_hardware.csv": data / "ml_hardware.csv"})
    api.build(home=home)
    poison(home)
    (name,) = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True).execute(
        "SELECT name FROM models LIMIT 1").fetchone()
    assert name.endswith(PAYLOAD)
    return home


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def visit(browser, url: str, dialogs: list, wait_chart: bool = False) -> bool:
    """Open a page, let its scripts and chart run; dialogs are recorded. True when the payload
    shows as text (it reached the page) and none of its elements exist (it stayed text)."""
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append((url, d.message)), d.dismiss()))
    page.goto(url)
    if wait_chart:
        page.wait_for_function(
            "!document.getElementById('chart') || document.getElementById('chart').dataset.ready !== '0'",
            timeout=20_000)
    page.wait_for_timeout(200)
    as_text = "<svg onload=alert(3)>" in page.inner_text("body")
    injected = page.eval_on_selector_all("img[src='x'], svg[onload]", "els => els.length")
    page.close()
    assert injected == 0, f"payload became markup on {url}"
    return as_text


def test_no_payload_runs_in_the_dashboard(home, browser):
    dialogs: list = []
    with ps.LiveServer(create_app(home=home)) as srv:
        shown = 0
        for ind in api.list_indicators():
            rows = ([] if ind["id"] in openalex_indicators()  # no OpenAlex data here
                    else api.compute(ind["id"], home=home).to_pylist())
            if not rows:
                continue
            for tab in ("chart", "table", "map"):  # the table holds the text columns; the map names
                shown += visit(browser, f"{srv.url}/indicators/{ind['id']}?tab={tab}", dialogs, wait_chart=True)
        visit(browser, srv.url + "/", dialogs)
    assert shown >= 3, "the payload must actually reach some pages, escaped"
    assert dialogs == []


def test_no_payload_runs_in_the_report(home, browser, tmp_path):
    out = tmp_path / "report"
    build_report(out, home=home)
    pages = sorted(out.rglob("*.html"))
    assert pages
    dialogs: list = []
    hits = 0
    for path in pages:
        hits += visit(browser, path.as_uri(), dialogs)
    assert hits >= 1, "the payload must reach the report, escaped"
    assert dialogs == []
