"""The US-China story drawn: both countries' best score on every benchmark with data for both,
the best Arena rating of each, and how crowded the frontier is (rank 1 vs 2 and 10)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aiatlas import api
from aiatlas.report import charts, rules, sources
from aiatlas.report.i18n import Text

PAIR = ("USA", "CHN")
SECTION_ID = "us-china"
CHAPTER = "performance"
HEADLINES = ("us_china_gap",)
LAGS = "lag_months_compared"  # China's lag in months on three kinds of evidence  # headline cards that link to this section
PANEL = (220, 120)  # width, height of each benchmark's panel (px)
MIN_POINTS = 2  # a benchmark where either country has fewer scored dates draws no panel
BENCHMARK_PARAMS = {"group": "country"}  # benchmark_frontier's, with each benchmark
ARENA_PARAMS = {"group": "country"}
LAG_PARAMS = {"group": "country", "leader": PAIR[0], "follower": PAIR[1]}
# (indicator, parameters) of every chart of the section, each also explained (its files read)
CHARTS = (*(("benchmark_frontier", {"benchmark": b, **BENCHMARK_PARAMS}) for b in rules.US_CHINA_BENCHMARKS),
          ("arena_gap", ARENA_PARAMS), ("frontier_convergence", {}), (LAGS, LAG_PARAMS))


def benchmark_rows(*, home=None, as_of=None) -> tuple[list[dict[str, Any]], list[dict], list[dict]]:
    """(rows, provenance, the parameters of each benchmark drawn): the best score reached by US
    and by Chinese models, per benchmark and date, for the declared benchmarks in the build on
    which both have scored."""
    rows, prov, drawn = [], [], []
    have = set(api.parameter_values("benchmark_frontier", "benchmark", home=home, as_of=as_of))
    for b in (b for b in rules.US_CHINA_BENCHMARKS if b in have):
        params = {"benchmark": b, **BENCHMARK_PARAMS}
        res = api.compute("benchmark_frontier", home=home, as_of=as_of, **params)
        got = [r for r in res.to_pylist() if r["group"] in PAIR and r["value"] is not None]
        if all(sum(r["group"] == c for r in got) >= MIN_POINTS for c in PAIR):
            rows += got
            prov = prov or res.provenance
            drawn.append(params)
    return rows, prov, drawn


def files_read(indicator: str, params: dict[str, Any], *, home=None, as_of=None) -> set[str]:
    """The files the rows behind one of the section's charts were read from (its source line)."""
    return sources.files_read(api.explain(indicator, home=home, as_of=as_of, **params).to_pylist())


def benchmark_spec(rows: list[dict[str, Any]], *, title: str, unit: str, lang: str) -> dict | None:
    """Small multiples: one panel per benchmark, the US and China lines in their fixed colours."""
    if not rows:
        return None
    text = Text(lang)
    data = [{"benchmark": text.benchmark(r["benchmark"]), "country": rules.country_name(r["group"], lang),
             "date": charts.jsonable(r["date"]), "value": r["value"]} for r in rows]
    domain, rng = rules.colour_scale(lang)
    # each panel a best-so-far (rules.HOLDS_VALUE): a step holding its level, never broken at a gap
    panel = {"mark": {"type": "line", "interpolate": rules.STEP, "point": True}, "encoding": {
        "x": {"field": "date", "type": "temporal", "title": None,
              "axis": charts.date_axis([d["date"] for d in data], lang, width=PANEL[0])},
        "y": {"field": "value", "type": "quantitative", "title": unit},
        "color": {"field": "country", "type": "nominal", "title": text.column("country"),
                  "scale": {"domain": domain, "range": rng},
                  "legend": {"orient": "top", "values": [rules.country_name(c, lang) for c in PAIR]}},
        "tooltip": [{"field": c, "type": k, "title": unit if c == "value" else text.column(c)}
                    for c, k in (("benchmark", "nominal"), ("country", "nominal"), ("date", "temporal"),
                                 ("value", "quantitative"))]},
        "width": PANEL[0], "height": PANEL[1]}
    # two panels a row: the figure stays narrow enough to read on a phone, scrolled a little
    return charts.finished({
        "data": {"values": data}, "facet": {"field": "benchmark", "type": "nominal", "title": None},
        "columns": 2, "spec": panel, "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "title": {"text": title, "subtitle": charts.lines(text("us_china_bench_note"), lang, share=0.8)}}, lang)


def wide_spec(rows: list[dict[str, Any]], columns: dict[str, str], meta: dict[str, Any], *,
              title: str, unit: str, lang: str, today: dt.date | None = None,
              subtitle: str | None = None) -> dict | None:
    """Columns of one row per date (a_value, b_value, ...) drawn as one line each, under the
    chart rules: `columns` maps each column to its series key (a country code or a label)."""
    # a column that breaks the line (a change of rating scale) comes along
    long = [{meta["grain"][0]: key, "date": r["date"], "value": r[col]}
            | {c: r[c] for c in rules.SEGMENT_COLUMNS if c in r}
            for r in rows for col, key in columns.items()]
    return charts.spec(meta, long, title=title, unit=unit, lang=lang, today=today, subtitle=subtitle)


def section(*, text: Text, home=None, as_of=None, today: dt.date | None = None,
            render=charts.svg) -> dict[str, Any]:
    """The US-China section of the performance chapter: its figures (SVG, or what `render`
    returns for a spec) and the files read."""
    lang = text.lang
    arena_params, lag_params = ARENA_PARAMS, LAG_PARAMS
    try:
        rows, prov, benchmarks = benchmark_rows(home=home, as_of=as_of)
        arena = api.compute("arena_gap", home=home, as_of=as_of, **arena_params)
        conv = api.compute("frontier_convergence", home=home, as_of=as_of)
        lags = api.compute(LAGS, home=home, as_of=as_of, **lag_params)
    except Exception as e:  # noqa: BLE001  no benchmark or Arena data in this build: no section
        return _left_out(e)
    specs = [
        benchmark_spec(rows, title=text("us_china_bench_title"), unit=text.unit("percent"), lang=lang),
        wide_spec(arena.to_pylist(), {"a_value": "USA", "b_value": "CHN"},
                  {"id": "arena_by_country", "grain": ["country", "date"], "value_columns": ["value"],
                   "unit": "Arena rating points", "chapter": "performance", "zero": False},
                  title=text("us_china_arena_title"), unit=text.unit("Arena rating points"),
                  lang=lang, today=today),
        wide_spec(conv.to_pylist(), {"gap_1_2": text("rank_1_2"), "gap_1_10": text("rank_1_10")},
                  {"id": "frontier_convergence", "grain": ["gap", "date"], "value_columns": ["value"],
                   "unit": "Arena rating points", "chapter": "performance"},
                  title=text("convergence_title"), unit=text.unit("Arena rating points"),
                  lang=lang, today=today),
        # China's lag in months on ECI, two benchmark frontiers and the Arena, one line each
        charts.spec(lags.meta, lags.to_pylist(), title=text("us_china_lag_title"),
                    unit=text.unit("months"), lang=lang, subtitle=text("us_china_lag_note"))]
    provs = [prov, arena.provenance, conv.provenance, lags.provenance]
    # the requests whose rows each chart's source line names the files of, explained only for
    # a chart drawn (explaining the lags' rows is seconds of compiling)
    explained = [[("benchmark_frontier", p) for p in benchmarks], [("arena_gap", arena_params)],
                 [("frontier_convergence", {})], [(LAGS, lag_params)]]
    try:
        read = [set().union(*(files_read(i, q, home=home, as_of=as_of) for i, q in e))
                if s is not None else set() for s, e in zip(specs, explained, strict=True)]
    except Exception as e:  # noqa: BLE001  as above
        return _left_out(e)
    # each chart its own source line: the files its rows were read from, with their as-of dates
    drawn = [(render(s), {"provenance": p, "read": r}) for s, p, r in zip(specs, provs, read, strict=True)
             if s is not None]
    return {"id": SECTION_ID, "figures": [f for f, _ in drawn], "error": None,
            "figure_notes": [src for _, src in drawn],
            "provenance": [n for p in provs for n in p],
            "title": text("us_china_title"), "lead": text("us_china_lead"),
            "benchmarks": sorted({r["benchmark"] for r in rows})}


def _left_out(e: Exception) -> dict[str, Any]:
    """The section left out of the report, with the reason."""
    return {"id": SECTION_ID, "figures": [], "error": str(e), "provenance": []}
