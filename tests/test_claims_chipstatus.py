"""Claims about a named chip's export-control status: binding of chip, date, rule set, destination."""
from __future__ import annotations

import pytest

from aiatlas.claims import chipstatus
from aiatlas.errors import UsageError

RULE_SETS = [{"id": "us-2022-10", "effective": "2022-10-07"},
             {"id": "us-2024-12", "effective": "2024-12-02"}]


class FakeData:
    """Answers classify_chip like aiatlas.api does, for two chips; records what it was asked."""

    def __init__(self, licence=False, status="not controlled", notices=()):
        self.asked, self.licence, self.status, self.notices = [], licence, status, list(notices)

    def rule_sets(self):
        return RULE_SETS

    def chip(self, name, **kw):
        self.asked.append((name, kw))
        if name == "A800":
            raise UsageError("chip name 'A800' is ambiguous (3 matches)", hint="matches: ...")
        rule = kw["rules"] or "us-2024-12"
        return {"name": "NVIDIA HGX H20", "rule_set": rule, "status": self.status,
                "licence_required": self.licence if kw["destination"] else None,
                "reason": f"{self.status} under {rule}; TPP 2368 < 4800", "notices": self.notices}


def _check(text, data, lang="en"):
    claim = chipstatus.find(text, lang, 0)
    assert claim is not None and claim.quantity.kind == "status"
    return claim, chipstatus.judge(claim, data)


def test_until_a_month_checks_its_eve_with_the_named_destination():
    data = FakeData(licence=False)
    claim, v = _check("The H20 could be sold to China without a licence until April 2025.", data)
    assert claim.quantity.value == 0.0 and claim.text == "H20"
    assert data.asked == [("H20", {"rules": None, "rules_as_of": "2025-03-31", "destination": "CHN"})]
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
    ("The A800 was designed to fall under the October 2022 thresholds.", "ambiguous"),
    ("The H20 could be sold to China without a licence.", "no date or rule set"),
    ("The H20 could be sold to China and Russia without a licence in May 2024.", "several"),
])
def test_uncertain_binding_is_unverifiable(text, why):
    _, v = _check(text, FakeData())
    assert v.verdict == "unverifiable" and why in v.reason


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
