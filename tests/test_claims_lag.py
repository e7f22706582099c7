"""China's lag behind the US in months (ECI, Arena) and the spread of the Arena's top ten: a lag
not closed yet is only a lower bound, and a claim is judged against what that bound proves."""
from __future__ import annotations

import pytest

from aiatlas import api
from aiatlas.claims import extract, judge, numbers
from aiatlas.claims.precision import Slack


def quantity(text: str, lang: str = "en"):
    spot = numbers.spot_ja if lang == "ja" else numbers.spot_en
    return numbers.read(spot(text)[0], text, lang)[0]


@pytest.mark.parametrize("text, lang, verdict", [
    ("at least 7 months", "en", "supported"),  # the bound (7.16) proves it
    ("7か月以上", "ja", "supported"),
    ("at least 8 months", "en", "unverifiable"),  # may come true: not told yet
    ("8か月以上", "ja", "unverifiable"),
    ("7.2 months", "en", "unverifiable"),  # an exact figure at or above the bound: not known yet
    ("7.2か月", "ja", "unverifiable"),
    ("3 months", "en", "contradicted"),  # the lag is already longer
    ("3か月", "ja", "contradicted"),
    ("under 5 months", "en", "contradicted"),
    ("5か月未満", "ja", "contradicted"),
])
def test_a_lower_bound_supports_only_what_it_proves(text, lang, verdict):
    v = judge._at_least(quantity(text, lang), 7.16, Slack(abs=0.1), [])
    assert v.verdict == verdict
    assert "7.16" in v.reason and "not reached yet" in v.reason
    assert "まだ追いついていません" in v.reason_ja


def test_each_figure_takes_the_month_stated_for_its_year():
    [sc] = extract.extract("In May 2023, 370 Arena rating points separated the first and the last "
                           "of the top ten models; in December 2025 the spread was 49 points.")
    assert [(c.quantity.value, c.year, c.period) for c in sc.claims] == [
        (370, 2023, "2023-05"), (49, 2025, "2025-12")]
    [sc] = extract.extract("アリーナの上位10モデルの評価の幅は2023年5月に370ポイントだったが、"
                           "2025年12月には49ポイントに縮まった。")
    assert [(c.quantity.value, c.year, c.period) for c in sc.claims] == [
        (370, 2023, "2023-05"), (49, 2025, "2025-12")]


@pytest.mark.mirror
@pytest.mark.parametrize("text, verdicts", [
    # ECI, March 2025: 7.23 months, closed (3.06 to 7.23 over the scores' uncertainty)
    ("On Epoch's Capabilities Index, Chinese models took 7.2 months (uncertainty range 3.1 to 7.2 "
     "months) to match the best US score as of March 2025.", ["supported", "supported"]),
    ("能力指数（ECI）では、2025年3月時点の米国の最高スコアに中国のモデルが並ぶまで7.2か月かかった"
     "（不確実性の幅は3.1〜7.2か月）。", ["supported", "supported"]),
    ("On Epoch's Capabilities Index, Chinese models took 12 months to match the best US score as "
     "of March 2025.", ["contradicted"]),
    ("能力指数（ECI）では、2025年3月時点の米国の最高スコアに中国のモデルが並ぶまで12か月かかった。",
     ["contradicted"]),
    # the Arena, May 2025: not matched on that rating scale, whose last board is 2025-05-24, so
    # at least 0.56 months; the next scale (from 2025-11-05) cannot tell more (ratings across a
    # scale break are not compared)
    ("On the Arena, Chinese models took 7.5 months to match the top US rating as of May 2025.",
     ["unverifiable"]),
    ("アリーナでは、2025年5月時点の米国の最高評価に中国のモデルが並ぶまで7.5か月かかった。",
     ["unverifiable"]),
    ("On the Arena, Chinese models had not matched the top US rating as of May 2025 after at "
     "least 7 months.", ["unverifiable"]),
    # December 2024: not matched by the scale's last board, at least 5.59 months
    ("On the Arena, Chinese models had not matched the top US rating as of December 2024 after "
     "at least 5 months.", ["supported"]),
    # the spread of the top ten: 370 (May 2023) to 48.65 (December 2025)
    ("In May 2023, 370 Arena rating points separated the first and the last of the top ten "
     "models; in December 2025 the spread was 49 points.", ["supported", "supported"]),
    ("アリーナの上位10モデルの評価の幅は2023年5月に370ポイントだったが、2025年12月には49ポイントに縮まった。",
     ["supported", "supported"]),
    ("In May 2023, 370 Arena rating points separated the first and the last of the top ten "
     "models; in December 2025 the spread was 20 points.", ["supported", "contradicted"]),
    ("アリーナの上位10モデルの評価の幅は2023年5月に370ポイントだったが、2025年12月には20ポイントに縮まった。",
     ["supported", "contradicted"]),
])
def test_lags_and_the_top_ten_spread_against_the_indicators(built_home, text, verdicts):
    claims = [c for s in api.check(text, home=built_home, as_text=True).sentences for c in s.claims]
    assert [c.verdict.verdict for c in claims] == verdicts, [c.verdict.reason for c in claims]
