"""`aiatlas list / show / explain` on the tiny warehouse: formats, files, and one-line errors."""
from __future__ import annotations

import csv
import io
import json
import sys

import pyarrow.parquet as pq
import pytest

from aiatlas import cli
from aiatlas.commands import _output
from aiatlas.commands.publish import not_shown


def run(capsys, monkeypatch, *args):
    """Run the CLI entry point; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["aiatlas", *args])
    monkeypatch.setattr(_output.console, "width", 400)  # no folding: assert on whole cells
    code = 0
    try:
        cli.main()
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_shows_every_research_indicator(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "list", "--format", "json")
    assert code == 0
    ids = {i["id"] for i in json.loads(out)}
    assert {"notable_models_by_country", "notable_models_by_region", "sector_shares_by_year",
            "open_weights_share_by_year", "open_weights_share_by_country", "top_organizations",
            "training_compute_trend", "parameter_count_trend", "training_cost_trend",
            "training_compute_share_by_country"} <= ids
    code, out, _ = run(capsys, monkeypatch, "list", "--chapter", "research")
    assert code == 0 and "notable_models_by_country" in out and "attribution=each" in out


def test_show_csv_with_params(tiny_home, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "show", "notable_models_by_country", "--home",
                         str(tiny_home), "-p", "attribution=fractional", "-p", "since=2020",
                         "-p", "until=2020", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {(r["country"], r["year"], float(r["value"])) for r in rows} == {
        ("USA", "2020", 1.5), ("GBR", "2020", 0.5)}


def test_show_json_carries_meta_and_params(tiny_home, capsys, monkeypatch, tmp_path):
    target = tmp_path / "trend.json"
    code, _, err = run(capsys, monkeypatch, "show", "training_compute_trend", "--home",
                       str(tiny_home), "--format", "json", "--out", str(target))
    assert code == 0, err
    payload = json.loads(target.read_text())
    assert payload["meta"]["id"] == "training_compute_trend"
    assert payload["meta"]["params"] == {"subset": "notable", "since": 2010, "until": None}
    assert payload["rows"][0]["n"] == 3


def test_show_parquet_and_table(tiny_home, capsys, monkeypatch, tmp_path):
    target = tmp_path / "sectors.parquet"
    code, _, err = run(capsys, monkeypatch, "show", "sector_shares_by_year", "--home",
                       str(tiny_home), "--format", "parquet", "--out", str(target))
    assert code == 0, err
    table = pq.read_table(target)
    assert table.column_names == ["year", "sector", "models", "total", "value"]
    assert table.num_rows == 5
    code, out, _ = run(capsys, monkeypatch, "show", "top_organizations", "--home",
                       str(tiny_home), "-p", "limit=1")
    assert code == 0 and "OpenAI" in out and "Aleph" not in out


def test_explain_where_narrows_to_one_value(tiny_home, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "explain", "notable_models_by_country", "--home",
                         str(tiny_home), "--where", "country=HKG", "--where", "year=2021",
                         "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["model_id"] for r in rows) == ["delta", "gamma"]
    # List columns are flattened to text for CSV, joined with ";" as on the web and in the report.
    assert {r["organizations"] for r in rows} == {"HKU", "Tsinghua;HKUST"}


@pytest.mark.parametrize("args,message", [
    (["show", "models_by_nation"], "unknown indicator 'models_by_nation'"),
    (["show", "notable_models_by_country", "-p", "nation=USA"],
     "unknown parameter nation for notable_models_by_country (valid: since, until"),
    (["show", "notable_models_by_country", "-p", "since=soon"], "is not a valid int"),
    (["show", "notable_models_by_country", "-p", "attribution=equal"],
     "not one of: each, fractional, first"),
    (["show", "notable_models_by_country", "-p", "since"], "is not key=value"),
    (["show", "notable_models_by_country", "--format", "xml"], "unknown format 'xml'"),
    (["show", "notable_models_by_country", "--format", "parquet"], "needs --out FILE"),
    (["explain", "notable_models_by_country", "--where", "nation=USA"],
     "cannot filter explain rows on 'nation'"),
    (["show", "notable_models_by_country", "--backend", "spark"], "unknown backend 'spark'"),
])
def test_usage_errors_are_one_line_with_exit_2(tiny_home, capsys, monkeypatch, args, message):
    code, _, err = run(capsys, monkeypatch, *args, "--home", str(tiny_home))
    assert code == 2
    assert message in " ".join(err.split())
    assert "Traceback" not in err


@pytest.mark.parametrize("args,message", [
    (["nosuchcmd"], "No such command 'nosuchcmd'"),
    (["show"], "Missing argument 'ID'"),
    (["show", "notable_models_by_country", "--nosuchflag"], "No such option: --nosuchflag"),
    (["serve", "--port", "abc"], "'--port'"),
    (["build", "--parallel", "0"], "'--parallel'"),
    (["list", "--chapter", "nosuch"], "no chapter 'nosuch' (chapters: economy, hardware"),
])
def test_command_line_mistakes_are_usage_errors_not_tracebacks(capsys, monkeypatch, args, message):
    code, _, err = run(capsys, monkeypatch, *args)
    assert code == 2 and "Traceback" not in err, err
    assert message.lower() in " ".join(err.replace("│", " ").split()).lower(), err


def test_empty_results_say_so_on_stderr(tiny_home, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "show", "notable_models_by_country", "-p",
                         "since=2090", "--format", "csv", "--home", str(tiny_home))
    assert code == 0 and out.strip() == "country,country_name,year,value"
    assert "no rows for since=2090" in err


def test_missing_warehouse_is_a_data_error(tmp_path, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "show", "notable_models_by_country", "--home",
                       str(tmp_path))
    assert code == 1 and "no warehouse" in err and "aiatlas build" in err


def test_report_says_each_reason_for_left_out_indicators_once():
    failed = {"a_one": "a_one: source x has no snapshot; run this", "a_two": "a_two: source x has "
              "no snapshot; run this", "b": "b: source y has no snapshot"}
    assert not_shown(failed) == {"source x has no snapshot; run this": ["a_one", "a_two"],
                                 "source y has no snapshot": ["b"]}


def test_show_marks_a_partial_year_as_the_report_chart_does(capsys, monkeypatch):
    """A year the data does not cover to its end (data to 2026-07-19) is marked in the table,
    with a note on stderr; CSV and JSON stay the data as it is."""
    import pyarrow as pa

    from aiatlas.results import Result, partial_year

    monkeypatch.setattr(_output.console, "width", 400)
    table = pa.table({"country": ["USA", "USA"], "year": [2025, 2026], "value": [60, 22]})
    result = Result(meta={"title": "t", "data_as_of": "2026-07-19"}, table=table)
    _output.write_result(result, "table", None)
    out = capsys.readouterr()
    assert "2026 (partial)" in out.out and "2025 (partial)" not in out.out
    assert "2026 is a partial year: the data runs to 2026-07-19" in out.err
    _output.write_result(Result(meta={"title": "t", "data_as_of": "2025-12-31"}, table=table), "table", None)
    assert "partial" not in capsys.readouterr().out  # data to the year's last day: a whole year
    _output.write_result(result, "csv", None)
    assert "2026,22" in capsys.readouterr().out
    assert partial_year("2026-07-19") == 2026 and partial_year(None) is None
