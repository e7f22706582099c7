"""Shared cleaning rules: numbers, dates, fractions, countries, header variants, bad bytes."""
from __future__ import annotations

import datetime as dt

import pytest

from aiatlas.errors import DataError
from aiatlas.sources.base import Rejects
from aiatlas.sources.cleaning import Sheet, f, parse_date, parse_fraction, parse_number, slug
from aiatlas.sources.countries import UnknownCountry, iso3


@pytest.mark.parametrize("text, value", [("1600000000000.0", 1.6e12), ("9.702e+24", 9.702e24),
                                         ("9.90E+22", 9.9e22), ("42", 42.0), (" 3.5 ", 3.5)])
def test_numbers_as_publishers_write_them(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1_000", "12,5", "$30", "", "1e999"])
def test_non_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("text, order, day", [
    ("2023-03-15", "mdy", dt.date(2023, 3, 15)),
    ("2026-07-18 21:44:53+00:00", "mdy", dt.date(2026, 7, 18)),
    ("2024/12/21", "mdy", dt.date(2024, 12, 21)),
    ("9/2/2024", "mdy", dt.date(2024, 9, 2)),
    ("23/7/2024", "dmy", dt.date(2024, 7, 23)),
])
def test_dates_iso_and_spreadsheet(text, order, day):
    assert parse_date(text, order) == day


@pytest.mark.parametrize("text", ["13/40/2023", "2023-02-30", "March 2023", "20230508"])
def test_impossible_or_unknown_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_fractions_from_percent_strings_and_declared_scales():
    assert parse_fraction("77.0%") == pytest.approx(0.77)
    assert parse_fraction("88.000", divisor=100) == pytest.approx(0.88)
    assert parse_fraction("8.39", divisor=10) == pytest.approx(0.839)
    assert parse_fraction("0.476797") == pytest.approx(0.476797)


@pytest.mark.parametrize("name, code", [
    ("United States of America", "USA"), ("Korea (Republic of)", "KOR"),
    ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("Iran (Islamic Republic of)", "IRN"), ("Hong Kong", "HKG"), ("Taiwan", "TWN"),
    ("Russia", "RUS"), ("Philippines (the)", "PHL"), ("Czechia", "CZE"), ("China", "CHN"),
])
def test_country_names_to_iso3(name, code):
    assert iso3(name) == code


def test_multinational_is_no_country_and_unknown_names_raise():
    assert iso3("Multinational") is None
    with pytest.raises(UnknownCountry):
        iso3("Atlantis")


def test_slug_keeps_plus_apart():
    assert slug("DeepLabV3+") == "deeplabv3plus"
    assert slug("GPT-4o (Aug 2024)") == "gpt-4o-aug-2024"


FIELDS = (f("name", "Model", "System", required=True), f("size", "Parameters", kind="number"))


def test_header_variants_resolve_through_the_alias_table(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("System,Parameters\nAlexNet,60000000.0\n")
    rows = list(Sheet("s", "old.csv", path, FIELDS, Rejects()).rows())
    assert rows == [(1, {"name": "AlexNet", "size": 6e7})]


def test_missing_required_column_names_file_column_and_found_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Name,Parameters\nA,1\n")
    with pytest.raises(DataError) as e:
        Sheet("s", "x.csv", path, FIELDS, Rejects())
    assert str(e.value) == "x.csv: missing column 'Model' (found: Name, Parameters)"


def test_latin1_bytes_give_a_data_error_with_line_and_offset(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"Model,Parameters\nA,1\nCaf\xe9,2\n")
    with pytest.raises(DataError) as e:
        Sheet("s", "x.csv", path, FIELDS, Rejects())
    assert str(e.value).startswith("x.csv:3: byte 0xe9 at offset 24 is not UTF-8")


def test_bom_is_dropped_and_bad_cells_become_rejects(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffModel,Parameters\nA,12x\nB\n\n".encode("utf-8"))
    rejects = Rejects()
    rows = list(Sheet("s", "x.csv", path, FIELDS, rejects).rows())
    assert rows == [(1, {"name": "A", "size": None}), (2, {"name": "B", "size": None})]
    assert [(r["row"], r["column"], r["value"]) for r in rejects.rows] == [
        (1, "Parameters", "12x"), (2, "Parameters", None)]
    assert "row has 1 of 2 fields" in rejects.rows[1]["reason"]


def test_unclosed_quote_is_a_data_error_not_a_traceback(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('Model,Parameters\n"A,1\n', newline="")
    rows = []
    with pytest.raises(DataError, match=r"x\.csv:\d+: not valid CSV"):
        rows = list(Sheet("s", "x.csv", path, FIELDS, Rejects()).rows())
    assert rows == []


@pytest.mark.parametrize("content", [b"", b"\n\nModel\nA\n", b",,\nA,1,2\n"])
def test_missing_header_row_is_a_data_error(tmp_path, content):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"^x\.csv:1: no header row"):
        Sheet("s", "x.csv", path, (), Rejects())


def test_missing_column_message_stays_on_one_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"Mo\ndel",Parameters\nA,1\n')
    with pytest.raises(DataError) as e:
        Sheet("s", "x.csv", path, FIELDS, Rejects())
    assert str(e.value) == "x.csv: missing column 'Model' (found: 'Mo\\ndel', Parameters)"
