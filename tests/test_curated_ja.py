"""Every curated record a reader sees has Japanese text: its headline (label_ja), its measure and
its unit in both catalogues; the reader's table in Japanese holds none of the English."""
from __future__ import annotations

import re

import pytest

from aiatlas.curated.loader import load_facts
from aiatlas.curated.schema import validate_record
from aiatlas.errors import DataError
from aiatlas.report import charts, factviews
from aiatlas.report.i18n import LANGS, Text, catalog

FACTS = load_facts()
RECORD = {"id": "x-event", "topic": "policy_events", "subject": "USA", "subject_type": "country",
          "measure": "export_control_rule", "unit": "event", "date": "2024-12-02",
          "publisher": "P", "title": "T", "url": "https://example.org", "published": "2024-12-02",
          "as_printed": "(event)", "note": "n", "note_ja": "注"}


def test_every_labelled_record_has_its_japanese_headline():
    labelled = [f for f in FACTS if f["label"]]
    assert labelled, "the curated files hold labelled records (events, programmes)"
    assert [f["id"] for f in labelled if not (f["label_ja"] or "").strip()] == []
    # written in Japanese, not a copy of the English
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", f["label_ja"]) for f in labelled)


@pytest.mark.parametrize("record", [RECORD | {"label": "US rule"}, RECORD | {"label_ja": "米国の規則"}])
def test_a_headline_in_one_language_only_is_refused_naming_the_field(record):
    with pytest.raises(DataError, match=r"policy_events.yaml:7: record 'x-event': field 'label"):
        validate_record(record, file="policy_events.yaml", index=0, line=7)


def test_every_note_has_its_japanese_text_in_our_own_words():
    assert [f["id"] for f in FACTS if f["note"] and not (f["note_ja"] or "").strip()] == []
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", f["note_ja"]) for f in FACTS)
    with pytest.raises(DataError, match=r"policy_events.yaml:7: record 'x-event': field 'note_ja': missing"):
        validate_record({k: v for k, v in RECORD.items() if k != "note_ja"}, file="policy_events.yaml",
                        index=0, line=7)


def test_the_reader_sees_the_note_in_their_language():
    row = {"id": "x", "label": "L", "label_ja": "ラベル", "note": "A caveat.", "note_ja": "注意書き。",
           "value": 3.0, "unit": "percent", "subject": "USA", "period": "2024"}
    assert factviews.table([row], text=Text("ja"))["rows"][0]["note"] == "注意書き。"
    assert factviews.table([row], text=Text("en"))["rows"][0]["note"] == "A caveat."
    text = Text("ja")
    text.fact_note(row | {"note_ja": None})
    assert text.missed == {"facts.x.note_ja"}  # said untranslated, never shown as if it were


@pytest.mark.parametrize("lang", LANGS)
def test_every_measure_and_unit_of_a_record_has_reader_text(lang):
    cat = catalog(lang)
    assert sorted({f["measure"] for f in FACTS} - set(cat["measures"])) == []
    assert sorted({f["unit"] for f in FACTS if f["unit"] != "percent"} - set(cat["fact_units"])) == []


def test_the_japanese_fact_table_shows_no_english_headline_or_measure_id():
    text = Text("ja")
    shown = factviews.table(FACTS, text=text)
    assert text.missed == set()
    assert len(shown["rows"]) == len(FACTS)
    english = {f["label"] for f in FACTS if f["label"]} | {f["measure"] for f in FACTS}
    assert [r["what"] for r in shown["rows"] if r["what"] in english] == []
    en = factviews.table(FACTS, text=Text("en"))
    assert {r["what"] for r in en["rows"]} >= {f["label"] for f in FACTS if f["label"] and f["confirmed"]}
    assert not [r for r in en["rows"] if "_" in r["what"]]  # measure titles, never snake_case ids


def test_amounts_read_as_a_reader_writes_them():
    assert factviews.amount(109e9, "EUR", Text("en")) == "109 billion EUR"
    assert factviews.amount(109e9, "EUR", Text("ja")) == "1090億ユーロ"  # myriads, no space in Japanese
    assert factviews.amount(83.0, "percent", Text("ja")) == "83%"
    assert factviews.amount(None, "event", Text("en")) == ""


@pytest.mark.parametrize("lang", LANGS)
def test_adoption_is_drawn_over_time_from_the_world_survey_waves(lang):
    rows = [{"topic": "ai_adoption", "measure": "organizations_using_ai_share", "subject": "WLD", "value": v,
             "ref_date": f"{y}-01-01", "confirmed": True} for y, v in ((2023, 55.0), (2025, 88.0))]
    rows.append(rows[0] | {"subject": "USA", "value": 1.0})  # not a world figure: not on the chart
    data = factviews.world_series(rows, *factviews.TRENDS[0][:2], text=Text(lang))
    assert [d["value"] for d in data] == [55.0, 88.0]
    assert {d["measure"] for d in data} == {Text(lang).measure("organizations_using_ai_share")}
    assert len(factviews.section(rows, [], text=Text(lang), render=lambda s: s)["figures"]) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_investment_programmes_are_bars_in_their_own_currency(lang):
    base = {"topic": "investment_programmes", "subject": "FRA", "confirmed": True, "label": "Package",
            "label_ja": "計画", "measure": "announced_ai_investment"}
    rows = [base | {"value": 109e9, "unit": "EUR"}, base | {"value": 5e11, "unit": "USD", "subject": "USA"},
            base | {"value": 1.0, "unit": "EUR", "confirmed": False}]  # an unconfirmed figure is not drawn
    spec = factviews.amounts_spec(rows, text=Text(lang))
    bars = spec["data"]["values"]
    assert len(bars) == 2 and {b["currency"] for b in bars} == {Text(lang).fact_unit("EUR"), Text(lang).fact_unit("USD")}
    assert spec["facet"]["row"]["field"] == "currency" and spec["resolve"]["scale"]["x"] == "independent"
    assert factviews.amounts_spec([], text=Text(lang)) is None


@pytest.mark.parametrize("lang, years", [("en", {"2024", "2023"}), ("ja", {"2024年", "2023年"})])
def test_bars_of_different_years_say_each_bars_year(lang, years):
    # China's robots of 2024 stood beside the United States' of 2023 with no year on either bar
    rows = [{"topic": "robot_installations", "measure": "industrial_robot_installations", "subject": s,
             "period": p, "value": v, "confirmed": True} for s, p, v in
            (("CHN", "2024", 295000), ("CHN", "2023", 276288), ("USA", "2023", 37587), ("DEU", "2023", 28355))]
    spec = factviews.section(rows, [], text=Text(lang), render=lambda s: s)["figures"][0]
    bars, label = spec["layer"]
    assert bars["mark"]["type"] == "bar" and label["mark"]["type"] == "text"
    assert label["encoding"]["text"]["field"] == "period" and label["encoding"]["x"] == bars["encoding"]["x"]
    assert {r["period"] for r in spec["data"]["values"]} == years
    svg = charts.svg(spec)
    assert all(y in svg for y in years)
    assert bars["encoding"]["x"]["sort"]["order"] == "descending" == label["encoding"]["x"]["sort"]["order"]
    names = re.findall(r'aria-label="[^"]*?: ([^;"]+); [^"]*"', svg)  # the bars, left to right
    us, de = ("United States", "Germany") if lang == "en" else ("米国", "ドイツ")
    assert names.index(us) < names.index(de)  # by value, not by name
