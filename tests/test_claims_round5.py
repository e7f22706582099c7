"""Round 5's classes of wrong verdicts, one test each, mostly on tiny sentences and no warehouse:
denied figures and bounds, figures of every year, 'N years later', figures per N people, lists
'respectively', ranks behind two subjects, counts stated as differences, the base of a change,
cluster sites and compute, Japanese era years, 'by' a past date with an irregular verb, a
figure's own quarter, and measure words (share, barred, a benchmark's score gap)."""
from __future__ import annotations

import pytest

from aiatlas import api
from aiatlas.claims import chipstatus
from aiatlas.claims.check import _fitting, check_claim, check_text
from aiatlas.claims.extract import extract
from aiatlas.claims.patterns import load
from aiatlas.claims.text import normalise

TABLE = load()


def claims(text):
    return [c for s in extract(text) for c in s.claims]


def claim_of(text, value):
    return next(c for c in claims(text) if c.quantity.value == pytest.approx(value))


def measure(text, value):
    """The pattern ids the claim of that value fits, best first."""
    return [p.id for _, p in _fitting(claim_of(text, value), TABLE)]


# ------------------------------------------------------------ denied figures and bounds
@pytest.mark.parametrize("text,value,qualifier", [
    ("Germany has not produced more than two notable AI models in any year since 2022.", 2, "at_most"),
    ("Chinese developers did not release fewer than 30 notable models in 2024.", 30, "at_least"),
    ("中国の注目AIモデルは2024年に30件を下回らなかった。", 30, "at_least"),
    ("日本の注目AIモデルは2024年に3件を超えなかった。", 3, "at_most"),
    ("2024年、日本の注目AIモデルは3件に満たなかった。", 3, "under"),
    ("China released no more than 40 notable models in 2025.", 40, "at_most"),
    ("Not only did China release 35 notable models in 2025, it ranked second.", 35, "exact"),
])
def test_a_denied_bound_is_read_as_its_opposite(text, value, qualifier):
    q = claim_of(text, value).quantity
    assert q.qualifier == qualifier and not q.negated


def test_a_denied_figure_is_what_it_is_not_and_unverifiable():
    claim = claim_of("China did not release 30 notable models in 2024.", 30)
    assert claim.quantity.negated
    v = check_claim(claim, TABLE, data=None)  # decided before any data is read
    assert v.verdict == "unverifiable" and v.reason_key == "negated"


def test_a_figure_of_any_year_since_is_no_running_total():
    text = "Germany has not produced more than two notable AI models in any year since 2022."
    assert "notable_models_total" not in measure(text, 2)
    assert measure("Since 2020, US organisations have released more than 350 notable AI models.",
                   350)[0] == "notable_models_total"


# ------------------------------------------------------------ N years later
@pytest.mark.parametrize("text", [
    "Open-weights releases were 45.6% of notable models in 2022 but only 39.2% two years later.",
    "2022年のオープンウェイトの割合は45.6%で、2年後には39.2%だった。",
])
def test_n_years_later_counts_on_from_the_sentences_year(text):
    (sent,) = extract(text)
    assert [(c.quantity.value, c.year) for c in sent.claims] == [(45.6, 2022), (39.2, 2024)]
    assert any("later" in s.reason for s in sent.skipped)  # 'two years' is a time, not a claim


# ------------------------------------------------------------ per N people
@pytest.mark.parametrize("text,value,per", [
    ("The US produced about 1.7 notable AI models per 10 million residents in 2024.", 1.7, "10000000"),
    ("2024年の人口1000万人あたりの注目AIモデル数は、米国が約1.7件だった。", 1.7, "10000000"),
    ("Singapore produced 50 notable AI models per 100,000 people in 2024.", 50, "100000"),
    ("Per million inhabitants, Israel released about 0.3 notable AI models in 2023.", 0.3, "million"),
])
def test_a_figure_per_n_people_is_n_times_the_figure_per_person(text, value, per):
    (sent,) = extract(text)
    assert [c.quantity.value for c in sent.claims] == [pytest.approx(value)]  # N people: no claim
    claim = sent.claims[0]
    assert claim.per == per
    pattern = next(p for p in TABLE if p.id == "notable_models_per_person")
    asserts, why = pattern.bind(claim)
    if per == "million":
        assert asserts["params"] == {"per": "million"} and asserts["scale"] == 1
    else:
        assert asserts["params"] == {"per": "capita"} and asserts["scale"] == float(per), why


# ------------------------------------------------------------ lists 'respectively'
def test_respectively_hands_the_subjects_out_in_order():
    (sent,) = extract("In 2022 the US, Britain and China produced 68, 13 and 12 notable models respectively.")
    assert [(c.quantity.value, c.quantity.unit, [e.id for e in c.subjects]) for c in sent.claims] == \
        [(68, "models", ["USA"]), (13, "models", ["GBR"]), (12, "models", ["CHN"])]


def test_respectively_with_more_figures_than_subjects_binds_none():
    (sent,) = extract("In 2022 the US and China produced 68, 13 and 12 notable models respectively.")
    assert all(not c.subjects for c in sent.claims)
    assert "respectively" in sent.claims[1].subject_note


# ------------------------------------------------------------ a rank behind two subjects
@pytest.mark.parametrize("text", [
    "韓国は2025年に注目AIモデルを八件発表し、米中に次ぐ3位につけた。",
    "South Korea ranked third behind the US and China in notable AI models in 2025.",
])
def test_a_rank_behind_two_named_subjects_is_the_other_ones(text):
    (rank,) = [c for c in claims(text) if c.quantity.kind == "rank"]
    assert rank.quantity.value == 3 and [e.id for e in rank.subjects] == ["KOR"]


def test_second_only_to_is_a_rank_behind_that_subject():
    (rank,) = [c for c in claims("China was second only to the US in notable AI models in 2023, with 23.")
               if c.quantity.kind == "rank"]
    assert rank.quantity.value == 2 and [e.id for e in rank.subjects] == ["CHN"]


# ------------------------------------------------------------ counts stated as differences
@pytest.mark.parametrize("text,value,change,years", [
    ("2025年の中国の注目AIモデルは前年より4件多かった。", 4, "up", (2024, 2025)),
    ("In 2024, China released 31 notable models, 8 more than a year earlier.", 8, "up", (2023, 2024)),
    ("In 2025, US labs released three more notable models than the year before.", 3, "up", (2024, 2025)),
    ("2024年の米国の注目AIモデルは前年より29件減った。", 29, "down", (2023, 2024)),
    ("In 2024, China released 31 notable models, 27 more than France.", 27, "up", (None, 2024)),
])
def test_a_count_stated_as_a_difference_is_a_change_not_a_level(text, value, change, years):
    claim = claim_of(text, value)
    assert claim.change == change and (claim.from_year, claim.year) == years
    claim.keywords += " notable"  # the clause's measure words, as the comparison hands them on
    fits = [p.id for _, p in _fitting(claim, TABLE)]
    assert fits[0] == "notable_models_change" and "notable_models_count" not in fits


@pytest.mark.parametrize("text,value", [
    ("中国の注目モデルは2024年に31件に増えた。", 31),
    ("In 2024, China released 31 notable models, 8 more than a year earlier.", 31),
    ("China hosts 223 AI supercomputers, more than the 148 in the United States.", 223),
])
def test_a_level_is_no_difference(text, value):
    assert claim_of(text, value).change == ""


# ------------------------------------------------------------ the base of a change is not its time
def test_from_a_year_earlier_is_the_base_of_a_change_not_its_year():
    claim = claim_of("Brazil's GitHub AI developers grew 140% from a year earlier in the third "
                     "quarter of 2025.", 140)
    assert (claim.year, claim.quarter, claim.change) == (2025, 3, "up")
    assert measure("Brazil's GitHub AI developers grew 140% from a year earlier in the third "
                   "quarter of 2025.", 140)[0] == "ai_developers_growth"


def test_a_relative_year_before_the_figure_stays_its_time():
    assert claim_of("China released 31 models in 2024, up from the previous year's 23.", 23).year == 2023
    assert claim_of("China released 31 notable models in 2024, up from 23 a year earlier.", 23).year == 2023


# ------------------------------------------------------------ cluster sites, cluster compute
def test_sites_count_clusters_and_a_bare_number_is_no_compute():
    text = "米国のAIクラスターは148か所で、H100換算の計算能力は約139万台分に上る。"
    assert measure(text, 148)[0] == "cluster_count" and "cluster_compute" not in measure(text, 148)
    assert measure(text, 1390000)[0] == "cluster_compute"


def test_h100_equivalents_after_a_cluster_count_are_compute():
    text = "The US has 148 AI clusters with 1.39 million H100 equivalents."
    claim = claim_of(text, 1390000)
    assert (claim.quantity.kind, claim.quantity.unit) == ("number", "items")
    assert measure(text, 1390000)[0] == "cluster_compute"


# ------------------------------------------------------------ Japanese era years
def test_an_era_year_is_read_as_the_western_year_with_spans_in_the_original():
    text = "テキサス州は令和7年1月31日、州政府の端末でDeepSeekの使用を禁止した。"
    assert normalise("令和元年と平成31年").text == "2019年と2019年"
    (claim,) = claims(text)
    assert claim.quantity.kind == "date" and claim.quantity.date == "2025-01-31"
    assert claim.text == "令和7年1月31日"


# ------------------------------------------------------------ 'by' a past date, irregular verbs
@pytest.mark.parametrize("text,value,year", [
    ("By May 2025 the top American chatbot led its best Chinese rival on LMArena by roughly 8%.", 8, 2025),
    ("Chinese owners held around 400,000 H100-equivalents of AI compute by September 2025.", 400000, 2025),
])
def test_by_a_past_date_with_an_irregular_past_verb_is_the_claims_time(text, value, year):
    assert claim_of(text, value).year == year


# ------------------------------------------------------------ a figure's own quarter
def test_a_quarter_stated_right_with_a_figure_is_its_time():
    text = "米国のGitHubのAI開発者の世界シェアは、2024年第1四半期の約38%から2025年第3四半期には約30%へ低下した。"
    assert [(c.quantity.value, c.year, c.quarter) for c in claims(text)] == [(38, 2024, 1), (30, 2025, 3)]
    far = claims("In the third quarter of 2025, US developers made up 30% of GitHub's AI developers, "
                 "against 38% in Q1 2024.")
    assert [(c.year, c.quarter) for c in far if c.quantity.value == 38] == [(2024, 1)]
    assert [c.quarter for c in far if c.quantity.value == 30] == [None]  # not said with it: no guess


# ------------------------------------------------------------ measure words
@pytest.mark.parametrize("text,value,expected", [
    ("Germany accounted for 6.4% of AI-topic developers on GitHub in Q3 2025.", 6.4, "ai_developers_share"),
    ("米国のGitHubのAI開発者の世界シェアは2025年第3四半期に約30%だった。", 30, "ai_developers_share"),
    ("2024年7月、MMLUにおけるオープン勢の遅れはわずか2ポイントになった。", 2, "benchmark_gap_openness"),
])
def test_measure_words_pick_one_measure(text, value, expected):
    fits = measure(text, value)
    assert fits[0] == expected and "open_weights_share_change" not in fits


def test_barred_is_a_ban():
    claim = claim_of("New York barred DeepSeek from state-run devices and networks on Feb. 10th, 2025.",
                     20250210)
    assert [p.id for _, p in _fitting(claim, TABLE)][0] == "device_ban_date"


def test_a_count_of_names_what_bare_figures_count():
    text = "Britain's count of notable AI models dropped from 13 in 2022 to just 3 in 2024."
    assert [(c.quantity.value, c.quantity.unit, c.year) for c in claims(text)] == \
        [(13, "models", 2022), (3, "models", 2024)]


# ------------------------------------------------------------ on the warehouse
@pytest.mark.parametrize("text,verdicts", [
    ("2022年に米国、英国、中国はそれぞれ68件、13件、12件の注目AIモデルを発表した。", ["supported"] * 3),
    ("2025年の中国の注目AIモデルは前年より4件多かった。", ["supported"]),
    ("2024年の米国の注目AIモデルは前年より10件増えた。", ["contradicted"]),  # fell by 29
    ("The US produced about 1.7 notable AI models per 10 million residents in 2024.", ["supported"]),
    ("The US produced about 3 notable AI models per 10 million residents in 2024.", ["contradicted"]),
    ("Chinese developers did not release fewer than 30 notable models in 2024.", ["supported"]),
    ("Chinese developers did not release more than 10 notable models in 2024.", ["contradicted"]),
])
def test_verdicts_on_the_data(built_home, text, verdicts):
    report = check_text(text, data=api.checker(home=built_home))
    got = [c.verdict for s in report.sentences for c in s.claims]
    assert [v.verdict for v in got] == verdicts, [v.reason for v in got]
    if "per 10 million" in text:
        assert "per 10,000,000 people" in got[0].reason


def test_respectively_pairs_only_the_figures_of_its_list():
    (sent,) = extract("In 2024 the US and China produced 57 and 31 notable models, respectively, "
                      "while France made 4.")
    assert [[e.id for e in c.subjects] for c in sent.claims] == [["USA"], ["CHN"], ["FRA"]]
    (sent,) = extract("2022年に米国、英国、中国はそれぞれ68件、13件、12件の注目AIモデルを発表し、"
                      "フランスは2件だった。")
    assert [[e.id for e in c.subjects] for c in sent.claims] == [["USA"], ["GBR"], ["CHN"], ["FRA"]]


def test_a_subject_named_as_outranked_does_not_own_the_figure():
    text = "China ranked second behind the US and ahead of South Korea in 2025 with 35 notable models."
    assert [e.id for e in claim_of(text, 35).subjects] == ["CHN"]
    (rank,) = [c for c in claims("The US ranked first in notable AI models in 2025, ahead of China.")
               if c.quantity.kind == "rank"]
    assert [e.id for e in rank.subjects] == ["USA"]


# ------------------------------------------------------------ ratios that name their reference
@pytest.mark.parametrize("text,value,subject,reference", [
    ("American institutions were behind 60 notable AI models in 2025, 1.7 times China's tally.", 1.7, "USA", "CHN"),
    ("In 2023, the US turned out roughly 3.7 times as many notable AI models as China.", 3.7, "USA", "CHN"),
    ("2023年、米国の注目AIモデル数は中国の約3.7倍だった。", 3.7, "USA", "CHN"),
])
def test_a_ratio_names_its_reference_as_a_possessive_or_around_a_noun(text, value, subject, reference):
    claim = claim_of(text, value)
    assert [e.id for e in claim.subjects][:1] == [subject] and claim.reference.id == reference


@pytest.mark.parametrize("text,verdict", [
    ("American institutions were behind 60 notable AI models in 2025, 1.7 times China's tally.", "supported"),
    ("In 2023, the US turned out roughly 3.7 times as many notable AI models as China.", "supported"),
    ("2023年の米国の注目AIモデル数は中国の約6倍だった。", "contradicted"),  # 86 / 23 = 3.7
])
def test_a_ratio_stating_no_figure_looks_both_subjects_up(built_home, text, verdict):
    report = check_text(text, data=api.checker(home=built_home))
    (v,) = [c.verdict for s in report.sentences for c in s.claims if c.claim.quantity.kind == "multiple"]
    assert v.verdict == verdict and "USA" in v.reason and "CHN" in v.reason, v.reason


# ------------------------------------------------------------ 'cannot ... without a licence'
@pytest.mark.parametrize("text,status", [
    ("The H100 cannot be sold to China without a licence.", 1),
    ("The H100 can't be exported to China without an export licence.", 1),
    ("Gaudi 3は現行規則の下では中国に許可なしでは輸出できない。", 1),
    ("The L20 can be shipped to China without a licence.", 0),
    ("A800は許可なく中国に輸出できた。", 0),
])
def test_denying_a_sale_without_a_licence_says_a_licence_is_needed(text, status):
    (sent,) = extract(text)
    claim = chipstatus.find(sent.text, sent.lang, 0)
    assert claim is not None and claim.quantity.value == status


# ------------------------------------------------------------ an agency acts for its country
@pytest.mark.parametrize("text,verdict", [
    ("The Commerce Department said on 13 May 2025 that it would scrap the AI Diffusion rule.", "supported"),
    ("The Commerce Department said on 13 May 2025 that it would end the AI Diffusion rule.", "supported"),
    ("The Commerce Department first restricted AI chip exports to China on October 17, 2022.", "contradicted"),
    ("The H100 cannot be sold to China without a licence.", "supported"),
])
def test_agency_events_and_denied_sales_on_the_data(built_home, text, verdict):
    report = check_text(text, data=api.checker(home=built_home))
    (v,) = [c.verdict for s in report.sentences for c in s.claims]
    assert v.verdict == verdict, v.reason


@pytest.mark.parametrize("text", [
    "Japan released no more than 1 notable AI model in 2024.",
    "China released no fewer than 30 notable models in 2024.",
])
def test_a_bound_is_no_difference(text):
    (claim,) = claims(text)
    assert claim.change == "" and claim.quantity.qualifier in ("at_most", "at_least")


# ------------------------------------------------------------ a count with no record is none
@pytest.mark.parametrize("text,verdict", [
    ("2024年、日本の注目AIモデルは3件だった。", "contradicted"),  # no Japanese record in 2024: 0
    ("Japan released no more than 1 notable AI model in 2024.", "supported"),
    ("Japan released 3 notable AI models in 2031.", "unverifiable"),  # a year the data does not cover
    ("The world produced 108 notable AI models in 2024.", "unverifiable"),  # no country: not none
    ("The EU produced 12 notable AI models in 2024.", "unverifiable"),
])
def test_no_record_in_a_covered_year_counts_none(built_home, text, verdict):
    report = check_text(text, data=api.checker(home=built_home))
    (v,) = [c.verdict for s in report.sentences for c in s.claims]
    assert v.verdict == verdict, v.reason
    if verdict != "unverifiable":
        assert v.actual == 0 and "records none" in v.reason
