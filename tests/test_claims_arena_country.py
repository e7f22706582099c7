"""The Arena gap between the top US and the top Chinese model: the pattern needs both named."""
from __future__ import annotations

import pytest

from aiatlas.claims import extract, patterns


def _fit(text):
    """Score of each Arena pattern for the sentence's one claim."""
    table = {p.id: p for p in patterns.load()}
    [claim] = [c for sc in extract.extract(text) for c in sc.claims]
    return {k: table[k].fits(claim) for k in ("arena_gap_country", "arena_gap_openness")}


@pytest.mark.parametrize("text", [
    "In January 2025 the top US model led the top Chinese model on the Arena by 4.5%.",
    "2025年2月、チャットボットアリーナでの米中トップモデルの差は1.8%だった。",
])
def test_both_countries_named_fits_the_country_gap_only(text):
    fit = _fit(text)
    assert fit["arena_gap_country"] > 0 and fit["arena_gap_openness"] == 0


def test_one_country_named_is_not_the_us_china_gap():
    fit = _fit("On the Arena, the best US model was 1.8% ahead in 2025.")
    assert fit == {"arena_gap_country": 0, "arena_gap_openness": 0}


def test_closed_vs_open_still_fits_openness_only():
    fit = _fit("In February 2025 the Arena gap between the best closed and the best open model "
               "was 1.7%.")
    assert fit["arena_gap_openness"] > 0 and fit["arena_gap_country"] == 0


def test_the_pattern_states_its_percentage_definition():
    row = next(p for p in patterns.load() if p.id == "arena_gap_country")
    assert row.params == {"group": "country"} and row.pair == ("USA", "CHN")
    assert "/ top Chinese rating" in row.definition


@pytest.mark.mirror
def test_us_china_arena_gap_against_the_indicator(built_home):
    from aiatlas import api

    def verdict(text):
        [c] = [c for s in api.check(text, home=built_home, as_text=True).sentences
               for c in s.claims]
        return c.verdict

    v = verdict("In January 2025 the top US model led the top Chinese model on the Arena by 4.5%.")
    assert v.verdict == "supported" and "group=country" in v.reason
    assert "(top US rating - top Chinese rating) / top Chinese rating" in v.reason
    v = verdict("In January 2025 the top US model led the top Chinese model on the Arena by 9%.")
    assert v.verdict == "contradicted" and "4.603%" in v.reason
