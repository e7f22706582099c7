"""Curated facts drawn as charts: robot installations, public opinion and adoption by country."""
from __future__ import annotations

import re
from typing import Any

from aiatlas.report import charts
from aiatlas.report.i18n import Text

SECTION_ID = "curated-charts"
CHAPTER = "economy"
YEAR = re.compile(r"^\d{4}$")
# (topic, measure, unit as the catalog spells it, title key): one bar chart each, latest year per country
VIEWS = (("robot_installations", "industrial_robot_installations", "units", "robots_title"),
         ("public_opinion", "ai_benefits_outweigh_drawbacks", "percent", "opinion_title"))
WORLD = ("WLD", "Europe", "Americas", "Asia")  # aggregates are not countries: left off the bars


def latest_by_country(rows: list[dict[str, Any]], topic: str, measure: str) -> list[dict[str, Any]]:
    """The latest full-year figure per country for one curated measure (confirmed records only)."""
    best: dict[str, dict] = {}
    for r in rows:
        if (r.get("topic"), r.get("measure")) != (topic, measure) or r.get("value") is None:
            continue
        if r.get("subject") in WORLD or not YEAR.match(str(r.get("period") or "")) or not r.get("confirmed"):
            continue
        if r["subject"] not in best or str(r["period"]) > str(best[r["subject"]]["period"]):
            best[r["subject"]] = r
    return [{"country": c, "value": r["value"], "period": r["period"]} for c, r in best.items()]


def section(rows: list[dict[str, Any]], provenance: list[dict], *, text: Text) -> dict[str, Any]:
    """The chapter's curated-fact charts, with the files they read."""
    lang = text.lang
    figures = []
    for topic, measure, unit, key in VIEWS:
        data = latest_by_country(rows, topic, measure)
        spec = charts.spec({"id": measure, "grain": ["country"], "value_columns": ["value"],
                            "unit": unit}, data, title=text(key), unit=text.unit(unit), lang=lang,
                           subtitle=text("latest_year_note"))
        if spec is not None:
            figures.append(charts.svg(spec))
    return {"id": SECTION_ID, "title": text("curated_charts_title"), "lead": text("curated_charts_lead"),
            "figures": figures, "provenance": provenance}
