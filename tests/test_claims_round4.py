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


def test_a_figure_per_another_number_of_people_is_that_many_times_the_figure_per_person():
    """Round 5 replaced round 4's 'unverifiable' here: the data's figure per person, times N."""
    (claim,) = claims("Singapore had 5 notable AI models per 10,000,000 people in 2024.")
    assert claim.per == "10000000"
    pattern = next(p for p in TABLE if p.id == "notable_models_per_person")
    asserts, why = pattern.bind(claim)
    assert asserts["params"] == {"per": "capita"} and asserts["scale"] == 1e7, why
    claim.per = "other"  # a denominator that cannot be read stays unverifiable, saying why
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


# ------------------------------------------------------------ the Arena gap in rating points
@pytest.mark.parametrize("text,value,expected", [
    ("2025年12月のアリーナで、米国トップモデルと中国トップモデルの評価差は約41ポイントだった。", 41,
     "arena_points_country"),
    ("In December 2025 the top US model led the top Chinese model on LMArena by 41 points.", 41,
     "arena_points_country"),
    ("In December 2025 the top closed model led the top open model on the Arena by 45 points.", 45,
     "arena_points_openness"),
    ("GPQA Diamondでの米中の最高点の差は、2025年11月には3.4ポイントまで縮まった。", 3.4,
     "benchmark_gap_country"),
])
def test_arena_points_are_rating_points_and_the_arena_is_no_benchmark(text, value, expected):
    fits = measure(text, value)
    assert fits[:1] == [expected]
    assert expected.startswith("benchmark") or not any(f.startswith("benchmark") for f in fits)


# ------------------------------------------------------------ 'by' a past date is the claim's time
@pytest.mark.parametrize("text,year", [
    ("By December 2024, the MMLU gap between the best closed and the best open model had shrunk "
     "to under 1 percentage point.", 2024),
    ("2024年12月までに、MMLUのクローズドとオープンの差は1ポイント未満に縮まった。", 2024),
    ("By 2030 the US will release 100 notable AI models.", None),
    ("日本は2030年までに注目AIモデルを100件出す計画だ。", None),
])
def test_by_a_past_date_is_the_claims_time_and_by_a_future_one_a_deadline(text, year):
    (claim,) = claims(text)
    assert claim.year == year


# ------------------------------------------------------------ scientific notation
@pytest.mark.parametrize("text,value", [
    ("Meta's Llama 3.1 405B was trained with roughly 3.8e25 FLOP.", 3.8e25),
    ("Grok 3 used about 3.5 × 10^26 FLOP.", 3.5e26),
    ("DeepSeek-V3の学習計算量は約3.3×10^24 FLOPだった。", 3.3e24),
    ("The rule counts models above 10^26 FLOP.", 1e26),
])
def test_scientific_notation_is_one_figure(text, value):
    assert [c.quantity.value for c in claims(text)] == [pytest.approx(value)]


# ------------------------------------------------------------ performance density of a chip
def test_performance_density_is_tpp_over_die_area():
    (claim,) = claims("The H800 has a performance density of about 19.4.")
    column, factor, _ = chipspec.measure(claim)
    assert column == "performance_density"
    assert chipspec._value({"tpp_published": 15832e12, "die_size_mm2": 814.0}, column) == \
        pytest.approx(19.45, abs=0.01)
    assert chipspec._value({"tpp_published": 15832e12, "die_size_mm2": None}, column) is None


# ------------------------------------------------------------ since a year: trends and running totals
@pytest.mark.parametrize("text,since", [
    ("Since 2020, training compute has doubled about every 4.8 months.", 2020),
    ("2020年以降、学習計算量は約4.8か月ごとに倍増している。", 2020),
    ("Training compute has doubled about every 5.7 months.", None),
])
def test_a_trend_since_a_year_is_fitted_from_that_year(text, since):
    (claim,) = claims(text)
    pattern = next(p for p in TABLE if p.id == measure(text, claim.quantity.value)[0])
    asserts, _ = pattern.bind(claim)
    assert claim.since == since and asserts["params"].get("since") == since


@pytest.mark.parametrize("text,value,expected", [
    ("学習計算量は年間約4.4倍のペースで増えている。", 4.4, ["compute_growth_per_year"]),
    ("Training compute grew about 5.6 times a year since 2020.", 5.6, ["compute_growth_per_year"]),
    ("Since 2020, US organisations have released more than 350 notable AI models.", 350,
     ["notable_models_total"]),
    ("2020年以降、米国の組織が発表した注目AIモデルは累計で350件を超える。", 350, ["notable_models_total"]),
])
def test_growth_per_year_and_running_totals_have_their_own_measures(text, value, expected):
    assert measure(text, value) == expected


def test_a_running_total_with_a_year_still_being_counted_needs_both_readings_to_agree():
    from aiatlas.claims import judge

    pattern = next(p for p in TABLE if p.id == "notable_models_total")
    rows = [{"country": "USA", "year": y, "value": v} for y, v in ((2020, 100), (2021, 150), (2022, 20))]
    a = {"indicator": "notable_models_by_country", "params": {"since": 2020}, "where": {"country": "USA"},
         "value_column": "value", "scale": 1.0, "subject": "USA"}

    def verdict(text):
        (claim,) = claims(text)
        return judge._judge_total(claim, pattern, a, rows, [], "2022-07-19")

    assert verdict("Since 2020, US labs released more than 240 notable AI models.").verdict == "supported"
    assert verdict("Since 2020, US labs released more than 300 notable AI models.").verdict == "contradicted"
    v = verdict("Since 2020, US labs released 250 notable AI models.")  # 250 to 2021, 270 to 2022
    assert v.verdict == "unverifiable" and "2020 to 2021: 250" in v.reason and "2022" in v.reason_ja


# ------------------------------------------------------------ a change is not a level
@pytest.mark.parametrize("text,value,change", [
    ("The open-weights share of notable models fell 10% in 2024.", 10, "down"),
    ("The US share of notable models fell by 5 points in 2024.", 5, "down"),
    ("2024年のオープンウェイトの割合は前年から10ポイント低下した。", 10, "down"),
    ("Indian AI developers on GitHub grew 72% year on year in the third quarter of 2025.", 72, "up"),
    ("インドのGitHub上のAI開発者は、2025年第3四半期に前年同期比で約27%増えた。", 27, "up"),
    ("The open-weights share of notable models rose to 40% in 2025.", 40, ""),
    ("2025年のオープンウェイトの割合は40%に上昇した。", 40, ""),
    ("In 2024 the industry share of notable models was up to 83%.", 83, ""),
    ("Open-weight models made up more than 60% of notable releases in 2024.", 60, ""),
])
def test_a_figure_stated_as_a_change_fits_only_a_measure_of_change(text, value, change):
    claim = next(c for c in claims(text) if c.quantity.value == pytest.approx(value))
    assert claim.change == change
    fits = measure(text, value)
    if change:
        assert all(next(p for p in TABLE if p.id == f).change for f in fits)
    else:
        assert fits and not next(p for p in TABLE if p.id == fits[0]).change


# ------------------------------------------------------------ a country's best score on a benchmark
@pytest.mark.parametrize("text,value,expected", [
    ("In November 2025, the best US score on GPQA Diamond was 87.6%, against 84.2% for China's best "
     "model.", 87.6, ["benchmark_best_by_country"]),
    ("2025年11月、GPQA Diamondでの中国の最高点は84.2%だった。", 84.2, ["benchmark_best_by_country"]),
    ("In March 2025 the best Chinese model trailed the top US model on GPQA Diamond by 12%.", 12, []),
])
def test_a_countrys_best_benchmark_score_is_its_frontier_not_a_gap(text, value, expected):
    assert measure(text, value) == expected


def test_a_models_score_is_not_its_countrys_best():
    (claim,) = claims("OpenAI's GPT-4o scored 53.6% on GPQA Diamond, the top result in May 2024.")
    pattern = next(p for p in TABLE if p.id == "benchmark_best_by_country")
    asserts, why = pattern.bind(claim)
    assert asserts is None and "organization" in why


def test_a_ratio_reason_writes_large_figures_with_separators():
    from aiatlas.claims import ratio

    assert ratio._n(1394625.7580433444) == "1,394,626" and ratio._n(0.4969) == "0.4969"


# ------------------------------------------------------------ a share's change in points
@pytest.mark.parametrize("text,years", [
    ("The open-weights share of notable models fell by 10 percentage points from 2023 to 2024.", (2023, 2024)),
    ("In 2024 the open-weights share of notable models dropped by 3 points.", (2023, 2024)),
    ("オープンウェイトの割合は2023年の約50%から2024年には約39%へと、10ポイント下がった。", (2023, 2024)),
])
def test_a_change_in_points_runs_between_two_years(text, years):
    claim = next(c for c in claims(text) if c.quantity.kind == "points")
    assert (claim.from_year, claim.year) == years and claim.change == "down"


class Shares:
    """An open-weights share per year for the difference judge."""

    def rows(self, indicator, params, where):
        return None, [{"year": where["year"], "value": {2023: 0.496, 2024: 0.392}[where["year"]]}]


@pytest.mark.parametrize("text,verdict", [
    ("The open-weights share of notable models fell by 10 percentage points from 2023 to 2024.", "supported"),
    ("The open-weights share of notable models fell by 3 percentage points from 2023 to 2024.", "contradicted"),
    ("The open-weights share of notable models rose by 10 percentage points from 2023 to 2024.", "contradicted"),
])
def test_a_change_in_points_is_the_difference_of_the_two_years(text, verdict):
    from aiatlas.claims import judge

    claim = next(c for c in claims(text) if c.quantity.kind == "points")
    pattern = next(p for p in TABLE if p.id == measure(text, claim.quantity.value)[0])
    assert pattern.id == "open_weights_share_change"
    asserts, _ = pattern.bind(claim)
    _, rows = Shares().rows(None, None, {"year": 2024})
    v = judge._judge_difference(claim, pattern, asserts, Shares(), rows, [], "2026-07-19")
    assert v.verdict == verdict and v.actual == pytest.approx(10.4)
    assert "fell by 10.4 points" in v.reason


# ------------------------------------------------------------ part of a year is not the year
@pytest.mark.parametrize("text", [
    "In the first half of 2025, China released 20 notable AI models.",
    "2025年上半期に中国は20件の注目AIモデルを公開した。",
    "2025年1～6月に中国は20件の注目AIモデルを公開した。",
    "In Q3 2025 China released 10 notable AI models.",
    "In March 2025, China released 5 notable AI models.",
])
def test_a_count_of_part_of_a_year_is_not_checked_against_the_whole_year(text):
    (claim,) = claims(text)
    pattern = next(p for p in TABLE if p.id == "notable_models_count")
    asserts, why = pattern.bind(claim)
    assert asserts is None and "part of a year" in why


def test_a_quarter_still_binds_a_quarterly_measure():
    (claim,) = claims("India had 10,106 developers contributing to AI repositories on GitHub in the "
                      "third quarter of 2025.")
    pattern = next(p for p in TABLE if p.id == "ai_developers_count")
    asserts, _ = pattern.bind(claim)
    assert asserts["where"]["quarter"] == 3


@pytest.mark.parametrize("text,expected", [
    ("2025年に中国は米国に次いで2番目に多い35件の注目AIモデルを発表した。", [(2, "CHN"), (35, "CHN")]),
    ("China ranked second behind the US with 31 notable models in 2024.", [(2, "CHN"), (31, "CHN")]),
    ("Behind the US's 57 notable models in 2024, China had 31.", [(57, "USA"), (31, "CHN")]),
])
def test_the_subject_a_figure_comes_after_is_not_the_figures(text, expected):
    assert [(c.quantity.value, c.subjects[0].id) for c in claims(text)] == expected


@pytest.mark.parametrize("text", ["In 2024 France ranked second in Europe with 4 notable models.",
                                  "2024年、フランスは注目AIモデル数で欧州で2位だった。"])
def test_a_rank_within_a_region_is_not_a_world_rank(text):
    rank = next(c for c in claims(text) if c.quantity.kind == "rank")
    pattern = next(p for p in TABLE if p.id == "notable_models_rank")
    asserts, why = pattern.bind(rank)
    assert asserts is None and "within a region" in why


def test_reasons_never_write_e_notation_for_a_readers_figure():
    from aiatlas.claims.precision import human, human_ja

    assert (human(18897.83), human_ja(18897.83)) == ("18,898", "18,898")
    assert human(1394625.75) == "1.395 million" and human(3.8e25) == "3.8e25"
