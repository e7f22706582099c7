"""Checker verdicts on a tiny hand-made warehouse with test-only indicators, facts, CLI and HTTP."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import serve_in_thread
from fixture_warehouse import write_warehouse

from aiatlas import api, lookup
from aiatlas.claims import claimsfile, render
from aiatlas.claims import patterns as pattern_table
from aiatlas.claims.check import check_claims_file, check_text
from aiatlas.claims.http import MAX_CHARS, check_request
from aiatlas.claims.inputs import read_input
from aiatlas.errors import DataError, FetchError, UsageError
from aiatlas.indicators import registry

FIX = Path(__file__).parent / "fixtures" / "claims"
MODELS = [  # model_id, country list, year, open weights
    ("a", ["USA"], 2024, False), ("b", ["USA"], 2024, False), ("c", ["USA", "CHN"], 2024, True),
    ("d", ["CHN"], 2024, True), ("e", ["FRA"], 2024, True), ("f", ["USA"], 2023, False),
]  # 2024: USA 3, CHN 2, FRA 1; open share 3/5 = 60%


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A warehouse file with the declared tables and six models (no mirror needed)."""
    home = tmp_path_factory.mktemp("claims_home")
    write_warehouse(home, {
        "models": [{"model_id": mid, "name": f"Model {mid}", "countries": countries, "year": year,
                    "open_weights": open_} for mid, countries, year, open_ in MODELS],
        "_snapshots": [{"source": "epoch_notable_models", "file": "notable_ai_models.csv",
                        "snapshot_id": "epoch_notable_models/test"}]}, build_id="build-test")
    return home


@pytest.fixture(autouse=True)
def test_indicators(monkeypatch):
    """Test-only indicators for the duration of one test (each test builds its own
    warehouse, so nothing memoised on another test's build is seen)."""

    def by_country(t):
        m = t.models
        u = m.select(m.model_id, m.year, country=m.countries.unnest())
        return u.group_by(["country", "year"]).aggregate(value=u.model_id.count())

    def rows(t):
        m = t.models
        return m.select(m.model_id, m.name, m.year, country=m.countries.unnest())

    def open_share(t):
        m = t.models
        return m.group_by("year").aggregate(value=m.open_weights.cast("int").mean())

    added = {"test_models_by_country": (by_country, rows, ("country", "year")),
             "test_open_share": (open_share, None, ("year",))}
    local = {}  # a test-local registry, shown beside the real one for this test only
    for id, (func, rows_fn, grain) in added.items():
        registry.indicator(id=id, title=id, unit="models", chapter="test",
                           description="test only", sources=("models",), grain=grain,
                           rows=rows_fn, into=local)(func)
    monkeypatch.setattr(registry, "REGISTRY", {**registry.load_all(), **local})


PATTERNS = pattern_table.load(FIX / "patterns.yaml")


def verdicts(text, home, **kw):
    report = check_text(text, data=api.checker(home=home), patterns=PATTERNS, **kw)
    return [c.verdict for s in report.sentences for c in s.claims]


def test_count_supported_with_explain_rows_as_evidence(home):
    (v,) = verdicts("In 2024 US labs released 3 notable models.", home)
    assert v.verdict == "supported" and v.actual == 3
    ev = v.evidence[0]
    assert ev.ref == "test_models_by_country" and ev.row_count == 3
    assert {r["model_id"] for r in ev.rows} == {"a", "b", "c"}
    assert ev.snapshots == ["epoch_notable_models/test"]
    assert ev.command == "aiatlas explain test_models_by_country -w country=USA -w year=2024"
    assert v.tolerance.startswith("±0.3 models (the measure's slack")  # 10% of 3


def test_count_contradicted_states_actual_and_gap(home):
    (v,) = verdicts("In 2024 US labs released 5 notable models.", home)
    assert (v.verdict, v.actual, v.gap) == ("contradicted", 3, 2)
    assert "the data says 3" in v.reason


def test_japanese_claim_against_the_same_indicator(home):
    (v,) = verdicts("2024年、中国の注目モデルは2件だった。", home)
    assert (v.verdict, v.actual) == ("supported", 2)


@pytest.mark.parametrize("text,expected", [
    ("In 2024 US labs released over 2 notable models.", "supported"),
    ("In 2024 US labs released more than 4 notable models.", "contradicted"),
    ("In 2024 US labs released fewer than 4 notable models.", "supported"),
    ("In 2024 US labs released between 1 and 3 notable models.", "supported"),
    ("In 2024 US labs released 5-9 notable models.", "contradicted"),
])
def test_qualifiers_and_ranges_bend_the_comparison(home, text, expected):
    (v,) = verdicts(text, home)
    assert v.verdict == expected, v.reason


def test_rank_is_computed_across_countries(home):
    assert [v.verdict for v in verdicts("China ranked second in notable models in 2024.", home)] \
        == ["supported"]
    (v,) = verdicts("2024年、フランスは注目モデル数で1位だった。", home)
    assert (v.verdict, v.actual) == ("contradicted", 3)


def test_percent_scaled_from_a_fraction(home):
    (v,) = verdicts("In 2024, 61% of models were open.", home)
    assert v.verdict == "supported" and v.actual == pytest.approx(60)


def test_unverifiable_says_what_is_missing(home):
    no_year, no_subject, missing, nothing = verdicts(
        "US labs released 3 notable models. In 2024 they released 3 notable models. "
        "Factories installed 500 robots. Revenue grew 2.5 times.", home)
    assert no_year.verdict == "unverifiable" and "no year" in no_year.reason
    assert "names no country" in no_subject.reason
    assert "indicator_that_does_not_exist" in missing.reason and "not in this build" in missing.reason
    assert "no indicator or curated fact measures this" in nothing.reason


def test_every_sentence_with_a_number_is_listed_with_why_it_was_skipped(home):
    report = check_text("No numbers here. GPT-4 came out in 2023. In 2024 US labs released 3 "
                        "notable models.", data=api.checker(home=home), patterns=PATTERNS)
    assert [s.index for s in report.sentences] == [1, 2]
    skipped = report.sentences[0]
    assert skipped.claims == [] and "year alone" in skipped.note and "part of a name" in skipped.note
    assert report.counts() == {"supported": 1, "contradicted": 0, "revised": 0, "unverifiable": 0}
    assert json.loads(json.dumps(report.to_dict(), default=str))["counts"]["supported"] == 1


def test_without_a_warehouse_claims_are_unverifiable_not_errors(tmp_path):
    (v,) = verdicts("In 2024 US labs released 3 notable models.", tmp_path)
    assert v.verdict == "unverifiable" and "no warehouse" in v.reason


FACTS = [{"id": "fr-ai-2025", "topic": "investment", "subject": "FRA", "measure": "amount",
          "value": 109, "unit": "EUR billion", "date": "2025-02-10", "publisher": "Élysée",
          "title": "AI summit announcement", "url": "https://example.org/fr",
          "published": "2025-02-10", "as_printed": "109 milliards d'euros"},
         {"id": "fr-ai-2018", "topic": "investment", "subject": "FRA", "measure": "amount",
          "value": 1.5, "unit": "EUR billion", "period": "2018", "publisher": "Élysée",
          "title": "AI for Humanity", "url": "https://example.org/fr2018", "published": "2018-03-29",
          "as_printed": "1,5 milliard d'euros"}]


@pytest.fixture
def facts(monkeypatch):
    """Stand in for api.facts (the curated-facts work) with one record."""
    def fake(topic=None, subject=None, measure=None):
        return [f for f in FACTS if (topic, subject, measure) == (f["topic"], f["subject"], f["measure"])]
    monkeypatch.setattr(lookup, "facts", fake, raising=False)


def test_fact_claims_cite_the_fact(home, facts):
    ok, date = verdicts("France announced €109 billion of AI investment on February 10, 2025.", home)
    assert ok.verdict == "supported" and ok.evidence[0].citation["url"] == "https://example.org/fr"
    assert date.verdict == "supported"
    (wrong,) = verdicts("2025年、フランスは1,500億ユーロの投資を発表した。", home)
    assert wrong.verdict == "contradicted" and wrong.actual == 109e9
    (which,) = verdicts("フランスは1,500億ユーロの投資を発表した。", home)  # 2018 or 2025: neither
    assert which.verdict == "contradicted" and "none of the recorded figures" in which.reason
    (dollars,) = verdicts("France will invest $109 billion.", home)
    assert dollars.verdict == "unverifiable" and "exchange rate" in dollars.reason


def test_fact_year_picks_the_record_and_no_year_names_the_one_that_agrees(home, facts):
    (old,) = verdicts("In 2018 France pledged €1.5 billion to invest in AI.", home)
    assert old.verdict == "supported" and old.evidence[0].ref == "fr-ai-2018"
    (latest,) = verdicts("France will invest €109 billion.", home)
    assert latest.verdict == "supported" and "one of 2 figures recorded" in latest.reason
    (none,) = verdicts("In 2020 France pledged €1.5 billion to invest in AI.", home)
    assert none.verdict == "unverifiable" and "year=2020" in none.reason
    (day,) = verdicts("France announced its AI investment on February 9.", home)
    assert day.verdict == "contradicted" and "2025-02-10" in day.reason


def test_structured_claims_file(home, tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n"
                    "  - {text: US 2024, indicator: test_models_by_country, where: {country: USA, "
                    "year: 2024}, value: 3, kind: count, unit: models}\n"
                    "  - {indicator: test_models_by_country, where: {country: CHN, year: 2024}, "
                    "value: 9, tolerance: {rel: 0.1}}\n", encoding="utf-8")
    report = check_claims_file(path, data=api.checker(home=home))
    assert [s.claims[0].verdict.verdict for s in report.sentences] == ["supported", "contradicted"]
    by_pattern = tmp_path / "by_pattern.yaml"
    by_pattern.write_text("claims:\n"
                          "  - {pattern: notable_models_count, country: USA, year: 2024, value: 3,"
                          " unit: models}\n"
                          "  - {pattern: notable_models_rank, country: CHN, year: 2024, value: 1,"
                          " kind: rank}\n", encoding="utf-8")
    got = [s.claims[0].verdict for s in check_claims_file(by_pattern, data=api.checker(home=home)).sentences]
    assert [(v.verdict, v.actual) for v in got] == [("supported", 3), ("contradicted", 2)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("claims:\n  - {value: 3, indicator: x, fact: {topic: y}}\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.yaml: claim 1: give exactly one of"):
        check_claims_file(bad, data=api.checker(home=home))
    bad.write_text("claims: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.yaml:\d+:\d+: not valid YAML"):
        check_claims_file(bad, data=api.checker(home=home))


@pytest.mark.parametrize(("entry", "field"), [
    ("{value: 3, indicator: test_models_by_country, tolerance: 5}", "tolerance"),
    ("{value: 3, indicator: test_models_by_country, colour: red}", "colour"),
    ("{value: 3, indicator: test_models_by_country, where: [country, USA]}", "where"),
    ("{value: three, indicator: test_models_by_country}", "value"),
    ("{value: 3, kind: size, indicator: test_models_by_country}", "kind"),
    ("{indicator: test_models_by_country}", "value"),
])
def test_malformed_claims_file_entries_name_the_claim_and_field(home, tmp_path, entry, field):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"claims:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"bad.yaml: claim 1: field '{field}"):
        check_claims_file(bad, data=api.checker(home=home))


def test_unknown_indicator_or_parameter_in_a_claims_file_is_a_usage_error(home, tmp_path):
    from aiatlas.errors import UsageError

    bad = tmp_path / "bad.yaml"
    bad.write_text("claims:\n  - {value: 3, indicator: no_such_thing}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="claim 1: unknown indicator 'no_such_thing'"):
        check_claims_file(bad, data=api.checker(home=home))
    bad.write_text("claims:\n  - {value: 3, indicator: test_models_by_country, params: {colour: 1}}\n",
                   encoding="utf-8")
    with pytest.raises(UsageError, match="claim 1: unknown parameter colour"):
        check_claims_file(bad, data=api.checker(home=home))


def test_an_unquoted_yaml_date_is_a_date(home, tmp_path):
    good = tmp_path / "d.yaml"
    good.write_text("claims:\n  - {kind: date, date: 2025-02-10, fact: {topic: investment_programmes, "
                    "subject: FRA, measure: announced_ai_investment}}\n", encoding="utf-8")
    (s,) = check_claims_file(good, data=api.checker(home=home)).sentences
    assert s.claims[0].claim.quantity.date == "2025-02-10"
    assert s.claims[0].verdict.verdict == "contradicted"  # announced on 2025-02-09


def test_an_unquoted_yaml_date_in_where_is_read_as_its_text(home, tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("claims:\n  - {indicator: test_models_by_country, where: {country: USA, "
                    "year: 2024, day: 2025-12-11}, value: 3}\n", encoding="utf-8")
    (entry,) = claimsfile.load(path)
    assert entry.where["day"] == "2025-12-11"  # not "field 'where.day.str'"


def test_a_claims_file_names_an_unknown_fact_topic_with_the_valid_ones(home, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("claims:\n  - {fact: {topic: investment, subject: FRA}, value: 1, "
                    "kind: money}\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown fact topic 'investment'") as e:
        check_claims_file(path, data=api.checker(home=home))
    assert "investment_programmes" in e.value.hint


def test_the_docs_claims_file_example_checks(home):
    """The example of docs/claims.md 'Structured claims file' runs as written (its fact too)."""
    doc = (Path(__file__).parent.parent / "docs" / "claims.md").read_text(encoding="utf-8")
    example = doc.split("## Structured claims file")[1].split("```yaml")[1].split("```")[0]
    entries = yaml.safe_load(example)["claims"]
    fact = next(e for e in entries if "fact" in e)
    found = api.facts(**fact["fact"])
    assert [f["value"] for f in found] == [fact["value"]]


def test_a_fact_figure_without_a_year_says_which_year_it_matches(home, tmp_path):
    path = tmp_path / "y.yaml"
    path.write_text("claims:\n  - {fact: {topic: robot_installations, subject: CHN, measure: "
                    "industrial_robot_installations}, value: 295000}\n", encoding="utf-8")
    (s,) = check_claims_file(path, data=api.checker(home=home)).sentences
    v = s.claims[0].verdict
    assert v.verdict == "supported" and "matches the figure of 2024" in v.reason


def test_bad_pattern_table_names_file_and_field(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("- {id: x, kinds: [count], keywords: [a], indicator: i, colour: red}\n")
    with pytest.raises(DataError, match="p.yaml: pattern x: unknown field colour"):
        pattern_table.load(path)


def test_default_pattern_table_loads():
    ids = [p.id for p in pattern_table.load()]
    assert "notable_models_count" in ids and len(ids) == len(set(ids))


def test_url_input_fails_clearly_offline():
    with pytest.raises(FetchError, match="could not fetch http://127.0.0.1:9/article"):
        read_input("http://127.0.0.1:9/article", timeout=2)


def test_api_check_reads_text_or_file(home, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("In 2024 US labs released 3 notable models.", encoding="utf-8")
    by_path = api.check(str(f), home=home)
    by_text = api.check("In 2024 US labs released 3 notable models.", home=home)
    assert by_path.source == str(f) and by_text.source == "<text>"
    assert [len(s.claims) for s in by_path.sentences] == [len(s.claims) for s in by_text.sentences] == [1]


def test_post_api_check_checks_a_text_and_refuses_urls_big_bodies_and_bad_input(home):
    from fastapi.testclient import TestClient

    from aiatlas.web.app import create_app

    client = TestClient(create_app(home=home))
    ja = client.post("/api/check", json={"text": "中国は2024年に31の注目すべきモデルを公開した。"})
    assert ja.status_code == 200
    assert ja.json()["sentences"][0]["claims"][0]["claim"]["quantity"]["value"] == 31
    # a URL is the text itself: the server never fetches what a client names
    url = client.post("/api/check", json={"text": "https://example.org/article.html"})
    assert url.status_code == 200 and url.json()["source"] == "<text>"
    assert client.post("/api/check", json={"text": "x", "lang": "fr"}).status_code == 422
    assert client.post("/api/check", content=b"not json").status_code == 422
    big = client.post("/api/check", json={"text": "9 " * (MAX_CHARS * 3)})
    assert big.status_code == 413
    with pytest.raises(UsageError, match="at most"):
        check_request({"text": "x" * (MAX_CHARS + 1)})


def test_cli_check_json_and_markdown(home, tmp_path):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    f = tmp_path / "a.txt"
    f.write_text("中国は2024年に31の注目すべきモデルを公開した。GPT-4 came out in 2023.", encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(f), "--home", str(home), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert len(doc["sentences"]) == 2 and doc["sentences"][1]["claims"] == []
    res = CliRunner().invoke(app, ["check", str(f), "--home", str(home), "--format", "md"])
    assert "skipped `GPT-4`" in res.output


def test_cli_reads_stdin_and_writes_html(home, tmp_path):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["check", "-", "--home", str(home), "-f", "html", "-o", str(out)],
                             input="In 2024 US labs released 5 notable models <b>.\n")
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert 'class="contradicted"' in page and "&lt;b&gt;" in page and "<b>.</b>" not in page
    res = CliRunner().invoke(app, ["check", "-", "--home", str(home), "-f", "pdf"], input="1 model")
    assert res.exit_code != 0


def test_cli_missing_file_is_a_usage_error_not_checked_as_text(home, tmp_path):
    from typer.testing import CliRunner

    from aiatlas.cli import app

    missing = tmp_path / "artcle.txt"
    res = CliRunner().invoke(app, ["check", str(missing), "--home", str(home)])
    assert res.exit_code != 0 and isinstance(res.exception, UsageError)
    assert "no such file" in str(res.exception)


def test_url_input_reduces_html_to_its_text(tmp_path):
    import http.server

    page = ("<html><head><style>p{}</style><script>var x = 2024;</script></head><body>"
            "<p>中国は2024年に31の注目すべきモデルを公開した。</p><p>Second para.</p></body></html>")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = page.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    serve_in_thread(server)
    try:
        text, label, published = read_input(f"http://127.0.0.1:{server.server_port}/a")
    finally:
        server.shutdown()
    assert "var x" not in text and "p{}" not in text
    assert "中国は2024年に31の注目すべきモデルを公開した。" in text and label.endswith("/a")
    assert published is None  # the page declares no date


def test_check_without_a_warehouse_says_so_once_first(tmp_path):
    """One error line with the hint before the report (exit 1), not the same error per claim;
    curated facts are still checked."""
    from typer.testing import CliRunner

    from aiatlas.cli import app

    f = tmp_path / "a.txt"
    f.write_text("In 2024 US labs released 3 notable models. China installed 295,000 industrial "
                 "robots in 2024.", encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(f), "--home", str(tmp_path / "none"), "-f", "md"])
    assert res.exit_code == 1
    first = res.output.lstrip().splitlines()[0]
    assert first.startswith("error: no warehouse at") and "aiatlas build" in res.output
    assert res.output.count("no warehouse at") == 1
    assert "**✔ supported**" in res.output  # the robot figure, from the curated facts


@pytest.mark.parametrize("text, reason", [
    ("In 2025 the US share of notable AI models was 58%.", "no indicator or curated fact"),
    ("In 2025 the US made up 58% of notable AI models.", "no indicator or curated fact"),
    ("Indian developers made up 15% of AI developers on GitHub in 2024.", "no quarter"),
])
def test_a_pattern_explains_only_a_claim_about_its_own_noun(text, reason):
    """'share' or '占め' alone does not make a share of models a share of GitHub developers,
    whose reason (no quarter stated) would then be nonsense."""
    from aiatlas.claims.check import check_claim
    from aiatlas.claims.extract import extract

    (claim,) = [c for s in extract(text) for c in s.claims]
    assert reason in check_claim(claim, pattern_table.load(), data=None).reason


@pytest.mark.parametrize("text,dated,year", [
    ("Last year US labs released 3 notable models.", "2025-04-07", 2024),
    ("US labs released 3 notable models two years ago.", "2026-01-15", 2024),
    ("昨年、米国の注目モデルは3件だった。", "2025-04-07", 2024),
    ("去年、米国の注目モデルは3件だった。", "2025-12-31", 2024),
    ("2年前、米国の注目モデルは3件だった。", "2026-06-01", 2024),
])
def test_a_year_relative_to_the_article_is_read_from_its_date(home, text, dated, year):
    report = check_text(text, data=api.checker(home=home), patterns=PATTERNS, dated=dated)
    (c,) = [c for s in report.sentences for c in s.claims]
    assert (c.claim.year, c.verdict.verdict, c.verdict.actual) == (year, "supported", 3)
    assert f"read as {year}, from the article's date ({dated})" in c.claim.year_note
    assert report.to_dict()["dated"] == dated
    assert dated in render.counts_line(report) and dated in render.to_markdown(report)
    # without the date the same sentence has no year, and says why
    (v,) = verdicts(text, home)
    assert v.verdict == "unverifiable" and "article's date" in v.reason


@pytest.mark.parametrize("text", [
    "This year US labs have released 3 notable models so far.",  # not over when written
    "今年、米国の注目モデルは3件だった。",
    "Next year US labs will release 3 notable models.",  # a forecast
    "昨年度、米国の注目モデルは3件だった。",  # a fiscal year is no calendar year
])
def test_the_articles_own_year_and_later_ones_are_not_read_as_whole_years(home, text):
    report = check_text(text, data=api.checker(home=home), patterns=PATTERNS, dated="2024-04-07")
    (c,) = [c for s in report.sentences for c in s.claims]
    assert c.claim.year is None and c.verdict.verdict == "unverifiable", c.verdict.reason


def test_as_of_dates_the_article_unless_dated_is_given(home, monkeypatch):
    seen = []
    monkeypatch.setattr(type(api.checker(home=home)), "at", lambda self, day: seen.append(day) or self)
    report = check_text("Last year US labs released 3 notable models.", data=api.checker(home=home),
                        patterns=PATTERNS, as_of="2025-04-07")
    assert seen == ["2025-04-07"] and report.sentences[0].claims[0].claim.year == 2024
    report = check_text("Last year US labs released 3 notable models.", data=api.checker(home=home),
                        patterns=PATTERNS, as_of="2025-04-07", dated="2026-02-01")
    assert report.sentences[0].claims[0].claim.year == 2025


@pytest.mark.parametrize("bad", ["2025-4", "April 2025", 20250407, ""])
def test_a_malformed_article_date_is_a_usage_error(home, bad):
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        check_request({"text": "Last year US labs released 3 notable models.", "dated": bad})
    if isinstance(bad, str) and bad:
        with pytest.raises(UsageError, match="YYYY-MM-DD"):
            check_text("Last year 3 models.", data=api.checker(home=home), patterns=PATTERNS, dated=bad)


@pytest.mark.parametrize("head,day", [
    ('<meta property="article:published_time" content="2025-04-07T09:00:00+09:00">', "2025-04-07"),
    ('<meta name="citation_publication_date" content="2025/4/7">', "2025-04-07"),
    ('<meta itemprop="datePublished" content="2026-01-15">', "2026-01-15"),
    ('<meta name="description" content="2024-01-01 was a year">', None),  # not a date field
])
def test_an_html_articles_declared_date_dates_its_relative_years(home, tmp_path, head, day):
    page = tmp_path / "a.html"
    page.write_text(f"<html><head>{head}</head><body><p>Last year US labs released 3 notable "
                    "models.</p></body></html>", encoding="utf-8")
    assert read_input(str(page))[2] == day
    report = lookup.check(page, home=home)
    (c,) = [c for s in report.sentences for c in s.claims]
    assert report.dated == day
    assert c.claim.year == (int(day[:4]) - 1 if day else None)
    # a date given by the caller wins over the page's own
    assert lookup.check(page, home=home, dated="2021-06-01").sentences[0].claims[0].claim.year == 2020
