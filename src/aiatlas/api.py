"""The public Python API: fetch, build, list, compute and explain. CLI, report and web call only this."""
from __future__ import annotations

import datetime as dt
import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiatlas.config import Settings, parse_date, settings as make_settings
from aiatlas.errors import UsageError
from aiatlas.indicators import registry
from aiatlas.warehouse import connect as wh

if TYPE_CHECKING:  # pyarrow is imported by the engines when a query runs, not for `aiatlas --help`
    import pyarrow as pa

# The "extra copy" DuckDB warns about for execute() is of a small result; the relation API
# it suggests costs more (a second bind), see _run.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


@dataclass
class Result:
    """An indicator's values (or explain rows) with the metadata and snapshots behind them."""

    meta: dict[str, Any]
    table: pa.Table
    provenance: list[dict[str, Any]] = field(default_factory=list)
    build_id: str | None = None

    def to_arrow(self) -> pa.Table:
        return self.table

    def to_pandas(self):
        return self.table.to_pandas()

    def to_pylist(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()


def _settings(home=None, backend=None, mirror=None, as_of=None) -> Settings:
    return make_settings(home=home, backend=backend, mirror=mirror, as_of=as_of)


def settings_date(as_of) -> dt.date | None:
    """A vintage date given as text or date, checked (None stays None: the current warehouse)."""
    return parse_date(as_of, "as_of")


def fetch(sources: list[str] | None = None, *, mirror: str | None = None, home=None,
          progress=None) -> list[dict[str, Any]]:
    """Download sources into immutable snapshots; returns one manifest per file."""
    from aiatlas.sources.fetch import fetch_sources

    return fetch_sources(sources, _settings(home=home, mirror=mirror), progress=progress)


def build(*, home=None, strict: bool = False, progress=None, as_of=None) -> dict[str, Any]:
    """Build the warehouse from the latest snapshots, swapping it in atomically; with `as_of`
    (a date), the vintage of that date in `<home>/vintages/<date>/` beside it."""
    from aiatlas.warehouse.build import build_warehouse

    return build_warehouse(_settings(home=home, as_of=as_of), strict=strict, progress=progress)


def builds(*, home=None) -> list[dict[str, Any]]:
    """The current warehouse and every vintage: build id, as-of, when built, snapshots read."""
    from aiatlas.warehouse.vintages import list_builds

    return list_builds(_settings(home=home))


def diff(a: str, b: str, *, home=None, tables: list[str] | None = None,
         limit: int = 500) -> dict[str, Any]:
    """Row differences per table between two builds, each named 'latest', a vintage date or a
    build id: rows added, removed and changed (with the columns that changed) from A to B;
    counts are complete, rows are listed up to `limit` per table and kind."""
    from aiatlas.warehouse import diff as wd, vintages

    base = _settings(home=home)
    sa, sb = vintages.resolve(base, a), vintages.resolve(base, b)
    unknown = sorted(set(tables or ()) - set(wd.TABLES))
    if unknown:
        raise UsageError(f"unknown table {', '.join(unknown)} (see docs/warehouse.md)")
    return {"a": vintages.read_build(sa), "b": vintages.read_build(sb),
            "tables": wd.diff_tables(sa, sb, tables, limit)}


def verify(*, home=None) -> list[dict[str, Any]]:
    """Every snapshot checked against its manifest, and the warehouse against its snapshots."""
    from aiatlas.warehouse.provenance import verify_home

    settings = _settings(home=home)
    return verify_home(settings.snapshots_dir, settings.warehouse_path)


def list_indicators() -> list[dict[str, Any]]:
    """Every registered indicator's metadata, sorted by chapter then id."""
    inds = registry.load_all().values()
    return [i.describe() for i in sorted(inds, key=lambda i: (i.chapter, i.id))]


def _provenance(con, ind: registry.Indicator) -> tuple[list[dict[str, Any]], str | None]:
    """Snapshots of the sources that feed the indicator's tables, and the warehouse build id.

    The two bookkeeping tables are tiny: they are read once per connection with DuckDB's own
    table scan (no Ibis compile) and filtered here. A rebuild swaps the file, which gives a new
    connection and so a fresh read.
    """
    from aiatlas.sources.registry import sources_for_tables

    cache = _cache(con)
    if "snapshots" not in cache:
        build = con.con.table("_build").to_arrow_table().to_pylist()
        cache["snapshots"] = (con.con.table("_snapshots").to_arrow_table().to_pylist(),
                              build[0]["build_id"] if build else None)
    snaps, build_id = cache["snapshots"]
    wanted = set(sources_for_tables(ind.sources))
    if "curated_facts" in ind.sources:  # curated YAML files are recorded as source "curated"
        wanted.add("curated")
    if "hardware" in ind.sources:  # the cited chip supplement fills figures Epoch lacks
        wanted.add("chip_supplement")
    rows = sorted((r for r in snaps if r["source"] in wanted), key=lambda r: (r["source"], r["file"]))
    return [dict(r) for r in rows], build_id


def _check_values(con, ind: registry.Indicator, bound: dict[str, Any]) -> None:
    """A parameter that names data (a benchmark, an Arena category, a fact's subject) must name
    something this build holds; the distinct values are read once per connection."""
    for p in ind.params:
        value = bound.get(p.name)
        if p.values_from is None or value is None:
            continue
        table, column = p.values_from
        cache = _cache(con)
        if p.values_from not in cache:
            cache[p.values_from] = sorted(v for (v,) in con.con.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall())
        valid = cache[p.values_from]
        if valid and value not in valid:  # (an empty table gives an empty result anyway)
            shown = ", ".join(map(str, valid[:50])) + (f" ... ({len(valid)} in all)" if len(valid) > 50 else "")
            raise UsageError(f"parameter {p.name}={value!r} matches no {table}.{column} in this "
                             f"build", hint=f"valid: {shown}")


def _cache(con) -> dict:
    """A per-connection memo (prepared queries, provenance); it dies with the connection."""
    try:
        return con._aiatlas_cache
    except AttributeError:
        con._aiatlas_cache = {}
        return con._aiatlas_cache


_QUERY_NUMBERS = itertools.count()  # names of prepared statements, unique in the process


def _run(con, key: tuple, build) -> pa.Table:
    """Execute the Ibis expression `build()`, compiling it once per connection and key.

    Building and compiling an expression costs more than running it on the warehouse's small
    tables, and DuckDB's parse and plan of the compiled SQL cost more than its execution. So on
    DuckDB the first call compiles the expression and PREPAREs it on the connection; every call
    then EXECUTEs the prepared plan, which still reads the tables each time.
    """
    import ibis.common.exceptions as ibis_errors

    from aiatlas.errors import DataError

    try:
        cache = _cache(con)
        prepared = cache.get(key) if key is not None else None
        if prepared is None and con.name != "duckdb":
            expr = build()
            if key is not None:
                cache[key] = (expr, None)
            return expr.to_pyarrow()
        if prepared is None:
            expr = build()
            # Registers the expression's in-memory tables (region lists) as to_pyarrow() would;
            # Ibis has no public call that does only this.
            con._run_pre_execute_hooks(expr)
            sql = con.compile(expr)
            if key is None:  # one-off (explain): run the SQL once, nothing to keep
                return expr.__pyarrow_result__(con.con.execute(sql).to_arrow_table())
            name = f"aiatlas_q{next(_QUERY_NUMBERS)}"
            con.con.execute(f"PREPARE {name} AS {sql}")
            # The expression is kept too: its in-memory tables live as long as it does.
            prepared = cache[key] = (expr, name)
        expr, name = prepared
        if name is None:  # another engine (Spark) plans the kept expression itself
            return expr.to_pyarrow()
        # execute() skips the relation API's extra bind: about half the time on these queries.
        return expr.__pyarrow_result__(con.con.execute(f"EXECUTE {name}").to_arrow_table())
    except ibis_errors.TableNotFound as e:
        raise DataError(f"the warehouse has no table {e}",
                        hint="rebuild it with this version: aiatlas build") from None


def compute(id: str, *, home=None, backend: str | None = None, as_of=None, **params) -> Result:
    """Compute one indicator (on the vintage built for `as_of`, when given); parameters are
    validated against its declaration."""
    ind = registry.get(id)
    bound = ind.bind(params)
    settings = _settings(home=home, backend=backend, as_of=as_of)
    if wh.uses_only_parquet(ind.sources):
        # a fresh in-memory engine over the Parquet files: an ingest may have changed them
        con = wh.parquet_connection(settings)
        table = ind.func(wh.Tables(con, settings.home), **bound).to_pyarrow()
        prov, build_id = _parquet_provenance(settings)
    else:
        _check_values(wh.duckdb(settings), ind, bound)
        con = wh.connect(settings)
        key = ("values", id, tuple(sorted(bound.items())))
        table = _run(con, key, lambda: ind.func(wh.Tables(con, settings.home), **bound))
        prov, build_id = _provenance(wh.duckdb(settings), ind)
    meta = ind.describe() | {"params": _jsonable(bound), "backend": settings.backend}
    meta |= _synthetic_flag(prov) | _vintage(settings, ind)
    return Result(meta=meta, table=table, provenance=prov, build_id=build_id)


def explain(id: str, *, where: dict[str, Any] | None = None, home=None, backend: str | None = None,
            as_of=None, **params) -> Result:
    """The source rows behind an indicator's values, optionally narrowed to one value by `where`."""
    ind = registry.get(id)
    if ind.rows is None:
        raise UsageError(f"indicator {id!r} has no row-level explanation")
    bound = ind.bind(params)
    settings = _settings(home=home, backend=backend, as_of=as_of)
    parquet = wh.uses_only_parquet(ind.sources)
    if not parquet:
        _check_values(wh.duckdb(settings), ind, bound)
    con = wh.parquet_connection(settings) if parquet else wh.connect(settings)
    rows = ind.rows(wh.Tables(con, settings.home), **bound)
    for col, value in (where or {}).items():
        if col not in rows.columns:
            raise UsageError(f"cannot filter explain rows on {col!r} "
                             f"(valid: {', '.join(rows.columns)})")
        rows = rows.filter(rows[col] == _typed(rows[col], value))
    prov, build_id = _parquet_provenance(settings) if parquet else _provenance(wh.duckdb(settings), ind)
    meta = ind.describe() | {"params": _jsonable(bound), "where": where or {}, "backend": settings.backend}
    meta |= _synthetic_flag(prov) | _vintage(settings, ind)
    return Result(meta=meta, table=_run(con, None, lambda: rows), provenance=prov,
                  build_id=build_id)


def _parquet_provenance(settings: Settings) -> tuple[list[dict[str, Any]], str | None]:
    """The OpenAlex snapshot parts behind the Parquet dataset, from the ingest ledger."""
    from aiatlas.sources.openalex.ingest import Ledger

    parts = Ledger(settings.home).parts
    return [{"source": "openalex", "file": name, "sha256": e["sha256"], "bytes": e["size"],
             "rows": e["rows"], "ingested_at": e["ingested_at"], "synthetic": e["synthetic"]}
            for name, e in sorted(parts.items())], None


def _vintage(settings: Settings, ind: registry.Indicator) -> dict[str, Any]:
    """Which data answered: `vintage` is the as-of date of a vintage build, or 'latest'."""
    if wh.uses_only_parquet(ind.sources):
        return {"vintage": "latest"}  # the OpenAlex dataset has no vintages
    return {"vintage": settings.as_of.isoformat() if settings.as_of else "latest"}


def _synthetic_flag(prov: list[dict[str, Any]]) -> dict[str, Any]:
    """`synthetic: True` in a result's meta when any input was synthetic (never shown as fact)."""
    return {"synthetic": True} if any(p.get("synthetic") for p in prov) else {}


def openalex_ingest(snapshot: str, *, home=None, backend: str | None = None,
                    spark_master: str | None = None, parallel: int | None = None,
                    progress=None) -> dict[str, Any]:
    """Ingest an OpenAlex works snapshot (folder or http(s) base URL) into the home's Parquet."""
    from aiatlas.sources.openalex.ingest import ingest

    settings = _settings(home=home, backend=backend)
    return ingest(snapshot, settings.home, engine=settings.backend, spark_master=spark_master,
                  parallel=parallel, progress=progress)


def facts(topic: str | None = None, subject: str | None = None, measure: str | None = None,
          *, confirmed_only: bool = False) -> list[dict[str, Any]]:
    """Curated, cited facts (each with publisher, url, published, as_printed), for claims and report."""
    from aiatlas.curated.loader import find_facts

    return find_facts(topic, subject, measure, confirmed_only=confirmed_only)


def snapshots(*, home=None, as_of=None) -> list[dict[str, Any]]:
    """What the current warehouse (or the vintage of `as_of`) was built from."""
    con = wh.duckdb(_settings(home=home, as_of=as_of))
    return con.table("_snapshots").order_by(["source", "file"]).to_pyarrow().to_pylist()


def rejects(*, source: str | None = None, home=None) -> list[dict[str, Any]]:
    """Values the last build could not use (source, file, row, column, value, reason)."""
    con = wh.duckdb(_settings(home=home))
    t = con.table("_rejects")
    if source is not None:
        from aiatlas.sources.registry import get

        get(source)  # an unknown id is a usage error, not an empty list
        t = t.filter(t.source == source)
    return t.order_by(["source", "file", "row"]).to_pyarrow().to_pylist()


def check(text_or_path: str | Path, *, lang: str = "auto", home=None, backend: str | None = None):
    """Check the numeric claims of a text, a text file, a URL or a structured claims YAML file.

    Returns a `aiatlas.claims.model.Report` (`.to_dict()` for JSON). A string that names an
    existing file, '-' or an http(s) URL is read; any other string is checked as the text itself.
    """
    from aiatlas.claims.check import check_claims_file, check_text
    from aiatlas.claims.inputs import read_input

    source = str(text_or_path)
    is_path = isinstance(text_or_path, Path) or (len(source) < 1024 and "\n" not in source
                                                 and (Path(source).is_file() or source == "-"
                                                      or source.startswith(("http://", "https://"))))
    if not is_path:
        return check_text(source, lang, home=home, backend=backend)
    if source.endswith((".yaml", ".yml")) and Path(source).is_file():
        return check_claims_file(source, home=home, backend=backend)
    text, label = read_input(source)
    return check_text(text, lang, home=home, backend=backend, source=label)


def _typed(column, value):
    """Coerce a `where` value given as text to the column's type."""
    if not isinstance(value, str):
        return value
    dtype = column.type()
    try:
        if dtype.is_integer():
            return int(value)
        if dtype.is_floating() or dtype.is_decimal():
            return float(value)
        if dtype.is_boolean():
            return value.lower() in ("true", "1", "yes")
        if dtype.is_date():
            import datetime as dt

            return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"where value {value!r} is not a valid {dtype}") from None
    return value


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in params.items()}


def entities_unmatched(source: str | None = None, *, home=None) -> list[dict[str, Any]]:
    """Source names (model versions, benchmark display names, Arena keys) that resolve to no model
    with a country and an openness class, most frequent first."""
    from aiatlas.entities import coverage

    if source is not None and source not in coverage.SOURCES:
        raise UsageError(f"unknown source {source!r} (expected one of: {', '.join(coverage.SOURCES)})")
    con = wh.duckdb(_settings(home=home))
    return coverage.unmatched(wh.Tables(con), source).to_pyarrow().to_pylist()


def entities_coverage(*, home=None) -> list[dict[str, Any]]:
    """Share of MMLU / GPQA Diamond rows and top-20 Arena models resolving to a country and openness."""
    from aiatlas.entities import coverage

    con = wh.duckdb(_settings(home=home))
    return coverage.measure_tables(wh.Tables(con)).to_pyarrow().to_pylist()


def chips(rules: str | None = None, as_of=None, destination: str | None = None, *,
          home=None) -> list[dict[str, Any]]:
    """Every accelerator classified under a rule set (default: the one in force on as_of/today)."""
    from aiatlas.export_controls import chips as ec, rules as ecr

    all_rules = ecr.load()
    rs, on, dest = ec.resolve(all_rules, rules, as_of, destination)
    rows = wh.duckdb(_settings(home=home)).table("hardware").to_pyarrow().to_pylist()
    return ec.table(rows, rs, all_rules, destination=dest, as_of=on)


def classify_chip(name: str | None = None, *, rules: str | None = None, as_of=None,
                  destination: str | None = None, home=None, **specs) -> dict[str, Any]:
    """Classify one chip: by its name in the hardware table, or from datasheet figures (**specs)."""
    from aiatlas.export_controls import chips as ec, classify as cl, rules as ecr

    all_rules = ecr.load()
    rs, on, dest = ec.resolve(all_rules, rules, as_of, destination)
    if name:
        # Epoch does not record data-center marketing (the supplement does for some chips),
        # so a named chip may be given it
        datacenter = specs.pop("datacenter", None)
        if specs:
            raise UsageError("give a chip name or its figures, not both",
                             hint="with a name, only --datacenter/--not-datacenter may be added")
        rows = wh.duckdb(_settings(home=home)).table("hardware").to_pyarrow().to_pylist()
        row = dict(ec.find(rows, name))
        if datacenter is not None:  # the user's statement beats the supplement's
            row["datacenter"] = datacenter
        return ec.chip_row(row, rs, all_rules, destination=dest, as_of=on)
    if not specs:
        raise UsageError("give a chip name or at least one performance figure",
                         hint="e.g. --int8-tops 624 --fp16-tflops 312 --die-area 826")
    try:
        chip = cl.specs_from_figures(**specs)
    except TypeError as e:
        raise UsageError(f"unknown chip figure: {e}") from None
    result = cl.classify(chip, rs, all_rules, destination=dest, as_of=on)
    return {"name": chip.name, "tpp": chip.tpp, "tpp_basis": chip.tpp_basis,
            "die_area_mm2": chip.die_area_mm2, "pd": chip.pd,
            "io_bandwidth_gbs": chip.io_bandwidth_gbs, "datacenter": chip.datacenter,
            **result.to_dict()}


def can_export(name: str, *, to: str, on=None, home=None) -> dict[str, Any]:
    """May this chip be exported to `to` on `on` (default today): yes, licence required,
    licence required (case-by-case review), presumption of denial, or cannot tell; with the
    rule set, notices, review policy and the figures that decide."""
    from aiatlas.export_controls import can_export as ce, chips as ec, rules as ecr

    if not to:
        raise UsageError("give the destination country", hint="e.g. --to CHN")
    all_rules = ecr.load()
    _, day, dest = ec.resolve(all_rules, None, on or dt.date.today().isoformat(), to)
    rows = wh.duckdb(_settings(home=home)).table("hardware").to_pyarrow().to_pylist()
    return ce.answer(ec.find(rows, name), all_rules, dest, day)


def export_rule_sets() -> list[dict[str, Any]]:
    """The export-control rule sets as data, with dates, thresholds and citations."""
    from aiatlas.export_controls import rules as ecr

    return [rs.describe() for rs in ecr.load().rule_sets]


_build_info_cache: dict[str, tuple[object, dict[str, Any]]] = {}


def build_info(*, home=None, as_of=None) -> dict[str, Any]:
    """The warehouse's (or a vintage's) build id and time; cheap per request (cached per open file)."""
    settings = _settings(home=home, as_of=as_of)
    con = wh.duckdb(settings)  # a new connection object exactly when the file was swapped
    key = str(settings.warehouse_path)
    hit = _build_info_cache.get(key)
    if hit and hit[0] is con:
        return hit[1]
    rows = con.table("_build").to_pyarrow().to_pylist()
    info = rows[0] if rows else {"build_id": None, "built_at": None, "aiatlas_version": None,
                                 "as_of": None}
    _build_info_cache[key] = (con, info)
    return info


def sources() -> list[dict[str, Any]]:
    """Every source's publisher, title, licence and citation (for footnotes and attributions)."""
    from aiatlas.curated.loader import SOURCE_ID as CURATED
    from aiatlas.sources.registry import SOURCES

    out = [{"id": s.id, "publisher": s.publisher, "title": s.title, "licence": s.licence,
            "citation": s.citation, "homepage": s.homepage} for s in SOURCES]
    # curated YAML files are recorded as one source; every fact names its own publisher and URL
    out.append({"id": CURATED, "publisher": "aiatlas (curated records)", "title": "Curated facts",
                "licence": "per record: see each row's publisher and URL",
                "citation": "each row cites its publisher, title, URL and date", "homepage": ""})
    return out
