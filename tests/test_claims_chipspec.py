"""Claims about a named chip's specification: unit fitting, precision, variants, tolerance."""
from __future__ import annotations

import pytest

from aiatlas.claims.check import check_text

ROWS = [  # a tiny hand-written accelerator table (figures in base units, as the warehouse holds)
    {"name": "Acme X100 SXM", "fp16_tensor_flops": 989.4e12, "fp8_flops": 1979e12,
     "int8_ops": 1979e12, "memory_bytes": 80e9, "memory_bandwidth_bytes_s": 3.35e12,
     "die_size_mm2": 814.0, "release_price_usd": 33600.0, "tpp_published": 15832e12},
    {"name": "Acme X100 PCIe", "fp16_tensor_flops": 756e12, "memory_bytes": 80e9,
     "memory_bandwidth_bytes_s": 2.0e12, "die_size_mm2": 814.0, "tpp_published": 12096e12},
    {"name": "Acme X100 NVL", "fp16_tensor_flops": None, "die_size_mm2": None},
]


class FakeData:
    """Only the accelerator table: a chip-spec claim must not need anything else."""

    def hardware(self):
        return ROWS


@pytest.fixture(autouse=True)
def chip_name(monkeypatch):
    """'X100' is a chip name for these tests (the gazetteer's chip regex covers H/A/B/MI...)."""
    from aiatlas.claims import gazetteer

    real = gazetteer.default()

    class G:
        def find(self, text):
            from aiatlas.claims.model import Entity

            hits = real.find(text)
            at = text.find("X100")
            return hits + ([Entity("chips", "model", "X100", at, at + 4)] if at >= 0 else [])

    monkeypatch.setattr(gazetteer, "default", lambda: G())


def _verdicts(text):
    report = check_text(text, data=FakeData())
    return [c.verdict for s in report.sentences for c in s.claims]


@pytest.mark.parametrize("text, verdict, words", [
    ("The X100 SXM delivers 989 TFLOPS of dense FP16 compute.", "supported", "FP16/BF16"),
    ("The X100 SXM delivers 1.2 PFLOPS of FP16 compute.", "contradicted", "0.9894 PFLOPS"),
    ("The X100 SXM reaches 1,979 TOPS at INT8.", "supported", "INT8 OP/s"),
    ("The X100 SXM has 80 GB of memory.", "supported", "memory (bytes)"),
    ("The X100 SXM has 3.35 TB/s of memory bandwidth.", "supported", "bandwidth"),
    ("The X100 SXM has 4 TB/s of memory bandwidth.", "contradicted", "3.35 TB/s"),
    ("The X100 has a die area of 814 mm2.", "supported", "Acme X100 SXM, Acme X100 PCIe"),
    ("The X100 SXM launched at a price of $30,000.", "contradicted", "33,600"),
    ("The X100 SXM has a total processing performance of 15,832.", "supported", "TPP"),
    # a sparse figure is twice the dense one the table holds
    ("The X100 SXM delivers 3,958 TFLOPS of FP8 with sparsity.", "supported", "with sparsity"),
    ("The X100 SXM delivers 1,979 TFLOPS of sparse FP8 compute.", "contradicted", "3,958"),
    ("The X100 SXM reaches 3,958 TOPS INT8 (sparse).", "supported", "twice the dense"),
    ("The X100 SXM delivers 1,979 TFLOPS of FP8 without sparsity.", "supported", "FP8 FLOP/s"),
    ("X100 SXMのFP8性能は疎行列で3,958 TFLOPSだ。", "supported", "with sparsity"),
    ("X100 SXMのINT8性能はスパース時3,958 TOPSだ。", "supported", "with sparsity"),
])
def test_spec_claims_are_fitted_and_compared(text, verdict, words):
    [v] = _verdicts(text)
    assert v.verdict == verdict and words in v.reason + v.tolerance, v.reason


@pytest.mark.parametrize("text, why", [
    ("The X100 SXM delivers 989 TFLOPS.", "no precision"),
    ("The X100 SXM delivers 1,979 TFLOPS at INT8.", "counted in OPS (TOPS)"),
    ("The X100 delivers 989 TFLOPS of FP16 compute.", "variants whose"),
    ("The X100 SXM launched at a price of €30,000.", "in USD"),
])
def test_unfitting_unit_or_unclear_variant_is_unverifiable(text, why):
    [v] = _verdicts(text)
    assert v.verdict == "unverifiable" and why in v.reason, v.reason


@pytest.mark.parametrize("text", [
    "The X100 SXM delivers 1,979 TFLOPS of dense FP8 and 3,958 TFLOPS with sparsity.",
    "X100 SXMのFP8性能は密で1,979 TFLOPS、疎で3,958 TFLOPSだ。"])
def test_dense_and_sparse_figures_in_one_sentence_are_each_read_as_written(text):
    assert [v.verdict for v in _verdicts(text)] == ["supported", "supported"]


def test_tolerance_follows_the_stated_precision():
    [v] = _verdicts("The X100 SXM has 3.4 TB/s of memory bandwidth.")
    assert v.verdict == "supported" and "±0.05 TB/s" in v.tolerance
    [v] = _verdicts("The X100 SXM has 3.5 TB/s of memory bandwidth.")
    assert v.verdict == "contradicted"


@pytest.mark.mirror
def test_chip_specs_against_the_hardware_table(built_home):
    from aiatlas import api

    def verdicts(text):
        r = api.check(text, home=built_home, as_text=True)
        return [c.verdict for s in r.sentences for c in s.claims]

    [v] = verdicts("The H800 has a total processing performance of 15,832.")
    assert v.verdict == "supported" and "NVIDIA H800 SXM5" in v.reason, v.reason
    [v] = verdicts("The H20 has 96 GB of memory.")
    assert v.verdict == "supported"
    [v] = verdicts("H100 SXM5のFP16性能は989 TFLOPSだ。")
    assert v.verdict == "supported"
