"""A report page per country: every indicator's latest value, rank and trend (the profile served
at /country/XXX, `standing.profile`), the capability lag behind the leader, and the country's
place in the composite index. One page for each country the composite index scores."""
from __future__ import annotations

from typing import Any

from aiatlas import composite_index, standing
from aiatlas.report import rules
from aiatlas.report.i18n import Text, date_text

TREND_MARKS = {"up": "↑", "down": "↓", "flat": "→"}


def href(code: str) -> str:
    """The file name of a country's page."""
    return f"country-{code}.html"


def index(*, home=None) -> list[dict[str, Any]]:
    """The composite index's countries, best first: code, rank (None: unranked), score, rank
    range and coverage (the share of pillars with data). A value in the data that is not a
    known country code (an aggregate, a typo, a hostile string) gets no page: a page's file
    name and its profile are keyed by the code."""
    result = composite_index.composite(home=home)
    return [{k: c.get(k) for k in ("country", "rank", "score", "rank_p5", "rank_p95", "coverage",
                                   "missing_pillars")}
            for c in result["countries"] if standing.is_country(c["country"])]


def lag_text(lag: dict[str, Any], text: Text) -> str:
    """The capability lag behind the leader in a sentence, in the reader's language."""
    names = {"follower": text.country(lag["follower"]), "leader": text.country(lag["leader"])}
    if lag.get("status") != "ok":
        absent = lag["status"].rsplit(" ", 1)[-1]
        return text("country_lag_none", country=text.country(absent), **names)
    low, high = lag["interval"]
    return text("country_lag_at_least" if lag["at_least"] else "country_lag", month=date_text(str(lag["month"])[:7] + "-01", text.lang, "month"),
                months=f"{lag['lag_months']:.1f}", low=f"{low:.1f}", high=f"{high:.1f}", **names)


def _composite_text(entry: dict[str, Any] | None, n: int, text: Text) -> str:
    if entry is None:
        return text("country_not_in_composite")
    if entry["rank"] is None:
        return text("country_composite_unranked", coverage=f"{entry['coverage']:.0%}")
    return text("country_composite", rank=entry["rank"], n=n, low=entry["rank_p5"],
                high=entry["rank_p95"], score=f"{entry['score']:.2f}")


def period_text(period: dict | None, text: Text, scope: dict | None = None) -> str:
    """'2025', '2025 Q3' (ja: 2025年第3四半期): a period's values in the reader's words; for a
    value with no period, what it covers (`standing._scope`): 'all years, data as of Dec 2,
    2026' or 'data as of Dec 2, 2026'."""
    if not period:
        scope = scope or {}
        every = scope.get("years") == "all"
        if not scope.get("data_as_of"):
            return text("period_all") if every else ""
        date = date_text(scope["data_as_of"], text.lang)
        return text("period_all_years" if every else "period_as_of", date=date)
    if "quarter" in period:
        return text("compare_quarter", year=period.get("year", ""), quarter=period["quarter"])
    if "year" in period:
        return text("compare_year", year=period["year"])
    return " ".join(str(date_text(v, text.lang)) for v in period.values())


def page(code: str, *, text: Text, home=None, ranking: list[dict[str, Any]],
         entries: dict[str, dict[str, Any]], profile: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything one country's page shows, and its JSON twin (the profile itself).

    `entries` are the report's indicator entries by id: each row links to its chapter's chart
    and to the rows behind it. `profile`: the country's profile when the caller has it already."""
    p = profile or standing.profile(code, home=home)
    have, missing = [], []
    for e in p["indicators"]:
        report = entries.get(e["id"], {})
        item = {"title": text.title(report.get("meta") or e), "unit": text.after_number(e["unit"]),
                "chart": report.get("chart"), "rows": report.get("explain") or report.get("csv")}
        if e.get("status") != "ok":
            missing.append(item | {"partial": e.get("partial_year")})
            continue
        # a share's change is in percentage points: 0.0001 to 0.0019 is no "+1800%"
        pp = rules.is_fraction(e["unit"]) and e.get("change") is not None
        have.append(item | {"period": period_text(e.get("period"), text, e.get("scope")), "value": e["value"],
                            "raw_unit": e["unit"], "rank": e["rank"], "of": e["of"],
                            # a share on too few items: its n instead of a rank
                            "rank_text": (text("country_too_few", n=e["few"], min=rules.MIN_N) if e.get("few")
                                          else text("country_rank", rank=e["rank"], of=e["of"])),
                            "trend": TREND_MARKS.get(e.get("trend") or ""),
                            "change": (text("country_change_pp", change=e["change"] * 100) if pp else
                                       text("country_change_pct", change=e["change_pct"])
                                       if e.get("change_pct") is not None else None),
                            "previous_period": period_text(e.get("previous_period"), text)})
    ranked = [r for r in ranking if r["rank"] is not None]
    mine = next((r for r in ranking if r["country"] == code), None)
    return {"code": code, "name": p["names"][text.lang], "profile": p, "have": have, "missing": missing,
            "lag": lag_text(p["lag"], text), "composite": _composite_text(mine, len(ranked), text),
            "chips": isinstance(p.get("chips_and_export_controls"), dict)}
