"""Vega-Lite chart specs for indicator results and their offline SVG rendering.

A spec is written here as the JSON it is, not built with Altair: Altair deep-copies the whole
chart on every method call, and the 76 charts of a report took 1.7 s of the build's process
(a fifth of it) where the JSON takes 0.05 s. tests/test_report_charts.py checks every kind of
spec against the Vega-Lite schema, with Altair."""
from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections import Counter
from typing import Any

from aiatlas.report import headlines, rules
from aiatlas.report.drawing import SUBSET_FAMILY, register_fonts, svg  # noqa: F401  drawn here, for callers
from aiatlas.report.i18n import Text
from aiatlas.results import partial_year

TIME_COLUMNS = ("date", "month", "year", "quarter")
CJK_FONT = f"{SUBSET_FAMILY}, Noto Sans CJK JP"  # the cut first (drawing.py), then the whole font
MAX_BARS = 25
ALT_VALUES = 4  # the largest values an alt text lists where the series are not rivals
HEIGHT = 280
LABEL_GAP = 15  # pixels between direct labels (11 px text, CJK glyphs included, and air)
LABEL_DX = 8  # pixels from the last point to its direct label
LABEL_SLACK = 20  # pixels kept right of the direct labels (see spec)
PARTIAL_DX = 24  # ... from a faded partial-year point: a label beside it read as a legend's key
# pixels kept between two axis labels (Vega drops every second label while any are closer): the
# first label sits flush with the axis start and touched the next ("20102011")
LABEL_SEPARATION = 8
SERIES = "series"  # field holding the joined grain values when more than one column splits lines
SEGMENT = "segment"  # field numbering the pieces of a line broken at a gap or a change of scale
OFF = "off"  # field marking a point drawn faded, off the line (a partial year, a rules.FLAG_COLUMNS row)
CUT = "cut:"  # prefix of the fields carrying a rules.SEGMENT_COLUMNS value (never a data column's name)
SUPERSCRIPTS = dict(zip("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # the Vega-Lite that vl-convert draws
SUBTITLE_CHARS = {"en": 90, "ja": 50}  # a subtitle line across a 560 px chart (11 px text; 100 overran it)


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


def jsonable(v: Any) -> Any:
    """A value as Vega-Lite data takes it (dates as ISO text)."""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _top(rows: list[dict], key: str, value: str, n: int) -> set:
    totals: dict[Any, float] = {}
    for r in rows:
        if _number(r.get(value)):
            totals[r[key]] = totals.get(r[key], 0.0) + abs(r[value])
    return set(sorted(totals, key=lambda k: -totals[k])[:n])


def _stale(rows: list[dict], time: str | None, today: dt.date) -> tuple[dt.date, int] | None:
    """(last date, months old) when a dated series ends more than rules.STALE_DAYS before today."""
    if time not in ("date", "month"):
        return None
    dates = [dt.date.fromisoformat(str(r[time])[:10]) for r in rows if r.get(time)]
    last = max(dates, default=None)
    if last is None or (today - last).days <= rules.STALE_DAYS:
        return None
    return last, round((today - last).days / 30.44)


def _series_label(row: dict, columns: list[str], text: Text) -> str:
    """The legend/label text of a row's series: country names in the reader's language,
    "unknown" for null, several columns joined."""
    lang = text.lang
    parts = [rules.country_name(row.get(c), lang) if c in rules.COUNTRY_COLUMNS
             else rules.measure_name(row.get(c), lang) if c == "measure"
             else text.category(c, row.get(c)) for c in columns]
    return " · ".join(parts)


def _top_other(rows: list[dict], value: str, time: str | None, additive: bool, keep_also: set,
               n: int, lang: str) -> list[dict]:
    """Keep the n largest series (plus the reader's own country); where values add up, the
    rest becomes one "other" series instead of being dropped silently."""
    keep = _top(rows, SERIES, value, n) | {s for s in keep_also if any(r[SERIES] == s for r in rows)}
    out = [r for r in rows if r[SERIES] in keep]
    rest = [r for r in rows if r[SERIES] not in keep]
    if rest and additive:
        sums: dict[Any, float] = {}
        for r in rest:
            sums[r.get(time)] = sums.get(r.get(time), 0.0) + r[value]
        other = rules.label(rules.OTHER, lang)
        out += [{time: t, SERIES: other, value: v} if time else {SERIES: other, value: v}
                for t, v in sums.items()]
    return out


def _fill_years(rows: list[dict], value: str, time: str, zero: bool) -> list[dict]:
    """Every series gets every year of the chart: 0 where a count has no row, null (a break in
    the line, never a bridge) where any other measure is missing."""
    years = [r[time] for r in rows if isinstance(r.get(time), int)]
    if not years:
        return rows
    have = {(r[SERIES], r[time]) for r in rows}
    order = {s: i for i, s in enumerate(dict.fromkeys(r[SERIES] for r in rows))}
    fill = [{SERIES: s, time: y, value: 0 if zero else None}
            for s in order for y in range(min(years), max(years) + 1) if (s, y) not in have]
    # series in the data's order, not by their label: a group takes the same palette colour in
    # every language (sorted by label, Industry was green in English and amber in Japanese)
    return sorted(rows + fill, key=lambda r: (order[r[SERIES]], r[time]))


def _segments(rows: list[dict], time: str, gaps: bool, columns: list[str]) -> list[dict]:
    """Each row of a dated series with the number of its line's piece (SEGMENT): a new piece
    starts after a step longer than the series may bridge (rules.max_gap_days, when `gaps`) and
    wherever the value of one of `columns` changes (a rules.SEGMENT_COLUMNS value, carried as a
    CUT field, which is dropped; OFF: a faded point never joins a line's piece)."""
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r[SERIES], []).append(r)
    out = []
    for series in by.values():
        series.sort(key=lambda r: str(r[time]))
        days = [rules.day(r[time]) for r in series]
        limit = rules.max_gap_days(days) if gaps else math.inf
        piece = 0
        for i, r in enumerate(series):
            if i and ((days[i] - days[i - 1]).days > limit
                      or any(r.get(c) != series[i - 1].get(c) for c in columns)):
                piece += 1
            out.append({k: v for k, v in r.items() if not k.startswith(CUT)} | {SEGMENT: piece})
    return out


def log_ticks(values: list[float]) -> list[float]:
    """Where a log axis is labelled: the powers of ten of its (nice) domain, every second one
    past rules.LOG_MAX_LABELS, with 2 and 5 between them when the data spans under two decades."""
    lo = math.floor(math.log10(min(values)) + 1e-9)
    hi = max(math.ceil(math.log10(max(values)) - 1e-9), lo + 1)
    if hi - lo < 2:
        return [m * 10.0 ** k for k in range(lo, hi + 1) for m in (1, 2, 5) if m * 10.0 ** k <= 10.0 ** hi]
    step = math.ceil((hi - lo + 1) / rules.LOG_MAX_LABELS)
    return [10.0 ** k for k in range(lo, hi + 1, step)]


def log_label_expr(field: str, unit: str | None, lang: str) -> str:
    """A Vega expression labelling a log axis tick as the reader writes it: 10²⁴ (and 2×10²⁴)
    for compute (rules.POWER_OF_TEN_UNITS), otherwise 1k, 10M, 1B (ja: 1万, 1億, 1兆)."""
    if unit in rules.POWER_OF_TEN_UNITS:
        power = f"floor(log({field}) / LN10 + 1e-9)"
        sup = f"format({power}, 'd')"
        for digit, s in SUPERSCRIPTS.items():
            sup = f"replace({sup}, regexp('{digit}', 'g'), '{s}')"
        mantissa = f"round({field} / pow(10, {power}))"
        return f"({mantissa} == 1 ? '' : {mantissa} + '×') + '10' + {sup}"
    if lang == "ja":
        return number_expr(field, lang)
    out = f"format({field}, '~g')"
    for factor, word in reversed(rules.SCALE_WORDS["en"]):  # the largest tested first
        out = f"{field} >= {factor:.0e} ? format({field} / {factor:.0e}, '~g') + '{word}' : " + out
    return out


def log_axis(values: list[float], unit: str | None, lang: str, **kw: Any) -> dict[str, Any]:
    """A log axis labelled at powers of ten (or 1-2-5) in the reader's words, never 1e+24."""
    return {"values": log_ticks(values), "labelExpr": log_label_expr("datum.value", unit, lang),
            "labelOverlap": "greedy", **kw}


def year_axis(years: list[int] = (), **kw: Any) -> dict[str, Any]:
    """Whole years on a quantitative axis: never 2,024 or 2024.5, and as many ticks as the
    chart's width holds (so two years never overprint at any width), and no more than the years
    the `years` span has steps (an explicit tickCount overrides tickMinStep, and d3 asked for three
    ticks over 2023-2025 steps by half a year: 2023 2024 2024 2025 2025, each written whole)."""
    count = f"ceil(width / {rules.TICK_PX['year']})"
    if years:
        count = f"min({count}, {max(max(years) - min(years), 1)})"
    return {"format": "d", "tickMinStep": 1, "labelOverlap": "greedy", "labelSeparation": LABEL_SEPARATION,
            "tickCount": {"expr": count}, **kw}


def date_axis(dates: list[Any], lang: str, width: int | None = None, **kw: Any) -> dict[str, Any]:
    """A date axis that says the year on every label: years only over rules.YEARS_ONLY_DAYS
    (a tick on every 1 January, every second label dropped while they would overprint), month
    and year below it (day, month and year under four months), as many ticks as the chart's
    width holds (`width`, else its width signal) and none finer than the labels tell apart."""
    days = [rules.day(d) for d in dates if d is not None]
    span = (max(days) - min(days)).days if days else 0
    kind = "year" if span >= rules.YEARS_ONLY_DAYS else "month" if span >= 120 else "day"
    most = max(1, span // {"year": 365, "month": 30, "day": 1}[kind])
    px = rules.TICK_PX[kind]
    count = ({"interval": "year"} if kind == "year" else min(most, max(1, math.ceil(width / px))) if width
             else {"expr": f"min(ceil(width / {px}), {most})"})
    fmt = rules.DATE_FORMATS.get(lang, rules.DATE_FORMATS["en"])[kind]
    return {"format": fmt, "tickCount": count, "labelOverlap": True, "labelSeparation": LABEL_SEPARATION, **kw}


def _nice_top(lo: float, hi: float, ticks: int = 10) -> float:
    """The top of a linear axis as Vega rounds it ("nice", d3's default of 10 ticks): the next
    multiple of a 1-2-5 step."""
    raw = (hi - lo) / ticks or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return math.ceil(hi / step) * step


def _last_points(rows: list[dict], value: str, time: str, log: bool) -> list[dict] | None:
    """Where each series' direct label goes: at the chart's right edge (right of every point,
    faded ones included), at the height of the series' last point on its line (the last faded
    one for a series drawn only faded), moved apart so no two labels overprint and pulled back
    under the top of the axis. None when the labels cannot fit the chart's height: the chart
    then takes a legend."""
    last: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: (not r.get(OFF), str(r[time]))):  # on the line wins
        if _number(r.get(value)) and (not log or r[value] > 0):
            last[r[SERIES]] = r
    ends = sorted(last.values(), key=lambda r: r[value])
    if not ends:
        return []
    scale = (lambda v: math.log10(v)) if log else (lambda v: v)
    drawn = [scale(r[value]) for r in rows if _number(r.get(value)) and (not log or r[value] > 0)]
    lo, hi = min(drawn), max(drawn)
    lo, hi = (math.floor(lo), math.ceil(hi) if hi > math.floor(lo) else math.floor(lo) + 1) if log \
        else (min(0.0, lo), _nice_top(min(0.0, lo), hi))
    span = (hi - lo) or 1.0
    gap = span * LABEL_GAP / HEIGHT  # the label gap in data units
    if gap * (len(ends) - 1) > span:
        return None
    placed: list[float] = []
    for r in ends:  # bottom up: each label at its line's end, or just above the label below
        v = scale(r[value])
        placed.append(v if not placed else max(v, placed[-1] + gap))
    ceiling = hi
    for i in reversed(range(len(placed))):  # top down: none above the axis, order kept
        placed[i] = min(placed[i], ceiling)
        ceiling = placed[i] - gap
    edge = max(r[time] for r in rows if r.get(time) is not None)
    return [r | {time: edge, "label_y": 10 ** y if log else y} for r, y in zip(ends, placed)]


def _colour(series_rows: list[dict], country: bool, lang: str, title: str, legend: Any = None) -> dict[str, Any]:
    """A fixed colour per country (same in every chart and after any filter); other groups
    take the colour-blind-safe palette in order; `legend` None: none (direct labels)."""
    if country:
        domain, rng = rules.colour_scale(lang)
        extra = sorted({r[SERIES] for r in series_rows} - set(domain))
        domain, rng = domain + extra, rng + [rules.OTHER_COLOUR] * len(extra)
    else:  # a group named as a country (the region "China") keeps that country's colour, "other"
        # its grey; the rest take the palette's colours no such group holds, in order
        domain = list(dict.fromkeys(r[SERIES] for r in series_rows))
        fixed = dict(zip(*rules.colour_scale(lang), strict=True))
        spare = [c for c in rules.COUNTRY_COLOURS.values() if c not in {fixed.get(d) for d in domain}]
        rest = iter(spare * (len(domain) // max(len(spare), 1) + 1))
        rng = [fixed[d] if d in fixed else next(rest) for d in domain]
    return {"field": SERIES, "type": "nominal", "title": title, "scale": {"domain": domain, "range": rng},
            "legend": legend}


def number_expr(field: str, lang: str, digits: int = 3, fraction: bool = False) -> str:
    """A Vega expression writing a number as the reader does to `digits` significant digits
    (1,000 and 0.012, never 1e+3; ja: 10^4 and above in 万/億/兆, e.g. 139.5万; a `fraction`
    in percent: 0.667 as 66.7%); the table and CSV keep the exact digits."""
    if fraction:
        return f"format({field}, '.1~%')"
    plain = f"format({field}, ',.{digits}~r')"
    if lang != "ja":
        return plain
    for factor, word in ((1e4, "万"), (1e8, "億"), (1e12, "兆")):  # the largest tested first
        plain = (f"abs({field}) >= {factor:.0e} ? format({field} / {factor:.0e}, '.{digits + 1}~r') + '{word}' : "
                 + plain)
    return plain


def lines(text: str, lang: str, share: float = 1.0) -> list[str]:
    """A subtitle as lines that fit the chart's width (`share` of the usual 560 px; Vega draws
    one line per list item and clips the rest): words kept whole in English, Japanese broken
    after 、or 。where it can."""
    width = round(SUBTITLE_CHARS.get(lang, SUBTITLE_CHARS["en"]) * share)
    if lang != "ja":
        return textwrap.wrap(text, width) or [text]
    out = []
    while len(text) > width:
        cut = max(text.rfind(p, 0, width) for p in "、。）") + 1 or width
        # no line starts with a closing mark, nor with the colon (and its space) after one
        while cut < len(text) and text[cut] in "、。）」』:： ":
            cut += 1
        out.append(text[:cut])
        text = text[cut:]
    return out + [text] * bool(text)


def quarters_as_dates(meta: dict[str, Any], rows: list[dict[str, Any]]) -> tuple[dict, list[dict]]:
    """A series by year and quarter drawn on one time axis: each row dated by its quarter's last
    day (a `date` column in the grain instead of the two; the data runs to that day), so a
    quarter is a point in time and not a line of its own beside the country's other quarters."""
    grain = meta.get("grain", [])
    if not ("year" in grain and "quarter" in grain) or not rows or "quarter" not in rows[0]:
        return meta, rows
    dated = [{k: v for k, v in r.items() if k not in ("year", "quarter")}
             | {"date": dt.date(int(r["year"]) + (int(r["quarter"]) == 4), 3 * int(r["quarter"]) % 12 + 1, 1)
                - dt.timedelta(days=1)}
             for r in rows if r.get("year") is not None and r.get("quarter") is not None]
    return meta | {"grain": [g for g in grain if g not in ("year", "quarter")] + ["date"]}, dated


def plottable(meta: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    """Whether `spec` has something to draw at all (cheap: no chart is built)."""
    if not rows:
        return False
    lay = layout(meta, list(rows[0]), rows)
    if lay["value"] is None or (lay["time"] is None and lay["series"] is None):
        return False
    return len({r.get("unit") for r in rows if "unit" in r}) <= 1  # one unit: one axis


def spec(meta: dict[str, Any], rows: list[dict[str, Any]], *, title: str, unit: str,
         lang: str = "en", as_of: dt.date | None = None, full_history: bool = False,
         subtitle: str | None = None, today: dt.date | None = None,
         log: bool | None = None) -> dict[str, Any] | None:
    """A Vega-Lite spec for an indicator's rows under the declared chart rules (report/rules.py),
    or None when there is nothing to plot.

    With `as_of` (see registry.data_as_of) a yearly series whose last year the data covers only in part
    draws that year as faded points off the line, and says so under the title: a half-counted
    year would otherwise read as a collapse. `log` overrides the unit's declared axis (the
    dashboard's log/linear toggle)."""
    if not plottable(meta, rows):
        return None
    meta, rows = quarters_as_dates(meta, rows)
    cols = list(rows[0])
    lay = layout(meta, cols, rows)
    value, time, others = lay["value"], lay["time"], lay["others"]
    text = Text(lang)
    start = None if full_history else rules.window_from(meta.get("chapter"))
    log = time is not None and (rules.log_scale(meta.get("unit")) if log is None else log)  # bars stay linear: a bar's length is its value
    rows = [r for r in rows if _number(r.get(value)) and (not log or r[value] > 0)
            and not rules.too_few(meta.get("id", ""), r)]
    cut = time is not None and any(not rules.in_window(r.get(time), start) for r in rows)
    rows = [r for r in rows if time is None or rules.in_window(r.get(time), start)]
    if not rows:
        return None
    country = len(others) == 1 and others[0] in rules.COUNTRY_COLUMNS
    # survey waves (meta stale=False) come once a year or less: an old last wave is no stale feed
    today = today or dt.date.today()
    stale = _stale(rows, time, today) if meta.get("stale", True) else None
    dated = time in ("date", "month")
    cuts = [c for c in rules.SEGMENT_COLUMNS if dated and c in cols]  # a change of scale breaks the line
    flags = [c for c in rules.FLAG_COLUMNS if c in cols and any(r.get(c) is True for r in rows)]
    thin = any(rules.thin_summary(meta.get("id", ""), r) for r in rows)
    rows = [{k: jsonable(r.get(k)) for k in (time, value) if k}
            | {CUT + c: jsonable(r.get(c)) for c in cuts}
            | {SERIES: _series_label(r, others, text) if others else ""}
            | ({OFF: True} if any(r.get(c) is True for c in flags) or rules.thin_summary(meta.get("id", ""), r)
               else {}) for r in rows]
    home = {rules.country_name(rules.HOME_COUNTRY[lang], lang)} if country and lang in rules.HOME_COUNTRY else set()
    rows = _top_other(rows, value, time, rules.zero_fill(meta.get("unit")), home,
                      rules.TOP_N if time else MAX_BARS, lang) if others else rows
    steps = rules.holds_value(meta.get("id"))
    fraction = rules.is_fraction(meta.get("unit"))
    # the columns whose change broke a line, each said under the title
    broke = [c for c in cuts if any(len({r.get(CUT + c) for r in rows if r[SERIES] == s}) > 1
                                    for s in {r[SERIES] for r in rows})]
    if dated:  # a best-so-far holds through a gap: only a change of scale breaks it
        rows = _segments(rows, time, not steps, [CUT + c for c in cuts] + [OFF] * bool(flags))
    series_title = text.column(others[0]) if len(others) == 1 else text.column(SERIES)
    y = {"field": value, "type": "quantitative", "title": unit or value}
    if log:
        y |= {"scale": {"type": "log"}, "axis": log_axis([r[value] for r in rows], meta.get("unit"), lang)}
    elif meta.get("zero") is False:
        y["scale"] = {"zero": False}
    if not log and (lang == "ja" or fraction):
        y["axis"] = {"labelExpr": number_expr("datum.value", lang, fraction=fraction)}
    xtype = "temporal" if time in ("date", "month") else "quantitative"
    # the fields a reader hovers over, named in the reader's language (not by column ids)
    tooltip = [{"field": c, "type": k, "title": title} | ({"format": "%Y-%m-%d"} if k == "temporal" else {})
               for c, k, title in (
        (time, xtype, text.column(time) if time else None), (SERIES if others else None, "nominal", series_title),
        (value, "quantitative", unit or text.column(value))) if c]
    if fraction:
        tooltip[-1]["format"] = ".1%"
    subtitles = [s for s in (subtitle,) if s]
    if time == "year":
        # a zero has no place on a log axis: there a missing year stays a gap
        rows = _fill_years(rows, value, time, rules.zero_fill(meta.get("unit")) and not log)
    partial = (partial_year(as_of) if time == "year"
               and any(r.get(time) == partial_year(as_of) for r in rows) else None)
    if partial is not None:
        rows = [r | {OFF: True} if r[time] == partial else r for r in rows]
    off = any(r.get(OFF) for r in rows)
    data = {"name": "table", "values": rows}
    labels: list[dict] | None = []
    if time:
        # years on a quantitative axis keep gaps honest; "d" keeps 2023 from printing as 2,023
        x = ({"field": time, "type": xtype, "title": text.column(time), "axis": date_axis([r[time] for r in rows], lang)}
             if xtype == "temporal" else
             {"field": time, "type": xtype, "title": text.column(time), "axis": year_axis([r[time] for r in rows if isinstance(r.get(time), int)]), "scale": {"zero": False}})
        encoding = {"x": x, "y": y, "tooltip": tooltip}
        if dated and any(r[SEGMENT] for r in rows):  # one path per piece: no line across a break
            encoding["detail"] = {"field": SEGMENT, "type": "nominal"}
        labels = _last_points(rows, value, time, log) if others else []
        if others:  # direct labels, or a legend when they would not fit beside the lines
            encoding["color"] = _colour(rows, country, lang, series_title,
                                        None if labels is not None else {"orient": "bottom", "columns": 4})
        step = {"interpolate": rules.STEP} if steps else {}
        if not off:
            layers = [{"mark": {"type": "line", "point": True} | step, "encoding": encoding}]
        else:  # a partial year's points, and the rows a source flags, faded, off the line
            full = f"!datum.{OFF}"  # off the line: no value there, so the line breaks, never bridges
            layers = [{"mark": {"type": "line"} | step, "encoding": encoding,
                       "transform": [{"calculate": f"{full} ? datum[{value!r}] : null", "as": value}]},
                      {"mark": {"type": "point", "filled": True}, "encoding": encoding | {
                          "opacity": {"condition": {"test": full, "value": 1.0}, "value": 0.35}}}]
        if partial is not None:
            subtitles.append(text("partial_year", year=partial, date=as_of.isoformat()))
        subtitles += [text(f"flag_{c}") for c in flags] + [text(f"segment_{c}") for c in broke]
        if thin:
            subtitles.append(text("thin_summary", n=rules.MIN_SUMMARY_N))
        if labels:  # direct labels at the right edge instead of a legend to decode
            layers.append({"data": {"values": labels}, "mark": {
                "type": "text", "align": "left", "dx": PARTIAL_DX if off else LABEL_DX, "fontSize": 11},
                "encoding": {"x": x, "y": {"field": "label_y", "type": "quantitative"}
                             | ({"scale": {"type": "log"}} if log else {}),
                             "text": {"field": SERIES, "type": "nominal"},
                             "color": _colour(rows, country, lang, series_title)}})
        chart = {"data": data} | (layers[0] if len(layers) == 1 else {"layer": layers})
    else:
        chart = {"data": data, "mark": {"type": "bar"}, "encoding": {
            "x": {"field": SERIES, "type": "nominal", "sort": "-y", "title": series_title}, "y": y,
            "tooltip": tooltip, "color": _colour(rows, country, lang, series_title)}}
    if stale:
        subtitles.append(text("stale", date=stale[0].isoformat(), months=stale[1], today=today.isoformat()))
    if log:
        subtitles.append(text("log_scale"))
    if cut:
        subtitles.append(text("window_from", year=start))
    if rules.SHARE_N.get(meta.get("id", "")):
        subtitles.append(text("min_n", n=rules.MIN_N))
    subtitles = [line for s in subtitles for line in lines(s, lang)]
    title = {"text": title, "subtitle": subtitles} if subtitles else title
    # no room kept for labels: the canvas grows to hold them (autosize pad; on the dashboard, fit
    # shrinks the plot instead), and a chart without them has no empty margin
    # the right padding is slack for the direct labels: the canvas is measured with the drawing
    # process's font and a reader's browser may set the same label a few pixels wider
    return finished(chart | {"title": title, "width": 560, "height": HEIGHT, "padding": {
        "left": 5, "top": 5, "bottom": 5, "right": 5 + LABEL_SLACK * bool(labels)}}, lang)


def finished(chart: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    """A chart as a whole Vega-Lite spec: the reader's language's font, titles at the left edge
    (where a reader looks first, and where a chart scrolled sideways on a phone shows them), and
    its language kept in `usermeta` so months and weekdays are drawn in it."""
    return {"$schema": SCHEMA, **chart, "usermeta": {"lang": lang},
            "config": {"font": CJK_FONT if lang == "ja" else "sans-serif", "title": {"anchor": "start"}}}


def _decimal_year(x: float) -> str:
    """A decimal year (2021.5) as an ISO date for a temporal axis."""
    year = int(x)
    start = dt.date(year, 1, 1)
    return (start + dt.timedelta(days=(x - year) * 365.25)).isoformat()


def trend(fit: dict[str, Any], points: list[dict[str, Any]], *, title: str, unit: str,
          lang: str = "en", measure: str | None = None) -> dict[str, Any] | None:
    """A fitted exponential trend drawn as what it is: each model a dot on a log axis, the
    least-squares line through them, and the band the slope's 95% interval spans (`measure`:
    the dots' unit as declared, which says how the log axis is labelled)."""
    need = ("slope_per_year", "slope_low", "slope_high", "x_mean", "log10_mean")
    pts = [{"date": jsonable(p["publication_date"]), "value": p["value"], "name": p.get("name")}
           for p in points if _number(p.get("value")) and p["value"] > 0 and p.get("publication_date")]
    if not pts or not all(_number(fit.get(k)) for k in need):
        return None
    xs = [p["x"] for p in points if _number(p.get("x"))]
    lo, hi = min(xs), max(xs)
    line = []
    for x in (lo + (hi - lo) * i / 20 for i in range(21)):
        d = x - fit["x_mean"]
        ends = [fit["log10_mean"] + s * d for s in (fit["slope_low"], fit["slope_high"])]
        line.append({"date": _decimal_year(x), "fit": 10 ** (fit["log10_mean"] + fit["slope_per_year"] * d),
                     "low": 10 ** min(ends), "high": 10 ** max(ends)})
    text = Text(lang)
    log = {"type": "log"}
    y = {"field": "value", "type": "quantitative", "title": unit, "scale": log,
         "axis": log_axis([p["value"] for p in pts] + [r[k] for r in line for k in ("low", "high")], measure, lang)}
    x = {"field": "date", "type": "temporal", "title": text.column("date"),
         "axis": date_axis([p["date"] for p in pts], lang)}
    dots = {"data": {"values": pts}, "mark": {"type": "circle", "size": 14, "opacity": 0.35, "color": "#0072B2"},
            "encoding": {"x": x, "y": y, "tooltip": [
                {"field": "name", "type": "nominal", "title": text.column("model")},
                {"field": "date", "type": "temporal", "title": text.column("date"), "format": "%Y-%m-%d"},
                {"field": "value", "type": "quantitative", "title": unit}]}}
    date = {"field": "date", "type": "temporal"}
    band = {"data": {"values": line}, "mark": {"type": "area", "opacity": 0.25, "color": "#D55E00"},
            "encoding": {"x": date, "y": {"field": "low", "type": "quantitative", "scale": log},
                         "y2": {"field": "high"}}}
    fitted = {"data": {"values": line}, "mark": {"type": "line", "color": "#D55E00"},
              "encoding": {"x": date, "y": {"field": "fit", "type": "quantitative", "scale": log}}}
    subtitle = [text("trend_points"), text("log_scale")]
    return finished({"layer": [dots, band, fitted], "title": {"text": title, "subtitle": subtitle},
                     "width": 560, "height": 280}, lang)


def alt_text(meta: dict[str, Any], rows: list[dict[str, Any]], text: Text, unit: str | None = None,
             as_of: dt.date | None = None) -> str:
    """A chart's alt text stating what it shows, in the words of its numbers (3 significant
    digits, shares in percent): who leads at the latest whole period where the series are rivals
    (countries, regions, organizations), the latest values where they are not (benchmarks,
    sectors, a total beside its parts), or a line's first and last value. A partial year (the
    data's `as_of` falls inside it) is never the latest period. `unit` is the unit as shown
    (default: meta's unit in the reader's language)."""
    meta, rows = quarters_as_dates(meta, rows)
    lay = layout(meta, list(rows[0]) if rows else [], rows)
    value, time, others = lay["value"], lay["time"], lay["others"]
    # what the chart draws: a share resting on too few items is not the leader it seems
    rows = [r for r in rows if value and _number(r.get(value)) and not rules.too_few(meta.get("id", ""), r)]
    # nor is a value its source flags as no full measurement (an incomplete quarter, a lower bound)
    rows = [r for r in rows if not any(r.get(c) is True for c in rules.FLAG_COLUMNS)
            and not rules.thin_summary(meta.get("id", ""), r)] or rows
    if time == "year" and (cut := partial_year(as_of)) is not None:
        rows = [r for r in rows if r[time] != cut] or rows
    if not rows:
        return text("chart_none")
    fraction = rules.is_fraction(meta.get("unit"))
    unit = unit if unit is not None else text.unit(meta.get("unit")) or ""
    def num(v):
        return headlines.percent(v) if fraction else headlines.approx(v, text.lang)
    def when(t):
        return text("alt_year", year=t) if time == "year" else text("alt_date", date=str(t)[:10])
    if time and not others:
        ordered = sorted(rows, key=lambda r: str(r[time]))
        return text("alt_line", start=when(ordered[0][time]), end=when(ordered[-1][time]),
                    a=num(ordered[0][value]), b=num(ordered[-1][value]), unit=unit)
    if time:  # the latest period most series have reached, not one a single early report holds
        counts = Counter(str(r[time]) for r in rows)
        last = max(t for t, n in counts.items() if n >= max(counts.values()) / 2)
        rows = [r for r in rows if str(r[time]) == last]
    top = sorted(rows, key=lambda r: -r[value])
    name = [_series_label(r, others, text) for r in top]
    at = {"when": when(top[0][time])} if time else {}
    if len(top) > 1 and others[0] in rules.RIVAL_COLUMNS:
        return text("alt_leads" if time else "alt_leads_all", first=name[0], value=num(top[0][value]),
                    unit=unit, n=len(top), **at)
    values = text("alt_sep").join(f"{n} {num(r[value])}" for n, r in zip(name, top[:ALT_VALUES]))
    return text("alt_values" if time else "alt_values_all", values=values, unit=unit, **at)


def timeline(rows: list[dict[str, Any]], *, title: str, lang: str = "en") -> dict[str, Any] | None:
    """Dated events as a timeline: one lane per country, a dot per event, its label on hover."""
    text = Text(lang)
    pts = [{"date": jsonable(r["ref_date"]), "who": rules.subject_name(r.get("subject"), lang),
            "label": text.fact_label(r)} for r in rows if r.get("ref_date")]
    if not pts:
        return None
    # every lane coloured: a country its fixed colour, a state or a company grey
    fixed = dict(zip(*rules.colour_scale(lang), strict=True))
    domain = sorted({p["who"] for p in pts})
    rng = [fixed.get(w, rules.OTHER_COLOUR) for w in domain]
    return finished({"data": {"values": pts}, "mark": {"type": "circle", "size": 90, "opacity": 0.85}, "encoding": {
        # the years on top: a long list of lanes pushes a bottom axis below the first screen
        "x": {"field": "date", "type": "temporal", "title": text.column("date"),
              "axis": {"orient": "top", "format": "%Y年" if lang == "ja" else "%Y", "tickCount": "year"}},
        "y": {"field": "who", "type": "nominal", "title": None,
              "sort": [rules.country_name(c, lang) for c in rules.COUNTRY_COLOURS]},
        "color": {"field": "who", "type": "nominal", "scale": {"domain": domain, "range": rng}, "legend": None},
        "tooltip": [{"field": "date", "type": "temporal", "title": text.column("date"), "format": "%Y-%m-%d"},
                    {"field": "who", "type": "nominal", "title": text.column("subject")},
                    {"field": "label", "type": "nominal", "title": text.column("what")}]},
        "title": title, "width": 560, "height": {"step": 34}}, lang)
