"""Epoch Capabilities Index (ECI): one capability score per model, with its 90% interval."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need, slug, split_list
from aiatlas.sources.countries import iso3

FILE = "eci_scores.csv"
FIELDS = (
    f("model", "Model", required=True),
    f("display_name", "Display name"),
    f("eci", "eci", kind="number", required=True),
    f("eci_low", "eci_ci_low", kind="number"),
    f("eci_high", "eci_ci_high", kind="number"),
    f("release_date", "date", kind="date"),
    f("organization", "Organization"),
    f("countries", "Country (of organization)"),
    f("accessibility", "Model accessibility"),
    f("accessibility_group", "Accessibility group"),
    f("model_versions", "model_versions"),
)
COLUMNS = ("model_id", *(fl.name for fl in FIELDS))


def clean_eci(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """eci_scores.csv -> eci_scores; a row without a model name or score is dropped (it is the key)."""
    sheet = Sheet(SOURCE.id, FILE, need(files, FILE, SOURCE.id), FIELDS, rejects)
    out = []
    for row, c in sheet.rows():
        if not c["model"]:
            sheet.reject(row, "Model", None, "empty model name (expected a name); row dropped")
            continue
        if c["eci"] is None:
            last = rejects.rows[-1] if rejects.rows else {}
            if (last.get("file"), last.get("row"), last.get("column")) != (FILE, row, "eci"):
                sheet.reject(row, "eci", None, "empty ECI score (expected a number); row dropped")
            continue  # an unparseable score was rejected already
        codes = []
        for name in split_list(c["countries"]):
            try:
                code = iso3(name)
            except ValueError:
                sheet.reject(row, "Country (of organization)", name,
                             "unknown country name (expected a name pycountry knows); left out")
                continue
            if code and code not in codes:
                codes.append(code)
        c["countries"] = codes
        c["model_id"] = slug(c["model"])
        out.append({k: c.get(k) for k in COLUMNS})
    return {"eci_scores": out}


SOURCE = Source(
    id="epoch_eci", publisher="Epoch AI", title="Epoch Capabilities Index (ECI) scores",
    licence="CC BY 4.0", citation="Epoch AI, 'Epoch Capabilities Index'. Retrieved from "
                                  "https://epoch.ai/data/eci_scores.csv",
    homepage="https://epoch.ai/benchmarks",
    notes="Mirror copy kept by github.com/IAPS-AI/ECI-Accessibility-Gap (data/eci_scores.csv, "
          "commit 89cb50f, a daily refresh from the canonical URL). eci_ci_low/high are a 90% "
          "interval.",
    files=(SourceFile(FILE, "https://epoch.ai/data/eci_scores.csv", "epoch/eci_scores.csv",
                      as_of="2026-02-08",
                      known_sha256="d0e6d34325be398baa38744fad7dfa0b4be90a79d3b3e79bac25e1bf9fe4d1f4"),),
    tables=("eci_scores",), clean=clean_eci)

SOURCES = (SOURCE,)
