"""The allowance a figure's writing implies, and the classes fixed after the frozen set, on
sentences of our own (tests/fixtures/claims/classes.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest

from aiatlas import api
from aiatlas.claims import evaluate, numbers, precision
from aiatlas.claims.judge import compare
from aiatlas.claims.precision import Slack

CLASSES = Path(__file__).parent / "fixtures" / "claims" / "classes.yaml"


def quantity(text: str, lang: str = "en"):
    """The quantity of the first number of a short text, as the extractor reads it."""
    spot = numbers.spot_ja if lang == "ja" else numbers.spot_en
    return numbers.read(spot(text)[0], text, lang)[0]


@pytest.mark.parametrize("text, lang, slack, amount", [
    ("60 models", "en", Slack(), 0.0),  # a whole count was counted: exact
    ("46,106台", "ja", Slack(), 0.0),
    ("about 60 models", "en", Slack(), 3.0),  # a hedge: 5% of the figure
    ("約60件", "ja", Slack(), 3.0),
    ("39%", "en", Slack(), 0.5),  # a measured figure is rounded at its last digit
    ("39.2%", "en", Slack(), 0.05),
    ("39%", "en", Slack(abs=2), 2.0),  # the measure's slack when it is larger
    ("about 39%", "en", Slack(abs=2), 4.0),  # a hedge doubles the slack
    ("3割", "ja", Slack(), 5.0),  # tenths: 25% to 35%
    ("475億円", "ja", Slack(), 0.5e8),  # rounded at the last digit before the scale word
    ("1兆円", "ja", Slack(), 0.05e12),  # ... at most 5% of the figure
    ("$1.2 billion", "en", Slack(), 0.05e9),
    ("6 months", "en", Slack(), 0.5),
])
def test_the_allowance_follows_how_the_figure_is_written(text, lang, slack, amount):
    room = precision.allowance(quantity(text, lang), slack)
    assert room.amount == pytest.approx(amount)
    assert room.en and room.ja


def test_the_allowance_is_stated_in_words_in_both_languages():
    exact = precision.allowance(quantity("60 models"), Slack())
    assert exact.en.startswith("exact") and "whole count" in exact.en
    assert exact.ja.startswith("厳密一致")
    hedged = precision.allowance(quantity("約60件", "ja"), Slack())
    assert hedged.ja.startswith("±3件") and "約" in hedged.ja


def test_the_sentences_of_each_fixed_class_get_their_labels(built_home):
    items = evaluate.load(CLASSES)
    assert {i["class"] for i in items} >= {"tolerance", "bare_pair", "chip_status", "chip_spec"}
    for cls in {i["class"] for i in items}:  # English and Japanese for every class
        assert {i["id"][:5] for i in items if i["class"] == cls} == {"cl-en", "cl-ja"}, cls
    score = evaluate.score(items, api.checker(home=built_home))
    assert score.misses == []
    assert score.verdict_total == score.expected


@pytest.mark.parametrize("text, lang, actual, verdict", [
    ("nearly 40 models", "en", 36, "supported"),  # a tenth under a count
    ("nearly 40 models", "en", 35, "contradicted"),
    ("nearly 90%", "en", 85.5, "supported"),
    ("nearly 90%", "en", 82.65, "contradicted"),  # a tenth of 90% (81%) is not 'nearly' in points
    ("90%近く", "ja", 82.65, "contradicted"),
    ("9割近く", "ja", 82.65, "contradicted"),  # tenths: ±5 points of writing, still at most 5 under
    ("nearly 8%", "en", 7.3, "supported"),  # a small share keeps its tenth
])
def test_nearly_allows_a_tenth_under_but_at_most_five_points_of_a_share(text, lang, actual, verdict):
    assert compare(quantity(text, lang), actual, Slack(abs=2 if "%" in text or "割" in text else 0), []
                   ).verdict == verdict
