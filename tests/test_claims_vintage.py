"""Vintages on the mirror: a figure true on the April 2025 export is 'revised', not 'contradicted'."""
from __future__ import annotations

from pathlib import Path

import pytest

from aiatlas import api
from aiatlas.claims import evaluate, render, vintage, words
from aiatlas.claims.check import check_text

FROZEN = Path(__file__).parent / "fixtures" / "claims" / "frozen.yaml"


def verdicts(text, home, **kw):
    return [c.verdict for s in check_text(text, data=api.checker(home=home), **kw).sentences for c in s.claims]


def test_a_figure_of_the_older_export_is_revised_with_both_values(built_home):
    (v,) = verdicts("Canadian organizations were behind 20 notable models in 2023.", built_home)
    assert v.verdict == "revised" and v.actual == 20 and v.latest == 5
    assert "2025-04-18" in v.reason and "revised" in v.reason
    assert v.as_of == "2025-04-18" and any("--as-of" in e.command for e in v.evidence)


def test_a_cited_publication_whose_data_is_not_held_is_not_contradicted(built_home):
    """No printed figure is curated for the claim's cell (2023 is not among the AI Index
    figures) and no held vintage agrees: unverifiable, naming each vintage's value."""
    (v,) = verdicts("The AI Index 2025 counted 30 notable models from China in 2023.", built_home)
    assert v.verdict == "unverifiable" and v.reason_key == "vintage_not_held"
    assert "AI Index 2025" in v.reason and "22" in v.reason and "23" in v.reason


@pytest.mark.parametrize("text", [
    "According to the AI Index 2025, US institutions produced 40 notable AI models in 2024.",
    "The AI Index 2025 counted 15 notable models from China in 2024.",
    "AIインデックス2025によると、2024年に米国の機関が開発した注目モデルは40件だった。",
    "AI Index 2025では、2024年の中国の注目モデルは15件とされた。",
])
def test_a_figure_the_cited_source_printed_is_revised_on_its_data_date(built_home, text):
    """The source's vintage is the figure it printed (curated/published/): true there, not on
    today's data, is 'revised' with the data's date and today's value, in both languages."""
    (v,) = verdicts(text, built_home)
    assert v.verdict == "revised" and v.reason_key == "revised_cited", v.reason
    assert v.as_of == "2025-03-17" and "Epoch AI data of 2025-03-17" in v.reason
    assert f"today's data gives {v.latest:g}" in v.reason and v.latest > v.actual
    assert "2025-03-17" in v.reason_ja and f"{v.latest:g}" in v.reason_ja and "改訂" in v.reason_ja
    assert any(e.kind == "fact" and e.citation["as_printed"] in text for e in v.evidence)


def test_a_wrong_figure_citing_its_source_is_contradicted_naming_both(built_home):
    (v,) = verdicts("According to the AI Index 2025, US institutions produced 70 notable AI "
                    "models in 2024.", built_home)
    assert v.verdict == "contradicted" and "printed 40" in v.reason and "57" in v.reason
    (ja,) = verdicts("AIインデックス2025によると、2024年の中国の注目モデルは25件だった。", built_home)
    assert ja.verdict == "contradicted" and "15" in ja.reason_ja and "31" in ja.reason_ja


def test_a_cited_figure_without_a_year_is_unverifiable(built_home):
    (v,) = verdicts("According to the AI Index 2025, US institutions produced 40 notable AI "
                    "models.", built_home)
    assert v.verdict == "unverifiable" and v.reason


def test_as_of_checks_against_that_vintage(built_home):
    (now,) = verdicts("In 2024 US labs released 42 notable AI models.", built_home)
    (then,) = verdicts("In 2024 US labs released 42 notable AI models.", built_home,
                       as_of="2025-05-01")
    assert now.verdict == "revised" and then.verdict == "supported" and then.as_of == "2025-04-18"


def test_contradicted_names_indicator_subject_year_value_and_as_of(built_home):
    (v,) = verdicts("In 2024 the US released 57 notable models, against 40 for China.", built_home)[1:]
    assert v.verdict == "contradicted"
    assert "notable_models_by_country" in v.reason and "country=CHN" in v.reason
    assert "year=2024" in v.reason and "31" in v.reason and "as of 2026-07-19" in v.reason


def test_japanese_rows_speak_japanese(built_home):
    report = check_text("2024年の注目AIモデル数は米国が57件、中国が31件だった。",
                        data=api.checker(home=built_home))
    rows = render.rows(report)
    assert rows[0]["判定"] == "裏付けあり" and rows[0]["対象"] == "米国" and rows[0]["年"] == "2024"
    assert "注目AIモデル" in rows[0]["指標"] and "57件" in rows[0]["データ"]
    assert "時点" in rows[0]["データ"] and "pattern" not in rows[0]["理由"]


def test_frozen_set_verdict_precision(built_home):
    """The set written before the checker changed: the figures bench/claims.py prints."""
    s = evaluate.score(evaluate.load(FROZEN), api.checker(home=built_home))
    assert s.precision_of("contradicted") >= 0.95, s.misses
    assert s.precision_of("supported") >= 0.95, s.misses
    assert s.judged_share >= 0.6, s.misses


def test_a_ratio_is_checked_against_the_ratio_of_the_two_figures(built_home):
    """The publish report's finding shape, and Japanese 'about half' / 'about six times'."""
    got = verdicts("China released 31 notable models in 2024, 54% as many as the US (57).",
                   built_home)
    assert [v.verdict for v in got] == ["supported"] * 3
    assert "CHN (31)" in got[1].reason and "USA (57)" in got[1].reason
    (_, half) = verdicts("2024年の中国の注目モデル数は31件で、米国の約半分だった。", built_home)
    assert half.verdict == "supported" and round(half.actual, 1) == 54.4
    (_, more) = verdicts("In 2024 China released 31 notable models, more than half as many as the US.",
                         built_home)
    assert more.verdict == "supported" and round(more.actual, 1) == 54.4
    (_, twice) = verdicts("In 2024 US labs released 57 notable models, twice as many as China.",
                          built_home)  # 1.84 times: 'twice' rounds to the whole number 2
    assert twice.verdict == "supported" and round(twice.actual, 2) == 1.84
    (_, wrong) = verdicts("In 2024 China released 31 notable models, 90% as many as the US.",
                          built_home)
    assert wrong.verdict == "contradicted" and round(wrong.actual, 1) == 54.4


def test_the_printed_figure_fits_only_its_own_measure_cell_and_year():
    """vintage.printed without a warehouse: the cited source's figure for the claim's cell."""
    said = "According to the AI Index 2025, US labs built 40 notable models in 2024."
    a = {"indicator": "notable_models_by_country", "where": {"country": "USA", "year": 2024},
         "value_column": "value"}
    p = vintage.printed(said, a, 2024)
    assert p is not None and p.value == 40 and p.data_as_of.isoformat() == "2025-03-17"
    assert p.data_source == "Epoch AI"
    assert vintage.printed(said, a, 2023) is None  # another year
    assert vintage.printed(said, {**a, "where": {"country": "FRA", "year": 2024}}, 2024) is None
    assert vintage.printed(said, a, 2024, percent=True) is None  # a share is not a count
    assert vintage.printed("US labs built 40 notable models in 2024.", a, 2024) is None


def test_a_series_named_without_its_edition_takes_the_edition_of_the_claims_year():
    """'the AI Index counted 40 for 2024': an edition reports the year before its own."""
    a = {"indicator": "notable_models_by_country", "where": {"country": "USA", "year": 2024},
         "value_column": "value"}
    p = vintage.printed("Of the 40 notable models the AI Index counted for the US in 2024, most "
                        "came from industry.", a, 2024)
    assert p is not None and p.publication == "AI Index 2025" and p.value == 40
    assert vintage.printed("AIインデックスによると2024年の米国は40件", a, 2024).cited_as == "AIインデックス"
    assert vintage.printed("the AI Index counted 40", a, None) is None  # no year: no edition
    assert vintage.cited("The AI Index counted 30 models in 2023.", 2023) == ("AI Index 2024", None)


@pytest.mark.parametrize("text", [
    "Chinese developers made 15 of 2024's notable AI models.",
    "2024年、中国の注目AIモデルは15件だった。",
])
def test_an_uncited_figure_a_publication_printed_is_revised_naming_it(built_home, text):
    """The figure is what the AI Index 2025 printed for the cell, and the sentence names no
    source: revised on that publication's data, saying so, not contradicted by today's count."""
    (v,) = verdicts(text, built_home)
    assert v.verdict == "revised" and v.reason_key == "revised_printed", v.reason
    assert "does not name its source" in v.reason and "AI Index 2025" in v.reason
    assert "出典の記載はありません" in v.reason_ja and v.latest == 31 and v.actual == 15
    assert any(e.kind == "fact" and e.citation["as_printed"] == "15" for e in v.evidence)


def test_a_printed_figure_of_another_group_does_not_fit():
    """The AI Index's MMLU gap is US vs China: a claim about closed vs open is another measure."""
    asserts = {"indicator": "benchmark_gap", "params": {"benchmark": "mmlu", "group": "openness"},
               "where": {}, "value_column": "gap"}
    assert vintage.uncited(asserts, 2024, "2024") == []
    assert [p.value for p in vintage.uncited({**asserts, "params": {"benchmark": "mmlu", "group": "country"}},
                                             2024, "2024")] == [0.3]


@pytest.mark.parametrize("text", [
    "In 2024, the United States produced 40 notable AI models, nearly three times China's 15.",
    "2024年、米国の注目AIモデルは40件で、中国の15件の約2.7倍だった。",
])
def test_a_ratio_of_two_revised_figures_is_revised_not_contradicted(built_home, text):
    """The sentence's figures are the AI Index 2025's (40 and 15: 2.67 times); today's data
    gives 57 and 31 (1.84 times). The ratio is right for the figures it is of: revised."""
    got = verdicts(text, built_home)
    (ratio,) = [v for v in got if v.subject == "USA/CHN"]
    assert [v.verdict for v in got] == ["revised"] * 3, ratio.reason
    assert round(ratio.actual, 2) == 2.67 and round(ratio.latest, 2) == 1.84
    assert ratio.reason_key == "revised_ratio" and "40" in ratio.reason and "57" in ratio.reason
    assert "米国" in ratio.reason_ja and "中国" in ratio.reason_ja
    (cc,) = [c for s in check_text(text, data=api.checker(home=built_home)).sentences
             for c in s.claims if c.verdict.subject == "USA/CHN"]
    assert words.describe(cc)["subject"] == ("United States/China" if "three" in text else "米国/中国")


def test_a_ratio_its_own_figures_do_not_give_stays_contradicted(built_home):
    (_, ratio, _) = verdicts("In 2024, the United States produced 40 notable AI models, five times "
                             "China's 15.", built_home)  # 40/15 is 2.67, not 5; today 1.84
    assert ratio.verdict == "contradicted" and round(ratio.actual, 2) == 1.84


def test_a_printed_figure_names_its_own_data_and_no_other_sources_date():
    """The Index dates its Epoch AI snapshot (2025-03-17); its Arena gaps are LMArena's ratings
    and its benchmark gaps its own compilation, which that date does not date."""
    arena = {"indicator": "arena_gap", "params": {"group": "country"}, "where": {},
             "value_column": "gap_relative_pct"}
    (p,) = vintage.uncited(arena, 2024, "2024-01", percent=True)
    assert (p.value, p.data_source, p.data_as_of) == (9.26, "LMArena", None)
    assert p.whose == "LMArena data" and p.whose_ja == "LMArenaのデータ"
    mmlu = {"indicator": "benchmark_gap", "params": {"benchmark": "mmlu", "group": "country"},
            "where": {}, "value_column": "gap"}
    (p,) = vintage.uncited(mmlu, 2024, "2024")
    assert (p.data_source, p.data_as_of, p.whose) == ("", None, "its data")
    models = {"indicator": "notable_models_by_country", "where": {"country": "CHN", "year": 2024},
              "value_column": "value"}
    (p,) = vintage.uncited(models, 2024, "2024")
    assert p.whose == "Epoch AI data of 2025-03-17" and p.whose_ja == "2025-03-17時点のEpoch AIのデータ"


def test_a_revised_figure_of_unrecorded_data_does_not_say_the_source_revised_it(built_home):
    (v,) = verdicts("The performance gap between the top US and Chinese models on MMLU shrank to "
                    "0.3 percentage points in 2024.", built_home)
    assert v.verdict == "revised" and "from its data)" in v.reason and v.as_of == ""
    assert "revised its figures" not in v.reason and "is not recorded" in v.reason
    assert "記録がありません" in v.reason_ja and "Epoch" not in v.reason_ja
