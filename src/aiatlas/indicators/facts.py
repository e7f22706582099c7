"""Curated, cited facts as indicators: any fact by topic/subject/measure, and the policy timeline."""
from __future__ import annotations

import datetime as dt

from aiatlas.curated.schema import TOPICS
from aiatlas.indicators.registry import Param, indicator

CITATION = ("publisher", "title", "url", "published", "as_printed")
RECORD = ("id", "topic", "subject", "subject_type", "measure", "label", "label_ja", "value", "unit", "period",
          "date", "ref_date", "year") + CITATION + (
          "note", "note_ja", "confirmed", "unconfirmed_reason", "self_reported", "source_file", "source_sha256")

_FILTERS = (
    Param("topic", str, None, "Only this topic", choices=TOPICS),
    Param("subject", str, None, "Only this subject: ISO3 country, ISO 3166-2, WLD, region, organization "
          "or model id", values_from=("curated_facts", "subject")),
    Param("measure", str, None, "Only this measure, e.g. industrial_robot_installations",
          values_from=("curated_facts", "measure")),
    Param("since", dt.date, None, "Only facts whose reference date is on or after this day"),
    Param("until", dt.date, None, "Only facts whose reference date is on or before this day"),
)


def _filtered(facts, topic=None, subject=None, measure=None, since=None, until=None):
    """The curated facts narrowed by the optional filters (None means no filter)."""
    if topic is not None:
        facts = facts.filter(facts.topic == topic)
    if subject is not None:
        facts = facts.filter(facts.subject == subject)
    if measure is not None:
        facts = facts.filter(facts.measure == measure)
    if since is not None:
        facts = facts.filter(facts.ref_date >= since)
    if until is not None:
        facts = facts.filter(facts.ref_date <= until)
    return facts


def _fact_rows(t, topic=None, subject=None, measure=None, since=None, until=None):
    """Every column of the matching records: the fact, its citation and its file checksum."""
    facts = _filtered(t.curated_facts, topic, subject, measure, since, until)
    return facts.select(*RECORD).order_by(["topic", "subject", "measure", "ref_date", "id"])


@indicator(
    id="curated_fact",
    title="Curated facts with citations",
    unit="see unit column",
    chapter="economy",
    description="Cited figures looked up by hand (surveys, adoption, robots, investment programmes, "
                "responsible AI, developer-reported scores), each with its publisher, URL, date and "
                "the figure as printed. Unconfirmed records are included and flagged.",
    sources=("curated_facts",),
    grain=("id",),
    params=_FILTERS,
    rows=_fact_rows,
)
def curated_fact(t, topic=None, subject=None, measure=None, since=None, until=None):
    """One row per fact: what, where, when, value and unit, plus the citation shown beside it."""
    facts = _filtered(t.curated_facts, topic, subject, measure, since, until)
    cols = ("id", "topic", "subject", "measure", "label", "label_ja", "period", "date", "ref_date", "value",
            "unit") + CITATION + (
        "note", "note_ja", "confirmed", "self_reported")
    return facts.select(*cols).order_by(["topic", "subject", "measure", "period", "date", "id"])


def _event_rows(t, subject=None, since=None, until=None):
    """The event records behind the timeline, with citations."""
    return _fact_rows(t, "policy_events", subject, None, since, until)


@indicator(
    id="policy_events",
    title="Policy events timeline",
    unit="event",
    chapter="policy",
    description="Dated policy events: US export-control rules on AI chips and their rescission, bans "
                "of AI apps on government devices, China's gallium and germanium export controls, "
                "and foreign AI labs leaving China; oldest first, each with its citation.",
    sources=("curated_facts",),
    grain=("id",),
    params=(_FILTERS[1], _FILTERS[3], _FILTERS[4]),
    rows=_event_rows,
)
def policy_events(t, subject=None, since=None, until=None):
    """One row per event, ordered by day (month-only events sort at the month's first day)."""
    events = _filtered(t.curated_facts, "policy_events", subject, None, since, until)
    return events.select("ref_date", "id", "subject", "measure", "label", "label_ja", "value", "unit", "date",
                         "period", *CITATION, "note", "note_ja", "confirmed").order_by(["ref_date", "id"])
