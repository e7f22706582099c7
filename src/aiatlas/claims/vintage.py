"""Which data vintages a claim can be checked against: archived exports, built as vintages.

The warehouse builds a vintage with `aiatlas build --as-of DATE` (`<home>/vintages/DATE/`, each
source from its newest snapshot with data as of DATE, archive exports included). The checker
uses one vintage per archived export it holds, and the vintage a named publication could have
used ('AI Index 2025'), so a figure true on the publisher's data is `revised`, not `contradicted`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiatlas.config import settings
from aiatlas.curated import published
from aiatlas.sources import registry
from aiatlas.warehouse.vintages import vintage_dates

# publications an article may name, the date of the data they could have used, and the file of
# curated/published/ that holds the figures they printed (None: no printed figures curated)
PUBLICATIONS = [
    (re.compile(r"AI\s?Index\s?(?:Report\s?)?2025|AIインデックス\s?2025|AI白書\s?2025", re.IGNORECASE),
     "AI Index 2025", dt.date(2025, 4, 30), "ai_index_2025"),
]
# a series named without its edition ('the AI Index counted 40 for the US in 2024'): an edition
# reports the year before its own, so the claim's year names it (2024 -> ai_index_2025)
SERIES = [
    (re.compile(r"\bAI\s?Index\b(?!\s?(?:Report\s?)?\d)|AIインデックス(?!\s?\d)", re.IGNORECASE),
     "AI Index {edition}", "ai_index_{edition}"),
]


@dataclass(frozen=True)
class Printed:
    """A figure the cited publication printed for the claim's measure, subject and year."""

    publication: str  # its name ('AI Index 2025')
    cited_as: str  # as the article writes it ('AIインデックス2025'), for the reader's language
    value: float
    as_printed: str
    data_as_of: dt.date | None  # the publisher's own data snapshot (else the vintage it could
    # use); None when the figure rests on data the publication does not date (the Arena's)
    data_source: str  # whose data it is ('Epoch AI'), '' when not recorded
    figure: published.Figure
    source: published.Publication

    @property
    def whose(self) -> str:
        """'Epoch AI data of 2025-03-17', 'LMArena data', 'its data'."""
        who = f"{self.data_source} data" if self.data_source else "its data"
        return f"{who} of {self.data_as_of}" if self.data_as_of else who

    @property
    def whose_ja(self) -> str:
        """'2025-03-17時点のEpoch AIのデータ', 'LMArenaのデータ', '同書のデータ'."""
        who = f"{self.data_source}のデータ" if self.data_source else "同書のデータ"
        return f"{self.data_as_of}時点の{who}" if self.data_as_of else who


def archive_dates(home=None) -> list[dt.date]:
    """As-of dates of the archived exports fetched into this home (e.g. 2025-04-18)."""
    snaps = settings(home=home).snapshots_dir
    out = set()
    for s in registry.SOURCES:
        if not getattr(s, "archive_of", None) or not (snaps / s.id).is_dir():
            continue
        for path in (snaps / s.id).glob("*/manifest.json"):
            try:
                files = json.loads(path.read_text(encoding="utf-8")).get("files") or []
            except (OSError, ValueError):
                continue  # an unreadable manifest: the build reports it, the checker skips it
            dates = [str(f["as_of"])[:10] for f in files if f.get("as_of")]
            if dates:
                out.add(dt.date.fromisoformat(max(dates)))
    return sorted(out)


def held(home=None, build: Callable | None = None) -> list[dt.date]:
    """Vintage dates to check against, oldest first; `build(home=, as_of=)` (aiatlas.api.build)
    builds the vintage of an archived export the first time it is needed."""
    built = set(vintage_dates(settings(home=home)))
    for date in archive_dates(home):
        if date not in built and build is not None:
            build(home=home, as_of=date)
            built.add(date)
    return sorted(built)


def ensure(home, date: dt.date, build: Callable) -> None:
    """Build the vintage of `date` when it is not built yet (`--as-of DATE`)."""
    if date not in vintage_dates(settings(home=home)):
        build(home=home, as_of=date)


def cited(sentence: str, year: int | None = None) -> tuple[str, dt.date | None] | None:
    """The publication a sentence cites for its figures ('AI Index 2025') and its data date
    (None when not known: a series named without its edition, 'the AI Index')."""
    for rx, name, date, _ in PUBLICATIONS:
        if rx.search(sentence):
            return name, date
    for rx, name, _ in SERIES:
        if rx.search(sentence):
            return (name.format(edition=year + 1) if year is not None else
                    name.format(edition="").strip()), None
    return None


def printed(sentence: str, asserts: dict[str, Any], year: int | None, period: str = "",
            percent: bool = False) -> Printed | None:
    """The figure the publication the sentence cites printed for what the claim asserts."""
    hit = next(((m, name, stem) for rx, name, _, stem in PUBLICATIONS
                for m in [rx.search(sentence)] if m), None)
    if hit is None and year is not None:
        hit = next(((m, name.format(edition=year + 1), stem.format(edition=year + 1))
                    for rx, name, stem in SERIES for m in [rx.search(sentence)] if m), None)
    if hit is None or hit[2] is None:
        return None
    m, name, stem = hit
    return _printed_in(stem, name, m.group(), asserts, year, period, percent)


def uncited(asserts: dict[str, Any], year: int | None, period: str = "",
            percent: bool = False) -> list[Printed]:
    """The figures each curated publication printed for what the claim asserts, for a sentence
    that names no source ('China made 15 notable models in 2024' is the AI Index's figure)."""
    found = (_printed_in(stem, name, name, asserts, year, period, percent)
             for _, name, _, stem in PUBLICATIONS)
    return [p for p in found if p is not None]


def _printed_in(stem: str, name: str, cited_as: str, asserts: dict[str, Any], year: int | None,
                period: str, percent: bool) -> Printed | None:
    """The figure publication `stem` printed for what the claim asserts.

    A printed figure fits when it is recomputed from the same indicator and value column, its
    cell (`where`) is the claim's, and it covers the claim's year (one-year `since`/`until`, a
    `year` cell, or the month of a `last_on_or_before` day); a share fits only a percent claim.
    Parameters that say what is measured (`group`, `benchmark`) must be the claim's too; the
    publisher's method parameters (those its alternatives vary, e.g. attribution) and the year
    span are its own and are not compared.
    """
    pub = published.by_file().get(stem)
    if pub is None or "indicator" not in asserts:
        return None
    for fig in pub.figures:
        c = fig.compute
        if c.indicator != asserts["indicator"] or c.column != asserts.get("value_column", c.column):
            continue
        if (fig.unit == "%") != percent:
            continue
        method = {"since", "until"}.union(*(alt.params for alt in fig.alternatives))
        claimed = asserts.get("params", {})
        if any(str(claimed[k]) != str(v) for k, v in c.params.items() if k in claimed and k not in method):
            continue
        where = {k: v for k, v in asserts.get("where", {}).items() if k != "year"}
        if {k: str(v) for k, v in c.where.items() if k != "year"} != {k: str(v) for k, v in where.items()}:
            continue
        if _year_of(c) is None or _year_of(c) != year:
            continue
        days = list(c.last_on_or_before.values())
        if days and period and not days[0].isoformat().startswith(period):
            continue
        # the publication's data source and snapshot date are of the data most of its figures
        # count (Epoch AI's); a figure of other data names its own source, which they do not date
        own = fig.data_source is None or fig.data_source == pub.data_source
        return Printed(name, cited_as, float(fig.value), fig.as_printed,
                       (pub.data_as_of or pub.vintage) if own else None,
                       (pub.data_source if own else fig.data_source) or "", fig, pub)
    return None


def _year_of(c: published.Recompute) -> int | None:
    """The one year a printed figure covers."""
    if "year" in c.where:
        return int(c.where["year"])
    since, until = c.params.get("since"), c.params.get("until")
    if since is not None and since == until:
        return int(since)
    days = list(c.last_on_or_before.values())
    return days[0].year if days else None
