"""Builds side by side: the current warehouse and the vintages under `<home>/vintages/<date>/`."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import duckdb

from aiatlas.config import Settings, parse_date
from aiatlas.errors import UsageError


def vintage_dates(settings: Settings) -> list[dt.date]:
    """Dates of the vintages built in this home, oldest first."""
    root = settings.vintages_dir
    if not root.is_dir():
        return []
    out = []
    for p in root.glob("*/warehouse.duckdb"):
        try:
            out.append(dt.date.fromisoformat(p.parent.name))
        except ValueError:
            continue  # not a vintage folder
    return sorted(out)


def all_settings(settings: Settings) -> list[Settings]:
    """Settings of every built warehouse: each vintage (oldest first), then the current one."""
    out = [dataclasses.replace(settings, as_of=d) for d in vintage_dates(settings)]
    current = dataclasses.replace(settings, as_of=None)
    return out + ([current] if current.warehouse_path.exists() else [])


def read_build(settings: Settings) -> dict[str, Any]:
    """One build's `_build` row with the snapshots it read (source, snapshot, data as-of)."""
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM _build")
        build = [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]
        snaps = con.execute("SELECT source, snapshot_id, max(as_of) AS as_of FROM _snapshots "
                            "WHERE url NOT LIKE 'package:%' GROUP BY ALL "  # data, not package files
                            "ORDER BY source").fetchall()
    finally:
        con.close()
    row = build[0] if build else {}
    return {"build_id": row.get("build_id"), "as_of": settings.as_of, "built_at": row.get("built_at"),
            "aiatlas_version": row.get("aiatlas_version"), "path": str(settings.warehouse_path),
            "snapshots": [{"source": s, "snapshot_id": i, "as_of": a} for s, i, a in snaps]}


def list_builds(settings: Settings) -> list[dict[str, Any]]:
    """Every build in the home, vintages first (oldest first), then the current warehouse."""
    return [read_build(s) for s in all_settings(settings)]


def resolve(settings: Settings, ref: str) -> Settings:
    """Settings of the build a user named: 'latest', a vintage date, or a build id (or prefix)."""
    ref = str(ref).strip()
    candidates = all_settings(settings)
    if ref == "latest":
        return dataclasses.replace(settings, as_of=None)
    if len(ref) == 10 and ref[4] == "-":
        date = parse_date(ref, "build")
        if date in vintage_dates(settings):
            return dataclasses.replace(settings, as_of=date)
    else:
        hits = [s for s in candidates if str(read_build(s)["build_id"] or "").startswith(ref)]
        if len(hits) == 1 and len(ref) >= 4:
            return hits[0]
    known = ", ".join(["latest", *(d.isoformat() for d in vintage_dates(settings))])
    raise UsageError(f"no build {ref!r} in {settings.home} (expected one of: {known}, or a "
                     "build id of at least 4 characters)",
                     hint="`aiatlas builds` lists them; `aiatlas build --as-of DATE` makes a vintage")
