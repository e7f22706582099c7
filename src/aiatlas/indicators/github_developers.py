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
           value_columns=("value", "topics_reported", "share_of_world_pct", "growth_yoy_pct",
                          "growth_listed_yoy_pct"),
           description="Developers who pushed to public repositories tagged with an AI topic ("
                       + ", ".join(AI_TOPICS) + ") per country and quarter, summed over the "
                       "topics: developer-topic counts, not developers (a developer in two topics "
                       "counts twice). A lower bound: topics below GitHub's privacy threshold are "
                       "absent, not zero ('topics reported' says how many of the 8 are listed). "
                       "The share of world is of the sum over all countries listed (the EU "
                       "aggregate is not a country); the growth on the year compares with the "
                       "same quarter a year earlier over the topics listed in both quarters (like "
                       "for like: a topic crossing the threshold is no growth; none in both: "
                       "no growth can be told); the listed growth compares the sums as listed, "
                       "topics crossing the threshold included.",
           rows=_developer_rows)
def ai_developers_by_country(t):
    """AI-topic pushers per country and quarter, with share of the world total and growth."""
    r = _ai_rows(t)
    q = r.group_by(["country", "year", "quarter"]).aggregate(
        value=r.pushers.sum(), topics_reported=r.topic.nunique())
    world = q.group_by(["year", "quarter"]).aggregate(world=q.value.sum())
    q = q.join(world, ["year", "quarter"])
    # growth like for like: each topic against itself a year earlier, over the topics listed in
    # both quarters (Indonesia's +249% was 1 topic listed, then 3: the threshold, not growth)
    cur = r.group_by(["country", "year", "quarter", "topic"]).aggregate(now=r.pushers.sum())
    old = cur.select(p_country="country", p_year=cur.year + 1, p_quarter="quarter", p_topic="topic",
                     before="now")
    both = cur.join(old, (cur.country == old.p_country) & (cur.year == old.p_year)
                    & (cur.quarter == old.p_quarter) & (cur.topic == old.p_topic))
    same = both.group_by(["country", "year", "quarter"]).aggregate(
        now_same=both.now.sum(), before_same=both.before.sum())
    same = same.select(s_country="country", s_year="year", s_quarter="quarter", now_same="now_same",
                       before_same="before_same")
    j = q.left_join(same, (q.country == same.s_country) & (q.year == same.s_year)
                    & (q.quarter == same.s_quarter))
    # the sum as listed against the sum listed a year earlier: what an article computes from
    # the published counts, topics crossing the threshold included
    prev = q.select(p_country="country", p_year=q.year + 1, p_quarter="quarter", previous="value")
    j = j.left_join(prev, (j.country == prev.p_country) & (j.year == prev.p_year)
                    & (j.quarter == prev.p_quarter))
    return j.select(
        j.country, j.year, j.quarter, value=j.value.cast("int64"), topics_reported=j.topics_reported,
        share_of_world_pct=j.value.cast("float64") / j.world * 100,
        growth_yoy_pct=(j.now_same.cast("float64") / j.before_same - 1) * 100,
        growth_listed_yoy_pct=(j.value.cast("float64") / j.previous - 1) * 100,
    ).order_by(["country", "year", "quarter"])
