"""Curated facts: schema errors name file, record and field; shipped facts are complete and cited."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from aiatlas import api
from aiatlas.curated import loader
from aiatlas.curated.schema import TOPICS
from aiatlas.errors import DataError, UsageError
from aiatlas.warehouse.schema import TABLES

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "curated"

GOOD = {
    "id": "ipsos-2024-chn",
    "topic": "public_opinion",
    "subject": "CHN",
    "subject_type": "country",
    "measure": "ai_benefits_outweigh_drawbacks",
    "value": 83,
    "unit": "percent",
    "period": "2024",
    "publisher": "Example",
    "title": "Example page",
    "url": "https://example.org/x",
    "published": "2025-04-01",
    "as_printed": "83%",
    "note": "test",
    "note_ja": "テスト",
}


def write_topic(tmp_path: Path, records: list[dict], name: str = "public_opinion",
                sources: dict | None = None) -> Path:
    path = tmp_path / f"{name}.yaml"
    doc = {"facts": records} if sources is None else {"sources": sources, "facts": records}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def error_for(tmp_path: Path, **changes) -> str:
    record = {k: v for k, v in GOOD.items() if changes.get(k, "") is not None}
    record.update({k: v for k, v in changes.items() if v is not None})
    path = write_topic(tmp_path, [record])
    with pytest.raises(DataError) as e:
        loader.load_facts([path])
    return str(e.value)


# --- schema errors ---------------------------------------------------------------------------

def test_wrong_type_names_file_record_and_field(tmp_path):
    msg = error_for(tmp_path, value="eighty")
    assert msg.startswith(f"{tmp_path.name}/public_opinion.yaml:2: ")
    assert "record 'ipsos-2024-chn': field 'value': expected a number, got 'eighty'" in msg


def test_number_written_as_text_is_rejected(tmp_path):
    msg = error_for(tmp_path, value="83")
    assert "field 'value': expected a number, got '83'" in msg


def test_missing_field_is_named(tmp_path):
    msg = error_for(tmp_path, url=None)
    assert "record 'ipsos-2024-chn': field 'url': missing (required)" in msg


def test_bad_date_is_named(tmp_path):
    msg = error_for(tmp_path, published="2025-13-01")
    assert "field 'published': expected a date YYYY-MM-DD, got '2025-13-01'" in msg


def test_unknown_topic_in_record_is_named(tmp_path):
    msg = error_for(tmp_path, topic="opinion")
    assert "field 'topic': expected one of" in msg and "'opinion'" in msg


def test_unknown_topic_file_is_refused(tmp_path):
    write_topic(tmp_path, [GOOD], name="opinions")
    with pytest.raises(DataError, match=r"opinions.yaml: unknown topic 'opinions'"):
        loader.fact_files(tmp_path)


def test_record_in_the_wrong_topic_file(tmp_path):
    path = write_topic(tmp_path, [dict(GOOD, topic="ai_adoption")])
    with pytest.raises(DataError, match=r"field 'topic': 'ai_adoption' does not belong in public_opinion.yaml"):
        loader.load_facts([path])


def test_unknown_field_is_named(tmp_path):
    msg = error_for(tmp_path, colour="red")
    assert "field 'colour': unknown field" in msg


def test_bad_country_code_blames_subject(tmp_path):
    msg = error_for(tmp_path, subject="China")
    assert "field 'subject': expected an ISO 3166-1 alpha-3 code, got 'China'" in msg


def test_unconfirmed_needs_a_reason(tmp_path):
    msg = error_for(tmp_path, confirmed=False)
    assert "field 'unconfirmed_reason': an unconfirmed record must say why" in msg


def test_confirmed_figure_needs_a_value(tmp_path):
    msg = error_for(tmp_path, value=None)
    assert "field 'value': a confirmed figure needs a value" in msg


def test_self_reported_topic_requires_the_flag(tmp_path):
    record = dict(GOOD, topic="self_reported_benchmarks", subject="gpt-4o", subject_type="model",
                  measure="chartqa_score")
    path = write_topic(tmp_path, [record], name="self_reported_benchmarks")
    with pytest.raises(DataError, match="field 'self_reported': developer-reported scores must be marked"):
        loader.load_facts([path])


def test_unknown_source_key_is_named(tmp_path):
    record = {k: v for k, v in GOOD.items() if k not in ("publisher", "title", "url", "published")}
    record["source"] = "nope"
    path = write_topic(tmp_path, [record], sources={"real": {"publisher": "P", "title": "T",
                                                                  "url": "https://e.org", "published": "2024-01-01"}})
    with pytest.raises(DataError, match=r"field 'source': no source 'nope' .*known: real"):
        loader.load_facts([path])


def test_error_points_at_the_record_line(tmp_path):
    second = dict(GOOD, id="second", value="eighty")
    path = write_topic(tmp_path, [GOOD, second])
    lines = path.read_text().splitlines()
    line = next(i + 1 for i, text in enumerate(lines) if text.strip() == "- id: second")
    with pytest.raises(DataError, match=rf"public_opinion.yaml:{line}: record 'second'"):
        loader.load_facts([path])


def test_invalid_yaml_gives_line_and_column(tmp_path):
    path = tmp_path / "public_opinion.yaml"
    path.write_text("facts:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"public_opinion.yaml:\d+:\d+: not valid YAML"):
        loader.load_facts([path])


def test_duplicate_id_across_files_is_refused(tmp_path):
    a = write_topic(tmp_path, [GOOD])
    other = tmp_path / "other"
    other.mkdir()
    b = write_topic(other, [dict(GOOD, topic="ai_adoption", measure="organizations_using_ai_share",
                                 subject="WLD", subject_type="world")], name="ai_adoption")
    with pytest.raises(DataError, match=r"record 'ipsos-2024-chn': field 'id': duplicate id"):
        loader.load_facts([a, b])


# --- the fixture file: citations, defaults, reference dates -------------------------------------

def test_fixture_records_take_citation_from_sources_or_their_own():
    rows = {r["id"]: r for r in loader.load_facts([FIXTURES / "public_opinion.yaml"])}
    assert rows["test-2024-chn"]["publisher"] == "Example Survey House"
    assert rows["test-2024-chn"]["published"] == dt.date(2024, 6, 1)
    assert rows["test-2024-usa"]["publisher"] == "Another Publisher"
    assert rows["test-2024-usa"]["url"] == "https://example.org/other"
    assert rows["test-2024-fra-unconfirmed"]["value"] is None
    assert rows["test-2024-fra-unconfirmed"]["confirmed"] is False


def test_reference_date_comes_from_date_or_period():
    rows = {r["id"]: r for r in loader.load_facts([FIXTURES / "policy_events.yaml"])}
    assert rows["test-event-late"]["ref_date"] == dt.date(2025, 1, 13)
    assert rows["test-event-month"]["ref_date"] == dt.date(2024, 7, 1)
    assert rows["test-event-month"]["year"] == 2024


def test_loader_is_deterministic_and_carries_file_checksum():
    first = loader.load_facts()
    second = loader.load_facts()
    assert first == second
    assert [r["id"] for r in first] == [r["id"] for r in second]
    by_file = {s["url"].removeprefix("package:"): s["sha256"] for s in loader.curated_snapshots()}
    for row in first:
        assert row["source_sha256"] == by_file[row["source_file"]]
    path = loader.CURATED_DIR / "public_opinion.yaml"
    assert by_file["aiatlas/curated/public_opinion.yaml"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_warehouse_rows_fit_their_tables():
    rows = loader.warehouse_rows()
    for table in ("curated_facts", "_snapshots"):
        columns = {c.name for c in TABLES[table]}
        assert rows[table] and all(set(r) == columns for r in rows[table]), table
    assert {s["file"] for s in rows["_snapshots"]} == {f"{t}.yaml" for t in TOPICS}
    assert sum(s["rows"] for s in rows["_snapshots"]) == len(rows["curated_facts"])


def test_rows_match_the_warehouse_contract():
    columns = [c.name for c in TABLES["curated_facts"]]
    for row in loader.load_facts([FIXTURES / "public_opinion.yaml"]):
        assert sorted(row) == sorted(columns)


# --- the shipped facts --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return loader.load_facts()


def test_every_topic_has_a_file_and_records(shipped):
    counts = Counter(r["topic"] for r in shipped)
    assert set(counts) == set(TOPICS)
    assert all(n >= 5 for n in counts.values()), counts
    assert len(shipped) >= 40


def test_every_record_is_cited(shipped):
    for r in shipped:
        assert r["url"].startswith(("https://", "http://")), r["id"]
        assert r["publisher"].strip() and r["title"].strip(), r["id"]
        assert isinstance(r["published"], dt.date), r["id"]
        assert r["as_printed"].strip(), r["id"]


def test_ids_are_unique(shipped):
    ids = [r["id"] for r in shipped]
    assert len(ids) == len(set(ids))


def test_unconfirmed_records_say_why_and_confirmed_figures_have_values(shipped):
    for r in shipped:
        if r["confirmed"]:
            assert r["unconfirmed_reason"] is None
            assert r["value"] is not None or r["topic"] == "policy_events", r["id"]
        else:
            assert r["unconfirmed_reason"].strip(), r["id"]


def test_benchmark_scores_are_all_self_reported(shipped):
    scores = [r for r in shipped if r["topic"] == "self_reported_benchmarks"]
    assert scores and all(r["self_reported"] for r in scores)
    assert not any(r["self_reported"] for r in shipped if r["topic"] != "self_reported_benchmarks")


def test_money_is_recorded_in_whole_currency_units(shipped):
    fra = next(r for r in shipped if r["id"] == "fra-ai-investment-2025")
    assert fra["unit"] == "EUR" and fra["value"] == 109e9 and "109" in fra["as_printed"]
    chn = next(r for r in shipped if r["id"] == "chn-big-fund-3")
    assert chn["unit"] == "CNY" and chn["value"] == 344e9 and chn["date"] == dt.date(2024, 5, 24)


def test_shipped_files_are_package_data():
    names = {p.name for p in loader.fact_files()}
    assert names == {f"{t}.yaml" for t in TOPICS}


# --- api.facts ----------------------------------------------------------------------------------

def test_api_facts_filters_and_matches_subject_case_insensitively():
    rows = api.facts(topic="public_opinion", subject="chn", measure="ai_benefits_outweigh_drawbacks")
    assert rows and {r["subject"] for r in rows} == {"CHN"}
    assert {r["period"] for r in rows} >= {"2022", "2024"}
    assert all(r["url"] and r["publisher"] and r["published"] for r in rows)


def test_api_facts_confirmed_only_drops_unconfirmed():
    everything = api.facts(topic="ai_adoption")
    confirmed = api.facts(topic="ai_adoption", confirmed_only=True)
    assert len(confirmed) < len(everything)
    assert all(r["confirmed"] for r in confirmed)


def test_api_facts_unknown_topic_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown topic 'robots'"):
        api.facts(topic="robots")


def test_api_facts_returns_copies():
    rows = api.facts(topic="robot_installations")
    rows[0]["value"] = -1
    assert api.facts(topic="robot_installations")[0]["value"] != -1


def test_api_facts_sees_an_edited_file(tmp_path, monkeypatch):
    copy = tmp_path / "curated"
    shutil.copytree(loader.CURATED_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(loader, "CURATED_DIR", copy)
    before = len(api.facts(topic="public_opinion"))
    path = copy / "public_opinion.yaml"
    path.write_text(path.read_text() + "\n  - " + yaml.safe_dump(dict(GOOD, id="added-record"),
                                                                 sort_keys=False).replace("\n", "\n    "))
    assert len(api.facts(topic="public_opinion")) == before + 1


# --- docs ---------------------------------------------------------------------------------------

def test_docs_generated_part_is_up_to_date():
    from aiatlas.curated.docs import BEGIN, markdown

    text = (Path(__file__).resolve().parent.parent / "docs" / "curated.md").read_text(encoding="utf-8")
    assert BEGIN in text, "docs/curated.md lost its generated-part marker"
    assert text[text.index(BEGIN):] == markdown(), "run: make docs"


@pytest.mark.parametrize("period, day", [("2024", dt.date(2024, 1, 1)), ("2024-07", dt.date(2024, 7, 1)),
                                         ("2024-H2", dt.date(2024, 7, 1)),
                                         ("2024-Q3", dt.date(2024, 7, 1)),
                                         ("2024-Q1", dt.date(2024, 1, 1))])
def test_period_forms_give_their_first_day(tmp_path, period, day):
    path = write_topic(tmp_path, [dict(GOOD, period=period)])
    assert loader.load_facts([path])[0]["ref_date"] == day


def test_bad_period_is_named(tmp_path):
    msg = error_for(tmp_path, period="late 2024")
    assert "field 'period': expected YYYY, YYYY-MM, YYYY-H1 or YYYY-Q1, got 'late 2024'" in msg
