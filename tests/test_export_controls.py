"""Export-control classification on hand-written specs: threshold edges, licences, unknowns."""
from __future__ import annotations

import datetime as dt

import pycountry
import pytest

from aiatlas.errors import DataError, UsageError
from aiatlas.export_controls import chips as ec
from aiatlas.export_controls import classify as cl
from aiatlas.export_controls import rules as ecr

RULES = ecr.load()


def status(rule_id: str, **specs) -> str:
    return cl.classify(cl.ChipSpecs(**specs), RULES.get(rule_id), RULES).status


# --- TPP ----------------------------------------------------------------------------------

def test_tpp_is_the_max_over_precisions_of_ops_times_bit_length():
    # 624 INT8 TOPS x 8 = 4992; 312 FP16 TFLOPS x 16 = 4992; 19.5 FP32 x 32 = 624
    tpp, basis = cl.total_processing_performance(
        {"int8_ops": 624e12, "fp16_tensor_flops": 312e12, "fp32_flops": 19.5e12})
    assert tpp == 4992 and basis == "INT8"
    # FP16 tensor 1000 x 16 = 16000 beats FP8 1979 x 8 = 15832
    tpp, basis = cl.total_processing_performance({"fp16_tensor_flops": 1000e12, "fp8_flops": 1979e12})
    assert tpp == 16000 and basis == "FP16 tensor"
    assert cl.total_processing_performance({"fp64_flops": 100e12})[0] == 6400
    assert cl.total_processing_performance({"int8_ops": None, "fp32_flops": float("nan")}) == (None, None)


def test_figures_in_tera_units_give_the_same_tpp():
    chip = cl.specs_from_figures(int8_tops=624, fp16_tflops=312, die_area=826)
    assert chip.tpp == 4992
    assert chip.pd == pytest.approx(4992 / 826)


def test_epoch_tpp_is_converted_from_bit_ops_and_compared():
    published, diff, mismatch = cl.compare_published_tpp(4992.0, 4.9888e15)
    assert published == 4988.8 and not mismatch and diff == pytest.approx(0.000641, abs=1e-6)
    # 1% is the line: 1.0% off is fine, 1.1% off is flagged
    assert cl.compare_published_tpp(1010.0, 1e15)[2] is False
    assert cl.compare_published_tpp(1011.0, 1e15)[2] is True
    assert cl.compare_published_tpp(None, 1e15) == (1000.0, None, None)
    assert cl.compare_published_tpp(1000.0, None) == (None, None, None)


# --- thresholds at their edges: at the line, and just below it ------------------------------

@pytest.mark.parametrize("rule_id, specs, expected", [
    # October 2022: TPP >= 4800 AND I/O >= 600 GB/s
    ("us-2022-10", dict(tpp=4800, io_bandwidth_gbs=600), "3A090"),
    ("us-2022-10", dict(tpp=4799.9, io_bandwidth_gbs=600), "not controlled"),
    ("us-2022-10", dict(tpp=4800, io_bandwidth_gbs=599.9), "not controlled"),
    # Below TPP 4800 the cases say datacenter=True: with marketing unknown the exemption could
    # apply and the result would be indeterminate (tested further down).
    # October 2023, 4800: .a by TPP alone (PD 0.48 is far below every PD line)
    ("us-2023-10", dict(tpp=4800, die_area_mm2=10000), "3A090.a"),
    ("us-2023-10", dict(tpp=4799.9, die_area_mm2=10000), "not controlled"),
    # 5.92: TPP 2960 on 500 mm^2 is PD 5.92 -> .a; TPP 2959.5 is PD 5.919 -> .b (2400..4800, 1.6..5.92)
    ("us-2023-10", dict(tpp=2960, die_area_mm2=500, datacenter=True), "3A090.a"),
    ("us-2023-10", dict(tpp=2959.5, die_area_mm2=500, datacenter=True), "3A090.b"),
    # 1600: with PD 6.4 (>= 5.92), TPP 1600 -> .a; 1599.9 -> nothing applies
    ("us-2023-10", dict(tpp=1600, die_area_mm2=250, datacenter=True), "3A090.a"),
    ("us-2023-10", dict(tpp=1599.9, die_area_mm2=250), "not controlled"),
    # 3.2 (TPP 2000 < 2400 so only .b's second clause can apply): PD 3.2 -> .b; PD 3.195 -> none
    ("us-2023-10", dict(tpp=2000, die_area_mm2=625, datacenter=True), "3A090.b"),
    ("us-2023-10", dict(tpp=2000, die_area_mm2=626), "not controlled"),
    # 2400 (PD 2.4, below 3.2 so only .b's first clause can apply): TPP 2400 -> .b; 2399.9 -> none
    ("us-2023-10", dict(tpp=2400, die_area_mm2=1000, datacenter=True), "3A090.b"),
    ("us-2023-10", dict(tpp=2399.9, die_area_mm2=1000), "not controlled"),
    # 1.6 (TPP 3200): PD 1.6 -> .b; PD 1.5992 -> none
    ("us-2023-10", dict(tpp=3200, die_area_mm2=2000, datacenter=True), "3A090.b"),
    ("us-2023-10", dict(tpp=3200, die_area_mm2=2001), "not controlled"),
    # the non-data-center exemption needs TPP < 4800: at 4800 it does not apply
    ("us-2023-10", dict(tpp=4800, die_area_mm2=500, datacenter=False), "3A090.a"),
    ("us-2023-10", dict(tpp=4799.9, die_area_mm2=500, datacenter=False), "not controlled"),
    ("us-2023-10", dict(tpp=4799.9, die_area_mm2=500, datacenter=True), "3A090.a"),
    # December 2024: 3A090.c for memory stacks above 2 GB/s per mm^2 (strictly above)
    ("us-2024-12", dict(memory_bandwidth_density=2.01, kind="memory"), "3A090.c"),
    ("us-2024-12", dict(memory_bandwidth_density=2.0, kind="memory"), "not controlled"),
    # .c is about memory: an accelerator is never 3A090.c, whatever its figures
    ("us-2024-12", dict(tpp=1000, die_area_mm2=800, memory_bandwidth_density=9), "not controlled"),
    # the Diffusion framework kept the 2023 parameters
    ("us-2025-01-diffusion", dict(tpp=2959.5, die_area_mm2=500, datacenter=True), "3A090.b"),
])
def test_threshold_edges(rule_id, specs, expected):
    assert status(rule_id, **specs) == expected


def test_reason_names_the_threshold_and_the_values():
    rs = RULES.get("us-2023-10")
    got = cl.classify(cl.ChipSpecs(tpp=2959.5, die_area_mm2=500, datacenter=True), rs, RULES)
    assert got.reason.startswith("3A090.b under us-2023-10: TPP 2959.5 >= 2400")
    assert "PD 5.919 < 5.92" in got.reason
    none = cl.classify(cl.ChipSpecs(tpp=2000, die_area_mm2=626), rs, RULES)
    assert "not 3A090.b: TPP 2000 < 2400; PD 3.19489 < 3.2" in none.reason
    exempt = cl.classify(cl.ChipSpecs(tpp=3120, die_area_mm2=379, datacenter=False), rs, RULES)
    assert "exempt, not designed or marketed for use in data centers" in exempt.reason
    assert "otherwise 3A090.a" in exempt.reason


# --- missing inputs: never guess ------------------------------------------------------------

def test_missing_die_area_lists_possible_outcomes_and_the_deciding_die_areas():
    got = cl.classify(cl.ChipSpecs(tpp=2368, datacenter=True), RULES.get("us-2023-10"), RULES)
    assert got.status == "indeterminate"
    assert got.possible == ["3A090.a", "3A090.b", "not controlled"]
    # PD 5.92 and 3.2 at TPP 2368 fall at 400 and 740 mm^2
    assert got.deciding == ["die area (unknown): PD thresholds 5.92, 3.2 fall at die areas of "
                            "400, 740 mm^2 for TPP 2368"]


def test_unknown_datacenter_marketing_keeps_not_controlled_possible_below_4800():
    rs = RULES.get("us-2023-10")
    got = cl.classify(cl.ChipSpecs(tpp=3120, die_area_mm2=379), rs, RULES)
    assert got.possible == ["3A090.a", "not controlled"]
    assert got.deciding == ["whether the chip is designed or marketed for data centers (unknown)"]
    # at or above 4800 the exemption cannot apply, so marketing does not matter
    assert cl.classify(cl.ChipSpecs(tpp=5284.8, die_area_mm2=608), rs, RULES).status == "3A090.a"


def test_unknown_io_bandwidth_under_2022():
    rs = RULES.get("us-2022-10")
    got = cl.classify(cl.ChipSpecs(tpp=15832), rs, RULES, destination="CHN")
    assert got.possible == ["3A090", "not controlled"]
    assert got.deciding == ["I/O bandwidth (unknown): decides at 600 GB/s"]
    assert got.licence_required is None  # depends on the unknown figure
    # below 4800 the I/O figure cannot matter
    assert status("us-2022-10", tpp=2368) == "not controlled"


def test_no_performance_figure_at_all():
    got = cl.classify(cl.ChipSpecs(), RULES.get("us-2023-10"), RULES)
    assert got.status == "indeterminate"
    assert "TPP (no dense performance figure)" in got.deciding
    assert "TPP is unknown" in got.reason


# --- licences by destination --------------------------------------------------------------

@pytest.mark.parametrize("rule_id, country, on, expected", [
    ("us-2023-10", "CHN", None, True),
    ("us-2023-10", "HKG", None, True),   # treated as China
    ("us-2023-10", "MAC", None, True),
    ("us-2023-10", "SAU", None, True),   # D:4
    ("us-2023-10", "VNM", None, True),   # D:1
    ("us-2023-10", "ISR", None, False),  # D:4 but also A:6
    ("us-2023-10", "DEU", None, False),
    ("us-2022-10", "CHN", None, True),
    ("us-2022-10", "SAU", None, False),
    ("us-2022-10", "MAC", dt.date(2023, 1, 17), False),  # Macau added 2023-01-18
    ("us-2022-10", "MAC", dt.date(2023, 1, 18), True),
    ("us-2025-01-diffusion", "IND", None, True),   # Tier 2: licence for 3A090.a
    ("us-2025-01-diffusion", "GBR", None, False),  # Tier 1
])
def test_licence_for_a_controlled_chip(rule_id, country, on, expected):
    rs = RULES.get(rule_id)
    got = cl.classify(cl.ChipSpecs(tpp=20000, die_area_mm2=800, io_bandwidth_gbs=900), rs, RULES,
                      destination=country, as_of=on)
    assert got.status in ("3A090", "3A090.a")
    assert got.licence_required is expected


def test_not_controlled_needs_no_licence_anywhere():
    got = cl.classify(cl.ChipSpecs(tpp=1000, die_area_mm2=800), RULES.get("us-2023-10"), RULES,
                      destination="CHN")
    assert got.licence_required is False


def test_h20_notice_requires_a_licence_to_china_from_its_date():
    rs = RULES.get("us-2024-12")
    h20 = cl.ChipSpecs(name="NVIDIA HGX H20", tpp=2368)
    after = cl.classify(h20, rs, RULES, destination="CHN", as_of=dt.date(2025, 4, 9))
    assert after.status == "indeterminate" and after.licence_required is True
    assert after.notices and after.notices[0].startswith("h20-2025-04 (2025-04-09)")
    before = cl.classify(h20, rs, RULES, destination="CHN", as_of=dt.date(2025, 4, 8))
    assert before.notices == [] and before.licence_required is None
    # a notice dated after a rule set was superseded does not belong to it
    assert cl.classify(h20, RULES.get("us-2023-10"), RULES, destination="CHN").notices == []
    # outside the notice's and the rule's destinations nothing needs a licence, whatever the status
    assert cl.classify(h20, rs, RULES, destination="DEU",
                       as_of=dt.date(2025, 5, 1)).licence_required is False


# --- picking a rule set by date -------------------------------------------------------------

@pytest.mark.parametrize("on, expected", [
    (dt.date(2022, 10, 6), None),
    (dt.date(2022, 10, 7), "us-2022-10"),
    (dt.date(2023, 11, 16), "us-2022-10"),
    (dt.date(2023, 11, 17), "us-2023-10"),
    (dt.date(2024, 12, 1), "us-2023-10"),
    (dt.date(2024, 12, 2), "us-2024-12"),
    (dt.date(2025, 3, 1), "us-2024-12"),  # the Diffusion framework was never enforced
])
def test_rule_set_in_force_on_a_date(on, expected):
    got = RULES.in_force(on)
    assert (got.id if got else None) == expected


def test_no_rule_in_force_means_not_controlled_with_a_reason():
    got = cl.classify(cl.ChipSpecs(tpp=20000), None, RULES, destination="CHN",
                      as_of=dt.date(2021, 1, 1))
    assert got.status == "not controlled" and got.licence_required is False
    assert "no advanced-computing rule was in force on 2021-01-01" in got.reason


def test_resolve_rejects_bad_choices():
    with pytest.raises(UsageError, match="unknown rule set 'us-1999'"):
        ec.resolve(RULES, "us-1999", None, None)
    with pytest.raises(UsageError, match="not in force on 2024-06-01"):
        ec.resolve(RULES, "us-2022-10", "2024-06-01", None)
    with pytest.raises(UsageError, match="not a date"):
        ec.resolve(RULES, None, "yesterday", None)
    with pytest.raises(UsageError, match="unknown destination country 'Atlantis'"):
        ec.resolve(RULES, None, None, "Atlantis")
    assert ec.resolve(RULES, None, "2023-01-01", "China")[2] == "CHN"


# --- the rules file itself --------------------------------------------------------------------

def test_every_country_code_is_iso3():
    codes = set().union(*RULES.groups.values()) | set(RULES.maker_countries.values())
    bad = sorted(c for c in codes if pycountry.countries.get(alpha_3=c) is None)
    assert bad == []


def test_every_rule_set_is_cited_and_dated_in_order():
    for rs in RULES.rule_sets:
        for key in ("title", "publisher", "federal_register", "url", "date"):
            assert rs.citation.get(key), (rs.id, key)
        assert rs.superseded is None or rs.superseded > rs.effective
    enforced = [rs for rs in RULES.rule_sets if rs.enforced]
    for earlier, later in zip(enforced, enforced[1:]):
        assert earlier.superseded == later.effective  # no gap, no overlap


def test_a_malformed_condition_is_a_data_error():
    doc = {"country_groups": {}, "rule_sets": [{
        "id": "x", "title": "x", "published": "2020-01-01", "effective": "2020-01-01",
        "enforced": True, "licence": {}, "citation": {},
        "statuses": [{"status": "s", "any_of": [[["tpp", "=>", 1]]]}]}]}
    with pytest.raises(DataError, match="bad condition"):
        ecr.parse(doc)


NAMED = [{"name": n} for n in ("Huawei Ascend 910B", "Huawei Ascend 910B Pro", "Huawei Ascend 910B1 (v1)",
                               "Intel Habana Gaudi3", "NVIDIA HGX H20", "NVIDIA H200 SXM",
                               "NVIDIA A800 PCIe 40 GB", "NVIDIA A800 SXM")]


@pytest.mark.parametrize("asked, found", [
    ("Ascend 910B", "Huawei Ascend 910B"),  # the name's tail, not also the Pro or the 910B1
    ("gaudi 3", "Intel Habana Gaudi3"),  # spaces and case ignored
    ("H-20", "NVIDIA HGX H20"),  # a whole word, not H200
    ("huawei ascend 910b pro", "Huawei Ascend 910B Pro"),
    ("Ｈ２０", "NVIDIA HGX H20"),  # full-width, as typed with a Japanese input method
    ("ＧＡＵＤＩ　３", "Intel Habana Gaudi3"),
])
def test_find_reads_a_name_as_people_write_it(asked, found):
    assert ec.find(NAMED, asked)["name"] == found


@pytest.mark.parametrize("asked, message", [("A800", "is ambiguous (2 matches)"),
                                            ("Ascend", "is ambiguous (3 matches)"),
                                            ("Gaudi 4", "no accelerator named 'Gaudi 4'")])
def test_find_never_picks_one_of_several(asked, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ec.find(NAMED, asked)


NEAR = [{"name": n} for n in ("NVIDIA GeForce RTX 4090", "Intel Habana Gaudi3", "NVIDIA HGX H20",
                              "Huawei Ascend 950DT", "GroqChip LPU v1", "NVIDIA H200 SXM")]


@pytest.mark.parametrize("asked, message", [
    # a variant word the table lacks: another chip, perhaps, so the near name is shown, not used
    ("RTX 4090 D", "named like it without 'D': NVIDIA GeForce RTX 4090"),
    ("Gaudi 3 PCIe", "named like it without 'PCIe': Intel Habana Gaudi3"),
    ("H20E", "named like it without 'E': NVIDIA HGX H20"),
    # a name ending inside a word of the table's ('950' of '950DT') is not that chip
    ("Ascend 950", "no accelerator named 'Ascend 950'; named like it: Huawei Ascend 950DT"),
    ("Groq LPU", "named like it: GroqChip LPU v1"),
])
def test_a_name_the_table_lacks_shows_the_chips_named_like_it_and_uses_none(asked, message):
    with pytest.raises(UsageError) as e:
        ec.find(NEAR, asked)
    assert message in str(e.value), str(e.value)
    assert "chips classify -F" in e.value.hint  # and how to classify it from its figures


def test_a_name_ending_a_word_of_the_table_still_finds_it():
    assert ec.find(NEAR, "gaudi 3")["name"] == "Intel Habana Gaudi3"
    assert ec.find(NEAR, "Ascend 950DT")["name"] == "Huawei Ascend 950DT"
