"""What a reader sees, on the mirror: no paths, commands, null or None anywhere; Japanese complete."""
from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from aiatlas import api
from aiatlas.report import findings, i18n, rules
from aiatlas.web.app import create_app

pytestmark = pytest.mark.xdist_group("mirror-report")

# A filesystem path, a shell command, or a missing value spelled as a programmer would.
NOISE = re.compile(r"(?<![\w.:/])/(?:tmp|work|root|home|usr|var|etc|opt|srv)/|`|\$ |"
                   r"\baiatlas (?:build|fetch|report|synth|serve|openalex|show)\b|pip install|"
                   r"\bnull\b|\bNULL\b|\bNone\b")
# Latin-script words a Japanese page may show outside data cells: proper names, units, formats.
JA_ALLOWED = {"aiatlas", "AI", "CSV", "JSON", "URL", "API", "Arena", "LMArena", "Epoch", "FLOP",
              "GPU", "TDP", "USD", "W", "H100", "EU27", "FP16", "BF16", "FP8", "FP32", "DeepMind",
              "Google", "Brain", "FAIR", "Meta", "OpenAlex", "MMLU", "GPQA", "Diamond", "Elo",
              "sha256", "OWID", "BibTeX", "EU", "INT8", "H100e", "log10",
              "English",  # the language switch names the other language in that language
              # publishers, makers and holders named as they name themselves
              "Nvidia", "NVIDIA", "AMD", "Microsoft", "Amazon", "Oracle", "CoreWeave", "xAI", "GitHub",
              "Capabilities", "Index", "ECI", "HBM", "ZIP", "LiveBench", "SWE-bench", "Verified",
              "MATH", "Level", "OTIS", "Mock", "AIME", "CHIPS",  # the US CHIPS and Science Act
              "LLM", "PyTorch", "TensorFlow",  # GitHub topics, by their own names
              "t"}  # Student's t (distribution)
# the other language's name on the language switch (the dashboard's "English" link)
SWITCH = {"English"}
# English words that are not proper names even when capitalised (a label left untranslated)
COMMON = {"Other", "All", "Unknown", "Total", "Yes", "No", "True", "False", "None"}
SKIP_TAGS = {"script", "style", "td", "code", "svg", "pre", "textarea"}  # code a reader copies
SKIP_CLASSES = ("sources", "attributions", "cite")  # publisher names, citations


class Visible(HTMLParser):
    """A page's visible text; `chrome` leaves out data cells, charts and citations (`skip`: the
    tags it leaves out)."""

    def __init__(self, chrome: bool = False, skip: set[str] = SKIP_TAGS):
        super().__init__()
        self.chrome, self.skip, self.stack, self.parts = chrome, skip, [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr"):
            return
        cls = dict(attrs).get("class") or ""
        skip = tag in ("script", "style") or (self.chrome and (
            tag in self.skip or any(c in cls for c in SKIP_CLASSES)
            or "name" in cls.split()))  # a name the data gives (a model's) is its own, in any language
        self.stack.append(bool(skip or (self.stack and self.stack[-1])))

    def handle_endtag(self, tag):
        if self.stack and tag not in ("br", "img", "meta", "link", "input", "hr"):
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible(html: str, chrome: bool = False, skip: set[str] = SKIP_TAGS) -> str:
    p = Visible(chrome, skip)
    p.feed(html)
    return " ".join(p.parts)


def noise(text: str) -> list[str]:
    return [text[max(0, m.start() - 50): m.end() + 30] for m in NOISE.finditer(text)]


# Internal syntax in reader prose: a backticked name, a parameter setting (measure=units) or a
# snake_case column or indicator id. File names and addresses in source lines are cited as they
# are; a <code> element holds a backticked name the page turned into code (a hash prefix aside).
SYNTAX = re.compile(r"`[^`]+`|\b[A-Za-z]\w*=\w+|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CITED = re.compile(r"https?://\S+|\b[\w.-]+\.(?:csv|yaml|json|zip|pdf|parquet|xlsx|gz)\b")
CODE = re.compile(r"<code>([^<]*)</code>")


def internal_syntax(html: str) -> list[str]:
    """Every column name, parameter setting or backticked name a reader sees on the page."""
    # prose and table cells, without code a reader copies (BibTeX), charts and citations
    # names the data itself gives (a model called '4 layer QRNN (h=2500)') are marked as such
    html = re.sub(r'<span class="name"[^>]*>[^<]*</span>', " ", html)
    text = CITED.sub(" ", visible(html, chrome=True, skip=SKIP_TAGS - {"td"}))
    found = [text[max(0, m.start() - 40): m.end() + 20] for m in SYNTAX.finditer(text)]
    prose = re.sub(r"<td[^>]*>.*?</td>", "", html, flags=re.S)  # a table's own cells aside
    return found + [f"<code>{c}</code>" for c in CODE.findall(prose)
                    if not re.fullmatch(r"[0-9a-f]{7,}", c)]


def test_the_internal_syntax_check_fails_on_the_old_prose():
    """The notes a new reader found (review section 9), as the pages showed them: each is caught."""
    old = ["<p>Cumulative AI chips held. <code>series</code> counts the designer series summed.</p>",
           "<p>CHN is Epoch's owner 'China'. unit: chips with measure=units.</p>",
           "<p>指標を「チップ数」（measure=units）にするとチップの個数。</p>",
           "<p>follower_date - leader_date in months of 30.44 days.</p>"]
    assert all(internal_syntax(h) for h in old)
    fine = ('<p class="sources">Epoch AI — <a href="https://epoch.ai/data/eci_scores.csv">'
            'eci_scores.csv</a> <code>01853dc4f43c</code></p><p>One value per: country, year.</p>'
            '<small><span class="name" translate="no">4 layer QRNN (h=2500)</span></small>')
    assert internal_syntax(fine) == []


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_pages_show_no_internal_syntax(mirror_reports, lang):
    pages = sorted(mirror_reports[lang]["out"].glob("*.html"))
    found = {p.name: hits for p in pages if (hits := internal_syntax(p.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_pages_hold_no_path_command_null_or_none(mirror_reports, lang):
    pages = sorted(mirror_reports[lang]["out"].glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        assert noise(visible(page.read_text(encoding="utf-8"))) == [], page.name


def english(text: str) -> set[str]:
    """Latin-script words outside the allowlist; a word holding a digit is a product or model
    code (A100, MI308, 3A090.a) and reads the same in both languages."""
    return {w for w in re.findall(r"(?<![0-9A-Za-z.])[A-Za-z][A-Za-z0-9'’-]*", text.replace("FLOP/s", "FLOP"))
            if w not in JA_ALLOWED and not re.search(r"\d", w)}


# Chart text in vl-convert's SVG: titles and axis/legend titles are ours and must be Japanese;
# category labels (axis labels, legend labels, direct labels) may be proper names from the data
CHART_OWN = ("role-title-text", "role-title-subtitle", "role-axis-title", "role-legend-title")
CHART_TEXT = re.compile(r'<g class="mark-text ([^"]+)"[^>]*>(.*?)</g>', re.S)


def chart_english(html: str) -> set[str]:
    """English in a page's charts: any word outside the allowlist in a title, subtitle or axis or
    legend title; in a category label, a lower-case word (an id: mmlu, east_asia, not controlled)
    unless the label is a capitalised name (University of Tokyo), or a common English word."""
    out = set()
    for role, body in CHART_TEXT.findall(html):
        for label in (unescape(re.sub(r"<[^>]+>", "", t)) for t in re.findall(r"<text[^>]*>(.*?)</text>", body, re.S)):
            words = english(label)
            if any(r in role for r in CHART_OWN):
                out |= words
            else:
                named = re.match(r"[A-Z0-9]", label.strip()) and not words & COMMON
                out |= set() if named else words
    return out


def test_japanese_report_is_complete(mirror_reports):
    assert mirror_reports["ja"]["untranslated"] == []
    assert mirror_reports["en"]["untranslated"] == []
    for page in sorted(mirror_reports["ja"]["out"].glob("*.html")):
        html = page.read_text(encoding="utf-8")
        words = english(visible(html, chrome=True)) | chart_english(html)
        assert not words, f"{page.name}: English outside the allowlist: {sorted(words)}"


def test_the_reader_text_check_sees_the_page():
    """The checks above read what a reader sees (a parser that skips everything passes anything)."""
    html = ('<html><head><title>Title here</title></head><body><p class="sources">Publisher</p>'
            '<p>本文 stray</p><table><tr><td>Cell</td></tr></table>'
            '<svg><g class="mark-text role-axis-title"><text>軸 word</text></g>'
            '<g class="mark-text role-axis-label"><text>east_asia</text><text>Stanford University</text>'
            '<text>Other</text></g></svg></body></html>')
    assert english(visible(html, chrome=True)) == {"Title", "here", "stray"}
    assert english(visible('<p>比較 <span class="name" translate="no">Gemini Pro</span> word</p>', chrome=True)) == {"word"}
    assert chart_english(html) == {"word", "east", "asia", "Other"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_dashboard_pages_hold_no_path_command_null_or_none(built_home, lang):
    """...and in Japanese, no English outside the allowlist (data cells and charts aside)."""
    client = TestClient(create_app(built_home))
    urls = ["/"] + [f"/chapters/{c}" for c in sorted({m["chapter"] for m in api.list_indicators()})]
    urls += [f"/indicators/{m['id']}" for m in api.list_indicators()]
    for url in urls:
        res = client.get(url, params={"lang": lang})
        assert res.status_code == 200, url
        assert noise(visible(res.text)) == [], url
        assert internal_syntax(res.text) == [], url
        if lang == "ja":
            words = english(visible(res.text, chrome=True)) - SWITCH
            assert not words, f"{url}: English outside the allowlist: {sorted(words)}"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_text_holds_no_path_command_null_or_none(mirror_reports, lang):
    assert shutil.which("pdftotext"), "install poppler-utils (see .ci/run)"
    text = subprocess.run(["pdftotext", str(mirror_reports[lang]["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert i18n.Text(lang)("contents") in text and noise(text) == []
    # the contents name each chapter's page (the print CSS reaches WeasyPrint unescaped)
    first = re.escape(i18n.Text(lang)("key_findings"))
    assert re.search(first + r" ?\.{5,} ?\d+", text), text[:600]


HEADER = re.compile(r'<th title="([^"]+)"(?: class="txt")?>([^<]*)</th>')
SELECT = re.compile(r'<select name="(\w+)">(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')
CELL = re.compile(r"<td(?: class=\"txt\")?(?: title=\"([^\"]*)\")?>([^<]*)</td>")


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9]*", text)) - JA_ALLOWED


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_indicator_table_and_form_reads_in_the_readers_language(built_home, lang):
    """Every indicator page of the registry: each column header and each parameter choice comes
    from the catalogue (ja: no English words outside proper names and units; en: a title, not a
    snake_case id), countries by name, numbers never in e-notation below 10^15."""
    client = TestClient(create_app(built_home))
    cat, text = i18n.catalog(lang), i18n.Text(lang)
    missing, headers, cells = [], 0, 0
    for m in api.list_indicators():
        html = client.get(f"/indicators/{m['id']}", params={"lang": lang, "tab": "table"}).text
        for col, label in HEADER.findall(html):
            headers += 1
            label = unescape(label)
            if not cat["columns"].get(col) or label != text.heading(col):
                missing.append(f"{m['id']}: column {col} shows {label!r}")
            elif lang == "ja" and latin_words(label):
                missing.append(f"{m['id']}: column {col} reads {label!r} in Japanese")
            elif lang == "en" and ("_" in label or not label[:1].isupper()):
                missing.append(f"{m['id']}: column {col} reads {label!r}, not a title")
        for name, body in SELECT.findall(html):
            choices = cat["choices"].get(name) or {}
            for value, label in OPTION.findall(body):
                label = unescape(label)
                if (value, label) == ("", "—") or value in ("true", "false") and name not in cat["choices"]:
                    continue  # "no filter", and yes/no of a bool (ui.bool_*)
                if choices.get(value) != label or (lang == "ja" and latin_words(label)):
                    missing.append(f"{m['id']}: {name}={value!r} shows {label!r}")
        for _code, shown in CELL.findall(html):
            cells += 1
            shown = unescape(shown)
            if re.fullmatch(r"[A-Z]{3}", shown) and rules.country_name(shown, lang) != shown:
                missing.append(f"{m['id']}: country {shown} shown as its code")
            if re.fullmatch(r"-?[\d.]+e[+-]\d+", shown) and 1e-6 <= abs(float(shown)) < 1e15:
                missing.append(f"{m['id']}: {shown} in e-notation")
    assert headers > 100 and cells > 1000, (headers, cells)  # the tables were there to look at
    assert missing == [], "add to src/aiatlas/report/i18n/*.yaml:\n" + "\n".join(missing)


def test_dashboard_table_names_countries_and_groups_numbers_in_ja(built_home):
    html = TestClient(create_app(built_home)).get(
        "/indicators/cluster_compute_by_country", params={"lang": "ja", "tab": "table"}).text
    assert '<td class="txt" title="USA">米国</td>' in html and '<td class="txt" title="CHN">中国</td>' in html
    assert re.search(r"<td>\d{1,3}(,\d{3})+</td>", html)  # grouped, not 1.39463e+06
    assert "稼働中" in html and ">Existing<" not in html  # the status choice
    en = TestClient(create_app(built_home)).get(
        "/indicators/notable_models_by_country", params={"lang": "ja", "tab": "table"}).text
    assert 'title="country_name"' not in en  # the country column already reads as the name
    assert "各国に 1 ずつ" in en and ">each<" not in en


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_dashboard_chapters_state_the_reports_findings_and_list_indicators_with_data_first(
        built_home, lang):
    """The dashboard's chapter page is the static chapter's opening: the same findings, word for
    word, then the indicators with data, then (under a plain heading) those without."""
    client = TestClient(create_app(built_home))
    found = findings.evaluate(lang, home=built_home)
    text = i18n.Text(lang)
    for chapter in sorted({m["chapter"] for m in api.list_indicators()}):
        html = client.get(f"/chapters/{chapter}", params={"lang": lang}).text
        page = " ".join(visible(html).split())
        for f in (f for f in found if f["chapter"] == chapter):
            assert " ".join(f["text"].split()) in page, (chapter, f["key"])
        if chapter == "research":  # OpenAlex is not in the mirror: its indicators come last
            titles = [m for m in api.list_indicators() if m["chapter"] == chapter]
            no_data = [text.title(m) for m in titles if m["id"].startswith("ai_")]
            with_data = [text.title(m) for m in titles if not m["id"].startswith("ai_")]
            assert no_data and with_data
            heading = page.index(text("not_in_build_title"))
            assert all(page.index(t) < heading for t in with_data)
            assert all(page.index(t, heading) > heading for t in no_data)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_indicator_without_data_offers_no_download_or_citation(built_home, lang):
    client = TestClient(create_app(built_home))
    html = client.get("/indicators/ai_citations_by_country", params={"lang": lang}).text
    text = i18n.Text(lang)
    assert str(escape(text.absent("openalex_works"))) in html
    for gone in ('class="csv"', 'class="zip"', 'class="cite"', text("as_of_unknown")):
        assert gone not in html, gone


def test_a_form_shows_one_pair_of_dates_and_says_what_each_field_does(built_home):
    client = TestClient(create_app(built_home))
    html = client.get("/indicators/arena_gap", params={"lang": "en"}).text
    # one pair of from / to: the view's time range (the URL's time=), not also the indicator's
    # own since / until, which only filter the same rows
    assert 'id="time-from"' in html and 'name="since"' not in html
    text = i18n.Text("en")
    for p in ("group", "relative_to", "organization_country"):
        assert text.parameter_help(p) and str(escape(text.parameter_help(p))) in html, p
