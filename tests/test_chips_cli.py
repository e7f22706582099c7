"""`aiatlas chips` end to end on a tiny hand-written hardware table."""
from __future__ import annotations

import csv
import io
import json
import sys

import pytest
from chips_helpers import read_fixture, write_warehouse
from conftest import FIXTURES

from aiatlas.cli import main


@pytest.fixture()
def home(tmp_path):
    """A data home whose warehouse holds only the fixture's `hardware` rows."""
    return write_warehouse(tmp_path, {"hardware": read_fixture(FIXTURES / "chips" / "hardware.csv")})


@pytest.fixture()
def run(monkeypatch, capsys):
    def invoke(*args):
        monkeypatch.setattr(sys, "argv", ["aiatlas", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return invoke


def test_list_json_classifies_every_chip(run, home):
    code, out, _ = run("chips", "list", "--rules", "us-2023-10", "--format", "json", "--home", home)
    assert code == 0
    payload = json.loads(out)
    got = {r["name"]: r for r in payload["rows"]}
    assert payload["meta"]["rules"] == "us-2023-10"
    assert [r["name"] for r in payload["rows"]] == ["Fixture Big", "Fixture Mid", "Fixture Gamer",
                                                   "Fixture Small"]  # newest first
    assert got["Fixture Big"]["status"] == "3A090.a" and got["Fixture Big"]["tpp"] == 16000
    assert got["Fixture Big"]["maker_country"] == "USA"
    assert got["Fixture Mid"]["status"] == "indeterminate"   # no die area, marketing unknown
    assert got["Fixture Gamer"]["possible"] == ["3A090.a", "not controlled"]
    # Small: INT8 100 x 8 = 800 vs FP32 10 x 32 = 320 -> 800; Epoch says 1000 -> flagged
    assert got["Fixture Small"]["tpp"] == 800 and got["Fixture Small"]["tpp_mismatch"] is True
    assert got["Fixture Small"]["status"] == "not controlled"


@pytest.mark.parametrize("flag", ["--rules-as-of", "--as-of"])
def test_list_rules_as_of_picks_the_rule_set_and_csv_has_the_licence_column(run, home, flag):
    code, out, notice = run("chips", "list", flag, "2023-01-01", "--destination", "CHN",
                            "--format", "csv", "--home", home)
    assert code == 0
    # the old flag still gives the rule date, and says it is the old name of --rules-as-of
    assert ("old name of --rules-as-of" in notice) == (flag == "--as-of")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["rule_set"] for r in rows} == {"us-2022-10"}
    big = next(r for r in rows if r["name"] == "Fixture Big")
    # 2022: TPP 16000 >= 4800 and I/O 900 >= 600 -> controlled, licence needed for China
    assert big["status"] == "3A090" and big["licence_required"] == "True"
    assert "I/O bandwidth 900 GB/s >= 600 GB/s" in big["reason"]
    gamer = next(r for r in rows if r["name"] == "Fixture Gamer")
    assert gamer["status"] == "not controlled" and gamer["licence_required"] == "False"


def test_list_table_prints_the_reason(run, home, monkeypatch):
    from aiatlas.commands import _output

    monkeypatch.setattr(_output.console, "width", 400)  # one line per chip
    code, out, _ = run("chips", "list", "--rules", "us-2023-10", "--home", home)
    assert code == 0
    big = next(line for line in out.splitlines() if "Fixture Big" in line)
    assert "3A090.a under us-2023-10: TPP 16000 >= 4800" in big and "USA" in big


def test_classify_by_name(run, home):
    code, out, _ = run("chips", "classify", "fixture mid", "--rules", "us-2023-10",
                       "--format", "json", "--home", home)
    assert code == 0
    row = json.loads(out)["rows"][0]
    assert row["name"] == "Fixture Mid" and row["status"] == "indeterminate"
    assert row["possible"] == ["3A090.a", "3A090.b", "not controlled"]
    assert any("400, 740 mm^2" in d for d in row["deciding"])


@pytest.mark.parametrize("rules, status", [("us-2022-10", "not controlled"),
                                           ("us-2023-10", "3A090.a")])
def test_classify_from_figures(run, rules, status):
    code, out, _ = run("chips", "classify", "--int8-tops", 624, "--fp16-tflops", 312,
                       "--die-area", 826, "--io-bandwidth-gbs", 400, "--datacenter",
                       "--rules", rules, "--format", "json")
    assert code == 0
    row = json.loads(out)["rows"][0]
    assert row["tpp"] == 4992 and row["status"] == status and row["datacenter"] is True


def test_classify_table_output(run):
    code, out, _ = run("chips", "classify", "--int8-tops", 296, "--rules", "us-2023-10")
    assert code == 0 and "indeterminate" in out and "2368" in out


@pytest.mark.parametrize("args, code, message", [
    (("chips", "classify", "Nonexistent Chip"), 2, "no accelerator named 'Nonexistent Chip'"),
    (("chips", "classify", "Fixture"), 2, "is ambiguous (4 matches)"),
    (("chips", "list", "--rules", "us-1999"), 2, "unknown rule set 'us-1999'"),
    (("chips", "list", "--destination", "Atlantis"), 2, "unknown destination country"),
    (("chips", "classify"), 2, "give a chip name or at least one performance figure"),
    (("chips", "list", "--format", "xml"), 2, "unknown format 'xml'"),
])
def test_errors_are_one_line_with_exit_codes(run, home, args, code, message):
    got, _, err = run(*args, "--home", home)
    assert got == code
    assert message in " ".join(err.split())


def test_list_without_a_warehouse_says_how_to_build_one(run, tmp_path):
    code, _, err = run("chips", "list", "--home", tmp_path / "empty")
    assert code == 1 and "no warehouse" in err and "aiatlas build" in err


def test_rules_json_has_citations(run):
    code, out, _ = run("chips", "rules", "--format", "json")
    assert code == 0
    sets = {s["id"]: s for s in json.loads(out)["rows"]}
    assert sets["us-2023-10"]["citation"]["federal_register"] == "88 FR 73458"
    assert sets["us-2025-01-diffusion"]["enforced"] is False
    assert sets["us-2025-01-diffusion"]["superseded"] == "2025-05-13"


def test_rules_date_and_data_vintage_are_separate_flags(run, home):
    code, _, notice = run("chips", "list", "--rules-as-of", "2023-01-01", "--as-of", "2024-01-01",
                          "--home", home)
    assert code == 2 and "give the rule date once" in notice
    code, _, notice = run("chips", "list", "--data-as-of", "2025-04-30", "--home", home)
    assert code == 1 and "no vintage of the data as of 2025-04-30" in notice


def test_a_name_fitting_several_chips_lists_each_with_its_answer(run, home):
    code, _, err = run("chips", "classify", "Fixture", "--rules", "us-2023-10", "--home", home)
    err = " ".join(err.split())
    assert code == 2 and "Fixture Big: 3A090.a" in err and "Fixture Small: not controlled" in err
    assert "give one of these names" in err
    code, _, err = run("chips", "can-export", "Fixture", "--to", "CHN", "--on", "2024-01-01", "--home", home)
    assert code == 2 and "Fixture Small: yes" in " ".join(err.split())
