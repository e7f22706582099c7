"""Round 4's classes of wrong verdicts, one test each, on tiny sentences and no warehouse: whose a
rank is, figures per person, compute held vs cluster compute, the time before a named rule set,
chip names written with a space, a span of years with a change, and e-notation."""
from __future__ import annotations

import pytest

from aiatlas.claims import chipspec, chipstatus
from aiatlas.claims.check import _fitting
from aiatlas.claims.extract import extract
from aiatlas.claims.patterns import load

TABLE = load()


def claims(text):
    return [c for s in extract(text) for c in s.claims]


def measure(text, value):
    """The pattern ids the claim of that value fits, best first."""
    claim = next(c for c in claims(text) if c.quantity.value == pytest.approx(value))
    return [p.id for _, p in _fitting(claim, TABLE)]


# ------------------------------------------------------------ a rank counted behind another subject
@pytest.mark.parametrize("text", [
    "China produced 35 notable AI models in 2025, the second-largest tally after the United States.",
    "China ranked second behind the US in notable AI models in 2025.",
    "2025年、中国は35件の注目AIモデルを送り出し、米国に次ぐ世界2位だった。",
])
def test_a_rank_behind_a_named_subject_is_the_other_subjects(text):
    (rank,) = [c for c in claims(text) if c.quantity.kind == "rank"]
    assert rank.quantity.value == 2 and [e.id for e in rank.subjects] == ["CHN"]


def test_a_rank_ahead_of_another_stays_with_its_own_subject():
    (rank,) = [c for c in claims("The US ranked first in notable AI models in 2025, ahead of China.")
               if c.quantity.kind == "rank"]
    assert [e.id for e in rank.subjects] == ["USA"]


# ------------------------------------------------------------ figures per person
@pytest.mark.parametrize("text,value,per", [
    ("Singapore produced about 0.5 notable AI models per million people in 2024.", 0.5, "million"),
    ("In 2024 Singapore led in notable AI models per capita, with 0.0000005.", 0.0000005, "capita"),
    ("2024年の人口100万人あたりの注目AIモデル数は、米国が約0.17件だった。", 0.17, "million"),
    ("2024年の国民一人当たりの注目AIモデル数で、シンガポールは1位だった。", 1, "capita"),
])
def test_a_figure_per_person_is_checked_per_person_never_as_a_total(text, value, per):
    claim = next(c for c in claims(text) if c.quantity.value == pytest.approx(value))
    assert claim.per == per
    fits = measure(text, value)
    assert fits and fits[0] in ("notable_models_per_person", "notable_models_rank_per_person")
    assert "notable_models_count" not in fits and "notable_models_rank" not in fits


def test_a_total_is_never_checked_per_person():
    assert measure("In 2024 US labs released 57 notable AI models.", 57)[0] == "notable_models_count"
    assert "notable_models_per_person" not in measure("In 2024 US labs released 57 notable AI models.", 57)


def test_the_people_a_figure_is_per_are_no_claim():
    (sent,) = extract("2024年の人口100万人あたりの注目AIモデル数は、米国が約0.17件だった。")
    assert [c.quantity.value for c in sent.claims] == [pytest.approx(0.17)]
    assert any(s.text == "100万" and "per" in s.reason for s in sent.skipped)
    (sent,) = extract("Singapore had 5 notable AI models per 10,000,000 people in 2024.")
    assert [c.quantity.value for c in sent.claims] == [5]


def test_a_figure_per_another_number_of_people_says_the_data_has_none():
    (claim,) = claims("Singapore had 5 notable AI models per 10,000,000 people in 2024.")
    assert claim.per == "other"
    pattern = next(p for p in TABLE if p.id == "notable_models_per_person")
    asserts, why = pattern.bind(claim)
    assert asserts is None and "per person and per million people" in why


# ------------------------------------------------------------ compute held vs cluster compute
@pytest.mark.parametrize("text,value,expected", [
    ("The US held about 15 million H100-equivalents of AI compute at the end of 2025.", 15e6,
     "ai_compute_held"),
    ("米国が保有するAI計算能力は2025年末時点でH100換算約1500万台分に達した。", 15e6, "ai_compute_held"),
    ("US AI clusters add up to 1.4 million H100 equivalents.", 1.4e6, "cluster_compute"),
    ("中国のAIクラスターの計算能力はH100換算で約23万台分だ。", 230000, "cluster_compute"),
    ("China hosts 223 AI supercomputers, more than the 148 in the United States.", 223, "cluster_count"),
])
def test_compute_held_clusters_and_their_count_are_three_measures(text, value, expected):
    assert measure(text, value)[:1] == [expected]


def test_h100_equivalents_alone_name_no_cluster_measure():
    fits = measure("The US held about 15 million H100-equivalents of AI compute in 2025.", 15e6)
    assert "cluster_compute" not in fits and "cluster_count" not in fits


# ------------------------------------------------------------ the time before a named rule set
RULE_SETS = [{"id": "us-2022-10", "effective": "2022-10-07", "enforced": True},
             {"id": "us-2023-10", "effective": "2023-11-17", "published": "2023-10-25", "enforced": True},
             {"id": "us-2025-01-diffusion", "effective": "2025-01-13", "enforced": False}]


class RuleDates:
    """Records the rule date each classification is asked for; every chip is 'not controlled'."""

    def __init__(self):
        self.asked = []

    def rule_sets(self):
        return RULE_SETS

    def hardware(self):
        return [{"name": "NVIDIA A800 SXM"}]

    def notices(self):
        return []

    def chip(self, name, **kw):
        self.asked.append((kw["rules"], kw["rules_as_of"]))
        return {"name": name, "status": "not controlled", "licence_required": False,
                "reason": "not controlled", "notices": []}


@pytest.mark.parametrize("text,lang,asked", [
    ("The A800 could be shipped to China without a licence until the October 2023 rules took effect.",
     "en", [("us-2022-10", None)]),
    ("Before the October 2023 rules, the A800 could be sold to China without a licence.", "en",
     [("us-2022-10", None)]),
    ("The A800 could be sold to China without a licence before the October 2022 rules.", "en",
     [(None, "2022-10-06")]),
    ("A800は2023年10月の規制が施行されるまで、中国に許可なく輸出できた。", "ja", [("us-2022-10", None)]),
    ("The A800 could be shipped to China without a licence under the October 2023 rules.", "en",
     [("us-2023-10", None)]),
])
def test_until_a_named_rule_set_means_the_rules_before_it(text, lang, asked):
    data = RuleDates()
    claim = chipstatus.find(text, lang, 0)
    chipstatus.judge(claim, data)
    assert data.asked == asked


def test_can_is_the_present_tense_the_rules_in_force_today():
    data = RuleDates()
    claim = chipstatus.find("The A800 can be sold to China without a licence.", "en", 0)
    chipstatus.judge(claim, data)
    assert data.asked == [("us-2023-10", None)]  # the newest enforced rule set (no 'superseded')


# ------------------------------------------------------------ chip names as writers spell them
@pytest.mark.parametrize("text,chip", [
    ("Intel's Gaudi 2 can be sold to China without an export licence.", "Gaudi 2"),
    ("インテルのGaudi 2は中国に許可なく輸出できる。", "Gaudi 2"),
    ("Google's TPU v5p can be sold to China without a licence.", "TPU v5p"),
    ("Amazon's Trainium2 needed a licence for China in 2025.", "Trainium2"),
])
def test_chip_families_beyond_nvidia_style_codes_are_named(text, chip):
    claim = chipstatus.find(text, "ja" if "は" in text else "en", 0)
    assert claim is not None and claim.text == chip


ROWS = [{"name": n} for n in ["Intel Habana Gaudi2", "Intel Habana Gaudi3", "Huawei Ascend 910B",
                              "Huawei Ascend 910B2", "Huawei Ascend 910B Pro", "NVIDIA HGX H20",
                              "NVIDIA H200 SXM"]]


@pytest.mark.parametrize("chip,sentence,names", [
    ("Gaudi 2", "The Gaudi 2 has 96 GB.", ["Intel Habana Gaudi2"]),
    ("Ascend 910B", "The Ascend 910B has 64 GB.",
     ["Huawei Ascend 910B", "Huawei Ascend 910B2", "Huawei Ascend 910B Pro"]),
    ("Ascend 910B2", "The Ascend 910B2 has 64 GB.", ["Huawei Ascend 910B2"]),
    ("H20", "The H20 has 96 GB.", ["NVIDIA HGX H20"]),
])
def test_a_chip_name_means_every_variant_the_table_holds_under_it(chip, sentence, names):
    assert [r["name"] for r in chipspec.variants(ROWS, chip, sentence)] == names


# ------------------------------------------------------------ a change over a span of years
def test_a_change_over_a_span_of_years_starts_in_the_first_year():
    got = [(c.quantity.value, c.year) for c in
           claims("2022年から2024年にかけて、中国の注目AIモデルは12件から31件へと2倍以上に増えた。")]
    assert (12, 2022) in got and (31, 2024) in got
