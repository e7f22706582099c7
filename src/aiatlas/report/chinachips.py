"""China's Nvidia holdings drawn beside the US export-control timeline: a section of the compute
(hardware) chapter, and the same figure on China's country page.

The holdings are chip_holdings_by_chip (Epoch AI's estimates, with the 5-95% band on the total);
the timeline is every dated step of the export-control rules that reaches China
(`export_controls.timeline`), one dashed line per month with a step, labelled in the reader's
language.
"""
from __future__ import annotations

from typing import Any

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
    # a quarter Epoch marks incomplete is drawn as charts.spec draws it: faded, off the line
    pts = [{"date": charts.jsonable(r["date"]), "chip": name.get(r["chip"], r["chip"]),
            "value": r["value"], "low": r["value_p5"], "high": r["value_p95"]}
           | ({charts.OFF: True} if r.get("incomplete") is True else {}) for r in rows]
    off = any(p.get(charts.OFF) for p in pts)
    full = {"filter": f"!datum.{charts.OFF}"}
    chips = [name.get(c, c) for c in CHIP_COLOURS] + sorted(
        {p["chip"] for p in pts} - {name.get(c, c) for c in CHIP_COLOURS})
    colours = list(CHIP_COLOURS.values()) + ["#999999"] * (len(chips) - len(CHIP_COLOURS))
    start = min(p["date"] for p in pts)
    # a notice on another designer's chip (AMD's MI308) is not a step for these chips
    shown = [e for e in events if not e["chips"] or any(c.upper().startswith(DESIGNER_PREFIX)
                                                         for c in e["chips"])]
    marks = [m for m in _labels(shown, text) if m["date"] >= start]
    x = {"field": "date", "type": "temporal", "title": None,
         "axis": {"format": "%Y", "tickCount": "year"}}  # reads in any language
    holdings, steps = {"values": pts}, {"values": marks}
    y = {"field": "value", "type": "quantitative", "title": text.unit("H100 equivalents")}
    if lang == "ja":  # 50万, not 500,000
        y["axis"] = {"labelExpr": charts.number_expr("datum.value", lang)}
    band = {"data": holdings, "transform": [{"filter": f"(datum.chip === {total!r})"}, full],
            "mark": {"type": "area", "opacity": 0.18, "color": CHIP_COLOURS[ALL_CHIPS]},
            "encoding": {"x": x, "y": {"field": "low", "type": "quantitative"}, "y2": {"field": "high"}}}
    lines = {"data": holdings, "transform": [full], "mark": {"type": "line", "point": True}, "encoding": {
        "x": x, "y": y,
        "color": {"field": "chip", "type": "nominal", "title": text.column("chip"),
                  "scale": {"domain": chips, "range": colours}, "legend": {"orient": "top"}},
        "tooltip": [{"field": "chip", "type": "nominal", "title": text.column("chip")},
                    {"field": "date", "type": "temporal", "title": text.column("date"), "format": "%Y-%m-%d"},
                    {"field": "value", "type": "quantitative", "format": ",.0f", "title": text.unit("H100 equivalents")},
                    {"field": "low", "type": "quantitative", "format": ",.0f", "title": text.column("low")},
                    {"field": "high", "type": "quantitative", "format": ",.0f", "title": text.column("high")}]}}
    date = {"field": "date", "type": "temporal"}
    rule = {"data": steps, "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555555"}, "encoding": {
        "x": date, "tooltip": [{"field": "label", "type": "nominal", "title": text.column("label")},
                               {"field": "date", "type": "temporal", "title": text.column("date"), "format": "%Y-%m-%d"}]}}
    label = {"data": steps, "mark": {"type": "text", "angle": 270, "align": "right", "baseline": "bottom", "dx": -4,
                                     "dy": -2, "fontSize": 10, "color": "#333333"},
             "encoding": {"x": date, "y": {"value": 0}, "text": {"field": "label", "type": "nominal"}}}
    faded = {"data": holdings, "transform": [{"filter": f"datum.{charts.OFF}"}],
             "mark": {"type": "point", "filled": True, "opacity": 0.35},
             "encoding": lines["encoding"] | {"color": lines["encoding"]["color"] | {"legend": None}}}
    notes = [text("china_chips_note"), text("china_chips_steps")] + [text("flag_incomplete")] * off
    return charts.finished({"layer": [band, lines, *[faded] * off, rule, label], "width": 620, "height": 320,
                            "title": {"text": title or text("china_chips_title"), "subtitle": notes}}, lang)


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
