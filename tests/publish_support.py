"""Test support for the publish tests: a tiny fixture warehouse and test-only indicators over it."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import fixture_warehouse
import ibis
import pytest

from aiatlas.indicators import registry
from aiatlas.indicators.registry import Param

FIXTURE = Path(__file__).parent / "fixtures" / "publish" / "models.csv"
SHA = "ab12cd34ef56" + "0" * 52


def fixture_rows() -> list[dict]:
    """The hand-written models: one per line of models.csv."""
    with open(FIXTURE, encoding="utf-8") as f:
        return [{"model_id": r["model_id"], "name": r["name"], "countries": r["countries"].split(";"),
                 "year": int(r["year"]), "open_weights": r["open_weights"] == "true"}
                for r in csv.DictReader(f)]


def write_warehouse(home: Path, rows: list[dict] | None = None, build_id: str = "build-1") -> Path:
    """Write a warehouse file beside the live one and rename it in, as a real build does."""
    models = [{"model_id": r["model_id"], "name": r["name"], "countries": r["countries"],
               "year": r["year"], "open_weights": r["open_weights"],
               "publication_date": dt.date(r["year"], 6, 1)}
              for r in (rows if rows is not None else fixture_rows())]
    snapshot = {"source": "epoch_notable_models", "file": "notable_ai_models.csv",
                "snapshot_id": "epoch_notable_models/2026-01-02T00:00:00Z",
                "url": "https://example.org/models.csv", "sha256": SHA, "bytes": 500,
                "fetched_at": dt.datetime(2026, 1, 2), "as_of": "2026-01-01", "rows": 11}
    return fixture_warehouse.write_warehouse(home, {"models": models, "_snapshots": [snapshot]},
                                             build_id=build_id, built_at=dt.datetime(2026, 1, 3))


def _by_country(t, since: int = 2018, until: int = 2030, open_only: bool = False):
    m = _filtered(t, since, until, open_only)
    return m.group_by(["country", "year"]).aggregate(value=m.model_id.count()).order_by(
        ["year", "country"])


def _by_country_rows(t, since: int = 2018, until: int = 2030, open_only: bool = False):
    return _filtered(t, since, until, open_only).order_by(["year", "country", "model_id"])


def _filtered(t, since, until, open_only):
    m = t.models
    m = m.select(m.model_id, m.name, m.year, m.open_weights, country=m.countries.unnest())
    m = m.filter((m.year >= since) & (m.year <= until))
    return m.filter(m.open_weights) if open_only else m


def _open_share(t):
    m = t.models
    return m.group_by("year").aggregate(
        value=m.open_weights.cast("float64").mean()).order_by("year")


def _total_by_country(t, top: int = 10):
    m = t.models
    m = m.select(m.model_id, country=m.countries.unnest())
    out = m.group_by("country").aggregate(value=m.model_id.count())
    return out.order_by([ibis.desc("value"), "country"]).limit(top)


# The test-only indicators live in this test-local registry; `test_indicators()` shows them
# beside the real ones for the tests inside it, and the one registry is never written to.
TEST_REGISTRY: dict[str, registry.Indicator] = {}
registry.indicator(
    id="test_models_by_country", title="Test models by country", unit="models",
    chapter="testing", description="Models per developer country and year (test only).",
    sources=("models",), grain=("country", "year"), rows=_by_country_rows, into=TEST_REGISTRY,
    params=(Param("since", int, 2018, "first year"), Param("until", int, 2030, "last year"),
            Param("open_only", bool, False, "only open-weight models")))(_by_country)
registry.indicator(
    id="test_open_share", title="Test open share", unit="fraction", chapter="testing",
    description="Share of open-weight models per year (test only).", sources=("models",),
    grain=("year",), into=TEST_REGISTRY)(_open_share)
registry.indicator(
    id="test_total_by_country", title="Test total by country", unit="models",
    chapter="testing2", description="Models per country, all years (test only).",
    sources=("models",), grain=("country",), into=TEST_REGISTRY,
    params=(Param("top", int, 10, "how many countries", choices=(3, 5, 10)),))(_total_by_country)
TEST_IDS = tuple(TEST_REGISTRY)


@contextlib.contextmanager
def test_indicators():
    """The real indicators and the test-only ones, for the code run inside the block only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "REGISTRY", {**registry.load_all(), **TEST_REGISTRY})
        yield


class LiveServer:
    """uvicorn serving an app on a free loopback port in a background thread."""

    def __init__(self, app):
        import socket
        import threading

        import uvicorn

        from aiatlas.web import serving

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(serving.config(app, "127.0.0.1", self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def raw_get(port: int, target: str) -> int:
    """Send a GET with the request target exactly as given (clients normalize '..'); the status."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        head = s.recv(4096).decode("latin-1")
    return int(head.split(" ", 2)[1])


class Page(HTMLParser):
    """Collects links, ids and indicator articles (with their svg/table/csv) from one page."""

    def __init__(self):
        super().__init__()
        self.links, self.ids, self.articles, self.current = [], set(), [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])
        if tag == "article":
            self.current = {"id": a.get("id"), "svg": False, "table": False, "csv": None,
                            "unavailable": False}
            self.articles.append(self.current)
        elif self.current is not None:
            if tag == "svg":
                self.current["svg"] = True
            elif tag == "table":
                self.current["table"] = True
            elif tag == "p" and "error" in (a.get("class") or "").split():
                self.current["unavailable"] = True
            elif tag == "a" and "csv" in (a.get("class") or "").split():
                self.current["csv"] = a["href"]


def parse_page(path: Path) -> Page:
    """The links, ids and articles of one HTML file."""
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def fixture_home(tmp_path_factory, name: str):
    """A fixture warehouse with the test indicators shown, for one module."""
    home = tmp_path_factory.mktemp(name)
    write_warehouse(home)
    with test_indicators():
        yield home
