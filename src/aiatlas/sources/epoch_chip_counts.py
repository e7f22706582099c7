"""Epoch AI chip sales by designer and chip holdings by owner, with 5th-95th percentile bands."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiatlas.sources.base import Rejects, Source, SourceFile
from aiatlas.sources.cleaning import Sheet, f, need

LICENCE = "CC BY 4.0 (Epoch AI data hub); estimation code MIT"
REPO = "https://raw.githubusercontent.com/epoch-research/ai-chip-counts/" \
       "d1b1bc311479ed385befa400e94533afc8b59fb7/"
AS_OF = {"sales": "2026-03-31", "owners": "2026-04-15"}

# Header variants across the exports: 'Number of Units' vs 'Number of units (median)', ...
FIELDS = (
    f("name", "Name", required=True),
    f("designer", "Chip manufacturer"),
    f("owner", "Owner"),
    f("chip_type", "Chip type"),
    f("start_date", "Start date", kind="date"),
    f("end_date", "End date", kind="date", required=True),
    f("units", "Number of Units (median)", "Number of units (median)", "Number of Units",
      kind="number"),
    f("units_p5", "Number of Units (5th percentile)", "Number of units (5th percentile)",
      kind="number"),
    f("units_p95", "Number of Units (95th percentile)", "Number of units (95th percentile)",
      kind="number"),
    f("h100e", "Compute estimate in H100e (median)", kind="number"),
    f("h100e_p5", "H100e (5th percentile)", "Compute estimate in H100e (5th percentile)",
      kind="number"),
    f("h100e_p95", "H100e (95th percentile)", "Compute estimate in H100e (95th percentile)",
      kind="number"),
    f("power_mw", "Power in MW (median)", kind="number"),
    f("power_mw_p5", "Power in MW (5th percentile)", kind="number"),
    f("power_mw_p95", "Power in MW (95th percentile)", kind="number"),
    f("incomplete", "Incomplete", kind="bool", empty=False),  # a tick box: 'checked' or empty
    f("notes", "Notes"),
)

# Where an owner's chips are counted: China is the country; the companies are US-headquartered
# (their chips may sit abroad); 'Other' is everyone else and has no country.
OWNER_COUNTRY = {"China": "CHN", "Microsoft": "USA", "Meta": "USA", "Google": "USA",
                 "Amazon": "USA", "Oracle": "USA", "CoreWeave": "USA", "Other": None}

_ESTIMATED = re.compile(r"Estimates generated on: (\d{2})-(\d{2})-(\d{4})")


def series(file: str) -> str:
    """What one row of this file counts, from the file name (the files overlap: never sum across)."""
    stem = file.removesuffix(".csv")
    if stem.endswith("cumulative_totals"):
        return "cumulative"
    if stem.endswith("cumulative_by_chip"):
        return "cumulative_by_chip"
    if "fiscal_quarter" in stem:
        return "fiscal_quarter_by_chip"
    if stem.endswith(("chip_timelines", "quarters_by_chip")):
        return "quarter_by_chip"
    return "quarter"  # *_owners_quarters.csv


def _rows(source: str, files: dict[str, Path], rejects: Rejects,
          owners: bool) -> list[dict[str, Any]]:
    out = []
    for file in sorted(files):
        sheet = Sheet(source, file, need(files, file, source), FIELDS, rejects)
        for row, c in sheet.rows():
            c["file"], c["series"] = file, series(file)
            m = _ESTIMATED.search(c["notes"] or "")
            c["estimated_on"] = sheet.typed(row, "Notes", f"{m[3]}-{m[1]}-{m[2]}", "date") if m else None
            if owners:
                if c["owner"] not in OWNER_COUNTRY:
                    sheet.reject(row, "Owner", c["owner"], "unknown owner (expected one of: "
                                 f"{', '.join(OWNER_COUNTRY)}); owner_country loaded as NULL")
                c["owner_country"] = OWNER_COUNTRY.get(c["owner"])
            out.append(c)
    return out


def clean_sales(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """csv_export/*.csv -> ai_chip_sales, one row per file row, tagged with its series."""
    return {"ai_chip_sales": _rows(SALES.id, files, rejects, owners=False)}


def clean_owners(files: dict[str, Path], rejects: Rejects) -> dict[str, list[dict[str, Any]]]:
    """owners_csv_export/**.csv -> ai_chip_owners, with the owner's country."""
    return {"ai_chip_owners": _rows(OWNERS.id, files, rejects, owners=True)}


def _files(kind: str, listing: tuple[tuple[str, str], ...]) -> tuple[SourceFile, ...]:
    folder = "csv_export/" if kind == "sales" else "owners_csv_export/"
    return tuple(SourceFile(
        path.rsplit("/", 1)[-1], REPO + folder + path, f"epoch/ai_chip_counts/{folder}{path}",
        url_verified=False, as_of=AS_OF[kind], known_sha256=sha,
        note=f"the data hub publishes these as https://epoch.ai/data/ai_chip_{kind}.zip (file "
             "names inside may differ); the URL is the estimation repository at the mirrored commit")
        for path, sha in listing)


SALES = Source(
    id="epoch_ai_chip_sales", publisher="Epoch AI", title="AI Chip Sales", licence=LICENCE,
    citation="Epoch AI, 'AI Chip Sales'. Retrieved from https://epoch.ai/data",
    homepage="https://github.com/epoch-research/ai-chip-counts",
    notes="Sales timelines by designer (Nvidia, AMD, Google TPU, Amazon Trainium); units and "
          "H100-equivalents with 5th/95th percentiles. Quarter, fiscal-quarter and cumulative "
          "files describe the same sales: rows are tagged with their series.",
    files=_files("sales", (
        ("amd_chip_timelines.csv", "39f8e6e9226bc6dd4d57f7bbbdfd2629ed2a427ab865314b4e3e3f6497528bbc"),
        ("amd_cumulative_by_chip.csv", "99cd4307eb9bbbeead4a4bb5c304d679e887af10cd2dcacda18c16f293b64c66"),
        ("amd_cumulative_totals.csv", "67d0dfb8f571d68c6db94d14a4e52b52f6989026a2cce5aa7b5df3ffc8f5a357"),
        ("nvidia_calendar_quarter_chip_timelines.csv",
         "03aab96d93c4e430570dacd64c2eae5d0d91260a40efb407a4385f1df8cf6717"),
        ("nvidia_cumulative_by_chip.csv", "aa9b8c5eb72dcb94a7fc0f1985e9846f2a68ec6f7cbff4b3a8cda303be834981"),
        ("nvidia_cumulative_totals.csv", "d6f83b1e1b15fd00a88ca20aaa28318b79a1c2bd6d62dcb9fdceecee9281d172"),
        ("nvidia_fiscal_quarter_chip_timelines.csv",
         "8dbca938cec123973b3d247f3148dc185786191a9697e10e21a5a20ba3f529bd"),
        ("tpu_calendar_quarter_chip_timelines.csv",
         "f7eccdfe3b1fede4ac7b3930c7b50930914c0ce5c829848a325a3fc841c78cfc"),
        ("tpu_cumulative_by_chip.csv", "f82b80ac1142a8af6e0f6f9c4955b4a0d88227d8353cc091151ccd222054f28f"),
        ("tpu_cumulative_totals.csv", "b5e2d34417d60a514a32d4201f8f19fb838bd622a87e89c0cd07724a51799b4d"),
        ("tpu_fiscal_quarter_chip_timelines.csv",
         "e87d90c65295e1974257c7fd21f89996d953aa61dc503ad20014fdb74e7c59a6"),
        ("trainium_chip_timelines.csv", "a4c9bf5327fb35fc14d47c03f92739ecaa7c53c2aa3c923c2e98fefd9426d8c7"),
        ("trainium_cumulative_by_chip.csv",
         "f7d242d626a873cc8503b6efc9fc43a4b307c30a726d1b2f9290b9aa6c49711c"),
        ("trainium_cumulative_totals.csv",
         "ab1ee5bed7f5bd15ae01858912bb2c912df4f22d440ee0a4ba1cbb7bac4d0ee6"))),
    tables=("ai_chip_sales",), clean=clean_sales)

OWNERS = Source(
    id="epoch_ai_chip_owners", publisher="Epoch AI", title="AI Chip Owners", licence=LICENCE,
    citation="Epoch AI, 'AI Chip Owners'. Retrieved from https://epoch.ai/data",
    homepage="https://github.com/epoch-research/ai-chip-counts",
    notes="Holdings by owner (Microsoft, Meta, Google, Amazon, Oracle, CoreWeave, China, Other); "
          "'Other' excludes the named owners (and xAI); China's holdings are an owner row.",
    files=_files("owners", (
        ("amd_owners_cumulative_by_chip.csv",
         "212018efaed78052ec75fc189a06b14b3dfefb1d3804d974dddf9feaf9f979c7"),
        ("amd_owners_cumulative_totals.csv",
         "bc5738bc2f61d3b7eadc6b9ef2ad2eafd5d36e35e8512cba185008af57921aaf"),
        ("amd_owners_quarters.csv", "d0cd95030670a241e0caba273cf83c89ee01b00e018d4fccc3ec8888f86b681d"),
        ("amd_owners_quarters_by_chip.csv",
         "f9993550b21dd09246a469413f35a9694dee9b4ed339adfed025bf8548b1dce0"),
        ("coreweave/coreweave_owners_cumulative_by_chip.csv",
         "ec67e82229835389cd74c406549edacd2dc7286d480e49a9ef5feabf06ceffdd"),
        ("coreweave/coreweave_owners_cumulative_totals.csv",
         "4ea469131130e93ff1db4725b1721d04066462fd634d8ed6095913bae4c322e5"),
        ("coreweave/coreweave_owners_quarters_by_chip.csv",
         "17da795ff58c7875f44a5b3fad590d9da08773b37a125a7c3a97d56f863160e6"),
        ("nvidia_owners_OTHER_cumulative_by_chip.csv",
         "9a6c6fa6decc818a13cce56cf081720486f6b336e5f46637a2cd482f0e2fb494"),
        ("nvidia_owners_OTHER_cumulative_totals.csv",
         "12ed16eff9df6418e201f21904ff2368ade2b37303356311bac487f02b8dc233"),
        ("nvidia_owners_OTHER_quarters_by_chip.csv",
         "0db16cf8dfd9c0023e754a068e210c7db6dc68ba140a9c1af75aa40f8517d47d"),
        ("nvidia_owners_cumulative_by_chip.csv",
         "dda82d99cca2a8081664bf59058978a87a206c3c24a7a935796dd0e63da220a5"),
        ("nvidia_owners_cumulative_totals.csv",
         "b3f4e74e31e1c89aa1469e48990756d310779dfb4f4038d9a13f491769c3dedb"),
        ("nvidia_owners_quarters.csv", "c7d7247a8978927125cf4c0497e52b2513cc5309b4c7f947c84d21a73b24299e"),
        ("nvidia_owners_quarters_by_chip.csv",
         "3dea4a2272ee8403f729ed1047ee42111d9368367af8c3fe748924bc68b82221"),
        ("tpu_owners_cumulative_by_chip.csv",
         "41962b39d2e2b809e51815035a5b6aedbda82f6702558f871559f7203c33cbd5"),
        ("tpu_owners_cumulative_totals.csv",
         "203c595c8c3e38d4226475ede9316b32b6c0182b1dc1a069ec7c9105221ed204"),
        ("tpu_owners_quarters_by_chip.csv",
         "43d7952a7874562abab1fcd08c893be512bd39742000a442baec8594343d2b28"),
        ("trainium_owners_cumulative_by_chip.csv",
         "95d87eb4093795880d09c2dcfef08ef70a207aa4b34875e3b148eb19c090a126"),
        ("trainium_owners_cumulative_totals.csv",
         "5cd42f723380e1b52e16313428061d5284e67fa25d44628cb7eb5e9563330bc4"),
        ("trainium_owners_quarters_by_chip.csv",
         "d10efef7b203647d87654c25fec3199823109dfb7b7e0effa1364865f0146ab3"))),
    tables=("ai_chip_owners",), clean=clean_owners)

SOURCES = (SALES, OWNERS)
