"""Claim classes the report's findings needed: a dated policy event bound by its kind and date
among every country the sentence names, the Entity List additions of a rule, cluster compute
and cluster counts by country, and quarterly figures (GitHub AI developers), in en and ja."""
from __future__ import annotations

import pytest

from aiatlas import api
from aiatlas.claims import extract, words
from aiatlas.claims.check import check_text


def checked(text, home, lang):
    """(claim text, verdict, pattern, reason) of every claim of the text."""
    report = check_text(text, lang, data=api.checker(home=home))
    return [(c.claim.text, c.verdict.verdict, c.claim.pattern, c.verdict.reason)
            for s in report.sentences for c in s.claims]


@pytest.mark.parametrize("lang, text, verdict, pattern", [
    # the actor is the first country named, not the one nearest the date
    ("en", "The United States first restricted exports of advanced AI chips to China on "
           "October 7, 2022.", "supported", "export_rule_date"),
    ("ja", "米国は2022年10月7日、先端AIチップの対中輸出を初めて規制した。", "supported",
     "export_rule_date"),
    ("en", "China banned exports of gallium, germanium and antimony to the United States on "
           "December 3, 2024.", "supported", "export_ban_date"),
    ("ja", "中国は2024年12月3日、ガリウム、ゲルマニウム、アンチモンの対米輸出を禁止した。", "supported",
     "export_ban_date"),
    ("en", "On May 13, 2025, the United States announced it would rescind the AI Diffusion rule.",
     "supported", "export_rule_rescinded_date"),
    ("ja", "米国は2025年5月13日、AI拡散規則を撤回すると発表した。", "supported",
     "export_rule_rescinded_date"),
    # a wrong day: contradicted against the event of that kind nearest the claimed date
    ("en", "China banned exports of gallium, germanium and antimony to the United States on "
           "December 5, 2024.", "contradicted", "export_ban_date"),
    ("ja", "中国は2024年12月5日、ガリウム、ゲルマニウム、アンチモンの対米輸出を禁止した。",
     "contradicted", "export_ban_date"),
    # the US rule of December 2 is another kind of event: it never supports China's ban
    ("en", "China banned exports of gallium to the United States on December 2, 2024.",
     "contradicted", "export_ban_date"),
    # no event of that kind for any country named: unverifiable, never another's event
    ("en", "Japan banned exports of gallium to Korea on December 3, 2024.", "unverifiable",
     "export_ban_date"),
    ("ja", "日本は2024年12月3日、ガリウムの輸出を禁止した。", "unverifiable", "export_ban_date"),
])
def test_a_policy_event_is_bound_by_its_kind_and_date_among_the_countries_named(
        built_home, lang, text, verdict, pattern):
    ((_, got, pat, reason),) = checked(text, built_home, lang)
    assert (got, pat) == (verdict, pattern), reason
    if verdict == "contradicted":
        assert "2024-12-03" in reason  # the recorded date is said
    if verdict == "unverifiable":
        assert "JPN" in reason and "export ban" in reason


@pytest.mark.parametrize("lang, text, verdicts", [
    ("en", "With its rules of December 2, 2024, the United States added 140 entities to the Entity "
           "List.", ["supported", "supported"]),
    ("ja", "米国は2024年12月2日の規則で、140の団体をエンティティ・リストに加えた。", ["supported", "supported"]),
    ("en", "With its rules of December 2, 2024, the United States added 150 entities to the Entity "
           "List.", ["supported", "contradicted"]),
    ("ja", "米国は2024年12月2日の規則で、150の団体をエンティティ・リストに加えた。",
     ["supported", "contradicted"]),
    ("en", "In 2024 Japan added 140 entities to its Entity List.", ["unverifiable"]),
])
def test_entity_list_additions(built_home, lang, text, verdicts):
    got = checked(text, built_home, lang)
    assert [v for _, v, _, _ in got] == verdicts, got
    assert got[-1][2] in ("entity_list_additions", None)


@pytest.mark.parametrize("lang, text, verdicts", [
    ("en", "Existing AI clusters located in China hold 231,251 H100-equivalents of compute, across "
           "223 clusters.", ["supported", "supported"]),
    ("ja", "中国にある既存のAIクラスターは223基で、計算能力はH100換算で23万1251個分に上る。",
     ["supported", "supported"]),
    ("en", "Existing AI clusters located in China hold 300,000 H100-equivalents of compute, across "
           "200 clusters.", ["contradicted", "contradicted"]),
    ("ja", "中国にある既存のAIクラスターは200基で、計算能力はH100換算で30万個分に上る。",
     ["contradicted", "contradicted"]),
    # no country: unverifiable; a state's figure is not checked against its country's total
    ("en", "Existing AI clusters hold 231,251 H100-equivalents of compute.", ["unverifiable"]),
    ("en", "Texas has 148 AI clusters.", ["unverifiable"]),
])
def test_cluster_compute_and_counts_by_country(built_home, lang, text, verdicts):
    got = checked(text, built_home, lang)
    assert [v for _, v, _, _ in got] == verdicts, got
    assert all(p in ("cluster_compute", "cluster_count", None) for _, _, p, _ in got)


@pytest.mark.parametrize("lang, text", [
    ("en", "In Q3 2025, 16,067 developers in the United States pushed to AI-tagged repositories on GitHub."),
    ("en", "In the third quarter of 2025, 16,067 developers in the United States pushed to AI-tagged "
           "repositories on GitHub."),
    ("ja", "2025年第3四半期、GitHubでAI関連のリポジトリに貢献した米国の開発者は1万6067人だった。"),
])
def test_a_stated_quarter_binds_a_quarterly_figure(built_home, lang, text):
    ((claim, verdict, pattern, reason),) = checked(text, built_home, lang)
    assert (verdict, pattern) == ("supported", "ai_developers_count"), reason
    assert "quarter=3" in reason
    wrong = text.replace("16,067", "17,067").replace("1万6067", "1万7067")
    assert checked(wrong, built_home, lang)[0][1] == "contradicted"


@pytest.mark.parametrize("lang, text", [
    ("en", "In 2025, 16,067 developers in the United States pushed to AI-tagged repositories on GitHub."),
    ("ja", "2025年、GitHubでAI関連のリポジトリに貢献した米国の開発者は1万6067人だった。"),
])
def test_a_quarterly_figure_without_its_quarter_is_unverifiable(built_home, lang, text):
    ((_, verdict, _, reason),) = checked(text, built_home, lang)
    assert verdict == "unverifiable" and "quarter" in reason


@pytest.mark.parametrize("lang, text, share, growth", [
    ("en", "In Q3 2025, developers in India made up 19.1% of the AI-topic developers on GitHub.",
     "supported", None),
    ("en", "In Q3 2025, the number of developers in India pushing to AI-tagged repositories on GitHub "
           "grew 72.3% year on year.", None, "supported"),
    ("ja", "2025年第3四半期、GitHubでAI関連のリポジトリに貢献したインドの開発者は前年同期比72.3%増えた。",
     None, "supported"),
    ("en", "In Q3 2025, the number of developers in India pushing to AI-tagged repositories on GitHub "
           "grew 50% year on year.", None, "contradicted"),
])
def test_quarterly_share_and_growth_are_told_apart(built_home, lang, text, share, growth):
    ((_, verdict, pattern, reason),) = checked(text, built_home, lang)
    assert (verdict, pattern) == (share or growth, "ai_developers_share" if share else
                                  "ai_developers_growth"), reason


def test_a_quarter_is_the_time_of_a_claim_not_a_claim():
    for lang, text in (("en", "In Q3 2025, 16,067 developers in India pushed code."),
                       ("en", "In 2025 Q3, 16,067 developers in India pushed code."),
                       ("ja", "2025年第3四半期、インドの開発者は1万6067人だった。")):
        (sc,) = extract.extract(text, lang)
        (claim,) = sc.claims
        assert (claim.year, claim.quarter, claim.quantity.value) == (2025, 3, 16067)
        assert any("quarter" in s.reason for s in sc.skipped)
    (sc,) = extract.extract("In 2025, 16,067 developers in India pushed code.", "en")
    assert sc.claims[0].quarter is None


@pytest.mark.parametrize("lang, text, verdict", [
    ("en", "The FP16 energy efficiency of AI accelerators doubled every 1.5 years.", "supported"),
    ("ja", "AIアクセラレータのFP16でのエネルギー効率は1.5年ごとに倍増した。", "supported"),
    ("ja", "AIアクセラレータの半精度でのエネルギー効率は1.5年ごとに倍増した。", "supported"),
    # the same figure at FP32 (the default when none is named) is contradicted
    ("en", "The FP32 energy efficiency of AI accelerators doubled every 1.5 years.", "contradicted"),
    ("en", "The energy efficiency of AI accelerators doubled every 1.5 years.", "contradicted"),
])
def test_an_efficiency_trend_is_checked_at_the_precision_the_sentence_names(built_home, lang, text,
                                                                              verdict):
    ((_, got, pattern, reason),) = checked(text, built_home, lang)
    assert (got, pattern) == (verdict, "energy_efficiency_doubling_years"), reason
    assert ("precision=fp16" in reason) == ("16" in text or "半精度" in text)


def test_a_missing_quarter_and_a_state_figure_are_said_in_japanese(built_home):
    report = check_text("2025年、GitHubでAI関連のリポジトリに貢献した米国の開発者は1万6067人だった。\n\n"
                        "Texas has 148 AI clusters.", "auto", data=api.checker(home=built_home))
    (quarter,), (state,) = ([c.verdict for c in s.claims] for s in report.sentences)
    assert quarter.reason_key == "no_quarter" and "四半期" in words.reason(quarter, "ja")
    assert state.reason_key == "state_not_country" and "州" in words.reason(state, "ja")
