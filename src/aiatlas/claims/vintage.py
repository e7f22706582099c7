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

from aiatlas.config import settings
from aiatlas.sources import registry
from aiatlas.warehouse.vintages import vintage_dates

# publications an article may name, and the date of the data they could have used
PUBLICATIONS = [
    (re.compile(r"AI\s?Index\s?(?:Report\s?)?2025|AIインデックス\s?2025|AI白書\s?2025", re.IGNORECASE),
     "AI Index 2025", dt.date(2025, 4, 30)),
]


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


def cited(sentence: str) -> tuple[str, dt.date] | None:
    """The publication a sentence cites for its figures ('AI Index 2025') and its data date."""
    for rx, name, date in PUBLICATIONS:
        if rx.search(sentence):
            return name, date
    return None
