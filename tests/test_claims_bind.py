"""Binding: each number takes the subject, year and base of its own clause (issue 12 classes)."""
from __future__ import annotations

import pytest

from aiatlas.claims.check import check_claim
from aiatlas.claims.extract import extract
from aiatlas.claims.patterns import load


def bound(text):
    """(value, subject id, year) of every claim in the text."""
    return [(c.quantity.value, c.subjects[0].id if c.subjects else None, c.year)
            for s in extract(text) for c in s.claims]


@pytest.mark.parametrize("text,expected", [
    ("In 2024 the tally was 35 for China against 60 for the US.",
     [(35, "CHN", 2024), (60, "USA", 2024)]),
    ("In 2024 there were 40 notable models from the US, compared with 15 from China.",
     [(40, "USA", 2024), (15, "CHN", 2024)]),
    ("US makers shipped 9 accelerators in 2024, compared with 2 from Chinese designers.",
     [(9, "USA", 2024), (2, "CHN", 2024)]),
    ("2024年の注目モデルは米国が57件、中国が31件だった。", [(57, "USA", 2024), (31, "CHN", 2024)]),
    ("2023年は米国86件対中国23件だった。", [(86, "USA", 2023), (23, "CHN", 2023)]),
    ("2024年に中国は35件だったのに対し、米国は60件だった。", [(35, "CHN", 2024), (60, "USA", 2024)]),
    ("日本の46,106台と比べ、中国は276,288台だった。", [(46106, "JPN", None), (276288, "CHN", None)]),
    ("米中の注目モデル数は2024年に57件対31件となった。", [(57, "USA", 2024), (31, "CHN", 2024)]),
    ("Indonesia (80%) and Thailand (77%) led in 2024.", [(80, "IDN", 2024), (77, "THA", 2024)]),
])
def test_a_comparison_binds_each_figure_to_its_own_side(text, expected):
    assert bound(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("China had 31 models in 2024, up from 23 the previous year.", [(31, "CHN", 2024), (23, "CHN", 2023)]),
    ("2024年の中国は31件で、前年の23件から増えた。", [(31, "CHN", 2024), (23, "CHN", 2023)]),
    ("Industry made 83% in 2024, against 58% two years earlier.", [(83, None, 2024), (58, None, 2022)]),
    ("Last year the US released 57 models.", [(57, "USA", None)]),
    ("昨年、米国では57件の注目モデルが公開された。", [(57, "USA", None)]),
    ("政府は2030年度までに10兆円を投じる。", [(10e12, None, None)]),
])
def test_relative_and_deadline_years(text, expected):
    assert bound(text) == expected


def test_a_year_that_depends_on_the_article_date_says_so():
    (c,) = [c for s in extract("Last year the US released 57 notable models.") for c in s.claims]
    assert "article's date" in c.year_note


@pytest.mark.parametrize("text", [
    "2024~25年のAI競争を振り返る。", "AI race 2024-25: the numbers.", "6年前にはなかった。",
    "Six years ago nobody knew.", "2月には拡大された。", "Huawei's phone runs the Kirin 9000S.",
    "Llama 405b was large.", "メタのLlama 3.1 405Bは大きい。",
])
def test_dates_and_model_names_are_not_quantities(text):
    assert bound(text) == []


@pytest.mark.parametrize("text,base", [
    ("In 2024, 78% of organizations used AI.", "organizations"),
    ("In 2024, 31% of notable models had open weights.", "models"),
    ("2024年、組織の78%がAIを使った。", "organizations"),
    ("2024年、大企業は18%だった。", "organizations"),
])
def test_the_base_of_a_share_is_read_from_its_clause(text, base):
    (c,) = [c for s in extract(text) for c in s.claims]
    assert c.base == base


class _NoData:
    """Stands in for the data: these claims must be settled before any data is read."""

    def __getattr__(self, name):
        raise AssertionError(f"data.{name} was called")


@pytest.mark.parametrize("text", [
    "In 2024, 78% of organizations used AI in at least one function, said industry surveys.",
    "In 2024, 18% of large firms tested models for fairness, and industry lagged.",
    "2024年、大企業の18%が産業界の基準で公平性を検証した。",
    "In 2024 about 12% of US companies used AI, while industry built most models.",
])
def test_a_share_of_firms_never_checks_against_a_share_of_models(text):
    table = load()
    for s in extract(text):
        for c in s.claims:
            fits = [p.id for p in table if p.fits(c)]
            assert "industry_share" not in fits, (c.text, fits)


def test_a_world_figure_does_not_check_one_country():
    (c,) = [c for s in extract("In 2024, 12% of US companies used AI.") for c in s.claims]
    assert [p.id for p in load() if p.fits(c)] == []
    v = check_claim(c, load(), _NoData())
    assert v.verdict == "unverifiable" and v.reason_key == "no_measure"


@pytest.mark.parametrize("text,value,kind,qualifier", [
    ("Compute has doubled about every six months.", 6, "duration", "approx"),
    ("Five US states banned the app.", 5, "count", "exact"),
    ("中国の注目モデルは米国の約半分だった。", 50, "percent", "approx"),
    ("世界の設置台数の半分以上を中国が占めた。", 50, "percent", "at_least"),
    ("組織の9割近くがAIを使っていた。", 90, "percent", "nearly"),
    # English fractions and multiples in words: a share or a multiple, never a count of models
    ("China released half as many notable models as the US.", 50, "percent", "exact"),
    ("About a third of notable models were open-weight.", 100 / 3, "percent", "approx"),
    ("Nearly two-thirds of the models came from the US.", 200 / 3, "percent", "nearly"),
    ("The US released almost twice as many models as China.", 2, "multiple", "nearly"),
])
def test_numbers_written_as_words(text, value, kind, qualifier):
    (c,) = [c for s in extract(text) for c in s.claims]
    assert (c.quantity.value, c.quantity.kind, c.quantity.qualifier) == (value, kind, qualifier)


@pytest.mark.parametrize("text", ["The plan runs over four years.", "One of them won.",
                                  "They met three times.", "In the first half of the year they met.",
                                  "Half the team left.", "It was twice delayed."])
def test_number_words_without_a_claim_are_skipped(text):
    assert [c.quantity.kind for s in extract(text) for c in s.claims] in ([], ["multiple"])


@pytest.mark.parametrize("text,expected", [
    # a share 'of' a people names its subject after the figure, even with another before it
    ("Just 36% of Germans and 83% of Chinese were positive about AI in 2024.",
     [(36, "DEU", 2024), (83, "CHN", 2024)]),
    ("In 2024, 40% of Canadians and 39% of Americans agreed.", [(40, "CAN", 2024), (39, "USA", 2024)]),
    # a figure's clause naming no one continues the comma-joined clause before it
    ("Five US states banned DeepSeek; Texas was first, on January 31, 2025.",
     [(5, "USA", 2025), (20250131, "US-TX", 2025)]),
])
def test_subjects_named_after_the_figure_or_in_the_clause_it_continues(text, expected):
    assert bound(text) == expected


def test_the_clause_before_is_not_taken_across_a_figure_or_two_names():
    """The leading clause gives its subject only when it states no figure and names one."""
    assert bound("The US had 57, China 31 notable models in 2024.")[1][1] == "CHN"
    got = bound("China answered the US move, on December 3, 2024.")
    assert got == [(20241203, None, 2024)]  # two names: no single subject to continue


def test_a_date_reads_the_words_of_every_clause_without_a_date():
    """'banned' sits in the clause of another figure (five states); the date still reads it,
    while a count reads only its own clause and the clauses without figures."""
    (s,) = extract("Five US states banned DeepSeek on government devices; Texas was first, "
                   "on January 31, 2025.")
    count, date = s.claims
    assert "banned" in date.keywords and date.quantity.kind == "date"
    assert "texas was first" in count.keywords and "january" not in count.keywords


@pytest.mark.parametrize("text,expected", [
    # a ratio's figure belongs to the subject compared, not to the one it is measured against
    ("China released 31 notable models in 2024, 54% as many as the US (57).",
     [(31, "CHN", 2024), (54, "CHN", 2024), (57, "USA", 2024)]),
    ("China installed 276,288 robots in 2023, six times as many as Japan.",
     [(276288, "CHN", 2023), (6, "CHN", 2023)]),
    ("2024年の中国の注目モデル数は31件で、米国の約半分だった。", [(31, "CHN", 2024), (50, "CHN", 2024)]),
    ("2024年の中国の注目モデル数は31件で、米国の約9割だった。", [(31, "CHN", 2024), (90, "CHN", 2024)]),
    ("中国は2024年に31件の注目モデルを出し、米国の57件の約半分だった。",
     [(31, "CHN", 2024), (57, "USA", 2024), (50, "CHN", 2024)]),
    # a thousands comma is no clause break: '276,288台と約6倍' stays one clause with 中国
    ("2023年の設置台数は、日本の46,106台と比べ中国は276,288台と約6倍だった。",
     [(46106, "JPN", 2023), (276288, "CHN", 2023), (6, "CHN", 2023)]),
    # two subjects compared with 'than' / より before the figures are handed out in order
    ("The Netherlands was more sceptical than the US in 2024, at 36% against 50%.",
     [(36, "NLD", 2024), (50, "USA", 2024)]),
    ("オランダは米国より懐疑的で、2024年は36%対50%だった。", [(36, "NLD", 2024), (50, "USA", 2024)]),
    # a sentence naming only a model is about its developer
    ("The DeepSeek-R1 paper has 200 authors.", [(200, "deepseek", None)]),
])
def test_ratio_comparison_and_developer_subjects(text, expected):
    assert bound(text) == expected


def test_a_ratio_keeps_what_it_is_measured_against_and_a_developer_has_no_country():
    (s,) = extract("2024年の中国の注目モデル数は31件で、米国の約半分だった。")
    assert s.claims[1].reference.id == "USA" and s.claims[0].reference is None
    (s,) = extract("Llama 3 was one of 57 notable models released in 2024.")
    (c,) = s.claims
    assert c.subjects[0].id == "meta" and c.subject("country") is None  # not the US's figure
    (s,) = extract("GPT-4o and Llama 3 each scored 88% on MMLU.")  # two developers: no one
    assert [e.type for e in s.claims[0].subjects] == ["benchmark"]


@pytest.mark.parametrize("text,expected", [
    # a change's start is of an earlier year: the one stated with it, else the earlier of two
    ("Industry's share rose from 58% in 2023 to 83% in 2024.", [(58, None, 2023), (83, None, 2024)]),
    ("Compared with 2023, Chinese notable models rose from 23 to 31 in 2024.",
     [(23, "CHN", 2023), (31, "CHN", 2024)]),
    ("産業界の割合は2023年の58%から2024年には83%に上昇した。", [(58, None, 2023), (83, None, 2024)]),
    # one year only: the start's year is not said (it was 10 at some earlier time)
    ("Chinese notable models rose from 10 to 40 in 2024.", [(10, "CHN", None), (40, "CHN", 2024)]),
    ("中国の注目モデルは2024年に10件から40件に増えた。", [(10, "CHN", None), (40, "CHN", 2024)]),
    # a range is still a range
    ("Chinese labs released between 25 and 35 notable models in 2024.", [(25, "CHN", 2024)]),
])
def test_a_change_from_one_value_to_another_is_two_figures_of_two_times(text, expected):
    assert bound(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a year counted forward from the sentence's year, also beside another figure's year
    ("In 2023 China had 23 notable models; a year later it had 31.", [(23, "CHN", 2023), (31, "CHN", 2024)]),
    ("China had 23 notable models in 2023 and 31 the following year.",
     [(23, "CHN", 2023), (31, "CHN", 2024)]),
    ("China had 31 notable models in 2024 and 23 the previous year.",
     [(31, "CHN", 2024), (23, "CHN", 2023)]),
    ("2023年に中国は23件の注目モデルを出し、翌年は31件だった。", [(23, "CHN", 2023), (31, "CHN", 2024)]),
    # each figure takes the place named right after it once the name before is taken
    ("France produced 4 notable models in 2024, compared with 57 in the US and 31 in China.",
     [(4, "FRA", 2024), (57, "USA", 2024), (31, "CHN", 2024)]),
    ("Alibaba released 6 notable models in China in 2024.", [(6, "alibaba", 2024)]),  # the firm's
])
def test_forward_relative_years_and_the_place_after_a_figure(text, expected):
    assert bound(text) == expected


@pytest.mark.parametrize("text, lang, years", [
    ("The spread narrowed from 370 points in May 2023 to 49 points in December 2025.", "en",
     [2023, 2025]),
    ("China's count rose from 10 in 2020 to 31 in 2024.", "en", [2020, 2024]),
    ("中国の注目AIモデルは2020年の10件から2024年の31件に増えた。", "ja", [2020, 2024])])
def test_each_end_of_a_change_takes_the_year_stated_with_it(text, lang, years):
    claims = [c for s in extract(text, lang) for c in s.claims]
    assert [c.year for c in claims] == years


@pytest.mark.parametrize("text, fits", [
    # the two sides of the closed-vs-open gap must be named; 'the top model ... the 10th' is the
    # spread of the top ten (rating points: frontier_convergence; in % no measure holds it)
    ("The top model on the Chatbot Arena outscored the 10th-ranked model by 11.9% in early 2024.", []),
    ("The top model on the Arena led the tenth by 41 points in 2024.", ["frontier_convergence_top10"]),
    ("The Arena gap was 1.7% in February 2025.", []),
    ("In February 2025 the top closed model led the top open one on the Arena by 1.7%.",
     ["arena_gap_openness"]),
    ("2025年2月、アリーナでのクローズドとオープンの差は1.7%だった。", ["arena_gap_openness"]),
])
def test_an_arena_gap_binds_only_with_its_two_sides_named(text, fits):
    (c,) = [c for s in extract(text) for c in s.claims if c.quantity.kind in ("percent", "points")]
    assert [p.id for p in load() if p.fits(c)] == fits
