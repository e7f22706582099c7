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
def tabs():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield Tabs(b.new_context())
        b.close()


class Tabs:
    """Three tabs of one browser context, each page opened in one of them: a new context per
    page cost a renderer and a fresh parse of the 900 kB chart bundle each time. Every dialog
    any tab opens is recorded with the URL of the page that opened it."""

    def __init__(self, context, n: int = 3):
        self.dialogs: list = []
        self.pages = [context.new_page() for _ in range(n)]
        for page in self.pages:
            page.on("dialog", lambda d, page=page: (self.dialogs.append((page.url, d.message)),
                                                    d.dismiss()))

    def visit(self, urls: list[str], wait_chart: bool = False) -> int:
        """Open the pages, as many at a time as there are tabs, and let their scripts and
        charts run (200 ms more once the last of them has loaded); how many show the payload as
        text (it reached the page) while none of its elements exist (it stayed text)."""
        shown = 0
        for i in range(0, len(urls), len(self.pages)):
            batch = list(zip(self.pages, urls[i:i + len(self.pages)]))
            for page, url in batch:
                page.goto(url)
                if wait_chart:
                    page.wait_for_function(
                        "!document.getElementById('chart') || "
                        "document.getElementById('chart').dataset.ready !== '0'", timeout=20_000)
            self.pages[0].wait_for_timeout(200)
            for page, url in batch:
                shown += "<svg onload=alert(3)>" in page.inner_text("body")
                injected = page.eval_on_selector_all("img[src='x'], svg[onload]", "els => els.length")
                assert injected == 0, f"payload became markup on {url}"
        return shown


def test_no_payload_runs_in_the_dashboard(home, tabs):
    tabs.dialogs.clear()
    with ps.LiveServer(create_app(home=home)) as srv:
        shown = 0
        for ind in api.list_indicators():
            rows = ([] if ind["id"] in openalex_indicators()  # no OpenAlex data here
                    else api.compute(ind["id"], home=home).to_pylist())
            if not rows:
                continue
            # the table holds the text columns; the map names
            shown += tabs.visit([f"{srv.url}/indicators/{ind['id']}?tab={tab}"
                                 for tab in ("chart", "table", "map")], wait_chart=True)
        tabs.visit([srv.url + "/"])
    assert shown >= 3, "the payload must actually reach some pages, escaped"
    assert tabs.dialogs == []


def test_no_payload_runs_in_the_report(home, tabs, tmp_path):
    out = tmp_path / "report"
    build_report(out, home=home)
    pages = sorted(out.rglob("*.html"))
    assert pages
    tabs.dialogs.clear()
    hits = tabs.visit([path.as_uri() for path in pages])
    assert hits >= 1, "the payload must reach the report, escaped"
    assert tabs.dialogs == []
