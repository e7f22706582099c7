"""Real accelerators from Epoch's ml_hardware.csv (the built `hardware` table), classified by hand
under the 2022 and 2023 rules, and the chips API end to end."""
from __future__ import annotations

import pytest
from chips_helpers import built_hardware

from aiatlas import api
from aiatlas.export_controls import chips as ec
from aiatlas.export_controls import rules as ecr

RULES = ecr.load()
NC, IND = "not controlled", "indeterminate"

# name, status under us-2022-10, status under us-2023-10 -- worked by hand from the mirror's
# figures (dense; TPP = TOPS x bits; PD = TPP / die mm^2; I/O = Epoch intranode bandwidth), and
# where Epoch has no figure, the cited chip supplement's (curated/chips/specs.yaml): die area,
# I/O and data-center marketing of the H20, H800, A800, H200, L40 and RTX 4090. Epoch has no
# "designed for data centers" flag, so marketing is unknown for every other row.
HAND_WORKED = [
    # A100 SXM4 80 GB: INT8 624 x 8 = 4992 (FP16 312 x 16 = 4992); die 826 -> PD 6.04; I/O 600.
    # 2022: 4992 >= 4800 and 600 >= 600 -> 3A090.   2023: 4992 >= 4800 -> .a (exemption needs < 4800)
    ("NVIDIA A100 SXM4 80 GB", "3A090", "3A090.a"),
    # H100 SXM5: INT8 1979 x 8 = 15832; I/O 900.  2022: both lines met -> 3A090.  2023: .a
    ("NVIDIA H100 SXM5 80GB", "3A090", "3A090.a"),
    # H100 PCIe: FP16 tensor 756 x 16 = 12096; I/O 600 (exactly the line) -> 3A090.  2023: .a
    ("NVIDIA H100 PCIe", "3A090", "3A090.a"),
    # H800 SXM5: 1979 x 8 = 15832; I/O 400 (supplement; Epoch has none).  2022: TPP over the
    # line, I/O 400 < 600 -> not controlled (the chip was designed to pass).  2023: .a
    ("NVIDIA H800 SXM5", NC, "3A090.a"),
    # A800 SXM: INT8 624 x 8 = 4992; I/O 400 (supplement).  2022: not controlled.  2023: .a
    ("NVIDIA A800 SXM", NC, "3A090.a"),
    # A800 PCIe 40 GB: only FP16 311.8 x 16 = 4988.8 (>= 4800); I/O 400 (supplement).
    # 2022: not controlled.  2023: .a
    ("NVIDIA A800 PCIe 40 GB", NC, "3A090.a"),
    # HGX H20: INT8 296 x 8 = 2368 (FP16 148 x 16 = 2368, TF32 74 x 32 = 2368); die 814
    # (supplement) -> PD 2.91.  2022: 2368 < 4800 -> not controlled.  2023: TPP < 2400 and
    # PD < 3.2 -> no status applies -> not controlled
    ("NVIDIA HGX H20", NC, NC),
    # RTX 4090: INT8 660.6 x 8 = 5284.8; die 608; I/O missing.  2022: indeterminate.
    # 2023: 5284.8 >= 4800 -> .a even for a consumer card
    ("NVIDIA GeForce RTX 4090", IND, "3A090.a"),
    # RTX 4080: INT8 390 x 8 = 3120; die 379 -> PD 8.23.  2022: 3120 < 4800 -> not controlled.
    # 2023: .a if marketed for data centers, exempt otherwise -> indeterminate
    ("NVIDIA GeForce RTX 4080", NC, IND),
    # Ascend 910B: FP16 376 x 16 = 6016; I/O 392.  2022: 392 < 600 -> not controlled.  2023: .a
    ("Huawei Ascend 910B", NC, "3A090.a"),
    # MI300X: INT8 2614.9 x 8 = 20919.2; I/O missing.  2022: indeterminate.  2023: .a
    ("AMD Instinct MI300X", IND, "3A090.a"),
    # L20: max(INT8 239 x 8 = 1912, FP16 119.5 x 16 = 1912, TF32 59.8 x 32 = 1913.6) = 1913.6;
    # die 609 -> PD 3.142.  2022: < 4800 -> not controlled.  2023: TPP < 2400 and PD < 3.2 (and
    # < 5.92) -> no status applies -> not controlled
    ("NVIDIA L20 PCle", NC, NC),
    # L2: FP16 96.5 x 16 = 1544 (INT8 193 x 8 = 1544) < 1600 -> not controlled under both
    ("NVIDIA L2 PCle", NC, NC),
    # L40: max(FP16 181 x 16 = 2896, FP32 90.52 x 32 = 2896.64) = 2896.64; die 608 -> PD 4.76.
    # 2022: not controlled.  2023: 2400 <= 2896.64 < 4800 and 1.6 <= 4.76 < 5.92 -> .b, and
    # the supplement says it is marketed for data centers, so not exempt -> .b
    ("NVIDIA L40", NC, "3A090.b"),
]


@pytest.fixture(scope="module")
def rows(built_home):
    return built_hardware(built_home)


@pytest.mark.mirror
@pytest.mark.parametrize("name, under_2022, under_2023", HAND_WORKED)
def test_real_chips_match_the_hand_worked_status(rows, name, under_2022, under_2023):
    row = ec.find(rows, name)
    assert row["name"] == name
    got_2022 = ec.chip_row(row, RULES.get("us-2022-10"), RULES)
    got_2023 = ec.chip_row(row, RULES.get("us-2023-10"), RULES)
    assert (got_2022["status"], got_2023["status"]) == (under_2022, under_2023), (
        got_2022["reason"], got_2023["reason"])


@pytest.mark.mirror
def test_h20_and_h800_reasons_name_the_deciding_figure(rows):
    # Epoch's figures alone (the supplement's die area, I/O and marketing taken out)
    bare = dict(ec.find(rows, "NVIDIA HGX H20"), die_size_mm2=None, datacenter=None)
    h20 = ec.chip_row(bare, RULES.get("us-2023-10"), RULES)
    assert h20["possible"] == ["3A090.a", "3A090.b", "not controlled"]
    assert any("400, 740 mm^2" in d for d in h20["deciding"])
    bare = dict(ec.find(rows, "NVIDIA H800 SXM5"), intranode_bandwidth_bytes_s=None)
    h800 = ec.chip_row(bare, RULES.get("us-2022-10"), RULES)
    assert h800["deciding"] == ["I/O bandwidth (unknown): decides at 600 GB/s"]


@pytest.mark.mirror
def test_computed_tpp_is_checked_against_epoch(rows):
    table = {r["name"]: r for r in ec.table(rows, RULES.get("us-2023-10"), RULES)}
    # A100: 4992 both ways
    assert table["NVIDIA A100 SXM4 80 GB"]["tpp_epoch"] == 4992
    assert table["NVIDIA A100 SXM4 80 GB"]["tpp_mismatch"] is False
    # A800 PCIe 80 GB: INT8 624 x 8 = 4992 vs Epoch 4988.8 (FP16 basis): 0.06%, not flagged
    assert table["NVIDIA A800 PCIe 80 GB"]["tpp_mismatch"] is False
    # Trainium1: TF32 190 x 32 = 6080 vs Epoch 3610 -> flagged
    assert table["Amazon Trainium1"]["tpp"] == 6080
    assert table["Amazon Trainium1"]["tpp_mismatch"] is True
    flagged = [r for r in table.values() if r["tpp_mismatch"]]
    assert 0 < len(flagged) < len(table) / 10  # a handful, not the whole file


@pytest.mark.mirror
def test_every_row_gets_a_status_and_a_reason(rows):
    table = ec.table(rows, RULES.get("us-2023-10"), RULES, destination="CHN")
    assert len(table) == len(rows) == 177  # Epoch's 176 and the supplement's L40S
    assert all(r["reason"].startswith(r["status"]) for r in table)
    for r in table:
        if r["status"] == "indeterminate":
            assert len(r["possible"]) >= 2 and r["deciding"], r["name"]
            assert r["licence_required"] is None or len(set(r["possible"])) > 1
        else:
            assert r["possible"] == [r["status"]]
    counts = ec.status_counts(table)
    assert counts["3A090.a"] > 40 and counts["not controlled"] > 40
    makers = {r["manufacturer"] for r in table if r["manufacturer"]}
    assert makers <= set(RULES.maker_countries), makers - set(RULES.maker_countries)


@pytest.mark.mirror
def test_api_chips_rules_as_of_a_date_and_for_a_destination(built_home):
    rows = api.chips(rules_as_of="2023-06-01", destination="China", home=built_home)
    assert {r["rule_set"] for r in rows} == {"us-2022-10"}
    by_name = {r["name"]: r for r in rows}
    assert by_name["NVIDIA A100 SXM4 80 GB"]["licence_required"] is True
    assert by_name["Huawei Ascend 910B"]["licence_required"] is False  # I/O 392 < 600
    assert by_name["NVIDIA H800 SXM5"]["licence_required"] is False    # I/O 400 < 600
    assert by_name["NVIDIA GeForce RTX 4090"]["licence_required"] is None  # its I/O unknown
    # the same chips for Germany: nothing needs a licence under the 2022 rule
    de = api.chips(rules_as_of="2023-06-01", destination="DEU", home=built_home)
    assert {r["licence_required"] for r in de} == {False}


@pytest.mark.mirror
def test_api_classify_chip_by_name_applies_the_h20_notice(built_home):
    got = api.classify_chip("H20", rules="us-2024-12", destination="CHN", home=built_home)
    assert got["name"] == "NVIDIA HGX H20" and got["status"] == "not controlled"
    assert got["licence_required"] is True and got["notices"][0].startswith("h20-2025-04")


@pytest.mark.mirror
def test_chips_controlled_indicator_matches_the_chip_list(built_home):
    listed = ec.status_counts(api.chips(rules="us-2023-10", home=built_home))
    counted = api.compute("chips_controlled", home=built_home, rules="us-2023-10").to_pylist()
    assert {r["status"]: r["value"] for r in counted} == listed


@pytest.mark.mirror
@pytest.mark.parametrize("datacenter, status", [(None, "indeterminate"), (False, "not controlled"),
                                                (True, "3A090.a")])
def test_named_chip_with_marketing_given(built_home, datacenter, status):
    # RTX 4080: TPP 3120, PD 8.23 -> .a if marketed for data centers, exempt otherwise
    got = api.classify_chip("RTX 4080", rules="us-2023-10", datacenter=datacenter, home=built_home)
    assert (got["name"], got["datacenter"], got["status"]) == ("NVIDIA GeForce RTX 4080",
                                                               datacenter, status)
