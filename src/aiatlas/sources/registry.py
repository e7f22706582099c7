"""The one registry of sources: every publisher module's SOURCES, looked up by id or by table."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aiatlas.errors import UsageError
from aiatlas.sources import (
    epoch_benchmarks,
    epoch_chip_counts,
    epoch_eci,
    epoch_hardware,
    epoch_misc,
    epoch_models,
    github_innovation,
    lmarena,
    worldbank,
)
from aiatlas.sources.base import Source
from aiatlas.sources.openalex import WORKS
from aiatlas.sources.openalex import api as openalex_api

SOURCES: tuple[Source, ...] = (
    *epoch_models.SOURCES, *epoch_hardware.SOURCES, *epoch_benchmarks.SOURCES,
    *epoch_misc.SOURCES, *lmarena.SOURCES, *epoch_eci.SOURCES, *epoch_chip_counts.SOURCES,
    *github_innovation.SOURCES, *worldbank.SOURCES, *openalex_api.SOURCES, WORKS,
)
_BY_ID = {s.id: s for s in SOURCES}


def data_as_of(provenance: list[dict[str, Any]] | None) -> dt.date | None:
    """The date the data read runs to: the earliest publisher as-of date of the snapshots read,
    leaving out a frozen history when the source that continues its series was read too (the
    Arena's 2023-2025 rating history does not date a value of the December 2025 leaderboard)
    and a source read only to join names (role 'joined': Epoch's benchmark hub under an Arena
    value; see Indicator.joins)."""
    read = {p.get("source") for p in provenance or []}
    valued = [p for p in provenance or [] if p.get("role") != "joined"]  # names only: no date
    dates = [dt.date.fromisoformat(str(p["as_of"])[:10]) for p in valued or provenance or []
             if p.get("as_of") and not (p.get("source") in _BY_ID
                                        and _BY_ID[p["source"]].continued_by in read)]
    return min(dates) if dates else None


def get(id: str) -> Source:
    """The source with this id; a UsageError listing the valid ids otherwise."""
    try:
        return _BY_ID[id]
    except KeyError:
        raise UsageError(f"unknown source {id!r} (expected one of: {', '.join(_BY_ID)})") from None


def default_sources() -> tuple[Source, ...]:
    """Sources fetched when none is named (archive exports included)."""
    return tuple(s for s in SOURCES if s.default)


def built_sources() -> tuple[Source, ...]:
    """Sources the build reads: the default ones except archives (they stand in for their
    parent), and the ingested datasets (never fetched, built whenever they have a snapshot)."""
    return tuple(s for s in SOURCES if (s.default or s.ingest) and not s.archive_of)


def snapshot_sources(id: str) -> tuple[str, ...]:
    """Ids whose snapshots are snapshots of this source: itself, then its archive exports."""
    return (id, *(s.id for s in SOURCES if s.archive_of == id))


def sources_for_tables(tables) -> set[str]:
    """Ids of the sources a build reads (archives included) that feed any of these tables."""
    wanted = set(tables)
    return {s.id for s in SOURCES if (s.default or s.ingest) and wanted & set(s.tables)}
