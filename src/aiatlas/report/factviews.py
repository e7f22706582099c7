"""Curated facts drawn as charts: robot installations and public opinion by country, AI adoption over
time, announced investment programmes by currency."""
from __future__ import annotations

import re
from typing import Any

from aiatlas.report import charts, headlines, rules
from aiatlas.report.i18n import Text

SECTION_ID = "curated-charts"
CHAPTER = "economy"
YEAR = re.compile(r"^\d{4}$")
# (topic, measure, unit as the catalog spells it, title key): one bar chart each, latest year per country
VIEWS = (("robot_installations", "industrial_robot_installations", "units", "robots_title"),
         ("public_opinion", "ai_benefits_outweigh_drawbacks", "percent", "opinion_title"))
# (topic, measures, unit, title key): world survey shares over time, one line per measure
TRENDS = (("ai_adoption", ("organizations_using_ai_share", "organizations_regularly_using_genai_share"),
           "percent", "adoption_title"),)
# announced programmes drawn as bars, one panel per currency (amounts never share an axis across currencies)
AMOUNTS = "investment_programmes"
# an English axis in scale words (ja: charts.number_expr writes 万/億/兆)
EN_AMOUNT = ("datum.value >= 1e12 ? format(datum.value / 1e12, '.3~r') + ' tn' : datum.value >= 1e9 ? "
             "format(datum.value / 1e9, '.3~r') + ' bn' : format(datum.value, ',.3~r')")
WORLD = ("WLD", "Europe", "Americas", "Asia")  # aggregates are not countries: left off the bars
# indicators whose rows are curated records: shown to readers as a designed table (when, who,
# what in the reader's language, value, source), never as their raw columns (the CSV keeps those)
FACT_TABLES = ("curated_fact", "policy_events")
FACT_COLUMNS = ("when", "subject", "what", "value", "source")
# large amounts in words (English); Japanese writes them in myriads (headlines.japanese)
SCALES = ((1e12, " trillion"), (1e9, " billion"), (1e6, " million"))


def amount(value: Any, unit: str | None, text: Text) -> str:
    """A fact's value with its unit as a reader writes it: 83%, 109 billion EUR, 1090億 EUR."""
    if value is None:
        return ""
    if unit == "percent":
        return f"{headlines.format_value(value)}%"
    shown = headlines.format_value(value, text.lang)
    for factor, suffix in SCALES if text.lang == "en" else ():
        if abs(value) >= factor:
            shown = f"{value / factor:,.4g}{suffix}"
            break
    suffix = text.fact_unit(unit) if unit else ""
    return f"{shown}{' ' * (text.lang != 'ja')}{suffix}" if suffix else shown  # 1090億ユーロ


def table(rows: list[dict[str, Any]], *, text: Text) -> dict[str, Any]:
    """Curated records as readers see them: the columns FACT_COLUMNS (headers in the reader's
    language), one row per record, the source linked to its page."""
    out = []
    for r in rows:
        when = r.get("date") or r.get("period")
        out.append({"when": str(when)[:10] if when else "",
                    "subject": rules.subject_name(r.get("subject"), text.lang),
                    "what": text.fact_label(r) + ("" if r.get("confirmed", True) else f" ({text('unconfirmed')})"),
                    "value": amount(r.get("value"), r.get("unit"), text),
                    "note": text.fact_note(r), "source": text.publisher(r.get("publisher")), "url": r.get("url")})
    return {"columns": list(FACT_COLUMNS), "rows": out}


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


def with_years(spec: dict[str, Any], data: list[dict[str, Any]], text: Text) -> dict[str, Any]:
    """A bar chart of latest figures with each bar's year written above it: bars of different
    years side by side (China's robots of 2024 beside the United States' of 2023) never read
    as one year's."""
    years = {rules.country_name(d["country"], text.lang): text("compare_year", year=d["period"]) for d in data}
    values = [r | {"period": years.get(r[charts.SERIES], "")} for r in spec["data"]["values"]]
    bars = {"mark": spec.pop("mark"), "encoding": spec.pop("encoding")}
    # largest first in both layers ("-y" sorts one layer only: the union fell back to the names)
    x = bars["encoding"]["x"] | {"sort": {"field": bars["encoding"]["y"]["field"], "op": "max", "order": "descending"}}
    bars["encoding"]["x"] = x
    label = {"mark": {"type": "text", "baseline": "bottom", "dy": -3, "fontSize": 10, "color": "#333333"},
             "encoding": {"x": x, "y": bars["encoding"]["y"],
                          "text": {"field": "period", "type": "nominal"}}}
    return spec | {"data": {"values": values}, "layer": [bars, label]}


def world_series(rows: list[dict[str, Any]], topic: str, measures: tuple[str, ...],
                 text: Text) -> list[dict[str, Any]]:
    """The world figures of the measures over time (confirmed records), each dated by the start
    of the period it covers (its ref_date), the measure by its title in the reader's language."""
    return [{"measure": text.measure(r["measure"]), "date": charts.jsonable(r["ref_date"]),
             "value": r["value"]} for r in rows
            if r.get("topic") == topic and r.get("measure") in measures and r.get("subject") == "WLD"
            and r.get("confirmed") and r.get("value") is not None and r.get("ref_date")]


def amounts_spec(rows: list[dict[str, Any]], *, text: Text) -> dict[str, Any] | None:
    """Announced investment programmes (confirmed figures) as horizontal bars, one panel per
    currency with its own scale, each bar its programme's headline in the reader's language."""
    lang = text.lang
    data = [{"what": f"{rules.subject_name(r.get('subject'), lang)}: {text.fact_label(r)}",
             "value": r["value"], "currency": text.fact_unit(r.get("unit")),
             "amount": amount(r["value"], r.get("unit"), text)}
            for r in rows if r.get("topic") == AMOUNTS and r.get("confirmed") and r.get("value") is not None]
    if not data:
        return None
    axis = {"labelExpr": charts.number_expr("datum.value", lang) if lang == "ja" else EN_AMOUNT,
            "tickCount": 4, "labelOverlap": True}
    bars = {"mark": {"type": "bar", "color": "#0072B2"}, "encoding": {
        "x": {"field": "value", "type": "quantitative", "title": None, "axis": axis},
        "y": {"field": "what", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 240}},
        "tooltip": [{"field": "what", "type": "nominal", "title": text.column("what")},
                    {"field": "amount", "type": "nominal", "title": text.column("value")}]},
        "width": 260, "height": {"step": 16}}
    row = {"field": "currency", "type": "nominal", "title": None,
           "header": {"labelOrient": "top", "labelAnchor": "start", "labelFontWeight": "bold"}}
    # padding: the browser's sans-serif runs wider than the one Vega measures long labels with
    return charts.finished({
        "data": {"values": data}, "facet": {"row": row}, "spec": bars,
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "title": {"text": text("amounts_title"), "subtitle": charts.lines(text("amounts_note"), lang, 0.7)},
        "padding": {"left": 40, "top": 5, "right": 5, "bottom": 5}}, lang)


def section(rows: list[dict[str, Any]], provenance: list[dict], *, text: Text,
            render=charts.svg) -> dict[str, Any]:
    """The chapter's curated-fact charts (SVG, or what `render` returns), with the files read."""
    lang = text.lang
    figures = []
    for topic, measure, unit, key in VIEWS:
        data = latest_by_country(rows, topic, measure)
        spec = charts.spec({"id": measure, "grain": ["country"], "value_columns": ["value"],
                            "unit": unit}, data, title=text(key), unit=text.unit(unit), lang=lang,
                           subtitle=text("latest_year_note"))
        if spec is not None:
            figures.append(render(with_years(spec, data, text)))
    for topic, measures, unit, key in TRENDS:
        data = world_series(rows, topic, measures, text)
        spec = charts.spec({"id": topic, "grain": ["measure", "date"], "value_columns": ["value"],
                            "unit": unit, "stale": False}, data, title=text(key), unit=text.unit(unit), lang=lang,
                           subtitle=text("survey_dates_note"))
        if spec is not None:
            figures.append(render(spec))
    spec = amounts_spec(rows, text=text)
    if spec is not None:
        figures.append(render(spec))
    return {"id": SECTION_ID, "title": text("curated_charts_title"), "lead": text("curated_charts_lead"),
            "figures": figures, "provenance": provenance}
