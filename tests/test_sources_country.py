"""Cleaners of the country-grain sources (ECI, chip counts, Innovation Graph, population) on
tiny hand-written files with malformed rows."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import FIXTURES

from aiatlas.errors import DataError
from aiatlas.sources import epoch_chip_counts, epoch_eci, github_innovation, worldbank
from aiatlas.sources.base import Rejects
from aiatlas.sources.countries import economy
from aiatlas.warehouse.build import arrow_table

DATA = FIXTURES / "country"


def rejected(rejects: Rejects) -> set[tuple]:
    return {(r["file"], r["row"], r["column"], r["value"]) for r in rejects.rows}


def test_eci_scores_typed_and_bad_rows_rejected():
    rejects = Rejects()
    rows = epoch_eci.clean_eci({"eci_scores.csv": DATA / "eci_scores.csv"}, rejects)["eci_scores"]
    arrow_table("eci_scores", rows)  # fits the declared types
    by_id = {r["model_id"]: r for r in rows}
    assert set(by_id) == {"closed-alpha", "open-beta", "odd-row"}  # no score: dropped
    alpha = by_id["closed-alpha"]
    assert (alpha["eci"], alpha["eci_low"], alpha["eci_high"]) == (150.5, 148.0, 153.0)
    assert alpha["countries"] == ["USA", "GBR"] and alpha["release_date"] == dt.date(2025, 6, 1)
    assert (by_id["open-beta"]["accessibility_group"], by_id["open-beta"]["countries"]) == (
        "Open weights", ["CHN"])
    assert (by_id["odd-row"]["release_date"], by_id["odd-row"]["countries"]) == (None, [])
    assert rejected(rejects) == {("eci_scores.csv", 3, "eci", "n/a"),
                                 ("eci_scores.csv", 4, "date", "sometime"),
                                 ("eci_scores.csv", 4, "Country (of organization)", "Atlantis")}


def test_eci_empty_score_and_name_drop_the_row(tmp_path):
    path = tmp_path / "eci_scores.csv"
    path.write_text("Model,eci\nA,\n,3\nB,4\n")
    rejects = Rejects()
    rows = epoch_eci.clean_eci({"eci_scores.csv": path}, rejects)["eci_scores"]
    assert [r["model_id"] for r in rows] == ["b"]
    assert [(r["row"], r["column"], r["reason"]) for r in rejects.rows] == [
        (1, "eci", "empty ECI score (expected a number); row dropped"),
        (2, "Model", "empty model name (expected a name); row dropped")]


def test_chip_sales_header_variants_series_and_rejects():
    rejects = Rejects()
    files = {n: DATA / n for n in ("nvidia_cumulative_totals.csv",
                                   "nvidia_fiscal_quarter_chip_timelines.csv")}
    rows = epoch_chip_counts.clean_sales(files, rejects)["ai_chip_sales"]
    arrow_table("ai_chip_sales", rows)
    total, q1, q2 = rows[0], rows[2], rows[3]
    # 'Number of units (median)' and 'Number of Units' land in the same column
    assert (total["series"], total["units"], total["units_p5"], total["units_p95"]) == (
        "cumulative", 100.0, 80.0, 130.0)
    assert (total["h100e"], total["power_mw_p95"], total["incomplete"]) == (50.0, 3.0, False)
    assert rows[1]["incomplete"] is True and total["estimated_on"] == dt.date(2026, 3, 31)
    assert (q1["series"], q1["units"], q1["h100e_p95"], q1["chip_type"]) == (
        "fiscal_quarter_by_chip", 100.0, 65.0, "H100")
    assert (q2["h100e"], q2["end_date"]) == (None, None)
    assert rejected(rejects) == {
        ("nvidia_fiscal_quarter_chip_timelines.csv", 2, "End date", "13/45/2024"),
        ("nvidia_fiscal_quarter_chip_timelines.csv", 2, "Compute estimate in H100e (median)",
         "about 55")}


def test_chip_owners_countries_and_unknown_owner():
    rejects = Rejects()
    files = {n: DATA / n for n in ("nvidia_owners_quarters.csv", "amd_owners_quarters_by_chip.csv")}
    rows = epoch_chip_counts.clean_owners(files, rejects)["ai_chip_owners"]
    arrow_table("ai_chip_owners", rows)
    got = {r["owner"]: (r["series"], r["owner_country"], r["units"]) for r in rows}
    assert got == {"Microsoft": ("quarter_by_chip", "USA", 8.0),  # 'Number of Units (median)'
                   "China": ("quarter", "CHN", 90.0), "Wakanda Corp": ("quarter", None, 10.0),
                   "Meta": ("quarter", "USA", None)}
    assert rejected(rejects) == {("nvidia_owners_quarters.csv", 2, "Owner", "Wakanda Corp")}
    assert "expected one of: China" in rejects.rows[0]["reason"]


@pytest.mark.parametrize("series, file", [
    ("quarter_by_chip", "amd_chip_timelines.csv"), ("cumulative_by_chip", "tpu_cumulative_by_chip.csv"),
    ("quarter", "amd_owners_quarters.csv"), ("quarter_by_chip", "tpu_owners_quarters_by_chip.csv"),
    ("cumulative", "coreweave_owners_cumulative_totals.csv")])
def test_chip_series_from_file_name(series, file):
    assert epoch_chip_counts.series(file) == series


def github_files(tmp_path=None, **replace):
    files = {p.name: p for p in (DATA / "github").iterdir()}
    for name, text in replace.items():
        path = tmp_path / name.replace("_json", ".json")
        path.write_text(text)
        files[path.name] = path
    return files


def test_innovation_graph_economies_topics_and_rejects():
    rejects = Rejects()
    out = github_innovation.clean_innovation_graph(github_files(), rejects)
    for table, rows in out.items():
        arrow_table(table, rows)
    devs = {r["economy"]: r for r in out["github_activity"] if r["measure"] == "developers"}
    assert set(devs) == {"US", "EU", "CN", "ZZ"}  # quarter 5: dropped
    assert (devs["US"]["country"], devs["US"]["is_country"], devs["US"]["value"]) == ("USA", True, 1000)
    assert (devs["EU"]["country"], devs["EU"]["is_country"]) == (None, False)  # an aggregate
    assert (devs["ZZ"]["country"], devs["ZZ"]["is_country"]) == (None, None)  # cannot tell
    orgs = [r for r in out["github_activity"] if r["measure"] == "organizations"]
    assert [(r["country"], r["year"], r["quarter"]) for r in orgs] == [("XKX", 2024, 1)]
    assert not [r for r in out["github_activity"] if r["measure"] == "repositories"]
    assert {(r["country"], r["topic"], r["pushers"]) for r in out["github_topic_pushers"]} == {
        ("USA", "machine-learning", 300), ("CHN", "llm", 120), (None, "pytorch", 90)}
    assert {(r["source_country"], r["destination_country"], r["weight"])
            for r in out["github_collaboration"]} == {("CHN", "USA", 40), (None, "USA", 30)}
    assert rejected(rejects) == {("developers.csv", 4, "iso2_code", "ZZ"),
                                 ("developers.csv", 5, "quarter", "5"),
                                 ("repositories.csv", 1, "repositories", "many")}


def test_innovation_graph_descriptor_errors(tmp_path):
    with pytest.raises(DataError, match=r"^datapackage\.json:1:14: not valid JSON"):
        github_innovation.clean_innovation_graph(
            github_files(tmp_path, datapackage_json='{"resources" [}'), Rejects())
    stale = '{"resources": [{"path": "data/topics.csv", "schema": {"fields": [{"name": "x"}]}}]}'
    with pytest.raises(DataError, match=r"resource developers\.csv does not declare developers"):
        github_innovation.clean_innovation_graph(github_files(tmp_path, datapackage_json=stale),
                                                 Rejects())


def test_innovation_graph_missing_column_is_a_clean_error(tmp_path):
    with pytest.raises(DataError, match=r"^topics\.csv: missing column 'num_pushers'"):
        github_innovation.clean_innovation_graph(
            github_files(tmp_path, **{"topics.csv": "pushers,topic,iso2_code,year,quarter\n"}),
            Rejects())


def test_population_aggregates_flagged_and_bad_rows_rejected():
    rejects = Rejects()
    rows = worldbank.clean_population({"population.csv": DATA / "population.csv"},
                                      rejects)["population"]
    arrow_table("population", rows)
    got = {(r["code"], r["year"]): (r["country"], r["is_country"], r["population"]) for r in rows}
    assert got == {("WLD", 2023): (None, False, 8e9), ("CHN", 2023): ("CHN", True, 1.41e9),
                   ("CHN", 2024): ("CHN", True, 1.409e9), ("XKX", 2023): ("XKX", True, 1.75e6)}
    assert rejected(rejects) == {("population.csv", 5, "Value", "lots"),
                                 ("population.csv", 6, "Country Code", "12")}


def test_economy_codes():
    assert economy("CN") == ("CHN", True) and economy("chn") == ("CHN", True)
    assert economy("XK") == ("XKX", True)
    assert economy("EU", frozenset({"EU"})) == (None, False)
    assert economy("EAS") == (None, False)  # a World Bank region code
    with pytest.raises(ValueError):
        economy("EU", frozenset())
    with pytest.raises(ValueError):
        economy("12")


def test_population_file_with_bom_and_missing_column(tmp_path):
    path = tmp_path / "population.csv"
    path.write_bytes(b"\xef\xbb\xbfCountry Name,Country Code,Year\nChina,CHN,2023\n")
    with pytest.raises(DataError, match=r"^population\.csv: missing column 'Value'"):
        worldbank.clean_population({"population.csv": path}, Rejects())
    shutil.copy(DATA / "population.csv", path)
    assert len(worldbank.clean_population({"population.csv": path}, Rejects())["population"]) == 4


@pytest.mark.parametrize("table, fields", [
    ("eci_scores", epoch_eci.FIELDS),
    ("ai_chip_sales", epoch_chip_counts.FIELDS[:2] + epoch_chip_counts.FIELDS[3:]),
    ("ai_chip_owners", epoch_chip_counts.FIELDS), ("population", worldbank.FIELDS)])
def test_field_kinds_match_the_schema_types(table, fields):
    from aiatlas.warehouse.schema import TABLES

    kind_of = {"VARCHAR": {"text"}, "DOUBLE": {"number"}, "DATE": {"date"}, "BOOLEAN": {"bool"},
               "VARCHAR[]": {"text"}, "INTEGER": {"int"}, "BIGINT": {"int"}}  # countries: split later
    types = {c.name: c.type for c in TABLES[table]}
    for fl in fields:
        assert fl.kind in kind_of[types[fl.name]], (table, fl.name)


def test_declared_as_of_dates_are_iso_dates():
    for src in (*epoch_eci.SOURCES, *epoch_chip_counts.SOURCES, *github_innovation.SOURCES,
                *worldbank.SOURCES):
        for fl in src.files:
            assert dt.date.fromisoformat(fl.as_of) <= dt.date(2026, 12, 2), (src.id, fl.name)
