"""Epoch AI company data (funding, revenue, staff, usage, compute spend) and frontier data centers."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need, parse_number, simple

PUBLISHER = "Epoch AI"
LICENCE = "CC BY 4.0 (assumed from Epoch's general data licence)"
HUB = "https://epoch.ai/data"
AS_OF = "2025-12-14"

COMPANY_FILES = {  # file -> (table, fields)
    "ai_companies.csv": ("ai_companies", (
        f("name", "Name", required=True),
        f("organization", "Organization (from Organizations)"),
        f("company_type", "Company type"),
        f("product_domains", "Product Domain(s)", kind="list"),
        f("founding_date", "Founding date", kind="date"))),
    "ai_companies_compute_spend.csv": ("ai_company_compute_spend", (
        f("id", "Id"), f("company", "Company", required=True),
        f("amount_usd", "Amount", kind="number"), f("categories", "Category", kind="list"),
        f("period_type", "Period type"), f("date", "Date", kind="date"),
        f("report_date", "Report date", kind="date"), f("confidence", "Confidence"),
        f("inference_spend_usd", "Inference compute spend", kind="number"),
        f("rnd_spend_usd", "R&D compute spend", kind="number"),
        f("total_spend_usd", "Total compute spend", kind="number"))),
    "ai_companies_funding_rounds.csv": ("ai_company_funding_rounds", (
        f("id", "Id"), f("company", "Company", required=True),
        f("close_date", "Close date", kind="date"), f("status", "Status"),
        f("equity_usd", "Funding (equity)", kind="number"),
        f("debt_usd", "Funding (debt)", kind="number"),
        f("valuation_post_money_usd", "Valuation (post-money)", kind="number"),
        f("report_date", "Report date", kind="date"), f("types", "Type", kind="list"),
        f("confidence", "Confidence"))),
    "ai_companies_revenue_reports.csv": ("ai_company_revenue", (
        f("company", "Company", required=True), f("date", "Date", kind="date"),
        f("annualized_revenue_usd", "Revenue amount (normalize to annual)", kind="number"))),
    "ai_companies_staff_reports.csv": ("ai_company_staff", (
        f("id", "Id"), f("company", "Company", required=True),
        f("staff_count", "Staff count", kind="number"), f("date", "Date", kind="date"),
        f("type", "Type"), f("division", "Division name"), f("confidence", "Confidence"))),
    "ai_companies_usage_reports.csv": ("ai_company_usage", (
        f("id", "Id"), f("company", "Company", required=True), f("product", "Product"),
        f("active_users", "Active users", kind="number"),
        f("active_users_period", "Active users time period"),
        f("daily_tokens", "Daily tokens", kind="number"),
        f("daily_messages", "Daily messages", kind="number"), f("date", "Date", kind="date"),
        f("report_date", "Report date", kind="date"), f("confidence", "Confidence"))),
}

DATA_CENTER_FIELDS = (
    f("handle", "Handle", required=True), f("title", "Title"), f("project", "Project"),
    f("address", "Address"), f("latitude", "Latitude"), f("longitude", "Longitude"),
    f("owner", "Owner"), f("users", "Users"),
    f("h100_equivalents", "Current H100 equivalents", kind="number"),
    f("power_mw", "Current power (MW)", kind="number"),
    f("capital_cost_usd_billions", "Current total capital cost (2025 USD billions)", kind="number"),
)

TIMELINE_FIELDS = (
    f("date", "Date", kind="date", required=True),
    f("data_center", "Data center", required=True),
    f("construction_status", "Construction status"),
    f("power_mw", "Power (MW)", kind="number"),
    f("h100_equivalents", "H100 equivalents", kind="number"),
    f("buildings_operational", "Buildings operational", kind="number"),
    f("capital_cost_usd_billions", "Total capital cost (2025 USD billions)", kind="number"),
    f("compute_cost_usd_billions", "Compute cost (2025 USD billions)", kind="number"),
    f("construction_cost_usd_billions", "Construction cost (2025 USD billions)", kind="number"),
    f("water_use_mgd", "Water use (MGD)", kind="number"),
    f("ops_8bit", "Performance (8-bit OP/s)", kind="number"),
)

# 32°35'25"N -> 32.59; the file writes coordinates in degrees, minutes, seconds.
_DMS = re.compile(r"""^(\d+(?:\.\d+)?)°\s*(?:(\d+(?:\.\d+)?)['′]\s*)?(?:(\d+(?:\.\d+)?)["″]\s*)?([NSEW])$""")


def degrees(text: str) -> float:
    """Decimal degrees from a DMS coordinate like 32°35'25"N (south and west negative)."""
    m = _DMS.match(text.strip())
    if not m:
        return parse_number(text)  # already decimal; ValueError when it is neither
    value = float(m[1]) + float(m[2] or 0) / 60 + float(m[3] or 0) / 3600
    return -value if m[4] in "SW" else value


def clean_companies(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """Each ai_companies file into its own table."""
    return {table: simple(COMPANIES.id, file, files, fields, rejects)
            for file, (table, fields) in COMPANY_FILES.items()}


def clean_data_centers(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """data_centers.csv (coordinates to decimal degrees) and data_center_timelines.csv."""
    file = "data_centers.csv"
    sheet = Sheet(DATA_CENTERS.id, file, need(files, file, DATA_CENTERS.id), DATA_CENTER_FIELDS,
                  rejects)
    centers = []
    for row, c in sheet.rows():
        for col, header in (("latitude", "Latitude"), ("longitude", "Longitude")):
            if c.get(col):
                try:
                    c[col] = degrees(c[col])
                except ValueError:
                    sheet.reject(row, header, c[col], "not a coordinate such as 32°35'25\"N; "
                                                      "loaded as NULL")
                    c[col] = None
        centers.append({fl.name: c.get(fl.name) for fl in DATA_CENTER_FIELDS})
    timelines = simple(DATA_CENTERS.id, "data_center_timelines.csv", files, TIMELINE_FIELDS, rejects)
    return {"data_centers": centers, "data_center_timelines": timelines}


def _file(name: str, folder: str, sha: str) -> SourceFile:
    return SourceFile(name, HUB, f"epoch/{folder}/{name}", url_verified=False, as_of=AS_OF,
                      known_sha256=sha, note="exact download URL not verifiable; the data hub is given")


COMPANIES = Source(
    id="epoch_ai_companies", publisher=PUBLISHER, title="AI Companies", licence=LICENCE,
    citation="Epoch AI, 'Data on AI Companies'. Retrieved from https://epoch.ai/data",
    homepage=HUB, notes="Re-saved through a spreadsheet upstream: M/D/YYYY dates.",
    files=tuple(_file(n, "ai_companies", s) for n, s in (
        ("ai_companies.csv", "1f04dc712d399bf6c57b1769a613ad26cb8233cbcba50f79303c642dfeb68a56"),
        ("ai_companies_compute_spend.csv",
         "f76bb39a23307242a5096af23f450d36be2967fb84ee9ed6d92142d11a9ae219"),
        ("ai_companies_funding_rounds.csv",
         "15670b35796ad41adb3fa2bea206ab8198e85117b10cf9e87ce475eb491fe5af"),
        ("ai_companies_revenue_reports.csv",
         "215b27d7f2e9ccea8a2036483495117723ff7ff302461327023c4a962ae2ea41"),
        ("ai_companies_staff_reports.csv",
         "a17df2179dcd00a65d298341c26fbda8c2ddde79a9935e500ea9403d7309fc16"),
        ("ai_companies_usage_reports.csv",
         "e2f2c381c924e314fb1c8563bd7b0f7e492df729dbe8e610268183942d2af22f"))),
    tables=tuple(t for t, _ in COMPANY_FILES.values()), clean=clean_companies)

DATA_CENTERS = Source(
    id="epoch_data_centers", publisher=PUBLISHER, title="Frontier Data Centers", licence=LICENCE,
    citation="Epoch AI, 'Frontier Data Centers'. Retrieved from https://epoch.ai/data",
    homepage=HUB, notes="Re-saved through a spreadsheet upstream: M/D/YYYY dates.",
    files=(_file("data_centers.csv", "data_centers",
                 "02a3e9a135ee07ae93a7bd78386846b99567047895415feafaab8200f20e49b1"),
           _file("data_center_timelines.csv", "data_centers",
                 "43132cb5f74d2988f35ab1d8ef3d699fc779014b2df9c32d4a60e2f4fbec24c5")),
    tables=("data_centers", "data_center_timelines"), clean=clean_data_centers)

SOURCES = (COMPANIES, DATA_CENTERS)
