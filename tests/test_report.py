"""The static report over a tiny fixture warehouse: pages, charts with tables and CSVs, links, PDF."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import re
import zlib
from pathlib import Path
from urllib.parse import urlparse

import publish_support as ps
import pytest
from conftest import openalex_indicators
from markupsafe import escape
from typer.testing import CliRunner

from aiatlas.report import headlines
from aiatlas.report.build import build_report, build_reports
from aiatlas.report.i18n import Text

# one worker runs the whole module, so its module fixtures are built once
pytestmark = pytest.mark.xdist_group("publish-report")


@pytest.fixture(scope="module")
def fixture_home(tmp_path_factory):
    yield from ps.fixture_home(tmp_path_factory, "pubhome")


@pytest.fixture(scope="module")
def reports(fixture_home, tmp_path_factory):
    """Both languages built together (as `aiatlas report --lang en,ja` does), each in its folder."""
    return build_reports(tmp_path_factory.mktemp("report"), langs=("en", "ja"), pdf=True,
                         home=fixture_home)


NOT_INGESTED = openalex_indicators()  # the fixture home never ingests OpenAlex works


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.slow
def test_no_broken_links_and_every_chart_has_table_and_csv(reports, lang):
    out = reports[lang]["out"]
    pages = sorted(out.glob("*.html"))
    assert {"index.html", "chapter-testing.html", "chapter-testing2.html"} <= {p.name for p in pages}
    charts = 0
    for page in pages:
        parsed = ps.parse_page(page)
        for link in parsed.links:
            url = urlparse(link)
            assert not url.scheme and not url.netloc, f"{page.name}: external link {link}"
            if url.path:
                assert (out / url.path).is_file(), f"{page.name}: broken link {link}"
            if url.fragment:
                target = ps.parse_page(out / url.path) if url.path else parsed
                assert url.fragment in target.ids, f"{page.name}: missing anchor {link}"
        for art in parsed.articles:
            if art["unavailable"]:  # says why instead of a chart: only data never ingested here
                assert art["id"] in NOT_INGESTED, f"{page.name}#{art['id']} is not available"
                continue
            assert art["table"] and art["csv"], f"{page.name}#{art['id']} lacks its table or CSV"
            charts += art["svg"] and art["id"].startswith("test_")
    assert charts == 3  # all three test indicators have a grain to plot


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_csv_twin_holds_the_computed_rows(reports):
    out = reports["en"]["out"]
    with open(out / "data" / "test_models_by_country.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    usa = {r["year"]: int(r["value"]) for r in rows if r["country"] == "USA"}
    assert usa == {"2019": 1, "2020": 1, "2021": 1, "2022": 1, "2023": 2}
    twin = json.loads((out / "data" / "test_models_by_country.json").read_text(encoding="utf-8"))
    assert twin["build_id"] == "build-1" and len(twin["rows"]) == len(rows)
    assert twin["provenance"][0]["sha256"] == ps.SHA


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_explain_csv_rows_add_up_to_the_values(reports):
    out = reports["en"]["out"]
    with open(out / "explain" / "test_models_by_country.csv", encoding="utf-8") as f:
        explain = list(csv.DictReader(f))
    with open(out / "data" / "test_models_by_country.csv", encoding="utf-8") as f:
        values = list(csv.DictReader(f))
    for v in values:
        behind = [e for e in explain if (e["country"], e["year"]) == (v["country"], v["year"])]
        assert len(behind) == int(v["value"])
    assert not (out / "explain" / "test_open_share.csv").exists()  # not explainable
    assert "no row-level explanation" in (out / "chapter-testing.html").read_text(encoding="utf-8")


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_one_source_line_per_publisher_and_every_file_in_the_appendix(reports):
    page = (reports["en"]["out"] / "chapter-testing.html").read_text(encoding="utf-8")
    assert ps.SHA[:12] not in page  # checksums live in the appendix, not under every chart
    assert "Source: Epoch AI — Notable AI Models, CC BY 4.0, data as of 2026-01-01" in page
    assert "Notable AI Models by Epoch AI, licensed under CC BY 4.0" in page
    appendix = (reports["en"]["out"] / "sources.html").read_text(encoding="utf-8")
    assert ps.SHA[:12] in appendix and ps.SHA[:13] not in appendix
    for name in NOT_INGESTED:  # left out of the chapter, listed once in plain words
        assert f'id="{name}"' not in page


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_headlines_show_a_value_or_say_why(reports):
    heads = reports["en"]["headlines"]
    assert [h["key"] for h in heads] == [d["key"] for d in headlines.declared()]
    index = (reports["en"]["out"] / "index.html").read_text(encoding="utf-8")
    missing = [h for h in heads if not h["available"]]
    for h in heads:  # each number links to its indicator's section (footnotes, CSV, explain rows)
        if h["available"] and h["meta"]:
            assert f'href="chapter-{h["meta"]["chapter"]}.html#{h["indicator"]}"' in index
    assert index.count('<dd class="na">not available ') == len(missing)
    for h in missing:  # the reason in plain words; never a path or a command
        assert h["reason"] and not h["values"]
        assert (str(escape(h["reason"])) in index) != bool(h.get("missing_data"))
    for h in heads:
        if h["available"]:
            assert all(isinstance(v["value"], (int, float)) for v in h["values"])


def test_headline_of_an_unregistered_indicator_is_not_available(fixture_home):
    decl = {"key": "k", "indicator": "no_such_indicator", "params": {}, "column": "value"}
    h = headlines.evaluate(decl, home=fixture_home)
    assert not h["available"] and h["reason"] == "indicator 'no_such_indicator' is not registered yet"
    assert h["values"] == []


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_japanese_report(reports):
    out = reports["ja"]["out"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in index and "主な数値" in index and "データなし" in index
    chapter = (out / "chapter-testing.html").read_text(encoding="utf-8")
    assert "データ（CSV）" in chapter
    assert "スナップショット" in (out / "sources.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_pdf_written_with_embedded_fonts(reports, lang):
    pdf = reports[lang]["pdf"]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    # every chart printed as an image (rasterised by the drawing workers), none as vector marks
    charts = sum(len(re.findall(r'<figure class="chart">', p.read_text(encoding="utf-8")))
                 for p in reports[lang]["out"].glob("chapter-*.html"))
    assert charts and len(re.findall(rb"/Subtype\s*/Image", data)) >= charts
    if lang == "ja":  # Japanese text needs the CJK font embedded, or it prints as boxes
        assert any(b"CJK-JP" in name for name in pdf_fonts(data)), pdf_fonts(data)


def pdf_fonts(data: bytes) -> set[bytes]:
    """Names of the fonts embedded in a PDF, looking inside compressed object streams too."""
    find = re.compile(rb"/BaseFont\s*/([\w+-]+)")
    names = set(find.findall(data))
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        with contextlib.suppress(zlib.error):
            names |= set(find.findall(zlib.decompress(m.group(1))))
    return names


def test_headline_selection_latest_full_year_top_rows():
    rows = [{"country": "USA", "year": 2024, "value": 40}, {"country": "CHN", "year": 2024, "value": 15},
            {"country": "FRA", "year": 2024, "value": 3}, {"country": "USA", "year": 2025, "value": 9},
            {"country": "GBR", "year": 2023, "value": 99}]
    decl = {"latest": "year", "complete_years": True, "top": "value", "limit": 2}
    got = headlines.select(decl, rows, today=dt.date(2025, 6, 1))
    assert [(r["country"], r["value"]) for r in got] == [("USA", 40), ("CHN", 15)]
    assert headlines.select({"where": {"country": "GBR"}, "latest": "year"}, rows) == [rows[4]]
    assert headlines.select({"where": {"country": "XXX"}, "latest": "year"}, rows) == []
    total = {"where_not": {"country": ["USA", "GBR"]}, "sum": True, "column": "value"}
    assert headlines.select(total, rows) == [{"value": 18, "rows": 2}]


def test_headline_from_a_registered_indicator(fixture_home):
    decl = {"key": "k", "indicator": "test_models_by_country", "params": {"since": 2020},
            "latest": "year", "top": "value", "column": "value", "label": ["country"], "limit": 2}
    h = headlines.evaluate(decl, home=fixture_home)
    assert h["available"] and [(v["label"], v["value"]) for v in h["values"]] == [("USA", 2), ("CHN", 1)]
    h = headlines.evaluate(decl | {"column": "nope"}, home=fixture_home)
    assert not h["available"] and "'nope' not in the result" in h["reason"]


@pytest.mark.slow
def test_cli_report_prints_headlines_and_path(fixture_home, tmp_path):
    from aiatlas.cli import app

    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--lang", "ja",
                                   "--home", str(fixture_home)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "主な数値" in res.output and "データなし" in res.output
    assert re.search(r"report: .*index\.html", res.output.replace("\n", ""))
    assert (tmp_path / "r" / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_language_built_alone_is_the_same_as_built_with_the_other(reports, fixture_home,
                                                                     tmp_path, lang):
    """Sharing results and chart workers between languages changes no byte of any page, apart
    from the link to the page's twin in the other language (there only when built together)."""
    together = reports[lang]["out"]
    assert together.name == lang and reports[lang]["index"] == together / "index.html"
    alone = build_report(tmp_path, lang=lang, home=fixture_home)["out"]
    files = sorted(p.relative_to(together) for p in together.rglob("*")
                   if p.is_file() and p.suffix != ".pdf")
    assert files == sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file())
    switch = re.compile(rb'<a class="lang" href="\.\./(?:en|ja)/[^"]+" hreflang="(?:en|ja)">[^<]+</a>')
    for f in files:
        data = (together / f).read_bytes()
        assert len(switch.findall(data)) == (f.suffix == ".html" and f.parent == Path("."))
        assert switch.sub(b"", data) == (alone / f).read_bytes(), f


@pytest.mark.slow
def test_cli_report_builds_both_languages_into_their_folders(fixture_home, tmp_path):
    from aiatlas.cli import app

    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path), "--lang", "en,ja",
                                   "--home", str(fixture_home)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    printed = res.output.replace("\n", "")
    for lang in ("en", "ja"):
        assert (tmp_path / lang / "index.html").is_file() and f"{lang}/index.html" in printed
    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path), "--lang", "en,fr",
                                   "--home", str(fixture_home)])
    assert res.exit_code != 0 and "unknown language 'fr'" in str(res.exception)


def test_report_without_a_warehouse_says_how_to_build_one(tmp_path):
    from aiatlas.cli import app

    res = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r"), "--home", str(tmp_path)])
    assert res.exit_code != 0 and not (tmp_path / "r" / "index.html").exists()
    assert "no warehouse at" in str(res.exception)


def test_a_headline_says_what_its_number_rests_on():
    """The doubling time names its period and basis; the controlled count names its rule set."""
    row = {"n": 467, "first_date": dt.date(2010, 5, 13), "last_date": dt.date(2026, 7, 15)}
    spec = {"key": "headline_basis_fit", "fields": {"n": "n", "first": "first_date.year",
                                                    "last": "last_date.year"}}
    b = headlines.basis(spec, row)
    assert Text("en")(b["key"], **b["args"]) == ("a trend fitted to the 467 notable models with "
                                                  "known training compute published 2010–2026")
    rules = headlines.basis({"key": "headline_basis_rules", "rules_in_force": True}, {},
                            today=dt.date(2025, 6, 1))
    assert rules["args"] == {"rules": "us-2024-12", "effective": "2024-12-02"}
    declared = {d["key"]: d for d in headlines.declared()}
    assert declared["compute_doubling_time"]["basis"]["key"] == "headline_basis_fit"
    assert declared["controlled_accelerators"]["basis"]["rules_in_force"]
    assert [k for k, d in declared.items() if not d.get("basis")] == []  # every number says it
    arena = headlines.basis(declared["us_china_gap"]["basis"],
                            {"a_model": "A", "a_value": 1486.6, "b_model": "B", "b_value": 1445.8})
    assert Text("en")(arena["key"], **arena["args"]) == "A (1,487) against B (1,446)"
    # model names are the data's own: marked as names (never translated), escaped like any field
    assert str(Text("ja").marked(arena["key"], arena["names"], **arena["args"] | {"a": "<A>"})) == (
        '<span class="name" translate="no">&lt;A&gt;</span>（1,487）と'
        '<span class="name" translate="no">B</span>（1,446）の比較')
    share = headlines.basis(declared["industry_share"]["basis"], {"models": 94, "total": 102})
    assert Text("ja")(share["key"], **share["args"]) == "部門が分かるモデル102件のうち94件"
    for lang in ("en", "ja"):  # a label in one pair of brackets at most: its date follows in another
        assert all(Text(lang).headline(k).count("(") + Text(lang).headline(k).count("（") <= 1
                   for k in declared), lang


@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_a_table_lists_the_newest_period_first(reports):
    """A table cut to its first rows must keep the years a reader wants, not 1950 onwards: rows
    newest first (the CSV keeps the indicator's order)."""
    page = next(p for p in (reports["en"]["out"]).glob("*.html")
                if 'id="test-models-by-country"' in p.read_text(encoding="utf-8")
                or 'id="test_models_by_country"' in p.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    article = html[html.index("test_models_by_country.csv"):]
    years = [int(y) for y in re.findall(r"<td[^>]*>(20\d\d)</td>", article[:article.index("</table>")])]
    assert years and years[0] == 2023 and years == sorted(years, reverse=True)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.slow  # builds the whole report, both languages and the PDF
def test_no_printed_word_runs_into_the_right_margin(reports, lang):
    """Tables fit the page: a word past the right margin (15 mm) is a clipped column (the
    curated tables' source column ran to the paper's edge)."""
    import subprocess

    xml = subprocess.run(["pdftotext", "-bbox", str(reports[lang]["pdf"]), "-"], check=True,
                         capture_output=True, text=True).stdout
    margin = 15 / 25.4 * 72 - 1  # points, less a point of rounding
    over = []
    for page, (width, body) in enumerate(re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', xml, re.S), 1):
        over += [(page, w) for x, w in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', body)
                 if float(x) > float(width) - margin]
    assert not over, over[:10]
