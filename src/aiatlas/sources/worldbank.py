"""World Bank population by country and year (SP.POP.TOTL), the denominator of per-capita views."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need
from aiatlas.sources.countries import economy

FILE = "population.csv"
FIELDS = (f("name", "Country Name"), f("code", "Country Code", required=True),
          f("year", "Year", kind="int", required=True),
          f("population", "Value", kind="number", required=True))


def clean_population(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """population.csv -> population; World, regions and income groups are kept but not countries."""
    sheet = Sheet(SOURCE.id, FILE, need(files, FILE, SOURCE.id), FIELDS, rejects)
    out = []
    for row, c in sheet.rows():
        if c["code"] is None or c["year"] is None or c["population"] is None:
            if c["code"] is None:
                sheet.reject(row, "Country Code", None, "empty code; row dropped")
            continue  # an unparsable year or value was rejected already; no row without them
        try:
            c["country"], c["is_country"] = economy(c["code"])
        except ValueError:
            sheet.reject(row, "Country Code", c["code"], "not an ISO 3166-1 alpha-3 code nor a "
                                                         "World Bank aggregate code; row dropped")
            continue
        out.append(c)
    return {"population": out}


SOURCE = Source(
    id="worldbank_population", publisher="World Bank", title="Population, total (SP.POP.TOTL)",
    licence="CC BY 4.0 (World Bank data; the Frictionless package states ODC-PDDL-1.0)",
    citation="World Bank, 'Population, total' (SP.POP.TOTL), https://data.worldbank.org/"
             "indicator/SP.POP.TOTL, via the datasets/population data package",
    homepage="https://data.worldbank.org/indicator/SP.POP.TOTL",
    notes="github.com/datasets/population at commit 425fc44 (2026-03-06); years 1960-2024. "
          "Aggregates (World, regions, income groups, Channel Islands) have no ISO code and are "
          "flagged is_country = false.",
    files=(SourceFile(FILE, "https://raw.githubusercontent.com/datasets/population/main/data/"
                            "population.csv", "worldbank/population.csv", as_of="2026-03-06",
                      known_sha256="7d2dd6a17f5ed7916de1f89a9c116791e64d207f2e2f6ce47c57e1ab46f0088a"),),
    tables=("population",), clean=clean_population)

SOURCES = (SOURCE,)
