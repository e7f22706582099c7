"""Stand-in loader for bench/entities.py: schema-shaped rows read straight from the mirror files.

Used only while the warehouse build cannot be run (the `data` branch owns the real cleaners);
it reads just the columns model identity needs.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pycountry

_SPECIAL = {"Korea (Republic of)": "KOR", "Hong Kong": "HKG", "Taiwan": "TWN",
            "Iran (Islamic Republic of)": "IRN", "Russia": "RUS", "Multinational": None}


def _iso3(name: str):
    name = name.strip()
    if name in _SPECIAL:
        return _SPECIAL[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(name)[0].alpha_3
        except LookupError:
            return None


def _list(cell):
    out = []
    for part in str(cell).split(",") if isinstance(cell, str) else []:
        if part.strip() and part.strip() not in out:
            out.append(part.strip())
    return out


def _date(v):
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _models(path: Path) -> list[dict]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    country_col = next(c for c in df.columns if c.startswith("Country"))
    rows = []
    for r in df.to_dict("records"):
        cs = [c for c in (_iso3(x) for x in _list(r[country_col])) if c]
        ow = r.get("Open model weights?", "")
        rows.append({"name": r["Model"], "organizations": _list(r["Organization"]),
                     "countries": list(dict.fromkeys(cs)), "accessibility": r["Model accessibility"] or None,
                     "open_weights": {"Yes": True, "No": False}.get(ow),
                     "publication_date": _date(r["Publication date"])})
    return rows


def load(mirror: Path) -> dict[str, list[dict]]:
    """Every table model identity reads, as lists of row dicts."""
    ep, la = mirror / "epoch", mirror / "lmarena"
    mv = pd.read_csv(ep / "benchmarks/model_versions.csv", encoding="utf-8-sig", dtype=str,
                     keep_default_na=False)
    versions = [{"model_version": r["id"], "model": r["Model"] or None,
                 "release_date": _date(r["Version release date"]),
                 "hf_developer_id": r["Hugging Face developer id"] or None} for r in mv.to_dict("records")]
    model_of = {v["model_version"]: v["model"] for v in versions}
    scores = []
    mmlu = pd.read_csv(ep / "benchmarks/external_benchmark_mmlu.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    for r in mmlu.to_dict("records"):
        scores.append({"benchmark": "mmlu", "model_version": r["Model version"] or None,
                       "name": r["Name"] or None, "model": model_of.get(r["Model version"]),
                       "score": float(r["EM"].rstrip("%")) / 100 if r["EM"] else None})
    runs = pd.read_csv(ep / "benchmarks/benchmarks_runs.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    for r in runs.to_dict("records"):
        if r["task"] == "GPQA diamond":
            scores.append({"benchmark": "gpqa_diamond", "model_version": r["model"], "name": None,
                           "model": model_of.get(r["model"]),
                           "score": float(r["Best score (across scorers)"] or "nan")})
    ratings = []
    wide = pd.read_csv(la / "lmarena_history_text_overall_wide.csv")
    date_col = wide.columns[0]
    for r in wide.to_dict("records"):
        d = dt.datetime.strptime(str(int(r[date_col])), "%Y%m%d").date()
        for k, v in r.items():
            if k != date_col and v and v > 0:
                ratings.append({"date": d, "arena_key": k, "category": "overall", "rating": v,
                                "file": "lmarena_history_text_overall_wide.csv"})
    hist = pd.read_csv(la / "leaderboard_text_full_history.csv")
    for r in hist.to_dict("records"):
        ratings.append({"date": _date(r["commit_date"]), "arena_key": r["model"], "category": "overall",
                        "rating": r["rating"], "file": "leaderboard_text_full_history.csv"})
    cat = json.loads((la / "scatterplot-data.json").read_text())
    arena_models = [{"arena_key": r["model_api_name"], "name": r["name"],
                     "organization": r["organization"], "license": r["license"]} for r in cat]
    return {"models": _models(ep / "notable_ai_models.csv"),
            "frontier_models": _models(ep / "frontier_ai_models.csv"),
            "large_scale_models": _models(ep / "large_scale_ai_models.csv"),
            "model_versions": versions, "benchmark_scores": scores, "arena_ratings": ratings,
            "arena_models": arena_models}
