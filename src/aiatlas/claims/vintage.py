"""Older data vintages for the checker: a warehouse built from an archived export of a source.

An archived export (a non-default source feeding the same tables as a default one, e.g.
`epoch_notable_models_2025_04` for `epoch_notable_models`) is built, through the ordinary
`aiatlas build`, into `<home>/vintages/<snapshot>/`: the home's other snapshots are linked, the
archive takes the default source's place. Until `aiatlas build --as-of` exists this is how a
claim is checked against the data a publisher could have used.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiatlas.config import settings
from aiatlas.sources import registry

# publications an article may name, and the date their data was taken (approximately: the
# export nearest their publication is used, and the reason says so)
PUBLICATIONS = [
    (re.compile(r"AI\s?Index\s?(?:Report\s?)?2025|AIインデックス\s?2025|AI白書\s?2025", re.IGNORECASE),
     "AI Index 2025", dt.date(2025, 4, 30)),
]


@dataclass(frozen=True)
class Vintage:
    """A built warehouse of an older export: its home, the source it stands for, its as-of date."""

    home: Path
    source: str  # the default source the archive stands in for
    archive: str  # the archived source id
    as_of: dt.date


def _archives() -> dict[str, str]:
    """Archived source id -> the default source whose tables it feeds."""
    defaults = {tuple(s.tables): s.id for s in registry.default_sources()}
    return {s.id: defaults[tuple(s.tables)] for s in registry.SOURCES
            if not s.default and tuple(s.tables) in defaults}


def held(home=None, build: Callable | None = None) -> list[Vintage]:
    """The older vintages this data home can check against, oldest first.

    `build(home=...)` (aiatlas.api.build) builds a vintage the first time it is needed.
    """
    snaps = settings(home=home).snapshots_dir
    out = []
    for archive, source in _archives().items():
        for snap in sorted((snaps / archive).glob("*/manifest.json")) if (snaps / archive).is_dir() else []:
            manifest = json.loads(snap.read_text(encoding="utf-8"))
            as_of = min((f.get("as_of") or manifest["fetched_at"][:10]) for f in manifest["files"])
            target = settings(home=home).home / "vintages" / f"{archive}-{snap.parent.name}"
            if not (target / "warehouse.duckdb").exists():
                if build is None:
                    continue
                _build(snaps, snap.parent, source, target, build)
            out.append(Vintage(target, source, archive, dt.date.fromisoformat(as_of[:10])))
    return sorted(out, key=lambda v: v.as_of)


def _build(snaps: Path, archive_snap: Path, source: str, target: Path, build: Callable) -> None:
    """A data home whose `source` snapshot is the archive, everything else linked, then built."""
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "snapshots").mkdir(parents=True)
    for d in snaps.iterdir():
        if d.is_dir() and d.name != source and d.name not in _archives():
            (tmp / "snapshots" / d.name).symlink_to(d.resolve(), target_is_directory=True)
    manifest = json.loads((archive_snap / "manifest.json").read_text(encoding="utf-8"))
    wanted = {f.name for f in registry.get(source).files}
    snap = tmp / "snapshots" / source / archive_snap.name
    snap.mkdir(parents=True)
    for f, name in zip(manifest["files"], sorted(wanted)):
        (snap / name).symlink_to((archive_snap / f["name"]).resolve())
        f["name"] = name
    manifest.update(source=source, snapshot_id=f"{source}/{archive_snap.name}")
    (snap / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    build(home=tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def fetch_archives(fetch: Callable, home=None, mirror: str | None = None) -> None:
    """Fetch the archived exports with `fetch` (aiatlas.api.fetch) so `held` can build them."""
    fetch(list(_archives()), home=home, mirror=mirror)


def cited(sentence: str) -> tuple[str, dt.date] | None:
    """The publication a sentence cites for its figures ('AI Index 2025') and its data date."""
    for rx, name, date in PUBLICATIONS:
        if rx.search(sentence):
            return name, date
    return None
