"""AI developers on GitHub by economy (GitHub Innovation Graph): AI-topic pushers, share, growth.

GitHub lists a topic for an economy and quarter only above its privacy threshold, so a missing
AI topic is "below the threshold", not zero: every figure here is a lower bound, and
`topics_reported` says how many of the AI topics were listed. A developer who pushed to
repositories of two AI topics counts once per topic (pushers are summed over topics).
"""
from __future__ import annotations

import ibis

from aiatlas.indicators.registry import indicator

AI_TOPICS = ("machine-learning", "deep-learning", "artificial-intelligence", "ai", "llm",
             "large-language-models", "pytorch", "tensorflow")


def _ai_rows(t) -> ibis.Table:
    p = t.github_topic_pushers
    return p.filter(p.topic.isin(AI_TOPICS) & p.is_country.fill_null(False))


def _developer_rows(t):
    """The topic rows summed into each value."""
    r = _ai_rows(t)
    return r.select("country", "year", "quarter", "economy", "topic", "pushers").order_by(
        ["country", "year", "quarter", "topic"])


@indicator(id="ai_developers_by_country", title="AI developers on GitHub, by country (lower bound)",
           unit="developer-topic pushers", chapter="talent", sources=("github_topic_pushers",),
           grain=("country", "year", "quarter"),
           value_columns=("value", "topics_reported", "share_of_world_pct", "growth_yoy_pct"),
           description="Developers who pushed to public repositories tagged with an AI topic ("
                       + ", ".join(AI_TOPICS) + ") per country and quarter, summed over the "
                       "topics: developer-topic counts, not developers (a developer in two topics "
                       "counts twice). A lower bound: topics below GitHub's privacy threshold are "
                       "absent, not zero ('topics reported' says how many of the 8 are listed). "
                       "The share of world is of the sum over all countries listed (the EU "
                       "aggregate is not a country); the growth on the year compares with the "
                       "same quarter a year earlier.",
           rows=_developer_rows)
def ai_developers_by_country(t):
    """AI-topic pushers per country and quarter, with share of the world total and growth."""
    r = _ai_rows(t)
    q = r.group_by(["country", "year", "quarter"]).aggregate(
        value=r.pushers.sum(), topics_reported=r.topic.nunique())
    world = q.group_by(["year", "quarter"]).aggregate(world=q.value.sum())
    q = q.join(world, ["year", "quarter"])
    prev = q.select(p_country="country", p_year=q.year + 1, p_quarter="quarter", previous="value")
    j = q.left_join(prev, (q.country == prev.p_country) & (q.year == prev.p_year)
                    & (q.quarter == prev.p_quarter))
    return j.select(
        j.country, j.year, j.quarter, value=j.value.cast("int64"), topics_reported=j.topics_reported,
        share_of_world_pct=j.value.cast("float64") / j.world * 100,
        growth_yoy_pct=(j.value.cast("float64") / j.previous - 1) * 100,
    ).order_by(["country", "year", "quarter"])
