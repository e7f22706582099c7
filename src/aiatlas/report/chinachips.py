"""China's Nvidia holdings drawn beside the US export-control timeline: a section of the compute
(hardware) chapter, and the same figure on China's country page.

The holdings are chip_holdings_by_chip (Epoch AI's estimates, with the 5-95% band on the total);
the timeline is every dated step of the export-control rules that reaches China
(`export_controls.timeline`), one dashed line per month with a step, labelled in the reader's
language.
"""
from __future__ import annotations

from typing import Any

import altair as alt

from aiatlas import api
from aiatlas.export_controls import rules as ecr
from aiatlas.export_controls import timeline
from aiatlas.indicators.compute_holdings import ALL_CHIPS
from aiatlas.report import charts
from aiatlas.report.i18n import Text

CHAPTER = "hardware"
SECTION_ID = "china-chips"
INDICATOR = "chip_holdings_by_chip"
PARAMS = {"owner": "China", "designer": "Nvidia"}
DESIGNER_PREFIX = "NVIDIA"  # how rules.yaml's notices name this designer's chips
DESTINATION = "CHN"
CHIP_COLOURS = {ALL_CHIPS: "#D55E00", "A100": "#0072B2", "A800": "#56B4E9", "H800": "#009E73",
                "H20": "#CC79A7"}


def data(*, home=None, as_of=None) -> dict[str, Any]:
    """The holdings rows, the timeline events and the files read: the figure's twin."""
    res = api.compute(INDICATOR, home=home, as_of=as_of, **PARAMS)
    return {"holdings": res.to_pylist(), "events": timeline.events(ecr.load(), DESTINATION),
            "provenance": res.provenance, "params": dict(PARAMS)}


def _labels(events: list[dict[str, Any]], text: Text) -> list[dict[str, Any]]:
    """One label per month with a step: the steps' short names joined, at the first step's date."""
    months: dict[str, dict[str, Any]] = {}
    for e in events:
        key = e["date"].isoformat()[:7]
        name = text(f"ec_{e['id']}")
        if key in months:
            months[key]["label"] += f" · {name}"
        else:
            months[key] = {"date": e["date"].isoformat(), "label": name}
    return list(months.values())


def spec(holdings: list[dict[str, Any]], events: list[dict[str, Any]], *, lang: str,
         title: str | None = None) -> dict[str, Any] | None:
    """Lines per chip (the total with its 5-95% band) and a dashed rule per export-control step."""
    text = Text(lang)
    rows = [r for r in holdings if r.get("value") is not None]
    if not rows:
        return None
    total = text("china_chips_total")
    name = {ALL_CHIPS: total}
    pts = [{"date": charts.jsonable(r["date"]), "chip": name.get(r["chip"], r["chip"]),
            "value": r["value"], "low": r["value_p5"], "high": r["value_p95"]} for r in rows]
    chips = [name.get(c, c) for c in CHIP_COLOURS] + sorted(
        {p["chip"] for p in pts} - {name.get(c, c) for c in CHIP_COLOURS})
    colours = list(CHIP_COLOURS.values()) + ["#999999"] * (len(chips) - len(CHIP_COLOURS))
    start = min(p["date"] for p in pts)
    # a notice on another designer's chip (AMD's MI308) is not a step for these chips
    shown = [e for e in events if not e["chips"] or any(c.upper().startswith(DESIGNER_PREFIX)
                                                         for c in e["chips"])]
    marks = [m for m in _labels(shown, text) if m["date"] >= start]
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year"))  # reads in any language
    base = alt.Chart(alt.InlineData(values=pts))
    band = base.transform_filter(alt.datum.chip == total).mark_area(opacity=0.18, color=CHIP_COLOURS[ALL_CHIPS]).encode(
        x=x, y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    lines = base.mark_line(point=True).encode(
        x=x, y=alt.Y("value:Q", title=text.unit("H100 equivalents"),  # ja: 50万, not 500,000
                     axis=alt.Axis(labelExpr=charts.number_expr("datum.value", lang)) if lang == "ja" else alt.Undefined),
        color=alt.Color("chip:N", title=text.column("chip"), scale=alt.Scale(domain=chips, range=colours),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("chip:N", title=text.column("chip")), alt.Tooltip("date:T", title=text.column("date"), format="%Y-%m-%d"),
                 alt.Tooltip("value:Q", format=",.0f", title=text.unit("H100 equivalents")),
                 alt.Tooltip("low:Q", format=",.0f", title=text.column("low")),
                 alt.Tooltip("high:Q", format=",.0f", title=text.column("high"))])
    steps = alt.Chart(alt.InlineData(values=marks))
    rule = steps.mark_rule(strokeDash=[4, 3], color="#555555").encode(
        x=alt.X("date:T"), tooltip=[alt.Tooltip("label:N", title=text.column("label")),
                                   alt.Tooltip("date:T", title=text.column("date"), format="%Y-%m-%d")])
    label = steps.mark_text(angle=270, align="right", baseline="bottom", dx=-4, dy=-2, fontSize=10,
                            color="#333333").encode(x=alt.X("date:T"), y=alt.value(0), text=alt.Text("label:N"))
    chart = alt.layer(band, lines, rule, label).properties(
        width=620, height=320,
        title=alt.TitleParams(title or text("china_chips_title"), subtitle=[text("china_chips_note"), text("china_chips_steps")]))
    return charts.to_dict(chart.configure(font=charts.CJK_FONT if lang == "ja" else "sans-serif"), lang)


def section(*, text: Text, home=None, as_of=None, render=charts.svg) -> dict[str, Any]:
    """The compute chapter's section: the figure (SVG, or what `render` returns for its spec),
    its lead, and the files read."""
    try:
        got = data(home=home, as_of=as_of)
    except Exception as e:  # noqa: BLE001  no chip-owner data in this build: no section
        return {"id": SECTION_ID, "figures": [], "error": str(e), "provenance": []}
    vl = spec(got["holdings"], got["events"], lang=text.lang)
    return {"id": SECTION_ID, "figures": [render(vl)] if vl else [], "error": None,
            "provenance": got["provenance"], "title": text("china_chips_title"),
            "lead": text("china_chips_lead"), "events": got["events"], "rows": got["holdings"]}
