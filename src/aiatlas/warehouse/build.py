"""Build the warehouse (or a vintage): chosen snapshots -> cleaners -> a new DuckDB file, swapped in atomically."""
from __future__ import annotations

import datetime as dt
import functools
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from aiatlas import __version__, codefiles, fastpath
from aiatlas.config import Settings
from aiatlas.curated.loader import warehouse_rows as curated_rows
from aiatlas.entities import models as model_entities
from aiatlas.errors import DataError
from aiatlas.export_controls import supplement as chip_supplement
from aiatlas.sources import lmarena, registry
from aiatlas.sources.base import Rejects, Source
from aiatlas.warehouse import provenance
from aiatlas.warehouse.datasets import search_path_sql, view_sql, views_of
from aiatlas.warehouse.schema import TABLES, create_sql

# progress(label, done, total): called before each source is cleaned and once at the end.
Progress = Callable[[str, int, int], None]

# A table may lose at most this share of its rows against the warehouse it replaces: upstream
# exports grow, so a bigger loss is a truncated or broken export until a person says otherwise
# (`--allow-shrink`).
MAX_SHRINK = 0.25

_ARROW = {"VARCHAR": pa.string(), "DOUBLE": pa.float64(), "DATE": pa.date32(),
          "BOOLEAN": pa.bool_(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
          "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string())}


@functools.cache
def _version() -> str:
    """This aiatlas's version and a hash of the code and data files a build runs: a warehouse
    built by other code is rebuilt even from the same snapshots (a new column, a changed
    cleaner), where comparing version numbers alone said "nothing to do" to a warehouse that
    lacked a column queries need."""
    files = codefiles.of(__name__)
    dirs = {str(Path(f).parent) for f in files if f.endswith(".py")}
    used = tuple(f for f in files if f.endswith(".py") or str(Path(f).parent) in dirs)
    return f"{__version__}+{fastpath.code_hash(used)[:12]}"


def build_warehouse(settings: Settings, strict: bool = False, progress: Progress | None = None,
                    allow_shrink: bool = False) -> dict[str, Any]:
    """Clean the latest snapshot of every default source into a fresh warehouse file; with
    `settings.as_of`, a vintage in `<home>/vintages/<date>/` from each source's snapshot (its
    archive exports included) whose data as-of is the newest on or before that date.

    Nothing is written until every source is cleaned; the file is built beside the old one
    and renamed over it, so a failure leaves the previous warehouse as it was. A source that
    yields no rows, or a table shrinking by more than MAX_SHRINK, fails unless `allow_shrink`.
    """
    started = time.perf_counter()
    sources = registry.built_sources()
    snaps = {s.id: snapshot_for(settings, s.id) for s in sources}
    if not any(snaps.values()):
        when = f" with data as of {settings.as_of} or earlier" if settings.as_of else ""
        raise DataError(f"no snapshots{when} under {settings.snapshots_dir}",
                        hint="run `aiatlas fetch` first (or `--mirror DIR` without internet)"
                        + ("; `aiatlas builds --snapshots` lists the as-of dates fetched"
                           if settings.as_of else ""))
    for snap in filter(None, snaps.values()):
        snap.verify()  # altered or truncated bytes must never load under the old sha256
    wanted = {s.id for s in snaps.values() if s}
    # Curated facts ship with the package; their YAML checksums count as snapshots, so an
    # edited fact file triggers a rebuild and a bad record stops it before anything is written.
    curated = curated_rows()
    package = (curated["_snapshots"] + model_entities.reference_snapshots()
               + [chip_supplement.snapshot_row()])
    wanted |= {r["snapshot_id"] for r in package}
    previous = _previous(settings.warehouse_path)
    if previous and previous["snapshots"] == wanted and previous["version"] == _version():
        _strict_check(strict, previous["rejected"], previous["first_reject"])
        # sources absent from this build (no snapshot) are said again, as a full build says them
        absent = [_clean(s, None, Rejects(), {}, []) for s in sources if not snaps[s.id] and s.absent]
        dated = {s.id: {"as_of": s.as_of} for s in snaps.values() if s} | {
            r["snapshot_id"]: _curated_line(r) for r in curated["_snapshots"]}
        said = [r | dated.get(r["snapshot_id"], {}) for r in previous["result"]["sources"]]
        return previous["result"] | {"sources": said + absent,
                                     "skipped": True, "seconds": time.perf_counter() - started,
                                     "reason": "warehouse already built from these snapshots"}

    rejects = Rejects()
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    loads, summary = [], []
    for i, src in enumerate(sources):
        if progress:
            progress(src.id, i, len(sources))
        summary.append(_clean(src, snaps[src.id], rejects, rows, loads))
    if progress:
        progress("write", len(sources), len(sources))
    _strict_check(strict, len(rejects.rows), rejects.rows[0] if rejects.rows else None)

    # Cited figures Epoch lacks (die area, I/O, data-center marketing); Epoch's own values win.
    rows["hardware"] = chip_supplement.apply(rows["hardware"])
    # Derived step: which rating scale each Arena rating is on (found from the boards themselves).
    rows["arena_ratings"] = lmarena.with_rating_scales(rows["arena_ratings"])
    # Derived step: one model identity across Epoch, benchmark rows and Arena keys.
    rows["model_identity"], rows["model_keys"] = model_entities.model_identity_rows(
        **{t: rows[t] for t in model_entities.IDENTITY_INPUTS})
    rows["curated_facts"] = curated["curated_facts"]
    loads += [{"source": r["source"], "snapshot_id": r["snapshot_id"], "table": "curated_facts",
               "rows": r["rows"]} for r in curated["_snapshots"]]
    summary += [{"source": r["source"], "snapshot_id": r["snapshot_id"], "rows": r["rows"],
                 "rejected": 0, **_curated_line(r)} for r in curated["_snapshots"]]
    if not allow_shrink:
        _shrink_check(summary, loads, previous["tables"] if previous else {})
    rows["_snapshots"] = [r for s in snaps.values() if s for r in s.rows()] + package
    rows["_rejects"] = rejects.rows
    rows["_loads"] = loads
    build_id = uuid.uuid4().hex
    rows["_build"] = [{"build_id": build_id, "aiatlas_version": _version(),
                       "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                       "as_of": settings.as_of}]
    _write_atomically(settings.warehouse_path, rows, views_of(settings, sources, snaps),
                      settings.snapshots_dir)
    return {"skipped": False, "build_id": build_id, "path": str(settings.warehouse_path),
            "as_of": settings.as_of,
            "sources": summary, "rejected": len(rejects.rows),
            "tables": {t: len(r) for t, r in rows.items()},
            "model_identity_coverage": model_entities.coverage_of(settings.warehouse_path),
            "seconds": time.perf_counter() - started}


def snapshot_for(settings: Settings, source: str) -> provenance.Snapshot | None:
    """The snapshot a build reads for a source: the latest, or in a vintage the newest whose
    data as-of is on or before the vintage date (archive exports of the source count)."""
    if settings.as_of is None:
        return provenance.latest(settings.snapshots_dir, source)
    return provenance.as_of(settings.snapshots_dir, registry.snapshot_sources(source),
                            settings.as_of)


def _clean(src: Source, snap: provenance.Snapshot | None, rejects: Rejects,
           rows: dict[str, list], loads: list) -> dict[str, Any]:
    """Run one source's cleaner into `rows`; returns its line of the build summary."""
    if snap is None:
        return {"source": src.id, "snapshot_id": None, "rows": 0, "rejected": 0, "as_of": None,
                **({"absent": src.absent} if src.absent else {})}
    before = len(rejects.rows)
    # an archive export is cleaned by its own source (its file name), into this source's tables
    out = registry.get(snap.source).clean(snap.files(), rejects)
    if src.ingest:  # its rows stay in the snapshot's Parquet files, the view's
        n = sum(f.get("rows") or 0 for f in snap.manifest["files"])
        loads.append({"source": src.id, "snapshot_id": snap.id, "table": src.tables[0], "rows": n})
        return {"source": src.id, "snapshot_id": snap.id, "rows": n, "rejected": 0,
                "as_of": snap.as_of}
    for table, table_rows in out.items():
        if table not in TABLES:
            raise DataError(f"source {src.id} produced rows for undeclared table {table!r}",
                            hint="declare the table in warehouse/schema.py")
        rows[table] += table_rows
        loads.append({"source": src.id, "snapshot_id": snap.id, "table": table,
                      "rows": len(table_rows)})
    return {"source": src.id, "snapshot_id": snap.id, "rows": sum(len(r) for r in out.values()),
            "rejected": len(rejects.rows) - before, "as_of": snap.as_of}


def _shrink_check(summary: list[dict], loads: list[dict], before: dict[str, int]) -> None:
    """Refuse a build that would silently wipe good data: an empty source or a shrunken table."""
    hint = ("a header-only or truncated export? look at the snapshot (`aiatlas verify`); if the "
            "loss is real, build again with --allow-shrink")
    for s in summary:
        if s["snapshot_id"] and not s["rows"]:
            raise DataError(f"source {s['source']} yielded no rows from {s['snapshot_id']}; "
                            "the current warehouse is kept", hint=hint)
    after: dict[str, int] = {}
    for load in loads:
        after[load["table"]] = after.get(load["table"], 0) + load["rows"]
    for table, old in sorted(before.items()):
        new = after.get(table, 0)
        if old and new < old * (1 - MAX_SHRINK):
            raise DataError(f"table {table} would shrink from {old} to {new} rows (more than "
                            f"{MAX_SHRINK:.0%}); the current warehouse is kept", hint=hint)


def _strict_check(strict: bool, count: int, first: dict | None) -> None:
    if strict and count:
        where = f"{first['file']}:{first['row']}:{first['column']}: {first['reason']}" if first else ""
        raise DataError(f"{count} rejected values under --strict; first: {where}",
                        hint="run `aiatlas rejects` to list them, or build without --strict")


def arrow_table(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table with exactly the declared columns and types."""
    cols = TABLES[table]
    try:
        return pa.table({c.name: pa.array([r.get(c.name) for r in rows], type=_ARROW[c.type])
                         for c in cols})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise DataError(f"table {table}: a value does not fit its declared type ({e})") from None


def _write_atomically(path: Path, rows: dict[str, list[dict[str, Any]]],
                      views: dict[str, list[str]], snapshots_dir: Path) -> None:
    """Write every declared table (and the views over ingested datasets) into a temp file,
    then rename it over the warehouse."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    _remove(tmp)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN")  # one commit for all tables instead of one per statement
            for table in TABLES:
                con.execute(create_sql(table))
                if rows.get(table):
                    con.register("_incoming", arrow_table(table, rows[table]))
                    con.execute(f'INSERT INTO "{table}" SELECT * FROM _incoming')
                    con.unregister("_incoming")
            con.execute(search_path_sql(snapshots_dir))
            for name, files in views.items():
                con.execute(view_sql(name, files))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files left by builds that were killed (their process no longer exists)."""
    for tmp in path.parent.glob(f"{path.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1].removesuffix(".wal")
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except PermissionError:
            pass  # alive, owned by someone else


def _remove(tmp: Path) -> None:
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)


def _curated_line(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the build summary says of a curated file beside its hash id: its name and as-of."""
    return {"file": snapshot["file"], "as_of": dt.date.fromisoformat(snapshot["as_of"])}


def _previous(path: Path) -> dict[str, Any] | None:
    """What the current warehouse was built from, or None when there is none (or it is unreadable)."""
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        snaps = {r[0] for r in con.execute("SELECT DISTINCT snapshot_id FROM _snapshots").fetchall()}
        build = con.execute("SELECT build_id, aiatlas_version FROM _build").fetchone()
        loads = con.execute("SELECT source, snapshot_id, sum(rows)::BIGINT FROM _loads "
                            "GROUP BY ALL ORDER BY source").fetchall()
        rej = dict(con.execute("SELECT source, count(*) FROM _rejects GROUP BY ALL").fetchall())
        first = con.execute('SELECT file, "row", "column", reason FROM _rejects LIMIT 1').fetchone()
        tables = dict(con.execute('SELECT "table", sum(rows)::BIGINT FROM _loads GROUP BY 1').fetchall())
    except duckdb.Error:
        return None
    finally:
        con.close()
    if not build:
        return None
    summary = [{"source": s, "snapshot_id": sid, "rows": n, "rejected": rej.get(s, 0)}
               for s, sid, n in loads]
    return {"snapshots": snaps, "version": build[1], "rejected": sum(rej.values()), "tables": tables,
            "first_reject": dict(zip(("file", "row", "column", "reason"), first)) if first else None,
            "result": {"build_id": build[0], "path": str(path), "sources": summary,
                       "rejected": sum(rej.values())}}
