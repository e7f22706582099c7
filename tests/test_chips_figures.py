"""Chip figures as people write them: units, sparsity, per-die figures, full-width digits, and
the answer when a figure does not say whether it is dense or sparse."""
from __future__ import annotations

import json

import pytest

from aiatlas import api
from aiatlas.errors import UsageError
from aiatlas.export_controls import figures


@pytest.mark.parametrize("text, key, value, says", [
    ("1.979 PFLOPS FP8 sparse", "fp8_tflops", 989.5, "sparse figure halved"),
    ("1,979 TFLOPs FP8 dense", "fp8_tflops", 1979, "dense"),
    ("624 TOPS (INT8)", "int8_tops", 624, "read as dense: the text does not say"),
    ("６２４ ＴＯＰＳ（ＩＮＴ８）", "int8_tops", 624, "INT8 624 TOPS"),
    ("3958 TOPS INT8 with sparsity", "int8_tops", 1979, "halved"),
    ("989.4 TFLOPS BF16 without sparsity", "fp16_tflops", 989.4, "dense"),
    ("2 PFLOPS MXFP4 dense", "fp4_tflops", 2000, "FP4 2000 TFLOPS"),
    ("400 TFLOPS FP16 dense per die, 2 dies", "fp16_tflops", 800, "per die x 2 dies"),
    ("2 x 750 mm²", "die_area", 1500, "die area 1500 mm2 (x2)"),
    ("８１４ｍｍ^2", "die_area", 814, "die area 814"),
    ("0.9 TB/s NVLink", "io_bandwidth_gbs", 900, "read as bidirectional: the text does not say"),
    ("450 GB/s NVLink per direction", "io_bandwidth_gbs", 900, "one direction doubled"),
    ("900 GB/s bidirectional NVLink", "io_bandwidth_gbs", 900, "(bidirectional)"),
    ("TPP 4,992", "tpp", 4992, "TPP 4992"),
])
def test_a_figure_is_read_into_dense_per_package_units(text, key, value, says):
    got, number, note, _ = figures.read_one(text)
    assert (got, number) == (key, pytest.approx(value)) and says in note, note


@pytest.mark.parametrize("text, message", [
    ("989 TFLOPS", "does not say its precision"),
    ("989 TFLOPS FP8 FP16", "several precisions"),
    ("10 PFLOPS FP6", "FP6 figure"),
    ("400 TFLOPS FP16 per die", "the number of dies is not given"),
    ("8 PFLOPS FP8 per board", "per board: the rules classify each chip package"),
    ("3.35 TB/s HBM3", "memory bandwidth, which 3A090 does not count"),
    ("900 GB/s", "is it I/O (interconnect) or memory bandwidth"),
    ("400 Gb/s NVLink", "bits per second"),
    ("1,5 PFLOPS FP8", "decimal comma"),
    ("624 furlongs", "unknown unit 'furlongs'"),
    ("624", "has no unit"),
    ("-5 TOPS INT8", "negative"),
])
def test_a_figure_that_does_not_say_enough_is_an_error_naming_what_is_missing(text, message):
    with pytest.raises(UsageError, match=None) as e:
        figures.read_one(text)
    assert message in str(e.value), str(e.value)


def test_an_option_reads_text_in_its_own_unit_and_precision():
    got = figures.read_options({"fp8_tflops": "1.979 PFLOPS sparse", "die_area": "８１４",
                                "int8_tops": 296.0})
    assert got.figures == {"fp8_tflops": pytest.approx(989.5), "die_area": 814, "int8_tops": 296}
    assert got.notes == ["'1.979 PFLOPS sparse' -> FP8 989.5 TFLOPS (sparse figure halved: "
                         "the rules count dense operations)"]  # the bare number needs no note
    with pytest.raises(UsageError, match="names INT8, given as FP8"):
        figures.read_options({"fp8_tflops": "624 TOPS INT8"})


def _classify(**kw):
    return api.classify_chip(rules="us-2024-12", **kw)


def test_a_sparse_figure_is_halved_before_the_thresholds():
    # 1000 sparse FP8 = 500 dense: TPP 4000, PD 4000/814 = 4.91 -> 3A090.b (not .a at 8000)
    row = _classify(figures=["1,000 TFLOPs FP8 sparse", "814 mm2"], datacenter=True)
    assert row["tpp"] == 4000 and row["status"] == "3A090.b"
    assert "sparse figure halved" in row["input_notes"][0]


def test_a_figure_not_saying_dense_or_sparse_is_indeterminate_when_that_decides():
    row = _classify(figures="1000 TFLOPS FP8; 814 mm2", datacenter=True)
    assert row["status"] == "indeterminate" and row["possible"] == ["3A090.a", "3A090.b"]
    assert "as dense, TPP 8000 and 3A090.a; as sparse (halved), TPP 4000 and 3A090.b" \
        in row["reason"]
    assert any("say 'dense' or 'sparse'" in d for d in row["deciding"])
    # ... and says nothing more when both readings agree (H100-class: .a either way)
    row = _classify(figures="1979 TFLOPS FP8; 814 mm2", datacenter=True)
    assert row["status"] == "3A090.a" and row["deciding"] == []


def test_an_io_figure_not_saying_both_directions_is_indeterminate_when_that_decides():
    # 2022 rule: I/O >= 600 GB/s decides; 400 one way is 800 both ways
    row = api.classify_chip(rules="us-2022-10", figures="989 TFLOPS BF16 dense; 400 GB/s NVLink")
    assert row["status"] == "indeterminate" and row["possible"] == ["not controlled", "3A090"]
    assert any("say 'bidirectional' or 'per direction'" in d for d in row["deciding"])
    row = api.classify_chip(rules="us-2022-10",
                            figures="989 TFLOPS BF16 dense; 400 GB/s NVLink bidirectional")
    assert row["status"] == "not controlled"
    row = api.classify_chip(rules="us-2022-10", fp16_tflops=989, io_bandwidth_gbs="400 GB/s")
    assert row["status"] == "not controlled"  # the option is the bidirectional figure


def test_per_die_figures_count_the_whole_package():
    # two dies of 150 dense FP16 TFLOPS and 500 mm2: package TPP 4800 -> 3A090.a; typed as if
    # one die were the package it would be TPP 2400, PD 4.8 -> 3A090.b
    row = _classify(figures=["150 TFLOPS FP16 dense per die", "2 x 500 mm2"], dies=2,
                    datacenter=True)
    assert (row["tpp"], row["pd"], row["status"]) == (4800, 4.8, "3A090.a")
    row = _classify(fp16_tflops=150, die_area=500, dies=2, datacenter=True)
    assert row["status"] == "3A090.b"
    assert any("no figure says 'per die'" in n for n in row["input_notes"])


def test_unknown_tpp_names_only_tpp_as_missing():
    row = _classify(die_area=600)
    assert row["deciding"][0] == "TPP (no dense performance figure)"
    assert not any("die area" in d for d in row["deciding"])


def test_the_cli_takes_figures_as_written(aiatlas_cli):
    res = aiatlas_cli("chips", "classify", "-F", "1.979 PFLOPS FP8 sparse", "--die-area", "８１４",
                      "--datacenter", "--rules", "us-2023-10", "--format", "json")
    row = json.loads(res.stdout)["rows"][0]
    assert res.returncode == 0 and (row["tpp"], row["status"]) == (7916, "3A090.a")
    res = aiatlas_cli("chips", "classify", "--fp8-tflops", "1,979", "--int8-tops", "624 TOPS INT8",
                      "-F", "624 TOPS INT8")
    assert res.returncode == 2 and "int8_tops given twice" in " ".join(res.stderr.split())
