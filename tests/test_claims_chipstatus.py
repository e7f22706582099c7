"""Claims about a named chip's export-control status: binding of chip, date, rule set, destination."""
from __future__ import annotations

import pytest

from aiatlas.claims import chipstatus

RULE_SETS = [{"id": "us-2022-10", "effective": "2022-10-07", "superseded": "2023-11-17"},
             {"id": "us-2023-10", "effective": "2023-11-17", "superseded": "2024-12-02",
              "published": "2023-10-25"},
             {"id": "us-2024-12", "effective": "2024-12-02", "superseded": None}]
A800 = ["NVIDIA A800 SXM", "NVIDIA A800 PCIe 40 GB", "NVIDIA A800 PCIe 80 GB"]


class FakeData:
    """Answers classify_chip like aiatlas.api does, for the H20 and three A800 variants (free
    under the 2022 rule, controlled from the 2023 one); records what it was asked."""

    def __init__(self, licence=False, status="not controlled", notices=(), pcie_differs=False):
        self.asked, self.licence, self.status, self.notices = [], licence, status, list(notices)
        self.pcie_differs = pcie_differs

    def rule_sets(self):
        return RULE_SETS

    def hardware(self):
        return [{"name": n} for n in ["NVIDIA HGX H20", "NVIDIA H200 SXM", *A800]]

    def chip(self, name, **kw):
        self.asked.append((name, kw))
        rule = kw["rules"] or ("us-2024-12" if (kw["rules_as_of"] or "9") >= "2024-12-02" else
                               "us-2023-10" if kw["rules_as_of"] >= "2023-11-17" else
                               "us-2022-10" if kw["rules_as_of"] >= "2022-10-07" else None)
        if "A800" in name:
            free = rule in (None, "us-2022-10") or (self.pcie_differs and "PCIe" in name)
            status = "not controlled" if free else "3A090.a"
            needed = not free
        else:
            status, needed = self.status, self.licence
        return {"name": name, "rule_set": rule, "status": status,
                "licence_required": needed if kw["destination"] else None,
                "reason": f"{status} under {rule}; TPP 2368 < 4800", "notices": self.notices}


def _check(text, data, lang="en"):
    claim = chipstatus.find(text, lang, 0)
    assert claim is not None and claim.quantity.kind == "status"
    return claim, chipstatus.judge(claim, data)


def test_until_a_month_checks_its_eve_with_the_named_destination():
    data = FakeData(licence=False)
    claim, v = _check("The H20 could be sold to China without a licence until April 2025.", data)
    assert claim.quantity.value == 0.0 and claim.text == "H20"
    assert data.asked == [("NVIDIA HGX H20", {"rules": None, "rules_as_of": "2025-03-31",
                                              "destination": "CHN"})]
    assert v.verdict == "supported" and "no licence required" in v.reason
    assert "2025-03-31" in v.reason and "TPP 2368 < 4800" in v.reason


def test_a_licence_claimed_where_the_rule_needs_none_is_contradicted():
    _, v = _check("The H20 needed a licence to be sold to China until April 2025.",
                  FakeData(licence=False))
    assert v.verdict == "contradicted" and v.reason_key == "chip_export"


def test_a_rule_set_named_by_its_month_is_used_instead_of_a_date():
    data = FakeData()
    _, v = _check("The H20 was designed to fall under the October 2022 thresholds.", data)
    assert data.asked[0][1] == {"rules": "us-2022-10", "rules_as_of": None, "destination": None}
    assert v.verdict == "supported" and "us-2022-10" in v.reason


def test_japanese_until_and_destination():
    data = FakeData(licence=False)
    _, v = _check("H20は2025年4月まで許可なく中国に輸出できた。", data, "ja")
    assert data.asked[0][1]["rules_as_of"] == "2025-03-31" and data.asked[0][1]["destination"] == "CHN"
    assert v.verdict == "supported"


def test_japanese_out_of_scope_is_not_in_scope():
    claim = chipstatus.find("A800は2022年10月の規制の対象外となるよう設計された。", "ja", 0)
    assert claim is not None and claim.quantity.value == 0.0  # 規制対象外 is not 規制対象


@pytest.mark.parametrize("text, why", [
    ("The A800 could be sold to China without a licence in 2023.", "depends on the rule date"),
    ("The A800 could be sold to China without a licence.", "depends on the rule date"),
    ("The H20 could be sold to China and Russia without a licence in May 2024.", "several"),
    ("The B300 could be sold to China without a licence.", "no accelerator named"),
])
def test_uncertain_binding_is_unverifiable(text, why):
    _, v = _check(text, FakeData())
    assert v.verdict == "unverifiable" and why in v.reason


def test_a_status_without_a_date_is_judged_on_every_rule_date_when_they_agree():
    data = FakeData(licence=False)
    _, v = _check("The H20 could be sold to China without a licence.", data)
    assert {kw["rules"] for _, kw in data.asked} == {"us-2022-10", "us-2023-10", "us-2024-12"}
    assert v.verdict == "supported"
    _, v = _check("The H20 required an export licence for China.", FakeData(licence=False))
    assert v.verdict == "contradicted"


@pytest.mark.parametrize("text, lang", [
    ("The A800 needs a licence for export to China.", "en"),
    ("The A800 is controlled for China.", "en"),
    ("A800の中国向け輸出には許可が必要だ。", "ja"),
    ("現在、A800の中国向け輸出には許可が必要となっている。", "ja")])
def test_a_status_in_the_present_tense_means_the_rules_in_force_today(text, lang):
    data = FakeData()
    _, v = _check(text, data, lang)
    assert {kw["rules"] for _, kw in data.asked} == {"us-2024-12"}
    assert v.verdict == "supported"  # controlled under today's rules, though free under 2022's
    _, v = _check(text.replace("A800", "H20"), FakeData(licence=False), lang)
    assert v.verdict == "contradicted"


def test_a_year_means_the_rules_in_force_during_it():
    data = FakeData()
    _, v = _check("In 2022 the A800 could be sold to China without a licence.", data)
    # 2022: no rule until October 7, then the October 2022 rule; both leave the A800 free
    assert v.verdict == "supported"
    assert {kw["rules"] for _, kw in data.asked} == {None, "us-2022-10"}
    _, v = _check("In 2024 the A800 could be sold to China without a licence.", FakeData())
    assert v.verdict == "contradicted"  # the 2023 and 2024 rules both control it


def test_the_ambiguous_answer_gives_both_readings_in_both_languages():
    _, v = _check("A800は許可なく中国に輸出できた。", FakeData(), "ja")
    assert v.verdict == "unverifiable" and v.reason_key == "chip_export_ambiguous"
    assert "us-2022-10" in v.reason and "us-2023-10" in v.reason
    assert "2022年10月施行の規則では輸出許可は不要" in v.reason_ja
    assert "2023年11月施行の規則では輸出許可が必要" in v.reason_ja


def test_variants_that_disagree_are_unverifiable_and_variants_that_agree_decide():
    _, v = _check("The A800 needed a licence for China under the October 2023 rules.",
                  FakeData(pcie_differs=True))
    assert v.verdict == "unverifiable" and "variants" in v.reason
    _, v = _check("The A800 needed a licence for China under the October 2023 rules.", FakeData())
    assert v.verdict == "supported" and "NVIDIA A800 PCIe 40 GB" in v.reason


def test_designed_to_pass_a_rule_is_a_status_claim():
    claim = chipstatus.find("The A800 was designed to pass the October 2022 rule.", "en", 0)
    assert claim is not None and claim.quantity.value == 0.0


def test_a_notice_without_a_destination_is_unverifiable():
    _, v = _check("The H20 needed a licence from April 2025.",
                  FakeData(notices=["h20-2025-04 (2025-04-09): licence to China"]))
    assert v.verdict == "unverifiable" and "names none" in v.reason


def test_no_chip_or_no_stated_status_is_not_a_status_claim():
    assert chipstatus.find("China could buy chips without a licence until April 2025.", "en", 0) is None
    assert chipstatus.find("The H20 shipped in volume in April 2025.", "en", 0) is None


@pytest.mark.mirror
def test_h20_status_against_the_hardware_table_and_notice(built_home):
    from aiatlas import api

    def verdict(text):
        r = api.check(text, home=built_home, as_text=True)
        return [c.verdict for s in r.sentences for c in s.claims if c.claim.quantity.kind == "status"]

    [v] = verdict("The H20 could be sold to China without a licence until April 2025.")
    assert v.verdict == "supported" and "us-2024-12" in v.reason
    [v] = verdict("The H20 could be sold to China without a licence until June 2025.")
    assert v.verdict == "contradicted" and "h20-2025-04" in v.reason
    [v] = verdict("H20は2025年4月から中国への輸出に許可が必要になった。")
    assert v.verdict == "supported"


@pytest.mark.parametrize("text, lang, verdict", [
    ("The H20 is below the export threshold.", "en", "supported"),
    ("The H20 falls below the export-control thresholds.", "en", "supported"),
    ("The H20 exceeds the thresholds.", "en", "contradicted"),
    ("H20は輸出規制の基準を下回る。", "ja", "supported"),
])
def test_a_threshold_claim_is_judged_on_the_status_whatever_a_notice_says(text, lang, verdict):
    # a notice requires a licence for the H20, but it sits below the thresholds: 'below the
    # threshold' is about the thresholds, not the licence
    data = FakeData(licence=True, status="not controlled",
                    notices=["h20-2025-04 (2025-04-09): licence to China"])
    _, v = _check(text, data, lang)
    assert v.verdict == verdict and "thresholds" in v.reason, v.reason
    assert {kw["destination"] for _, kw in data.asked} == {None}
    assert "licences aside: notice h20-2025-04" in v.reason


def test_a_year_is_read_on_its_last_day_under_each_rule_so_later_notices_stay_out():
    data = FakeData(licence=False)
    _check("The H20 could be sold to China without a licence in 2024.", data)
    assert {(kw["rules"], kw["rules_as_of"]) for _, kw in data.asked} == {
        ("us-2023-10", "2024-12-01"), ("us-2024-12", "2024-12-31")}


def test_a_consumer_card_variant_is_not_read_as_the_card_it_extends():
    # 'RTX 4090 D' names a chip of its own (lower TPP), not the RTX 4090 the table holds
    claim = chipstatus.find("The RTX 4090 D is below the export threshold.", "en", 0)
    assert claim is not None and claim.text == "RTX 4090 D"
    v = chipstatus.judge(claim, FakeData())
    assert v.verdict == "unverifiable" and "no accelerator named 'RTX 4090 D'" in v.reason


@pytest.mark.parametrize("text, lang", [
    ("The US tightened export controls on the A800 and H800 in October 2023.", "en"),
    ("In October 2023 the US restricted exports of the A800 and H800.", "en"),
    ("米国は2023年10月にA800とH800の輸出規制を強化した。", "ja"),
])
def test_an_act_of_the_rules_on_listed_chips_is_a_claim_per_chip_under_that_months_rules(text, lang):
    """'tightened export controls on the A800 and H800 in October 2023': each listed chip needs a
    licence under the rule set published that month; the US is the exporter, not a destination."""
    found = chipstatus.find_all(text, lang, 0)
    assert [c.text for c in found] == ["A800", "H800"]
    assert all(c.quantity.value == 1.0 for c in found)
    data = FakeData()
    v = chipstatus.judge(found[0], data)
    assert {kw["rules"] for _, kw in data.asked} == {"us-2023-10"}
    assert {kw["destination"] for _, kw in data.asked} == {None}
    assert v.verdict == "supported", v.reason


def test_a_chip_named_apart_from_the_list_is_not_claimed():
    found = chipstatus.find_all("The A800 needs a licence, unlike the H20.", "en", 0)
    assert [c.text for c in found] == ["A800"]
