"""The US-China story drawn: both countries' best score on every benchmark with data for both,
the best Arena rating of each, and how crowded the frontier is (rank 1 vs 2 and 10)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt

from aiatlas import api
from aiatlas.report import charts, rules
from aiatlas.report.i18n import Text

PAIR = ("USA", "CHN")
SECTION_ID = "us-china"
CHAPTER = "performance"
HEADLINES = ("us_china_gap",)
LAGS = "lag_months_compared"  # China's lag in months on three kinds of evidence  # headline cards that link to this section
MIN_POINTS = 2  # a benchmark where either country has fewer scored dates draws no panel


def benchmark_rows(*, home=None, as_of=None) -> tuple[list[dict[str, Any]], list[dict]]:
    """(rows, provenance): the best score reached by US and by Chinese models, per benchmark
    and date, for the declared benchmarks in the build on which both have scored."""
    rows, prov = [], []
    have = set(api.parameter_values("benchmark_frontier", "benchmark", home=home, as_of=as_of))
    for b in (b for b in rules.US_CHINA_BENCHMARKS if b in have):
        res = api.compute("benchmark_frontier", home=home, as_of=as_of, benchmark=b, group="country")
        got = [r for r in res.to_pylist() if r["group"] in PAIR and r["value"] is not None]
        if all(sum(r["group"] == c for r in got) >= MIN_POINTS for c in PAIR):
            rows += got
            prov = prov or res.provenance
    return rows, prov


def benchmark_spec(rows: list[dict[str, Any]], *, title: str, unit: str, lang: str) -> dict | None:
    """Small multiples: one panel per benchmark, the US and China lines in their fixed colours."""
    if not rows:
        return None
    text = Text(lang)
    data = [{"benchmark": text.benchmark(r["benchmark"]), "country": rules.country_name(r["group"], lang),
             "date": charts.jsonable(r["date"]), "value": r["value"]} for r in rows]
    domain, rng = rules.colour_scale(lang)
    chart = alt.Chart(alt.InlineData(values=data)).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("date:T", title=None), y=alt.Y("value:Q", title=unit),
        color=alt.Color("country:N", title=text.column("country"),
                        scale=alt.Scale(domain=domain, range=rng),
                        legend=alt.Legend(orient="top", values=[rules.country_name(c, lang) for c in PAIR])),
        tooltip=[alt.Tooltip(t) for t in ("benchmark:N", "country:N", "date:T", "value:Q")],
    ).properties(width=220, height=120).facet(
        facet=alt.Facet("benchmark:N", title=None), columns=3
    ).resolve_scale(y="independent", x="independent")
    chart = chart.properties(title=alt.TitleParams(title, subtitle=[text("us_china_bench_note")]))
    return charts.to_dict(chart.configure(font=charts.CJK_FONT if lang == "ja" else "sans-serif"), lang)


def wide_spec(rows: list[dict[str, Any]], columns: dict[str, str], meta: dict[str, Any], *,
              title: str, unit: str, lang: str, today: dt.date | None = None) -> dict | None:
    """Columns of one row per date (a_value, b_value, ...) drawn as one line each, under the
    chart rules: `columns` maps each column to its series key (a country code or a label)."""
    long = [{meta["grain"][0]: key, "date": r["date"], "value": r[col]}
            for r in rows for col, key in columns.items()]
    return charts.spec(meta, long, title=title, unit=unit, lang=lang, today=today)


def section(*, text: Text, home=None, as_of=None, today: dt.date | None = None,
            render=charts.svg) -> dict[str, Any]:
    """The US-China section of the performance chapter: its figures (SVG, or what `render`
    returns for a spec) and the files read."""
    lang = text.lang
    figures, notes = [], []
    try:
        rows, prov = benchmark_rows(home=home, as_of=as_of)
        arena = api.compute("arena_gap", home=home, as_of=as_of, group="country")
        conv = api.compute("frontier_convergence", home=home, as_of=as_of)
        lags = api.compute(LAGS, home=home, as_of=as_of, group="country", leader=PAIR[0],
                           follower=PAIR[1])
    except Exception as e:  # noqa: BLE001  no benchmark or Arena data in this build: no section
        return {"id": SECTION_ID, "figures": [], "error": str(e), "provenance": []}
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
    figures = [render(s) for s in specs if s is not None]
    for p in (prov, arena.provenance, conv.provenance, lags.provenance):
        notes += p
    return {"id": SECTION_ID, "figures": figures, "error": None, "provenance": notes,
            "title": text("us_china_title"), "lead": text("us_china_lead"),
            "benchmarks": sorted({r["benchmark"] for r in rows})}
