"""The public Python API: fetch, build, list, compute and explain. CLI, report and web call only this."""
from __future__ import annotations

import datetime as dt
from typing import Any

from aiatlas import query
from aiatlas.config import Settings, parse_date
from aiatlas.config import settings as make_settings
from aiatlas.curated.loader import SOURCE_ID as CURATED
from aiatlas.entities import coverage
from aiatlas.errors import UsageError
from aiatlas.export_controls import can_export as ce
from aiatlas.export_controls import chips as ec
from aiatlas.export_controls import rules as ecr
from aiatlas.export_controls.supplement import SOURCE_ID as CHIP_SUPPLEMENT
from aiatlas.indicators import registry

# answered without the engine stack (see lookup.py); part of this API all the same
from aiatlas.lookup import check as check
from aiatlas.lookup import checker as checker
from aiatlas.lookup import classify_chip as classify_chip
from aiatlas.lookup import export_rule_sets as export_rule_sets
from aiatlas.lookup import facts as facts
from aiatlas.lookup import hardware as hardware
from aiatlas.results import Result
from aiatlas.sources.fetch import fetch_sources
from aiatlas.sources.openalex.ingest import ingest
from aiatlas.sources.registry import SOURCES, get
from aiatlas.warehouse import connect as wh
from aiatlas.warehouse import diff as wd
from aiatlas.warehouse import vintages
from aiatlas.warehouse.build import build_warehouse
from aiatlas.warehouse.connect import Warehouse
from aiatlas.warehouse.provenance import verify_home
from aiatlas.warehouse.vintages import list_builds


def _settings(home=None, backend=None, mirror=None, as_of=None) -> Settings:
    return make_settings(home=home, backend=backend, mirror=mirror, as_of=as_of)


def settings_date(as_of) -> dt.date | None:
    """A vintage date given as text or date, checked (None stays None: the current warehouse)."""
    return parse_date(as_of, "as_of")


def fetch(sources: list[str] | None = None, *, mirror: str | None = None, home=None,
          progress=None) -> list[dict[str, Any]]:
    """Download sources into immutable snapshots; returns one manifest per file."""
    return fetch_sources(sources, _settings(home=home, mirror=mirror), progress=progress)


def build(*, home=None, strict: bool = False, progress=None, as_of=None,
          allow_shrink: bool = False) -> dict[str, Any]:
    """Build the warehouse from the latest snapshots, swapping it in atomically; with `as_of`
    (a date), the vintage of that date in `<home>/vintages/<date>/` beside it. An empty source
    or a table losing most of its rows fails the build unless `allow_shrink`."""

    return build_warehouse(_settings(home=home, as_of=as_of), strict=strict, progress=progress,
                           allow_shrink=allow_shrink)


def builds(*, home=None) -> list[dict[str, Any]]:
    """The current warehouse and every vintage: build id, as-of, when built, snapshots read."""
    return list_builds(_settings(home=home))


def diff(a: str, b: str, *, home=None, tables: list[str] | None = None,
         limit: int = 500) -> dict[str, Any]:
    """Row differences per table between two builds, each named 'latest', a vintage date or a
    build id: rows added, removed and changed (with the columns that changed) from A to B;
    counts are complete, rows are listed up to `limit` per table and kind."""

    base = _settings(home=home)
    sa, sb = vintages.resolve(base, a), vintages.resolve(base, b)
    unknown = sorted(set(tables or ()) - set(wd.TABLES))
    if unknown:
        raise UsageError(f"unknown table {', '.join(unknown)} (see docs/warehouse.md)")
    return {"a": vintages.read_build(sa), "b": vintages.read_build(sb),
            "tables": wd.diff_tables(sa, sb, tables, limit)}


def verify(*, home=None) -> list[dict[str, Any]]:
    """Every snapshot checked against its manifest, and the warehouse against its snapshots."""
    settings = _settings(home=home)
    return verify_home(settings.snapshots_dir, settings.warehouse_path)


def list_indicators() -> list[dict[str, Any]]:
    """Every registered indicator's metadata, sorted by chapter then id."""
    return query.list_indicators()


def warehouse(*, home=None, as_of=None) -> Warehouse:
    """The handle on the current warehouse build (or a vintage's): id, as-of, memo, connections."""
    return wh.connect(_settings(home=home, as_of=as_of))


def parameter_values(id: str, name: str, *, home=None, as_of=None) -> list[Any]:
    """Every value a data-naming parameter (e.g. benchmark_frontier's benchmark) takes in this build."""
    p = next((p for p in registry.get(id).params if p.name == name), None)
    if p is None or p.values_from is None:
        raise UsageError(f"parameter {name!r} of {id} does not name data in the build",
                         hint="see: aiatlas list")
    return list(query.distinct(wh.connect(_settings(home=home, as_of=as_of)), p.values_from))


def compute(id: str, *, home=None, backend: str | None = None, as_of=None, **params) -> Result:
    """Compute one indicator (on the vintage built for `as_of`, when given); parameters are
    validated against its declaration. Values are memoised on the build's handle."""
    return query.compute(_settings(home=home, backend=backend, as_of=as_of), id, params)


def has_data(id: str, *, home=None, as_of=None) -> bool:
    """Whether this build holds the data the indicator reads (cheap: no query is run)."""
    return query.has_data(_settings(home=home, as_of=as_of), id)


def explain(id: str, *, where: dict[str, Any] | None = None, home=None, backend: str | None = None,
            as_of=None, **params) -> Result:
    """The source rows behind an indicator's values, optionally narrowed to one value by `where`."""
    return query.explain(_settings(home=home, backend=backend, as_of=as_of), id, params,
                         dict(where or {}))


def openalex_ingest(snapshot: str, *, home=None, backend: str | None = None,
                    spark_master: str | None = None, parallel: int | None = None,
                    progress=None) -> dict[str, Any]:
    """Ingest an OpenAlex works snapshot (folder, http(s) or s3:// URL) into a new snapshot of
    Parquet files (`<home>/snapshots/openalex_works/<stamp>/`); `build()` then reads it."""
    settings = _settings(home=home, backend=backend)
    return ingest(snapshot, settings.snapshots_dir, engine=settings.backend,
                  spark_master=spark_master, parallel=parallel, progress=progress)


def snapshots(*, home=None, as_of=None) -> list[dict[str, Any]]:
    """What the current warehouse (or the vintage of `as_of`) was built from."""
    return [dict(r) for r in warehouse(home=home, as_of=as_of).snapshots]


def rejects(*, source: str | None = None, home=None) -> list[dict[str, Any]]:
    """Values the last build could not use (source, file, row, column, value, reason)."""
    order = ' ORDER BY source, file, "row"'
    if source is None:
        return warehouse(home=home).sql('SELECT * FROM "_rejects"' + order)

    get(source)  # an unknown id is a usage error, not an empty list
    return warehouse(home=home).sql('SELECT * FROM "_rejects" WHERE source = ?' + order, [source])


def entities_unmatched(source: str | None = None, *, home=None) -> list[dict[str, Any]]:
    """Source names (model versions, benchmark display names, Arena keys) that resolve to no model
    with a country and an openness class, most frequent first."""

    if source is not None and source not in coverage.SOURCES:
        raise UsageError(f"unknown source {source!r} (expected one of: {', '.join(coverage.SOURCES)})")
    with warehouse(home=home).connection() as con:
        return coverage.unmatched(wh.Tables(con), source).to_pyarrow().to_pylist()


def entities_coverage(*, home=None) -> list[dict[str, Any]]:
    """Share of MMLU / GPQA Diamond rows and top-20 Arena models resolving to a country and openness."""
    with warehouse(home=home).connection() as con:
        return coverage.measure_tables(wh.Tables(con)).to_pyarrow().to_pylist()


def chips(rules: str | None = None, rules_as_of=None, destination: str | None = None, *,
          home=None, as_of=None) -> list[dict[str, Any]]:
    """Every accelerator classified under a rule set (default: the one in force on
    rules_as_of, else today); `as_of` picks the data vintage, as everywhere else."""
    all_rules = ecr.load()
    rs, on, dest = ec.resolve(all_rules, rules, rules_as_of, destination)
    rows = hardware(home=home, as_of=as_of)
    return ec.table(rows, rs, all_rules, destination=dest, as_of=on)


def can_export(name: str, *, to: str, on=None, home=None, as_of=None) -> dict[str, Any]:
    """May this chip be exported to `to` on `on` (default today): yes, licence required,
    licence required (case-by-case review), presumption of denial, or cannot tell; with the
    rule set, notices, review policy and the figures that decide."""

    if not to:
        raise UsageError("give the destination country", hint="e.g. --to CHN")
    all_rules = ecr.load()
    _, day, dest = ec.resolve(all_rules, None, on or dt.date.today().isoformat(), to, what="--on")
    rows = hardware(home=home, as_of=as_of)
    try:
        row = ec.find(rows, name)
    except ec.AmbiguousChip as e:
        raise e.answered(lambda r: ce.answer(r, all_rules, dest, day)["answer"]) from None
    return ce.answer(row, all_rules, dest, day)


def build_info(*, home=None, as_of=None) -> dict[str, Any]:
    """The warehouse's (or a vintage's) build id, time and as-of; cheap to call per request."""
    return dict(warehouse(home=home, as_of=as_of).info)


def sources() -> list[dict[str, Any]]:
    """Every source's publisher, title, licence and citation (for footnotes and attributions)."""
    out = [{"id": s.id, "publisher": s.publisher, "title": s.title, "licence": s.licence,
            "citation": s.citation, "homepage": s.homepage} for s in SOURCES]
    # curated YAML files are recorded as one source; every fact names its own publisher and URL
    out.append({"id": CURATED, "publisher": "aiatlas (curated records)", "title": "Curated facts",
                "licence": "per record: see each row's publisher and URL",
                "citation": "each row cites its publisher, title, URL and date", "homepage": ""})
    # so is the chip supplement (curated/chips/specs.yaml): every figure names its own source
    out.append({"id": CHIP_SUPPLEMENT, "publisher": "aiatlas (cited chip figures)",
                "title": "Chip figures Epoch lacks", "licence": "per figure: see its cited source",
                "citation": "each figure cites its source, URL and confidence", "homepage": ""})
    return out
