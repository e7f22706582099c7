"""Epoch AI 'Data on AI Models': notable, frontier and large-scale models (and an older export)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, distinct, f, need, slug, split_list
from aiatlas.sources.countries import iso3

PUBLISHER = "Epoch AI"
LICENCE = "CC BY 4.0"
CITATION = ("Epoch AI, 'Data on AI Models' / 'Parameter, Compute and Data Trends in Machine "
            "Learning'. Retrieved from https://epoch.ai/data/ai-models")

# One alias table for every export we have seen: newest header first, then older spellings.
FIELDS = (
    f("name", "Model", "System", required=True),
    f("organizations", "Organization", required=True),
    f("publication_date", "Publication date", kind="date", required=True),
    f("countries", "Country (of organization)", "Country (from Organization)", required=True),
    f("sectors", "Organization categorization"),
    f("parameters", "Parameters", kind="number"),
    f("training_compute_flop", "Training compute (FLOP)", kind="number"),
    f("training_cost_usd", "Training compute cost (2023 USD)", kind="number"),
    f("accessibility", "Model accessibility"),
    f("open_weights_answer", "Open model weights?"),
    f("frontier", "Frontier model", kind="bool", empty=False),  # a tick box: empty = not marked
    f("notability", "Notability criteria", kind="list"),
    f("domains", "Domain", kind="list"),
    f("base_model", "Base model"),
    f("training_dataset_size", "Training dataset size (total)", "Training dataset size (datapoints)",
      "(DEPRECATED) Training dataset size (datapoints)", "Training dataset size (gradients)",
      kind="number"),
    f("hardware_utilization", "Hardware utilization (MFU)", "Hardware utilization", kind="number"),
    f("training_hardware", "Training hardware", kind="list"),
    f("hardware_quantity", "Hardware quantity", kind="number"),
    f("training_power_w", "Training power draw (W)", kind="number"),
)

_OPEN = {"yes": True, "no": False}
# Fields that go to the models table exactly as typed.
_AS_IS = ("parameters", "training_compute_flop", "training_cost_usd", "accessibility",
          "notability", "domains", "base_model", "training_dataset_size", "hardware_utilization",
          "training_hardware", "hardware_quantity", "training_power_w")


def _open_weights(answer: str | None, accessibility: str | None) -> bool | None:
    """'Open model weights?' when answered, else read from accessibility ('Open weights (...)')."""
    if answer and answer.lower() in _OPEN:
        return _OPEN[answer.lower()]
    if accessibility:
        return accessibility.lower().startswith("open weights")
    return None


def _countries(sheet: Sheet, row: int, cell: str | None) -> list[str | None]:
    """Each country entry as ISO alpha-3; None for 'Multinational' or an unknown name (rejected)."""
    out: list[str | None] = []
    for name in split_list(cell):
        try:
            out.append(iso3(name))
        except ValueError:
            sheet.reject(row, sheet.header[sheet.index["countries"]], name,
                         "unknown country name (expected a name pycountry knows); entry loaded "
                         "as NULL")
            out.append(None)
    return out


def clean_models(source: str, file: str, path: Path, rejects: Rejects, table: str,
                 with_organizations: bool) -> dict[str, list[dict[str, Any]]]:
    """Typed rows of a models export, plus model_organizations/model_countries when asked."""
    sheet = Sheet(source, file, path, FIELDS, rejects, date_order="mdy")
    models, orgs_out, countries_out, seen = [], [], [], set()
    last_suffix: dict[str, int] = {}  # per slug, so N duplicates cost N steps, not N^2/2
    for row, c in sheet.rows():
        if not c["name"]:
            sheet.reject(row, sheet.header[sheet.index["name"]], None,
                         "empty model name (expected a name); row dropped")
            continue
        model_id = slug(c["name"]) or f"row-{row}"
        base, n = model_id, last_suffix.get(model_id, 1)
        while model_id in seen:  # two names with the same slug: later rows get -2, -3, ...
            n += 1
            model_id = f"{base}-{n}"
        last_suffix[base] = n
        seen.add(model_id)
        orgs = split_list(c["organizations"])
        codes = _countries(sheet, row, c["countries"])
        sectors = split_list(c["sectors"])
        date = c["publication_date"]
        models.append({
            "model_id": model_id, "name": c["name"], "organizations": distinct(orgs),
            "countries": distinct(x for x in codes if x), "sectors": distinct(sectors),
            "publication_date": date, "year": date.year if date else None,
            "open_weights": _open_weights(c["open_weights_answer"], c["accessibility"]),
            "frontier": c["frontier"],  # NULL only when the export has no such column
            **{name: c[name] for name in _AS_IS},
        })
        if with_organizations:
            orgs_out += organization_rows(model_id, orgs, codes, sectors)
            countries_out += [{"model_id": model_id, "position": i, "country": code}
                              for i, code in enumerate(models[-1]["countries"], 1)]
    out = {table: models}
    if with_organizations:
        out |= {"model_organizations": orgs_out, "model_countries": countries_out}
    return out


def organization_rows(model_id: str, orgs: list[str], codes: list[str | None],
                      sectors: list[str]) -> list[dict[str, Any]]:
    """One row per listed organization; country and sector only when all three lists line up.

    Epoch writes one country and one category per organization, but in some rows the lists
    differ in length, and then no entry can be matched to its organization safely. A
    'Multinational' entry is already None in `codes`, so that organization has no country.
    """
    aligned = len(orgs) == len(codes) == len(sectors)
    return [{"model_id": model_id, "position": i, "organization": org,
             "country": codes[i - 1] if aligned else None,
             "sector": sectors[i - 1] if aligned else None, "aligned": aligned}
            for i, org in enumerate(orgs, 1)]


def _cleaner(file: str, table: str, with_organizations: bool):
    def clean(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
        return clean_models(SOURCE_IDS[file], file, need(files, file, SOURCE_IDS[file]), rejects,
                            table, with_organizations)
    clean.__doc__ = f"Clean {file} into {table}."
    return clean


SOURCE_IDS = {"notable_ai_models.csv": "epoch_notable_models",
              "notable_ai_models_2025-04-18.csv": "epoch_notable_models_2025_04",
              "frontier_ai_models.csv": "epoch_frontier_models",
              "large_scale_ai_models.csv": "epoch_large_scale_models"}
_MODEL_TABLES = ("models", "model_organizations", "model_countries")

NOTABLE = Source(
    id="epoch_notable_models", publisher=PUBLISHER, title="Notable AI Models", licence=LICENCE,
    citation=CITATION, homepage="https://epoch.ai/data/notable-ai-models",
    files=(SourceFile("notable_ai_models.csv", "https://epoch.ai/data/notable_ai_models.csv",
                      "epoch/notable_ai_models.csv", as_of="2026-07-19",
                      known_sha256="c5a262f52d614d11d7b6f0e5e2ac07d3501cfd7d325d92895bb2c5a9190ed860"),),
    tables=_MODEL_TABLES, clean=_cleaner("notable_ai_models.csv", "models", True))

NOTABLE_2025_04 = Source(
    id="epoch_notable_models_2025_04", publisher=PUBLISHER,
    title="Notable AI Models, export of April 2025 (older header variant)", licence=LICENCE,
    citation=CITATION, homepage="https://epoch.ai/data/notable-ai-models",
    archive_of="epoch_notable_models",
    notes="An archive of epoch_notable_models: fetched by default from a mirror (its canonical "
          "URL serves the newest export), built only as that source's "
          "snapshot in a vintage (`aiatlas build --as-of 2025-04-18` or later, before the newest "
          "export's as-of). It is the export closest to the AI Index 2025; its older header "
          "(`Country (from Organization)`, `Hardware utilization`) loads through the same cleaner.",
    files=(SourceFile("notable_ai_models_2025-04-18.csv",
                      "https://epoch.ai/data/notable_ai_models.csv",
                      "epoch/archive/notable_ai_models_2025-04-18.csv", as_of="2025-04-18",
                      known_sha256="cdffd9c354fcf90e57de06b4ba492cc66a6553cf272d2225bac4f26bddfac870",
                      note="the canonical URL serves the newest export, not this one"),),
    tables=_MODEL_TABLES, clean=_cleaner("notable_ai_models_2025-04-18.csv", "models", True))

_HUB = "https://epoch.ai/data/ai-models"
FRONTIER = Source(
    id="epoch_frontier_models", publisher=PUBLISHER, title="Frontier AI Models (Dec 2025 export)",
    licence=LICENCE, citation=CITATION, homepage=_HUB,
    files=(SourceFile("frontier_ai_models.csv", _HUB, "epoch/frontier_ai_models.csv",
                      url_verified=False, as_of="2025-12-02",
                      known_sha256="13fe24596e41e243d3fc0b5b11bb6acd9b5efd796e3bff965d0d64db2552ade3",
                      note="exact download URL not verifiable; the hub page is given"),),
    tables=("frontier_models",), clean=_cleaner("frontier_ai_models.csv", "frontier_models", False))

LARGE_SCALE = Source(
    id="epoch_large_scale_models", publisher=PUBLISHER,
    title="Large-Scale AI Models (Dec 2025 export)", licence=LICENCE, citation=CITATION,
    homepage=_HUB,
    files=(SourceFile("large_scale_ai_models.csv", _HUB, "epoch/large_scale_ai_models.csv",
                      url_verified=False, as_of="2025-12-02",
                      known_sha256="e25a79f000a76d1c3ffc7c25cd8ddeb5c9a27a5d5a249c20cdc51e3aeb38637c",
                      note="exact download URL not verifiable; the hub page is given"),),
    tables=("large_scale_models",),
    clean=_cleaner("large_scale_ai_models.csv", "large_scale_models", False))

SOURCES = (NOTABLE, FRONTIER, LARGE_SCALE, NOTABLE_2025_04)
