"""The cited chip supplement, definite statuses for the China-market chips, and can-export answers."""
from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from aiatlas import api
from aiatlas.export_controls import can_export as ce
from aiatlas.export_controls import chips, supplement
from aiatlas.export_controls import rules as ecr


def test_the_supplement_validates_and_every_figure_cites_a_known_source():
    sup = supplement.load()
    assert sup.chips and sup.not_confirmed
    for chip in sup.chips:
        assert all(v.source in sup.sources for v in chip.figures.values()), chip.chip
    assert all(s.url.startswith("https://") for s in sup.sources.values())
    with pytest.raises(ValidationError):
        supplement.Chip.model_validate({"chip": "X", "in_epoch": True,
                                        "figures": {"die_area": {"value": 1, "source": "s"}}})
    # every figure says whether the maker's own document confirms it; only such a source can
    for chip in sup.chips:
        for v in chip.figures.values():
            assert v.confidence == "unconfirmed" or sup.sources[v.source].publisher_own, chip.chip
    with pytest.raises(ValidationError, match="confidence"):
        supplement.Value.model_validate({"value": 1, "source": "s"})


def test_a_figure_confirmed_by_trade_press_is_a_one_line_error(tmp_path, monkeypatch):
    from aiatlas.errors import DataError

    path = tmp_path / "specs.yaml"
    path.write_text("sources: {press: {title: T, url: 'https://x', kind: trade press}}\n"
                    "chips:\n- chip: C\n  in_epoch: true\n  figures:\n"
                    "    die_area_mm2: {value: 100, source: press, confidence: confirmed}\n")
    monkeypatch.setattr(supplement, "_path", lambda: path)
    supplement.load.cache_clear()
    try:
        with pytest.raises(DataError, match="figure die_area_mm2: confirmed by 'press', which is "
                                            "not the maker's own document"):
            supplement.load()
    finally:
        supplement.load.cache_clear()


def test_a_verdict_resting_on_an_unconfirmed_figure_names_it():
    """Only the unconfirmed figures the rule looks at are named: the 2022 rule reads I/O, the
    2023 rule does not."""
    rules = ecr.load()
    row = {"name": "Chip", "manufacturer": "NVIDIA", "int8_ops": 2000e12, "fp16_tensor_flops": 1000e12,
           "die_size_mm2": 800, "intranode_bandwidth_bytes_s": 400e9, "datacenter": True,
           "unconfirmed_figures": ["io_bandwidth_gbs 400 (trade press: https://x)"]}
    old = chips.chip_row(row, rules.pick("us-2022-10", None), rules)
    assert old["unconfirmed_inputs"] == ["io_bandwidth_gbs 400 (trade press: https://x)"]
    assert old["reason"].endswith("; rests on figures its maker has not confirmed: "
                                  "io_bandwidth_gbs 400 (trade press: https://x)")
    new = chips.chip_row(row, rules.pick("us-2023-10", None), rules)
    assert new["unconfirmed_inputs"] == [] and "not confirmed" not in new["reason"]


def test_epoch_values_win_a_differing_figure_is_reported_and_missing_chips_are_added():
    rows = [{"name": "NVIDIA HGX H20", "die_size_mm2": None, "memory_bandwidth_bytes_s": 3.0e12,
             "intranode_bandwidth_bytes_s": None},
            {"name": "NVIDIA H800 SXM5", "intranode_bandwidth_bytes_s": None},
            {"name": "NVIDIA A800 SXM"}, {"name": "NVIDIA A800 PCIe 80 GB"},
            {"name": "NVIDIA A800 PCIe 40 GB"}, {"name": "NVIDIA H200 SXM"}, {"name": "NVIDIA L40"},
            {"name": "NVIDIA GeForce RTX 4090"}]
    out = {r["name"]: r for r in supplement.apply(rows)}
    h20 = out["NVIDIA HGX H20"]
    assert h20["die_size_mm2"] == 814 and h20["datacenter"] is True
    assert h20["memory_bandwidth_bytes_s"] == 3.0e12  # Epoch's figure kept ...
    assert h20["figure_disagreements"] == [  # ... and the supplement's 4000 GB/s reported
        "memory_bandwidth_gbs: Epoch 3000 kept; supplement 4000 (https://www.tweaktown.com/news/"
        "95224/nvidias-tweaked-h20-ai-gpu-enters-mass-production-in-q2-2024-destined-for-china/"
        "index.html)"]
    assert out["NVIDIA L40S"]["fp8_flops"] == 733e12 and out["NVIDIA L40S"]["die_size_mm2"] == 608
    assert supplement.apply([]) == []  # a vintage without Epoch's hardware export gets nothing


def _classified(home, name, rules):
    return api.classify_chip(name, rules=rules, home=home)


@pytest.mark.mirror
@pytest.mark.parametrize("name, rules, status, words", [
    ("NVIDIA HGX H20", "us-2022-10", "not controlled", "TPP 2368 < 4800"),
    ("NVIDIA HGX H20", "us-2023-10", "not controlled", "PD 2.90909 < 3.2"),
    ("NVIDIA H800 SXM5", "us-2022-10", "not controlled", "I/O bandwidth 400 GB/s < 600 GB/s"),
    ("NVIDIA H800 SXM5", "us-2023-10", "3A090.a", "TPP 15832 >= 4800"),
    ("NVIDIA A800 SXM", "us-2022-10", "not controlled", "I/O bandwidth 400 GB/s < 600 GB/s"),
    ("NVIDIA A800 PCIe 80 GB", "us-2023-10", "3A090.a", "TPP 4992 >= 4800"),
])
def test_china_market_chips_get_a_definite_status_with_the_reason(built_home, name, rules,
                                                                  status, words):
    r = _classified(built_home, name, rules)
    assert (r["status"], r["possible"]) == (status, [status])
    assert words in r["reason"] and r["figure_sources"]
    # a status that rests on a trade-press figure says which: without it the status would change
    resting = {("NVIDIA HGX H20", "us-2023-10"): ["die_area_mm2"],
               ("NVIDIA H800 SXM5", "us-2022-10"): ["io_bandwidth_gbs"],
               ("NVIDIA A800 SXM", "us-2022-10"): ["io_bandwidth_gbs"]}.get((name, rules), [])
    assert [u.split()[0] for u in r["unconfirmed_inputs"]] == resting
    assert ("rests on figures its maker has not confirmed" in r["reason"]) == bool(resting)


@pytest.mark.mirror
def test_every_chip_marked_in_epoch_is_named_as_epoch_names_it(built_home):
    names = {r["name"] for r in api.chips(home=built_home)}
    assert [c.chip for c in supplement.load().chips if c.chip not in names] == []


@pytest.mark.mirror
def test_can_export_answers_with_rule_notice_policy_and_figures(built_home):
    h20 = api.can_export("H20", to="CHN", on="2025-06-01", home=built_home)
    assert (h20["answer"], h20["rule_set"], h20["status"]) == (
        ce.LICENCE, "us-2024-12", "not controlled")
    assert h20["notices"][0].startswith("h20-2025-04") and h20["figures"]["pd"] < 3.2
    assert api.can_export("H20", to="CHN", on="2025-04-01", home=built_home)["answer"] == ce.YES
    later = api.can_export("H20", to="CHN", on="2026-02-01", home=built_home)
    assert later["answer"] == ce.CASE_BY_CASE and later["policy"]["confirmed"] is True
    assert "2026-00789" in later["policy"]["citation"]
    h200 = api.can_export("NVIDIA H200 SXM", to="China", on="2025-06-01", home=built_home)
    assert h200["answer"] == ce.DENIAL and h200["policy"]["confirmed"] is False
    # the notice names the H20, so no unconfirmed figure decides that answer; the L40S's
    # status rests on its two trade-press performance figures together
    assert h20["unconfirmed_inputs"] == [] and "not confirmed" not in h20["reason"]
    l40s = api.can_export("NVIDIA L40S", to="CHN", on="2024-06-01", home=built_home)
    assert sorted(u.split()[0] for u in l40s["unconfirmed_inputs"]) == ["fp16_tflops", "fp8_tflops"]
    assert api.can_export("NVIDIA H200 SXM", to="DEU", on="2025-06-01",
                          home=built_home)["answer"] == ce.YES


@pytest.mark.mirror
def test_can_export_over_http_and_the_supplement_in_provenance(built_home):
    from fastapi.testclient import TestClient

    from aiatlas.web.app import create_app

    client = TestClient(create_app(home=built_home))
    got = client.get("/api/chips/can-export", params={"name": "H20", "to": "CHN",
                                                      "on": "2025-06-01"}).json()
    assert got["answer"] == ce.LICENCE and got["rule_set"] == "us-2024-12"
    h800 = client.get("/api/chips/classify", params={"name": "NVIDIA H800 SXM5",
                                                     "rules": "us-2022-10"}).json()
    assert h800["unconfirmed_inputs"][0].startswith("io_bandwidth_gbs 400")
    assert "rests on figures its maker has not confirmed: io_bandwidth_gbs 400" in h800["reason"]
    prov = api.compute("chips_controlled", home=built_home).provenance
    assert "chip_supplement" in {p["source"] for p in prov}


def test_the_2026_review_policy_is_dated_and_marked_confirmed():
    policies = {p.id: p for p in ecr.load().review_policies}
    jan = policies["us-2026-01-case-by-case"]
    assert jan.start == dt.date(2026, 1, 15) and jan.confirmed and jan.unconfirmed
    assert policies["presumption-of-denial-china"].confirmed is False


def test_a_chip_of_a_foreign_maker_is_answered_with_its_scope_and_one_sold_at_home_is_no_us_export():
    """A Huawei chip above the 3A090 thresholds: the US thresholds' answer stands only if US
    rules reach it (a foreign direct product), which the data cannot tell; sold in China it is
    not a US export at all, so the answer is 'cannot tell', never 'presumption of denial'."""
    rules = ecr.load()
    row = {"name": "Made-up Ascend", "manufacturer": "Huawei", "fp16_flops": 400e12,
           "die_size_mm2": 600.0, "datacenter": True}
    home = ce.answer(row, rules, "CHN", dt.date(2025, 6, 1))
    assert home["answer"] == ce.UNKNOWN and home["thresholds_answer"] == ce.DENIAL
    assert home["scope"].startswith("not a US export")
    abroad = ce.answer(row, rules, "SAU", dt.date(2025, 6, 1))
    assert abroad["answer"] == ce.LICENCE and "foreign direct product" in abroad["scope"]
    us = ce.answer(row | {"manufacturer": "NVIDIA"}, rules, "CHN", dt.date(2025, 6, 1))
    assert us["answer"] == ce.DENIAL and us["scope"] is None
