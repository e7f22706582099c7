"""A country's standing: its profile across every country-grain indicator, and head-to-head
comparisons (who leads, by how much, lag in months, whether the gap is closing).

Built on the public API (`api.compute`): every number is an indicator's value, with the period
it belongs to, its rank among the countries with data for that period, and the `explain` call
that returns the rows behind it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from aiatlas import api
from aiatlas.entities import regions
from aiatlas.errors import DataError, UsageError
from aiatlas.report import chinachips, rules
from aiatlas.report.rules import country_name
from aiatlas.results import partial_year

LAG = "capability_lag_months"  # the pairwise measure in months (not a country-grain indicator)
ECI_MODELS = "eci_models_by_country"  # who has ECI models, hence a lag that can be told
LEADER = "USA"  # the profile's lag is measured against it (and, for the USA, China behind it)


def is_country(code: str | None) -> bool:
    """Whether code is a known ISO 3166-1 alpha-3 country code (any case)."""
    text = (code or "").strip().upper()
    return len(text) == 3 and text.isalpha() and regions.country_name(text) != text


def country_code(code: str) -> str:
    """The ISO 3166-1 alpha-3 code of a country given as a code or a name ('JPN', 'JP', 'Japan',
    '日本'); a UsageError naming the expected forms otherwise."""
    found = rules.country_code(code)
    if found is None or not is_country(found):
        raise UsageError(f"unknown country {code!r}",
                         hint="give an ISO 3166 code such as USA, CHN, JPN, or a name such as Japan")
    return found


def names(code: str) -> dict[str, str]:
    """The country's name in English and Japanese (the report's names: pycountry and its
    Japanese ISO 3166 translation, with short forms such as 中国)."""
    return {lang: country_name(code, lang) for lang in ("en", "ja")}


def country_indicators() -> list[dict[str, Any]]:
    """Indicators with a `country` grain column and a `value`: the dimensions of a profile."""
    return [m for m in api.list_indicators() if "country" in m["grain"] and "value" in m["value_columns"]]


def _period(meta: dict, row: dict) -> tuple:
    return tuple(row[g] for g in meta["grain"] if g != "country")


def _text(v: Any) -> str:
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _rows_link(meta: dict, where: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """How to get the rows behind one value: the explain call, CLI and HTTP."""
    query = {k: v for k, v in params.items() if v is not None}
    query |= {f"where.{k}": _text(v) for k, v in where.items()}
    cli = " ".join([f"aiatlas explain {meta['id']}"] + [f"-w {k}={_text(v)}" for k, v in where.items()]
                   + [f"-p {k}={v}" for k, v in params.items() if v is not None])
    return {"where": {k: _text(v) for k, v in where.items()}, "cli": cli,
            "url": f"/api/indicators/{meta['id']}/explain?{urlencode(query)}"}


def _standing(meta: dict, rows: list[dict], code: str, params: dict,
              as_of: dt.date | None = None) -> dict[str, Any]:
    """Latest value of one country in one indicator, its rank that period, and its trend.

    A year the data does not cover to its end (`results.partial_year`: the sources' as-of date
    falls inside it, before December 31) is a partial year: it is reported as such, not as the latest value, so a trend never compares a
    part of a year with a whole one."""
    own = sorted((r for r in rows if r["country"] == code and r["value"] is not None),
                 key=lambda r: _period(meta, r))
    entry: dict[str, Any] = {"id": meta["id"], "title": meta["title"], "chapter": meta["chapter"],
                             "unit": meta["unit"], "params": {k: v for k, v in params.items() if v}}
    cut = partial_year(as_of) if "year" in meta["grain"] and "quarter" not in meta["grain"] else None
    if cut is not None:
        partial = [r for r in own if r["year"] >= cut]
        own = [r for r in own if r["year"] < cut]
        if partial:
            entry["partial_year"] = {"year": partial[0]["year"], "value": partial[0]["value"],
                                     "data_as_of": as_of.isoformat()}
    if not own:
        return entry | {"status": "no data for this country"}
    latest = own[-1]
    period = _period(meta, latest)
    # a share resting on fewer than rules.MIN_N items (Japan's 5 open of 6 models) is shown with
    # its n but ranks nothing, is ranked against nothing and has no trend (as in charts, compare)
    few = rules.too_few(meta["id"], latest)
    peers = [r["value"] for r in rows if r["country"] and r["value"] is not None
             and _period(meta, r) == period and not rules.too_few(meta["id"], r)]
    keys = [g for g in meta["grain"] if g != "country"]
    prev = own[-2] if len(own) > 1 else None
    change = None if prev is None or few or rules.too_few(meta["id"], prev) else latest["value"] - prev["value"]
    where = {"country": code} | {k: latest[k] for k in keys}
    return entry | _scope(meta, params, as_of) | ({"few": int(rules.share_n(meta["id"], latest))} if few else {}) | {
        "status": "ok", "unit": latest.get("unit") or meta["unit"],
        "period": {k: _text(latest[k]) for k in keys}, "value": latest["value"],
        "rank": None if few else 1 + sum(v > latest["value"] for v in peers), "of": len(peers),
        "previous_period": None if change is None else {k: _text(prev[k]) for k in keys},
        "previous_value": None if change is None else prev["value"], "change": change,
        "change_pct": None if change is None or not prev["value"] else change / prev["value"] * 100,
        "trend": None if change is None else "up" if change > 0 else "down" if change < 0 else "flat",
        "rows": _rows_link(meta, where, params) if meta["explainable"] else None}


def _scope(meta: dict, params: dict, as_of: dt.date | None) -> dict[str, Any]:
    """What a value of an indicator with no period in its grain covers, so that a reader is not
    left with a blank period: every year of the data (a year range left open) and the data's
    as-of date; for an indicator with a period, nothing (its period says it)."""
    if any(g != "country" for g in meta["grain"]):
        return {}
    open_range = any(p["name"] == "since" and p.get("default") is None and params.get("since") is None
                     for p in meta.get("parameters", ()))
    return {"scope": {"years": "all" if open_range else None,
                      "data_as_of": as_of.isoformat() if as_of else None}}


def _compute(meta: dict, home, params: dict) -> tuple[list[dict], dt.date | None] | str:
    """An indicator's rows and the newest as-of date of its snapshots, or why there are none."""
    try:
        result = api.compute(meta["id"], home=home, **params)
    except DataError:  # e.g. a dataset not ingested; its message names server paths: not shown
        return "no data in this build"
    dates = [str(p["as_of"])[:10] for p in result.provenance if p.get("as_of")]
    return result.to_pylist(), max(map(dt.date.fromisoformat, dates)) if dates else None


def _view_params(meta: dict, per: str | None) -> dict[str, Any]:
    names_ = {p["name"] for p in meta["parameters"]}
    return {"per": per} if per and "per" in names_ else {}


def eci_countries(home=None) -> set[str]:
    """Countries with at least one model on the Epoch Capabilities Index."""
    return {r["country"] for r in api.compute(ECI_MODELS, home=home).to_pylist() if r["value"]}


def lag(leader: str, follower: str, *, home=None) -> dict[str, Any]:
    """The newest month of capability lag (ECI) of `follower` behind `leader`, and 12 months before."""
    missing = [c for c in (leader, follower) if c not in eci_countries(home)]
    if missing:  # nothing to measure: said without running the resampled lag
        return {"leader": leader, "follower": follower, "status": f"no ECI models of {missing[0]}"}
    rows = api.compute(LAG, home=home, group="country", leader=leader, follower=follower).to_pylist()
    if not rows or not rows[-1]["follower_models"]:
        return {"leader": leader, "follower": follower,
                "status": f"no ECI models of {follower if rows else leader}"}
    last = rows[-1]
    year_ago = [r for r in rows if (last["month"].year - r["month"].year) * 12
                + last["month"].month - r["month"].month >= 12]
    before = year_ago[-1] if year_ago else None
    out = {"leader": leader, "follower": follower, "status": "ok", "month": last["month"].isoformat(),
           "lag_months": last["lag_months"], "at_least": last["lower_bound"],
           "interval": [last["lag_months_low"], last["lag_months_high"]],
           "year_before": None if before is None else {
               "month": before["month"].isoformat(), "lag_months": before["lag_months"],
               "at_least": before["lower_bound"]}}
    # closing only when it can be told: a lower bound now that exceeds the lag then is no evidence
    if before is not None and not last["lower_bound"]:
        out["closing"] = last["lag_months"] < before["lag_months"]
    elif before is not None and last["lower_bound"] and last["lag_months"] >= before["lag_months"]:
        out["closing"] = False
    else:
        out["closing"] = None
    meta = next(m for m in api.list_indicators() if m["id"] == LAG)
    out["rows"] = _rows_link(meta, {"month": last["month"]},
                             {"group": "country", "leader": leader, "follower": follower})
    return out


def profile(code: str, *, home=None, per: str | None = None) -> dict[str, Any]:
    """Every country-grain indicator's latest value for the country, rank, trend and rows link."""
    code = country_code(code)
    entries = []
    for meta in country_indicators():
        params = _view_params(meta, per)
        got = _compute(meta, home, params)
        entries.append(_standing(meta, zero_filled(meta, got[0], [code]), code, params, got[1])
                       if isinstance(got, tuple) else
                       {"id": meta["id"], "title": meta["title"], "chapter": meta["chapter"],
                        "unit": meta["unit"], "status": got})
    other = "CHN" if code == LEADER else code
    out = {"country": code, "names": names(code), "per": per, "indicators": entries,
           "lag": lag(LEADER, other, home=home), "build_id": api.build_info(home=home).get("build_id")}
    if code == chinachips.DESTINATION:  # its chips beside the export controls that reach it
        out["chips_and_export_controls"] = chips_and_export_controls(home=home)
    return out


def chips_and_export_controls(*, home=None) -> dict[str, Any] | str:
    """China's Nvidia holdings per chip and the export-control steps reaching China, with the
    link to the rows behind the holdings; or why there are none."""
    try:
        got = chinachips.data(home=home)
    except DataError:
        return "no data in this build"
    if not got["holdings"]:
        return "no data in this build"
    meta = next(m for m in api.list_indicators() if m["id"] == chinachips.INDICATOR)
    return {"indicator": chinachips.INDICATOR, "params": got["params"], "holdings": got["holdings"],
            "events": got["events"], "rows": _rows_link(meta, {}, got["params"])}


def compare(codes: list[str], *, home=None, per: str | None = None) -> dict[str, Any]:
    """Countries side by side per dimension: who leads, ratio and difference to the leader, whether
    the gap to the leader is closing (against the previous period), and ECI lag per pair."""
    codes = list(dict.fromkeys(country_code(c) for c in codes))
    if len(codes) < 2:
        raise UsageError("compare needs at least two countries, e.g. USA CHN")
    dims = []
    for meta in country_indicators():
        params = _view_params(meta, per)
        got = _compute(meta, home, params)
        if not isinstance(got, tuple):
            dims.append({"id": meta["id"], "title": meta["title"], "status": got})
            continue
        rows, as_of = got
        cut = partial_year(as_of) if "year" in meta["grain"] and "quarter" not in meta["grain"] else None
        if cut is not None:
            rows = [r for r in rows if r["year"] < cut]  # whole years only
        rows = zero_filled(meta, rows, codes)
        cells = {c: _standing(meta, rows, c, params) for c in codes}
        dims.append(_dimension(meta, rows, codes, cells) | _scope(meta, params, as_of))
    pairs = [lag(a, b, home=home) for a in codes for b in codes if a != b and a == codes[0]]
    return {"countries": codes, "names": {c: names(c) for c in codes}, "per": per,
            "dimensions": dims, "lags": pairs, "build_id": api.build_info(home=home).get("build_id")}


def zero_filled(meta: dict, rows: list[dict], codes: list[str]) -> list[dict]:
    """Rows of a count by country and year with a 0 for each of these countries in each year
    the data covers where it has no row: the sources list every notable model or accelerator
    of the world, so a country with none that year made none (the report's charts fill counts
    the same way, report.rules.ZERO_FILL_UNITS). Any other measure: a missing row stays missing."""
    if meta["unit"] not in rules.ZERO_FILL_UNITS or sorted(meta["grain"]) != ["country", "year"]:
        return rows
    have = {(r["country"], r["year"]) for r in rows}
    years = sorted({r["year"] for r in rows})
    return rows + [{"country": c, "year": y, "value": 0} for c in codes for y in years
                   if (c, y) not in have]


def _thin(meta: dict, rows: list[dict], period: tuple, codes: list[str]) -> dict[str, int]:
    """Countries whose share that period rests on fewer items than the report's minimum
    (rules.MIN_N), with their n: such a share names no leader."""
    return {r["country"]: int(rules.share_n(meta["id"], r)) for r in rows
            if r["country"] in codes and _period(meta, r) == period and rules.too_few(meta["id"], r)}


def _dimension(meta: dict, rows: list[dict], codes: list[str], cells: dict) -> dict[str, Any]:
    """One dimension of a comparison, on the newest period every country has a value for (the
    same period for all: a count of 2025 is not set against one of 2017; a country with no value
    at all is listed as `absent` and the others compared); `newer` names each
    country whose own latest value is of a later period (that value is in its cell). A share
    resting on fewer than rules.MIN_N items (`thin`, with its n) is shown but leads nothing."""
    keyed = {(r["country"], _period(meta, r)): r["value"] for r in rows if r["value"] is not None}
    out = {"id": meta["id"], "title": meta["title"], "unit": cells[codes[0]]["unit"], "cells": cells}
    # a country without any value here (no estimate of it at all) is said to have none and the
    # others are still compared; a country with values, but none in a shared period, is not
    absent = [c for c in codes if not any(k == c for k, _ in keyed)]
    if absent and len(codes) - len(absent) >= 2:
        out["absent"], codes = absent, [c for c in codes if c not in absent]
    common = sorted(set.intersection(*[{p for (c, p) in keyed if c == code} for code in codes]))
    if not common:
        return out | {"status": "not every country has a value for the same period"}
    now = common[-1]
    values = {c: keyed[(c, now)] for c in codes}
    thin = _thin(meta, rows, now, codes)
    if len(thin) >= len(codes) - 1:
        return out | {"status": f"too few items for a share (fewer than {rules.MIN_N})",
                      "period": {k: _text(v) for k, v in zip([g for g in meta["grain"] if g != "country"], now)},
                      "values": values, "thin": thin}
    leader = max((c for c in codes if c not in thin), key=lambda c: values[c])
    gaps = {}
    for c in codes:
        if c == leader or c in thin:
            continue
        gap = {"difference": values[leader] - values[c],
               "ratio": values[leader] / values[c] if values[c] else None, "closing": None}
        if len(common) > 1:  # against the previous period both have: relative gap first
            then = common[-2]
            a, b = keyed[(leader, then)], keyed[(c, then)]
            gap["previous_difference"], gap["previous_ratio"] = a - b, a / b if b else None
            gap["difference_shrank"] = gap["difference"] < a - b
            if gap["ratio"] is not None and gap["previous_ratio"] is not None:
                gap["closing"] = gap["ratio"] < gap["previous_ratio"]
        gaps[c] = gap
    keys = [g for g in meta["grain"] if g != "country"]
    # a country whose own latest value is newer than the period compared (the newest all have):
    # shown beside it, so a reader sees that 2017 is compared because one country stops there
    newer = {c: cells[c]["period"] for c in codes if cells[c].get("status") == "ok"
             and max(p for (k, p) in keyed if k == c) > now}
    return out | {"status": "ok", "period": {k: _text(v) for k, v in zip(keys, now)},
                  "values": values, "leader": leader, "gaps": gaps, "newer": newer, "thin": thin}
