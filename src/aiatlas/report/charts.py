"""Vega-Lite chart specs for indicator results (via Altair) and their offline SVG rendering."""
from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import altair as alt

from aiatlas.report.i18n import Text

TIME_COLUMNS = ("date", "month", "year", "quarter")
# Debian's fonts-noto-cjk; registering it lets vl-convert draw Japanese labels instead of boxes.
CJK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
CJK_FONT = "Noto Sans CJK JP"
MAX_SERIES = 10  # more lines than this are unreadable; the table still holds every row
MAX_BARS = 25
SERIES = "series"  # field holding the joined grain values when more than one column splits lines
_fonts_lock = threading.Lock()
_fonts_done = False


def register_fonts() -> bool:
    """Register the CJK font directories with vl-convert once; True when one was found."""
    global _fonts_done
    import vl_convert as vlc

    with _fonts_lock:
        if not _fonts_done:
            for d in CJK_FONT_DIRS:
                if d.is_dir():
                    vlc.register_font_directory(str(d))
            _fonts_done = True
    return any(d.is_dir() for d in CJK_FONT_DIRS)


def layout(meta: dict[str, Any], columns: list[str], rows: list[dict] = ()) -> dict[str, Any]:
    """Which columns a chart plots: time axis (if any), series/category, and the first value
    column holding numbers (a value column may also be a model name)."""
    grain = [c for c in meta.get("grain", []) if c in columns]
    values = [c for c in meta.get("value_columns", ["value"]) if c in columns
              and (not rows or any(_number(r.get(c)) for r in rows))]
    time = next((c for c in TIME_COLUMNS if c in grain), None)
    others = [c for c in grain if c != time]
    return {"time": time, "series": others[0] if others else None, "others": others,
            "value": values[0] if values else None}


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _jsonable(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _top(rows: list[dict], key: str, value: str, n: int) -> set:
    totals: dict[Any, float] = {}
    for r in rows:
        if _number(r.get(value)):
            totals[r[key]] = totals.get(r[key], 0.0) + abs(r[value])
    return set(sorted(totals, key=lambda k: -totals[k])[:n])


def data_as_of(provenance: list[dict[str, Any]] | None) -> dt.date | None:
    """The date the indicator's data runs to: the earliest as-of date of its snapshots."""
    dates = [dt.date.fromisoformat(str(p["as_of"])[:10]) for p in provenance or []
             if p.get("as_of")]
    return min(dates) if dates else None


def spec(meta: dict[str, Any], rows: list[dict[str, Any]], *, title: str, unit: str,
         lang: str = "en", as_of: dt.date | None = None) -> dict[str, Any] | None:
    """A Vega-Lite spec for an indicator's rows, or None when there is nothing to plot.

    With `as_of` (see data_as_of) a yearly series whose last year the data covers only in part
    draws that year as faded points off the line, and says so under the title: a half-counted
    year would otherwise read as a collapse."""
    cols = list(rows[0]) if rows else list(meta.get("value_columns", []))
    lay = layout(meta, cols, rows)
    if not rows or lay["value"] is None or (lay["time"] is None and lay["series"] is None):
        return None
    if len({r.get("unit") for r in rows if "unit" in r}) > 1:
        return None  # values in different units (e.g. curated facts) share no axis
    value, time, series = lay["value"], lay["time"], lay["series"]
    rows = [r for r in rows if _number(r.get(value))]
    if len(lay["others"]) > 1:  # e.g. (benchmark, group): one line per combination
        series = SERIES
        rows = [r | {SERIES: " · ".join(str(r.get(c)) for c in lay["others"])} for r in rows]
    if series:
        keep = _top(rows, series, value, MAX_SERIES if time else MAX_BARS)
        rows = [r for r in rows if r.get(series) in keep]
    data = alt.InlineData(values=[{k: _jsonable(v) for k, v in r.items()} for r in rows],
                          name="table")
    text = Text(lang)
    y = alt.Y(f"{value}:Q", title=unit or value)
    xtype = "T" if time in ("date", "month") else "Q"
    tooltip = [f"{c}:{k}" for c, k in ((time, xtype), (series, "N"), (value, "Q")) if c]
    partial = (as_of.year if time == "year" and as_of and (as_of.month, as_of.day) != (12, 31)
               and any(r.get(time) == as_of.year for r in rows) else None)
    if time:
        # years on a quantitative axis keep gaps honest; "d" keeps 2023 from printing as 2,023
        x = (alt.X(f"{time}:T", title=text.column(time)) if xtype == "T" else
             alt.X(f"{time}:Q", title=text.column(time), axis=alt.Axis(format="d"),
                   scale=alt.Scale(zero=False)))
        chart = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
        if series:
            chart = chart.encode(color=alt.Color(f"{series}:N", title=text.column(series)))
        if partial is None:
            chart = chart.mark_line(point=True)
        else:
            full = f"datum.{time} < {partial}"
            chart = (chart.transform_filter(full).mark_line()
                     + chart.mark_point(filled=True).encode(opacity=alt.condition(
                         full, alt.value(1.0), alt.value(0.35))))
            title = alt.TitleParams(title, subtitle=text(
                "partial_year", year=partial, date=as_of.isoformat()))
    else:
        chart = alt.Chart(data).mark_bar().encode(
            x=alt.X(f"{series}:N", sort="-y", title=text.column(series)), y=y, tooltip=tooltip)
    font = CJK_FONT if lang == "ja" else "sans-serif"
    chart = chart.properties(title=title, width=560, height=280).configure(font=font)
    return chart.to_dict()


def svg(vl_spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG string offline (no network, fonts registered first)."""
    import vl_convert as vlc

    register_fonts()
    return vlc.vegalite_to_svg(vl_spec)
