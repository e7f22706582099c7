"""A composite index you can audit: pillars declared in composite_index.yaml, min-max normalisation over
the countries with data, user weights, contributions that add up to each score, explicit
missing pillars, and rank ranges under random (Dirichlet) weights around the defaults."""
from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from aiatlas import api
from aiatlas.errors import UsageError
from aiatlas.report.rules import country_name
from aiatlas.safe_yaml import SafeLoader  # libyaml's parser: the package's own files

DECLARATION = Path(__file__).with_name("composite_index.yaml")
SEED = 20261202  # the same data and weights give the same rank ranges on every run


@cache
def pillars() -> dict[str, dict[str, Any]]:
    """The declared pillars: weight, rationale, indicators (id, optional `years`)."""
    with open(DECLARATION, encoding="utf-8") as f:
        return yaml.load(f, Loader=SafeLoader)["pillars"]


def weights(user: dict[str, float] | None = None) -> dict[str, float]:
    """Pillar weights summing to 1: the declared defaults, with the user's replacing any given."""
    declared = {p: float(d["weight"]) for p, d in pillars().items()}
    unknown = sorted(set(user or {}) - set(declared))
    if unknown:
        raise UsageError(f"unknown pillar {', '.join(unknown)} (expected: {', '.join(declared)})")
    merged = declared | {k: float(v) for k, v in (user or {}).items()}
    if any(not v >= 0 for v in merged.values()) or sum(merged.values()) <= 0:
        raise UsageError("pillar weights must be >= 0 and not all 0")
    total = sum(merged.values())
    return {k: v / total for k, v in merged.items()}


def _indicator_values(spec: dict, per: str | None, home) -> dict[str, Any]:
    """Country -> value at the indicator's newest whole period (or the sum of the newest years)."""
    meta = next(m for m in api.list_indicators() if m["id"] == spec["id"])
    params = {"per": per} if per and any(p["name"] == "per" for p in meta["parameters"]) else {}
    result = api.compute(spec["id"], home=home, **params)
    rows = [r for r in result.to_pylist() if r["country"] and r["value"] is not None]
    dates = [str(p["as_of"])[:10] for p in result.provenance if p.get("as_of")]
    as_of = max(map(dt.date.fromisoformat, dates)) if dates else None
    if "year" in meta["grain"] and "quarter" not in meta["grain"] and as_of is not None:
        rows = [r for r in rows if r["year"] < as_of.year]  # whole years only
    keys = [g for g in meta["grain"] if g != "country"]
    period = lambda r: tuple(r[k] for k in keys)  # noqa: E731
    periods = sorted({period(r) for r in rows})
    take = set(periods[-spec.get("years", 1):])
    values: dict[str, float] = {}
    for r in rows:
        if period(r) in take:
            values[r["country"]] = values.get(r["country"], 0.0) + float(r["value"])
    return {"id": spec["id"], "values": values, "periods": [dict(zip(keys, map(str, p))) for p in sorted(take)],
            "per": params.get("per")}


def _minmax(values: dict[str, float]) -> dict[str, float]:
    lo, hi = min(values.values()), max(values.values())
    return {c: 1.0 if hi == lo else (v - lo) / (hi - lo) for c, v in values.items()}


def scores(table: np.ndarray, present: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scores of countries (rows) over pillars (columns) for weight vectors w (draws x pillars):
    each country's weights are rescaled over the pillars it has."""
    w = np.atleast_2d(w)
    used = present @ w.T  # countries x draws: the weight a country's pillars carry
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(used > 0, (np.where(present, table, 0.0) @ w.T) / used, np.nan)


def _ranks(s: np.ndarray) -> np.ndarray:
    """1 = best, per column; ties share the better rank."""
    return (s[None, :, :] > s[:, None, :]).sum(axis=1) + 1


def composite(*, weights_: dict[str, float] | None = None, per: str | None = None, draws: int = 1000,
              concentration: float = 20.0, min_coverage: float = 0.5, home=None) -> dict[str, Any]:
    """Scores, ranks, contributions per pillar and rank ranges under Dirichlet weight draws."""
    if not 0 <= min_coverage <= 1 or draws < 0 or concentration <= 0:
        raise UsageError("expected 0 <= min_coverage <= 1, draws >= 0 and concentration > 0")
    w = weights(weights_)
    names = list(pillars())
    parts = {p: [_indicator_values(s, per, home) for s in pillars()[p]["indicators"]] for p in names}
    countries = sorted({c for p in names for i in parts[p] for c in i["values"]})
    table = np.full((len(countries), len(names)), np.nan)
    normal = {p: [_minmax(i["values"]) if i["values"] else {} for i in parts[p]] for p in names}
    for j, p in enumerate(names):
        for k, c in enumerate(countries):
            got = [n[c] for n in normal[p] if c in n]
            table[k, j] = np.mean(got) if got else np.nan
    present = ~np.isnan(table)
    wv = np.array([w[p] for p in names])
    coverage = present.astype(float) @ wv
    # A country none of whose pillars carries weight under these weights has no score (0 / 0):
    # it is never ranked, even at min_coverage 0, and has no contributions.
    scored = coverage > 0
    ranked = scored & (coverage >= min_coverage - 1e-12)
    score = scores(table, present, wv)[:, 0]
    rng = np.random.default_rng(SEED)
    drawn = rng.dirichlet(np.maximum(wv * concentration, 1e-9), size=draws) if draws else np.empty((0, len(names)))
    ranks = _ranks(np.where(ranked[:, None], score[:, None], -np.inf))[:, 0]
    # ranks under each weight draw, among the ranked countries only (rows in `countries` order)
    band = (_ranks(scores(table[ranked], present[ranked], drawn)) if draws and ranked.any() else None)
    rows, r = [], 0
    for k, c in enumerate(countries):
        contrib = ({p: float(wv[j] * table[k, j] / coverage[k]) for j, p in enumerate(names) if present[k, j]}
                   if scored[k] else {})
        row = {"country": c, "name": {"en": country_name(c, "en"), "ja": country_name(c, "ja")},
               "score": float(score[k]) if scored[k] else None, "coverage": float(coverage[k]),
               "missing_pillars": [p for j, p in enumerate(names) if not present[k, j]],
               "pillar_scores": {p: float(table[k, j]) for j, p in enumerate(names) if present[k, j]},
               "contributions": contrib, "rank": int(ranks[k]) if ranked[k] else None}
        if ranked[k] and band is not None:
            rk = band[r]
            row |= {"rank_p5": int(np.percentile(rk, 5, method="lower")),
                    "rank_p95": int(np.percentile(rk, 95, method="higher")),
                    "rank_min": int(rk.min()), "rank_max": int(rk.max())}
            r += 1
        elif not scored[k]:
            row["unranked"] = "no weight on any pillar it has data for"
        elif not ranked[k]:
            row["unranked"] = f"coverage {coverage[k]:.2f} below min_coverage {min_coverage}"
        rows.append(row)
    rows.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0, x["country"]))
    return {"weights": w, "per": per, "draws": draws, "concentration": concentration,
            "min_coverage": min_coverage, "countries": rows,
            "pillars": {p: {"weight": w[p], "rationale": pillars()[p]["rationale"],
                            "indicators": [{"id": i["id"], "periods": i["periods"], "per": i["per"],
                                            "countries": len(i["values"])} for i in parts[p]]}
                        for p in names},
            "inputs": {p: {i["id"]: {"raw": i["values"], "normalised": n} for i, n in zip(parts[p], normal[p])}
                       for p in names}}
