"""The indicator page's grapher state beyond the view: tab (chart, table, map), axis scale and
measure (absolute, per capita, share of world), the world map's spec, and links that change one
of them while keeping the rest of the URL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from functools import cache
from typing import Any
from urllib.parse import urlencode

import pycountry

from aiatlas.report import charts, rules
from aiatlas.report.i18n import Text
from aiatlas.results import partial_year
from aiatlas.web import view

TABS = ("chart", "table", "map")
SCALES = ("linear", "log")
# The absolute value and the normalised views the registry gives count-like country indicators
# (indicators/views.py): one choice at a time, spelt in the URL as the API's own parameters.
MEASURES = {"absolute": {}, "capita": {"per": "capita"}, "million": {"per": "million"},
            "world": {"share_of": "world"}}
MEASURE_PARAMS = ("per", "share_of")
GEOMETRY = "/static/world-110m.json"  # world-atlas 2.0.2 (Natural Earth 1:110m), see web/geo
MAP_SCHEME = "yellowgreenblue"  # ColorBrewer YlGnBu: sequential and colour-blind safe
NO_DATA_COLOUR = "#d4d4d4"  # grey, outside the scheme: "no data" never reads as a low value
MAP_HEIGHT = 420
LEGEND_TICKS = 5  # labelled values on the map's colour legend at most (220 px wide)


@dataclasses.dataclass(frozen=True)
class State:
    """Tab and scale as asked in the URL (None: the indicator's default)."""

    tab: str | None = None
    scale: str | None = None

    def query(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in (("tab", self.tab), ("scale", self.scale)) if v]


def parse(values: dict[str, str]) -> State:
    """tab=chart|table|map and scale=linear|log; anything else is ignored (an old or foreign link)."""
    tab, scale = values.get("tab"), values.get("scale")
    return State(tab if tab in TABS else None, scale if scale in SCALES else None)


def mappable(meta: dict[str, Any]) -> bool:
    """A map needs one value per country (and per year, when there are years)."""
    grain = list(meta.get("grain") or [])
    return ("country" in grain and "value" in (meta.get("value_columns") or [])
            and set(grain) <= {"country", "year"})


def tabs(meta: dict[str, Any], has_chart: bool) -> list[str]:
    """The tabs this indicator offers, in order."""
    return [t for t in TABS if t == "table" or (t == "chart" and has_chart)
            or (t == "map" and mappable(meta))]


def measures(meta: dict[str, Any]) -> list[str]:
    """The measure choices, when the indicator declares the normalised views."""
    names = {p["name"] for p in meta.get("parameters", [])}
    return list(MEASURES) if set(MEASURE_PARAMS) <= names else []


def measure_of(params: dict[str, Any]) -> str:
    """Which measure the bound parameters ask for."""
    return next((k for k, v in MEASURES.items() if v and all(params.get(p) == x for p, x in v.items())),
                "absolute")


def display_unit(meta: dict[str, Any], params: dict[str, Any], text: Text) -> str:
    """The unit of the values shown, in the reader's language (normalised views change it)."""
    base = text.unit(meta.get("unit")) or ""
    if params.get("share_of"):
        return text("unit_share_world")
    if params.get("per") in ("capita", "million"):
        return text(f"unit_per_{params['per']}", unit=base)
    return base


def log_default(meta: dict[str, Any]) -> bool:
    """The declared rule: exponential units on a log axis (report/rules.py)."""
    return rules.log_scale(meta.get("unit"))


def href(path: str, pairs: list[tuple[str, str]], **change: str | None) -> str:
    """path?pairs with each changed key replaced (None drops it); the order of keys is kept."""
    out = [(k, v) for k, v in pairs if k not in change]
    out += [(k, v) for k, v in change.items() if v not in (None, "")]
    return path + ("?" + urlencode(out) if out else "")


def map_year(years: list[int], shown: view.View, as_of: dt.date | None = None) -> int | None:
    """The year the map draws: the view's last year with data; by default the latest year the
    data covers in full (a half-counted year would colour the world pale)."""
    if not years:
        return None
    if shown.end is not None:
        inside = [y for y in years if y <= shown.end and (shown.start is None or y >= shown.start)]
        return inside[-1] if inside else years[-1]
    partial = partial_year(as_of) == years[-1]
    return years[-2] if partial and len(years) > 1 else years[-1]


def _js(s: str) -> str:
    """A string literal for a Vega expression."""
    return json.dumps(s, ensure_ascii=False)


@cache
def _countries(lang: str) -> tuple[tuple[str, str, str], ...]:
    """(ISO3, ISO numeric, name in the language) of every ISO country: the map's join keys."""
    return tuple(sorted((c.alpha_3, c.numeric, rules.country_name(c.alpha_3, lang))
                        for c in pycountry.countries))


def legend_values(values: list[float], log: bool) -> list[float] | None:
    """The labelled values of the map's colour legend on a log scale, which Vega labels only at
    its two ends: 0 when drawn, the powers of ten between the smallest and largest value (every
    second or third when there are many; none outside the scale's domain, which Vega would not
    draw) and the largest value. None on a linear scale (Vega's
    own ticks are readable there)."""
    positive = [v for v in values if v > 0]
    if not log or not positive:
        return None
    lo, hi = math.ceil(math.log10(min(positive))), math.log10(max(positive))
    powers = list(range(lo, math.floor(hi) + 1))
    if not powers:  # less than a decade: its two ends
        return [0.0] * any(v == 0 for v in values) + [min(positive), max(positive)]
    powers = powers[::math.ceil(len(powers) / (LEGEND_TICKS - 1))]
    if hi - powers[-1] < 0.5 and len(powers) > 1:  # too close to the largest value to be read apart
        powers.pop()
    ticks = [0.0] * any(v == 0 for v in values) + [10.0 ** k for k in powers]
    return ticks + [max(positive)] * (max(positive) > ticks[-1])


def map_spec(rows: list[dict[str, Any]], *, indicator: str, year: int | None, title: str,
             unit: str | None, lang: str, log: bool, zero_for: set[str] = frozenset(),
             fraction: bool = False) -> dict[str, Any]:
    """A Vega-Lite world choropleth of `value` by ISO country for one year: every country of the
    geometry is drawn, those without a value in grey and labelled "no data" (zero is a colour).
    `zero_for`: countries whose missing value is a zero (a count with rows in other years)."""
    text = Text(lang)
    rows = [r for r in rows if r.get("country") and charts.jsonable(r.get("value")) is not None
            and (year is None or view.row_year(["year"], r) in (year, None))]
    few = {str(r["country"]) for r in rows if rules.too_few(indicator, r)}  # not coloured, said why
    values = {str(r["country"]): r["value"] for r in rows if str(r["country"]) not in few}
    values = dict.fromkeys(zero_for, 0) | values
    data = [{"id": num, "name": name, "value": values.get(a3), "few": a3 in few}
            for a3, num, name in _countries(lang)]
    no_data = text("map_no_data")
    subtitle = [text("map_year", year=year) if year else "", text("map_no_data_key", no_data=no_data)]
    if log:
        subtitle.append(text("log_scale"))
    if rules.SHARE_N.get(indicator):
        subtitle.append(text("map_min_n", n=rules.MIN_N))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "subtitle": [s for s in subtitle if s]},
        "width": "container", "height": MAP_HEIGHT, "autosize": {"type": "fit", "contains": "padding"},
        "projection": {"type": "equalEarth"},
        "data": {"url": GEOMETRY, "format": {"type": "topojson", "feature": "countries"}},
        "transform": [
            {"lookup": "id", "from": {"data": {"values": data}, "key": "id",
                                      "fields": ["name", "value", "few"]}},
            {"calculate": f"isValid(datum.value) ? ({charts.number_expr('datum.value', lang, 4, fraction)}) : datum.few ? "
                          f"{_js(text('map_too_few', n=rules.MIN_N))} : {_js(no_data)}", "as": "shown"}],
        # invalid: null keeps the countries without a value (VL would drop them) to draw them grey
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4, "invalid": None},
        "encoding": {
            "color": {"condition": {"test": "!isValid(datum.value)", "value": NO_DATA_COLOUR},
                      "field": "value", "type": "quantitative",
                      "title": unit or "",
                      "scale": {"scheme": MAP_SCHEME, **({"type": "symlog"} if log else {})},
                      "legend": {"orient": "bottom", "direction": "horizontal", "gradientLength": 220,
                                 "labelExpr": charts.number_expr("datum.value", lang, fraction=fraction), "labelOverlap": "greedy",
                                 **({"values": ticks} if (ticks := legend_values(list(values.values()), log)) else {})}},
            "tooltip": [{"field": "name", "type": "nominal", "title": text.column("country")},
                        {"field": "shown", "type": "nominal", "title": unit or ""}]},
        "config": {"font": charts.CJK_FONT if lang == "ja" else "sans-serif", "view": {"stroke": None}},
    }
